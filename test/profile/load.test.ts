import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProfileError, WizardError } from '../../src/errors.js';
import { parseYaml, readProfile } from '../../src/profile/load.js';
import { validateProfile } from '../../src/profile/validate.js';
import { REPO } from '../helpers/profiles.js';

const MINIMAL = readFileSync(path.join(REPO, 'profiles/minimal.yaml'), 'utf8');

function issuesOf(text: string, file = 'profiles/x.yaml'): { message: string; issues: readonly { path: string; message: string }[] } {
  try {
    parseYaml(text, file);
  } catch (error) {
    expect(error).toBeInstanceOf(ProfileError);
    return { message: (error as ProfileError).message, issues: (error as ProfileError).issues };
  }
  throw new Error('parsed without an error');
}

describe('parsing a profile: YAML abuse and library wording stay out of sight', () => {
  it('names the file and the limit when aliases are used too often', () => {
    const text = `${MINIMAL}x-a: &a "v"\n${Array.from({ length: 120 }, (_, i) => `x-r${i}: *a`).join('\n')}\n`;
    const { message, issues } = issuesOf(text);
    expect(message).toMatch(/^profiles\/x\.yaml: 1 problem/);
    expect(issues[0]?.message).toMatch(/aliases .* at most 100 uses/);
  });

  it('accepts a few aliases', () => {
    expect(() => parseYaml(`${MINIMAL}x-a: &a "v"\nx-b: *a\n`, 'x.yaml')).not.toThrow();
  });

  it('says that a second document starts, without naming a library function', () => {
    const { issues } = issuesOf(`${MINIMAL}---\nfoo: 1\n`);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.message).toMatch(/a second YAML document starts here/);
    expect(JSON.stringify(issues)).not.toMatch(/parseAllDocuments/);
  });

  it('reports deep nesting once, in words, without "Maximum call stack"', () => {
    for (const text of [`a: ${'['.repeat(5000)}${']'.repeat(5000)}\n`, `a: ${'['.repeat(40)}${']'.repeat(40)}\n`]) {
      const { issues } = issuesOf(text);
      expect(issues).toHaveLength(1);
      expect(issues[0]?.message).toMatch(/nested too deeply/);
      expect(JSON.stringify(issues)).not.toMatch(/call stack/);
    }
  });

  it('leaves no dangling "at line …, column …:" after a syntax error', () => {
    const { issues } = issuesOf('a:\n  b: [1\n  c: 2\nd: x\n');
    expect(issues[0]?.path).toBe('line 3');
    expect(issues[0]?.message).not.toMatch(/at line|:$/);
  });

  it('words zod enum and type messages like the rest', () => {
    const raw = parseYaml(MINIMAL, 'x.yaml') as Record<string, any>;
    raw.hosts[0].arch = 'x86';
    raw.hosts[0].provider = { kind: 'aws' };
    raw.project.production = 'yes';
    raw.project.displayName = '';
    const result = validateProfile(raw);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const at = (p: string) => result.issues.find((i) => i.path === p)?.message;
    expect(at('hosts[0].arch')).toBe('must be one of amd64, arm64');
    expect(at('hosts[0].provider.kind')).toBe('must be one of existing, hetzner');
    expect(at('project.production')).toBe('must be true or false, not text');
    expect(at('project.displayName')).toBe('must not be empty');
    expect(JSON.stringify(result.issues)).not.toMatch(/Invalid (option|input)|Too (small|big)/);
  });
});

describe('reading a profile file: only a regular file of a sane size', () => {
  const project = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hlw-load-'));
    mkdirSync(path.join(dir, 'profiles'));
    return dir;
  };
  const refusal = async (dir: string): Promise<WizardError> => {
    const error = await readProfile(dir, 'x').then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(WizardError);
    return error as WizardError;
  };

  it('refuses a FIFO at once instead of waiting for a writer', async () => {
    const dir = project();
    execFileSync('mkfifo', [path.join(dir, 'profiles/x.yaml')]);
    const error = await refusal(dir);
    expect(error.message).toMatch(/x\.yaml is a named pipe \(FIFO\), not a regular file/);
  });

  it('refuses a link to /dev/zero without reading it, and does not blame permissions', async () => {
    const dir = project();
    symlinkSync('/dev/zero', path.join(dir, 'profiles/x.yaml'));
    const error = await refusal(dir);
    expect(error.message).toMatch(/is a character device/);
    expect(error.hint).not.toMatch(/permission/);
  });

  it('refuses a file over 1 MiB, naming its size', async () => {
    const dir = project();
    writeFileSync(path.join(dir, 'profiles/x.yaml'), `${MINIMAL}x-pad: "${'a'.repeat(2 * 1024 * 1024)}"\n`);
    const error = await refusal(dir);
    expect(error.message).toMatch(/\d+ KiB, more than the 1024 KiB a profile may have/);
  });

  it('still reads a normal profile, also through a symbolic link', async () => {
    const dir = project();
    writeFileSync(path.join(dir, 'real.yaml'), MINIMAL);
    symlinkSync(path.join(dir, 'real.yaml'), path.join(dir, 'profiles/x.yaml'));
    expect((await readProfile(dir, 'x')).text).toBe(MINIMAL);
  });
});

describe('values that have the right shape but are not real', () => {
  it('refuses a time zone that is not in the tz database, and accepts real ones', () => {
    const raw = parseYaml(MINIMAL, 'x.yaml') as Record<string, any>;
    raw.locale = { timezone: 'Mars/Olympus' };
    const result = validateProfile(raw);
    expect(result.ok ? [] : result.issues).toContainEqual({ path: 'locale.timezone', message: expect.stringMatching(/not a time zone of the tz database/) });
    for (const timezone of ['UTC', 'Europe/Paris', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5']) {
      raw.locale = { timezone };
      expect(validateProfile(raw).ok, timezone).toBe(true);
    }
  });

  it('refuses a NUL byte (or another control character) in any string, naming where', () => {
    const raw = parseYaml(MINIMAL, 'x.yaml') as Record<string, any>;
    raw.project.displayName = 'Mini\u0000mal';
    raw['x-note'] = 'bell\u0007';
    const result = validateProfile(raw);
    expect(result.ok ? [] : result.issues.map((i) => i.path).sort()).toEqual(['project.displayName', 'x-note']);
    expect(result.ok ? '' : result.issues[0]?.message).toMatch(/control character \(such as a NUL byte\)/);
    raw.project.displayName = 'Tabs\tand\nnewlines are text';
    delete raw['x-note'];
    expect(validateProfile(raw).ok).toBe(true);
  });
});

describe('an encrypted profile with an alias bomb', () => {
  it('gets the same error, naming the .yaml.age file', async () => {
    const { tempProject, removeTempProjects } = await import('../helpers/vault.js');
    const { writeProfileFile, profileDecryptor } = await import('../../src/vault/profile-file.js');
    const p = await tempProject('x');
    const text = `${MINIMAL}x-a: &a "v"\n${Array.from({ length: 120 }, (_, i) => `x-r${i}: *a`).join('\n')}\n`;
    await writeProfileFile(p.dir, 'x', text, { encrypted: true, recipients: [p.publicKey] });
    const error = await readProfile(p.dir, 'x', profileDecryptor(p.identity)).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ProfileError);
    expect((error as ProfileError).message).toMatch(/x\.yaml\.age: 1 problem found/);
    expect((error as ProfileError).issues[0]?.message).toMatch(/at most 100 uses/);
    removeTempProjects();
  });
});
