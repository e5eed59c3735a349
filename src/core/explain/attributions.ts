/**
 * Word attributions: each token's push toward "positive", in probability units.
 *
 * Integrated gradients (Sundararajan et al., 2017) on the embeddings, from
 * the all-padding baseline (every position reads the padding index's
 * embedding row) to the text, through the fused kernels' backward pass. The
 * integral's steps grow by half until the completeness check holds: the
 * attributions sum to f(text) - f(baseline) within the tolerance.
 *
 * Occlusion (Li et al., 2016): f(text) - f(text with the word replaced by the
 * OOV index), and the same with the word removed (the text then re-padded,
 * so a cut-off word may come back into the window).
 */
import * as tf from '@tensorflow/tfjs';
import { fusedRecurrence } from '../fused';
import { OOV_CHAR, padSequence, PAD_VALUE } from '../vocabulary';
import { gaussLegendre } from './quadrature';
import { valuesOf } from './model-values';
import { inputProductsTensor } from './trace';
import type { RecurrentParts } from './recurrent-parts';

/** Interpolation points per batch (one forward and one backward kernel call each). */
const IG_BATCH = 32;
export interface IgOptions {
  /** Gauss-Legendre nodes of the first attempt. */
  steps: number;
  maxSteps: number;
  /** Largest |sum - delta| / |delta| accepted. */
  tolerance: number;
}
export const IG_DEFAULTS: Readonly<IgOptions> = { steps: 16, maxSteps: 256, tolerance: 0.01 };

/** The model's probabilities for windows given by their input products Z [m, T, D*G*U], differentiable wrt Z. */
function probabilityOfProducts(parts: RecurrentParts, z: tf.Tensor3D): tf.Tensor1D {
  const h = fusedRecurrence(parts.kind, { z }, parts.bias, parts.recurrent, parts.reverse);
  return tf.reshape(parts.applyHead(h), [z.shape[0]]);
}

export interface IntegratedGradients {
  /** Per window position (zero on padding, which equals the baseline there). */
  values: Float32Array;
  steps: number;
  /** f(text), f(baseline) */
  probability: number;
  baseline: number;
  completenessError: number;
}

/**
 * Integrated gradients over the window `ids`.
 *
 * The path runs through the embeddings, but the recurrent layer sees them
 * only through the linear map Z = x.W, so the path in Z is
 * Z0 + alpha (Zx - Z0) and each position's attribution
 * sum_e (x - x0)_e dF/dx_e equals sum_n (Zx - Z0)_n dF/dZ_n: the kernels'
 * backward pass yields dF/dZ directly, and no product with W runs per step.
 * The path, the weighted sum of the gradients and the products with Zx - Z0
 * are tensor ops (a review's path is millions of numbers: as JavaScript
 * loops they took as long as the kernels' passes).
 */
export function integratedGradients(parts: RecurrentParts, ids: Int32Array, options: Partial<IgOptions> = {}): IntegratedGradients {
  const { steps: firstSteps, maxSteps, tolerance } = { ...IG_DEFAULTS, ...options };
  const T = ids.length;
  const held: tf.Tensor[] = [];
  const hold = <R extends tf.Tensor>(tensor: R): R => {
    held.push(tensor);
    return tensor;
  };
  try {
    const zx = hold(inputProductsTensor(parts, ids));
    // every position of the baseline reads the padding: one row, repeated
    const z0 = hold(tf.tidy(() => tf.broadcastTo(inputProductsTensor(parts, new Int32Array(1).fill(PAD_VALUE)), zx.shape)));
    const diff = hold(tf.sub(zx, z0));
    const gradient = tf.grad((z: tf.Tensor) => tf.sum(probabilityOfProducts(parts, z as tf.Tensor3D)));
    const ends = valuesOf(() => probabilityOfProducts(parts, tf.stack([zx, z0]) as tf.Tensor3D));
    const [probability, baseline] = [ends[0], ends[1]];
    const delta = probability - baseline;
    let steps = firstSteps;
    for (;;) {
      const { nodes, weights } = gaussLegendre(steps);
      const values = valuesOf(() => {
        // sum_k w_k dF/dZ at Z0 + alpha_k (Zx - Z0), then its products with Zx - Z0 per position
        let summed: tf.Tensor = tf.zerosLike(zx);
        for (let first = 0; first < steps; first += IG_BATCH) {
          const count = Math.min(IG_BATCH, steps - first);
          const column = (values: Float64Array) => tf.tensor3d(Float32Array.from(values.subarray(first, first + count)), [count, 1, 1]);
          const path = tf.add<tf.Tensor3D>(z0, tf.mul(column(nodes), diff));
          summed = tf.add(summed, tf.sum(tf.mul(gradient(path), column(weights)), 0));
        }
        return tf.sum(tf.mul(summed, diff), 1);
      });
      let total = 0;
      for (let t = 0; t < T; t++) total += values[t];
      const completenessError = Math.abs(total - delta) / Math.max(Math.abs(delta), 1e-12);
      if (completenessError <= tolerance || steps >= maxSteps) return { values, steps, probability, baseline, completenessError };
      // Gauss-Legendre's error falls fast with the node count: half again is usually enough.
      steps = Math.min(maxSteps, Math.ceil((steps * 1.5) / 4) * 4);
    }
  } finally {
    tf.dispose(held);
  }
}

/** The model's probabilities for `rows` padded windows laid out row-major. */
export type WindowPredictor = (windows: Int32Array, rows: number) => Float32Array;

export interface Occlusion {
  /** Per read token (sequence index skip .. end): f(text) - f(word replaced by OOV). */
  replaced: Float32Array;
  /** f(text) - f(word removed). */
  removed: Float32Array;
}

/**
 * Occlusion of every token of `sequence` (start character and words) that
 * the window of `maxlen` reads. `probability` is f(text).
 */
export function occlusion(predict: WindowPredictor, sequence: Int32Array, maxlen: number, probability: number): Occlusion {
  const skip = Math.max(0, sequence.length - maxlen);
  const count = sequence.length - skip;
  const window = padSequence(sequence, maxlen);
  const padding = maxlen - count;
  const variants = new Int32Array(2 * count * maxlen);
  const without = new Int32Array(sequence.length - 1);
  for (let k = 0; k < count; k++) {
    const replaced = variants.subarray(k * maxlen, (k + 1) * maxlen);
    replaced.set(window);
    replaced[padding + k] = OOV_CHAR;
    const j = skip + k;
    without.set(sequence.subarray(0, j));
    without.set(sequence.subarray(j + 1), j);
    padSequence(without, maxlen, variants.subarray((count + k) * maxlen, (count + k + 1) * maxlen));
  }
  const p = predict(variants, 2 * count);
  const replaced = new Float32Array(count);
  const removed = new Float32Array(count);
  for (let k = 0; k < count; k++) {
    replaced[k] = probability - p[k];
    removed[k] = probability - p[count + k];
  }
  return { replaced, removed };
}
