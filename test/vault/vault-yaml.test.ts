import { describe, expect, it } from 'vitest';
import { WizardError } from '../../src/errors.js';
import { Secret } from '../../src/lib/secret.js';
import { changedKeys, parseVaultText, sameEntries, serialiseVault, vaultProblems } from '../../src/vault/vault-yaml.js';

const map = (o: Record<string, string>) => new Map(Object.entries(o).map(([k, v]) => [k, Secret.of(v)] as const));
const plain = (m: Map<string, Secret>) => Object.fromEntries([...m].map(([k, v]) => [k, v.reveal()]));

describe('vault YAML', () => {
  it('round-trips awkward values exactly: YAML look-alikes, quotes, multi-line, unicode, control characters', () => {
    const values = {
      'a.hex': '0x1F', 'a.bool': 'yes', 'a.octal': '0123', 'a.null': '~', 'a.colon': 'p@ss: "w0rd" # not-a-comment $HOME',
      'b.pem': '-----BEGIN KEY-----\nabc\n-----END KEY-----\n', 'b.two': 'line1\nline2', 'b.blank': 'x\n\n', 'b.trailing': 'ends with space \nnext',
      'c.lead': '  leading', 'c.unicode': 'é ✓ 日本', 'c.ctrl': '\u0001\u0007', 'c.crlf': 'a\r\nb', 'c.tab': 'a\tb', 'c.dash': '- not a list', 'c.brace': '{not: a map}',
    };
    const text = serialiseVault(map(values), ['header comment']);
    expect(plain(parseVaultText(text, 'test'))).toEqual(values);
    expect(text.startsWith('# header comment\n')).toBe(true);
  });

  it('writes keys sorted with the tool records last, values double-quoted', () => {
    const text = serialiseVault(map({ 'homelab-wizard.redeploy': 'n8n', 'z.z': '1', 'a.a': 'true' }));
    expect(text).toBe('a.a: "true"\nz.z: "1"\nhomelab-wizard.redeploy: "n8n"\n');
  });

  it('reads an empty or comment-only vault as no secrets', () => {
    expect(parseVaultText('', 'x').size).toBe(0);
    expect(parseVaultText('# only a comment\n', 'x').size).toBe(0);
    expect(parseVaultText('{}\n', 'x').size).toBe(0);
  });

  it('reports every problem with its line and key, and never the value', () => {
    const text = ['ok.key: "fine"', 'bad: "s3cr3t-one"', 'dup.key: a', 'dup.key: b'].join('\n');
    const syntax = vaultProblems(text).issues;
    expect(syntax.length).toBeGreaterThan(0);
    expect(syntax[0]?.path).toMatch(/^line 4/);
    const { issues } = vaultProblems(['ok.key: "fine"', 'bad: "s3cr3t-one"', 'n8n:', '  nested: "s3cr3t-two"', 'e.empty: ""', 'l.list: [a, b]', 'homelab-wizard.redeploy: n8n'].join('\n'));
    expect(issues.map((i) => i.path)).toEqual(['line 2', 'line 3 (n8n)', 'line 5 (e.empty)', 'line 6 (l.list)', 'line 7 (homelab-wizard.redeploy)']);
    const all = JSON.stringify(issues);
    expect(all).not.toContain('s3cr3t');
    // A value typed where the key goes is not echoed either.
    expect(vaultProblems('sk-ant-pasted-by-mistake: x\n').issues).toEqual([{ path: 'line 1', message: expect.stringMatching(/^key must be dotted/) }]);
  });

  it('keeps the YAML parser from quoting the source in its messages', () => {
    const { issues } = vaultProblems('api.token: s3cr3t: nested\n');
    expect(issues).toHaveLength(1);
    expect(issues[0]?.message).not.toContain('s3cr3t');
  });

  it('throws one WizardError listing the issues', () => {
    try {
      parseVaultText('a: 1\nb: 2\n', 'vault/p.age');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(WizardError);
      expect((error as WizardError).issues).toHaveLength(2);
      expect((error as WizardError).message).toBe("vault/p.age: 2 problems in the vault's YAML");
    }
  });

  it('compares versions by key and value', () => {
    const a = map({ 'a.a': '1', 'b.b': '2' });
    expect(sameEntries(a, map({ 'b.b': '2', 'a.a': '1' }))).toBe(true);
    expect(sameEntries(a, map({ 'a.a': '1', 'b.b': '3' }))).toBe(false);
    expect(changedKeys(a, map({ 'a.a': '1', 'b.b': '3', 'c.c': '4' }))).toEqual(['b.b', 'c.c']);
    expect(changedKeys(a, map({ 'a.a': '1' }))).toEqual(['b.b']);
  });
});
