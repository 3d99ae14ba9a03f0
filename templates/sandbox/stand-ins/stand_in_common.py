"""Shared helpers of the Headscale and Tailscale STAND-INS of the sandbox (not the real programs).

State lives in one JSON file per program, read and written under an exclusive lock, so the CLI and
the stand-in server see the same data.
"""
import fcntl
import json
import os
import sys
import time
from contextlib import contextmanager


@contextmanager
def locked_state(path, default):
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    fd = os.open(path + '.lock', os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            with open(path) as f:
                state = json.load(f)
        except (FileNotFoundError, ValueError):
            state = default()
        yield state
        tmp = path + '.tmp'
        with open(tmp, 'w') as f:
            json.dump(state, f, indent=2)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    finally:
        os.close(fd)


def read_state(path, default):
    try:
        with open(path) as f:
            return json.load(f)
    except (FileNotFoundError, ValueError):
        return default()


def fail(message, code=1):
    sys.stderr.write(message.rstrip('\n') + '\n')
    sys.exit(code)


def parse_duration(text):
    """Go/model durations as Headscale and Tailscale accept them: 30s, 90m, 24h, 90d, 1h30m."""
    units = {'s': 1, 'm': 60, 'h': 3600, 'd': 86400}
    total, number = 0, ''
    for ch in text:
        if ch.isdigit() or ch == '.':
            number += ch
        elif ch in units and number:
            total += float(number) * units[ch]
            number = ''
        else:
            raise ValueError(text)
    if number:
        raise ValueError(text)
    return int(total)


def now():
    return time.time()
