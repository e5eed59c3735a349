/**
 * The Explain panel: why the model decided on one analyzed text.
 *   - the text as tokens coloured by their attribution (dropped and
 *     out-of-vocabulary words marked), one tab stop, arrow keys move;
 *   - the verdict as it reads, over token positions, with the 0.5 line;
 *   - heatmaps of hidden units x tokens (and for an LSTM the cell state and
 *     the input, forget and output gates; for a Bi-LSTM both directions),
 *     units in their own order or sorted by correlation with the verdict
 *     (see explain-heatmap.ts).
 * Selecting a token highlights its column everywhere; hovering a heatmap
 * highlights its unit's row. The text and the verdict come first, in the
 * task that receives the explanation; the heatmaps follow once that has been
 * painted, in slices of a few milliseconds, and a re-sort redraws them the
 * same way, so a 500-token Bi-LSTM trace never holds the main thread for
 * long. Selection and hover only move overlay elements. The charts carry
 * text alternatives, and the selected token's figures are spelled out in a
 * live region.
 */
import type { Explanation } from '../../src/core/explain/types.js';
import type { PresetName } from '../../src/core/presets.js';
import type { ChartTheme } from '../theme/theme.js';
import { h, replaceChildren } from '../util/dom.js';
import { formatFraction, formatSigned } from '../util/format.js';
import { afterNextFrame, inSlices } from '../util/schedule.js';
import { HeatmapFigure, type HeatmapContext, type HeatmapMatrix, type Rgb } from './explain-heatmap.js';
import { orderUnits, unitStats, type UnitStats } from './explain-stats.js';

const SVG = 'http://www.w3.org/2000/svg';

type UnitOrder = 'index' | 'correlation';


/** Parses rgb()/rgba() as resolved from the theme. */
function rgbOf(color: string): Rgb {
  const m = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(color);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [128, 128, 128];
}

function matricesOf(e: Explanation): HeatmapMatrix[] {
  const out: HeatmapMatrix[] = [];
  for (const d of e.states) {
    const side = e.states.length > 1 ? ` (${d.direction})` : '';
    out.push({ title: `Hidden state h${side}`, values: d.h, range: 'signed' });
    if (d.c) out.push({ title: `Cell state c${side}`, values: d.c, range: 'signed' });
    if (d.inputGate) out.push({ title: `Input gate${side}`, values: d.inputGate, range: 'unit' });
    if (d.forgetGate) out.push({ title: `Forget gate${side}`, values: d.forgetGate, range: 'unit' });
    if (d.outputGate) out.push({ title: `Output gate${side}`, values: d.outputGate, range: 'unit' });
  }
  return out;
}

interface DrawnHeatmap {
  figure: HeatmapFigure;
  stats: UnitStats[];
}

export class ExplainPanel {
  readonly element = h('section', { class: 'card explain-view', 'aria-label': 'Explanation', hidden: true });
  private explanation: Explanation | undefined;
  private theme: ChartTheme;
  private selected = -1;
  private unitOrder: UnitOrder = 'index';
  private tokenButtons: HTMLElement[] = [];
  private verdictColumn: SVGRectElement | undefined;
  private drawn: DrawnHeatmap[] = [];
  /** Bumped to abandon the heatmaps being built (a new explanation or message). */
  private drawing = 0;
  /** Bumped to abandon a re-ordering in progress (a newer order); heatmaps built meanwhile take the new order. */
  private ordering = 0;
  private readonly detail = h('p', { class: 'explain-detail', role: 'status', 'aria-live': 'polite' });

  /** `presetTitle` names a preset as the rest of the dashboard does ("LSTM", not "lstm"). */
  constructor(
    theme: ChartTheme,
    private readonly presetTitle: (preset: PresetName) => string,
  ) {
    this.theme = theme;
  }

  showMessage(text: string, isError = false): void {
    this.element.hidden = false;
    this.explanation = undefined;
    this.drawing++;
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
    const heatmaps = h('div', { class: 'explain-heatmaps', 'aria-busy': 'true' });
    replaceChildren(
      this.element,
      h('h2', { class: 'explain-title' }, `Why ${e.label} (${formatFraction(e.probability)})`),
      h('p', { class: 'muted' }, `Each word's push toward positive (green) or negative (red), by ${method}. The ${this.presetTitle(e.preset)} model read ${n} tokens${e.read.from > 0 ? `; the first ${e.read.from} words (greyed) were beyond its ${e.maxlen - 1}-word window` : ''}.`),
      this.tokens(e),
      this.detail,
      h('h3', undefined, 'Verdict as it reads'),
      this.verdictChart(e),
      h('div', { class: 'explain-heatmap-header' }, h('h3', undefined, 'Units × tokens'), sortPicker),
      heatmaps,
    );
    this.select(this.selected >= 0 ? this.selected : n - 1, false);
    void this.drawHeatmaps(e, heatmaps);
  }

  /** The heatmaps, after the text has been painted, a few per task. */
  private async drawHeatmaps(e: Explanation, container: HTMLElement): Promise<void> {
    const token = ++this.drawing;
    const cancelled = () => token !== this.drawing || this.explanation !== e;
    await afterNextFrame();
    const n = e.verdict.length;
    const context: HeatmapContext = {
      cellWidth: n > 250 ? 2 : n > 100 ? 4 : 8,
      positive: rgbOf(this.theme.series.blue),
      negative: rgbOf(this.theme.series.orange),
      word: (k) => e.tokens[e.read.from + k]?.text ?? '',
      selected: () => this.selected,
      select: (k) => this.select(k, false),
    };
    const done = await inSlices(
      matricesOf(e),
      (matrix) => {
        const stats = unitStats(matrix.values, e.verdict);
        const figure = new HeatmapFigure(matrix, stats, context, orderUnits(stats, this.unitOrder));
        this.drawn.push({ figure, stats });
        container.append(figure.element);
      },
      cancelled,
    );
    if (done) container.setAttribute('aria-busy', 'false');
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
      const label = `${token.text}${token.status === 'oov' ? ' (unknown word)' : ''}: ${formatSigned(v)}`;
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

  /** Re-orders every heatmap's rows (and its table), a few heatmaps per task. */
  private sortUnits(order: UnitOrder): void {
    this.unitOrder = order;
    const token = ++this.ordering;
    const e = this.explanation;
    void inSlices(
      this.drawn.slice(),
      (d) => d.figure.setOrder(orderUnits(d.stats, order)),
      () => token !== this.ordering || this.explanation !== e,
    );
  }

  /**
   * Select token k (of those read): its column everywhere, its figures in
   * words. Every write comes before the focus move, the only step that needs
   * layout, so a selection costs one layout.
   */
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
    this.verdictColumn?.setAttribute('x', String(k));
    for (const d of this.drawn) d.figure.showColumn(k);
    const token = e.tokens[e.read.from + k];
    const before = k === 0 ? e.verdictBefore : e.verdict[k - 1];
    const parts = [`“${token.text}”${token.status === 'oov' ? ' (outside the vocabulary, read as the unknown-word index)' : ''}: attribution ${formatSigned(e.attributions.values[k])}`];
    if (e.attributions.removed) parts.push(`removing it: ${formatSigned(e.attributions.removed[k])}`);
    parts.push(`verdict ${formatFraction(before)} → ${formatFraction(e.verdict[k])}`);
    for (const d of e.states) {
      if (!d.inputGate || !d.forgetGate || !d.outputGate) continue;
      const mean = (rows: number[][]) => rows[k].reduce((s, v) => s + v, 0) / rows[k].length;
      parts.push(`${e.states.length > 1 ? `${d.direction} ` : ''}gates (mean over units): input ${mean(d.inputGate).toFixed(2)}, forget ${mean(d.forgetGate).toFixed(2)}, output ${mean(d.outputGate).toFixed(2)}`);
    }
    this.detail.textContent = `${parts.join('; ')}.`;
    if (focus) current.focus();
  }
}
