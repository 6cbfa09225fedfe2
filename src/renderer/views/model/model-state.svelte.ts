// The Model view's state: the model chosen (where the engine runs), its architecture summary or the
// engine's error, the generation settings, and the running or last generation job (the session's
// generateImage job handle). App keeps one for the session (context), so
// leaving the view and coming back finds the model, the settings and a running job as they were;
// the model, its open options, the settings and the browser's folder are remembered across a
// reload too (view-state.svelte.ts), and the view opens the remembered model again.
// A single-file checkpoint is opened with what it cannot say itself (prediction type, tokenizer
// folder, config overrides); generation uses the same options, so the engine reuses its sessions.
import { createContext } from 'svelte';
import { z } from 'zod';
import type { GenerationRecord } from '../../../shared/history-api';
import type { ErrorInfo } from '../../../shared/result';
import type { StudioApi } from '../../../shared/studio-api';
import { modelOpenOptionsSchema, samplerKindSchema, type GeneratedImage, type ModelOpenOptions, type ModelSummary, type SamplerKindName } from '../../../shared/studio-model';
import { DirectoryListing } from '../../lib/state/directory-listing.svelte';
import type { JobHandle } from '../../lib/state/job-handle.svelte';
import { remember } from '../../lib/state/view-state.svelte';
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

const settingsSchema = z.object({
  prompt: z.string(), negativePrompt: z.string(), seed: z.number(), steps: z.number(), guidance: z.number(),
  width: z.number(), height: z.number(), scheduler: z.union([samplerKindSchema, z.literal('')]),
});

/** What a reload keeps: the model and how it was opened, the settings, and where the browser was. */
const rememberedSchema = z.object({
  dir: z.string().optional(),
  options: modelOpenOptionsSchema,
  configsText: z.string(),
  settings: settingsSchema,
  browserPath: z.string().optional(),
});

export class ModelState {
  readonly #api: StudioApi;
  readonly generation: JobHandle<'generateImage'>;
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

  /** The loader asks which prediction type an SD 2.x file has (its choices in details). */
  readonly needsPredictionType = $derived(this.error?.details['needs'] === 'predictionType');
  readonly job = $derived.by(() => (this.generation.jobId === undefined ? undefined : { progress: this.generation.progress }));
  readonly running = $derived.by(() => this.generation.running);
  readonly image = $derived.by((): GeneratedImage | undefined => this.generation.value);
  readonly failure = $derived.by((): ErrorInfo | undefined => this.generation.error);

  constructor(api: StudioApi, generation: JobHandle<'generateImage'>) {
    this.#api = api;
    this.generation = generation;
    this.browser = new DirectoryListing(api);
    this.tokenizerBrowser = new DirectoryListing(api);
    remember('model', rememberedSchema, () => ({ dir: this.dir, options: this.options, configsText: this.configsText, settings: this.settings, browserPath: this.browser.listing?.path ?? this.#restoredBrowserPath }), (saved) => {
      [this.dir, this.options, this.configsText, this.settings] = [saved.dir, saved.options, saved.configsText, saved.settings];
      this.#restoredBrowserPath = saved.browserPath;
      this.#restoredDir = saved.dir;
    });
  }

  #restoredBrowserPath: string | undefined;
  /** The remembered model: reopening it keeps the remembered size instead of taking the native one. */
  #restoredDir: string | undefined;

  /** On entering the view: lists the remembered folder (else the home folder) and reopens the remembered model. */
  resume(): void {
    if (!this.browser.listing) void this.browser.open(this.#restoredBrowserPath);
    if (this.dir !== undefined && !this.summary && !this.error && !this.inspecting) void this.inspect(this.dir);
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
    // Acting again clears the last answer's error: it never stays beside the new attempt.
    if (tokenizerOnly) this.tokenizerError = undefined;
    else this.error = undefined;
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
      const reopened = this.#restoredDir === dir;
      this.#restoredDir = undefined;
      const native = !reopened && (this.summary?.path !== dir || this.summary.generation.predictionType !== result.value.generation.predictionType);
      this.options = options;
      this.error = undefined;
      this.summary = result.value;
      if (native) [this.settings.width, this.settings.height] = [result.value.generation.width, result.value.generation.height];
    }
  }

  /** Why the built-in world model cannot be opened (none shipped yet), after the user asked for it. */
  worldMissing = $state<string | undefined>(undefined);

  /** Opens the shipped world model, with a prompt it knows; or says why there is none. */
  async useBuiltInWorld(): Promise<void> {
    const result = await this.#api.builtInWorld({});
    this.worldMissing = result.ok ? (result.value.missing ?? undefined) : result.error.message;
    if (!result.ok || !result.value.modelDir) return;
    Object.assign(this.settings, { prompt: 'a red circle on a black background', guidance: 4 });
    await this.inspect(result.value.modelDir);
  }

  /** Takes a kept generation's model, open options and settings, and opens that model. */
  async reuse(g: GenerationRecord): Promise<void> {
    const { prompt, negativePrompt, seed, steps, guidance, width, height, sampler } = g;
    this.settings = { prompt, negativePrompt, seed, steps, guidance, width, height, scheduler: sampler };
    this.configsText = g.options.configs ? JSON.stringify(g.options.configs) : '';
    [this.summary, this.error, this.options, this.#restoredDir] = [undefined, undefined, g.options, g.model];
    this.browser.draft = g.model;
    this.browser.edited = true;
    await this.#open(g.model, g.options);
  }

  /** Finds a generation the engine is running (after a page reload) and follows it again. */
  attach(): Promise<void> {
    return this.generation.attach(this.#api);
  }

  async generate(): Promise<void> {
    if (!this.summary || this.running) return;
    const { scheduler, ...rest } = this.settings;
    const [dir, options] = [this.summary.path, this.options];
    await this.generation.start(() => this.#api.generateImage({ dir, ...options, ...rest, ...(scheduler ? { scheduler } : {}) }));
  }

  cancel(): Promise<void> {
    return this.generation.cancel();
  }
}

export const [getModelState, setModelState] = createContext<ModelState>();
