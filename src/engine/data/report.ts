// The validation report of a dataset as one value: detected format and mapping, totals, counts per
// category (with labels), and the caption-length and image-size histograms, all from SQL.
import { EngineError } from '../core/errors';
import { DatasetRepository, type DatasetRecord } from '../store/repositories/datasets';
import { DatasetReportRepository, type CategoryCount, type DatasetTotals, type HistogramBin } from '../store/repositories/datasets-report';
import type { Workspace } from '../store/workspace';
import { PROBLEMS, type Category } from './types';

export interface DatasetReport {
  readonly dataset: DatasetRecord;
  readonly totals: DatasetTotals;
  readonly categories: readonly (CategoryCount & { readonly label: string; readonly severity: 'ok' | 'warning' | 'error' })[];
  readonly captionLengths: readonly HistogramBin[];
  readonly imageSides: readonly HistogramBin[];
}

export function categoryLabel(category: string): { label: string; severity: 'ok' | 'warning' | 'error' } {
  if (category === 'ok') return { label: 'OK', severity: 'ok' };
  if (category === 'duplicate') return { label: 'Duplicate image', severity: 'error' };
  const p = PROBLEMS[category as Exclude<Category, 'ok' | 'duplicate'>];
  return p ? { label: p.label, severity: p.severity } : { label: category, severity: 'error' };
}

/** "text (of: file_name, text, alt)" for showing which column captions come from. */
export function captionColumnsHint(columns: readonly string[], chosen: string | undefined): string {
  return `${chosen ? `captions from '${chosen}'` : 'no caption column found: map one with --caption-column'} (columns: ${columns.join(', ')})`;
}

export function datasetReport(ws: Workspace, datasetId: string): DatasetReport {
  const dataset = new DatasetRepository(ws.db).get(datasetId);
  if (!dataset) throw new EngineError('not-found', `No dataset ${datasetId} in this workspace; import the folder first.`, { datasetId });
  const r = new DatasetReportRepository(ws.db);
  return {
    dataset,
    totals: r.totals(datasetId),
    categories: r.categories(datasetId).map((c) => ({ ...c, ...categoryLabel(c.category) })),
    captionLengths: r.captionLengths(datasetId),
    imageSides: r.imageSides(datasetId),
  };
}
