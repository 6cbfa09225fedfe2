import { promoteToInputs } from './src/engine/train/trainable';
import { Trainer, adamW } from './src/engine/train';
import { randomWeights } from './src/engine/models/sd/unet/layers';
import { autoencoderGraph, diffusionGraph, worldConfigs, LATENT_SIZE } from './src/engine/world/training-graphs';
import { hostTensor } from './src/engine/runtime';
const which = process.argv[2]; const batch = Number(process.argv[3] ?? 16);
const c = worldConfigs();
let t0 = Date.now();
const g = which === 'vae' ? autoencoderGraph(c.vae, batch, randomWeights(1), 1e-6) : diffusionGraph(c, batch, { unet: randomWeights(2), text: randomWeights(3) });
const tg = promoteToInputs(g);
const n = Object.values(tg.params).reduce((a, p) => a + p.data.length, 0);
console.log('params', n, 'nodes', g.nodes.length, 'build', Date.now() - t0);
t0 = Date.now();
const tr = await Trainer.create(tg.graph, { params: tg.params, optimizer: adamW({ lr: 1e-3 }), session: { intraOpThreads: 2 } });
console.log('session', Date.now() - t0);
const rnd = (dims: number[]) => hostTensor('float32', dims, Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => Math.random() * 2 - 1));
const feeds = which === 'vae' ? { image: rnd([batch, 3, 64, 64]), noise: rnd([batch, 4, LATENT_SIZE, LATENT_SIZE]) } : { input_ids: hostTensor('int64', [batch, 77], new BigInt64Array(batch * 77).fill(5n)), sample: rnd([batch, 4, 16, 16]), timestep: hostTensor('float32', [batch], new Float32Array(batch).fill(500)), target: rnd([batch, 4, 16, 16]) };
for (let i = 0; i < 4; i++) { t0 = Date.now(); const r = await tr.step(feeds); console.log('step', i, Date.now() - t0, 'ms loss', r.loss); }
