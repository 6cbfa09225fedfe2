// Inference routing rules on a finished pruning run (issue 9 item 1): how the run's final router
// spreads its dataset's prompts over the K experts and what a prompt then costs on average, for
// the plain argmax of APTP.md and for the balanced routing the engine records (code biases from
// Sinkhorn's potentials, router/code-bias.ts); as the reference in the same run, the training rule
// (Gumbel noise on prompts and codes, Sinkhorn over all prompts, argmax), its majority over draws,
// and how often each rule agrees with it. Also each code's MACs as shipped (router/calibrated-experts.ts),
// expected under the training's noise (what the resource loss met; and the mean over the draws), and
// without noise. MACs per prompt are the shipped experts'. For world datasets the mean MACs per
// difficulty are given too.
// Run: npx tsx bench/routing-rules.ts RUN [--draws 64] [--workspace DIR]
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { biasedArgmax, calibratedExpert, codeBiases, gatePreactivations, gumbelNoise, routerForward, routerParamShapes, ROUTER_INPUTS, ROUTER_PARAMS } from '../src/engine/aptp/router';
import { gatedMacs } from '../src/engine/aptp/losses';
import { latestCheckpoint, loadCheckpoint } from '../src/engine/aptp/trainer/checkpoint';
import { openPruneJob } from '../src/engine/aptp/trainer/prune-job';
import { cacheKey, captionHash, PreparedCache } from '../src/engine/data/prepared-cache';
import { GraphSessions } from '../src/engine/data/sd-encoders';
import { GraphBuilder } from '../src/engine/ir';
import { hostTensor } from '../src/engine/runtime';
import { RoutingRepository } from '../src/engine/store/repositories/routing';
import { defaultWorkspaceDir, openWorkspace } from '../src/engine/store/workspace';
import { Random } from '../src/engine/train/random';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { draws: { type: 'string', default: '64' }, workspace: { type: 'string' } } });
const ws = openWorkspace(values.workspace ?? defaultWorkspaceDir());
const run = ws.runs.byPrefix(positionals[0] ?? '');
const job = await openPruneJob(ws, { resumeRunId: run.id });
const { router: spec, losses } = job.setup.stepper.setup;
if (spec.kind !== 'router') throw new Error('the single-architecture baseline routes every prompt to its one architecture');
const checkpoint = await latestCheckpoint(join(ws.dir, 'checkpoints', run.id));
if (!checkpoint) throw new Error(`run ${run.id} has no checkpoint yet`);
const state = (await loadCheckpoint(checkpoint)).state;
const items = new RoutingRepository(ws.db).promptItems(job.dataset.id);
const cache = new PreparedCache(ws);
const [n, e, l, k] = [items.length, spec.embedDim, spec.layout.vectorLength, spec.experts];
const embedding = new Float32Array(n * e);
for (const [i, item] of items.entries()) embedding.set((await cache.read(cacheKey('prompt-embedding', captionHash(item.caption), job.promptEncoder, 0, '')))!.data as Float32Array, i * e);

// scores and code gates with the noise as inputs (zeros: without noise); the training assignment (Sinkhorn over all n)
const b = new GraphBuilder('routing_rules');
const params = Object.fromEntries(routerParamShapes(spec).map((p) => [p.name, b.input(p.name, 'float32', p.dims)]));
const routed = routerForward(b, spec, { params, embedding: b.input(ROUTER_INPUTS.embedding, 'float32', [n, e]), predictorNoise: b.input('prompt_noise', 'float32', [n, l]), codeNoise: b.input('code_noise', 'float32', [k, l]) }, true);
b.output(routed.scores!, 'scores');
b.output(routed.assignment!, 'assignment');
b.output(routed.codeGates!, 'code_gates');
b.output(gatePreactivations(b, spec, params[ROUTER_PARAMS.codebook]!), 'code_pre');
const sessions = new GraphSessions({ intraOpThreads: 1 });
const session = await sessions.get('rules', () => b.build());
const fixed = Object.fromEntries(routerParamShapes(spec).map((p) => [p.name, hostTensor('float32', p.dims, state.params[p.name]!.data as Float32Array)]));
const route = (promptNoise: Float32Array, codeNoise: Float32Array) => session.run({ ...fixed, [ROUTER_INPUTS.embedding]: hostTensor('float32', [n, e], embedding), prompt_noise: hostTensor('float32', [n, l], promptNoise), code_noise: hostTensor('float32', [k, l], codeNoise) });
const codeMacs = (gates: Float32Array): number[] => Array.from({ length: k }, (_, c) => gatedMacs(losses.resource, Array.from(gates.subarray(c * l, (c + 1) * l), (g) => (g >= 0.5 ? 1 : 0))));

const clean = await route(new Float32Array(n * l), new Float32Array(k * l));
const scores = clean['scores']!.data as Float32Array;
const noiseFreeMacs = codeMacs(clean['code_gates']!.data as Float32Array);
const codePre = clean['code_pre']!.data as Float32Array;
const shipped = Array.from({ length: k }, (_, c) => calibratedExpert(spec, losses.resource, codePre.subarray(c * l, (c + 1) * l)));
const macs = shipped.map((s) => s.macs);
const draws = Number(values.draws);
const rand = new Random(20261201);
const votes = Array.from({ length: n }, () => new Array<number>(k).fill(0));
const noisyMacs = new Array<number>(k).fill(0);
const agreeDraw = { plain: 0, balanced: 0 };
const plain = biasedArgmax(scores, n, k, new Array<number>(k).fill(0)).expert;
const bias = codeBiases(scores, n, k, { epsilon: spec.sinkhornEpsilon });
const balanced = biasedArgmax(scores, n, k, bias).expert;
for (let d = 0; d < draws; d++) {
  const out = await route(gumbelNoise(rand, n * l), gumbelNoise(rand, k * l));
  const assigned = Array.from(out['assignment']!.data as BigInt64Array, Number);
  assigned.forEach((c, i) => { votes[i]![c]! += 1; });
  agreeDraw.plain += assigned.filter((c, i) => c === plain[i]).length / (n * draws);
  agreeDraw.balanced += assigned.filter((c, i) => c === balanced[i]).length / (n * draws);
  codeMacs(out['code_gates']!.data as Float32Array).forEach((m, c) => { noisyMacs[c]! += m / draws; });
}
const majority = votes.map((v) => v.indexOf(Math.max(...v)));
const difficulty = worldDifficulties();
const mm = (x: number): string => (x / 1e6).toFixed(1);

function line(name: string, assigned: readonly number[], agree?: number): string {
  const counts = new Array<number>(k).fill(0);
  assigned.forEach((c) => { counts[c]! += 1; });
  const mean = assigned.reduce((s, c) => s + macs[c]!, 0) / n;
  const byDifficulty = new Map<string, number[]>();
  items.forEach((item, i) => { const d = difficulty.get(item.caption); if (d) byDifficulty.set(d, [...(byDifficulty.get(d) ?? []), macs[assigned[i]!]!]); });
  const perDifficulty = [...byDifficulty].map(([d, m]) => `${d} ${mm(m.reduce((a, x) => a + x, 0) / m.length)}`).join(', ');
  const majorityAgree = assigned.filter((c, i) => c === majority[i]).length / n;
  return `| ${name} | ${counts.join('/')} | ${mm(mean)} | ${perDifficulty || '-'} | ${(100 * majorityAgree).toFixed(0)}% | ${agree === undefined ? '-' : `${(100 * agree).toFixed(0)}%`} |`;
}

/** caption -> difficulty, when the dataset is a world dataset (its metadata.jsonl says so). */
function worldDifficulties(): Map<string, string> {
  const metadata = join(job.dataset.root, 'metadata.jsonl');
  if (!existsSync(metadata)) return new Map();
  const rows = readFileSync(metadata, 'utf8').split('\n').filter((r) => r.trim() !== '').map((r) => JSON.parse(r) as { text?: string; difficulty?: string });
  return new Map(rows.filter((r) => r.text && r.difficulty).map((r) => [r.text!, r.difficulty!]));
}

console.log(`run ${run.id}: ${n} prompts, ${k} experts, budget ${mm(job.estimate.budgetMacs)} of ${mm(job.estimate.totalMacs)} MMACs, ${draws} noise draws`);
console.log(`experts' MMACs shipped: ${macs.map(mm).join(' ')}; expected under the training's noise: ${shipped.map((s) => mm(s.expectedMacs)).join(' ')} (mean of the draws: ${noisyMacs.map(mm).join(' ')}); without noise: ${noiseFreeMacs.map(mm).join(' ')}`);
console.log(`code biases: ${bias.map((x) => x.toFixed(4)).join(' ')}`);
console.log('| rule | prompts per expert | MMACs per prompt | by difficulty | agrees with training majority | with a training draw |');
console.log('|---|---|---|---|---|---|');
console.log(line('plain argmax (APTP.md)', plain, agreeDraw.plain));
console.log(line('balanced (code biases)', balanced, agreeDraw.balanced));
console.log(line('training majority (Sinkhorn, noise)', majority));
await sessions.dispose();
await job.dispose();
ws.close();
