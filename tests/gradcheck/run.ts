// `npm run gradcheck`: every gradient rule against central finite differences, one line per op,
// then `N passed, M failed`; exits non-zero on any failure or on a rule without a case.
// Options: --op <Name> (only that op), --seed <n> (shapes and data; default 7), --repeats <n>
// (rounds of freshly drawn shapes and data, seeds seed..seed+n-1; default 3).
import { RULES } from '../../src/engine/autodiff/rules';
import { OP_TYPES } from '../../src/engine/ir/ops';
import { allCases } from './cases';
import { checkCase, TOLERANCE, type CaseResult } from './harness';
import { checkRefusal, REFUSALS } from './refusals';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function summarise(op: string, results: CaseResult[]): { line: string; ok: boolean } {
  const dtypes = [...new Set(results.map((r) => r.dtype))].join('/');
  const maxErr = Math.max(...results.map((r) => r.maxErr));
  const failed = results.filter((r) => !r.ok);
  const head = `${op}: ${failed.length ? 'FAILED' : 'ok'} (${dtypes}, ${results.length} cases, max rel err ${maxErr.toExponential(1)}, tol ${Math.max(...results.map((r): number => TOLERANCE[r.dtype])).toExponential(0)})`;
  const detail = failed.map((r) => `    ${r.name}: ${r.error ?? `rel err ${r.maxErr.toExponential(2)}`}`);
  return { line: [head, ...detail].join('\n'), ok: failed.length === 0 };
}

async function main(): Promise<number> {
  const seed = Number(option('seed') ?? 7);
  const only = option('op');
  const repeats = Number(option('repeats') ?? 3);
  const rounds = Array.from({ length: repeats }, (_, i) => seed + i);
  const cases = rounds.flatMap((s) => allCases(s).filter((c) => !only || c.op === only).map((c) => ({ c, s })));
  const started = Date.now();
  const byOp = new Map<string, CaseResult[]>();
  for (const { c, s } of cases) byOp.set(c.op, [...(byOp.get(c.op) ?? []), await checkCase(c, s)]);
  let passed = 0;
  let failed = 0;
  console.log(`gradcheck: seeds ${rounds.join(',')}, central differences on onnxruntime CPU (float64 where it has the kernels, else float32 between casts)`);
  for (const [op, results] of byOp) {
    const s = summarise(op, results);
    console.log(s.line);
    if (s.ok) passed++;
    else failed++;
  }
  for (const op of OP_TYPES.filter((o) => !only || o === only)) {
    const entry = RULES[op];
    const refusal = REFUSALS[op];
    if (typeof entry === 'function') {
      if (!byOp.has(op)) { console.log(`${op}: FAILED (a gradient rule without a gradcheck case)`); failed++; }
    } else if (refusal) {
      const why = checkRefusal(op, refusal);
      console.log(`${op}: ${why ? `FAILED (${why})` : `ok (${entry.kind}: refuses with no-gradient naming the node)`}`);
      if (why) failed++;
      else passed++;
    } else {
      console.log(`${op}: ${entry.kind} (${entry.why}), nothing to check`);
    }
  }
  console.log(`(${cases.length} cases in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main();
