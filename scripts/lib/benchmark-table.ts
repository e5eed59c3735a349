/**
 * Adding one measured row to a table of BENCHMARKS.md. A benchmark that
 * measures a row at a time (bench-document, bench-list-runs,
 * bench-dashboard-state) keeps its rows in one table, and later sections
 * follow that table in the file: appending to the file would put the row
 * under someone else's section. The row goes after the last row of the last
 * table with the script's header; a table not yet in the file starts at its
 * end, header first. The file is replaced whole (written beside it, then
 * renamed), so an interrupted write leaves the old file.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { replaceFile } from '../../src/core/durable-files';

export const BENCHMARKS_FILE = path.resolve(__dirname, '..', '..', 'BENCHMARKS.md');

/** `columns` the header cells; `cells` the row's, in the same order. */
export function withTableRow(markdown: string, columns: readonly string[], cells: readonly string[]): string {
  if (cells.length !== columns.length) throw new Error(`a row of ${cells.length} cells for a table of ${columns.length} columns`);
  const line = (values: readonly string[]) => `| ${values.join(' | ')} |`;
  const header = line(columns);
  const lines = markdown.split('\n');
  const at = lines.lastIndexOf(header);
  if (at < 0) {
    const body = markdown.endsWith('\n') ? markdown : `${markdown}\n`;
    return `${body}\n${header}\n${line(columns.map(() => '---'))}\n${line(cells)}\n`;
  }
  let end = at + 1;
  while (end < lines.length && lines[end].startsWith('|')) end++;
  lines.splice(end, 0, line(cells));
  return lines.join('\n');
}

export async function addBenchmarkRow(columns: readonly string[], cells: readonly string[], file = BENCHMARKS_FILE): Promise<void> {
  const markdown = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? '' : Promise.reject(e)));
  await replaceFile(file, withTableRow(markdown, columns, cells));
}
