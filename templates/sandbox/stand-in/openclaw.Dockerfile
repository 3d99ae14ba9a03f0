# The OpenClaw STAND-IN image: the common stand-in layer plus a strict stand-in of the gateway
# (stand-ins/openclaw says why not the real program, with what was measured), laid out like the
# official image: user node (uid 1000), HOME /home/node, config ~/.openclaw/openclaw.json, port
# 18789, `node` on the PATH (the catalogue's WebSocket health check and the openclaw.litellm smoke
# check run with it; Debian's Node 18 has fetch).
ARG STAND_IN
FROM ${STAND_IN}
ARG SERVICE=openclaw
ARG RUN_AS=1000
ARG EXTRA_PACKAGES=
ARG REMOVE=
RUN set -e; if [ -n "$EXTRA_PACKAGES" ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $EXTRA_PACKAGES && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb; fi; \
    for f in $REMOVE; do rm -f "$f"; done; \
    groupadd -g "$RUN_AS" node && useradd -u "$RUN_AS" -g "$RUN_AS" -m -d /home/node -s /bin/sh node; \
    mkdir -p /home/node/.openclaw && chown "$RUN_AS:$RUN_AS" /home/node/.openclaw
COPY openclaw /usr/local/bin/openclaw-stand-in
RUN chmod 755 /usr/local/bin/openclaw-stand-in
ENV STAND_IN_SERVICE=${SERVICE} HOME=/home/node
LABEL org.homelab-wizard.stand-in=${SERVICE}
WORKDIR /home/node
USER ${RUN_AS}
EXPOSE 18789
ENTRYPOINT ["/usr/local/bin/openclaw-stand-in"]
