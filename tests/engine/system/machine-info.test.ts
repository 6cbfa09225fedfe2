// getMachineInfo reports real facts from onnxruntime, the OS and the workspace, valid per the contract.
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { machineInfoSchema } from '../../../src/shared/machine-info';
import { getMachineInfo } from '../../../src/engine/system/machine-info';
import { openWorkspace } from '../../../src/engine/store/workspace';
import { defaultIntraOpThreads } from '../../../src/engine/core/threads';
import pkg from '../../../package.json';

describe('getMachineInfo', () => {
  it('reports versions, providers, threads and the workspace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aptp-info-'));
    const ws = openWorkspace(dir);
    try {
      const info = machineInfoSchema.parse(await getMachineInfo(ws));
      expect(info.engineVersion).toBe(pkg.version);
      expect(info.onnxruntimeVersion).toBe(ort.env.versions.common);
      expect(info.cpuThreads).toBe(availableParallelism());
      expect(info.providers.map((p) => p.name).sort()).toEqual(['coreml', 'cpu', 'cuda', 'dml']);
      expect(info.providers.find((p) => p.name === 'cpu')?.available).toBe(true);
      const chosen = info.providers.find((p) => p.name === info.chosenProvider);
      expect(chosen?.available).toBe(true);
      expect(info.chosenReason.length).toBeGreaterThan(10);
      expect(info.databasePath).toBe(join(dir, 'studio.db'));
      expect(info.databaseVersion).toBe(ws.schemaVersion());
    } finally {
      ws.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('validates APTP_THREADS', () => {
    expect(defaultIntraOpThreads({ APTP_THREADS: '3' })).toBe(3);
    expect(() => defaultIntraOpThreads({ APTP_THREADS: 'many' })).toThrow(/APTP_THREADS must be a whole number/);
  });
});
