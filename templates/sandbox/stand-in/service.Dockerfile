# One STAND-IN service image: the common stand-in layer, set to answer as SERVICE.
# REMOVE takes out tools the real image lacks (no curl/wget in LiteLLM, Qdrant, Loki), so that a
# health check relying on them fails here as it would in production.
ARG STAND_IN
FROM ${STAND_IN}
ARG SERVICE
ARG RUN_AS=0
ARG EXTRA_PACKAGES=
ARG REMOVE=
RUN set -e; if [ -n "$EXTRA_PACKAGES" ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $EXTRA_PACKAGES && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb; fi; \
    for f in $REMOVE; do rm -f "$f"; done; \
    if [ "$SERVICE" = loki ]; then ln -s /usr/local/lib/stand-in/loki-health.sh /usr/bin/loki; fi; \
    if [ "$RUN_AS" != 0 ]; then groupadd -g "$RUN_AS" "stand-in" && useradd -u "$RUN_AS" -g "$RUN_AS" -M -d /nonexistent -s /usr/sbin/nologin "stand-in"; fi; \
    mkdir -p /var/lib/headscale /var/run/headscale && chown "$RUN_AS:$RUN_AS" /var/lib/headscale /var/run/headscale
ENV STAND_IN_SERVICE=${SERVICE}
LABEL org.homelab-wizard.stand-in=${SERVICE}
USER ${RUN_AS}
