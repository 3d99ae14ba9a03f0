import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../src/lib/secret.js';
import { quote, quoteToken } from '../../src/shell/quote.js';
import { shScript } from '../../src/shell/script.js';

const NASTY = ['plain', '', 'two words', "it's", '$HOME', '`id`', '$(id)', 'a\nb', '*', '--', '-n', 'semi;colon', 'back\\slash', '"double"', "'", "''", 'tab\there', '~root', 'ünïcödé'];

describe('quote()', () => {
  it('leaves safe tokens bare and single-quotes the rest', () => {
    expect(quote(['install', '-d', '-m', '0750', '--', '/opt/homelab/x'])).toBe('install -d -m 0750 -- /opt/homelab/x');
    expect(quoteToken('')).toBe("''");
    expect(quoteToken("it's")).toBe("'it'\\''s'");
    expect(quoteToken('$HOME')).toBe("'$HOME'");
    expect(quoteToken('a b')).toBe("'a b'");
  });

  it('hands every token to the program exactly as given (checked with a real sh)', () => {
    const line = quote(['printf', '%s\\0', ...NASTY]);
    const out = execFileSync('sh', ['-c', line], { encoding: 'utf8' });
    expect(out.split('\0').slice(0, -1)).toEqual(NASTY);
  });

  it('refuses a token that is not a string, such as a Secret smuggled in by a cast', () => {
    expect(() => quote(['echo', Secret.of('hunter22') as unknown as string])).toThrow(/argv tokens must be strings, got object/);
    expect(() => quote([])).toThrow(/at least one token/);
  });
});

describe('script helpers', () => {
  it('passes values to a fixed script as positional parameters', () => {
    const argv = shScript('printf "%s|%s" "$1" "$2"', 'hlw', ["a'b", '$x y']);
    expect(execFileSync(argv[0] as string, argv.slice(1), { encoding: 'utf8' })).toBe("a'b|$x y");
  });
});
