// The Model view's engine handlers on a tiny SD 2.x single-file checkpoint (random weights, original
// LDM layout) with the config overrides the CLI test uses: inspect asks for the prediction type the
// file does not record, then summarises; generation without a tokenizer folder fails saying what to
// choose, with one it returns a PNG; overrides outside the four config keys are refused at the edge.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStudioService, type StudioService } from '../../../src/engine/host/studio-service';
import { WorkspaceHolder } from '../../../src/engine/host/workspace-holder';
import type { StudioEvent } from '../../../src/shared/studio-api';
import { generateImageInputSchema, inspectModel } from '../../../src/shared/studio-model';
import { writeTinyFolder } from '../models/sd/loader/tiny-folder';
import { writeTinyLdm } from '../models/sd/loader/tiny-ldm';

/** The tiny model's heads and groups, which a single file's shapes cannot tell from SD's. */
const configs = { unet: { attention_head_dim: 2, norm_num_groups: 8 }, vae: { norm_num_groups: 4 }, textEncoder: { num_attention_heads: 2 } };
let temp: string;
let checkpoint: string;
let tokenizer: string;
let workspace: WorkspaceHolder;
let service: StudioService;
const events: StudioEvent[] = [];

beforeAll(async () => {
  temp = mkdtempSync(join(tmpdir(), 'aptp-model-single-file-'));
  checkpoint = join(temp, 'tiny-sd2.safetensors');
  await writeTinyLdm(checkpoint, { family: 'sd2' });
  tokenizer = join(await writeTinyFolder(join(temp, 'folder')), 'tokenizer');
  workspace = new WorkspaceHolder(join(temp, 'ws'));
  service = createStudioService({ workspace, emit: (e) => events.push(e) });
});

afterAll(async () => {
  await service.close();
  workspace.close();
  rmSync(temp, { recursive: true, force: true });
});

async function finished(jobId: string) {
  await expect.poll(() => events.find((e) => e.event === 'jobFinished' && e.payload.jobId === jobId), { timeout: 60_000 }).toBeDefined();
  const end = events.find((e) => e.event === 'jobFinished' && e.payload.jobId === jobId);
  if (end?.event !== 'jobFinished' || end.payload.kind !== 'generateImage') throw new Error(`no generateImage end for ${jobId}`);
  return end.payload.result;
}

describe('inspectModel on an SD 2.x single file', () => {
  it('asks for the prediction type, then summarises with the one chosen', async () => {
    await expect(service.handlers.inspectModel({ dir: checkpoint, configs })).rejects.toMatchObject({
      code: 'invalid-argument',
      details: { needs: 'predictionType', choices: ['epsilon', 'v_prediction'] },
    });
    const s = await service.handlers.inspectModel({ dir: checkpoint, configs, predictionType: 'v_prediction' });
    expect(s).toMatchObject({ path: checkpoint, source: 'single-file', variant: null });
    expect(s.generation).toMatchObject({ available: false, tokenizer: null, predictionType: 'v_prediction' });
    expect(s.generation.reason).toMatch(/carries no tokenizer; choose a tokenizer folder \(vocab\.json \+ merges\.txt/);
    const withTokenizer = await service.handlers.inspectModel({ dir: checkpoint, configs, predictionType: 'epsilon', tokenizer });
    expect(withTokenizer.generation).toMatchObject({ available: true, reason: null, tokenizer, predictionType: 'epsilon' });
  });

  it('refuses overrides outside unet, textEncoder, vae and scheduler, and relative tokenizer paths', async () => {
    expect(inspectModel.input.safeParse({ dir: checkpoint, configs: { unetz: {} } }).success).toBe(false);
    expect(inspectModel.input.safeParse({ dir: checkpoint, configs: { unet: 3 } }).success).toBe(false);
    expect(inspectModel.input.safeParse({ dir: checkpoint, configs, predictionType: 'sample' }).success).toBe(false);
    await expect(service.handlers.inspectModel({ dir: checkpoint, configs, predictionType: 'epsilon', tokenizer: 'tokenizer' })).rejects.toMatchObject({ code: 'invalid-argument' });
  });
});

describe('generateImage on an SD 2.x single file', () => {
  const request = generateImageInputSchema.parse({ dir: '/x', prompt: 'a', seed: 3, steps: 2, guidance: 7.5, width: 16, height: 16 });

  it('fails without a tokenizer folder, saying to choose one', async () => {
    const { jobId } = await service.handlers.generateImage({ ...request, dir: checkpoint, configs, predictionType: 'epsilon' });
    const result = await finished(jobId);
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-argument', details: { needs: 'tokenizer' } } });
    if (!result.ok) expect(result.error.message).toMatch(/carries no tokenizer; choose a tokenizer folder/);
  });

  it('returns the PNG with one, and opens the file anew when the options change', async () => {
    const first = await finished((await service.handlers.generateImage({ ...request, dir: checkpoint, configs, predictionType: 'epsilon', tokenizer })).jobId);
    const v = await finished((await service.handlers.generateImage({ ...request, dir: checkpoint, configs, predictionType: 'v_prediction', tokenizer })).jobId);
    if (!first.ok || !v.ok) throw new Error(`generation failed: ${JSON.stringify([first, v])}`);
    expect(first.value).toMatchObject({ width: 16, height: 16, steps: 2 });
    const meta = await sharp(Buffer.from(first.value.dataUrl.replace('data:image/png;base64,', ''), 'base64')).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 16, 16]);
    // The same noise read as velocity rather than noise gives another image: the sessions were not reused.
    expect(v.value.dataUrl).not.toBe(first.value.dataUrl);
  });
});
