// Starts runs as worker processes: validates the config with the kind's schema, records the run
// (refused with 'busy' while another active run holds its resource), and spawns a detached worker
// that outlives whoever started it (a terminal's Ctrl-C, a closed studio). `resume` makes a paused,
// interrupted or failed run pending again and starts a new worker; the kind continues from its
// last checkpoint. Requests (pause, cancel) are rows any process writes; see RunRepository.request.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError } from '../core/errors';
import { withAllocatorEnv } from './allocator-env';
import { nodeEntry, type NodeEntry } from './node-entry';
import type { Run, RunRequest } from '../store/repositories/runs';
import type { Workspace } from '../store/workspace';
import { runKindOf } from './kinds';
import { markDeadWorkers } from './liveness';
import { checkpointDirOf } from './worker';

/** How to start a worker from where this code runs (bundled next to it, or from source). */
export function workerCommand(): NodeEntry {
  return nodeEntry(import.meta.url, 'run-worker', 'src/engine/runs/worker-entry.ts');
}

function spawnWorker(ws: Workspace, run: Run): void {
  const dir = checkpointDirOf(ws, run.id);
  mkdirSync(dir, { recursive: true });
  const log = openSync(join(dir, 'worker.log'), 'a');
  try {
    const cmd = workerCommand();
    const child = spawn(cmd.command, [...cmd.args, `--workspace=${ws.dir}`, `--run=${run.id}`], {
      detached: true,
      stdio: ['ignore', log, log],
      env: withAllocatorEnv(cmd.env),
      ...(cmd.cwd ? { cwd: cmd.cwd } : {}),
    });
    child.on('error', (error) => ws.runs.finish(run.id, 'failed', { error: { code: 'runtime-failure', message: `The run worker could not start: ${error.message}.` } }));
    child.unref();
  } finally {
    closeSync(log);
  }
}

/** Records a run of `kind` and starts its worker; returns the pending run. */
export async function startRun(ws: Workspace, kind: string, config: unknown, projectId: string | null = null): Promise<Run> {
  const runKind = runKindOf(kind);
  const parsed = runKind.configSchema.safeParse(config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new EngineError('invalid-argument', `The ${kind} settings are not valid: ${issue?.path.join('.') || 'config'}: ${issue?.message ?? 'unknown issue'}.`, { kind });
  }
  const resource = (await runKind.resource?.(parsed.data, ws)) ?? null;
  markDeadWorkers(ws);
  const run = ws.runs.add({ projectId, kind, config: parsed.data as Record<string, unknown>, resource });
  spawnWorker(ws, run);
  return run;
}

/** Starts a new worker for a paused, interrupted or failed run. */
export function resumeRun(ws: Workspace, runId: string): Run {
  markDeadWorkers(ws);
  const run = ws.runs.reopen(runId);
  spawnWorker(ws, run);
  return run;
}

/** Asks a run to pause or cancel (any process); false when it is already past that. */
export function requestRun(ws: Workspace, runId: string, request: RunRequest): boolean {
  markDeadWorkers(ws);
  return ws.runs.request(runId, request);
}

/** The run as any reader should see it: dead workers noticed first. */
export function readRun(ws: Workspace, runId: string): Run {
  markDeadWorkers(ws);
  return ws.runs.require(runId);
}
