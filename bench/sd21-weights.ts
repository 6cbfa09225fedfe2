// The SD 2.1 UNet benches' shared setup: a diffusers folder with the real SD 2.1 UNet config and
// seeded random weights (865.9M parameters, 3.46 GB float32), streamed tensor by tensor into one
// safetensors file, plus peak-RSS and timing helpers that print `name: value` lines.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DTYPE_INFO, tensorBytes } from '../src/engine/core/dtype';
import { numel } from '../src/engine/core/shape';
import { SD21_UNET_JSON, presetUNetConfig } from '../src/engine/models/sd/structure/presets';
import { countParams, unetParamSpecs } from '../src/engine/models/sd/structure/summary';
import { randomWeights } from '../src/engine/models/sd/unet/layers';
import { writeSafetensors } from '../src/engine/weights';

export function line(name: string, value: string | number): void {
  console.log(`${name}: ${value}`);
}

/** VmHWM (peak) or VmRSS (now) of this process, in MB. */
export function rssMb(which: 'VmHWM' | 'VmRSS' = 'VmHWM'): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = Number(new RegExp(`${which}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN);
  return Math.round(kb / 1024);
}

export async function timed<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
  const start = performance.now();
  const out = await fn();
  line(`${name}_s`, ((performance.now() - start) / 1000).toFixed(2));
  return out;
}

/** Path of the folder's weights file. */
export const sd21WeightsPath = (dir: string): string => join(dir, 'unet', 'diffusion_pytorch_model.safetensors');

/** The diffusers folder: config.json + safetensors streamed tensor by tensor from seeded random. */
export async function writeSd21Folder(dir: string): Promise<string> {
  const specs = unetParamSpecs(presetUNetConfig('sd21'));
  line('sd21_unet_params', countParams(specs));
  const random = randomWeights(21);
  const tensors = specs.map((spec) => ({
    name: spec.name, dtype: 'F32' as const, shape: spec.shape,
    data: { kind: 'lazy' as const, byteLength: numel(spec.shape) * DTYPE_INFO.float32.bytes, load: () => Promise.resolve(tensorBytes(random(spec).data as Float32Array)) },
  }));
  mkdirSync(join(dir, 'unet'), { recursive: true });
  writeFileSync(join(dir, 'unet', 'config.json'), JSON.stringify(SD21_UNET_JSON, null, 2));
  const path = sd21WeightsPath(dir);
  await writeSafetensors(path, tensors);
  return path;
}
