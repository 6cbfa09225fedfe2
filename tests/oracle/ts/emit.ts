// The oracle bridge, TypeScript side: for each case, builds the function with GraphBuilder, adds its
// vector-Jacobian product with autodiff (seed fed as input 'grad/seed'), emits ONNX, runs it on
// onnxruntime-node (CPU) and writes model.onnx, inputs and outputs as .npy plus case.json into
// <out>/<case>/. A case that fails to build or run writes case.json with its error, so pytest
// reports that case (not the whole run) as failed.
//   tsx tests/oracle/ts/emit.ts --out tests/oracle/cache/composites [--only name,name]
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { grad } from '../../../src/engine/autodiff/grad';
import { GraphBuilder, type Value } from '../../../src/engine/ir';
import { emitModel } from '../../../src/engine/onnx/model';
import { openSession, type HostTensor } from '../../../src/engine/runtime';
import { InputMaker, type OracleCase } from './case';
import { ORACLE_CASES } from './cases/index';
import { encodeNpy } from './npy';

interface CaseRecord {
  name: string;
  dtype: string;
  why32?: string;
  wrt: readonly string[];
  inputs: Record<string, string>;
  outputs: Record<string, string>;
  error?: string;
}

const fileName = (name: string): string => `${name.replace(/[^A-Za-z0-9_.-]/g, '__')}.npy`;

function seedOf(name: string): number {
  let h = 2166136261;
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return h;
}

function writeTensors(dir: string, tensors: Readonly<Record<string, HostTensor>>): Record<string, string> {
  mkdirSync(dir, { recursive: true });
  const files: Record<string, string> = {};
  for (const [name, t] of Object.entries(tensors)) {
    files[name] = fileName(name);
    writeFileSync(join(dir, files[name]), encodeNpy(t));
  }
  return files;
}

async function runCase(c: OracleCase, dir: string, record: CaseRecord): Promise<void> {
  const maker = new InputMaker(c.dtype, seedOf(c.name));
  const inputs = c.inputs(maker);
  const b = new GraphBuilder(c.name);
  const values: Record<string, Value> = {};
  for (const [name, t] of Object.entries(inputs)) values[name] = b.input(name, c.dtype, t.dims);
  const y = c.forward(b, values);
  b.output(y, 'y');
  const graph = grad(b.build(), { loss: 'y', wrt: c.wrt, seed: 'input' });
  const feeds = { ...inputs, 'grad/seed': maker.normal(y.type.shape) };
  const bytes = emitModel(graph);
  writeFileSync(join(dir, 'model.onnx'), bytes);
  record.inputs = writeTensors(join(dir, 'inputs'), feeds);
  const session = await openSession({ bytes, name: c.name }, { provider: 'cpu' });
  record.outputs = writeTensors(join(dir, 'outputs'), await session.run(feeds));
}

async function main(argv: readonly string[]): Promise<void> {
  const out = argv[argv.indexOf('--out') + 1];
  if (!argv.includes('--out') || !out) throw new Error('usage: emit.ts --out <dir> [--only a,b]');
  const only = argv.includes('--only') ? (argv[argv.indexOf('--only') + 1] ?? '').split(',') : undefined;
  const cases = ORACLE_CASES.filter((c) => !only || only.includes(c.name));
  for (const c of cases) {
    const dir = join(out, c.name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const record: CaseRecord = { name: c.name, dtype: c.dtype, wrt: c.wrt, inputs: {}, outputs: {}, ...(c.why32 ? { why32: c.why32 } : {}) };
    try {
      await runCase(c, dir, record);
    } catch (cause) {
      record.error = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    }
    writeFileSync(join(dir, 'case.json'), JSON.stringify(record, null, 2));
  }
  writeFileSync(join(out, 'cases.json'), JSON.stringify(cases.map((c) => c.name)));
}

main(process.argv.slice(2)).catch((cause: unknown) => {
  console.error(`oracle emit: ${cause instanceof Error ? cause.message : String(cause)}`);
  process.exit(1);
});
