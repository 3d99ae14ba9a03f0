import { createHash } from 'node:crypto';
import type { ExecResult, LockOutcome, LockRequest, OutputSink, ProbeReport, ProbeRequest, Runner } from '../../src/engine/runner.js';
import type { DirFacts, FileFacts } from '../../src/plan/facts.js';
import { isSecret } from '../../src/lib/secret.js';
import type { Command } from '../../src/plan/command.js';
import type { AuditEntry, LockInfo } from '../../src/plan/host-state.js';
import type { FileSpec } from '../../src/plan/step.js';
import { describeCommand } from '../../src/shell/describe-command.js';
import { armCommand, disarmCommand, forgetCommand, GUARD_HEADER, guardUnitPrefix, parseGuardMeta, revertNowCommand, waitRevertCommand } from '../../src/engine/guards.js';
import type { GuardFacts } from '../../src/plan/guard-facts.js';

/** The fixed shell text of each guard command (its values are positional arguments). */
const GUARD_SCRIPTS = {
  arm: armCommand('/p', 'u', 1, '/p/guards/s.sh', '').argv[2],
  disarm: disarmCommand('u', '/p').argv[2],
  revertNow: revertNowCommand('u', '/p').argv[2],
  wait: waitRevertCommand('u', '/p').argv[2],
};

interface Node {
  kind: 'file' | 'dir';
  content: string;
  mode: number;
  owner: string;
}

/** A command the fake host should answer in a test: matched on its argv. */
export interface FakeRule {
  readonly match: (argv: readonly string[]) => boolean;
  readonly run: (host: FakeHost, command: Command) => ExecResult & { readonly lines?: readonly string[] };
}

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * Test stand-in for a managed host: an in-memory model of folders and files, a lock and an
 * audit log, answering the engine through the Runner interface. It understands the commands the
 * engine and step builders produce (install -d) and the rules a test adds; any other command
 * throws, so a new kind of step cannot pass the idempotency sweep unmodelled.
 */
export class FakeHost {
  readonly nodes = new Map<string, Node>();
  lock: LockInfo | undefined;
  readonly audit: AuditEntry[] = [];
  /** Every mutating call, as describeCommand shows it: what apply did. */
  readonly changes: string[] = [];
  probes = 0;
  readonly rules: FakeRule[] = [];
  /** Guard timers waiting on the host (unit names): armed, not yet stopped or fired. */
  readonly timers = new Set<string>();
  /** Every guard unit ever armed, to assert that each was disarmed. */
  readonly armed: string[] = [];
  /** Guard units whose revert the "timer" is running right now (a test sets it). */
  readonly reverting = new Set<string>();
  /** Runs a guard's revert script (a test decides what it does); by default it succeeds. */
  revertScript: (path: string) => ExecResult = () => ({ code: 0, stdout: '', stderr: '' });
  /** Seconds since each guard script was written, as the probe reports it. */
  guardAge = 0;

  constructor(readonly name = 'fake') {
    this.nodes.set('/', { kind: 'dir', content: '', mode: 0o755, owner: 'root:root' });
  }

  private parent(path: string): string {
    return path.replace(/\/[^/]+$/, '') || '/';
  }

  mkdirs(path: string, mode = 0o755, owner = 'root:root'): void {
    if (path === '/' || this.nodes.get(path)?.kind === 'dir') return;
    this.mkdirs(this.parent(path));
    this.nodes.set(path, { kind: 'dir', content: '', mode, owner });
  }

  writeFile(path: string, content: string, mode = 0o644, owner = 'root:root'): void {
    this.nodes.set(path, { kind: 'file', content, mode, owner });
  }

  /**
   * The guard commands of the engine (guards.ts), modelled on the fake's files and timers: the
   * arm writes the script and starts a timer; disarm stops it (exit 5 when there is none) and
   * removes the script; a revert runs `revertScript` and, when it passes, the script is gone.
   */
  private guardCommand(command: Command): ExecResult | undefined {
    const argv = command.argv;
    if (argv[0] !== 'sh' || argv[1] !== '-c') return undefined;
    const ok = { code: 0, stdout: '', stderr: '' };
    switch (argv[2]) {
      case GUARD_SCRIPTS.arm: {
        const [dir, path, , unit] = argv.slice(4) as [string, string, string, string];
        this.mkdirs(dir, 0o700);
        this.writeFile(path, String(command.stdin ?? ''), 0o700);
        this.timers.add(unit);
        this.armed.push(unit);
        return ok;
      }
      case GUARD_SCRIPTS.disarm: {
        const [unit, path] = argv.slice(4) as [string, string];
        if (!this.timers.delete(unit)) return { code: 5, stdout: '', stderr: `Failed to stop ${unit}.timer: Unit ${unit}.timer not loaded.\n` };
        this.nodes.delete(path);
        return ok;
      }
      case GUARD_SCRIPTS.revertNow: {
        const [unit, path] = argv.slice(4) as [string, string];
        const result = this.revertScript(path);
        if (result.code === 0) {
          this.nodes.delete(path);
          this.timers.delete(unit);
        }
        return result;
      }
      case GUARD_SCRIPTS.wait: {
        const [unit, path] = argv.slice(4) as [string, string];
        if (this.reverting.delete(unit) && this.revertScript(path).code === 0) this.nodes.delete(path);
        return { code: 0, stdout: this.nodes.has(path) ? 'present\n' : 'gone\n', stderr: '' };
      }
      default:
        return undefined;
    }
  }

  /** The guards of a project as the probe reports them: each script in its guards folder. */
  guards(project: string): GuardFacts[] {
    const prefix = `${project}/guards/`;
    return [...this.nodes.entries()]
      .filter(([path, node]) => node.kind === 'file' && path.startsWith(prefix) && path.endsWith('.sh'))
      .map(([path, node]) => {
        const unit = `${guardUnitPrefix(project)}${path.slice(prefix.length, -'.sh'.length)}`;
        const header = node.content.split('\n').find((l) => l.startsWith(GUARD_HEADER));
        const meta = header ? parseGuardMeta(header.slice(GUARD_HEADER.length)) : undefined;
        return { unit, path, ...(meta ? { meta } : {}), timer: this.timers.has(unit) ? 'active' : 'inactive', service: this.reverting.has(unit) ? 'active' : 'inactive', age: this.guardAge };
      });
  }

  /** Evaluate a command without recording it (checks are read-only). */
  evaluate(command: Command): ExecResult {
    const argv = command.argv;
    if (argv[0] === 'rm' && argv[1] === '-f' && argv[2] === '--' && argv.length === 4 && argv[3]?.includes('/guards/')) {
      this.nodes.delete(argv[3]);
      return { code: 0, stdout: '', stderr: '' };
    }
    const guard = this.guardCommand(command);
    if (guard) return guard;
    for (const rule of this.rules) if (rule.match(argv)) return rule.run(this, command);
    if (argv[0] === 'install' && argv[1] === '-d') {
      const [, , , mode, , user, , group, , path] = argv;
      const parent = this.parent(path as string);
      if (this.nodes.get(path as string)?.kind === 'file') return { code: 1, stdout: '', stderr: `install: cannot create directory '${path}': File exists\n` };
      this.mkdirs(parent);
      this.nodes.set(path as string, { kind: 'dir', content: '', mode: Number.parseInt(mode as string, 8), owner: `${user}:${group}` });
      return { code: 0, stdout: '', stderr: '' };
    }
    throw new Error(`fake host ${this.name} does not know the command: ${describeCommand(command)}`);
  }

  fileFacts(path: string, expected: string, secret: boolean): FileFacts {
    const node = this.nodes.get(path);
    if (!node) return { state: 'absent' };
    if (node.kind !== 'file') return { state: 'not-a-file' };
    const hash = sha256(node.content);
    return {
      state: 'present',
      sha256: hash,
      mode: node.mode,
      owner: node.owner,
      size: Buffer.byteLength(node.content),
      ...(hash !== expected && !secret ? { content: node.content } : {}),
    };
  }

  dirFacts(path: string): DirFacts {
    const node = this.nodes.get(path);
    if (!node) return { state: 'absent' };
    return node.kind === 'dir' ? { state: 'present', mode: node.mode, owner: node.owner } : { state: 'not-a-dir' };
  }

  report(request: ProbeRequest, withLock: boolean): ProbeReport {
    this.probes++;
    const steps = request.steps.map((step) => ({
      checkExit: step.check === null ? null : this.evaluate(step.check).code,
      ...(step.dirs ? { dirs: step.dirs.map((d) => this.dirFacts(d)) } : {}),
      files: step.files.map((f) => this.fileFacts(f.path, f.sha256, f.secret)),
    }));
    const last = this.audit.at(-1);
    const guards = this.guards(request.project);
    return { steps, ...(withLock && this.lock ? { lock: this.lock } : {}), ...(last ? { lastAudit: last } : {}), ...(guards.length > 0 ? { guards } : {}) };
  }

  runner(target = `root@${this.name}:22`): FakeRunner {
    return new FakeRunner(this, target);
  }
}

/** The Runner face of a FakeHost. */
export class FakeRunner implements Runner {
  constructor(private readonly fake: FakeHost, readonly target: string) {}

  get host(): string {
    return this.fake.name;
  }

  async probe(request: ProbeRequest): Promise<ProbeReport> {
    return this.fake.report(request, true);
  }

  async lockAndProbe(request: ProbeRequest, lock: LockRequest): Promise<{ lock: LockOutcome; report?: ProbeReport }> {
    this.fake.mkdirs(request.project);
    let replaced: LockInfo | undefined;
    if (lock.takeOver !== undefined && this.fake.lock?.runId === lock.takeOver) {
      replaced = this.fake.lock;
      this.fake.lock = undefined;
    }
    if (this.fake.lock) return { lock: { acquired: false, holder: this.fake.lock } };
    this.fake.lock = lock.info;
    return { lock: { acquired: true, ...(replaced ? { replaced } : {}) }, report: this.fake.report(request, false) };
  }

  async exec(command: Command, sink?: OutputSink): Promise<ExecResult> {
    this.fake.changes.push(describeCommand(command));
    const result = this.fake.evaluate(command);
    for (const line of result.stdout.split('\n').filter((l) => l !== '')) sink?.onStdout?.(line);
    for (const line of result.stderr.split('\n').filter((l) => l !== '')) sink?.onStderr?.(line);
    return result;
  }

  async upload(file: FileSpec): Promise<ExecResult> {
    this.fake.changes.push(`upload ${file.path} ${file.mode} ${file.owner}`);
    const parent = file.path.replace(/\/[^/]+$/, '') || '/';
    if (this.fake.nodes.get(parent)?.kind !== 'dir') return { code: 1, stdout: '', stderr: `mktemp: failed to create file via template '${parent}/.hlw-write.XXXXXX': No such file or directory\n` };
    this.fake.writeFile(file.path, isSecret(file.content) ? file.content.reveal() : file.content, Number.parseInt(file.mode, 8), file.owner);
    return { code: 0, stdout: '', stderr: '' };
  }

  async finish(_project: string, audit: AuditEntry, runId: string): Promise<void> {
    this.fake.audit.push(audit);
    if (this.fake.lock?.runId === runId) this.fake.lock = undefined;
  }
}
