# Write a marker file (in a root-only folder) that says a step was applied with these inputs.
#
#   $1  folder (created 0700)
#   $2  file name in it
#   $3  the marker's text
install -d -m 0700 "$1" && printf %s "$3" > "$1/$2"
