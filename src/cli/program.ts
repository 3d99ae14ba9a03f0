import { Command, CommanderError, Option } from 'commander';
import { WizardError } from '../errors.js';
import type { CommandRunner } from '../contracts/command-runner.js';
import type { Io } from '../contracts/io.js';
import { resolveGlobalOptions, type RawGlobalOptions } from './global-options.js';

export const DESCRIPTION = 'From nothing to a hardened, running, verified self-hosted stack.';

export function buildProgram(io: Io, version: string, setExitCode: (code: number) => void): Command {
  const program = new Command('homelab-wizard');

  // Commander must neither exit nor print on its own: main.ts owns both.
  const configure = (cmd: Command): Command =>
    cmd
      .exitOverride()
      .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: () => undefined })
      // Every command has options (the global ones at least): `[options]` in each line of the list only widens it.
      .configureHelp({ helpWidth: 100, subcommandTerm: (sub) => [sub.name(), ...sub.registeredArguments.map((a) => (a.required ? `<${a.name()}${a.variadic ? '...' : ''}>` : `[${a.name()}${a.variadic ? '...' : ''}]`))].join(' ') })
      .helpCommand(false);

  const run =
    (load: () => Promise<CommandRunner>) =>
    async (...args: unknown[]): Promise<void> => {
      const cmd = args.at(-1) as Command;
      const global = resolveGlobalOptions(cmd.optsWithGlobals<RawGlobalOptions>(), io);
      const runner = await load();
      setExitCode(await runner(global, io, args.slice(0, -2), cmd.opts()));
    };

  configure(program)
    .description(DESCRIPTION)
    .version(version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .addOption(new Option('--profile <name>', 'profile to use (default: the only one in profiles/)'))
    .addOption(new Option('--dir <path>', 'project folder holding profiles/ and vault/').default('.', 'current folder'))
    .addOption(new Option('--json', 'machine-readable output on stdout'))
    .addOption(new Option('--verbose', 'more detail, and the cause chain of errors'))
    .addOption(new Option('--yes', 'accept defaults and confirmations that are not destructive'))
    .addOption(new Option('--non-interactive', 'never prompt (implied without a terminal and in CI)'))
    .addHelpText('after', '\nThe options above work with every command. Exit codes: 0 done, 1 error, 2 changes or drift found, 130 aborted.')
    .showHelpAfterError(false);

  configure(program.command('init').description('guided setup: the wizard (or an answers file) writes the profile and the vault'))
    .addOption(new Option('--answers <file>', 'build the profile from a YAML answers file, without prompts (see profiles/answers.example.yaml)'))
    .addOption(new Option('--plain-profile', 'write profiles/<name>.yaml in clear instead of the encrypted profiles/<name>.yaml.age'))
    .addOption(new Option('--create-ssh-key', 'with --answers: create an ed25519 key where a listed public key file does not exist yet (no passphrase; operator.createSshKey can name one)'))
    .action(run(async () => (await import('./init-command.js')).init));

  const profile = configure(program.command('profile').description('validate and inspect the profile'));
  configure(profile.command('check').description('validate the profile: exit 0 when valid, 1 with every problem'))
    .action(run(async () => (await import('../commands/profile-check.js')).profileCheck));
  configure(profile.command('show').description('print the effective profile, defaults filled in'))
    .action(run(async () => (await import('../commands/profile-show.js')).profileShow));
  configure(profile.command('schema').description('print the JSON Schema of profiles (for editor completion)'))
    .action(run(async () => (await import('../commands/profile-schema.js')).profileSchemaCommand));

  const hostOption = (): Option => new Option('--host <names>', 'only these hosts (comma-separated names)');
  const onlyOption = (): Option => new Option('--only <phases>', 'only these phases (comma-separated): provision,dns,harden,vpn,deploy,smoke');
  const hostKeysOption = (): Option => new Option('--accept-new-host-keys', 'trust host keys seen for the first time without asking (a changed key still stops)');
  const concurrencyOption = (): Option => new Option('--concurrency <n>', 'hosts worked on at the same time').default(5);

  configure(program.command('plan').description('read-only: what apply would change, per host and step, with file diffs; exit 0 none, 2 changes'))
    .addOption(hostOption())
    .addOption(onlyOption())
    .addOption(new Option('--out <file>', 'also save the plan, for `apply --plan FILE`'))
    .addOption(hostKeysOption())
    .addOption(concurrencyOption())
    .action(run(async () => (await import('../commands/plan.js')).planCommand));

  configure(program.command('apply').description('run the phases (provision,dns,harden,vpn,deploy,smoke) on the hosts, with live progress'))
    .addOption(hostOption())
    .addOption(onlyOption())
    .addOption(new Option('--plan <file>', 'apply exactly a plan saved by `plan --out`; refused if the hosts changed since'))
    .addOption(hostKeysOption())
    .addOption(new Option('--break-lock', "take a host's lock even though another run holds it (check that run is gone first)"))
    .addOption(new Option('--allow-destroy', 'allow steps that destroy data, without the typed confirmation'))
    .addOption(new Option('--fail-fast', 'stop every host when one fails (default: the others finish)'))
    .addOption(concurrencyOption())
    .action(run(async () => (await import('../commands/apply.js')).applyCommand));

  const confirmOption = (): Option => new Option('--confirm <profile>', 'the profile name, to confirm a change on a production profile without a terminal');
  configure(program.command('redeploy').description('one service to what the profile pins now: diff, confirm, deploy it alone, health gate, automatic rollback').argument('[service]', 'catalogue id, e.g. n8n (a picker when absent, in a terminal)'))
    .addOption(new Option('--host <name>', 'the host (needed when several run the service)'))
    .addOption(confirmOption())
    .addOption(new Option('--dry-run', 'only show what it would do (read-only, no lock); exit 0 nothing to do, 2 changes'))
    .addOption(hostKeysOption())
    .action(run(async () => (await import('./day2-commands.js')).redeploy));

  configure(program.command('rollback').description('back to the previous (or named) release, for the whole stack or one service; health-gated').argument('[service]', 'only this service (its files and image)'))
    .addOption(new Option('--to <release>', 'the release id to go back to (default: the one active before the current one)'))
    .addOption(new Option('--list', 'only list the releases on the host: time, who, versions'))
    .addOption(new Option('--host <name>', 'the host (needed when several run containers)'))
    .addOption(confirmOption())
    .addOption(new Option('--dry-run', 'only show what it would do (read-only, no lock); exit 0 nothing to do, 2 changes'))
    .addOption(hostKeysOption())
    .action(run(async () => (await import('./day2-commands.js')).rollback));

  configure(program.command('restart').description('restart one service as it is (no new release), health-gated; locked and audited like apply').argument('<service>', 'catalogue id, e.g. n8n'))
    .addOption(new Option('--host <name>', 'the host (needed when several run the service)'))
    .addOption(confirmOption())
    .addOption(hostKeysOption())
    .action(run(async () => (await import('../commands/restart.js')).restartCommand));

  configure(program.command('logs').description("a service's container logs, secrets redacted; read-only").argument('<service>', 'catalogue id, e.g. n8n'))
    .addOption(new Option('--host <name>', 'the host (needed when several run the service)'))
    .addOption(new Option('--since <time>', "only newer lines: a duration (10m, 2h) or a time, as `docker logs --since` reads it"))
    .addOption(new Option('--tail <n>', 'the last N lines').default('200'))
    .addOption(new Option('-f, --follow', 'keep printing new lines until Ctrl+C'))
    .addOption(hostKeysOption())
    .action(run(async () => (await import('../commands/logs.js')).logsCommand));

  configure(program.command('exec').description("run a command in a service's container (a terminal when you have one); audited").argument('<service>', 'catalogue id, e.g. postgresql').argument('<cmd...>', 'the command and its arguments, after --'))
    .addOption(new Option('--host <name>', 'the host (needed when several run the service)'))
    .addOption(hostKeysOption())
    .action(run(async () => (await import('./day2-commands.js')).exec));

  configure(program.command('status').description('per host: reachable, lock, last run, drift; exit 0 in sync, 2 drift'))
    .addOption(hostOption())
    .addOption(onlyOption())
    .addOption(hostKeysOption())
    .addOption(concurrencyOption())
    .action(run(async () => (await import('../commands/status.js')).statusCommand));

  configure(program.command('smoke').description('the smoke checks alone: PASS/FAIL/WARN/SKIP per check and host; exit 0 passed, 1 failed'))
    .addOption(hostOption())
    .addOption(new Option('--strict', 'warnings (a certificate near its end, a health check still starting) fail too'))
    .addOption(hostKeysOption())
    .action(run(async () => (await import('../commands/smoke.js')).smokeCommand));

  const catalog = configure(program.command('catalog').description('the service catalogue'));
  configure(catalog.command('list').description('every service with its pinned version, roles and dependencies'))
    .action(run(async () => (await import('../commands/catalog-list.js')).catalogList));

  const secrets = configure(program.command('secrets').description('the age-encrypted vault of the profile: vault/<profile>.age'));
  configure(secrets.command('show').description('list the keys with a short fingerprint of each value, and what needs a redeploy'))
    .addOption(new Option('--reveal', 'print the values too (on your terminal; never with --json)'))
    .action(run(async () => (await import('../commands/secrets-show.js')).secretsShow));
  configure(secrets.command('get').description('print one value (for a pipe: no newline added)').argument('<key>', 'dotted key, e.g. n8n.ownerPassword'))
    .action(run(async () => (await import('../commands/secrets-get.js')).secretsGet));
  configure(secrets.command('set').description('store a value read from stdin or a hidden prompt (never from the command line)').argument('<key>', 'dotted key, e.g. api.token'))
    .addOption(new Option('--generate', 'generate the value from the catalogue\'s policy (only for a key without a value)'))
    .addOption(new Option('--replace-immutable', 'allow replacing an immutable value (only for a vault that was never deployed)'))
    .addOption(new Option('--skip-shape-check', 'store a value even if it does not look like that kind of key'))
    .action(run(async () => (await import('../commands/secrets-set.js')).secretsSet));
  configure(secrets.command('edit').description('edit keys and values in $VISUAL/$EDITOR, on a buffer in RAM'))
    .addOption(new Option('--replace-immutable', 'allow changing or removing immutable values (only for a vault that was never deployed)'))
    .addOption(new Option('--skip-shape-check', 'accept values that do not look like their kind of key'))
    .action(run(async () => (await import('../commands/secrets-edit.js')).secretsEdit));
  configure(secrets.command('rotate').description('new values for generated secrets (all, or KEY); records the services to redeploy').argument('[key]', 'one dotted key; all rotatable ones when absent'))
    .action(run(async () => (await import('../commands/secrets-rotate.js')).secretsRotate));
  const recipients = configure(secrets.command('recipients').description('who can decrypt the vault: vault/<profile>.recipients'));
  configure(recipients.command('list').description('the public keys the vault is encrypted to'))
    .action(run(async () => (await import('../commands/secrets-recipients.js')).secretsRecipientsList));
  configure(recipients.command('add').description('add a public key and re-encrypt the vault (and an encrypted profile)').argument('<age-key>', 'age1… public key'))
    .addOption(new Option('--comment <text>', 'a note kept next to the key, e.g. whose it is'))
    .action(run(async () => (await import('../commands/secrets-recipients.js')).secretsRecipientsAdd));
  configure(recipients.command('remove').description('remove a public key and re-encrypt the vault (and an encrypted profile)').argument('<age-key>', 'age1… public key'))
    .action(run(async () => (await import('../commands/secrets-recipients.js')).secretsRecipientsRemove));
  configure(secrets.command('textconv').description('print the decrypted text of an .age file (for git diff)').argument('<file>', 'a vault or an encrypted profile'))
    .action(run(async () => (await import('../commands/secrets-textconv.js')).secretsTextconv));

  const keys = configure(program.command('keys').description('the operator\'s age identity'));
  configure(keys.command('init').description('create your age identity (0600) and print its public key; never overwrites'))
    .addOption(new Option('--passphrase', 'protect the identity file with a passphrase (asked twice, or HOMELAB_WIZARD_PASSPHRASE)'))
    .action(run(async () => (await import('../commands/keys-init.js')).keysInit));
  const sandbox = configure(
    program.command('sandbox').description('local sandbox servers on your Docker: try the whole flow, or rehearse a change on a replica of a profile'),
  );
  configure(
    sandbox
      .command('up')
      .description('start sandbox servers: N plain ones, or with --profile X one per host of X and a copy profiles/X-sandbox.yaml pointing at them'),
  )
    .addOption(new Option('--hosts <n>', 'how many servers without --profile, 1 to 8 (default: 1)'))
    .addOption(new Option('--subnet <cidr>', 'address range of the sandbox network (default: 172.31.213.0/24)'))
    .addOption(new Option('--ssh-key <file>', "public key allowed to log in as root (default: the profile's operator keys, else ~/.ssh/id_ed25519.pub)"))
    .addOption(new Option('--acme <file>', "with --profile: keep the profile's TLS mode and use the ACME server in FILE (directory, roots, resolvers, ovhEndpoint) instead of Caddy's internal CA"))
    .action(run(async () => (await import('../commands/sandbox-up.js')).sandboxUp));
  configure(sandbox.command('list').description('the sandbox servers, their addresses and SSH ports'))
    .action(run(async () => (await import('../commands/sandbox-list.js')).sandboxList));
  configure(sandbox.command('down').description('remove the sandbox servers, their network and the generated profile (all, or those of --profile X)'))
    .action(run(async () => (await import('../commands/sandbox-down.js')).sandboxDown));

  return program;
}

/** Commander's own exits (help, version, usage errors) mapped onto our exit codes and messages. */
export function commanderExit(error: CommanderError, io: Io): number {
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
  if (error.code === 'commander.executeSubCommandAsync') return 0;
  const what = error.message.replace(/^error: /, '');
  io.stderr(`error: ${what}\n  hint: run \`homelab-wizard --help\` for the commands and flags\n`);
  return 1;
}

export function usageError(message: string, hint: string): WizardError {
  return new WizardError('usage', message, hint);
}
