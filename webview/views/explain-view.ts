/**
 * The Explain panel: why the model decided on one analyzed text.
 *   - the text as tokens coloured by their attribution (dropped and
 *     out-of-vocabulary words marked), one tab stop, arrow keys move;
 *   - the verdict as it reads, over token positions, with the 0.5 line;
 *   - heatmaps of hidden units x tokens (and for an LSTM the cell state and
 *     the input, forget and output gates; for a Bi-LSTM both directions),
 *     units in their own order or sorted by correlation with the verdict.
 * Selecting a token highlights its column everywhere; hovering a heatmap
 * highlights its unit's row. Each chart is drawn once (a canvas per matrix,
 * one SVG polyline); selection and hover only move overlay elements, so a
 * 500-token text stays smooth. The charts carry text alternatives, and the
 * selected token's figures are spelled out in a live region.
 */
import type { DirectionStates, Explanation } from '../../src/core/explain/types.js';
import type { ChartTheme } from '../theme/theme.js';
import { h, replaceChildren } from '../util/dom.js';
import { formatFraction } from '../util/format.js';

const SVG = 'http://www.w3.org/2000/svg';
const ROW_HEIGHT = 5;

type UnitOrder = 'index' | 'correlation';

interface Matrix {
  title: string;
  /** [token][unit] */
  values: number[][];
  /** 'signed' (-1..1, tanh states) or 'unit' (0..1, gates). */
  range: 'signed' | 'unit';
  direction: DirectionStates['direction'];
}

function pearson(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i] / n;
    my += ys[i] / n;
  }
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}

function signed(value: number, digits = 3): string {
  return `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(digits)}`;
}

/** Parses rgb()/rgba() as resolved from the theme. */
function rgbOf(color: string): [number, number, number] {
  const m = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(color);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [128, 128, 128];
}

function matricesOf(e: Explanation): Matrix[] {
  const out: Matrix[] = [];
  for (const d of e.states) {
    const side = e.states.length > 1 ? ` (${d.direction})` : '';
    out.push({ title: `Hidden state h${side}`, values: d.h, range: 'signed', direction: d.direction });
    if (d.c) out.push({ title: `Cell state c${side}`, values: d.c, range: 'signed', direction: d.direction });
    if (d.inputGate) out.push({ title: `Input gate${side}`, values: d.inputGate, range: 'unit', direction: d.direction });
    if (d.forgetGate) out.push({ title: `Forget gate${side}`, values: d.forgetGate, range: 'unit', direction: d.direction });
    if (d.outputGate) out.push({ title: `Output gate${side}`, values: d.outputGate, range: 'unit', direction: d.direction });
  }
  return out;
}

interface DrawnMatrix {
  matrix: Matrix;
  canvas: HTMLCanvasElement;
  column: HTMLElement;
  row: HTMLElement;
  /** unit of each drawn row */
  order: number[];
  correlations: number[];
}

export class ExplainPanel {
  readonly element = h('section', { class: 'card explain-view', 'aria-label': 'Explanation', hidden: true });
  private explanation: Explanation | undefined;
  private theme: ChartTheme;
  private selected = -1;
  private unitOrder: UnitOrder = 'index';
  private tokenButtons: HTMLElement[] = [];
  private verdictColumn: SVGRectElement | undefined;
  private drawn: DrawnMatrix[] = [];
  private cellWidth = 4;
  /** Bumped to abandon a drawing in progress. */
  private drawing = 0;
  private readonly detail = h('p', { class: 'explain-detail', role: 'status', 'aria-live': 'polite' });

  constructor(theme: ChartTheme) {
    this.theme = theme;
  }

  showMessage(text: string, isError = false): void {
    this.element.hidden = false;
    this.explanation = undefined;
    replaceChildren(this.element, h('p', { class: isError ? 'inline-error' : 'muted', role: isError ? 'alert' : 'status' }, text));
  }

  setTheme(theme: ChartTheme): void {
    this.theme = theme;
    if (this.explanation) this.show(this.explanation);
  }

  show(e: Explanation): void {
    this.explanation = e;
    this.element.hidden = false;
    const n = e.verdict.length;
    this.cellWidth = n > 250 ? 2 : n > 100 ? 4 : 8;
    this.selected = Math.min(this.selected, n - 1);
    const a = e.attributions;
    const method = a.method === 'ig' ? `integrated gradients (${a.steps ?? 0} steps, completeness within ${((a.completenessError ?? 0) * 100).toFixed(2)}%)` : 'occlusion (each word replaced by the unknown-word index)';
    const sortPicker = h(
      'select',
      { class: 'explain-sort', 'aria-label': 'Order of the units in the heatmaps', onchange: (event: Event) => this.sortUnits((event.target as HTMLSelectElement).value as UnitOrder) },
      h('option', { value: 'index', selected: this.unitOrder === 'index' }, 'Units in order'),
      h('option', { value: 'correlation', selected: this.unitOrder === 'correlation' }, 'Units by correlation with the verdict'),
    );
    this.drawn = [];
    const heatmaps = h('div', { class: 'explain-heatmaps' });
    replaceChildren(
      this.element,
      h('h2', { class: 'explain-title' }, `Why ${e.label} (${formatFraction(e.probability)})`),
      h('p', { class: 'muted' }, `Each word's push toward positive (green) or negative (red), by ${method}. The ${e.preset} model read ${n} tokens${e.read.from > 0 ? `; the first ${e.read.from} words (greyed) were beyond its ${e.maxlen - 1}-word window` : ''}.`),
      this.tokens(e),
      this.detail,
      h('h3', undefined, 'Verdict as it reads'),
      this.verdictChart(e),
      h('div', { class: 'explain-heatmap-header' }, h('h3', undefined, 'Units × tokens'), sortPicker),
      heatmaps,
    );
    this.select(this.selected >= 0 ? this.selected : n - 1, false);
    // One heatmap per animation frame: each frame stays a short task, however many matrices.
    const pending = matricesOf(e);
    const token = ++this.drawing;
    const next = () => {
      const matrix = pending.shift();
      if (!matrix || token !== this.drawing || this.explanation !== e) return;
      const figure = this.heatmap(matrix);
      const drawn = this.drawn[this.drawn.length - 1];
      this.order(drawn);
      this.draw(drawn);
      drawn.column.style.transform = `translateX(${this.selected * this.cellWidth}px)`;
      heatmaps.append(figure);
      requestAnimationFrame(next);
    };
    requestAnimationFrame(next);
  }

  private tokens(e: Explanation): HTMLElement {
    const values = e.attributions.values;
    const scale = values.reduce((m, v) => Math.max(m, Math.abs(v)), 1e-9);
    const [pr, pg, pb] = rgbOf(this.theme.series.green);
    const [nr, ng, nb] = rgbOf(this.theme.series.red);
    this.tokenButtons = [];
    const container = h('div', { class: 'explain-tokens', role: 'listbox', 'aria-label': 'Tokens of the text: arrow keys move, the selected one is described below', 'aria-orientation': 'horizontal' });
    e.tokens.forEach((token, j) => {
      const k = j - e.read.from;
      if (k < 0) {
        container.append(h('span', { class: 'explain-token is-dropped', title: 'Not read: beyond the model’s window' }, token.text), ' ');
        return;
      }
      const v = values[k];
      const strength = Math.min(1, Math.abs(v) / scale);
      const label = `${token.text}${token.status === 'oov' ? ' (unknown word)' : ''}: ${signed(v)}`;
      const el = h('span', { class: `explain-token${token.status === 'oov' ? ' is-oov' : ''}${token.status === 'start' ? ' is-start' : ''}`, role: 'option', tabindex: -1, 'aria-selected': 'false', 'aria-label': label, 'data-token': k, title: label }, token.text);
      el.style.backgroundColor = v >= 0 ? `rgba(${pr}, ${pg}, ${pb}, ${(0.65 * strength).toFixed(3)})` : `rgba(${nr}, ${ng}, ${nb}, ${(0.65 * strength).toFixed(3)})`;
      this.tokenButtons.push(el);
      container.append(el, ' ');
    });
    container.addEventListener('click', (event) => {
      const k = (event.target as HTMLElement).closest<HTMLElement>('[data-token]')?.dataset.token;
      if (k !== undefined) this.select(Number(k), true);
    });
    container.addEventListener('keydown', (event) => {
      const last = this.tokenButtons.length - 1;
      const moves: Record<string, number> = { ArrowRight: this.selected + 1, ArrowLeft: this.selected - 1, Home: 0, End: last };
      if (!(event.key in moves)) return;
      event.preventDefault();
      this.select(Math.max(0, Math.min(last, moves[event.key])), true);
    });
    return container;
  }

  private verdictChart(e: Explanation): SVGSVGElement {
    const n = e.verdict.length;
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', `0 0 ${n} 100`);
    svg.setAttribute('preserveAspectRatio', 'none');
    svg.setAttribute('class', 'explain-verdict');
    svg.setAttribute('role', 'img');
    const lowest = e.verdict.indexOf(Math.min(...e.verdict));
    const highest = e.verdict.indexOf(Math.max(...e.verdict));
    const word = (k: number) => e.tokens[e.read.from + k]?.text ?? '';
    svg.setAttribute('aria-label', `Verdict as it reads: ${formatFraction(e.verdictBefore)} before the first token, ${formatFraction(e.verdict[n - 1])} at the end; lowest ${formatFraction(e.verdict[lowest])} after “${word(lowest)}”, highest ${formatFraction(e.verdict[highest])} after “${word(highest)}”.`);
    const threshold = document.createElementNS(SVG, 'line');
    for (const [k, v] of Object.entries({ x1: 0, x2: n, y1: 50, y2: 50, class: 'explain-threshold', 'vector-effect': 'non-scaling-stroke' })) threshold.setAttribute(k, String(v));
    const column = document.createElementNS(SVG, 'rect');
    for (const [k, v] of Object.entries({ y: 0, width: 1, height: 100, class: 'explain-column' })) column.setAttribute(k, String(v));
    this.verdictColumn = column;
    const line = document.createElementNS(SVG, 'polyline');
    line.setAttribute('points', [e.verdictBefore, ...e.verdict].map((p, i) => `${Math.max(0, i - 0.5).toFixed(1)},${(100 - 100 * p).toFixed(2)}`).join(' '));
    line.setAttribute('class', 'explain-verdict-line');
    line.setAttribute('vector-effect', 'non-scaling-stroke');
    svg.append(column, threshold, line);
    return svg;
  }

  private heatmap(matrix: Matrix): HTMLElement {
    const e = this.explanation as Explanation;
    const n = matrix.values.length;
    const units = matrix.values[0]?.length ?? 0;
    const correlations = Array.from({ length: units }, (_, u) => pearson(matrix.values.map((row) => row[u]), e.verdict));
    const canvas = h('canvas', { class: 'explain-heatmap', width: n * this.cellWidth, height: units * ROW_HEIGHT, role: 'img' });
    const best = correlations.indexOf(Math.max(...correlations));
    const worst = correlations.indexOf(Math.min(...correlations));
    canvas.setAttribute('aria-label', `${matrix.title}: ${units} units × ${n} tokens. Unit ${best} rises with the verdict most (r = ${correlations[best].toFixed(2)}), unit ${worst} falls with it most (r = ${correlations[worst].toFixed(2)}). The selected token's values are described above.`);
    const column = h('div', { class: 'explain-overlay-column', 'aria-hidden': 'true' });
    const row = h('div', { class: 'explain-overlay-row', 'aria-hidden': 'true', hidden: true });
    column.style.width = `${this.cellWidth}px`;
    row.style.height = `${ROW_HEIGHT}px`;
    const drawn: DrawnMatrix = { matrix, canvas, column, row, order: correlations.map((_, u) => u), correlations };
    this.drawn.push(drawn);
    const rowLabel = h('span', { class: 'explain-row-label muted', 'aria-hidden': 'true' });
    canvas.addEventListener('mousemove', (event) => {
      const r = Math.floor(event.offsetY / ROW_HEIGHT);
      if (r < 0 || r >= units) return;
      row.hidden = false;
      row.style.transform = `translateY(${r * ROW_HEIGHT}px)`;
      const u = drawn.order[r];
      rowLabel.textContent = `unit ${u}, r = ${correlations[u].toFixed(2)}`;
    });
    canvas.addEventListener('mouseleave', () => {
      row.hidden = true;
      rowLabel.textContent = '';
    });
    canvas.addEventListener('click', (event) => this.select(Math.floor(event.offsetX / this.cellWidth), true));
    return h('figure', { class: 'explain-figure', 'data-matrix': matrix.title }, h('figcaption', undefined, matrix.title, ' ', rowLabel), h('div', { class: 'explain-heatmap-scroll' }, h('div', { class: 'explain-heatmap-frame' }, canvas, column, row)));
  }

  private draw(d: DrawnMatrix): void {
    const context = d.canvas.getContext('2d');
    if (!context) return;
    const n = d.matrix.values.length;
    const units = d.order.length;
    const image = context.createImageData(n * this.cellWidth, units * ROW_HEIGHT);
    const [pr, pg, pb] = rgbOf(this.theme.series.blue);
    const [nr, ng, nb] = rgbOf(this.theme.series.orange);
    const width = n * this.cellWidth;
    for (let r = 0; r < units; r++) {
      const u = d.order[r];
      for (let t = 0; t < n; t++) {
        const v = d.matrix.values[t][u];
        const strength = d.matrix.range === 'unit' ? Math.min(1, Math.max(0, v)) : Math.min(1, Math.abs(v));
        const [cr, cg, cb] = d.matrix.range === 'unit' || v >= 0 ? [pr, pg, pb] : [nr, ng, nb];
        const alpha = Math.round(255 * strength);
        for (let y = r * ROW_HEIGHT; y < (r + 1) * ROW_HEIGHT; y++) {
          for (let x = t * this.cellWidth; x < (t + 1) * this.cellWidth; x++) {
            const i = 4 * (y * width + x);
            image.data[i] = cr;
            image.data[i + 1] = cg;
            image.data[i + 2] = cb;
            image.data[i + 3] = alpha;
          }
        }
      }
    }
    context.putImageData(image, 0, 0);
  }

  /** Re-order every heatmap's rows and redraw them, one per animation frame (each stays a short task). */
  private sortUnits(order: UnitOrder): void {
    this.unitOrder = order;
    const queue = this.drawn.slice();
    for (const d of queue) this.order(d);
    const token = ++this.drawing;
    const next = () => {
      const d = queue.shift();
      if (!d || token !== this.drawing) return;
      this.draw(d);
      requestAnimationFrame(next);
    };
    next();
  }

  private order(d: DrawnMatrix): void {
    d.order = d.correlations.map((_, u) => u);
    if (this.unitOrder === 'correlation') d.order.sort((a, b) => d.correlations[b] - d.correlations[a]);
  }

  /** Select token k (of those read): its column everywhere, its figures in words. */
  private select(k: number, focus: boolean): void {
    const e = this.explanation;
    if (!e || k < 0 || k >= e.verdict.length) return;
    const previous = this.tokenButtons[this.selected];
    if (previous) {
      previous.setAttribute('aria-selected', 'false');
      previous.tabIndex = -1;
    }
    this.selected = k;
    const current = this.tokenButtons[k];
    current.setAttribute('aria-selected', 'true');
    current.tabIndex = 0;
    if (focus) current.focus();
    this.verdictColumn?.setAttribute('x', String(k));
    for (const d of this.drawn) d.column.style.transform = `translateX(${k * this.cellWidth}px)`;
    const token = e.tokens[e.read.from + k];
    const before = k === 0 ? e.verdictBefore : e.verdict[k - 1];
    const parts = [`“${token.text}”${token.status === 'oov' ? ' (outside the vocabulary, read as the unknown-word index)' : ''}: attribution ${signed(e.attributions.values[k])}`];
    if (e.attributions.removed) parts.push(`removing it: ${signed(e.attributions.removed[k])}`);
    parts.push(`verdict ${formatFraction(before)} → ${formatFraction(e.verdict[k])}`);
    for (const d of e.states) {
      if (!d.inputGate || !d.forgetGate || !d.outputGate) continue;
      const mean = (rows: number[][]) => rows[k].reduce((s, v) => s + v, 0) / rows[k].length;
      parts.push(`${e.states.length > 1 ? `${d.direction} ` : ''}gates (mean over units): input ${mean(d.inputGate).toFixed(2)}, forget ${mean(d.forgetGate).toFixed(2)}, output ${mean(d.outputGate).toFixed(2)}`);
    }
    this.detail.textContent = `${parts.join('; ')}.`;
  }
}

