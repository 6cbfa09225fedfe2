// The Model view's state: the model chosen (where the engine runs), its architecture summary or the
// engine's error, the generation settings, and the running or last generation job (progress and
// result come from the JobTracker, fed by job events). App keeps one for the session (context), so
// leaving the view and coming back finds the model, the settings and a running job as they were.
// A single-file checkpoint is opened with what it cannot say itself (prediction type, tokenizer
// folder, config overrides); generation uses the same options, so the engine reuses its sessions.
import { createContext } from 'svelte';
import type { ErrorInfo } from '../../../shared/result';
import type { StudioApi } from '../../../shared/studio-api';
import type { GeneratedImage, ModelOpenOptions, ModelSummary, SamplerKindName } from '../../../shared/studio-model';
import { DirectoryListing } from '../../lib/state/directory-listing.svelte';
import type { JobTracker } from '../../lib/state/jobs.svelte';
import { checkConfigOverrides } from './config-overrides';

export type PredictionChoice = NonNullable<ModelOpenOptions['predictionType']>;

export const isSingleFile = (path: string): boolean => /\.safetensors$/i.test(path);

export interface GenerateSettings {
  prompt: string;
  negativePrompt: string;
  seed: number;
  steps: number;
  guidance: number;
  width: number;
  height: number;
  /** '' means the model's own scheduler. */
  scheduler: SamplerKindName | '';
}

export class ModelState {
  readonly #api: StudioApi;
  readonly #jobs: JobTracker;
  /** The folder browser's place. */
  readonly browser: DirectoryListing;
  /** The tokenizer folder browser, for single files (which carry none). */
  readonly tokenizerBrowser: DirectoryListing;
  dir = $state<string | undefined>(undefined);
  /** What the model is open with; generation sends the same. */
  options = $state<ModelOpenOptions>({});
  /** The advanced "config overrides" JSON box (single files only). */
  configsText = $state('');
  readonly configsCheck = $derived(checkConfigOverrides(this.configsText));
  tokenizerError = $state<ErrorInfo | undefined>(undefined);
  summary = $state<ModelSummary | undefined>(undefined);
  error = $state<ErrorInfo | undefined>(undefined);
  inspecting = $state(false);
  settings = $state<GenerateSettings>({ prompt: 'a lighthouse on a cliff at dusk, watercolor', negativePrompt: '', seed: 42, steps: 25, guidance: 7.5, width: 512, height: 512, scheduler: '' });
  jobId = $state<string | undefined>(undefined);
  startError = $state<ErrorInfo | undefined>(undefined);

  /** The loader asks which prediction type an SD 2.x file has (its choices in details). */
  readonly needsPredictionType = $derived(this.error?.details['needs'] === 'predictionType');
  readonly job = $derived.by(() => (this.jobId === undefined ? undefined : this.#jobs.get(this.jobId)));
  readonly running = $derived(this.jobId !== undefined && this.job?.finished === undefined);
  readonly image = $derived.by((): GeneratedImage | undefined => {
    const end = this.job?.finished;
    return end?.kind === 'generateImage' && end.result.ok ? end.result.value : undefined;
  });
  readonly failure = $derived.by((): ErrorInfo | undefined => {
    const end = this.job?.finished;
    return this.startError ?? (end && !end.result.ok ? end.result.error : undefined);
  });

  constructor(api: StudioApi, jobs: JobTracker) {
    this.#api = api;
    this.#jobs = jobs;
    this.browser = new DirectoryListing(api);
    this.tokenizerBrowser = new DirectoryListing(api);
  }

  /** Asks the engine to open `dir` (again: with the choices made for it); on success the size fields take the model's native size. */
  async inspect(dir: string): Promise<void> {
    const { predictionType, tokenizer } = dir === this.dir ? this.options : {};
    await this.#open(dir, { predictionType, tokenizer });
  }

  /** Reopens the SD 2.x file with the prediction type the user chose. */
  async choosePredictionType(predictionType: PredictionChoice): Promise<void> {
    if (this.dir !== undefined) await this.#open(this.dir, { ...this.options, predictionType });
  }

  /** Reopens the single file with a tokenizer folder; a bad folder keeps the summary and says why. */
  async chooseTokenizer(tokenizer: string): Promise<void> {
    if (this.dir !== undefined) await this.#open(this.dir, { ...this.options, tokenizer }, true);
  }

  async #open(dir: string, choices: ModelOpenOptions, tokenizerOnly = false): Promise<void> {
    const configs = this.configsCheck;
    if (isSingleFile(dir) && !configs.ok) return;
    const { predictionType, tokenizer } = choices;
    const overrides = isSingleFile(dir) && configs.ok ? configs.value : undefined;
    // Only the options given: a folder's request stays { dir }.
    const options: ModelOpenOptions = { ...(predictionType && { predictionType }), ...(tokenizer && { tokenizer }), ...(overrides && { configs: overrides }) };
    this.dir = dir;
    this.inspecting = true;
    const result = await this.#api.inspectModel({ dir, ...options });
    this.inspecting = false;
    if (this.dir !== dir) return;
    this.tokenizerError = undefined;
    if (!result.ok && tokenizerOnly) {
      this.tokenizerError = result.error;
    } else if (!result.ok) {
      this.options = options;
      this.summary = undefined;
      this.error = result.error;
    } else {
      const native = this.summary?.path !== dir || this.summary.generation.predictionType !== result.value.generation.predictionType;
      this.options = options;
      this.error = undefined;
      this.summary = result.value;
      if (native) [this.settings.width, this.settings.height] = [result.value.generation.width, result.value.generation.height];
    }
  }

  /** Finds a generation the engine is running (after a page reload) and follows it again. */
  async attach(): Promise<void> {
    if (this.jobId !== undefined) return;
    const result = await this.#api.listJobs();
    const running = result.ok ? result.value.jobs.find((j) => j.kind === 'generateImage') : undefined;
    if (!running || this.jobId !== undefined) return;
    if (running.progress) this.#jobs.seed(running.progress);
    this.jobId = running.jobId;
  }

  async generate(): Promise<void> {
    if (!this.summary || this.running) return;
    if (this.jobId !== undefined) this.#jobs.forget(this.jobId);
    this.jobId = undefined;
    this.startError = undefined;
    const { scheduler, ...rest } = this.settings;
    const result = await this.#api.generateImage({ dir: this.summary.path, ...this.options, ...rest, ...(scheduler ? { scheduler } : {}) });
    if (result.ok) this.jobId = result.value.jobId;
    else this.startError = result.error;
  }

  async cancel(): Promise<void> {
    if (this.jobId !== undefined) await this.#jobs.cancel(this.jobId);
  }
}

export const [getModelState, setModelState] = createContext<ModelState>();
