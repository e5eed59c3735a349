/**
 * One heatmap of the Explain panel: hidden units (rows) × tokens read
 * (columns) of one matrix, drawn into a canvas at one pixel per cell (one
 * putImageData; CSS scales it up, pixelated), so a 500-token text costs
 * 16,000 pixels instead of thousands of nodes. The selected token's column
 * and the pointed unit's row are overlay boxes moved by a transform: the
 * canvas is never redrawn for them.
 *
 * The canvas is not left as pixels alone: it is labelled with a summary, it
 * takes the focus (up/down walk the units and read each one out, left/right
 * move the selected token), and a table beside it lists every unit in the
 * order drawn with its correlation, mean, highest and lowest token.
 */
import { h, replaceChildren, uniqueId } from '../util/dom.js';
import { formatSigned } from '../util/format.js';
import type { UnitStats } from './explain-stats.js';

/** CSS pixels per unit row. */
export const ROW_HEIGHT = 5;

export type Rgb = readonly [number, number, number];

export interface HeatmapMatrix {
  title: string;
  /** [token][unit] */
  values: readonly (readonly number[])[];
  /** 'signed' (-1..1, tanh states) or 'unit' (0..1, gates). */
  range: 'signed' | 'unit';
}

export interface HeatmapContext {
  /** CSS pixels per token column. */
  cellWidth: number;
  /** Colours of positive (and gate) values and of negative values. */
  positive: Rgb;
  negative: Rgb;
  /** The word of token read k. */
  word(k: number): string;
  /** The token selected now. */
  selected(): number;
  /** Select token k (a click or left/right on the heatmap); the panel moves every column. */
  select(k: number): void;
}


export class HeatmapFigure {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly column = h('div', { class: 'explain-overlay-column', 'aria-hidden': 'true' });
  private readonly row = h('div', { class: 'explain-overlay-row', 'aria-hidden': 'true', hidden: true });
  /** What the pointed or focused unit is, in words (announced politely when the keyboard moves). */
  private readonly rowLabel = h('span', { class: 'explain-row-label muted', role: 'status' });
  private readonly tableBody = h('tbody');
  private readonly tableRows: HTMLTableRowElement[];
  /** unit of each drawn row, top to bottom */
  private order: number[];
  /** row under the keyboard focus */
  private focusRow = 0;
  /** row marked now (pointer or keyboard), while the row overlay shows */
  private pointed = 0;
  private readonly tokens: number;
  private readonly units: number;

  constructor(
    private readonly matrix: HeatmapMatrix,
    private readonly stats: readonly UnitStats[],
    private readonly context: HeatmapContext,
    order: number[],
  ) {
    this.tokens = matrix.values.length;
    this.units = stats.length;
    this.order = order;
    const { cellWidth } = context;
    this.canvas = h('canvas', { class: 'explain-heatmap', width: this.tokens, height: this.units, role: 'img', tabindex: 0 });
    this.canvas.style.width = `${this.tokens * cellWidth}px`;
    this.canvas.style.height = `${this.units * ROW_HEIGHT}px`;
    this.column.style.width = `${cellWidth}px`;
    this.row.style.height = `${ROW_HEIGHT}px`;
    const best = stats.reduce((a, b) => (b.correlation > a.correlation ? b : a), stats[0]);
    const worst = stats.reduce((a, b) => (b.correlation < a.correlation ? b : a), stats[0]);
    const tableId = uniqueId('explain-units');
    this.canvas.setAttribute(
      'aria-label',
      `${matrix.title}: ${this.units} units × ${this.tokens} tokens. Unit ${best.unit} rises with the verdict most (r = ${best.correlation.toFixed(2)}), unit ${worst.unit} falls with it most (r = ${worst.correlation.toFixed(2)}). Up and down arrows read the units one by one, left and right move the selected token.`,
    );
    this.canvas.setAttribute('aria-describedby', tableId);
    this.tableRows = stats.map((s) =>
      h(
        'tr',
        { 'data-unit': s.unit },
        h('th', { scope: 'row' }, `unit ${s.unit}`),
        h('td', undefined, formatSigned(s.correlation, 2)),
        h('td', undefined, formatSigned(s.mean, 3)),
        h('td', undefined, `${formatSigned(matrix.values[s.highest][s.unit], 3)} at “${context.word(s.highest)}”`),
        h('td', undefined, `${formatSigned(matrix.values[s.lowest][s.unit], 3)} at “${context.word(s.lowest)}”`),
      ),
    );
    const table = h(
      'table',
      { class: 'explain-unit-table', id: tableId },
      h('caption', undefined, `${matrix.title}: every unit, in the order drawn`),
      h('thead', undefined, h('tr', undefined, ...['Unit', 'r with the verdict', 'Mean', 'Highest', 'Lowest'].map((c) => h('th', { scope: 'col' }, c)))),
      this.tableBody,
    );
    this.listeners();
    this.element = h(
      'figure',
      { class: 'explain-figure', 'data-matrix': matrix.title },
      h('figcaption', undefined, matrix.title, ' ', this.rowLabel),
      h('div', { class: 'explain-heatmap-scroll' }, h('div', { class: 'explain-heatmap-frame' }, this.canvas, this.column, this.row)),
      h('details', { class: 'explain-unit-details' }, h('summary', undefined, `${matrix.title} as a table`), table),
    );
    this.setOrder(order);
    this.showColumn(context.selected());
  }

  /** Draws the rows in this order (unit of each row, top to bottom) and lists the table's rows so. */
  setOrder(order: number[]): void {
    this.order = order;
    this.draw();
    replaceChildren(this.tableBody, order.map((u) => this.tableRows[u]));
    if (!this.row.hidden) this.pointRow(this.pointed);
  }

  /** Moves the column overlay onto token k. */
  showColumn(k: number): void {
    this.column.style.transform = `translateX(${k * this.context.cellWidth}px)`;
    if (!this.row.hidden) this.pointRow(this.pointed);
  }

  private draw(): void {
    const context = this.canvas.getContext('2d');
    if (!context) return;
    const { tokens, units, order } = this;
    const { values, range } = this.matrix;
    const image = context.createImageData(tokens, units);
    const data = image.data;
    const [pr, pg, pb] = this.context.positive;
    const [nr, ng, nb] = this.context.negative;
    for (let r = 0; r < units; r++) {
      const u = order[r];
      let i = 4 * r * tokens;
      for (let t = 0; t < tokens; t++, i += 4) {
        const v = values[t][u];
        const positive = range === 'unit' || v >= 0;
        data[i] = positive ? pr : nr;
        data[i + 1] = positive ? pg : ng;
        data[i + 2] = positive ? pb : nb;
        data[i + 3] = 255 * Math.min(1, range === 'unit' ? Math.max(0, v) : Math.abs(v));
      }
    }
    context.putImageData(image, 0, 0);
  }

  /** Marks row r (of the drawn order) and says what its unit is, and its value at the selected token. */
  private pointRow(r: number): void {
    const u = this.order[r];
    const s = this.stats[u];
    const k = Math.min(this.context.selected(), this.tokens - 1);
    this.pointed = r;
    this.row.hidden = false;
    this.row.style.transform = `translateY(${r * ROW_HEIGHT}px)`;
    this.rowLabel.textContent = `unit ${u}, r = ${s.correlation.toFixed(2)}; ${formatSigned(this.matrix.values[k][u], 3)} at “${this.context.word(k)}”`;
  }

  private hideRow(): void {
    this.row.hidden = true;
    this.rowLabel.textContent = '';
  }

  private listeners(): void {
    const { canvas } = this;
    canvas.addEventListener('mousemove', (event) => {
      const r = Math.floor(event.offsetY / ROW_HEIGHT);
      if (r >= 0 && r < this.units) this.pointRow(r);
    });
    canvas.addEventListener('mouseleave', () => {
      if (document.activeElement === canvas) this.pointRow(this.focusRow);
      else this.hideRow();
    });
    canvas.addEventListener('click', (event) => {
      const r = Math.floor(event.offsetY / ROW_HEIGHT);
      if (r >= 0 && r < this.units) this.focusRow = r;
      this.context.select(Math.min(this.tokens - 1, Math.max(0, Math.floor(event.offsetX / this.context.cellWidth))));
    });
    canvas.addEventListener('focus', () => this.pointRow(this.focusRow));
    canvas.addEventListener('blur', () => this.hideRow());
    canvas.addEventListener('keydown', (event) => {
      const k = this.context.selected();
      const rows: Record<string, number> = { ArrowUp: this.focusRow - 1, ArrowDown: this.focusRow + 1, PageUp: 0, PageDown: this.units - 1 };
      const columns: Record<string, number> = { ArrowLeft: k - 1, ArrowRight: k + 1, Home: 0, End: this.tokens - 1 };
      if (event.key in rows) {
        this.focusRow = Math.max(0, Math.min(this.units - 1, rows[event.key]));
        this.pointRow(this.focusRow);
      } else if (event.key in columns) {
        this.context.select(Math.max(0, Math.min(this.tokens - 1, columns[event.key])));
      } else {
        return;
      }
      event.preventDefault();
    });
  }
}
