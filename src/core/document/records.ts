/**
 * The rows of a CSV/TSV file and the objects of a JSONL file, each with the
 * lines it spans in the file, read the same way for analysis and for training.
 * CSV goes through csv-parse (quoted fields, quoted newlines, escaped quotes);
 * its errors become one line naming the file and line.
 */
import { parse, CsvError } from 'csv-parse/sync';
import { LabError } from '../errors';

/** 1-based, inclusive: the lines of the file a unit or row spans. */
export interface LineRange {
  startLine: number;
  endLine: number;
}

export interface DelimitedTable {
  header: string[];
  rows: Array<LineRange & { cells: string[] }>;
}

export type Delimiter = ',' | '\t';

export function delimiterOf(fileName: string): Delimiter {
  return /\.tsv$/i.test(fileName) ? '\t' : ',';
}

/** `content` is decoded text (see decode.ts); CRLF and LF files give the same rows. */
export function parseDelimited(content: string, delimiter: Delimiter, name: string): DelimitedTable {
  let records: Array<{ record: string[]; info: { lines: number }; raw: string }>;
  try {
    records = parse(content.replace(/\r\n?/g, '\n'), {
      delimiter,
      info: true,
      raw: true,
      skip_empty_lines: true,
      relax_column_count: true,
      // TSV files rarely quote; a stray quote inside a tab-separated field is text.
      quote: delimiter === '\t' ? false : '"',
    }) as unknown as Array<{ record: string[]; info: { lines: number }; raw: string }>;
  } catch (error) {
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines;
      throw new LabError('bad-argument', `${name}${line ? ` line ${line}` : ''}: ${error.message.replace(/^[^:]*: /, '')}`);
    }
    throw error;
  }
  if (records.length === 0) throw new LabError('bad-argument', `${name} is empty: it needs a header row naming its columns.`);
  const [head, ...body] = records;
  const header = head.record.map((h) => h.trim());
  return {
    header,
    rows: body.map(({ record, info, raw }) => {
      const spanned = raw.replace(/^\n+/, '').replace(/\n$/, '').split('\n').length - 1;
      return { cells: record, startLine: info.lines - spanned, endLine: info.lines };
    }),
  };
}

/** The index of a named column; a clear message listing the header otherwise. */
export function columnIndex(table: DelimitedTable, column: string, name: string): number {
  const exact = table.header.indexOf(column);
  const index = exact >= 0 ? exact : table.header.findIndex((h) => h.toLowerCase() === column.toLowerCase());
  if (index < 0) throw new LabError('bad-argument', `${name} has no column "${column}"; its columns are: ${table.header.map((h) => `"${h}"`).join(', ')}.`);
  return index;
}

export interface JsonLine extends LineRange {
  value: unknown;
}

/** One JSON value per non-blank line; a line that is not JSON is refused with its number. */
export function parseJsonLines(content: string, name: string): JsonLine[] {
  const lines = content.split(/\r?\n/);
  const out: JsonLine[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      out.push({ value: JSON.parse(line) as unknown, startLine: i + 1, endLine: i + 1 });
    } catch (error) {
      throw new LabError('bad-argument', `${name} line ${i + 1} is not JSON: ${(error as Error).message}`);
    }
  });
  if (out.length === 0) throw new LabError('bad-argument', `${name} is empty: it has no JSON lines.`);
  return out;
}

/** `a.b.0.c`: object keys and array indices; undefined where the path does not lead. */
export function valueAtPath(value: unknown, keyPath: string): unknown {
  let current = value;
  for (const key of keyPath.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** The text a JSON field holds: strings as they are, numbers and booleans written out, anything else none. */
export function textOfValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** The top-level string fields of the first objects: what `--field` may name. */
export function jsonFieldNames(lines: JsonLine[]): string[] {
  const names = new Set<string>();
  for (const { value } of lines.slice(0, 20)) {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, v] of Object.entries(value)) if (textOfValue(v) !== undefined) names.add(key);
    }
  }
  return [...names];
}
