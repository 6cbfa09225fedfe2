// World model fidelity benchmark (issue 10): generates the canonical prompt of fresh world scenes
// (never in training: world seed 777777) with the world model, 25 DDIM steps, and has the world's
// judge say whether each image shows what its prompt asks for, per difficulty and scene kind. The
// reference in the same run is the judge on the rendered scenes themselves (its own ceiling), and
// the judge-feature Fréchet distance of generated vs rendered images beside rendered vs other
// rendered images. These are offline stand-ins for CLIP score and FID, not those metrics.
// Run: npx tsx bench/world-fidelity.ts [MODEL_DIR] (default resources/world; BENCH_EASY/BENCH_MEDIUM/
// BENCH_HARD images per difficulty, default 40/20/40; BENCH_GUIDANCE default 4; BENCH_OUT writes the
// images + metadata.jsonl for `aptp world judge`).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openDiffusersFolder } from '../src/engine/models/sd/loader';
import { OnnxComponents, componentSpec, decodeImages, generateLatents } from '../src/engine/models/sd/pipeline';
import { createSampler } from '../src/engine/models/sd/schedulers';
import { loadClipTokenizer } from '../src/engine/models/sd/tokenizer';
import { pngBytes } from '../src/engine/world/dataset';
import { fidelity } from '../src/engine/world/fidelity';
import { frechetDistance } from '../src/engine/world/frechet';
import { Judge } from '../src/engine/world/judge';
import { worldItem, type WorldItem } from '../src/engine/world/items';
import type { Difficulty } from '../src/engine/world/scene';
import { line } from './report';

const MODEL = resolve(process.argv[2] ?? 'resources/world');
const COUNTS: Record<Difficulty, number> = { easy: Number(process.env.BENCH_EASY ?? 40), medium: Number(process.env.BENCH_MEDIUM ?? 20), hard: Number(process.env.BENCH_HARD ?? 40) };
const GUIDANCE = Number(process.env.BENCH_GUIDANCE ?? 4);
const SEED = 777777;
const BATCH = 4;

async function generate(model: Awaited<ReturnType<typeof openDiffusersFolder>>, items: readonly WorldItem[]): Promise<Uint8Array[]> {
  const tok = loadClipTokenizer(model.tokenizer!);
  const components = new OnnxComponents(componentSpec(model, tok.maxLength));
  const out: Uint8Array[] = [];
  try {
    for (let i = 0; i < items.length; i += BATCH) {
      const chunk = items.slice(i, i + BATCH);
      const sampler = createSampler('ddim', model.scheduler, 25);
      const latents = await generateLatents(components, tok, sampler, { prompts: chunk.map((it) => it.prompt), guidance: GUIDANCE, width: 64, height: 64, seed: i }, { signal: new AbortController().signal, progress: () => {} });
      out.push(...(await decodeImages(components, latents)));
    }
  } finally {
    await components.dispose();
  }
  return out;
}

async function main(): Promise<void> {
  const model = await openDiffusersFolder(MODEL);
  const judge = await Judge.load(join(MODEL, 'judge'), { batch: 16 });
  const items = (Object.keys(COUNTS) as Difficulty[]).flatMap((d) => Array.from({ length: COUNTS[d] }, (_, i) => worldItem(SEED, i, { difficulty: d })));
  const started = Date.now();
  const images = await generate(model, items);
  line('world_generate_s_per_image', (Date.now() - started) / 1000 / images.length);
  const generated = await judge.read(images);
  const rendered = await judge.read(items.map((it) => it.rgb));
  const others = await judge.read(items.map((it) => worldItem(SEED + 1, it.index, { difficulty: it.scene.difficulty }).rgb));
  const scenes = items.map((it) => it.scene);
  const [gen, ref] = [fidelity(scenes, generated.readings), fidelity(scenes, rendered.readings)];
  for (const d of Object.keys(gen.byDifficulty) as Difficulty[]) {
    const g = gen.byDifficulty[d]!;
    line(`world_fidelity_${d}_generated`, g.correct / g.total);
    line(`world_fidelity_${d}_rendered_reference`, ref.byDifficulty[d]!.correct / ref.byDifficulty[d]!.total);
  }
  for (const [k, v] of Object.entries(gen.byKind)) line(`world_fidelity_kind_${k}_generated`, v.correct / v.total);
  line('world_judge_frechet_generated_vs_rendered', frechetDistance(generated.features, rendered.features));
  line('world_judge_frechet_rendered_vs_rendered_reference', frechetDistance(others.features, rendered.features));
  line('note', 'judge fidelity and judge Fréchet distance are offline stand-ins for CLIP score and FID');
  if (process.env.BENCH_OUT) {
    const out = resolve(process.env.BENCH_OUT);
    mkdirSync(join(out, 'images'), { recursive: true });
    const rows: string[] = [];
    for (const [i, rgb] of images.entries()) {
      const file = `images/${String(i).padStart(4, '0')}.png`;
      writeFileSync(join(out, file), await pngBytes(rgb));
      rows.push(JSON.stringify({ file_name: file, text: items[i]!.prompt, scene: items[i]!.scene }));
    }
    writeFileSync(join(out, 'metadata.jsonl'), `${rows.join('\n')}\n`);
  }
  await judge.dispose();
}

await main();
