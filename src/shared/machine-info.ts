// MachineInfo: what this machine can do, as the engine reports it (studio home, `aptp info`).
import { z } from 'zod';

export const executionProviderSchema = z.object({
  name: z.enum(['cuda', 'dml', 'coreml', 'cpu']),
  available: z.boolean(),
  /** Why a provider is unavailable (or why it was chosen), in words a user can act on. */
  reason: z.string(),
});
export type ExecutionProviderInfo = z.infer<typeof executionProviderSchema>;

export const machineInfoSchema = z.object({
  engineVersion: z.string(),
  onnxruntimeVersion: z.string(),
  nodeVersion: z.string(),
  platform: z.string(),
  arch: z.string(),
  cpuModel: z.string(),
  cpuThreads: z.number().int().positive(),
  intraOpThreads: z.number().int().positive(),
  totalMemoryBytes: z.number().nonnegative(),
  freeMemoryBytes: z.number().nonnegative(),
  providers: z.array(executionProviderSchema),
  chosenProvider: z.enum(['cuda', 'dml', 'coreml', 'cpu']),
  chosenReason: z.string(),
  workspaceDir: z.string(),
  databasePath: z.string(),
  databaseVersion: z.number().int().nonnegative(),
});
export type MachineInfo = z.infer<typeof machineInfoSchema>;
