# Exit 0 when every package is installed, asked of dpkg once (a dpkg-query per package cost 70 ms
# of each probe).
#
#   $1  and after: package names
dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null | awk -v want="$*" 'BEGIN { n = split(want, w, " ") } $(NF-1) == "ok" && $NF == "installed" { ok[$1] = 1 } END { for (i = 1; i <= n; i++) if (!(w[i] in ok)) exit 1 }'
