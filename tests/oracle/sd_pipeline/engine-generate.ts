// Oracle bridge for the generation pipeline, TypeScript side: opens the diffusers folder the Python
// side saved (H5's loader), and for each case in request.json runs the engine's guided denoising
// loop from the given initial latents (inputs/<case>.npy) with the named sampler, writing the final
// latents to engine/<case>.npy for test_sd_pipeline.py to compare with diffusers (output_type='latent').
//   tsx tests/oracle/sd_pipeline/engine-generate.ts --dir tests/oracle/cache/sd_pipeline/sd1
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDiffusersFolder } from '../../../src/engine/models/sd/loader';
import { OnnxComponents, componentSpec, generateLatents } from '../../../src/engine/models/sd/pipeline';
import { createSampler, type SamplerKind } from '../../../src/engine/models/sd/schedulers';
import { loadClipTokenizer } from '../../../src/engine/models/sd/tokenizer';
import { hostTensor } from '../../../src/engine/runtime';
import { decodeNpy } from '../sd_components/npy-read';
import { encodeNpy } from '../ts/npy';

interface Case {
  readonly name: string;
  readonly sampler: SamplerKind;
  readonly scheduler_overrides: Readonly<Record<string, unknown>>;
  readonly prompts: readonly string[];
  readonly negative_prompt: string | readonly string[] | null;
  readonly steps: number;
  readonly guidance: number;
  readonly width: number;
  readonly height: number;
  readonly images_per_prompt: number;
}

async function main(argv: readonly string[]): Promise<void> {
  const dir = argv[argv.indexOf('--dir') + 1];
  if (!argv.includes('--dir') || !dir) throw new Error('usage: engine-generate.ts --dir <folder>');
  const cases = JSON.parse(readFileSync(join(dir, 'request.json'), 'utf8')) as Case[];
  const model = await openDiffusersFolder(join(dir, 'model'));
  const tokenizer = loadClipTokenizer(model.tokenizer ?? join(dir, 'model', 'tokenizer'));
  const components = new OnnxComponents(componentSpec(model, tokenizer.maxLength));
  mkdirSync(join(dir, 'engine'), { recursive: true });
  try {
    for (const c of cases) {
      const sampler = createSampler(c.sampler, { ...model.scheduler, ...c.scheduler_overrides }, c.steps);
      const initial = decodeNpy(readFileSync(join(dir, 'inputs', `${c.name}.npy`)));
      const request = {
        prompts: c.prompts, negativePrompt: c.negative_prompt ?? undefined, guidance: c.guidance, width: c.width, height: c.height,
        imagesPerPrompt: c.images_per_prompt, latents: initial.data as Float32Array,
      };
      const result = await generateLatents(components, tokenizer, sampler, request, { signal: new AbortController().signal, progress: () => undefined });
      writeFileSync(join(dir, 'engine', `${c.name}.npy`), encodeNpy(hostTensor('float32', initial.dims, result.latents)));
    }
  } finally {
    await components.dispose();
  }
}

main(process.argv.slice(2)).catch((cause: unknown) => {
  console.error(`sd pipeline oracle: ${cause instanceof Error ? cause.stack ?? cause.message : String(cause)}`);
  process.exit(1);
});
