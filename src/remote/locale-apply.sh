# Generate the locale (C.* needs none) and make it the system's LANG.
#
#   $1  locale, e.g. fr_FR.UTF-8
case "$1" in C.*) ;; *) grep -q "^$1 UTF-8" /etc/locale.gen || echo "$1 UTF-8" >> /etc/locale.gen; locale-gen >/dev/null || exit 1 ;; esac; update-locale "LANG=$1"
