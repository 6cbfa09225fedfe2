// --help text for the whole CLI, for a group of subcommands, and for one command.
import type { CliCommand, CliEntry, CliGroup } from './command';

export function groupHelp(group: CliGroup): string {
  const width = Math.max(...group.subcommands.map((c) => c.name.length));
  return [
    `${group.summary}.`,
    '',
    `Usage: aptp ${group.name} <subcommand> [options]`,
    '',
    'Subcommands:',
    ...group.subcommands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    `Run \`aptp ${group.name} <subcommand> --help\` for a subcommand's options.`,
  ].join('\n');
}

export function mainHelp(commands: readonly CliEntry[], version: string): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `aptp ${version}: Adaptive Prompt-Tailored Pruning of text-to-image diffusion models`,
    '',
    'Usage: aptp <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `aptp <command> --help` for a command\'s options. `aptp --version` prints the version.',
  ].join('\n');
}

export function commandHelp(command: CliCommand): string {
  const names = Object.keys(command.options);
  const label = (n: string): string => `--${n}${command.options[n]?.type === 'string' ? ' VALUE' : ''}`;
  const width = Math.max(0, ...names.map((n) => label(n).length));
  return [
    `${command.summary}.`,
    '',
    `Usage: ${command.usage}`,
    ...(names.length ? ['', 'Options:', ...names.map((n) => `  ${label(n).padEnd(width)}  ${command.optionHelp[n] ?? ''}`)] : []),
  ].join('\n');
}
