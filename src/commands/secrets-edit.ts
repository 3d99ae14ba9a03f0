import { readFile, writeFile } from 'node:fs/promises';
import type { CommandRunner } from '../contracts/command-runner.js';
import { UserAbortError, WizardError, type Issue } from '../errors.js';
import type { Secret } from '../lib/secret.js';
import { createEditBuffer, removeLeftoverBuffers } from '../vault/edit-buffer.js';
import { editorCommand, runEditor } from '../vault/editor.js';
import { knownSecret } from '../vault/generate.js';
import { isReservedKey } from '../vault/keys.js';
import { isImmutable, servicesToRedeploy } from '../vault/rotation.js';
import { shownPath } from '../vault/shown-path.js';
import { recordRedeploy, updateVault } from '../vault/vault.js';
import { changedKeys, serialiseVault, vaultProblems } from '../vault/vault-yaml.js';
import { enabledServicesOf, plural, vaultAccess } from '../session/vault-access.js';

/**
 * `secrets edit`: the vault's keys and values in the operator's editor, on a buffer in RAM.
 * The vault's lock is held for the whole session, so a concurrent `secrets set` waits instead of
 * being overwritten. A buffer with mistakes is reopened with the problems on top (in a terminal)
 * or refused with exit 1 (non-interactive); the vault changes only when the buffer is valid and
 * different. The tool's own records (homelab-wizard.*) are kept out of the buffer and preserved.
 */
const ERROR_MARK = '# homelab-wizard found problems in the last save';
const ERROR_END = '# ----';

function bufferHeader(file: string, ramBacked: boolean): string[] {
  return [
    `Secrets of ${file}. One \`key: "value"\` a line; keys are dotted (service.name).`,
    'Save and quit to store the changes; quit without saving to change nothing.',
    'Delete a line to remove that secret. Comments are not kept.',
    ramBacked ? 'This buffer lives in RAM (/dev/shm) and is deleted when you are done.' : 'This buffer is on disk in the temp folder (no RAM-backed folder here) and is deleted when you are done.',
  ];
}

/** The text without a problems block left on top by an earlier round. */
function withoutErrorBlock(text: string): { text: string; removedLines: number } {
  if (!text.startsWith(ERROR_MARK)) return { text, removedLines: 0 };
  const lines = text.split('\n');
  const end = lines.findIndex((l) => l === ERROR_END);
  if (end < 0) return { text, removedLines: 0 };
  return { text: lines.slice(end + 1).join('\n'), removedLines: end + 1 };
}

function shiftLines(issues: readonly Issue[], by: number): Issue[] {
  return issues.map((i) => ({ ...i, path: i.path.replace(/^line (\d+)/, (_m, n: string) => `line ${Number(n) + by}`) }));
}

function errorBlock(issues: readonly Issue[]): string {
  return [ERROR_MARK, '# (fix them, then save and quit again; this block is ignored):', ...issues.map((i) => `#   ${i.path}: ${i.message}`), ERROR_END, ''].join('\n');
}

/** Problems beyond YAML: immutable values changed or removed, values that do not have their shape. */
function policyProblems(before: ReadonlyMap<string, Secret>, after: ReadonlyMap<string, Secret>, options: Record<string, unknown>): Issue[] {
  const issues: Issue[] = [];
  for (const key of changedKeys(before, after)) {
    if (before.has(key) && isImmutable(key) && options['replaceImmutable'] !== true) {
      issues.push({ path: key, message: `${after.has(key) ? 'changed' : 'removed'}, but it must never change once deployed (${knownSecret(key)?.spec.description}); put the old value back, or run with --replace-immutable if this vault was never deployed` });
    }
    const shape = knownSecret(key)?.spec.shape;
    const value = after.get(key);
    if (shape !== undefined && value !== undefined && options['skipShapeCheck'] !== true && !new RegExp(shape.pattern).test(value.reveal())) {
      issues.push({ path: key, message: `does not look like ${knownSecret(key)?.spec.description} (${shape.example}); fix it, or run with --skip-shape-check` });
    }
  }
  return issues;
}

export const secretsEdit: CommandRunner = async (global, io, _args, options) => {
  const access = await vaultAccess(global, io, { writes: 'secrets edit' });
  await removeLeftoverBuffers();
  const enabled = await enabledServicesOf(global, io, access);
  const editor = editorCommand(io.env);
  const file = shownPath(`${access.dir}/vault/${access.profileName}.age`);
  const outcome = await updateVault(
    access.dir,
    access.profileName,
    async (entries) => {
      const before = new Map([...entries].filter(([k]) => !isReservedKey(k)));
      const buffer = await createEditBuffer('');
      let after: Map<string, Secret>;
      try {
        await writeFile(buffer.file, serialiseVault(before, bufferHeader(file, buffer.ramBacked)));
        if (!buffer.ramBacked) io.stderr(`note: no RAM-backed folder on this machine; the buffer is ${buffer.file} until the editor closes\n`);
        for (;;) {
          const exit = await runEditor(editor, buffer.file, io.env).catch((error: Error) => {
            throw new WizardError('editor-failed', `cannot start the editor (${editor}): ${error.message}; nothing was changed`, 'set VISUAL or EDITOR to an editor that is installed');
          });
          if (exit.signal !== null) throw new UserAbortError(`the editor was stopped by ${exit.signal}; nothing was changed`);
          if (exit.code === 127) throw new WizardError('editor-failed', `cannot find the editor '${editor}'; nothing was changed`, 'set VISUAL or EDITOR to an installed editor, e.g. EDITOR=nano');
          if (exit.code !== 0) throw new WizardError('editor-failed', `the editor (${editor}) exited with status ${exit.code}; nothing was changed`, 'check VISUAL/EDITOR, or quit the editor normally to keep your changes');
          const edited = await readFile(buffer.file, 'utf8').catch(() => {
            throw new WizardError('editor-failed', 'the edit buffer is gone (the editor removed or renamed it); nothing was changed', 'run `homelab-wizard secrets edit` again');
          });
          const { entries: parsed, issues } = vaultProblems(edited);
          if (issues.length === 0) issues.push(...policyProblems(before, parsed, options));
          if (issues.length === 0) {
            after = parsed;
            break;
          }
          if (global.nonInteractive) {
            throw new WizardError('vault-invalid', `the edited secrets have ${plural(issues.length, 'problem')}; ${file} is unchanged`, 'fix them and run `homelab-wizard secrets edit` again (in a terminal the editor reopens on its own)', { issues });
          }
          const rest = withoutErrorBlock(edited);
          const block = errorBlock(shiftLines(issues, 0));
          const blockLines = block.split('\n').length - 1;
          await writeFile(buffer.file, errorBlock(shiftLines(issues, blockLines - rest.removedLines)) + rest.text);
          io.stderr(`${plural(issues.length, 'problem')} in the edited secrets; reopening the editor\n`);
        }
      } finally {
        buffer.remove();
      }
      const changed = changedKeys(before, after);
      for (const key of before.keys()) if (!after.has(key)) entries.delete(key);
      for (const [key, value] of after) entries.set(key, value);
      recordRedeploy(entries, servicesToRedeploy(changed, enabled));
      return changed;
    },
    { identity: access.identity, create: true, command: 'secrets edit' },
  );
  const changed = outcome.result;
  if (global.json) {
    io.stdout(`${JSON.stringify({ vault: file, changed })}\n`);
    return 0;
  }
  if (!outcome.changed) io.stdout(`no changes; ${file} was not rewritten\n`);
  else io.stdout(`stored ${plural(changed.length, 'change')} in ${file}: ${changed.join(', ')}\n`);
  return 0;
};
