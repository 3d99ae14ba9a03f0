#!/bin/sh
# First boot of a sandbox server: unique host keys and the root key, as cloud-init does.
# systemd does not pass the container's environment to units: read it from PID 1.
set -eu
ssh-keygen -A
install -d -m 700 /root/.ssh
touch /root/.ssh/authorized_keys
python3 - <<'PY'
env = open('/proc/1/environ', 'rb').read().split(b'\0')
keys = [e.split(b'=', 1)[1].decode() for e in env if e.startswith(b'SANDBOX_AUTHORIZED_KEYS=')]
lines = [l.strip() for l in open('/root/.ssh/authorized_keys').read().splitlines()]
for value in keys:
    lines += [l.strip() for l in value.splitlines()]
seen, out = set(), []
for l in lines:
    if l and l not in seen:
        seen.add(l); out.append(l)
open('/root/.ssh/authorized_keys', 'w').write(''.join(l + '\n' for l in out))
PY
chmod 600 /root/.ssh/authorized_keys
