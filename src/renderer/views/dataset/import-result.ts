// One line saying what an import did: items checked, unchanged and removed, whether every item was
// checked again (new validation settings), and what the format left out (also said by the report).
import type { StudioJobValue } from '../../../shared/studio-jobs';

const DROPPED: Readonly<Record<string, string>> = { 'unlisted-image': 'image file(s) no metadata row names', 'orphan-caption': 'caption file(s) with no image' };

/** "2 image file(s) no metadata row names, 1 caption file(s) with no image", or '' for nothing left out. */
export function droppedText(dropped: Readonly<Record<string, number>>): string {
  return Object.entries(dropped).filter(([, n]) => n > 0).map(([reason, n]) => `${n} ${DROPPED[reason] ?? reason}`).join(', ');
}

export function importResultText(r: StudioJobValue<'importDataset'>): string {
  const dropped = droppedText(r.dropped);
  return [
    `${r.checked} checked, ${r.unchanged} unchanged, ${r.removed} removed`,
    ...(r.rechecked ? ['every item checked again (validation settings changed)'] : []),
    ...(dropped ? [`left out: ${dropped}`] : []),
  ].join('; ');
}
