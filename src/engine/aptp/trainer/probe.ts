// Measures what a pruning configuration costs on this machine before a run starts: builds the
// run's graphs and sessions on the execution provider a run would use (setup time), then runs
// real training steps on the dataset's items and times them, and how much resident memory the
// configuration's sessions added (in its memory mode). Nothing is recorded and no state is
// kept; the figures are cached per model, dataset and step shape for this process's lifetime, so
// the studio's estimate can ask again as the user moves the budget without measuring again.
import { resolvePruneConfig, type PruneConfig, type PruneProbe, type ResolvedPruneConfig } from '../../../shared/prune-api';
import { providerReport, type SessionConfig } from '../../runtime';
import type { Workspace } from '../../store/workspace';
import type { PruneData } from './prune-data';
import { openModel, withModelResolution } from './prune-job';
import { createPrune, type PruneModel } from './setup';

/** Steps timed after the first (which warms the sessions and is not counted). */
export const MEASURED_STEPS = 2;

export type MeasuredSteps = Omit<PruneProbe, 'totalSeconds' | 'cached'>;

/** Builds the configuration's step, runs it 1 + MEASURED_STEPS times and times it; disposes everything. */
export async function measureSteps(model: PruneModel, data: PruneData, config: ResolvedPruneConfig, session: SessionConfig = {}): Promise<MeasuredSteps> {
  const provider = session.provider && session.provider !== 'auto' ? session.provider : (await providerReport()).chosen;
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  const setup = createPrune(model, data, config, session);
  try {
    const gating = config.kind === 'single' ? 'predictor' : 'code';
    let state = (await setup.stepper.run(0, gating, setup.schedule.lr, setup.initial)).state;
    const warmed = performance.now();
    for (let s = 1; s <= MEASURED_STEPS; s++) state = (await setup.stepper.run(s, gating, setup.schedule.lr, state)).state;
    const stepSeconds = (performance.now() - warmed) / 1000 / MEASURED_STEPS;
    // The first step paid for building graphs and opening sessions on top of one step's work.
    const setupSeconds = Math.max(0, (warmed - started) / 1000 - stepSeconds);
    // Sessions still open, their arenas at the steps' high-water mark: what the run will hold.
    const memoryBytes = Math.max(0, process.memoryUsage().rss - rssBefore);
    return { provider, setupSeconds, stepSeconds, measuredSteps: MEASURED_STEPS, memoryBytes, memory: config.memory };
  } finally {
    await setup.stepper.dispose();
  }
}

/** Measurements by shape key; a failed measurement is forgotten so the next request tries again. */
export class ProbeCache {
  readonly #measured = new Map<string, Promise<MeasuredSteps>>();

  async get(key: string, steps: number, measure: () => Promise<MeasuredSteps>): Promise<PruneProbe> {
    const cached = this.#measured.has(key);
    if (!cached) {
      const run = measure();
      this.#measured.set(key, run);
      run.catch(() => this.#measured.delete(key));
    }
    const m = await this.#measured.get(key)!;
    return { ...m, totalSeconds: m.setupSeconds + steps * m.stepSeconds, cached };
  }
}

/** What decides a step's cost: the model, the data's shapes, the batch split, the router's size, the memory mode. */
export function shapeKey(config: ResolvedPruneConfig, datasetId: string): string {
  const { model, resolution, batch, microBatch, experts, kind, threads, memory } = config;
  return JSON.stringify({ model, datasetId, resolution, batch, microBatch, experts, kind, threads: threads ?? null, memory });
}

const probes = new ProbeCache();

export async function probePrune(ws: Workspace, input: PruneConfig): Promise<PruneProbe> {
  const config = resolvePruneConfig(await withModelResolution(input));
  const { dataset, data, pruneModel } = await openModel(ws, config);
  const session = config.threads ? { intraOpThreads: config.threads } : {};
  return probes.get(shapeKey(config, dataset.id), config.steps, () => measureSteps(pruneModel, data, config, session));
}
