// The world's closed vocabulary: shapes, colours, backgrounds, sizes, positions, relations, counts
// and the texts (single glyphs and short words) a scene can hold. Everything else in the world (the
// renderer, captions, the judge's heads, the tokenizer's words) is derived from these lists, so a
// new word is added in one place.

export const IMAGE_SIZE = 64;

export const SHAPES = ['circle', 'square', 'triangle', 'star', 'cross', 'diamond'] as const;
export type Shape = (typeof SHAPES)[number];

/** 'circles', 'crosses'. */
export function plural(shape: Shape): string {
  return shape.endsWith('s') ? `${shape}es` : `${shape}s`;
}

/** Object colours (sRGB), chosen far apart from each other and from every background. */
export const COLOURS = {
  red: [220, 40, 40],
  green: [40, 175, 60],
  blue: [45, 85, 230],
  yellow: [240, 210, 30],
  purple: [150, 60, 205],
  orange: [245, 135, 25],
  white: [245, 245, 245],
} as const satisfies Record<string, readonly [number, number, number]>;
export type Colour = keyof typeof COLOURS;
export const COLOUR_NAMES = Object.keys(COLOURS) as Colour[];

/** Background tones (plain, or the base of a pattern); dark or muted so every object colour stands out. */
export const BACKGROUNDS = {
  black: [18, 18, 22],
  gray: [105, 105, 110],
  brown: [90, 60, 40],
} as const satisfies Record<string, readonly [number, number, number]>;
export type Background = keyof typeof BACKGROUNDS;
export const BACKGROUND_NAMES = Object.keys(BACKGROUNDS) as Background[];

/** Background patterns: plain; coarse patterns (medium scenes); fine textures (hard scenes). */
export const PATTERNS = ['plain', 'striped', 'checkered', 'dotted', 'finely striped', 'finely checkered', 'grainy'] as const;
export type Pattern = (typeof PATTERNS)[number];
export const COARSE_PATTERNS: readonly Pattern[] = ['striped', 'checkered', 'dotted'];
export const FINE_PATTERNS: readonly Pattern[] = ['finely striped', 'finely checkered', 'grainy'];

export const SIZES = { small: 7, large: 13 } as const;
export type Size = keyof typeof SIZES;

export const POSITIONS = { left: [16, 32], right: [48, 32], top: [32, 16], bottom: [32, 48], center: [32, 32] } as const;
export type Position = keyof typeof POSITIONS;

export const RELATIONS = ['left of', 'right of', 'above', 'below'] as const;
export type Relation = (typeof RELATIONS)[number];

/** Object counts the judge reads: 0 (a text scene) to MAX_COUNT. */
export const MAX_COUNT = 6;
export const COUNT_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six'] as const;

/** Single glyphs and short words a hard scene can show (upper case, drawn with glyphs.ts). */
export const LETTERS = ['A', 'E', 'H', 'K', 'O', 'S', 'T', 'X'] as const;
export const WORDS = ['CAT', 'DOG', 'SUN', 'BOX', 'HI', 'OK', 'UP', 'NO'] as const;
export const TEXTS: readonly string[] = [...LETTERS, ...WORDS];

/** Every word a caption can use (for the tokenizer's vocabulary). */
export const CAPTION_WORDS: readonly string[] = [
  ...SHAPES, ...SHAPES.map(plural), ...COLOUR_NAMES, ...BACKGROUND_NAMES, ...COUNT_WORDS,
  ...Object.keys(SIZES), ...Object.keys(POSITIONS), ...TEXTS.map((t) => t.toLowerCase()),
  'a', 'an', 'the', 'of', 'on', 'in', 'and', 'with', 'left', 'right', 'above', 'below', 'letter', 'word', 'written',
  'background', 'picture', 'image', 'photo', 'single', 'middle', 'plain', 'striped', 'checkered', 'dotted', 'finely', 'grainy',
  'there', 'is', 'are', 'one', 'some', 'text', 'says', 'saying', 'shows', 'showing', 'drawing', 'side', 'at', 'to',
];
