import { createHash } from 'node:crypto';
import type { ExecResult, LockOutcome, LockRequest, OutputSink, ProbeReport, ProbeRequest, Runner } from '../../src/engine/runner.js';
import type { DirFacts, FileFacts } from '../../src/plan/facts.js';
import { isSecret } from '../../src/lib/secret.js';
import type { Command } from '../../src/plan/command.js';
import type { AuditEntry, LockInfo } from '../../src/plan/host-state.js';
import type { FileSpec } from '../../src/plan/step.js';
import { describeCommand } from '../../src/shell/describe-command.js';

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

  /** Evaluate a command without recording it (checks are read-only). */
  evaluate(command: Command): ExecResult {
    const argv = command.argv;
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
    return { steps, ...(withLock && this.lock ? { lock: this.lock } : {}), ...(last ? { lastAudit: last } : {}) };
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
