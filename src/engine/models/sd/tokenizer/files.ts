// Loads a CLIP tokenizer from a diffusers `tokenizer/` folder as shipped: vocab.json + merges.txt
// (or, for folders saved by transformers >= 5, which writes only tokenizer.json, the BPE vocab and
// merges inside it), with special tokens and model_max_length from tokenizer_config.json, overridden
// by special_tokens_map.json when present (as transformers applies them), and each special token's
// `normalized` flag read from the files as transformers 5 resolves it (see specialTokens), never assumed.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError } from '../../../core/errors';
import { readJsonFile } from '../config';
import { ClipTokenizer, type ClipTokenizerSpec, type TokenizerFlavor } from './clip-tokenizer';

export interface TokenizerPaths {
  /** vocab.json and merges.txt, or both null when only tokenizer.json holds them. */
  readonly vocab: string | null;
  readonly merges: string | null;
  readonly tokenizerJson: string | null;
  readonly config: string | null;
  readonly specialTokensMap: string | null;
}

const DEFAULTS = { bos_token: '<|startoftext|>', eos_token: '<|endoftext|>', unk_token: '<|endoftext|>', pad_token: '<|endoftext|>' } as const;
type Role = keyof typeof DEFAULTS;

/** The paths of the files in a tokenizer folder (vocab.json + merges.txt, or tokenizer.json). */
export function tokenizerPaths(dir: string): TokenizerPaths {
  const opt = (name: string): string | null => (existsSync(join(dir, name)) ? join(dir, name) : null);
  const vocab = opt('vocab.json');
  const merges = opt('merges.txt');
  const tokenizerJson = opt('tokenizer.json');
  if ((vocab === null || merges === null) && tokenizerJson === null) {
    const missing = join(dir, vocab === null ? 'vocab.json' : 'merges.txt');
    throw new EngineError('not-found', `${missing} is missing; the CLIP tokenizer needs vocab.json and merges.txt (or tokenizer.json) in ${dir}. Re-download the tokenizer folder.`, { file: missing, component: 'tokenizer' });
  }
  const both = vocab !== null && merges !== null;
  return { vocab: both ? vocab : null, merges: both ? merges : null, tokenizerJson, config: opt('tokenizer_config.json'), specialTokensMap: opt('special_tokens_map.json') };
}

function readVocab(file: string, json: unknown = readJsonFile(file, 'tokenizer')): Map<string, number> {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new EngineError('corrupt-file', `${file} is not a token -> id object; re-download the tokenizer.`, { file });
  const vocab = new Map<string, number>();
  for (const [token, id] of Object.entries(json as Record<string, unknown>)) {
    if (!Number.isSafeInteger(id) || (id as number) < 0) throw new EngineError('corrupt-file', `${file}: token '${token}' has id ${JSON.stringify(id)}, not a non-negative integer; re-download the tokenizer.`, { file, token });
    vocab.set(token, id as number);
  }
  return vocab;
}

/** merges.txt: `#version` lines skipped, then one `left right` pair per line (tokenizers' reader). */
export function readMerges(file: string): [string, string][] {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const out: [string, string][] = [];
  lines.forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.startsWith('#version')) return;
    const parts = line.split(' ');
    if (parts.length !== 2 || !parts[0] || !parts[1]) throw new EngineError('corrupt-file', `${file}, line ${i + 1}: '${line}' is not a 'left right' merge pair; re-download the tokenizer.`, { file, line: i + 1 });
    out.push([parts[0], parts[1]]);
  });
  return out;
}

/** vocab and merges of a tokenizers BPE model in tokenizer.json (merges as 'a b' strings or pairs). */
function readTokenizerJson(file: string): { vocab: Map<string, number>; merges: [string, string][] } {
  const json = readJsonFile(file, 'tokenizer') as { model?: { type?: unknown; vocab?: unknown; merges?: unknown } };
  const model = json.model;
  if (!model || model.type !== 'BPE' || !Array.isArray(model.merges)) throw new EngineError('unsupported-model', `${file} does not hold a BPE model with merges; a CLIP tokenizer is needed (vocab.json + merges.txt).`, { file });
  const merges = (model.merges as unknown[]).map((m, i): [string, string] => {
    const pair = typeof m === 'string' ? m.split(' ') : m;
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') throw new EngineError('corrupt-file', `${file}: merge ${i + 1} is not a pair of tokens; re-download the tokenizer.`, { file, merge: i + 1 });
    return [pair[0], pair[1]];
  });
  return { vocab: readVocab(file, model.vocab), merges };
}

/** A special token entry is a string or an AddedToken object `{content: ...}`. */
function tokenText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string') return (value as { content: string }).content;
  return undefined;
}

/** Records the `normalized` flag of an AddedToken object (a plain string carries none). */
function noteFlag(flags: Map<string, boolean>, entry: unknown): void {
  if (entry === null || typeof entry !== 'object') return;
  const { content, normalized } = entry as { content?: unknown; normalized?: unknown };
  if (typeof content === 'string' && typeof normalized === 'boolean') flags.set(content, normalized);
}

function objectValues(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  return value !== null && typeof value === 'object' ? Object.values(value) : [];
}

interface SpecialTokens {
  readonly tokens: Record<Role, string>;
  readonly maxLength: number;
  /** Special tokens whose AddedToken says `normalized: true`. */
  readonly normalized: ReadonlySet<string>;
}

/** The order transformers assigns special-token roles in (a later role's entry sets its token's flag). */
const ROLE_ORDER: readonly Role[] = ['bos_token', 'eos_token', 'unk_token', 'pad_token'];

/**
 * Special tokens, model_max_length and the `normalized` flags as transformers 5 resolves them:
 * special_tokens_map.json's role entries override tokenizer_config.json's; each role then sets its
 * token's flag (an AddedToken object its `normalized`, a plain string false), in transformers' role
 * order; the added-token lists (tokenizer.json added_tokens, added_tokens_decoder) have the last word.
 */
function specialTokens(paths: TokenizerPaths): SpecialTokens {
  const tokens: Record<Role, string> = { ...DEFAULTS };
  const roles: Partial<Record<Role, unknown>> = {};
  const listed = new Map<string, boolean>();
  let maxLength = 77;
  if (paths.tokenizerJson !== null) {
    for (const entry of objectValues((readJsonFile(paths.tokenizerJson, 'tokenizer') as Record<string, unknown>)['added_tokens'])) noteFlag(listed, entry);
  }
  for (const file of [paths.config, paths.specialTokensMap]) {
    if (file === null) continue;
    const json = readJsonFile(file, 'tokenizer') as Record<string, unknown>;
    for (const entry of objectValues(json['added_tokens_decoder'])) noteFlag(listed, entry);
    for (const role of ROLE_ORDER) {
      if (json[role] === undefined || json[role] === null) continue;
      tokens[role] = tokenText(json[role]) ?? tokens[role];
      roles[role] = json[role];
    }
    const len = json['model_max_length'];
    if (typeof len === 'number' && Number.isSafeInteger(len) && len < 1e6) maxLength = len;
  }
  const flags = new Map<string, boolean>();
  for (const role of ROLE_ORDER) {
    const text = tokenText(roles[role]);
    if (text !== undefined) flags.set(text, false);
    noteFlag(flags, roles[role]);
  }
  for (const [token, on] of listed) flags.set(token, on);
  return { tokens, maxLength, normalized: new Set([...flags].filter(([, on]) => on).map(([t]) => t)) };
}

/** Reads a tokenizer folder's files into a ClipTokenizer ('slow': transformers 4 behaviour). */
export function loadClipTokenizer(paths: TokenizerPaths | string, flavor: TokenizerFlavor = 'tokenizers'): ClipTokenizer {
  const p = typeof paths === 'string' ? tokenizerPaths(paths) : paths;
  const { tokens, maxLength, normalized } = specialTokens(p);
  const files = p.vocab !== null && p.merges !== null ? { vocab: readVocab(p.vocab), merges: readMerges(p.merges) } : p.tokenizerJson !== null ? readTokenizerJson(p.tokenizerJson) : null;
  if (files === null) throw new EngineError('not-found', 'no tokenizer files were given; pass a folder with vocab.json + merges.txt.', { component: 'tokenizer' });
  const spec: ClipTokenizerSpec = {
    ...files,
    bosToken: tokens.bos_token,
    eosToken: tokens.eos_token,
    padToken: tokens.pad_token,
    unkToken: tokens.unk_token,
    maxLength,
    origin: p.merges ?? p.tokenizerJson ?? 'tokenizer',
    flavor,
    normalizedSpecials: normalized,
  };
  return new ClipTokenizer(spec);
}
