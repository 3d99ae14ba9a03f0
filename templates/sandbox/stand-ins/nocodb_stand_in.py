"""NocoDB STAND-IN of homelab-wizard's sandbox (not the real program: no tables, no UI, no API
beyond the health endpoint). The real NocoDB (npm `nocodb`) cannot be installed here: its
dependency `xlsx` is a tarball on cdn.sheetjs.com, which this machine cannot reach (README, sandbox
section, has the measurement). So this stands in for it, strictly, from the environment the tool
writes (nocodb.env), as NocoDB reads it (nocodb.com/docs/self-hosting/environment-variables;
packages/nocodb: NcConfig for NC_DB, initPluginsFromEnv and plugins/s3 for NC_S3_*):
  - NC_DB, `pg://HOST:PORT?u=USER&p=PASSWORD&d=DATABASE`: parsed as NocoDB parses it, and a real
    login to that PostgreSQL with those credentials (psql); a refused login ends the start, as the
    real program's first migration query does;
  - NC_S3_BUCKET_NAME turns the S3 storage plugin on: its plugin marks bucket, region, access key
    and secret as required, and the endpoint is used as a URL (`new URL(endpoint)`), so it needs
    its scheme; NC_S3_FORCE_PATH_STYLE is `true` or not.
Stricter than the real program, on purpose (homelab-wizard always writes these, so their absence is
a bug of the tool): it refuses to start without NC_DB (the real one falls back to SQLite in its
folder) and without NC_AUTH_JWT_SECRET (the real one makes one up and keeps it in its database).
Like the real program, it does not try the S3 keys at start: a wrong key shows when a file is
written, which the smoke check `nocodb.storage` does from this container with its environment.
"""
import json
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from stand_in_common import fail

# How long the start waits for PostgreSQL to accept connections (a login refused ends it at once).
DB_WAIT_SECONDS = float(os.environ.get('STAND_IN_DB_WAIT_SECONDS', '60'))


class ConfigError(Exception):
    pass


def parse_nc_db(url):
    """NC_DB as NocoDB reads it: a URL whose scheme is the client and whose query holds u, p, d."""
    if not url:
        raise ConfigError('NC_DB is not set (this stand-in takes no SQLite fallback: homelab-wizard always gives NocoDB its PostgreSQL database)')
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise ConfigError(f'NC_DB is not a database URL NocoDB can read ({error})')
    if parts.scheme not in ('pg', 'postgres', 'postgresql'):
        raise ConfigError(f"NC_DB: unsupported database client '{parts.scheme or '(none)'}' (expected pg://HOST:PORT?u=USER&p=PASSWORD&d=DATABASE)")
    query = parse_qs(parts.query, keep_blank_values=True)
    host = parts.hostname
    user = (query.get('u') or query.get('user') or [''])[0]
    database = (query.get('d') or query.get('database') or [''])[0]
    password = (query.get('p') or query.get('password') or [''])[0]
    missing = [name for name, value in (('host', host), ('u (user)', user), ('d (database)', database)) if not value]
    if missing:
        raise ConfigError(f"NC_DB is not a database URL NocoDB can read: no {', '.join(missing)} (expected pg://HOST:PORT?u=USER&p=PASSWORD&d=DATABASE)")
    return {'host': host, 'port': port or 5432, 'user': user, 'password': password, 'database': database}


def check_storage(env):
    """The S3 plugin's required inputs, when NC_S3_BUCKET_NAME turns it on; None without S3."""
    bucket = env.get('NC_S3_BUCKET_NAME')
    if not bucket:
        return None
    missing = [name for name in ('NC_S3_REGION', 'NC_S3_ACCESS_KEY', 'NC_S3_ACCESS_SECRET') if not env.get(name)]
    if missing:
        raise ConfigError(f"S3 storage (NC_S3_BUCKET_NAME={bucket}) without {', '.join(missing)}: NocoDB's S3 plugin requires bucket, region, access key and access secret")
    endpoint = env.get('NC_S3_ENDPOINT')
    if endpoint:
        parts = urlsplit(endpoint)
        if parts.scheme not in ('http', 'https') or not parts.hostname:
            raise ConfigError(f"TypeError [ERR_INVALID_URL]: Invalid URL: NC_S3_ENDPOINT '{endpoint}' (NocoDB's S3 plugin reads it with new URL(): it needs https:// or http://)")
    return {'bucket': bucket, 'region': env['NC_S3_REGION'], 'endpoint': endpoint, 'pathStyle': env.get('NC_S3_FORCE_PATH_STYLE') == 'true'}


def login(db):
    """A real login with NC_DB's credentials; PostgreSQL's own refusal ends the start."""
    env = {**os.environ, 'PGPASSWORD': db['password'], 'PGCONNECT_TIMEOUT': '5'}
    argv = ['psql', '-X', '-w', '-h', db['host'], '-p', str(db['port']), '-U', db['user'], '-d', db['database'], '-tAc', 'select current_user']
    deadline = time.monotonic() + DB_WAIT_SECONDS
    while True:
        r = subprocess.run(argv, env=env, capture_output=True, text=True)
        if r.returncode == 0:
            return
        error = ' '.join(r.stderr.split())
        # Not accepting connections yet (PostgreSQL starting, its name not resolvable yet): wait, as
        # a restarted container would; anything PostgreSQL itself answered is final.
        waiting = 'could not connect' in error or 'Connection refused' in error or 'could not translate host name' in error or 'the database system is starting up' in error
        if not waiting or time.monotonic() >= deadline:
            raise ConfigError(f"cannot connect to the database of NC_DB ({db['user']}@{db['host']}:{db['port']}/{db['database']}): {error or f'psql exit {r.returncode}'}")
        time.sleep(1)


def handler(started):
    class Handler(BaseHTTPRequestHandler):
        server_version = 'nocodb-stand-in'

        def log_message(self, fmt, *args):
            sys.stderr.write('%s %s\n' % (self.address_string(), fmt % args))

        def send(self, status, body, head_only=False):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header('Content-Type', 'application/json')
            self.send_header('Content-Length', str(len(data)))
            self.end_headers()
            if not head_only:
                self.wfile.write(data)

        def reply(self, head_only):
            path = self.path.split('?')[0]
            if path == '/api/v1/health':
                return self.send(200, {'message': 'OK', 'timestamp': int(time.time() * 1000), 'uptime': time.monotonic() - started}, head_only)
            return self.send(404, {'msg': 'Not Found (NocoDB stand-in)'}, head_only)

        def do_GET(self):
            self.reply(False)

        def do_HEAD(self):
            self.reply(True)

    return Handler


def main():
    env = os.environ
    try:
        db = parse_nc_db(env.get('NC_DB', ''))
        if not env.get('NC_AUTH_JWT_SECRET'):
            raise ConfigError('NC_AUTH_JWT_SECRET is not set (homelab-wizard always sets it from the vault key nocodb.jwtSecret)')
        storage = check_storage(env)
        login(db)
    except ConfigError as error:
        fail(f'nocodb stand-in: refusing to start: {error}')
    port = int(env.get('PORT', '8080'))
    server = ThreadingHTTPServer((env.get('STAND_IN_LISTEN', '0.0.0.0'), port), handler(time.monotonic()))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    where = f"S3 bucket {storage['bucket']} ({storage['region']}, {storage['endpoint'] or 'AWS'}, {'path' if storage['pathStyle'] else 'virtual-host'} style)" if storage else f"{env.get('NC_TOOL_DIR', '/usr/app/data/')} (local)"
    sys.stderr.write(f"nocodb stand-in listening on {port}: database {db['database']} as {db['user']} on {db['host']}, attachments in {where}\n")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    return 0


if __name__ == '__main__':
    sys.exit(main())
