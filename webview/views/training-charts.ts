/**
 * The learning curves: a loss chart and an accuracy chart, each with the
 * per-batch values (faint), the per-epoch training means and the validation
 * values, on one x axis in epochs (batch b of epoch e sits at e − 1 + b/B), so
 * the noisy batch curve and the epoch points line up. The same two charts show
 * a live training or a past run's history; for a run, a star marks the epoch
 * whose weights it holds (the best one, or the last).
 */
import type { BatchMetrics, EpochMetrics } from '../../src/core/metrics.js';
import { LineChart, type ChartPoint, type ChartSeries } from '../charts/line-chart.js';
import type { ChartTheme } from '../theme/theme.js';
import { h } from '../util/dom.js';
import { formatFraction, formatInteger, formatLoss } from '../util/format.js';

type Metric = 'loss' | 'accuracy';

const batchX = (b: BatchMetrics) => b.epoch - 1 + b.batch / b.batchesPerEpoch;

export class TrainingCharts {
  readonly element: HTMLElement;
  private readonly loss: LineChart;
  private readonly accuracy: LineChart;

  constructor(theme: ChartTheme) {
    this.loss = new LineChart(
      { name: 'loss', title: 'Loss', xTitle: 'Epoch', yTitle: 'Binary cross-entropy', yKind: 'loss', emptyText: 'No loss values yet.', summarize: (s) => summarize(s, 'loss') },
      theme,
    );
    this.accuracy = new LineChart(
      { name: 'accuracy', title: 'Accuracy', xTitle: 'Epoch', yTitle: 'Accuracy', yKind: 'fraction', emptyText: 'No accuracy values yet.', summarize: (s) => summarize(s, 'accuracy') },
      theme,
    );
    this.element = h('div', { class: 'chart-grid' }, this.loss.element, this.accuracy.element);
  }

  show(batches: readonly BatchMetrics[], epochs: readonly EpochMetrics[], totalEpochs: number, keptEpoch?: number): void {
    const range = { min: 0, max: Math.max(totalEpochs, epochs.length, 1), integerTicks: totalEpochs <= 20 };
    const kept = epochs.find((e) => e.epoch === keptEpoch);
    this.loss.setSeries(seriesFor('loss', batches, epochs, kept), range);
    this.accuracy.setSeries(seriesFor('accuracy', batches, epochs, kept), range);
    for (const chart of [this.loss, this.accuracy]) {
      if (kept) chart.element.dataset.keptEpoch = String(kept.epoch);
      else delete chart.element.dataset.keptEpoch;
    }
  }

  appendBatch(b: BatchMetrics): void {
    this.loss.append('batch', { x: batchX(b), y: b.loss });
    this.accuracy.append('batch', { x: batchX(b), y: b.accuracy });
  }

  appendEpoch(e: EpochMetrics): void {
    this.loss.append('train', { x: e.epoch, y: e.loss });
    this.loss.append('validation', { x: e.epoch, y: e.valLoss });
    this.accuracy.append('train', { x: e.epoch, y: e.accuracy });
    this.accuracy.append('validation', { x: e.epoch, y: e.valAccuracy });
  }

  setTheme(theme: ChartTheme): void {
    this.loss.setTheme(theme);
    this.accuracy.setTheme(theme);
  }
}

function seriesFor(metric: Metric, batches: readonly BatchMetrics[], epochs: readonly EpochMetrics[], kept?: EpochMetrics): ChartSeries[] {
  const points = (f: (e: EpochMetrics) => number): ChartPoint[] => epochs.map((e) => ({ x: e.epoch, y: f(e) }));
  const validation = (e: EpochMetrics) => (metric === 'loss' ? e.valLoss : e.valAccuracy);
  return [
    // Short labels: the chart's title already names the metric, and the side bar is narrow.
    { id: 'batch', label: 'per batch', color: 'blue', variant: 'batch', points: batches.map((b) => ({ x: batchX(b), y: b[metric] })) },
    { id: 'train', label: 'training (epoch)', color: 'blue', variant: 'train', points: points((e) => (metric === 'loss' ? e.loss : e.accuracy)) },
    { id: 'validation', label: 'validation', color: 'orange', variant: 'validation', points: points(validation) },
    // On the validation curve: the kept epoch is chosen by its validation loss.
    ...(kept ? [{ id: 'kept', label: `kept: epoch ${kept.epoch}`, color: 'orange' as const, variant: 'kept' as const, points: [{ x: kept.epoch, y: validation(kept) }] }] : []),
  ];
}

/** "12 batches, latest batch accuracy 0.812. Epoch 1: acc 0.750, val acc 0.700. …" — the last ten epochs at most. */
function summarize(series: readonly ChartSeries[], metric: Metric): string {
  const [batch, train, validation, kept] = series;
  const format = metric === 'loss' ? formatLoss : (v: number) => formatFraction(v);
  const short = metric === 'loss' ? 'loss' : 'acc';
  const sentences: string[] = [];
  const lastBatch = batch?.points[batch.points.length - 1];
  if (lastBatch) sentences.push(`${formatInteger(batch.points.length)} batches, latest batch ${metric} ${format(lastBatch.y)}.`);
  const epochCount = train?.points.length ?? 0;
  for (let i = Math.max(0, epochCount - 10); i < epochCount; i++) {
    const t = train.points[i];
    const v = validation?.points[i];
    sentences.push(`Epoch ${t.x}: ${short} ${format(t.y)}${v ? `, val ${short} ${format(v.y)}` : ''}.`);
  }
  const keptPoint = kept?.points[0];
  if (keptPoint) sentences.push(`The run holds the weights of epoch ${keptPoint.x}.`);
  return sentences.join(' ');
}
