import { StringDecoder } from 'node:string_decoder';
import type { NodeSSH } from 'node-ssh';
import { finishScript, lockAndProbeScript, parseProbeOutput, probeScript, ProbeProtocolError } from '../engine/probe-script.js';
import type { ExecResult, LockRequest, OutputSink, ProbeReport, ProbeRequest, Runner, Terminal } from '../engine/runner.js';
import { isSecret, type Secret } from '../lib/secret.js';
import type { Command } from '../plan/command.js';
import type { AuditEntry } from '../plan/host-state.js';
import type { FileSpec } from '../plan/step.js';
import { quote } from '../shell/quote.js';
import { SshError } from './errors.js';
import type { Endpoint } from './connect.js';
import { writeFileArgv } from './write-file.js';

/** How root is reached: already root, `sudo -n` (NOPASSWD), or `sudo -S` with the vault's password on stdin. */
export type SudoMode = { readonly kind: 'root' } | { readonly kind: 'nopasswd' } | { readonly kind: 'password'; readonly password: Secret };

/** Every command line that is sent, for the run log (already free of secrets: they travel on stdin). */
export type Trace = (host: string, line: string) => void;

function lineSplitter(emit: ((line: string) => void) | undefined): { push: (chunk: Buffer) => void; end: () => void } {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  return {
    push: (chunk) => {
      if (!emit) return;
      pending += decoder.write(chunk);
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) emit(line.replace(/\r$/, ''));
    },
    end: () => {
      if (!emit) return;
      pending += decoder.end();
      if (pending !== '') emit(pending);
      pending = '';
    },
  };
}

/**
 * The Runner over one node-ssh connection. node-ssh's `exec` ignores exit codes, so everything
 * goes through `execCommand`, whose code is returned as is. Secrets reach the host only on stdin.
 * The connection is closed only when no command is running on it.
 */
export class SshRunner implements Runner {
  readonly target: string;
  private readonly running = new Set<Promise<unknown>>();
  private closed = false;

  constructor(
    readonly host: string,
    private readonly ssh: NodeSSH,
    readonly endpoint: Endpoint,
    private readonly sudo: SudoMode,
    private readonly trace?: Trace,
  ) {
    this.target = `${endpoint.user}@${endpoint.address}:${endpoint.port}`;
  }

  /** The command line and stdin as sent: sudo in front when needed, the sudo password first on stdin. */
  remote(command: Command): { line: string; stdin: string | undefined } {
    const line = quote(command.argv);
    const input = command.stdin === undefined ? undefined : isSecret(command.stdin) ? command.stdin.reveal() : command.stdin;
    if (command.sudo === false || this.sudo.kind === 'root') return { line, stdin: input };
    if (this.sudo.kind === 'nopasswd') return { line: `sudo -n -- ${line}`, stdin: input };
    // -k: always ask, so the password line is always consumed by sudo and never reaches the command.
    return { line: `sudo -k -S -p '' -- ${line}`, stdin: `${this.sudo.password.reveal()}\n${input ?? ''}` };
  }

  async exec(command: Command, sink?: OutputSink): Promise<ExecResult> {
    if (this.closed) throw new SshError('ssh-exec', this.host, 'the connection is already closed', 'this is a bug in homelab-wizard; run again with --verbose and report it');
    const { line, stdin } = this.remote(command);
    this.trace?.(this.host, line);
    const out = lineSplitter(sink?.onStdout);
    const err = lineSplitter(sink?.onStderr);
    const work = this.ssh.execCommand(line, {
      ...(stdin !== undefined ? { stdin } : {}),
      noTrim: true,
      onStdout: (chunk) => out.push(chunk),
      onStderr: (chunk) => err.push(chunk),
    });
    this.running.add(work);
    try {
      const result = await work;
      out.end();
      err.end();
      const code = result.code ?? 255;
      return { code, stdout: result.stdout, stderr: result.signal ? `${result.stderr}\n(killed by signal ${result.signal})` : result.stderr };
    } catch (error) {
      throw new SshError('ssh-exec', this.host, `the SSH connection failed while running a command: ${error instanceof Error ? error.message : String(error)}`, 'check the network path to the host, then run apply again: it continues where it stopped', error);
    } finally {
      this.running.delete(work);
    }
  }

  private async script(text: string): Promise<ExecResult> {
    return this.exec({ argv: ['sh', '-s'], stdin: text });
  }

  async probe(request: ProbeRequest): Promise<ProbeReport> {
    const result = await this.script(probeScript(request));
    const parsed = parseProbeOutput(this.host, request, result.stdout, result.stderr);
    if (!parsed.report) throw new ProbeProtocolError(this.host, parsed.failure ?? 'gave no report', result.stderr);
    return parsed.report;
  }

  async lockAndProbe(request: ProbeRequest, lock: LockRequest) {
    const result = await this.script(lockAndProbeScript(request, lock));
    const parsed = parseProbeOutput(this.host, request, result.stdout, result.stderr);
    if (parsed.failure !== undefined) throw new SshError('ssh-exec', this.host, parsed.failure, 'check that the login user can become root (ssh.sudo) and that deploy.root is writable');
    if (!parsed.lock) throw new ProbeProtocolError(this.host, 'did not report on the lock', result.stderr);
    return { lock: parsed.lock, ...(parsed.report ? { report: parsed.report } : {}) };
  }

  async upload(file: FileSpec): Promise<ExecResult> {
    return this.exec({ argv: writeFileArgv(file), stdin: file.content });
  }

  async finish(project: string, audit: AuditEntry, runId: string): Promise<void> {
    const result = await this.script(finishScript(project, audit, runId));
    const failure = /^@@hlw fail (.*)$/m.exec(result.stdout)?.[1];
    if (result.code !== 0 || failure !== undefined || !/^@@hlw end$/m.test(result.stdout)) {
      throw new SshError('ssh-exec', this.host, failure ?? `the finish script exited ${result.code}`, 'check the audit log and lock folder on the host');
    }
  }

  /**
   * A command on a remote pseudo-terminal wired to the caller's terminal. The sudo password, when
   * one is needed, is written first; sudo reads it with the terminal's echo turned off.
   */
  async interactive(command: Command, terminal: Terminal): Promise<number> {
    if (this.closed) throw new SshError('ssh-exec', this.host, 'the connection is already closed', 'this is a bug in homelab-wizard; run again with --verbose and report it');
    const { line, stdin } = this.remote({ argv: command.argv, ...(command.sudo === false ? { sudo: false } : {}) });
    this.trace?.(this.host, line);
    const connection = this.ssh.connection;
    if (!connection) throw new SshError('ssh-exec', this.host, 'not connected', 'run the command again');
    const work = new Promise<number>((resolve, reject) => {
      connection.exec(line, { pty: { rows: terminal.rows, cols: terminal.cols, term: terminal.term } }, (error, channel) => {
        if (error) {
          reject(error);
          return;
        }
        const decoder = new StringDecoder('utf8');
        const forward = (chunk: Buffer): void => terminal.write(decoder.write(chunk));
        channel.on('data', forward);
        channel.stderr.on('data', forward);
        if (stdin !== undefined) channel.write(stdin);
        const toRemote = (chunk: Buffer | string): void => {
          channel.write(chunk);
        };
        terminal.input.on('data', toRemote);
        const stopResize = terminal.onResize((rows, cols) => channel.setWindow(rows, cols, 0, 0));
        let code = 255;
        channel.on('exit', (exitCode: number | null) => {
          code = exitCode ?? 255;
        });
        channel.on('close', () => {
          terminal.input.off('data', toRemote);
          stopResize();
          resolve(code);
        });
      });
    });
    this.running.add(work);
    try {
      return await work;
    } catch (error) {
      throw new SshError('ssh-exec', this.host, `the SSH connection failed while running a command: ${error instanceof Error ? error.message : String(error)}`, 'check the network path to the host, then run the command again', error);
    } finally {
      this.running.delete(work);
    }
  }

  /** Close once every running command has ended: a connection is never torn down under a command. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.running]);
    this.ssh.dispose();
  }
}
