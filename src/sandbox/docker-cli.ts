import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { WizardError } from '../errors.js';

export interface DockerResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface DockerRunOptions {
  /** Sent on stdin. */
  readonly input?: string | Buffer;
  readonly timeoutMs?: number;
  /** A non-zero exit is returned instead of thrown. */
  readonly allowFail?: boolean;
  /** Stream output lines here instead of buffering (long builds and pushes). */
  readonly onLine?: (line: string) => void;
}

export const DOCKER_INSTALL_HINT =
  'install Docker (Debian/Ubuntu: `apt-get install docker.io`, then start it) and make sure `docker info` works for your user; set HLW_DOCKER to use another docker program';

/**
 * The docker client, pinned: HLW_DOCKER, else Debian's /usr/bin/docker (this machine kind also
 * has a newer client earlier in PATH; pinning avoids its warnings and version drift), else PATH.
 */
export function dockerBinary(env: NodeJS.ProcessEnv): string {
  if (env['HLW_DOCKER']) return env['HLW_DOCKER'];
  return existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';
}

/** Thin adapter over the docker CLI: argv in, exit code and output out. */
export class DockerCli {
  constructor(readonly bin: string) {}

  async run(args: readonly string[], options: DockerRunOptions = {}): Promise<DockerResult> {
    const result = await new Promise<DockerResult>((resolve, reject) => {
      const child = spawn(this.bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      let pending = '';
      const timer = options.timeoutMs
        ? setTimeout(() => {
            child.kill('SIGTERM');
            stderr += `\n(timed out after ${Math.round((options.timeoutMs ?? 0) / 1000)} s)`;
          }, options.timeoutMs)
        : undefined;
      const lines = (chunk: string): void => {
        if (!options.onLine) return;
        pending += chunk;
        const parts = pending.split('\n');
        pending = parts.pop() ?? '';
        for (const line of parts) options.onLine(line);
      };
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        lines(d);
      });
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
        lines(d);
      });
      child.on('error', (error: NodeJS.ErrnoException) => {
        if (timer) clearTimeout(timer);
        if (error.code === 'ENOENT') {
          reject(new WizardError('sandbox-docker', `the docker program (${this.bin}) is not installed`, DOCKER_INSTALL_HINT, { cause: error }));
        } else reject(error);
      });
      child.on('close', (code) => {
        if (timer) clearTimeout(timer);
        if (pending && options.onLine) options.onLine(pending);
        resolve({ code: code ?? 1, stdout, stderr });
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input ?? '');
    });
    if (result.code !== 0 && !options.allowFail) {
      const tail = result.stderr.trim().split('\n').slice(-3).join(' / ') || result.stdout.trim().split('\n').slice(-3).join(' / ');
      throw new WizardError('sandbox-docker', `docker ${args[0] ?? ''} failed (exit ${result.code}): ${tail}`, 'run the command again with --verbose; check `docker info` and the Docker engine log');
    }
    return result;
  }

  /** stdout, trimmed. */
  async out(args: readonly string[], options: DockerRunOptions = {}): Promise<string> {
    return (await this.run(args, options)).stdout.trim();
  }

  /** Fails with the install hint when there is no usable Docker engine. */
  async requireEngine(): Promise<void> {
    const result = await this.run(['info', '--format', '{{.ServerVersion}}'], { allowFail: true, timeoutMs: 20_000 });
    if (result.code !== 0 || result.stdout.trim() === '') {
      const why = result.stderr.trim().split('\n')[0] ?? '';
      throw new WizardError('sandbox-docker', `no Docker engine answers${why ? `: ${why}` : ''}`, DOCKER_INSTALL_HINT);
    }
  }
}

/** execFile with a promise, for the few non-docker programs the sandbox runs (debootstrap). */
export function runProgram(file: string, args: readonly string[], timeoutMs: number): Promise<DockerResult> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as NodeJS.ErrnoException).code === 'number' ? Number((error as NodeJS.ErrnoException).code) : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) || (error && code !== 0 ? error.message : '') });
    });
  });
}
