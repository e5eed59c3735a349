/**
 * The training loop: Keras' `fit(x, y, epochs, batch_size, validation_split)`
 * written out batch by batch, so that cancelling takes effect after the
 * current batch (model.fit would still run that epoch's validation), progress
 * streams per batch, the event loop gets a turn between batches (predictions
 * are served while training), and the weights of the last finished epoch are
 * kept as a checkpoint. With `keep: 'best'` the finished training ends with
 * the weights of its lowest validation loss (keep-best.ts).
 */
import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { shuffledOrder, type EncodedSplit } from './dataset';
import { BestWeights } from './keep-best';
import type { BatchMetrics, ConfusionCounts, EpochMetrics, EvaluationMetrics } from './metrics';
import { predictionBatchRows } from './model';
import type { Hyperparameters } from './presets';
import { mixShortWindows, sentenceRowsOf, writeSentenceRow } from './short-text';

export interface TrainingCallbacks {
  signal?: AbortSignal;
  /** The epoch to start from (a resumed training: one past its checkpoint); default 1. */
  firstEpoch?: number;
  onBatch?(metrics: BatchMetrics): void;
  /**
   * With keep 'best': the best epoch so far (a resumed training's), updated
   * after every epoch; the caller owns it. Without it fitModel keeps its own.
   */
  best?: BestWeights;
  /** Awaited before the next epoch starts (the run is saved here); a rejection ends the training. */
  onEpoch?(metrics: EpochMetrics): void | Promise<void>;
}

export interface TrainingOutcome {
  batches: BatchMetrics[];
  epochs: EpochMetrics[];
  /** True when stopped early; the model then holds the last finished epoch's weights. */
  cancelled: boolean;
  /** Counting the epochs before firstEpoch. */
  epochsCompleted: number;
  /** The epoch whose weights the model holds at the end: the best one (keep 'best', finished) or the last finished one. */
  keptEpoch: number;
  seconds: number;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * What an epoch trains on: the split's reviews (rows 0..reviews-1 of an
 * epoch's order) and, with trainOn 'reviews-and-sentences', every whole
 * sentence of each review as a row of its own (the rows after them).
 */
export interface TrainingRows {
  split: EncodedSplit;
  /** [review, start, length] triples (sentenceRowsOf); empty when the reviews alone are trained on. */
  sentences: Int32Array;
  /** Rows of an epoch: the reviews and the sentences. */
  count: number;
}

export function trainingRows(split: EncodedSplit, h: Pick<Hyperparameters, 'maxlen' | 'trainOn'>): TrainingRows {
  const sentences = h.trainOn === 'reviews-and-sentences' ? sentenceRowsOf(split, h.maxlen) : new Int32Array(0);
  return { split, sentences, count: split.count + sentences.length / 3 };
}

/**
 * Copies rows `order[from..to)` into one batch: the reviews first, with
 * their sentence marks, then the sentence rows (a batch's gradient does not
 * depend on the order of its rows). `reviews` counts the first kind.
 */
function gatherBatch(rows: TrainingRows, order: ArrayLike<number>, from: number, to: number, maxlen: number) {
  const { split } = rows;
  const size = to - from;
  const x = new Int32Array(size * maxlen);
  const y = new Float32Array(size);
  const marks = split.sentenceStarts;
  const sentenceStarts = marks ? new Uint8Array(size * maxlen) : undefined;
  let reviews = 0;
  for (let i = from; i < to; i++) {
    const row = order[i];
    if (row >= split.count) continue;
    x.set(split.x.subarray(row * maxlen, (row + 1) * maxlen), reviews * maxlen);
    if (marks && sentenceStarts) sentenceStarts.set(marks.subarray(row * maxlen, (row + 1) * maxlen), reviews * maxlen);
    y[reviews++] = split.y[row];
  }
  let at = reviews;
  for (let i = from; i < to; i++) {
    const sentence = order[i] - split.count;
    if (sentence < 0) continue;
    writeSentenceRow(x.subarray(at * maxlen, (at + 1) * maxlen), split.x, rows.sentences, sentence);
    y[at++] = split.y[rows.sentences[sentence * 3]];
  }
  return { x, y, size, reviews, sentenceStarts };
}

/** Each epoch visits the training rows in a new order, a function of the seed and the epoch alone (so a resumed training shuffles as the uninterrupted one). */
function epochOrder(n: number, seed: number, epoch: number): Int32Array {
  return shuffledOrder(n, `${seed}:epoch:${epoch}`);
}

/** Which rows become short windows, and which windows, also a function of the seed and the epoch alone. */
export function epochWindows(seed: number, epoch: number): () => number {
  return seedrandom.alea(`${seed}:short-text:${epoch}`);
}

/** A training batch: rows `order[from..to)`, about `shortTextShare` of its reviews cut to a sentence or a short window of themselves. */
export function trainingBatch(rows: TrainingRows, order: ArrayLike<number>, from: number, to: number, h: Pick<Hyperparameters, 'maxlen' | 'shortTextShare'>, windows: () => number) {
  const batch = gatherBatch(rows, order, from, to, h.maxlen);
  mixShortWindows(batch.x, batch.reviews, h.maxlen, h.shortTextShare, windows, batch.sentenceStarts);
  return batch;
}

export async function fitModel(
  model: tf.LayersModel,
  h: Hyperparameters,
  /** `rows`: the epoch's rows of `train` (trainingRows), when the caller has already made them. */
  data: { train: EncodedSplit; validation: EncodedSplit; rows?: TrainingRows },
  callbacks: TrainingCallbacks = {},
): Promise<TrainingOutcome> {
  const { signal } = callbacks;
  const { maxlen, batchSize, epochs } = h;
  const rows = data.rows ?? trainingRows(data.train, h);
  const batchesPerEpoch = Math.ceil(rows.count / batchSize);
  const firstEpoch = callbacks.firstEpoch ?? 1;
  const outcome: TrainingOutcome = { batches: [], epochs: [], cancelled: false, epochsCompleted: firstEpoch - 1, keptEpoch: firstEpoch - 1, seconds: 0 };
  const ownBest = h.keep === 'best' && !callbacks.best ? BestWeights.empty() : undefined;
  const best = h.keep === 'best' ? (callbacks.best ?? ownBest) : undefined;
  const started = performance.now();
  let checkpoint: tf.Tensor[] | undefined;
  let batchSeconds = 0;
  let batchesDone = 0;
  let validationSeconds: number | undefined;

  try {
    for (let epoch = firstEpoch; epoch <= epochs && !outcome.cancelled; epoch++) {
      const epochStarted = performance.now();
      const order = epochOrder(rows.count, h.trainingSeed, epoch);
      const windows = epochWindows(h.trainingSeed, epoch);
      let lossSum = 0;
      let accuracySum = 0;
      let seen = 0;
      for (let b = 0; b < batchesPerEpoch; b++) {
        if (signal?.aborted) {
          outcome.cancelled = true;
          break;
        }
        const batch = trainingBatch(rows, order, b * batchSize, Math.min((b + 1) * batchSize, rows.count), h, windows);
        const stepStarted = performance.now();
        const xs = tf.tensor2d(batch.x, [batch.size, maxlen], 'int32');
        const ys = tf.tensor2d(batch.y, [batch.size, 1]);
        let loss: number;
        let accuracy: number;
        try {
          [loss, accuracy] = (await model.trainOnBatch(xs, ys)) as number[];
        } finally {
          xs.dispose();
          ys.dispose();
        }
        const stepSeconds = (performance.now() - stepStarted) / 1000;
        batchSeconds += stepSeconds;
        batchesDone++;
        lossSum += loss * batch.size;
        accuracySum += accuracy * batch.size;
        seen += batch.size;
        const remainingBatches = (epochs - epoch) * batchesPerEpoch + (batchesPerEpoch - b - 1);
        const perBatch = batchSeconds / batchesDone;
        // Validation is a forward pass only: about a third of a training step per example.
        const validationEstimate = validationSeconds ?? (perBatch / 3) * (data.validation.count / batchSize);
        const metrics: BatchMetrics = {
          epoch,
          epochs,
          batch: b + 1,
          batchesPerEpoch,
          loss,
          accuracy,
          examplesPerSecond: batch.size / stepSeconds,
          etaSeconds: remainingBatches * perBatch + (epochs - epoch + 1) * validationEstimate,
          elapsedSeconds: (performance.now() - started) / 1000,
        };
        outcome.batches.push(metrics);
        callbacks.onBatch?.(metrics);
        await yieldToEventLoop();
      }
      if (outcome.cancelled) break;

      const validationStarted = performance.now();
      const validation = await evaluateSplit(model, data.validation, { batchSize: Math.max(batchSize, 256), maxlen, signal });
      if (!validation) {
        outcome.cancelled = true;
        break;
      }
      validationSeconds = (performance.now() - validationStarted) / 1000;
      const seconds = (performance.now() - epochStarted) / 1000;
      const metrics: EpochMetrics = {
        epoch,
        epochs,
        loss: lossSum / seen,
        accuracy: accuracySum / seen,
        valLoss: validation.loss,
        valAccuracy: validation.accuracy,
        seconds,
        examplesPerSecond: seen / (seconds - validationSeconds),
      };
      outcome.epochs.push(metrics);
      outcome.epochsCompleted = epoch;
      outcome.keptEpoch = epoch;
      checkpoint?.forEach((t) => t.dispose());
      checkpoint = model.getWeights().map((w) => w.clone());
      best?.consider(metrics, model);
      await callbacks.onEpoch?.(metrics);
    }
    // A stopped training keeps its last epoch (it may be resumed from there); a finished one its best, if asked.
    if (outcome.cancelled && checkpoint) model.setWeights(checkpoint);
    else if (!outcome.cancelled && best) outcome.keptEpoch = best.restore(model) ?? outcome.keptEpoch;
  } finally {
    checkpoint?.forEach((t) => t.dispose());
    ownBest?.dispose();
  }
  outcome.seconds = (performance.now() - started) / 1000;
  return outcome;
}

/** Keras' binary cross-entropy clips probabilities to [1e-7, 1 - 1e-7]. */
const EPSILON = 1e-7;

/** Loss, accuracy and confusion counts over a split; undefined if cancelled. */
export async function evaluateSplit(
  model: tf.LayersModel,
  split: EncodedSplit,
  options: { batchSize: number; maxlen: number; signal?: AbortSignal; onProgress?(done: number, total: number): void },
): Promise<EvaluationMetrics | undefined> {
  const started = performance.now();
  const confusion: ConfusionCounts = { truePositive: 0, falsePositive: 0, trueNegative: 0, falseNegative: 0 };
  let lossSum = 0;
  for (let from = 0; from < split.count; from += options.batchSize) {
    if (options.signal?.aborted) return undefined;
    const to = Math.min(from + options.batchSize, split.count);
    const probabilities = await predictRows(model, split.x.subarray(from * options.maxlen, to * options.maxlen), to - from, options.maxlen);
    for (let i = 0; i < probabilities.length; i++) {
      const p = Math.min(Math.max(probabilities[i], EPSILON), 1 - EPSILON);
      const positive = split.y[from + i] === 1;
      lossSum -= positive ? Math.log(p) : Math.log(1 - p);
      const predictedPositive = probabilities[i] >= 0.5;
      if (positive && predictedPositive) confusion.truePositive++;
      else if (positive) confusion.falseNegative++;
      else if (predictedPositive) confusion.falsePositive++;
      else confusion.trueNegative++;
    }
    options.onProgress?.(to, split.count);
    await yieldToEventLoop();
  }
  const count = split.count;
  return {
    accuracy: count ? (confusion.truePositive + confusion.trueNegative) / count : 0,
    loss: count ? lossSum / count : 0,
    count,
    confusion,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Probabilities of `rows` padded sequences laid out row-major in `x`. */
export async function predictRows(model: tf.LayersModel, x: Int32Array, rows: number, maxlen: number): Promise<Float32Array> {
  const input = tf.tensor2d(x, [rows, maxlen], 'int32');
  try {
    const output = model.predict(input, { batchSize: predictionBatchRows(maxlen) }) as tf.Tensor;
    try {
      return (await output.data()) as Float32Array;
    } finally {
      output.dispose();
    }
  } finally {
    input.dispose();
  }
}
