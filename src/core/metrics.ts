/** What training and evaluation report, as the worker streams it and a run stores it. */
import type { Reliability } from './reliability';

export interface BatchMetrics {
  /** 1-based. */
  epoch: number;
  epochs: number;
  /** 1-based within the epoch. */
  batch: number;
  batchesPerEpoch: number;
  loss: number;
  accuracy: number;
  examplesPerSecond: number;
  /** Estimated seconds until the last epoch ends (validation included). */
  etaSeconds: number;
  elapsedSeconds: number;
}

/**
 * At most about `limit` of a history's batches, evenly spread, always with the
 * last batch of every epoch: what a chart of it can draw (a few hundred
 * pixels wide) without sending every batch of a long training. Each kept
 * batch still says where it stands (epoch, batch, batchesPerEpoch).
 */
export function thinBatches(batches: readonly BatchMetrics[], limit: number): readonly BatchMetrics[] {
  if (batches.length <= limit) return batches;
  const stride = Math.ceil(batches.length / limit);
  return batches.filter((b, i) => i % stride === stride - 1 || b.batch === b.batchesPerEpoch || i === batches.length - 1);
}

export interface EpochMetrics {
  epoch: number;
  epochs: number;
  /** Means over the epoch's batches, as Keras reports them. */
  loss: number;
  accuracy: number;
  valLoss: number;
  valAccuracy: number;
  seconds: number;
  examplesPerSecond: number;
}

export interface ConfusionCounts {
  truePositive: number;
  falsePositive: number;
  trueNegative: number;
  falseNegative: number;
}

export interface EvaluationMetrics {
  accuracy: number;
  loss: number;
  count: number;
  confusion: ConfusionCounts;
  seconds: number;
}

export type SentimentLabel = 'positive' | 'negative';

export interface Prediction {
  /** The model's output, P(positive). */
  probability: number;
  /**
   * Null when the model read no word it knows (only unknown words, or only
   * punctuation and numbers): its output then reflects no part of the text.
   */
  label: SentimentLabel | null;
  /** Words in the text. */
  tokenCount: number;
  /** True when the text is longer than the model reads: only its last `wordsRead` words were read. */
  truncated: boolean;
  /** Words the model read (absent in predictions stored by older versions: all of them). */
  wordsRead?: number;
  /** Of the words read, those the model does not know. */
  oovCount: number;
  /** How often the model was right on texts this long, from its own stored evaluations; absent when never measured. */
  reliability?: Reliability;
}

/** Keras' threshold for a sigmoid output: 0.5 and above is positive. */
export function labelOf(probability: number): SentimentLabel {
  return probability >= 0.5 ? 'positive' : 'negative';
}

/** The epoch a run's weights are from (runs saved before it was recorded hold their last). */
export function keptEpochOf(record: { keptEpoch?: number; epochsCompleted: number }): number {
  return record.keptEpoch ?? record.epochsCompleted;
}
