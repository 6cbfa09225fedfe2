// The Model view's engine handlers on a tiny diffusers folder written by the loader's test helper
// (random weights, real config keys): the architecture summary agrees with the structure module,
// bad folders get the loader's actionable errors, and generateImage runs as a job whose progress
// counts denoising steps and whose result is a PNG of the asked size; cancel stops it. Every image is
// kept in the workspace (database row, PNG with its settings in text chunks) for the gallery.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStudioService, type StudioService } from '../../../src/engine/host/studio-service';
import { WorkspaceHolder } from '../../../src/engine/host/workspace-holder';
import { parseUNetConfig } from '../../../src/engine/models/sd/config';
import { readPngText } from '../../../src/engine/models/sd/pipeline';
import { summarizeUNet } from '../../../src/engine/models/sd/structure';
import type { StudioEvent } from '../../../src/shared/studio-api';
import { TINY_UNET, writeTinyFolder } from '../models/sd/loader/tiny-folder';

let temp: string;
let model: string;
let workspace: WorkspaceHolder;
let service: StudioService;
const events: StudioEvent[] = [];

beforeAll(async () => {
  temp = mkdtempSync(join(tmpdir(), 'aptp-model-service-'));
  model = await writeTinyFolder(join(temp, 'tiny-sd'));
  workspace = new WorkspaceHolder(join(temp, 'ws'));
  service = createStudioService({ workspace, emit: (e) => events.push(e) });
});

afterAll(async () => {
  await service.close();
  workspace.close();
  rmSync(temp, { recursive: true, force: true });
});

function finishedEvent(jobId: string) {
  return expect.poll(() => events.find((e) => e.event === 'jobFinished' && e.payload.jobId === jobId), { timeout: 60_000 }).toBeDefined();
}

describe('inspectModel', () => {
  it('summarises a diffusers folder: components, parameters, MACs at 256 px, gates per block', async () => {
    const s = await service.handlers.inspectModel({ dir: model });
    expect(s).toMatchObject({ path: model, source: 'diffusers-folder', family: 'custom', variant: null });
    expect(s.components.map((c) => [c.name, c.className])).toEqual([['unet', 'UNet2DConditionModel'], ['text_encoder', 'CLIPTextModel'], ['vae', 'AutoencoderKL']]);
    expect(s.totalParams).toBe(s.components.reduce((a, c) => a + c.params, 0));
    // The tiny VAE halves once (2 px per latent cell), so 256 px is a 128x128 latent.
    expect(s.unet.resolution).toEqual({ width: 256, height: 256 });
    const reference = summarizeUNet(parseUNetConfig(TINY_UNET, { file: 't', component: 'unet' }), { width: 128, height: 128 });
    expect(s.unet.params).toBe(reference.params);
    expect(s.unet.macs).toEqual({ total: reference.macs.total, prunable: reference.macs.prunable });
    expect(s.unet.blocks.map((b) => b.block)).toEqual(reference.blocks.map((b) => b.block));
    expect(s.unet.blocks.reduce((a, b) => a + b.entries, 0)).toBe(reference.widthEntries + reference.depthGates);
    expect(s.generation).toEqual({ available: true, reason: null, tokenizer: join(model, 'tokenizer'), scheduler: 'PNDMScheduler', defaultSampler: 'pndm', predictionType: 'epsilon', width: 16, height: 16, sizeMultiple: 2 });
  });

  it('says what to choose instead for a folder that is not a model', async () => {
    const empty = join(temp, 'photos');
    mkdirSync(empty);
    await expect(service.handlers.inspectModel({ dir: empty })).rejects.toMatchObject({ code: 'not-found', message: expect.stringContaining('has no model_index.json') });
    await expect(service.handlers.inspectModel({ dir: 'relative/dir' })).rejects.toMatchObject({ code: 'invalid-argument' });
  });

  it('names an SDXL UNet and what is supported', async () => {
    const xl = await writeTinyFolder(join(temp, 'xl'));
    const config = JSON.parse(readFileSync(join(xl, 'unet', 'config.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(xl, 'unet', 'config.json'), JSON.stringify({ ...config, addition_embed_type: 'text_time' }));
    await expect(service.handlers.inspectModel({ dir: xl })).rejects.toMatchObject({
      code: 'unsupported-model',
      message: expect.stringMatching(/this is an SDXL UNet.*supported: SD 1\.x and SD 2\.x/),
    });
  });
});

describe('generateImage', () => {
  const request = { prompt: 'a', negativePrompt: '!', seed: 5, steps: 2, guidance: 7.5, width: 16, height: 24, scheduler: 'ddim' as const };

  it('runs as a job: a progress event per step, then the PNG', async () => {
    const { jobId } = await service.handlers.generateImage({ dir: model, ...request });
    await finishedEvent(jobId);
    const mine = events.filter((e) => e.event !== 'runChanged' && e.event !== 'jobStarted' && e.payload.jobId === jobId);
    const steps = mine.flatMap((e) => (e.event === 'jobProgress' ? [`${e.payload.done}/${e.payload.total} ${e.payload.detail}`] : []));
    expect(steps[0]).toBe('0/2 loading the model');
    expect(steps.at(-1)).toBe('2/2 decoding the image');
    const end = mine.at(-1);
    if (end?.event !== 'jobFinished' || end.payload.kind !== 'generateImage' || !end.payload.result.ok) throw new Error(`generation failed: ${JSON.stringify(end)}`);
    const image = end.payload.result.value;
    expect(image).toMatchObject({ width: 16, height: 24, seed: 5, steps: 2, scheduler: 'ddim' });
    const meta = await sharp(Buffer.from(image.dataUrl.replace('data:image/png;base64,', ''), 'base64')).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 16, 24]);
  });

  it('is deterministic per seed and stops when cancelled', async () => {
    const again = await service.handlers.generateImage({ dir: model, ...request });
    const long = await service.handlers.generateImage({ dir: model, ...request, steps: 400 });
    await finishedEvent(again.jobId);
    await expect.poll(() => events.some((e) => e.event === 'jobProgress' && e.payload.jobId === long.jobId && e.payload.done > 0), { timeout: 60_000 }).toBe(true);
    expect(await service.handlers.cancelJob({ jobId: long.jobId })).toEqual({ cancelled: true });
    await finishedEvent(long.jobId);
    const ends = events.filter((e) => e.event === 'jobFinished');
    const urls = ends.flatMap((e) => (e.event === 'jobFinished' && e.payload.kind === 'generateImage' && e.payload.result.ok ? [e.payload.result.value.dataUrl] : []));
    expect(urls).toHaveLength(2);
    // Same pixels (the text chunks differ: each records its own time).
    const pixels = (url: string | undefined) => sharp(Buffer.from((url ?? '').replace('data:image/png;base64,', ''), 'base64')).raw().toBuffer();
    expect(await pixels(urls[0])).toEqual(await pixels(urls[1]));
    expect(ends.at(-1)).toMatchObject({ payload: { jobId: long.jobId, result: { ok: false, error: { code: 'cancelled' } } } });
    expect(await service.handlers.cancelJob({ jobId: long.jobId })).toEqual({ cancelled: false });
  });

  it('keeps every image in the workspace with its settings in the database and the PNG text chunks', async () => {
    const { generations, total } = await service.handlers.listGenerations({ limit: 60, offset: 0 });
    expect(total).toBe(2);
    const [newest] = generations;
    expect(newest).toMatchObject({ model, options: {}, prompt: 'a', negativePrompt: '!', seed: 5, steps: 2, guidance: 7.5, sampler: 'ddim', width: 16, height: 24 });
    expect(newest?.elapsedMs).toBeGreaterThan(0);
    const file = join(temp, 'ws', newest?.file ?? '');
    const text = readPngText(readFileSync(file));
    expect(text['parameters']).toBe(`a\nNegative prompt: !\nSteps: 2, Sampler: ddim, CFG scale: 7.5, Seed: 5, Size: 16x24, Model: tiny-sd`);
    expect(JSON.parse(text['aptp'] ?? '')).toMatchObject({ prompt: 'a', negativePrompt: '!', seed: 5, steps: 2, guidance: 7.5, sampler: 'ddim', width: 16, height: 24, model });
    const whole = await service.handlers.generationImage({ id: newest?.id ?? '', thumbnail: false });
    expect(Buffer.from(whole.dataUrl.replace('data:image/png;base64,', ''), 'base64')).toEqual(readFileSync(file));
    expect(whole.fileName).toBe('a-seed5.png');
    const thumb = await service.handlers.generationImage({ id: newest?.id ?? '', thumbnail: true });
    expect((await sharp(Buffer.from(thumb.dataUrl.slice(22), 'base64')).metadata()).width).toBe(16);
    expect(await service.handlers.deleteGeneration({ id: newest?.id ?? '' })).toEqual({ deleted: true });
    expect(existsSync(file)).toBe(false);
    expect((await service.handlers.listGenerations({ limit: 60, offset: 0 })).total).toBe(1);
    await expect(service.handlers.generationImage({ id: newest?.id ?? '', thumbnail: false })).rejects.toMatchObject({ code: 'not-found' });
    expect(await service.handlers.deleteGeneration({ id: newest?.id ?? '' })).toEqual({ deleted: false });
  });

  it('refuses a size this machine cannot hold before running, with the memory it needs', async () => {
    const { jobId } = await service.handlers.generateImage({ dir: model, ...request, width: 4096, height: 4096 });
    await finishedEvent(jobId);
    expect(events.at(-1)).toMatchObject({ payload: { jobId, result: { ok: false, error: { code: 'invalid-argument', message: expect.stringMatching(/^A 4096×4096 image .* needs at least \d+ GB of memory for attention alone, and this machine has \d+ GB\. Choose a smaller size: about \d+×\d+ or less fits\.$/) } } } });
    expect(events.some((e) => e.event === 'jobProgress' && e.payload.jobId === jobId && e.payload.done > 0)).toBe(false);
  });

  it('finishes with the loader error for a folder that is not a model', async () => {
    const { jobId } = await service.handlers.generateImage({ dir: join(temp, 'photos'), ...request });
    await finishedEvent(jobId);
    expect(events.at(-1)).toMatchObject({ payload: { jobId, result: { ok: false, error: { code: 'not-found' } } } });
  });
});
