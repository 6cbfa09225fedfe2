// `aptp info`: the machine facts the studio's home shows (from the same engine function).
import { getMachineInfo } from '../../engine/system/machine-info';
import { openWorkspace } from '../../engine/store/workspace';
import type { CliCommand } from '../command';
import { formatBytes, table } from '../format';
import { flag, stringOption } from '../options';

export const infoCommand: CliCommand = {
  name: 'info',
  summary: 'Show what this machine can do: versions, execution providers, threads, memory, workspace',
  usage: 'aptp info [--workspace DIR] [--json]',
  options: { workspace: { type: 'string' }, json: { type: 'boolean' } },
  optionHelp: { workspace: 'workspace folder (default $APTP_WORKSPACE or ~/aptp-studio)', json: 'print JSON instead of text' },
  maxPositionals: 0,
  async run(args) {
    const ws = openWorkspace(stringOption(args, 'workspace'));
    try {
      const info = await getMachineInfo(ws);
      if (flag(args, 'json')) {
        process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
        return 0;
      }
      const providers = info.providers.map((p) => [`  ${p.name}`, `${p.available ? 'available' : 'unavailable'}: ${p.reason}`] as const);
      process.stdout.write(
        `${table([
          ['engine', info.engineVersion],
          ['onnxruntime', info.onnxruntimeVersion],
          ['node', info.nodeVersion],
          ['platform', `${info.platform} ${info.arch}`],
          ['cpu', `${info.cpuModel} (${info.cpuThreads} threads, engine uses ${info.intraOpThreads})`],
          ['memory', `${formatBytes(info.totalMemoryBytes)} total, ${formatBytes(info.freeMemoryBytes)} free`],
          ['provider', `${info.chosenProvider}: ${info.chosenReason}`],
          ['providers', ''],
          ...providers,
          ['workspace', info.workspaceDir],
          ['database', `${info.databasePath} (schema ${info.databaseVersion})`],
        ])}\n`,
      );
      return 0;
    } finally {
      ws.close();
    }
  },
};
