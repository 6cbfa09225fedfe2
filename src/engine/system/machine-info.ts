// What this machine can do, as the engine sees it: versions, execution providers and the chosen one
// (with the reason), CPU threads, memory, and the workspace. Shown by the studio home and `aptp info`.
import { cpus, freemem, totalmem, availableParallelism } from 'node:os';
import type { MachineInfo } from '../../shared/machine-info';
import { defaultIntraOpThreads } from '../core/threads';
import { ENGINE_VERSION } from '../core/version';
import { providerReport } from '../runtime';
import type { Workspace } from '../store/workspace';

export async function getMachineInfo(workspace: Workspace): Promise<MachineInfo> {
  const report = await providerReport();
  return {
    engineVersion: ENGINE_VERSION,
    onnxruntimeVersion: report.onnxruntimeVersion,
    nodeVersion: process.versions.node,
    platform: process.platform,
    arch: process.arch,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown CPU',
    cpuThreads: availableParallelism(),
    intraOpThreads: defaultIntraOpThreads(),
    totalMemoryBytes: totalmem(),
    freeMemoryBytes: freemem(),
    providers: report.providers,
    chosenProvider: report.chosen,
    chosenReason: report.reason,
    workspaceDir: workspace.dir,
    databasePath: workspace.databasePath,
    databaseVersion: workspace.schemaVersion(),
  };
}
