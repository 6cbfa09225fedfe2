// The Train view's form: the model folder, the prepared dataset, the budget and K, the preset and
// every hyper-parameter, validated with the contract's own zod schema (pruneConfigSchema) as the
// user edits; and the live estimate beside it: what the engine says the configuration costs
// (pruneEstimate) and a real step timed on this machine (pruneProbe), both asked again a moment
// after the values stop moving. An answer to an older configuration is dropped, never shown.
import { PRUNE_PRESETS, pruneConfigSchema, type PruneConfigInput, type PruneEstimate, type PrunePreset, type PruneProbe } from '../../../shared/prune-api';
import type { StudioApi, StudioOutput } from '../../../shared/studio-api';
import { DirectoryListing } from '../../lib/state/directory-listing.svelte';
import { issueText } from './form-issues';

export type DatasetSummary = StudioOutput<'listDatasets'>['datasets'][number];

/** Wait after the last edit before asking the engine (a slider drag asks once, at its end). */
export const ESTIMATE_DELAY_MS = 350;

export class TrainForm {
  readonly browser: DirectoryListing;
  model = $state('');
  dataset = $state('');
  datasets = $state.raw<DatasetSummary[]>([]);
  preset = $state<PrunePreset>('quick');
  budget = $state(0.6);
  experts = $state<number | null>(PRUNE_PRESETS.quick.experts);
  steps = $state<number | null>(PRUNE_PRESETS.quick.steps);
  batch = $state<number | null>(PRUNE_PRESETS.quick.batch);
  microBatch = $state<number | null>(null);
  pretrainSteps = $state<number | null>(PRUNE_PRESETS.quick.pretrainSteps);
  warmupSteps = $state<number | null>(PRUNE_PRESETS.quick.warmupSteps);
  lr = $state<number | null>(2e-4);
  /** null: the model's own (unet sample_size x the VAE factor), as preparation defaults to. */
  resolution = $state<number | null>(null);
  checkpointEvery = $state<number | null>(100);
  seed = $state<number | null>(0);
  sampleEvery = $state<number | null>(null);
  samplePrompts = $state<number | null>(4);
  sampleSteps = $state<number | null>(20);
  sampleGuidance = $state<number | null>(7.5);
  optimalTransport = $state(true);
  kind = $state<'router' | 'single'>('router');
  memory = $state<'fast' | 'lean'>('fast');

  estimate = $state.raw<PruneEstimate | null>(null);
  estimateError = $state<string | null>(null);
  probe = $state.raw<PruneProbe | null>(null);
  probeError = $state<string | null>(null);
  probing = $state(false);
  #ticket = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** What the form says, as the contract's input (empty optional fields left out). */
  readonly input = $derived.by((): Record<string, unknown> => {
    const optional = { experts: this.experts, steps: this.steps, batch: this.batch, microBatch: this.microBatch, pretrainSteps: this.pretrainSteps, warmupSteps: this.warmupSteps, lr: this.lr, resolution: this.resolution, checkpointEvery: this.checkpointEvery, seed: this.seed, sampleEvery: this.sampleEvery, samplePrompts: this.samplePrompts, sampleSteps: this.sampleSteps, sampleGuidance: this.sampleGuidance };
    const given = Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== null && v !== undefined && !Number.isNaN(v)));
    return { model: this.model, dataset: this.dataset, budget: this.budget, preset: this.preset, optimalTransport: this.optimalTransport, kind: this.kind, memory: this.memory, ...given };
  });

  /** The contract's verdict: the typed configuration, or each problem by field. */
  readonly check = $derived.by(() => {
    const parsed = pruneConfigSchema.safeParse(this.input);
    if (parsed.success) return { ok: true as const, config: parsed.data as PruneConfigInput, problems: {} as Record<string, string> };
    const problems: Record<string, string> = {};
    for (const issue of parsed.error.issues) problems[String(issue.path[0] ?? 'form')] ??= issueText(issue);
    return { ok: false as const, problems };
  });

  constructor(private readonly api: StudioApi) {
    this.browser = new DirectoryListing(api);
  }

  async loadDatasets(): Promise<void> {
    const r = await this.api.listDatasets();
    if (!r.ok) return;
    this.datasets = r.value.datasets;
    if (!this.dataset && this.datasets[0]) this.dataset = this.datasets[0].name;
  }

  /** Takes a preset's step counts, batch and K (the user edits them further from there). */
  applyPreset(preset: PrunePreset): void {
    const p = PRUNE_PRESETS[preset];
    this.preset = preset;
    this.experts = p.experts;
    this.steps = p.steps;
    this.batch = p.batch;
    this.microBatch = null;
    this.pretrainSteps = p.pretrainSteps;
    this.warmupSteps = p.warmupSteps;
  }

  /** Asks for the estimate and the probe once the values have been still for a moment. */
  scheduleEstimate(): void {
    clearTimeout(this.#timer);
    const check = this.check;
    const ticket = ++this.#ticket;
    if (!check.ok || !this.model || !this.dataset) {
      this.estimate = null;
      this.probe = null;
      this.probing = false;
      return;
    }
    this.#timer = setTimeout(() => void this.#ask(ticket, check.config), ESTIMATE_DELAY_MS);
  }

  async #ask(ticket: number, config: PruneConfigInput): Promise<void> {
    const estimate = await this.api.pruneEstimate(config);
    if (ticket !== this.#ticket) return;
    this.estimate = estimate.ok ? estimate.value : null;
    this.estimateError = estimate.ok ? null : estimate.error.message;
    if (!estimate.ok) return;
    this.probing = true;
    const probe = await this.api.pruneProbe(config);
    if (ticket !== this.#ticket) return;
    this.probing = false;
    this.probe = probe.ok ? probe.value : null;
    this.probeError = probe.ok ? null : probe.error.message;
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#ticket++;
  }
}
