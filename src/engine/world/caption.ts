// Captions of world scenes from varied templates and paraphrases. Template 0 of each kind is the
// canonical prompt (what evaluation asks the model for); training draws any template, so the text
// encoder sees several wordings of the same ground truth.
import type { Random } from '../train/random';
import type { Scene, WorldObject } from './scene';
import { COUNT_WORDS, plural } from './vocabulary';

type Template = (s: Scene) => string;

const look = (o: WorldObject | undefined): string => (o ? `${o.colour} ${o.shape}` : '');
const sized = (o: WorldObject | undefined): string => (o ? `${o.size} ${o.colour} ${o.shape}` : '');
const article = (word: string): string => (/^[aeiou]/.test(word) ? 'an' : 'a');
const a = (phrase: string): string => `${article(phrase)} ${phrase}`;
const bg = (s: Scene): string => (s.pattern === 'plain' ? `${s.background} background` : `${s.pattern} ${s.background} background`);
const first = (s: Scene): WorldObject | undefined => s.objects[0];

const SINGLE: readonly Template[] = [
  (s) => `${a(look(first(s)))} on ${a(bg(s))}`,
  (s) => a(look(first(s))),
  (s) => `a picture of ${a(look(first(s)))}`,
  (s) => `one ${look(first(s))} in the middle`,
  (s) => `a single ${look(first(s))} on ${a(bg(s))}`,
  (s) => `there is ${a(look(first(s)))}`,
];

function third(s: Scene): string {
  const o = s.objects[2];
  return o && o.position ? ` and ${a(sized(o))} at the ${o.position}` : '';
}

const RELATION: readonly Template[] = [
  (s) => `${a(sized(s.objects[0]))} ${s.relation ?? ''} ${a(sized(s.objects[1]))}${third(s)} on ${a(bg(s))}`,
  (s) => `${a(look(s.objects[0]))} ${s.relation ?? ''} ${a(look(s.objects[1]))}${third(s)}`,
  (s) => `a picture of ${a(sized(s.objects[0]))} ${s.relation ?? ''} ${a(sized(s.objects[1]))}${third(s)}`,
  (s) => `${a(sized(s.objects[0]))} at the ${s.objects[0]?.position ?? ''} and ${a(sized(s.objects[1]))} at the ${s.objects[1]?.position ?? ''}${third(s)}`,
];

const countOf = (s: Scene): string => `${COUNT_WORDS[s.objects.length] ?? ''} ${first(s)?.colour ?? ''} ${first(s) ? plural(first(s)!.shape) : ''}`;
const COUNT: readonly Template[] = [
  (s) => `${countOf(s)} on ${a(bg(s))}`,
  (s) => countOf(s),
  (s) => `a picture of ${countOf(s)}`,
  (s) => `there are ${countOf(s)}`,
];

const textOf = (s: Scene): string => s.text?.text.toLowerCase() ?? '';
const textColour = (s: Scene): string => s.text?.colour ?? '';
const GLYPH: readonly Template[] = [
  (s) => `the letter ${textOf(s)} in ${textColour(s)} on ${a(bg(s))}`,
  (s) => `${a(textColour(s))} letter ${textOf(s)}`,
  (s) => `a picture of the letter ${textOf(s)} written in ${textColour(s)}`,
];
const WORD: readonly Template[] = [
  (s) => `the word ${textOf(s)} in ${textColour(s)} on ${a(bg(s))}`,
  (s) => `${a(textColour(s))} text saying ${textOf(s)}`,
  (s) => `a picture of the word ${textOf(s)} written in ${textColour(s)}`,
];

const TEMPLATES: Readonly<Record<Scene['kind'], readonly Template[]>> = {
  single: SINGLE, texture: SINGLE, relation: RELATION, count: COUNT, glyph: GLYPH, word: WORD,
};

/** The canonical caption (template 0): what evaluation prompts ask for. */
export function canonicalCaption(scene: Scene): string {
  return (TEMPLATES[scene.kind][0] as Template)(scene);
}

/** A caption from a random template of the scene's kind. */
export function sampleCaption(rand: Random, scene: Scene): string {
  const list = TEMPLATES[scene.kind];
  return (list[rand.int(list.length)] as Template)(scene);
}
