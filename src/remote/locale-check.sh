# Exit 0 when the locale is generated and is the system's LANG.
#
#   $1  locale, e.g. fr_FR.UTF-8
#   $2  the same as `locale -a` lists it, e.g. fr_FR.utf8
locale -a 2>/dev/null | grep -qx "$2" && grep -qx "LANG=$1" /etc/default/locale
