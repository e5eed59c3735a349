/** The results of an analyzed document as CSV (csv-stringify quotes what needs it) or JSON, one shape for the CLI and the dashboard. */
import { stringify } from 'csv-stringify/sync';
import type { Prediction } from '../metrics';
import type { DocumentUnit } from './units';
import { formatCount } from '../format';

export interface AnalysedUnit extends DocumentUnit {
  probability: number;
  label: Prediction['label'];
}

export const EXPORT_FORMATS = ['csv', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const COLUMNS = ['start_line', 'end_line', 'label', 'probability', 'text'] as const;

export function exportUnits(units: readonly AnalysedUnit[], format: ExportFormat): string {
  if (format === 'json') return `${JSON.stringify(units.map((u) => ({ startLine: u.startLine, endLine: u.endLine, label: u.label, probability: u.probability, text: u.text })), null, 2)}\n`;
  return stringify(
    units.map((u) => [u.startLine, u.endLine, u.label ?? '', u.probability.toFixed(6), u.text]),
    { header: true, columns: [...COLUMNS] },
  );
}

/** "62 positive · 38 negative · mean 0.58" ("12,345 positive" past a thousand). */
export function summariseUnits(units: readonly Pick<AnalysedUnit, 'label' | 'probability'>[]): { positive: number; negative: number; mean: number; text: string } {
  const positive = units.filter((u) => u.label === 'positive').length;
  const negative = units.filter((u) => u.label === 'negative').length;
  // A unit with no word the model knows has no label and no say in the mean.
  const labelled = units.filter((u) => u.label !== null);
  const unlabelled = units.length - labelled.length;
  const mean = labelled.length === 0 ? 0 : labelled.reduce((s, u) => s + u.probability, 0) / labelled.length;
  const text = `${formatCount(positive)} positive · ${formatCount(negative)} negative · mean ${mean.toFixed(2)}${unlabelled ? ` · ${formatCount(unlabelled)} with no known word` : ''}`;
  return { positive, negative, mean, text };
}
