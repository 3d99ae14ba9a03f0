# sshd, whatever its unit is called.
#
# sshd_reload: reload sshd; Ubuntu's socket activation (ssh.socket) is switched to the service.
# shellcheck disable=SC2317 # a library function: not every script that includes it calls it
sshd_reload() {
  if systemctl is-enabled ssh.socket >/dev/null 2>&1; then systemctl disable --now ssh.socket >/dev/null 2>&1; systemctl enable ssh.service >/dev/null 2>&1; systemctl restart ssh.service; else systemctl reload ssh 2>/dev/null || systemctl reload sshd; fi
}
