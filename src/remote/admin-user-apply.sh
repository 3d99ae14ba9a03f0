# The admin user: created when missing (bash, home folder), added to group sudo, with ~/.ssh (0700).
#
#   $1  user name
#   $2  home folder
id -u "$1" >/dev/null 2>&1 || useradd --create-home --home-dir "$2" --shell /bin/bash "$1"; usermod -aG sudo "$1" && install -d -m 0700 -o "$1" -g "$1" "$2/.ssh"
