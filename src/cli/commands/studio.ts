// `aptp studio`: opens the desktop studio, or the web studio with --web (or when Electron is absent).
import { runStudioCommand } from '../studio';
import type { CliCommand } from '../command';
import { flag, intOption, stringOption } from '../options';

export const studioCommand: CliCommand = {
  name: 'studio',
  summary: 'Open the desktop studio (or the web studio on 127.0.0.1 with --web)',
  usage: 'aptp studio [--web] [--port N] [--workspace DIR] [--no-open]',
  options: { web: { type: 'boolean' }, port: { type: 'string' }, workspace: { type: 'string' }, 'no-open': { type: 'boolean' } },
  optionHelp: {
    web: 'serve the studio in a browser instead of the desktop window',
    port: 'port for the web studio (default: a free one)',
    workspace: 'workspace folder (default $APTP_WORKSPACE or ~/aptp-studio)',
    'no-open': 'do not open a browser for the web studio',
  },
  maxPositionals: 0,
  async run(args) {
    await runStudioCommand({
      web: flag(args, 'web'),
      port: intOption(args, 'port', 0, 65535),
      workspace: stringOption(args, 'workspace'),
      open: !flag(args, 'no-open'),
    });
    return 0;
  },
};
