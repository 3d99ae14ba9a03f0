# Check that a rule is gone: the firewall is on and the rule is not among its added rules. A
# firewall that is not on yet has no rules at all: that is not "closed".
# uses: ufw
#
#   $1  the rule, as `ufw show added` prints it
ufw_on && ! ufw_added | grep -qxF -- "$1"
