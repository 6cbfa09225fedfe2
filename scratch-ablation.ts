import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPrune } from './src/engine/aptp/trainer/prune-run';
import { clusteredData, tinyPrune } from './tests/aptp/tiny-prune';

for (const ot of [true, false]) {
  const t0 = performance.now();
  const setup = tinyPrune(clusteredData(32, 4), { steps: Number(process.argv[2] ?? 20), batch: 16, microBatch: 8, experts: 4, pretrainSteps: Number(process.argv[4] ?? 2), warmupSteps: 2, optimalTransport: ot, lr: Number(process.argv[3] ?? 2e-4) });
  await setup.stepper.warm(['predictor', 'code']);
  const t1 = performance.now();
  const counts: string[] = [];
  await runPrune(setup.stepper, setup.schedule, setup.initial, {
    signal: new AbortController().signal, pauseRequested: () => false, progress: () => {},
    metrics: (step, v) => { counts.push(`${step}:${[0,1,2,3].map((k) => v[`code/${k}`]).join('/')} r${v['rho/mean']?.toFixed(3)} c${v['loss/contrastive']?.toFixed(4)}`); },
    checkpointDir: await mkdtemp(join(tmpdir(), 'abl-')),
  });
  console.log(ot, 'warm', ((t1 - t0) / 1000).toFixed(1), 's; steps', ((performance.now() - t1) / 1000).toFixed(1), 's');
  console.log(counts.join('  '));
  await setup.stepper.dispose();
}
