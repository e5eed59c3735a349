/**
 * The Document view's table logic, apart from the DOM so it is tested on its
 * own: sorting, filtering, the probability histogram, and which rows a
 * virtualised table draws (only those in view, so 100,000 rows scroll as
 * smoothly as 100). Imports nothing: the webview bundles it.
 */
export interface TableUnit {
  startLine: number;
  endLine: number;
  text: string;
  probability: number;
  /** null: the unit has no word the model knows, so no label. */
  label: 'positive' | 'negative' | null;
}

/** Also the Document view's column order. */
export const SORT_KEYS = ['line', 'label', 'probability', 'text'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface TableQuery {
  sort: SortKey;
  descending: boolean;
  /** Case-insensitive words the text must contain. */
  search: string;
  label: 'all' | 'positive' | 'negative';
}

const compare: Record<SortKey, (a: TableUnit, b: TableUnit) => number> = {
  line: (a, b) => a.startLine - b.startLine,
  probability: (a, b) => a.probability - b.probability || a.startLine - b.startLine,
  label: (a, b) => (a.label ?? '').localeCompare(b.label ?? '') || a.startLine - b.startLine,
  text: (a, b) => a.text.localeCompare(b.text) || a.startLine - b.startLine,
};

/** Indices into `units`, filtered then sorted (the units themselves stay in file order). */
export function queryUnits(units: readonly TableUnit[], query: TableQuery): number[] {
  const needle = query.search.trim().toLowerCase();
  const rows: number[] = [];
  units.forEach((u, i) => {
    if (query.label !== 'all' && u.label !== query.label) return;
    if (needle && !u.text.toLowerCase().includes(needle)) return;
    rows.push(i);
  });
  const order = compare[query.sort];
  rows.sort((a, b) => (query.descending ? order(units[b], units[a]) : order(units[a], units[b])));
  return rows;
}

/** Counts of probabilities in `bins` equal bins over [0, 1] (1.0 falls in the last). */
export function histogram(probabilities: Iterable<number>, bins = 10): number[] {
  const counts = new Array<number>(bins).fill(0);
  for (const p of probabilities) counts[Math.min(bins - 1, Math.max(0, Math.floor(p * bins)))]++;
  return counts;
}

/** The rows to draw for a scroll position: those in view plus `overscan` each side. */
export function visibleRows(scrollTop: number, viewportHeight: number, rowHeight: number, rowCount: number, overscan = 10): { first: number; last: number } {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(rowCount, Math.ceil((scrollTop + viewportHeight) / rowHeight) + overscan);
  return { first, last: Math.max(first, last) };
}
