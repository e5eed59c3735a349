/** Reading values out of TensorFlow.js without its per-element costs. */
import * as tf from '@tensorflow/tfjs';
import { predictionBatchRows } from '../model';
import type { WindowPredictor } from './attributions';

/**
 * The values of the tensor `compute` returns, its intermediates freed.
 * Not tf.tidy(() => t.dataSync()): tidy walks whatever its function returns,
 * a typed array element by element (2 s for the million floats of a
 * review's gradients).
 */
export function valuesOf(compute: () => tf.Tensor): Float32Array {
  const result = tf.tidy(compute);
  try {
    return result.dataSync() as Float32Array;
  } finally {
    result.dispose();
  }
}

/** Rows per predict call: bounds the memory of one call. */
const PREDICT_ROWS = 256;

/** The model's probabilities for padded windows [rows, maxlen] (row-major), in bounded batches. */
export function windowPredictor(model: tf.LayersModel, maxlen: number): WindowPredictor {
  return (windows, rows) => {
    const out = new Float32Array(rows);
    for (let first = 0; first < rows; first += PREDICT_ROWS) {
      const count = Math.min(PREDICT_ROWS, rows - first);
      const part = windows.subarray(first * maxlen, (first + count) * maxlen);
      out.set(valuesOf(() => model.predict(tf.tensor2d(part, [count, maxlen], 'int32'), { batchSize: predictionBatchRows(maxlen) }) as tf.Tensor), first);
    }
    return out;
  };
}
