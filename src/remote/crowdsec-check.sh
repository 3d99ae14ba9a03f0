# Exit 0 when CrowdSec runs with the sshd collection installed.
# Args: none.
systemctl is-active --quiet crowdsec && cscli collections list -o raw 2>/dev/null | grep -q "^crowdsecurity/sshd,"
