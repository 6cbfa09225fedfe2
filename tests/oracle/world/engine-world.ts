// Oracle bridge for the world model, TypeScript side.
//   build OUT      : a few-step `world build` (every stage) into OUT/model, for when no model is shipped
//   captions DIR N : N world captions (every difficulty and template) and the engine tokenizer's ids for
//                    them with DIR/tokenizer, into DIR/../captions.json
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadClipTokenizer } from '../../../src/engine/models/sd/tokenizer';
import { buildWorldModel } from '../../../src/engine/world/build';
import { worldItem } from '../../../src/engine/world/items';

async function main([command, dir, count]: readonly string[]): Promise<void> {
  if (command === 'build' && dir) {
    const ctx = { signal: new AbortController().signal, checkpointDir: join(dir, 'checkpoints'), metric: () => {}, progress: () => {} };
    await buildWorldModel({ seed: 4, out: join(dir, 'model'), judgeSteps: 1, judgeBatch: 2, vaeSteps: 2, vaeBatch: 2, diffusionSteps: 2, diffusionBatch: 2 }, ctx);
    return;
  }
  if (command === 'captions' && dir) {
    const tok = loadClipTokenizer(join(dir, 'tokenizer'));
    const rows = Array.from({ length: Number(count ?? 300) }, (_, i) => {
      const item = worldItem(9, i);
      return [item.caption, item.prompt];
    }).flat().concat(['', 'A Red  CIRCLE!', 'unknown words zebra 42']);
    writeFileSync(join(dirname(dir), 'captions.json'), JSON.stringify(rows.map((text) => ({ text, ids: tok.encode(text, { padding: 'none' }).ids }))));
    return;
  }
  throw new Error('usage: engine-world.ts build OUT | captions MODEL_DIR N');
}

await main(process.argv.slice(2));
