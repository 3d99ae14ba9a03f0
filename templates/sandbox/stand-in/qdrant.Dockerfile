# The Qdrant STAND-IN image (not the real program: no registry here has Qdrant): the common
# stand-in layer plus a strict Qdrant stand-in (stand-ins/qdrant: its config file, API key and
# collections API) laid out as the real image: WORKDIR /qdrant, RUN_MODE=production, so it reads
# /qdrant/config/production.yaml; no curl or wget, as in the real image (bash only).
ARG STAND_IN
FROM ${STAND_IN}
ARG SERVICE=qdrant
ARG RUN_AS=0
ARG EXTRA_PACKAGES=
ARG REMOVE=
RUN set -e; if [ -n "$EXTRA_PACKAGES" ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $EXTRA_PACKAGES && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb; fi; \
    for f in $REMOVE; do rm -f "$f"; done; \
    mkdir -p /qdrant/config /qdrant/storage /qdrant/snapshots
COPY qdrant /qdrant/qdrant-stand-in
RUN chmod 755 /qdrant/qdrant-stand-in
ENV STAND_IN_SERVICE=${SERVICE} RUN_MODE=production TZ=Etc/UTC
LABEL org.homelab-wizard.stand-in=${SERVICE}
WORKDIR /qdrant
USER ${RUN_AS}
ENTRYPOINT ["/qdrant/qdrant-stand-in"]
