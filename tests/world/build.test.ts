// `world build` in miniature: a few steps of each stage leave a diffusers folder that the engine's
// own loader opens and generates a 64x64 image from, with the judge beside it; `world refine`
// continues it, alone or as the build's refine stage; and the training
// loop resumes exactly (a run stopped by cancel and continued from its checkpoint ends with the same
// weights and the same metric series as an uninterrupted run).
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDiffusersFolder } from '../../src/engine/models/sd/loader';
import { OnnxComponents, componentSpec, decodeImages, generateLatents } from '../../src/engine/models/sd/pipeline';
import { createSampler } from '../../src/engine/models/sd/schedulers';
import { loadClipTokenizer } from '../../src/engine/models/sd/tokenizer';
import type { TrainingContext } from '../../src/engine/train/loop';
import { runWorldDemo } from '../../src/engine/demo/world-demo';
import { DatasetRepository } from '../../src/engine/store/repositories/datasets';
import { openWorkspace } from '../../src/engine/store/workspace';
import { buildWorldModel, snapshotWorldModel } from '../../src/engine/world/build';
import { builtInWorld } from '../../src/engine/world/built-in';
import { Judge, trainJudge } from '../../src/engine/world/judge';
import { refineWorldModel, snapshotRefinedModel } from '../../src/engine/world/refine';
import { readWorldModel, saveWorldModel } from '../../src/engine/world/save-model';
import { tempDir } from '../engine/store/helpers';

const temp = tempDir('aptp-world-build-');
afterAll(() => temp.cleanup());

function context(dir: string, signal = new AbortController().signal): TrainingContext & { metrics: Map<string, number> } {
  const metrics = new Map<string, number>();
  return { signal, checkpointDir: dir, metrics, metric: (name, step, value) => metrics.set(`${name}@${step}`, value), progress: () => {} };
}

describe('world build', () => {
  it('leaves a folder the engine loads and generates from, and a judge', async () => {
    const out = join(temp.dir, 'model');
    const ctx = context(join(temp.dir, 'ckpt'));
    const r = await buildWorldModel({ seed: 3, out, judgeSteps: 2, judgeBatch: 4, vaeSteps: 2, vaeBatch: 2, decoderSteps: 2, diffusionSteps: 2, emaFrom: 1, diffusionBatch: 2 }, ctx);
    expect(r.diffusion.steps).toBe(2);
    expect(Number.isFinite(r.diffusion.lastLoss) && Number.isFinite(r.vae.lastLoss)).toBe(true);
    expect(ctx.metrics.has('diffusion/loss@2') && ctx.metrics.has('vae/recon_loss@2') && ctx.metrics.has('decoder/recon_loss@2') && ctx.metrics.has('judge/images_per_s@2')).toBe(true);
    expect(r.decoder?.steps).toBe(2);
    expect(existsSync(join(ctx.checkpointDir, 'diffusion.ckpt.safetensors'))).toBe(true);

    const model = await openDiffusersFolder(out);
    expect(model.family).toBe('custom');
    const tokenizer = loadClipTokenizer(model.tokenizer!);
    const components = new OnnxComponents(componentSpec(model, tokenizer.maxLength));
    try {
      const sampler = createSampler('ddim', model.scheduler, 2);
      const latents = await generateLatents(components, tokenizer, sampler, { prompts: ['a red circle on a black background'], guidance: 3, width: 64, height: 64, seed: 1 }, { signal: new AbortController().signal, progress: () => {} });
      const [image] = await decodeImages(components, latents);
      expect(image).toHaveLength(64 * 64 * 3);
    } finally {
      await components.dispose();
    }
    const judge = await Judge.load(join(out, 'judge'), { batch: 2 });
    expect((await judge.read([new Uint8Array(64 * 64 * 3)])).features[0]).toHaveLength(128);
    await judge.dispose();

    // A snapshot of the checkpoints (what `world build --snapshot` writes) is the same model once the
    // build has ended: the fine-tuned decoder, and the UNet's moving average rather than its last step.
    const snap = await snapshotWorldModel(join(temp.dir, 'snapshot'), ctx);
    expect(snap.steps).toEqual({ judge: 2, vae: 2, decoder: 2, diffusion: 2 });
    for (const file of ['unet/diffusion_pytorch_model.safetensors', 'vae/diffusion_pytorch_model.safetensors', 'text_encoder/model.safetensors', 'judge/judge.safetensors', 'vae/config.json']) {
      expect(readFileSync(join(snap.dir, file)).equals(readFileSync(join(out, file))), file).toBe(true);
    }

    // --until: stops the diffusion stage after a step though --steps shapes the schedule; a later
    // call without it continues the same checkpoints (judge, VAE and decoder only load).
    const until = await buildWorldModel({ seed: 3, out, judgeSteps: 2, judgeBatch: 4, vaeSteps: 2, vaeBatch: 2, decoderSteps: 2, diffusionSteps: 4, diffusionUntil: 3, emaFrom: 1, diffusionBatch: 2 }, ctx);
    expect([until.diffusion.steps, until.diffusion.stepsRun, until.judge.stepsRun, until.vae.stepsRun]).toEqual([3, 1, 0, 0]);
    const rest = await buildWorldModel({ seed: 3, out, judgeSteps: 2, judgeBatch: 4, vaeSteps: 2, vaeBatch: 2, decoderSteps: 2, diffusionSteps: 4, emaFrom: 1, diffusionBatch: 2 }, ctx);
    expect([rest.diffusion.steps, rest.diffusion.stepsRun]).toEqual([4, 1]);

    // --refine-steps: the refine stage inside the build is `world refine --from` on the folder the
    // diffusion stage wrote (same seed, steps, mix), byte for byte; the build's snapshot includes it.
    const hardOnly = { easy: 0, medium: 0, hard: 1 };
    const apart = await refineWorldModel({ from: out, out: join(temp.dir, 'refined-apart'), seed: 3, steps: 2, mix: hardOnly, batch: 2 }, context(join(temp.dir, 'refine-apart-ckpt')));
    const inBuild = await buildWorldModel({ seed: 3, out, judgeSteps: 2, judgeBatch: 4, vaeSteps: 2, vaeBatch: 2, decoderSteps: 2, diffusionSteps: 4, emaFrom: 1, diffusionBatch: 2, refineSteps: 2, refineMix: hardOnly }, ctx);
    expect([inBuild.diffusion.stepsRun, inBuild.refine?.steps, inBuild.refine?.stepsRun]).toEqual([0, 2, 2]);
    const withRefine = await snapshotWorldModel(join(temp.dir, 'snapshot-refined'), ctx);
    expect(withRefine.steps).toEqual({ judge: 2, vae: 2, decoder: 2, diffusion: 4, refine: 2 });
    for (const file of ['unet/diffusion_pytorch_model.safetensors', 'text_encoder/model.safetensors', 'vae/diffusion_pytorch_model.safetensors', 'vae/config.json']) {
      expect(readFileSync(join(out, file)).equals(readFileSync(join(apart.dir, file))), file).toBe(true);
      expect(readFileSync(join(withRefine.dir, file)).equals(readFileSync(join(out, file))), file).toBe(true);
    }

    // `world refine`: continues the text encoder and UNet on a chosen mix (hard scenes only here),
    // keeps the VAE, scale and judge byte for byte, and stopping with --until then continuing gives
    // the same folder as the steps taken straight; its snapshot is that folder too.
    const refined = join(temp.dir, 'refined');
    const refineOptions = { from: out, out: refined, seed: 3, steps: 3, mix: { easy: 0, medium: 0, hard: 1 }, batch: 2 };
    const rctx = context(join(temp.dir, 'refine-ckpt'));
    const first = await refineWorldModel({ ...refineOptions, until: 2 }, rctx);
    expect([first.refine.steps, first.refine.stepsRun]).toEqual([2, 2]);
    const second = await refineWorldModel(refineOptions, rctx);
    expect([second.refine.steps, second.refine.stepsRun]).toEqual([3, 1]);
    const straight = await refineWorldModel({ ...refineOptions, out: join(temp.dir, 'refined-straight') }, context(join(temp.dir, 'refine-straight-ckpt')));
    const refinedSnap = await snapshotRefinedModel({ from: out, out: join(temp.dir, 'refined-snapshot') }, rctx);
    expect(refinedSnap.step).toBe(3);
    const bytes = (dir: string, file: string): Buffer => readFileSync(join(dir, file));
    for (const file of ['vae/diffusion_pytorch_model.safetensors', 'vae/config.json', 'judge/judge.safetensors']) expect(bytes(refined, file).equals(bytes(out, file)), file).toBe(true);
    for (const file of ['unet/diffusion_pytorch_model.safetensors', 'text_encoder/model.safetensors']) {
      expect(bytes(refined, file).equals(bytes(out, file)), file).toBe(false);
      expect(bytes(straight.dir, file).equals(bytes(refined, file)), file).toBe(true);
      expect(bytes(refinedSnap.dir, file).equals(bytes(refined, file)), file).toBe(true);
    }
    expect(rctx.metrics.has('refine/loss@3')).toBe(true);
    expect((await openDiffusersFolder(refined)).family).toBe('custom');
    // Resuming a refine checkpoint from another model (another latent scale) is refused, not mixed.
    const other = join(temp.dir, 'other-scale');
    const w = await readWorldModel(out);
    await saveWorldModel(other, { ...w, scalingFactor: w.scalingFactor * 2 });
    mkdirSync(join(other, 'judge'));
    copyFileSync(join(out, 'judge', 'judge.safetensors'), join(other, 'judge', 'judge.safetensors'));
    await expect(refineWorldModel({ ...refineOptions, from: other, steps: 4 }, rctx)).rejects.toThrow(/made from a model with latent scale/);
    await expect(refineWorldModel({ ...refineOptions, from: temp.dir }, context(join(temp.dir, 'refine-bad')))).rejects.toThrow(/not a world model folder/);
    await expect(refineWorldModel({ ...refineOptions, mix: { easy: 0, medium: 0, hard: 0 } }, context(join(temp.dir, 'refine-bad')))).rejects.toThrow(/positive sum/);

    // The demo's world path on this folder: render, import (64 px images), prepare at 64 px, prune.
    const ws = openWorkspace(join(temp.dir, 'ws'));
    try {
      const stages: string[] = [];
      const demo = await runWorldDemo(ws, { modelDir: out, size: 100, steps: 2, seed: 1, threads: 1 }, { signal: new AbortController().signal, stage: (s) => stages.push(s), progress: () => {} });
      expect(stages).toEqual(['world dataset', 'import', 'prepare', 'pruning']);
      expect(demo.status).toBe('completed');
      expect(demo.step).toBe(2);
      expect(demo.items).toBe(100);
      expect(new DatasetRepository(ws.db).get(demo.datasetId)?.name).toBe('world');
      expect(ws.runs.require(demo.runId).config['resolution']).toBe(64);
      expect(demo.experts.reduce((n, e) => n + e.prompts, 0)).toBe(100);
      expect(demo.routedMacs).toBeCloseTo(demo.experts.reduce((sum, e) => sum + e.macs * e.prompts, 0) / 100, 3);
    } finally {
      ws.close();
    }
  }, 900_000);

  it('says where the shipped world model is, or why there is none', () => {
    const world = builtInWorld();
    const shipped = existsSync(join('resources', 'world', 'model_index.json'));
    expect(world.modelDir !== undefined).toBe(shipped);
    expect(world.judgeDir).toBeDefined();
    if (!shipped) expect(world.missing).toMatch(/aptp world build/);
  });

  it('resumes exactly: cancelled after step 2 and continued to 5 equals 5 steps straight', async () => {
    const straight = context(join(temp.dir, 'straight'));
    const a = await trainJudge({ seed: 1, steps: 5, batch: 4 }, straight);

    const abort = new AbortController();
    const stopped = context(join(temp.dir, 'stopped'), abort.signal);
    const original = stopped.metric;
    stopped.metric = (name, step, value) => {
      original(name, step, value);
      if (name === 'judge/loss' && step === 2) abort.abort();
    };
    await expect(trainJudge({ seed: 1, steps: 5, batch: 4 }, stopped)).rejects.toThrow(/cancelled/);
    const resumed = context(join(temp.dir, 'stopped'));
    const b = await trainJudge({ seed: 1, steps: 5, batch: 4 }, resumed);

    for (const [name, t] of Object.entries(a.params)) expect(Array.from(b.params[name]!.data as Float32Array), name).toEqual(Array.from(t.data as Float32Array));
    const losses = (m: Map<string, number>, from: number): number[] => [1, 2, 3, 4, 5].filter((s) => s >= from).map((s) => m.get(`judge/loss@${s}`)!);
    expect(losses(stopped.metrics, 1).slice(0, 2)).toEqual(losses(straight.metrics, 1).slice(0, 2));
    expect(losses(resumed.metrics, 3)).toEqual(losses(straight.metrics, 3));
    expect([a.result.stepsRun, b.result.stepsRun]).toEqual([5, 3]);
    // Called again on the finished checkpoint, the stage only loads: no step, no loss to report.
    const again = await trainJudge({ seed: 1, steps: 5, batch: 4 }, context(join(temp.dir, 'stopped')));
    expect([again.result.steps, again.result.stepsRun, again.result.lastLoss]).toEqual([5, 0, Number.NaN]);
  }, 600_000);
});
