// The shape of one `aptp` command: its name, one-line summary, usage, typed options (node:util
// parseArgs), and run(); or a group of subcommands (`aptp data import|list|...`), each a command of
// its own with its own options and --help. Adding a command is one file plus one line in
// commands/index.ts.
import type { ParseArgsConfig } from 'node:util';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;
  readonly positionals: readonly string[];
}

export interface CliCommand {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly options: OptionSpec;
  /** Descriptions of each option for --help, keyed like `options`. */
  readonly optionHelp: Readonly<Record<string, string>>;
  readonly maxPositionals: number;
  /**
   * Runs large onnxruntime graphs in this process: started without the engine's allocator settings
   * (engine/runs/allocator-env.ts), entry.ts restarts it once with them, as run workers start.
   */
  readonly allocatorEnv?: boolean;
  run(args: ParsedArgs): Promise<number>;
}

/** A command made of subcommands: the first argument names one (`name` is its last word). */
export interface CliGroup {
  readonly name: string;
  readonly summary: string;
  readonly subcommands: readonly CliCommand[];
}

export type CliEntry = CliCommand | CliGroup;

export const isGroup = (entry: CliEntry): entry is CliGroup => 'subcommands' in entry;

/** A bad invocation: printed as one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
