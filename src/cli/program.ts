import { Command, CommanderError, Option } from 'commander';
import { WizardError } from '../errors.js';
import { resolveGlobalOptions, type GlobalOptions, type RawGlobalOptions } from './global-options.js';
import type { Io } from './io.js';

/** A command's work, loaded lazily so `--help` and `profile check` stay fast. */
export type CommandRunner = (global: GlobalOptions, io: Io, args: readonly unknown[], options: Record<string, unknown>) => Promise<number>;

export const DESCRIPTION = 'From nothing to a hardened, running, verified self-hosted stack.';

export function buildProgram(io: Io, version: string, setExitCode: (code: number) => void): Command {
  const program = new Command('homelab-wizard');

  // Commander must neither exit nor print on its own: main.ts owns both.
  const configure = (cmd: Command): Command =>
    cmd
      .exitOverride()
      .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: () => undefined })
      .configureHelp({ helpWidth: 100 })
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

  const profile = configure(program.command('profile').description('validate and inspect the profile'));
  configure(profile.command('check').description('validate the profile: exit 0 when valid, 1 with every problem'))
    .action(run(async () => (await import('../flows/profile-check.js')).profileCheck));
  configure(profile.command('show').description('print the effective profile, defaults filled in'))
    .action(run(async () => (await import('../flows/profile-show.js')).profileShow));
  configure(profile.command('schema').description('print the JSON Schema of profiles (for editor completion)'))
    .action(run(async () => (await import('../flows/profile-schema.js')).profileSchemaCommand));

  const catalog = configure(program.command('catalog').description('the service catalogue'));
  configure(catalog.command('list').description('every service with its pinned version, roles and dependencies'))
    .action(run(async () => (await import('../flows/catalog-list.js')).catalogList));

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
    .action(run(async () => (await import('../flows/sandbox-up.js')).sandboxUp));
  configure(sandbox.command('list').description('the sandbox servers, their addresses and SSH ports'))
    .action(run(async () => (await import('../flows/sandbox-list.js')).sandboxList));
  configure(sandbox.command('down').description('remove the sandbox servers, their network and the generated profile (all, or those of --profile X)'))
    .action(run(async () => (await import('../flows/sandbox-down.js')).sandboxDown));

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
