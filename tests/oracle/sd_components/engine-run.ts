// Oracle bridge for the SD components, TypeScript side: reads a folder the Python side saved with
// diffusers/transformers save_pretrained (unet/, text_encoder/, vae/ + inputs/*.npy + request.json),
// builds each component with the engine from its config, loads the safetensors weights by key,
// runs onnxruntime-node (CPU) and writes outputs to <dir>/engine/*.npy plus keys.json (missing /
// unused weight keys per component).
//   tsx tests/oracle/sd_components/engine-run.ts --dir tests/oracle/cache/sd_components/sd1
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Graph } from '../../../src/engine/ir';
import { parseClipTextConfig } from '../../../src/engine/models/sd/config/clip';
import { readJsonFile } from '../../../src/engine/models/sd/config/parse';
import { parseUNetConfig } from '../../../src/engine/models/sd/config/unet';
import { parseVaeConfig } from '../../../src/engine/models/sd/config/vae';
import { buildClipTextEncoder } from '../../../src/engine/models/sd/clip/text-encoder';
import { gateInputName } from '../../../src/engine/models/sd/structure/gates';
import type { ParamSpec, WeightProvider } from '../../../src/engine/models/sd/unet/layers';
import { buildUNet } from '../../../src/engine/models/sd/unet/unet';
import { buildVaeDecoder, buildVaeEncoder } from '../../../src/engine/models/sd/vae/vae';
import { writeModel } from '../../../src/engine/onnx';
import { loadSession, hostTensor, type Feeds, type HostTensor } from '../../../src/engine/runtime';
import { openSafetensors, tensorSource, type SafetensorsFile } from '../../../src/engine/weights';
import { encodeNpy } from '../ts/npy';
import { decodeNpy } from './npy-read';

interface Request {
  readonly unet: { readonly batch: number; readonly height: number; readonly width: number; readonly textLength: number; readonly masked: Readonly<Record<string, readonly number[]>> };
  readonly text: { readonly batch: number; readonly length: number };
  readonly vae: { readonly batch: number; readonly height: number; readonly width: number };
}

/** transformers >= 5 saves CLIPTextModel without the 'text_model.' prefix SD checkpoints carry. */
function fileKey(file: SafetensorsFile, name: string): string {
  const bare = name.replace(/^text_model\./, '');
  return file.tensors.has(name) || !file.tensors.has(bare) ? name : bare;
}

function provider(file: SafetensorsFile): WeightProvider {
  return (spec: ParamSpec) => {
    const t = tensorSource(file, fileKey(file, spec.name), 'float32');
    if (t.shape.join(',') !== spec.shape.join(',')) throw new Error(`${spec.name}: file has [${t.shape.join(', ')}], engine expects [${spec.shape.join(', ')}]`);
    return { dtype: t.dtype, data: t.source };
  };
}

function keyReport(file: SafetensorsFile, specs: readonly ParamSpec[]): { missing: string[]; unused: string[] } {
  const used = new Set(specs.map((s) => fileKey(file, s.name)));
  return { missing: [...used].filter((k) => !file.tensors.has(k)), unused: [...file.tensors.keys()].filter((k) => !used.has(k)) };
}

async function run(graph: Graph, dir: string, feeds: Feeds): Promise<Record<string, HostTensor>> {
  const path = join(dir, `${graph.name}.onnx`);
  await writeModel(graph, path);
  const session = await loadSession({ path }, 'cpu');
  try {
    return await session.run(feeds);
  } finally {
    await session.dispose();
  }
}

function input(dir: string, name: string): HostTensor {
  return decodeNpy(readFileSync(join(dir, 'inputs', `${name}.npy`)));
}

function ones(dims: readonly number[]): HostTensor {
  return hostTensor('float32', dims, new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(1));
}

async function unetCases(dir: string, req: Request['unet'], out: (name: string, t: HostTensor | undefined) => void): Promise<{ missing: string[]; unused: string[] }> {
  const config = parseUNetConfig(readJsonFile(join(dir, 'unet', 'config.json'), 'unet'), { file: join(dir, 'unet', 'config.json'), component: 'unet' });
  const file = await openSafetensors(join(dir, 'unet', 'diffusion_pytorch_model.safetensors'));
  const base = { batch: req.batch, height: req.height, width: req.width, textLength: req.textLength, weights: provider(file) };
  const feeds: Feeds = { sample: input(dir, 'sample'), timestep: input(dir, 'timestep'), encoder_hidden_states: input(dir, 'context') };
  const plain = buildUNet(config, { ...base, name: 'unet_plain' });
  out('unet_plain', (await run(plain.graph, dir, feeds)).out_sample);
  const gated = buildUNet(config, { ...base, gates: 'groups', name: 'unet_gated' });
  const allOn: Record<string, HostTensor> = {};
  const masked: Record<string, HostTensor> = {};
  for (const g of gated.layout.groups) {
    allOn[gateInputName(g.id)] = ones([req.batch, g.width]);
    const m = ones([req.batch, g.width]);
    for (const i of req.masked[g.id] ?? []) for (let n = 0; n < req.batch; n++) m.data[n * g.width + i] = 0;
    masked[gateInputName(g.id)] = m;
  }
  out('unet_gated_ones', (await run(gated.graph, dir, { ...feeds, ...allOn })).out_sample);
  out('unet_masked', (await run(gated.graph, dir, { ...feeds, ...masked })).out_sample);
  return keyReport(file, plain.params);
}

async function textCase(dir: string, req: Request['text'], out: (name: string, t: HostTensor | undefined) => void): Promise<{ missing: string[]; unused: string[] }> {
  const path = join(dir, 'text_encoder', 'config.json');
  const config = parseClipTextConfig(readJsonFile(path, 'text_encoder'), { file: path, component: 'text_encoder' });
  const file = await openSafetensors(join(dir, 'text_encoder', 'model.safetensors'));
  const built = buildClipTextEncoder(config, { batch: req.batch, length: req.length, weights: provider(file) });
  const result = await run(built.graph, dir, { input_ids: input(dir, 'input_ids') });
  out('text_hidden', result.last_hidden_state);
  out('text_pooled', result.pooler_output);
  return keyReport(file, built.params);
}

async function vaeCases(dir: string, req: Request['vae'], out: (name: string, t: HostTensor | undefined) => void): Promise<{ missing: string[]; unused: string[] }> {
  const path = join(dir, 'vae', 'config.json');
  const config = parseVaeConfig(readJsonFile(path, 'vae'), { file: path, component: 'vae' });
  const file = await openSafetensors(join(dir, 'vae', 'diffusion_pytorch_model.safetensors'));
  const options = { batch: req.batch, height: req.height, width: req.width, weights: provider(file) };
  const enc = buildVaeEncoder(config, options);
  const encoded = await run(enc.graph, dir, { image: input(dir, 'image'), noise: input(dir, 'noise') });
  out('vae_mean', encoded.latent_mean);
  out('vae_latents', encoded.latents);
  const dec = buildVaeDecoder(config, options);
  out('vae_image', (await run(dec.graph, dir, { latents: input(dir, 'latents') })).image);
  return keyReport(file, [...enc.params, ...dec.params]);
}

async function main(argv: readonly string[]): Promise<void> {
  const dir = argv[argv.indexOf('--dir') + 1];
  if (!argv.includes('--dir') || !dir) throw new Error('usage: engine-run.ts --dir <folder>');
  const req = JSON.parse(readFileSync(join(dir, 'request.json'), 'utf8')) as Request;
  mkdirSync(join(dir, 'engine'), { recursive: true });
  const out = (name: string, t: HostTensor | undefined): void => {
    if (!t) throw new Error(`no output for ${name}`);
    writeFileSync(join(dir, 'engine', `${name}.npy`), encodeNpy(t));
  };
  const keys = { unet: await unetCases(dir, req.unet, out), text_encoder: await textCase(dir, req.text, out), vae: await vaeCases(dir, req.vae, out) };
  writeFileSync(join(dir, 'engine', 'keys.json'), JSON.stringify(keys, null, 2));
}

main(process.argv.slice(2)).catch((cause: unknown) => {
  console.error(`sd components oracle: ${cause instanceof Error ? cause.stack ?? cause.message : String(cause)}`);
  process.exit(1);
});
