// The data layer's vocabulary: dataset formats, the validation problems an item can have (each with
// its severity and a user-facing label), the limits validation checks against, and the entries a
// format source yields (one per image or caption row, before validation).

export const DATASET_FORMATS = ['image-folder', 'kohya', 'hf-imagefolder', 'coco', 'cc3m-tsv', 'prompts'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

export const IMAGE_FORMATS = ['jpeg', 'png', 'webp'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

/** Problems in order of precedence: an item reports the first one it has. */
export const PROBLEMS = {
  'bad-row': { severity: 'error', label: 'Unreadable metadata row' },
  'duplicate-row': { severity: 'error', label: 'Duplicate metadata row' },
  unreadable: { severity: 'error', label: 'Unreadable' },
  oversized: { severity: 'error', label: 'Oversized' },
  'unsupported-format': { severity: 'error', label: 'Unsupported format' },
  corrupt: { severity: 'error', label: 'Corrupt' },
  'missing-image': { severity: 'error', label: 'Missing image' },
  'too-small': { severity: 'error', label: 'Too small' },
  'extreme-aspect': { severity: 'error', label: 'Extreme aspect ratio' },
  'bad-repeats': { severity: 'error', label: 'Repeat count out of range' },
  'missing-caption': { severity: 'error', label: 'Missing caption' },
  'empty-caption': { severity: 'error', label: 'Empty caption' },
  'caption-not-utf8': { severity: 'error', label: 'Caption not UTF-8' },
  'caption-too-long': { severity: 'error', label: 'Caption too long' },
  'extension-mismatch': { severity: 'warning', label: 'Extension does not match content' },
} as const;
export type ProblemCode = keyof typeof PROBLEMS;
/** A report category: a problem, a duplicate image, or ok. */
export type Category = ProblemCode | 'duplicate' | 'ok';
export const CATEGORIES: readonly Category[] = ['ok', ...(Object.keys(PROBLEMS) as ProblemCode[]), 'duplicate'];

export interface Problem {
  readonly code: ProblemCode;
  readonly detail: string;
}

export interface ValidationLimits {
  /** Smallest acceptable shorter side, in pixels. */
  readonly minSide: number;
  /** Largest acceptable longer/shorter side ratio. */
  readonly maxAspect: number;
  /** Largest width*height decoded; anything larger is refused from its header (decompression bombs). */
  readonly maxPixels: number;
  /** Largest image file read at all. */
  readonly maxFileBytes: number;
  /** Largest caption accepted; longer ones are refused without being read whole. */
  readonly maxCaptionBytes: number;
}

export const DEFAULT_LIMITS: ValidationLimits = Object.freeze({
  minSide: 256,
  maxAspect: 4,
  maxPixels: 64 * 1024 * 1024,
  maxFileBytes: 128 * 1024 * 1024,
  maxCaptionBytes: 16 * 1024,
});

/** How captions are mapped from a metadata file (HF imagefolder columns, etc.). */
export interface CaptionMapping {
  /** Column (CSV) or field (JSONL) holding the caption. */
  readonly captionColumn?: string;
  /** Column/field holding the image path (HF: file_name). */
  readonly fileColumn?: string;
}

/** Where an entry's caption comes from, before it is read and checked. */
export type CaptionSource =
  | { readonly kind: 'file'; readonly path: string; readonly rel: string }
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'none' };

/** One item as a format source sees it: an image (maybe), a caption source, and source-level problems. */
export interface SourceEntry {
  /** Stable across re-imports: the image's relative path, or a row id for caption-only rows. */
  readonly key: string;
  readonly image?: { readonly path: string; readonly rel: string };
  readonly caption: CaptionSource;
  readonly repeats: number;
  readonly problem?: Problem;
}

/** A format source: counts its entries (for progress) and streams them. */
export interface DatasetSource {
  readonly format: DatasetFormat;
  count(signal: AbortSignal): Promise<number>;
  entries(signal: AbortSignal): AsyncIterable<SourceEntry>;
}
