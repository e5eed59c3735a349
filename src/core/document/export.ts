/** The results of an analysed document as CSV (csv-stringify quotes what needs it) or JSON, one shape for the CLI and the dashboard. */
import { stringify } from 'csv-stringify/sync';
import type { Prediction } from '../metrics';
import type { DocumentUnit } from './units';

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
    units.map((u) => [u.startLine, u.endLine, u.label, u.probability.toFixed(6), u.text]),
    { header: true, columns: [...COLUMNS] },
  );
}

/** "62 positive · 38 negative · mean 0.58" */
export function summariseUnits(units: readonly Pick<AnalysedUnit, 'label' | 'probability'>[]): { positive: number; negative: number; mean: number; text: string } {
  const positive = units.filter((u) => u.label === 'positive').length;
  const negative = units.length - positive;
  const mean = units.length === 0 ? 0 : units.reduce((s, u) => s + u.probability, 0) / units.length;
  return { positive, negative, mean, text: `${positive} positive · ${negative} negative · mean ${mean.toFixed(2)}` };
}
