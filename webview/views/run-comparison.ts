/**
 * Runs ticked "Compare", overlaid: validation accuracy and validation loss per
 * epoch, one colour and marker shape per run, so which model generalises
 * better is visible at a glance.
 */
import type { DashboardState } from '../../src/protocol.js';
import { LineChart, type ChartSeries } from '../charts/line-chart.js';
import type { OkRun } from '../state/selectors.js';
import { bestValidationAccuracy, runLabel } from '../state/selectors.js';
import { SERIES_ORDER, type ChartTheme } from '../theme/theme.js';
import { h } from '../util/dom.js';
import { differentDatasetsNote } from '../../src/core/run-dataset.js';
import { formatFraction, formatLoss } from '../util/format.js';

export class RunComparison {
  readonly element: HTMLElement;
  private readonly hint = h('p', { class: 'muted comparison-hint' });
  private readonly charts: HTMLElement;
  private readonly accuracy: LineChart;
  private readonly loss: LineChart;
  private shown = '';

  constructor(theme: ChartTheme) {
    this.accuracy = new LineChart(
      {
        name: 'compare-val-accuracy',
        title: 'Validation accuracy by epoch',
        xTitle: 'Epoch',
        yTitle: 'Validation accuracy',
        yKind: 'fraction',
        emptyText: 'No epochs recorded.',
        summarize: (series) => summarize(series, (v) => formatFraction(v), 'val acc'),
      },
      theme,
    );
    this.loss = new LineChart(
      {
        name: 'compare-val-loss',
        title: 'Validation loss by epoch',
        xTitle: 'Epoch',
        yTitle: 'Validation loss',
        yKind: 'loss',
        emptyText: 'No epochs recorded.',
        summarize: (series) => summarize(series, formatLoss, 'val loss'),
      },
      theme,
    );
    this.charts = h('div', { class: 'chart-grid' }, this.accuracy.element, this.loss.element);
    this.element = h('section', { class: 'card comparison', 'aria-labelledby': 'comparison-title' }, h('h2', { id: 'comparison-title' }, 'Compare runs'), this.hint, this.charts);
  }

  render(state: DashboardState, runs: OkRun[]): void {
    this.charts.hidden = runs.length < 2;
    this.hint.textContent =
      runs.length === 0
        ? 'Tick “Compare” on two or more runs to overlay their validation curves.'
        : runs.length === 1
          ? 'Tick one more run to compare it with this one.'
          : [runs.map((r) => `${runLabel(state, r.record)}: best val acc ${formatFraction(bestValidationAccuracy(r.record)?.value)}`).join(' · '), differentDatasetsNote(runs.map((r) => r.record))]
              .filter(Boolean)
              .join(' ');
    const key = runs.map((r) => `${r.id}:${r.record.history.epochs.length}`).join('|');
    if (runs.length < 2 || key === this.shown) return;
    this.shown = key;
    const maxEpochs = Math.max(1, ...runs.map((r) => r.record.history.epochs.length));
    const series = (pick: 'valAccuracy' | 'valLoss'): ChartSeries[] =>
      runs.map((run, index) => ({
        id: run.id,
        label: runLabel(state, run.record),
        color: SERIES_ORDER[index % SERIES_ORDER.length],
        variant: 'run',
        points: run.record.history.epochs.map((e) => ({ x: e.epoch, y: e[pick] })),
      }));
    const range = { min: 1, max: maxEpochs, integerTicks: maxEpochs <= 20 };
    this.accuracy.setSeries(series('valAccuracy'), range);
    this.loss.setSeries(series('valLoss'), range);
  }

  setTheme(theme: ChartTheme): void {
    this.accuracy.setTheme(theme);
    this.loss.setTheme(theme);
  }
}

/** "LSTM · 26/11/2025: epoch 1 val acc 0.800, … epoch 5 val acc 0.880." */
function summarize(series: readonly ChartSeries[], format: (v: number) => string, name: string): string {
  return series
    .map((s) => {
      const points = s.points.length > 10 ? [s.points[0], s.points[s.points.length - 1]] : s.points;
      return `${s.label}: ${points.map((p) => `epoch ${p.x} ${name} ${format(p.y)}`).join(', ')}.`;
    })
    .join(' ');
}
