# Install packages (keeping config files we wrote), after waiting for any other apt run.
# uses: apt
#
#   $1  and after: package names
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2119 # the default bound (300 s)
hlw_apt_wait || exit 1
hlw_apt_get update -q >/dev/null && hlw_apt_get install -y -q --no-install-recommends -o Dpkg::Options::=--force-confold "$@"
