"""LiteLLM proxy STAND-IN of homelab-wizard's sandbox (not the real program: it routes no request
to any model provider). LiteLLM's proxy is on no registry the sandbox can use, so this stands in
for it, strictly: it starts only from a configuration the real proxy would load, and answers the
model list from that configuration, behind the master key, as the real proxy does.

What the real proxy requires (docs.litellm.ai/docs/proxy/configs; litellm/proxy/proxy_server.py,
ProxyConfig.load_config / _get_config_from_file; litellm/types/router.py, Deployment):
  - `--config FILE` names a file that exists (else "Config file not found") and is YAML
    (`yaml.safe_load`, whose error ends the start);
  - every `model_list` entry has `model_name` and `litellm_params` with `model` (the router's
    Deployment model refuses an entry without them);
  - `os.environ/NAME` values are read from the environment.
Stricter than the real proxy, on purpose (homelab-wizard always writes these, so their absence is
a bug of the tool): it refuses to start without `--config`, without a `model_list` list, and when
`general_settings.master_key` names an environment variable that is not set. The real proxy would
start with no models, or without authentication.
"""
import json
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import os

import yaml


class ConfigError(Exception):
    pass


def resolve(value):
    """LiteLLM's `os.environ/NAME` indirection."""
    if isinstance(value, str) and value.startswith('os.environ/'):
        name = value[len('os.environ/'):]
        if name not in os.environ:
            raise ConfigError(f'{value}: environment variable {name} is not set')
        return os.environ[name]
    return value


def parse_args(argv):
    config, port, host = None, 4000, '0.0.0.0'
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in ('--config', '-c', '--port', '--host') and i + 1 >= len(argv):
            raise ConfigError(f'{arg} needs a value')
        if arg in ('--config', '-c'):
            config = argv[i + 1]
            i += 2
        elif arg == '--port':
            port = int(argv[i + 1])
            i += 2
        elif arg == '--host':
            host = argv[i + 1]
            i += 2
        else:
            i += 1
    return config, port, host


def load_config(path):
    """The aliases and the master key of a configuration the real proxy would start from."""
    if path is None:
        raise ConfigError('no --config FILE given (homelab-wizard always runs LiteLLM with its rendered config.yaml)')
    if not os.path.exists(path):
        raise ConfigError(f'Config file not found: {path}')
    try:
        with open(path) as f:
            config = yaml.safe_load(f)
    except yaml.YAMLError as error:
        raise ConfigError(f'{path} is not valid YAML: {error}')
    if not isinstance(config, dict):
        raise ConfigError(f'{path}: the top level must be a mapping of sections (model_list, general_settings, ...)')
    models = config.get('model_list')
    if not isinstance(models, list):
        raise ConfigError(f'{path}: model_list is missing or not a list')
    aliases = []
    for i, entry in enumerate(models):
        if not isinstance(entry, dict) or not isinstance(entry.get('model_name'), str) or not entry['model_name']:
            raise ConfigError(f'{path}: model_list[{i}] has no model_name')
        params = entry.get('litellm_params')
        if not isinstance(params, dict) or not isinstance(params.get('model'), str) or not params['model']:
            raise ConfigError(f'{path}: model_list[{i}] ({entry["model_name"]}) has no litellm_params.model')
        aliases.append(entry['model_name'])
    general = config.get('general_settings') or {}
    if not isinstance(general, dict):
        raise ConfigError(f'{path}: general_settings must be a mapping')
    master_key = resolve(general.get('master_key'))
    return aliases, master_key


def handler(aliases, master_key):
    class Handler(BaseHTTPRequestHandler):
        server_version = 'litellm-stand-in'

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
            if path == '/health/liveliness':
                return self.send(200, "I'm alive!", head_only)
            if path == '/health/readiness':
                return self.send(200, {'status': 'healthy', 'db': 'connected'}, head_only)
            if path in ('/v1/models', '/models'):
                given = self.headers.get('Authorization', '')
                if master_key is not None and given != f'Bearer {master_key}':
                    return self.send(401, {'error': {'message': 'Authentication Error, invalid proxy server token passed (stand-in)', 'type': 'auth_error', 'param': 'None', 'code': '401'}}, head_only)
                return self.send(200, {'data': [{'id': a, 'object': 'model', 'created': 1677610602, 'owned_by': 'openai'} for a in aliases], 'object': 'list'}, head_only)
            if path == '/':
                return self.send(200, {'message': 'LiteLLM API stand-in'}, head_only)
            return self.send(404, {'detail': 'Not Found'}, head_only)

        def do_GET(self):
            self.reply(False)

        def do_HEAD(self):
            self.reply(True)

    return Handler


def main(argv):
    try:
        config, port, host = parse_args(argv)
        aliases, master_key = load_config(config)
    except ConfigError as error:
        sys.stderr.write(f'litellm stand-in: refusing to start: {error}\n')
        return 1
    server = ThreadingHTTPServer((host, port), handler(aliases, master_key))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stderr.write(f'litellm stand-in listening on {port} with {len(aliases)} models: {", ".join(aliases)}\n')
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
