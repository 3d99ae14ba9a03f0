# Check of the admin user: in group sudo, with a ~/.ssh folder.
#
#   $1  user name
#   $2  home folder
id -nG "$1" 2>/dev/null | tr " " "\n" | grep -qx sudo && [ -d "$2/.ssh" ]
