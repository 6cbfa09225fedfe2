// `aptp`: the command line over the engine. Parses argv, dispatches to one command (or a group's
// subcommand), suggests the nearest name for a typo, and turns every failure into one line on
// stderr with a non-zero exit (2 for bad usage, 1 for a failed command).
import { ENGINE_VERSION } from '../engine/core/version';
import { isEngineError } from '../engine/core/errors';
import { parseCommand } from './argv';
import { isGroup, UsageError, type CliEntry } from './command';
import { commands } from './commands';
import { commandHelp, groupHelp, mainHelp } from './help';
import { printable } from './format';
import { didYouMean } from './suggest';

const isHelp = (arg: string | undefined): boolean => arg === '--help' || arg === '-h';

function findEntry(entries: readonly CliEntry[], name: string, what: string, help: string): CliEntry {
  const entry = entries.find((c) => c.name.split(' ').at(-1) === name);
  if (entry) return entry;
  const names = entries.map((c) => c.name.split(' ').at(-1)!);
  throw new UsageError(`unknown ${what} '${printable(name)}'${didYouMean(name, names)}; run \`${help}\` to list them`);
}

async function dispatch(entry: CliEntry, argv: readonly string[]): Promise<number> {
  if (isGroup(entry)) {
    const [sub, ...rest] = argv;
    if (sub === undefined || isHelp(sub) || sub === 'help') {
      process.stdout.write(`${groupHelp(entry)}\n`);
      return sub === undefined ? 2 : 0;
    }
    return dispatch(findEntry(entry.subcommands, sub, `${entry.name} subcommand`, `aptp ${entry.name} --help`), rest);
  }
  if (argv.some(isHelp)) {
    process.stdout.write(`${commandHelp(entry)}\n`);
    return 0;
  }
  return entry.run(parseCommand(entry, argv));
}

export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(`${mainHelp(commands, ENGINE_VERSION)}\n`);
    return first === undefined ? 2 : 0;
  }
  if (first === '--version' || first === '-v') {
    process.stdout.write(`${ENGINE_VERSION}\n`);
    return 0;
  }
  return dispatch(findEntry(commands, first, 'command', 'aptp --help'), rest);
}

function report(error: unknown): number {
  if (error instanceof UsageError) {
    process.stderr.write(`aptp: ${printable(error.message)}\n`);
    return 2;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`aptp: ${printable(message.split('\n')[0]!)}\n`);
  if (process.env.APTP_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return isEngineError(error) && error.code === 'cancelled' ? 130 : 1;
}

export async function run(argv: string[]): Promise<void> {
  let code: number;
  try {
    code = await main(argv);
  } catch (error) {
    code = report(error);
  }
  process.exitCode = code;
}
