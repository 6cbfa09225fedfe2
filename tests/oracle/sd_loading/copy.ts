// Oracle bridge: reads every tensor of a safetensors file with the engine's lazy reader and writes
// them with the engine's writer (BF16 arrives as float32, everything else as stored), keeping the
// metadata, so pytest can compare both directions with the reference safetensors library.
import { openSafetensors, readTensor, type SafetensorsDType, type TensorToWrite, writeSafetensors } from '../../../src/engine/weights';

const [from, to] = process.argv.slice(2);
if (!from || !to) throw new Error('usage: copy.ts <in.safetensors> <out.safetensors>');
const ST: Record<string, SafetensorsDType> = { float32: 'F32', float16: 'F16', float64: 'F64', int64: 'I64', int32: 'I32', int8: 'I8', uint8: 'U8', bool: 'BOOL' };
const file = await openSafetensors(from);
const tensors: TensorToWrite[] = [];
for (const name of file.tensors.keys()) {
  const t = await readTensor(file, name);
  tensors.push({ name, dtype: ST[t.dtype] ?? 'F32', shape: t.shape, data: t.data });
}
await writeSafetensors(to, tensors, file.metadata);
