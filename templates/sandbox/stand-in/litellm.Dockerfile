# The LiteLLM STAND-IN image: the common stand-in layer plus a strict stand-in of the proxy
# (stand-ins/litellm_stand_in.py) that refuses to start without a configuration the real proxy
# would load. Like the real image (ghcr.io/berriai/litellm), it has Python and no curl or wget, and
# takes the proxy's flags as its command (`--config /app/config.yaml --port 4000`).
ARG STAND_IN
FROM ${STAND_IN}
ARG SERVICE=litellm
ARG RUN_AS=0
ARG EXTRA_PACKAGES=
ARG REMOVE=
RUN set -e; if [ -n "$EXTRA_PACKAGES" ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $EXTRA_PACKAGES && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb; fi; \
    for f in $REMOVE; do rm -f "$f"; done; mkdir -p /app
COPY litellm_stand_in.py /usr/local/lib/stand-in/litellm_stand_in.py
COPY litellm-entrypoint.sh /usr/local/bin/litellm-stand-in-entrypoint
RUN chmod 755 /usr/local/bin/litellm-stand-in-entrypoint
ENV STAND_IN_SERVICE=${SERVICE}
LABEL org.homelab-wizard.stand-in=${SERVICE}
WORKDIR /app
USER ${RUN_AS}
ENTRYPOINT ["/usr/local/bin/litellm-stand-in-entrypoint"]
CMD ["--port", "4000"]
