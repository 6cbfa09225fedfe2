// The SD 2.1 UNet as a diffusers folder with seeded random weights (865.9M parameters, 3.46 GB
// float32): config.json + one safetensors streamed tensor by tensor, never gathered in one buffer.
// Shared by the SD 2.1 benches (sd21-unet.ts, aptp-step.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DTYPE_INFO, tensorBytes } from '../src/engine/core/dtype';
import { numel } from '../src/engine/core/shape';
import { SD21_UNET_JSON, presetUNetConfig } from '../src/engine/models/sd/structure/presets';
import { countParams, unetParamSpecs } from '../src/engine/models/sd/structure/summary';
import { randomWeights } from '../src/engine/models/sd/unet/layers';
import { writeSafetensors } from '../src/engine/weights';

/** Writes `dir/unet/{config.json, diffusion_pytorch_model.safetensors}`; returns the weights path and the parameter count. */
export async function writeSd21Folder(dir: string): Promise<{ path: string; params: number }> {
  const specs = unetParamSpecs(presetUNetConfig('sd21'));
  const random = randomWeights(21);
  const tensors = specs.map((spec) => ({
    name: spec.name, dtype: 'F32' as const, shape: spec.shape,
    data: { kind: 'lazy' as const, byteLength: numel(spec.shape) * DTYPE_INFO.float32.bytes, load: () => Promise.resolve(tensorBytes(random(spec).data as Float32Array)) },
  }));
  mkdirSync(join(dir, 'unet'), { recursive: true });
  writeFileSync(join(dir, 'unet', 'config.json'), JSON.stringify(SD21_UNET_JSON, null, 2));
  const path = join(dir, 'unet', 'diffusion_pytorch_model.safetensors');
  await writeSafetensors(path, tensors);
  return { path, params: countParams(specs) };
}
