/**
 * A Chart.js line chart inside an accessible <figure>: a title, the canvas
 * (role="img"), and a visually hidden text summary that says what the curves
 * show. The figure also carries the series count, labels and point counts as
 * data attributes, so what is drawn can be checked without reaching into
 * Chart.js.
 *
 * Live training appends a point per batch. Points are pushed into the arrays
 * the chart already draws and one redraw is scheduled per animation frame,
 * with animations off for those updates: the chart is never rebuilt while
 * data streams in.
 */
import {
  Chart,
  Legend,
  LineController,
  LineElement,
  LinearScale,
  PointElement,
  Tooltip,
  type ChartDataset,
  type ChartOptions,
  type PointStyle,
} from 'chart.js';
import { h, uniqueId } from '../util/dom.js';
import { withAlpha, type ChartTheme, type SeriesColor } from '../theme/theme.js';

// Only what a line chart on linear axes needs: tree-shaking drops the rest of Chart.js.
Chart.register(LineController, LineElement, PointElement, LinearScale, Legend, Tooltip);

export interface ChartPoint {
  x: number;
  y: number;
}

/** How a series is drawn: per-batch noise faint, epoch means solid, validation dashed, compared runs by marker shape, the kept epoch a lone star. */
export type SeriesVariant = 'batch' | 'train' | 'validation' | 'run' | 'kept';

export interface ChartSeries {
  id: string;
  label: string;
  color: SeriesColor;
  variant: SeriesVariant;
  points: ChartPoint[];
  /** Compared runs differ by marker shape as well as colour. */
  pointStyle?: PointStyle;
}

export interface LineChartConfig {
  /** data-chart attribute, stable for tests and styling. */
  name: string;
  title: string;
  xTitle: string;
  yTitle: string;
  yKind: 'fraction' | 'loss';
  emptyText: string;
  summarize(series: readonly ChartSeries[]): string;
}

export interface XRange {
  min?: number;
  max?: number;
  /** Whole-number ticks (epochs). */
  integerTicks?: boolean;
}

type LineChartJs = Chart<'line', ChartPoint[]>;

export class LineChart {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly summary: HTMLElement;
  private readonly empty: HTMLElement;
  private series: ChartSeries[] = [];
  private xRange: XRange = {};
  private chart: LineChartJs | undefined;
  private frame: number | undefined;

  constructor(
    private readonly config: LineChartConfig,
    private theme: ChartTheme,
  ) {
    const titleId = uniqueId('chart-title');
    const summaryId = uniqueId('chart-summary');
    this.canvas = h('canvas', { role: 'img', 'aria-labelledby': titleId, 'aria-describedby': summaryId });
    this.summary = h('p', { id: summaryId, class: 'visually-hidden', 'data-chart-summary': true });
    this.empty = h('p', { class: 'chart-empty', hidden: true }, config.emptyText);
    this.element = h(
      'figure',
      { class: 'chart', 'data-chart': config.name },
      h('figcaption', { id: titleId, class: 'chart-title' }, config.title),
      h('div', { class: 'chart-canvas' }, this.canvas, this.empty),
      this.summary,
    );
    this.refreshDescription();
  }

  /** Replaces every series (a new run shown, a state pushed); the chart object is kept. */
  setSeries(series: ChartSeries[], xRange: XRange = {}): void {
    this.series = series;
    this.xRange = xRange;
    const chart = this.ensureChart();
    chart.data.datasets = series.map((s, index) => this.dataset(s, index));
    this.applyOptions(chart);
    this.scheduleRedraw();
  }

  /** Adds one point to a series; drawn with the next animation frame. */
  append(seriesId: string, point: ChartPoint): void {
    const series = this.series.find((s) => s.id === seriesId);
    if (!series) return;
    // The dataset draws this same array, so pushing is all the chart needs.
    series.points.push(point);
    this.scheduleRedraw();
  }

  setTheme(theme: ChartTheme): void {
    this.theme = theme;
    this.element.dataset.seriesColors = JSON.stringify(this.series.map((s) => theme.series[s.color]));
    if (!this.chart) return;
    this.chart.data.datasets = this.series.map((s, index) => this.dataset(s, index));
    this.applyOptions(this.chart);
    this.chart.update('none');
  }

  destroy(): void {
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    this.chart?.destroy();
    this.chart = undefined;
  }

  private ensureChart(): LineChartJs {
    if (!this.chart) {
      this.chart = new Chart<'line', ChartPoint[]>(this.canvas, {
        type: 'line',
        data: { datasets: [] },
        options: this.options(),
      });
    }
    return this.chart;
  }

  private scheduleRedraw(): void {
    if (this.frame !== undefined) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = undefined;
      this.chart?.update('none');
      this.refreshDescription();
    });
  }

  private refreshDescription(): void {
    const counts = this.series.map((s) => s.points.length);
    const hasData = counts.some((n) => n > 0);
    this.empty.hidden = hasData;
    this.element.dataset.seriesCount = String(this.series.length);
    this.element.dataset.pointCounts = counts.join(',');
    this.element.dataset.seriesLabels = JSON.stringify(this.series.map((s) => s.label));
    this.element.dataset.seriesColors = JSON.stringify(this.series.map((s) => this.theme.series[s.color]));
    this.summary.textContent = hasData ? this.config.summarize(this.series) : this.config.emptyText;
  }

  private dataset(series: ChartSeries, index: number): ChartDataset<'line', ChartPoint[]> {
    const color = this.theme.series[series.color];
    const wide = this.theme.highContrast ? 1 : 0;
    const base = {
      label: series.label,
      data: series.points,
      borderColor: color,
      backgroundColor: color,
      pointBorderColor: color,
      pointBackgroundColor: color,
      parsing: false as const,
      normalized: true,
      spanGaps: true,
      // Markers on the last epoch sit on the chart's edge; let them overhang it rather than be cut in half.
      clip: 6,
    };
    switch (series.variant) {
      case 'batch':
        // Drawn under the epoch curves (higher order draws first); a line in the legend.
        return { ...base, borderColor: withAlpha(color, 0.5), borderWidth: 1 + wide, pointRadius: 0, pointHoverRadius: 3, pointStyle: 'line', order: 2 };
      case 'train':
        return { ...base, borderWidth: 2 + wide, pointRadius: 3, pointHoverRadius: 5, order: 1 };
      case 'validation':
        return { ...base, borderWidth: 2 + wide, borderDash: [6, 4], pointRadius: 3.5, pointHoverRadius: 5, pointStyle: 'rectRot', order: 1 };
      case 'run':
        return { ...base, borderWidth: 2 + wide, pointRadius: 3.5, pointHoverRadius: 5, pointStyle: series.pointStyle ?? RUN_POINT_STYLES[index % RUN_POINT_STYLES.length] };
      case 'kept':
        // Drawn over the curves (lowest order draws last), no line: one marker per chart.
        return { ...base, showLine: false, borderWidth: 2 + wide, pointRadius: 9, pointHoverRadius: 10, pointStyle: 'star', order: 0 };
    }
  }

  private applyOptions(chart: LineChartJs): void {
    chart.options = this.options();
    this.element.dataset.animation = this.theme.reduceMotion ? 'off' : 'on';
  }

  private options(): ChartOptions<'line'> {
    const t = this.theme;
    const font = { family: t.fontFamily, size: t.fontSize };
    const axisTitle = (text: string) => ({ display: true, text, color: t.muted, font });
    const ticks = { color: t.muted, font };
    const { min, max, integerTicks } = this.xRange;
    return {
      responsive: true,
      maintainAspectRatio: false,
      animation: t.reduceMotion ? false : { duration: 250 },
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      layout: { padding: { right: 6 } },
      color: t.foreground,
      font,
      scales: {
        x: {
          type: 'linear',
          min,
          max,
          title: axisTitle(this.config.xTitle),
          ticks: integerTicks ? { ...ticks, stepSize: 1, precision: 0 } : { ...ticks, maxTicksLimit: 8 },
          grid: { color: t.grid },
          border: { color: t.grid },
        },
        y: {
          type: 'linear',
          title: axisTitle(this.config.yTitle),
          ...(this.config.yKind === 'fraction' ? { suggestedMin: 0.5, suggestedMax: 1 } : { beginAtZero: true }),
          ticks: { ...ticks, maxTicksLimit: 6 },
          grid: { color: t.grid },
          border: { color: t.grid },
        },
      },
      plugins: {
        legend: {
          position: 'bottom',
          // Legend entries in the order the series are listed, whatever their drawing order.
          labels: { color: t.foreground, font, usePointStyle: true, boxWidth: 7, boxHeight: 7, padding: 9, sort: (a, b) => (a.datasetIndex ?? 0) - (b.datasetIndex ?? 0) },
        },
        tooltip: {
          backgroundColor: t.background,
          titleColor: t.foreground,
          bodyColor: t.foreground,
          borderColor: t.grid,
          borderWidth: 1,
          titleFont: font,
          bodyFont: font,
          callbacks: {
            title: (items) => (items[0] ? `${this.config.xTitle} ${formatX(items[0].parsed.x ?? 0)}` : ''),
            label: (item) => `${item.dataset.label ?? ''}: ${(item.parsed.y ?? 0).toFixed(this.config.yKind === 'fraction' ? 3 : 4)}`,
          },
        },
      },
    };
  }
}

const RUN_POINT_STYLES: readonly PointStyle[] = ['circle', 'rect', 'triangle', 'rectRot', 'star', 'crossRot'];

function formatX(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}
