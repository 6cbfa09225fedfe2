// The studio keeps what it makes: every generated image is written into the workspace
// (samples/generations/ID.png, to a temporary name renamed into place) with its settings in the PNG's
// text chunks, and recorded in the database (migration 006). The gallery's requests read them back:
// the list newest first, one image whole or as a thumbnail, and deleting one (the workspace's copy).
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { GenerationRecord } from '../../shared/history-api';
import type { StudioHandlers } from '../../shared/studio-api';
import { modelOpenOptionsSchema, samplerKindSchema, type GeneratedImage } from '../../shared/studio-model';
import { writeFileAtomically } from '../core/atomic-file';
import { EngineError } from '../core/errors';
import { generationPngText, withPngText } from '../models/sd/pipeline';
import { GenerationRepository, type GenerationRow } from '../store/repositories/generations';
import type { Workspace } from '../store/workspace';
import type { GenerationRequest, MadeImage } from './model-generation';

const FOLDER = join('samples', 'generations');
const THUMBNAIL_SIDE = 256;


/** Writes `made` into the workspace with its settings and records it; answers what the studio shows. */
export function keepGeneration(workspace: Workspace, r: GenerationRequest, made: MadeImage): GeneratedImage {
  const id = randomUUID();
  const { predictionType, tokenizer, configs } = r;
  const options = { ...(predictionType && { predictionType }), ...(tokenizer && { tokenizer }), ...(configs && { configs }) };
  const parameters = { prompt: r.prompt, negativePrompt: r.negativePrompt, seed: r.seed, steps: r.steps, guidance: r.guidance, sampler: made.sampler, width: made.width, height: made.height, model: r.dir, elapsedMs: made.elapsedMs };
  const png = withPngText(made.png, generationPngText(parameters));
  mkdirSync(join(workspace.dir, FOLDER), { recursive: true });
  const file = join(FOLDER, `${id}.png`);
  writeFileAtomically(join(workspace.dir, file), png, { what: 'the generated image as', advice: 'Free some disk space or check the workspace folder is writable, then generate again.' });
  const sha256 = createHash('sha256').update(png).digest('hex');
  new GenerationRepository(workspace.db).add({ ...parameters, id, createdAt: new Date().toISOString(), options, file, bytes: png.length, sha256 });
  return { generationId: id, dataUrl: `data:image/png;base64,${png.toString('base64')}`, width: made.width, height: made.height, seed: r.seed, steps: r.steps, scheduler: made.sampler, elapsedMs: made.elapsedMs };
}

function toRecord(row: GenerationRow): GenerationRecord {
  const options = modelOpenOptionsSchema.safeParse(row.options);
  const sampler = samplerKindSchema.parse(row.sampler);
  return { ...row, options: options.success ? options.data : {}, sampler };
}

function fileName(row: GenerationRow): string {
  const words = row.prompt.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 48) || 'image';
  return `${words}-seed${row.seed}.png`;
}

type HistoryHandlers = Pick<StudioHandlers, 'listGenerations' | 'generationImage' | 'deleteGeneration'>;

export function historyHandlers(workspace: () => Workspace): HistoryHandlers {
  const repo = (): GenerationRepository => new GenerationRepository(workspace().db);
  const find = (id: string): GenerationRow => {
    const row = repo().get(id);
    if (!row) throw new EngineError('not-found', `No generation ${id} in this workspace; it may have been deleted. Reload the gallery.`, { id });
    return row;
  };
  return {
    listGenerations: async ({ limit, offset }) => ({ generations: repo().list(limit, offset).map(toRecord), total: repo().count() }),
    generationImage: async ({ id, thumbnail }) => {
      const row = find(id);
      const path = join(workspace().dir, row.file);
      let bytes: Buffer;
      try {
        bytes = readFileSync(path);
      } catch (cause) {
        throw new EngineError('not-found', `The image file of generation ${id} is missing from the workspace (${row.file}); it was removed outside the studio. Delete the entry from the gallery.`, { id, file: row.file }, { cause });
      }
      if (thumbnail) bytes = await sharp(bytes).resize(THUMBNAIL_SIDE, THUMBNAIL_SIDE, { fit: 'inside', withoutEnlargement: true }).png().toBuffer();
      return { dataUrl: `data:image/png;base64,${bytes.toString('base64')}`, fileName: fileName(row) };
    },
    deleteGeneration: async ({ id }) => {
      const row = repo().get(id);
      if (!row) return { deleted: false };
      rmSync(join(workspace().dir, row.file), { force: true });
      return { deleted: repo().delete(id) };
    },
  };
}
