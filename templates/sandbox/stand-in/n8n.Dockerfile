# The n8n STAND-IN image: the common stand-in layer plus an `n8n` program answering n8n 2.7's
# health, settings, owner-setup and login API (templates/sandbox/stand-ins/n8n says why not the
# real one), laid out like the official image: user node (uid 1000), data in /home/node/.n8n,
# port 5678, `node` on the PATH (the deploy runs its owner script with it; Debian's Node 18 has
# fetch), wget for the catalogue's health check.
ARG STAND_IN
FROM ${STAND_IN}
ARG SERVICE=n8n
ARG RUN_AS=1000
ARG EXTRA_PACKAGES=
ARG REMOVE=
RUN set -e; apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nodejs \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb; \
    groupadd -g "$RUN_AS" node && useradd -u "$RUN_AS" -g "$RUN_AS" -m -d /home/node -s /bin/sh node; \
    mkdir -p /home/node/.n8n && chown "$RUN_AS:$RUN_AS" /home/node/.n8n
COPY n8n /usr/local/bin/n8n
RUN chmod 755 /usr/local/bin/n8n
ENV STAND_IN_SERVICE=${SERVICE} HOME=/home/node
LABEL org.homelab-wizard.stand-in=${SERVICE}
WORKDIR /home/node
USER ${RUN_AS}
EXPOSE 5678
ENTRYPOINT ["/usr/local/bin/n8n"]
CMD ["start"]
