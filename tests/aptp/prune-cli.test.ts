// `aptp prune` as a user runs it: real processes on a tiny diffusers folder and a dataset imported
// and prepared with `aptp data`. A run prints the budget in MACs, the prunable target and the step
// memory, records every step's metrics, its routing and per-code samples in SQLite; Ctrl-C writes a
// checkpoint and exits 130, and `--resume RUN` finishes the run; bad input exits 2 with what to do.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelResolution } from '../../src/engine/data/model-id';
import { put, solidImage } from '../engine/data/fixtures';
import { writeTinyFolder } from '../engine/models/sd/loader/tiny-folder';
import { tempDir } from '../engine/store/helpers';

const root = join(import.meta.dirname, '..', '..');
const temp = tempDir('aptp-prune-cli-');
const workspace = join(temp.dir, 'workspace');
const model = join(temp.dir, 'model');
const env = { ...process.env, APTP_WORKSPACE: workspace, APTP_THREADS: '1' };
const entry = ['--import', 'tsx', join(root, 'src/cli/entry.ts')];

function aptp(...args: string[]) {
  const r = spawnSync(process.execPath, [...entry, ...args], { cwd: root, encoding: 'utf8', env });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const RUN = ['prune', '--model', model, '--dataset', 'data', '--budget', '0.7', '--preset', 'quick', '--steps', '6', '--batch', '4', '--micro-batch', '2', '--experts', '2', '--pretrain-steps', '2', '--warmup-steps', '1', '--resolution', '64', '--sample-every', '3', '--sample-steps', '2'];

beforeAll(async () => {
  const data = join(temp.dir, 'data');
  for (let i = 0; i < 6; i++) {
    put(data, `${i}.png`, await solidImage('png', 300, 300, i + 1));
    put(data, `${i}.txt`, ['a red square', 'a blue circle', 'text that says hello', 'a portrait', 'a painting of a lake', 'two cats'][i] ?? '');
  }
  await writeTinyFolder(model);
  for (const args of [['data', 'import', data], ['data', 'prepare', 'data', '--model', model, '--resolution', '64'], ['data', 'import', join(temp.dir, 'raw')]]) {
    if (args[2]?.endsWith('raw')) { mkdirSync(args[2], { recursive: true }); put(args[2], 'x.png', await solidImage('png', 300, 300, 9)); put(args[2], 'x.txt', 'raw'); }
    const r = aptp(...args);
    if (r.code !== 0) throw new Error(`${args.join(' ')}: ${r.err}`);
  }
}, 600_000);
afterAll(() => temp.cleanup());

describe('aptp prune', () => {
  it('refuses bad input with exit 2 and what to do', { timeout: 600_000 }, async () => {
    const budget = aptp(...RUN.map((a) => (a === '0.7' ? '1.5' : a)));
    expect(budget.code).toBe(2);
    expect(budget.err).toMatch(/--budget must be in \(0, 1\]/);
    const experts = aptp(...RUN.map((a, i) => (RUN[i - 1] === '--experts' ? '0' : a)));
    expect(experts.code).toBe(2);
    expect(experts.err).toMatch(/--experts must be a whole number >= 1/);
    const unprepared = aptp(...RUN.map((a) => (a === 'data' ? 'raw' : a)));
    expect(unprepared.code).toBe(2);
    expect(unprepared.err).toMatch(/no items prepared for this model at 64px; run `aptp data prepare raw --model/);
    // without --resolution a run trains at the model's own resolution, the one `aptp data prepare` defaults to
    const own = await modelResolution(model);
    const ownResolution = aptp(...RUN.filter((a, i) => a !== '--resolution' && RUN[i - 1] !== '--resolution').map((a) => (a === 'data' ? 'raw' : a)));
    expect(ownResolution.code).toBe(2);
    expect(ownResolution.err).toContain(`no items prepared for this model at ${own}px; run \`aptp data prepare raw --model ${model} --resolution ${own}\``);
    const notModel = join(temp.dir, 'not-a-model');
    mkdirSync(notModel, { recursive: true });
    writeFileSync(join(notModel, 'readme.txt'), 'hello');
    const bad = aptp(...RUN.map((a) => (a === model ? notModel : a)));
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^aptp: .+/);
    const encoder = aptp(...RUN, '--text-encoder', `sentence-transformers:${model}`);
    expect(encoder.code).toBe(2);
    expect(encoder.err).toMatch(/diffusers pipeline folder/);
    const choice = aptp(...RUN, '--text-encoder', 'clip');
    expect(choice.code).toBe(2);
    expect(choice.err).toMatch(/--text-encoder must be 'model'.*or 'sentence-transformers:DIR'/);
    const memory = aptp(...RUN, '--memory', 'small');
    expect(memory.code).toBe(2);
    expect(memory.err).toMatch(/--memory: .*"fast"\|"lean"/);
  });

  it('prints the plan, checkpoints and exits 130 on Ctrl-C, and resumes to the end', { timeout: 600_000 }, async () => {
    const child = spawn(process.execPath, [...entry, ...RUN], { cwd: root, env });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (/pruning .*[1-5]\/6/.test(err) && !child.killed) child.kill('SIGINT');
      });
      child.on('close', resolve);
    });
    expect(code, err).toBe(130);
    expect(out).toMatch(/budget\s+0\.7 of [\d.]+ GMACs = [\d.]+ GMACs per image step at \d+x\d+ latents/);
    expect(out).toMatch(/prunable target\s+0\.\d{4} of the prunable/);
    expect(out).toMatch(/memory per micro-batch step\s+about [\d.]+ [KMG]?i?B \(fast: /);
    // 4 code-gated steps at 2e-4 x sqrt(4) cannot switch a gate off; the plan says so and what to change
    expect(out).toMatch(/warning\s+at --lr 0\.0002 \(x sqrt\(batch\)\) the gate logits move about 0\.00 over these steps, less than the 3 that switches a gate off.*higher --lr \(about \d/);
    // started from a shell without glibc's allocator setting, `aptp prune` restarted itself with it
    if (process.platform === 'linux' && process.env['MALLOC_MMAP_THRESHOLD_'] === undefined) expect(out).toMatch(/allocator\s+glibc mmap threshold 131072 bytes/);
    const runId = /^run\s+(\S+)/m.exec(out)?.[1] ?? '';
    expect(out).toContain(`aptp prune --resume ${runId}`);
    const checkpoints = readdirSync(join(workspace, 'checkpoints', runId));
    expect(checkpoints).toHaveLength(1);
    const resumed = aptp('prune', '--resume', runId.slice(0, 8));
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.out).toMatch(/status\s+completed/);
    const db = new BetterSqlite3(join(workspace, 'studio.db'), { readonly: true });
    try {
      const steps = db.prepare("SELECT DISTINCT step FROM metric_series WHERE run_id = ? AND name = 'loss/total' ORDER BY step").all(runId) as { step: number }[];
      expect(steps.map((s) => s.step)).toEqual([0, 1, 2, 3, 4, 5]);
      const status = db.prepare('SELECT status, progress_done AS done, progress_total AS total FROM runs WHERE id = ?').get(runId) as { status: string; done: number; total: number };
      expect(status.status).toBe('completed');
      const samples = db.prepare('SELECT step, count(*) AS n FROM run_samples WHERE run_id = ? GROUP BY step ORDER BY step').all(runId) as { step: number; n: number }[];
      expect(samples).toEqual([{ step: 3, n: 8 }, { step: 6, n: 8 }]);
      const routed = db.prepare('SELECT count(*) AS n FROM routing_assignments WHERE run_id = ?').get(runId) as { n: number };
      expect(routed.n).toBe(6);
      // A terminal's run records its progress, so the studio follows it step by step.
      expect([status.done, status.total]).toEqual([6, 6]);
    } finally {
      db.close();
    }
    expect(existsSync(join(workspace, 'checkpoints', runId, 'step-00000006.safetensors'))).toBe(true);
    // what the run routed: at the end of the command and in `aptp runs show` (text and JSON)
    const routedRow = /routed\s+[\d.]+ MMACs per prompt on average over the 6 prompts \(budget [\d.]+ MMACs\), of [\d.]+ MMACs unpruned/;
    expect(resumed.out).toMatch(/experts\s+#0 [\d.]+ MMACs: \d+ prompts, #1 [\d.]+ MMACs: \d+ prompts/);
    expect(resumed.out).toMatch(routedRow);
    const shown = aptp('runs', 'show', runId.slice(0, 8));
    expect(shown.out).toMatch(routedRow);
    const json = JSON.parse(aptp('runs', 'show', runId.slice(0, 8), '--json').out) as { routing: { prompts: number; experts: { prompts: number; bias: number }[] } };
    expect(json.routing.prompts).toBe(6);
    expect(json.routing.experts.reduce((n, e) => n + e.prompts, 0)).toBe(6);
  });
  it('is a run any process controls: `aptp runs pause` stops it with a checkpoint, `aptp runs resume` finishes it in a worker (in --memory lean, recorded)', { timeout: 600_000 }, async () => {
    const child = spawn(process.execPath, [...entry, ...RUN.map((a, i) => (RUN[i - 1] === '--steps' ? '8' : a)), '--memory', 'lean'], { cwd: root, env });
    let out = '';
    let err = '';
    let paused: ReturnType<typeof aptp> | undefined;
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        const runId = /^run\s+(\S+)/m.exec(out)?.[1];
        if (!paused && runId && /pruning .*[1-6]\/8/.test(err)) paused = aptp('runs', 'pause', runId.slice(0, 8));
      });
      child.on('close', resolve);
    });
    expect(paused?.code, paused?.err).toBe(0);
    expect(code, err).toBe(130);
    expect(out).toMatch(/status\s+paused/);
    const runId = /^run\s+(\S+)/m.exec(out)?.[1] ?? '';
    const listed = aptp('runs', 'list');
    expect(listed.out).toMatch(new RegExp(`${runId.slice(0, 8)}.*prune.*paused`));
    const resumed = aptp('runs', 'resume', runId.slice(0, 8));
    expect(resumed.code, resumed.err).toBe(0);
    const followed = aptp('runs', 'follow', runId.slice(0, 8));
    expect(followed.code, followed.err).toBe(0);
    const db = new BetterSqlite3(join(workspace, 'studio.db'), { readonly: true });
    try {
      const steps = db.prepare("SELECT step FROM metric_series WHERE run_id = ? AND name = 'loss/total' ORDER BY step").all(runId) as { step: number }[];
      expect(steps.map((s) => s.step)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      const run = db.prepare('SELECT status, attempts, config_json AS config FROM runs WHERE id = ?').get(runId) as { status: string; attempts: number; config: string };
      expect(run.status).toBe('completed');
      expect((JSON.parse(run.config) as { memory?: string }).memory).toBe('lean');
    } finally {
      db.close();
    }
  });
});
