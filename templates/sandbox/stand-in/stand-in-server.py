"""STAND-IN server of homelab-wizard's sandbox: answers the health and smoke endpoints of the service
named by STAND_IN_SERVICE the way the real service does (same ports, paths, status codes and the
start of the same bodies). It is not the real program and implements nothing behind those endpoints.
"""
import base64
import hashlib
import json
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SERVICE = os.environ.get('STAND_IN_SERVICE', '')

# service → (ports, {path: (status, content type, body)})
HTML = 'text/html; charset=utf-8'
JSON = 'application/json'
TEXT = 'text/plain; charset=utf-8'
SERVICES = {
    'n8n': ([5678], {'/healthz': (200, JSON, '{"status":"ok"}'), '/healthz/readiness': (200, JSON, '{"status":"ok"}'),
                     '/': (200, HTML, '<!doctype html><title>n8n.io - Workflow Automation</title><p>n8n stand-in')}),
    'litellm': ([4000], {'/health/liveliness': (200, JSON, '"I\'m alive!"'), '/health/readiness': (200, JSON, '{"status":"healthy","db":"connected"}'),
                         '/': (200, HTML, '<!doctype html><title>LiteLLM API</title><p>litellm stand-in')}),
    'openclaw': ([18789], {'/': (200, HTML, '<!doctype html><title>OpenClaw Control</title><p>openclaw stand-in')}),
    'nocodb': ([8080], {'/api/v1/health': (200, JSON, '{"message":"OK","timestamp":0,"uptime":1}'),
                        '/': (200, HTML, '<!doctype html><title>NocoDB</title><p>nocodb stand-in')}),
    'grafana': ([3000], {'/api/health': (200, JSON, '{"database":"ok","version":"12.3.2","commit":"stand-in"}'),
                         '/': (302, HTML, '<a href="/login">Found</a>.'), '/login': (200, HTML, '<!doctype html><title>Grafana</title>')}),
    'victoriametrics': ([8428], {'/-/healthy': (200, TEXT, 'VictoriaMetrics is Healthy.\n'), '/health': (200, TEXT, 'OK')}),
    'loki': ([3100], {'/ready': (200, TEXT, 'ready\n')}),
    'alloy': ([12345], {'/-/ready': (200, TEXT, 'Alloy is ready.\n'), '/-/healthy': (200, TEXT, 'All Alloy components are healthy.\n')}),
    'cadvisor': ([8080], {'/healthz': (200, TEXT, 'ok'), '/metrics': (200, TEXT, '# cadvisor stand-in\n')}),
    'diun': ([], {}),
    'couchdb': ([5984], {'/_up': (200, JSON, '{"status":"ok","seeds":{}}'),
                         '/': (200, JSON, '{"couchdb":"Welcome","version":"3.3.3","git_sha":"stand-in","vendor":{"name":"The Apache Software Foundation"}}')}),
}
WEBSOCKET = {'openclaw'}
WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'


class Handler(BaseHTTPRequestHandler):
    server_version = f'{SERVICE}-stand-in'
    routes = {}

    def log_message(self, fmt, *args):
        sys.stderr.write('%s %s\n' % (self.address_string(), fmt % args))

    def reply(self, head_only):
        path = self.path.split('?')[0]
        if SERVICE in WEBSOCKET and self.headers.get('Upgrade', '').lower() == 'websocket':
            key = self.headers.get('Sec-WebSocket-Key', '')
            accept = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
            self.send_response(101, 'Switching Protocols')
            self.send_header('Upgrade', 'websocket')
            self.send_header('Connection', 'Upgrade')
            self.send_header('Sec-WebSocket-Accept', accept)
            self.end_headers()
            self.close_connection = True
            return
        status, ctype, body = self.routes.get(path, (404, TEXT, '404 page not found\n'))
        data = body.encode()
        self.send_response(status)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(data)))
        if status == 302:
            self.send_header('Location', '/login')
        self.end_headers()
        if not head_only:
            self.wfile.write(data)

    def do_GET(self):
        self.reply(False)

    def do_HEAD(self):
        self.reply(True)


def main(argv):
    if SERVICE not in SERVICES:
        sys.stderr.write(f'stand-in: unknown STAND_IN_SERVICE {SERVICE!r}; known: {", ".join(sorted(SERVICES))}\n')
        return 2
    ports, routes = SERVICES[SERVICE]
    if '--port' in argv:  # e.g. LiteLLM's `--port 4000`
        ports = [int(argv[argv.index('--port') + 1])] + ports[1:]
    Handler.routes = routes
    servers = [ThreadingHTTPServer(('0.0.0.0', p), Handler) for p in ports]
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    sys.stderr.write(f'{SERVICE} stand-in listening on {ports}\n')
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
