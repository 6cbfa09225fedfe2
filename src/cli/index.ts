// `aptp`: the command line over the engine. Parses argv, dispatches to one command, and turns every
// failure into one line on stderr with a non-zero exit (2 for bad usage, 1 for a failed command).
import { parseArgs } from 'node:util';
import { ENGINE_VERSION } from '../engine/core/version';
import { isEngineError } from '../engine/core/errors';
import { UsageError, type CliCommand } from './command';
import { commands } from './commands';
import { commandHelp, mainHelp } from './help';
import { printable } from './format';

function findCommand(name: string): CliCommand {
  const command = commands.find((c) => c.name === name);
  if (!command) throw new UsageError(`unknown command '${name}'; run \`aptp --help\` to list commands`);
  return command;
}

function parse(command: CliCommand, argv: string[]) {
  try {
    const parsed = parseArgs({ args: argv, options: command.options, allowPositionals: true, strict: true });
    if (parsed.positionals.length > command.maxPositionals) {
      throw new UsageError(`unexpected argument '${parsed.positionals[command.maxPositionals]}'; usage: ${command.usage}`);
    }
    return parsed;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${(error as Error).message.split(/\.\s/)[0]}; usage: ${command.usage}`);
  }
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
  const command = findCommand(first);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${commandHelp(command)}\n`);
    return 0;
  }
  return command.run(parse(command, rest));
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
