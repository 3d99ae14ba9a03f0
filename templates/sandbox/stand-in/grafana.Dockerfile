# The Grafana STAND-IN image: the common stand-in layer plus a `grafana` program (server and the
# `grafana cli admin reset-admin-password` command) at the paths and with the environment of the
# real image (grafana/grafana: /usr/share/grafana, GF_PATHS_*, user 472).
ARG STAND_IN
FROM ${STAND_IN}
ARG SERVICE=grafana
ARG RUN_AS=472
ARG EXTRA_PACKAGES=
ARG REMOVE=
RUN set -e; groupadd -g "$RUN_AS" grafana && useradd -u "$RUN_AS" -g "$RUN_AS" -M -d /usr/share/grafana -s /usr/sbin/nologin grafana; \
    mkdir -p /usr/share/grafana/bin /etc/grafana /var/lib/grafana && touch /etc/grafana/grafana.ini && chown "$RUN_AS:$RUN_AS" /var/lib/grafana
COPY grafana /usr/share/grafana/bin/grafana
RUN chmod 755 /usr/share/grafana/bin/grafana
ENV STAND_IN_SERVICE=${SERVICE} GF_PATHS_HOME=/usr/share/grafana GF_PATHS_DATA=/var/lib/grafana GF_PATHS_CONFIG=/etc/grafana/grafana.ini \
    PATH=/usr/share/grafana/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LABEL org.homelab-wizard.stand-in=${SERVICE}
WORKDIR /usr/share/grafana
USER ${RUN_AS}
ENTRYPOINT ["/usr/share/grafana/bin/grafana"]
CMD ["server"]
