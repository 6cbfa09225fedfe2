// One component's weights: diffusers key -> byte range in some safetensors file (possibly renamed,
// reshaped or row-sliced from an original-layout checkpoint). Checked against the parameters the
// config implies (missing, unexpected, shape), and served lazily to graph builders as TensorSources
// through `provider`, which has the shape of the components' WeightProvider.
import type { DType } from '../../../core/dtype';
import { EngineError } from '../../../core/errors';
import type { TensorSource } from '../../../ir/graph';
import { type FloatTarget, type LoadedTensor, type SafetensorsEntry, type SafetensorsFile, type SourcedTensor, entrySource, readEntry } from '../../../weights';
import { type ExpectedParam, IGNORABLE_KEYS } from './expected-params';

/** A weight's bytes: `name` is the diffusers key, `stored` the key in `path` it comes from. */
export interface WeightRef extends SafetensorsEntry {
  readonly path: string;
  readonly stored: string;
}

export interface ParamRequest {
  readonly name: string;
  readonly shape: readonly number[];
}

/** Matches the components' WeightProvider: the weight for a key, in the dtype it will arrive in. */
export type WeightLookup = (spec: ParamRequest) => { readonly dtype: DType; readonly data: TensorSource };

const LIST = 8;

function listed(names: readonly string[]): string {
  return names.slice(0, LIST).map((n) => `'${n}'`).join(', ') + (names.length > LIST ? ` and ${names.length - LIST} more` : '');
}

/** A ref for a whole tensor of a file under a (possibly different) name. */
export function wholeRef(file: SafetensorsFile, stored: string, name: string = stored): WeightRef {
  const e = file.tensors.get(stored);
  if (!e) throw new EngineError('not-found', `${file.path} has no tensor '${stored}'.`, { file: file.path, tensor: stored });
  return { ...e, name, path: file.path, stored };
}

export class WeightSet {
  private readonly refs: ReadonlyMap<string, WeightRef>;

  /** `component` names it in messages (unet, text_encoder, vae). */
  constructor(
    readonly component: string,
    refs: Iterable<WeightRef>,
  ) {
    const map = new Map<string, WeightRef>();
    for (const r of refs) {
      const twin = map.get(r.name);
      if (twin) throw new EngineError('corrupt-file', `${this.component}: tensor '${r.name}' is given twice (${twin.path} and ${r.path}); remove the duplicate shard or file.`, { component, tensor: r.name, file: r.path });
      map.set(r.name, r);
    }
    this.refs = map;
  }

  get names(): readonly string[] {
    return [...this.refs.keys()];
  }

  get files(): readonly string[] {
    return [...new Set([...this.refs.values()].map((r) => r.path))];
  }

  has(name: string): boolean {
    return this.refs.has(name);
  }

  ref(name: string): WeightRef {
    const r = this.refs.get(name);
    if (!r) throw new EngineError('not-found', `${this.component} has no weight '${name}'; the checkpoint does not match the model config.`, { component: this.component, tensor: name, files: this.files });
    return r;
  }

  /** Throws naming file and tensor when a key is missing, unexpected, or of the wrong shape. */
  check(expected: readonly ExpectedParam[]): void {
    const want = new Map(expected.map((p) => [p.name, p.shape]));
    const missing = expected.filter((p) => !this.refs.has(p.name)).map((p) => p.name);
    const where = this.files.join(', ');
    if (missing.length > 0) {
      throw new EngineError('corrupt-file', `${where}: the ${this.component} is missing ${missing.length} tensor(s) its config needs: ${listed(missing)}. The weights do not match config.json, or the download is incomplete.`, { component: this.component, file: where, tensor: missing[0], missing });
    }
    const unexpected = this.names.filter((n) => !want.has(n) && !IGNORABLE_KEYS.some((re) => re.test(n)));
    if (unexpected.length > 0) {
      const r = this.ref(unexpected[0] ?? '');
      throw new EngineError('corrupt-file', `${r.path}: the ${this.component} has ${unexpected.length} tensor(s) its config does not describe: ${listed(unexpected)}. The config.json belongs to a different model, or this is not an SD 1.x/2.x checkpoint.`, { component: this.component, file: r.path, tensor: unexpected[0], unexpected });
    }
    for (const p of expected) {
      const r = this.ref(p.name);
      if (r.shape.length !== p.shape.length || r.shape.some((d, i) => d !== p.shape[i])) {
        throw new EngineError('shape-mismatch', `${r.path}, tensor '${r.stored}': shape [${r.shape.join(', ')}] but the ${this.component} config needs [${p.shape.join(', ')}] for '${p.name}'. The config.json and weights come from different models.`, { component: this.component, file: r.path, tensor: r.stored, got: r.shape, expected: p.shape });
      }
    }
  }

  /** The weight as a lazy TensorSource; floats arrive as `target` asks (BF16 always as float32). */
  source(name: string, target: FloatTarget = 'native'): SourcedTensor {
    const r = this.ref(name);
    return entrySource(r.path, r, target);
  }

  /** Loads one weight into memory (tests, oracle checks, small tensors). */
  read(name: string, target: FloatTarget = 'native'): Promise<LoadedTensor> {
    const r = this.ref(name);
    return readEntry(r.path, r, target);
  }

  /** A WeightProvider for graph builders: checks each requested shape, serves sources by offset. */
  provider(target: FloatTarget = 'native'): WeightLookup {
    return (spec) => {
      const r = this.ref(spec.name);
      if (r.shape.length !== spec.shape.length || r.shape.some((d, i) => d !== spec.shape[i])) {
        throw new EngineError('shape-mismatch', `${r.path}, tensor '${r.stored}': shape [${r.shape.join(', ')}] but the graph needs [${spec.shape.join(', ')}] for '${spec.name}'.`, { component: this.component, file: r.path, tensor: r.stored, got: r.shape, expected: spec.shape });
      }
      const s = entrySource(r.path, r, target);
      return { dtype: s.dtype, data: s.source };
    };
  }
}
