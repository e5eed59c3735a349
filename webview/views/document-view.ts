/**
 * Document tab: the last analyzed document (Analyze Document) as a table of
 * its units — line, label, probability, excerpt — sortable by any column and
 * filtered by label and words, with a histogram of the probabilities. The
 * table is virtualised: only the rows in view are in the DOM, so 100,000
 * units scroll as smoothly as 100. Clicking a row shows its line in the
 * editor; the buttons export the results as CSV or JSON.
 */
import type { DashboardState, DocumentTableData } from '../../src/protocol.js';
import { SORT_KEYS, histogram, queryUnits, visibleRows, type SortKey, type TableQuery } from '../../src/core/document/table.js';
import { formatCount } from '../../src/core/format.js';
import { h, replaceChildren } from '../util/dom.js';
import { formatFraction } from '../util/format.js';
import type { DashboardView, ViewContext } from './view.js';
import { InlineError, button, runAction } from './widgets.js';

/** Fixed, so the scroll position alone says which rows are in view. */
const ROW_HEIGHT = 28;
const BINS = 10;
const SORT_TITLES: Record<SortKey, string> = { line: 'Line', label: 'Label', probability: 'Probability', text: 'Text' };

export class DocumentView implements DashboardView {
  readonly element: HTMLElement;
  private data: DocumentTableData | undefined;
  private rows: number[] = [];
  private query: TableQuery = { sort: 'line', descending: false, search: '', label: 'all' };
  private readonly title = h('h2', { id: 'document-title' }, 'Document');
  private readonly summary = h('p', { class: 'muted document-summary' }, 'Run Analyze Document on a text, Markdown, CSV, TSV or JSONL file to see its units here.');
  private readonly histogramElement = h('div', { class: 'document-histogram', role: 'img', 'aria-label': 'Histogram of probabilities' });
  private readonly count = h('span', { class: 'muted document-count' });
  private readonly header = h('div', { class: 'document-row document-header', role: 'row' });
  private readonly viewport = h('div', { class: 'document-viewport', role: 'rowgroup', tabindex: '0' });
  private readonly spacer = h('div', { class: 'document-spacer' });
  private readonly body = h('div', { class: 'document-body' });
  private readonly errors = new InlineError();
  private readonly controls: HTMLElement;

  constructor(private readonly context: ViewContext) {
    const search = h('input', { type: 'search', class: 'document-search', placeholder: 'Filter by words…', 'aria-label': 'Filter units by words', 'data-field': 'document-search' });
    search.addEventListener('input', () => this.update({ search: search.value }));
    const label = h('select', { class: 'document-label-filter', 'aria-label': 'Filter units by label', 'data-field': 'document-label' }, h('option', { value: 'all' }, 'All labels'), h('option', { value: 'positive' }, 'Positive'), h('option', { value: 'negative' }, 'Negative'));
    label.addEventListener('change', () => this.update({ label: label.value as TableQuery['label'] }));
    const exportButton = (format: 'csv' | 'json') => {
      const b: HTMLElement = button(`Export ${format.toUpperCase()}`, () => void runAction(b, this.errors, () => this.context.host.request('exportDocument', { format }).result), { name: `export-${format}`, appearance: 'secondary' });
      return b;
    };
    this.controls = h('div', { class: 'document-controls' }, search, label, this.count, exportButton('csv'), exportButton('json'));
    for (const key of SORT_KEYS) {
      const cell = h('button', { class: `document-cell document-${key}`, type: 'button', 'data-sort': key }, SORT_TITLES[key]);
      cell.addEventListener('click', () => this.update({ sort: key, descending: this.query.sort === key ? !this.query.descending : key === 'probability' }));
      this.header.append(cell);
    }
    this.spacer.append(this.body);
    this.viewport.append(this.spacer);
    this.viewport.addEventListener('scroll', () => this.drawRows());
    this.viewport.addEventListener('click', (event) => {
      const row = (event.target as HTMLElement).closest<HTMLElement>('[data-line]');
      if (row) void runAction(row, this.errors, () => this.context.host.request('revealDocumentLine', { line: Number(row.dataset.line) }).result);
    });
    this.controls.hidden = true;
    this.element = h(
      'section',
      { class: 'card document-view', 'aria-labelledby': 'document-title' },
      this.title,
      this.summary,
      this.histogramElement,
      this.controls,
      h('div', { class: 'document-table', role: 'table', 'aria-labelledby': 'document-title' }, this.header, this.viewport),
      this.errors.element,
    );
  }

  render(_state: DashboardState): void {
    // The document comes on its own (setDocument), not with the state.
  }

  setDocument(data: DocumentTableData): void {
    this.data = data;
    this.title.textContent = `Document: ${data.name}`;
    this.summary.textContent = `${formatCount(data.units.length)} units · ${data.summary}`;
    this.controls.hidden = false;
    this.drawHistogram();
    this.update({});
  }

  private update(change: Partial<TableQuery>): void {
    this.query = { ...this.query, ...change };
    if (!this.data) return;
    this.rows = queryUnits(this.data.units, this.query);
    this.count.textContent = `${formatCount(this.rows.length)} shown`;
    for (const cell of Array.from(this.header.children)) {
      const key = (cell as HTMLElement).dataset.sort;
      cell.setAttribute('aria-sort', key === this.query.sort ? (this.query.descending ? 'descending' : 'ascending') : 'none');
    }
    this.spacer.style.height = `${this.rows.length * ROW_HEIGHT}px`;
    this.drawRows();
  }

  private drawRows(): void {
    const data = this.data;
    if (!data) return;
    const { first, last } = visibleRows(this.viewport.scrollTop, this.viewport.clientHeight || 480, ROW_HEIGHT, this.rows.length);
    this.body.style.transform = `translateY(${first * ROW_HEIGHT}px)`;
    const rows: HTMLElement[] = [];
    for (let r = first; r < last; r++) {
      const u = data.units[this.rows[r]];
      const lines = u.endLine > u.startLine ? `${u.startLine}–${u.endLine}` : String(u.startLine);
      rows.push(
        h(
          'div',
          { class: `document-row ${u.label ?? 'unknown'}`, role: 'row', 'data-line': u.startLine, title: `Line ${lines}: show it in the editor` },
          h('span', { class: 'document-cell document-line number' }, lines),
          h('span', { class: 'document-cell document-label' }, u.label ?? 'no known word'),
          h('span', { class: 'document-cell document-probability number' }, formatFraction(u.probability)),
          h('span', { class: 'document-cell document-text' }, u.text.replace(/\s+/g, ' ')),
        ),
      );
    }
    replaceChildren(this.body, rows);
  }

  private drawHistogram(): void {
    const counts = histogram((this.data?.units ?? []).map((u) => u.probability), BINS);
    const max = Math.max(1, ...counts);
    replaceChildren(
      this.histogramElement,
      counts.map((n, i) => {
        const bar = h('div', { class: `document-bin ${i >= BINS / 2 ? 'positive' : 'negative'}`, title: `${(i / BINS).toFixed(1)}–${((i + 1) / BINS).toFixed(1)}: ${n}`, 'data-count': n });
        bar.style.height = `${Math.round((n / max) * 100)}%`;
        return bar;
      }),
    );
  }
}
