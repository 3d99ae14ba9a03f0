# The NocoDB STAND-IN image: the common stand-in layer plus a strict stand-in of NocoDB
# (stand-ins/nocodb_stand_in.py) that starts only from the environment the real program would run
# with, after a real login to its PostgreSQL (psql). Like the real image (nocodb/nocodb), it has
# `node` on the PATH (the smoke check nocodb.storage runs its S3 probe with it), wget for the
# catalogue's health check, no curl, and listens on 8080.
ARG STAND_IN
FROM ${STAND_IN}
ARG SERVICE=nocodb
ARG RUN_AS=0
ARG EXTRA_PACKAGES=
ARG REMOVE=
RUN set -e; if [ -n "$EXTRA_PACKAGES" ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $EXTRA_PACKAGES && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb; fi; \
    for f in $REMOVE; do rm -f "$f"; done; mkdir -p /usr/app/data
COPY nocodb_stand_in.py /usr/local/lib/stand-in/nocodb_stand_in.py
ENV STAND_IN_SERVICE=${SERVICE} PORT=8080
LABEL org.homelab-wizard.stand-in=${SERVICE}
WORKDIR /usr/app/data
USER ${RUN_AS}
EXPOSE 8080
ENTRYPOINT ["python3", "/usr/local/lib/stand-in/nocodb_stand_in.py"]
