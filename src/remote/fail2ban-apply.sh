# fail2ban enabled and restarted, then up to 5 s for its sshd jail to answer.
# Args: none.
systemctl enable fail2ban >/dev/null 2>&1; systemctl restart fail2ban && for _ in 1 2 3 4 5 6 7 8 9 10; do fail2ban-client status sshd >/dev/null 2>&1 && exit 0; sleep 0.5; done; exit 1
