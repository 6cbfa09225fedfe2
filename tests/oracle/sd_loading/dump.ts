// Oracle bridge: opens a model with the engine's loader (a diffusers folder or a single file) and
// writes every weight of each component, as the loader serves it, to <out>/<component>.safetensors
// (float32 or float16 as asked) plus <out>/model.json (configs, family, variant, tokenizer ids of
// the given prompts), for pytest to compare with diffusers / transformers. Prints an error's code and
// message as JSON on stdout when the loader refuses the model.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isEngineError } from '../../../src/engine/core/errors';
import { type OpenModelOptions, openModel } from '../../../src/engine/models/sd/loader';
import { loadClipTokenizer } from '../../../src/engine/models/sd/tokenizer';
import { type FloatTarget, type SafetensorsDType, type TensorToWrite, writeSafetensors } from '../../../src/engine/weights';

function args(): { path: string; out: string; target: FloatTarget; options: OpenModelOptions; prompts: string[] } {
  const [path, out, ...rest] = process.argv.slice(2);
  if (!path || !out) throw new Error('usage: dump.ts <model> <out> [--float float32|float16|native] [--options JSON] [--prompts JSON]');
  const flag = (name: string): string | undefined => {
    const i = rest.indexOf(name);
    return i >= 0 ? rest[i + 1] : undefined;
  };
  return { path, out, target: (flag('--float') ?? 'float32') as FloatTarget, options: JSON.parse(flag('--options') ?? '{}') as OpenModelOptions, prompts: JSON.parse(flag('--prompts') ?? '[]') as string[] };
}

const ST: Record<string, SafetensorsDType> = { float32: 'F32', float16: 'F16', int64: 'I64', int32: 'I32' };

async function main(): Promise<void> {
  const { path, out, target, options, prompts } = args();
  mkdirSync(out, { recursive: true });
  try {
    const m = await openModel(path, options);
    for (const [component, set] of Object.entries(m.weights)) {
      const tensors: TensorToWrite[] = set.names.map((name) => {
        const s = set.source(name, target);
        return { name, dtype: ST[s.dtype] ?? 'F32', shape: s.shape, data: s.source };
      });
      await writeSafetensors(join(out, `${component}.safetensors`), tensors);
    }
    const ids = m.tokenizer === null ? null : prompts.map((p) => loadClipTokenizer(m.tokenizer ?? '').encode(p).ids);
    const summary = { source: m.source, family: m.family, variant: m.variant, unet: m.unet, text_encoder: m.textEncoder, vae: m.vae, scheduler: m.scheduler, tokenizer: m.tokenizer, ids };
    writeFileSync(join(out, 'model.json'), JSON.stringify(summary));
    process.stdout.write(JSON.stringify({ ok: true }));
  } catch (e) {
    if (!isEngineError(e)) throw e;
    process.stdout.write(JSON.stringify({ ok: false, code: e.code, message: e.message, details: e.details }));
  }
}

await main();
