// Argument parsing for one command (node:util parseArgs, strict), made friendlier: a negative
// number after an option that takes a value is that value (`--seed -1`, which parseArgs alone
// refuses as ambiguous), and an unknown option names the nearest known one.
import { parseArgs } from 'node:util';
import { UsageError, type CliCommand, type ParsedArgs } from './command';
import { printable } from './format';
import { didYouMean } from './suggest';

const NEGATIVE_NUMBER = /^-(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** Joins `--name -1` into `--name=-1` for options that take a value, so parseArgs reads the number. */
export function joinNegativeValues(command: CliCommand, argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    const name = arg.startsWith('--') && !arg.includes('=') ? arg.slice(2) : undefined;
    if (name && command.options[name]?.type === 'string' && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

function unknownOption(command: CliCommand, message: string): UsageError | undefined {
  const match = /Unknown option '(-{1,2})([^']*)'/.exec(message);
  if (!match) return undefined;
  const hint = didYouMean(match[2]!, Object.keys(command.options), '--');
  return new UsageError(`unknown option '${printable(`${match[1]}${match[2]}`)}'${hint}; run \`aptp ${command.name} --help\` for the options`);
}

export function parseCommand(command: CliCommand, argv: readonly string[]): ParsedArgs {
  try {
    const parsed = parseArgs({ args: joinNegativeValues(command, argv), options: command.options, allowPositionals: true, strict: true });
    if (parsed.positionals.length > command.maxPositionals) {
      throw new UsageError(`unexpected argument '${printable(parsed.positionals[command.maxPositionals]!)}'; usage: ${command.usage}`);
    }
    return parsed;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const message = (error as Error).message;
    throw unknownOption(command, message) ?? new UsageError(`${message.split(/\.\s/)[0]}; usage: ${command.usage}`);
  }
}
