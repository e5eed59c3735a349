/**
 * A whole document split into the units the model reads one at a time, each
 * with the lines it spans (for editor marks and "reveal"):
 * - plain text and Markdown: paragraphs (blank-line separated) or lines;
 *   Markdown's fenced code blocks and front matter are skipped;
 * - CSV/TSV: one column's cell per row;
 * - JSONL: one field (a key path) per line.
 */
import * as path from 'node:path';
import { LabError } from '../errors';
import { columnIndex, delimiterOf, jsonFieldNames, parseDelimited, parseJsonLines, textOfValue, valueAtPath, type LineRange } from './records';

export const DOCUMENT_FORMATS = ['text', 'markdown', 'csv', 'tsv', 'jsonl'] as const;
export type DocumentFormat = (typeof DOCUMENT_FORMATS)[number];
export const UNIT_KINDS = ['paragraph', 'line'] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];

const FORMAT_BY_EXTENSION: Record<string, DocumentFormat> = {
  '.txt': 'text',
  '.text': 'text',
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
};

/** Files of any other extension are read as plain text. */
export function formatOfFile(fileName: string): DocumentFormat {
  return FORMAT_BY_EXTENSION[path.extname(fileName).toLowerCase()] ?? 'text';
}

export interface DocumentUnit extends LineRange {
  text: string;
}

export interface SplitOptions {
  format: DocumentFormat;
  /** Text and Markdown; paragraphs unless told. */
  unit?: UnitKind;
  /** CSV/TSV: the column, by its header name. */
  column?: string;
  /** JSONL: the field, by key path (`review.text`). */
  field?: string;
  /** For messages: the file's name. */
  name: string;
}

export interface SplitDocument {
  units: DocumentUnit[];
  /** Rows or lines with nothing to read in the chosen column or field. */
  skipped: Array<LineRange & { reason: string }>;
}

export function splitDocument(content: string, options: SplitOptions): SplitDocument {
  switch (options.format) {
    case 'csv':
    case 'tsv':
      return splitTable(content, options);
    case 'jsonl':
      return splitJsonLines(content, options);
    default:
      return { units: splitText(content, options.unit ?? 'paragraph', options.format === 'markdown'), skipped: [] };
  }
}

/** What a CSV/TSV file or JSONL file offers to pick from: its columns or fields. */
export function documentChoices(content: string, format: DocumentFormat, name: string): string[] {
  if (format === 'csv' || format === 'tsv') return parseDelimited(content, format === 'tsv' ? '\t' : ',', name).header;
  if (format === 'jsonl') return jsonFieldNames(parseJsonLines(content, name));
  return [];
}

const FENCE = /^\s{0,3}(`{3,}|~{3,})/;

/**
 * Hand-written: the units are runs of source lines, and only two Markdown
 * constructs change which lines count (fences and front matter); a Markdown
 * parser's tree would have to be mapped back to lines for no gain.
 */
function splitText(content: string, unit: UnitKind, markdown: boolean): DocumentUnit[] {
  const lines = content.split(/\r?\n/);
  const skip = new Array<boolean>(lines.length).fill(false);
  if (markdown) markMarkdownSkips(lines, skip);
  const units: DocumentUnit[] = [];
  let current: { start: number; parts: string[] } | undefined;
  // Paragraph lines are contiguous: the last line is the first plus the count.
  const close = () => {
    if (current) units.push({ text: current.parts.join('\n'), startLine: current.start + 1, endLine: current.start + current.parts.length });
    current = undefined;
  };
  lines.forEach((line, i) => {
    const blank = skip[i] || line.trim() === '';
    if (unit === 'line') {
      if (!blank) units.push({ text: line.trim(), startLine: i + 1, endLine: i + 1 });
      return;
    }
    if (blank) close();
    else if (current) current.parts.push(line.trim());
    else current = { start: i, parts: [line.trim()] };
  });
  close();
  return units;
}

function markMarkdownSkips(lines: string[], skip: boolean[]): void {
  let i = 0;
  if (lines[0]?.trim() === '---') {
    const end = lines.findIndex((l, k) => k > 0 && (l.trim() === '---' || l.trim() === '...'));
    if (end > 0) {
      for (; i <= end; i++) skip[i] = true;
    }
  }
  let fence: string | undefined;
  for (; i < lines.length; i++) {
    const match = FENCE.exec(lines[i]);
    if (fence) {
      skip[i] = true;
      if (match && match[1][0] === fence[0] && match[1].length >= fence.length && lines[i].trim() === match[1]) fence = undefined;
    } else if (match) {
      fence = match[1];
      skip[i] = true;
    }
  }
}

function splitTable(content: string, options: SplitOptions): SplitDocument {
  const table = parseDelimited(content, options.format === 'tsv' ? '\t' : delimiterOf(options.name), options.name);
  if (!options.column) throw new LabError('bad-argument', `${options.name} is a table: choose the column to analyze (${table.header.map((h) => `"${h}"`).join(', ')}).`);
  const index = columnIndex(table, options.column, options.name);
  const result: SplitDocument = { units: [], skipped: [] };
  for (const row of table.rows) {
    const text = row.cells[index]?.trim() ?? '';
    if (text === '') result.skipped.push({ startLine: row.startLine, endLine: row.endLine, reason: `no text in column "${options.column}"` });
    else result.units.push({ text, startLine: row.startLine, endLine: row.endLine });
  }
  return result;
}

function splitJsonLines(content: string, options: SplitOptions): SplitDocument {
  const lines = parseJsonLines(content, options.name);
  if (!options.field) throw new LabError('bad-argument', `${options.name} is JSON lines: choose the field to analyze (${jsonFieldNames(lines).map((f) => `"${f}"`).join(', ')}).`);
  const result: SplitDocument = { units: [], skipped: [] };
  for (const line of lines) {
    const text = textOfValue(valueAtPath(line.value, options.field))?.trim() ?? '';
    if (text === '') result.skipped.push({ startLine: line.startLine, endLine: line.endLine, reason: `no text at "${options.field}"` });
    else result.units.push({ text, startLine: line.startLine, endLine: line.endLine });
  }
  return result;
}
