// Oracle bridge for the world model, TypeScript side.
//   folder OUT     : the world model folder as save-model.ts writes it, with seeded random weights
//                    (OUT/model), for when no trained model is shipped: equivalence needs no training
//   captions DIR N : N world captions (every difficulty and template) and the engine tokenizer's ids for
//                    them with DIR/tokenizer, into DIR/../captions.json
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadClipTokenizer } from '../../../src/engine/models/sd/tokenizer';
import { clipTextParams, unetParams, vaeParams, type ExpectedParam } from '../../../src/engine/models/sd/loader';
import { randomWeights } from '../../../src/engine/models/sd/unet/layers';
import { hostTensor, type HostTensor } from '../../../src/engine/runtime';
import { saveWorldModel } from '../../../src/engine/world/save-model';
import { worldConfigs } from '../../../src/engine/world/training-graphs';
import { worldItem } from '../../../src/engine/world/items';

async function main([command, dir, count]: readonly string[]): Promise<void> {
  if (command === 'folder' && dir) {
    const { unet, vae, text } = worldConfigs();
    const weights = (specs: readonly ExpectedParam[], seed: number): Record<string, HostTensor> => {
      const provider = randomWeights(seed);
      return Object.fromEntries(specs.map((p) => [p.name, hostTensor('float32', p.shape, provider({ name: p.name, shape: p.shape }).data as Float32Array)]));
    };
    await saveWorldModel(join(dir, 'model'), { unet: weights(unetParams(unet), 1), textEncoder: weights(clipTextParams(text), 2), vae: weights(vaeParams(vae), 3), scalingFactor: 0.9 });
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
  throw new Error('usage: engine-world.ts folder OUT | captions MODEL_DIR N');
}

await main(process.argv.slice(2));
