#!/bin/sh
# Stand-in docker program for CLI tests: answers `docker info` like an engine, refuses anything else.
[ "$1" = info ] && { echo 20.10.24+dfsg1; exit 0; }
echo "fake-docker-info: only info is supported" >&2
exit 1
