import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/program.js';
import { run } from '../../src/main.js';
import { captureIo } from '../helpers/io.js';
import { REPO } from '../helpers/profiles.js';

const START = '<!-- command-reference:start -->';
const END = '<!-- command-reference:end -->';

/** What `homelab-wizard [...] --help` prints for every command, as a user sees it. */
async function helpReference(): Promise<string> {
  const paths: string[][] = [];
  const visit = (cmd: Command, at: string[]): void => {
    paths.push(at);
    for (const sub of cmd.commands) visit(sub, [...at, sub.name()]);
  };
  visit(buildProgram(captureIo(), '0', () => {}), []);
  const sections: string[] = [];
  for (const at of paths) {
    const io = captureIo();
    expect(await run([...at, '--help'], io)).toBe(0);
    sections.push(`$ ${['homelab-wizard', ...at, '--help'].join(' ')}\n${io.out().trimEnd()}`);
  }
  return sections.join('\n\n');
}

describe('README', () => {
  it('carries the command reference exactly as the CLI prints its --help (UPDATE_README=1 rewrites it)', async () => {
    const expected = `${START}\n\`\`\`text\n${await helpReference()}\n\`\`\`\n${END}`;
    const file = path.join(REPO, 'README.md');
    const readme = readFileSync(file, 'utf8');
    const actual = readme.slice(readme.indexOf(START), readme.indexOf(END) + END.length);
    if (process.env['UPDATE_README'] === '1' && actual !== expected) writeFileSync(file, readme.replace(actual, expected));
    else expect(actual).toBe(expected);
  });

  it('has exactly two set-up commands in its quick start: the main job and the whole test suite', () => {
    const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
    const quick = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('\n## ', readme.indexOf('## Quick start') + 5));
    const commands = [...quick.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => (m[1] ?? '').split('\n').filter((l) => l.trim() && !l.startsWith('#')));
    expect(commands).toHaveLength(2);
    expect(commands[0]).toMatch(/ init/);
    expect(commands[1]).toMatch(/npm test/);
  });

  it('is what .ci/run runs', () => {
    const ci = readFileSync(path.join(REPO, '.ci/run'), 'utf8');
    expect(ci).toMatch(/npm test/);
  });
});
