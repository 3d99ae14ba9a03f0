# Install sudo rules only once visudo accepts them (a broken file would lock sudo out).
#
#   $1  the pending rules file (a name sudo ignores)
#   $2  where sudo reads them
visudo -cqf "$1" && install -m 0440 -o root -g root "$1" "$2"
