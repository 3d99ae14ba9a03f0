# CrowdSec's sshd collection installed, CrowdSec enabled and (re)loaded.
# Args: none.
cscli hub update >/dev/null && cscli collections install crowdsecurity/sshd >/dev/null && systemctl enable crowdsec >/dev/null 2>&1 && systemctl reload-or-restart crowdsec
