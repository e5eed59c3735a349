/**
 * Word attributions: each token's push toward "positive", in probability units.
 *
 * Integrated gradients (Sundararajan et al., 2017) on the embeddings, from
 * the all-padding baseline (every position reads the padding index's
 * embedding row) to the text, through the fused kernels' backward pass. The
 * integral's steps double until the completeness check holds: the
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
import type { RecurrentParts } from './recurrent-parts';

/** Interpolation points per batch (one forward and one backward kernel call each). */
const IG_BATCH = 32;
export const IG_DEFAULTS = { steps: 16, maxSteps: 256, tolerance: 0.01 } as const;

/** The model's probabilities for embedded windows [m, T, E], differentiable wrt them. */
function probabilityOfEmbedded(parts: RecurrentParts, embedded: tf.Tensor3D): tf.Tensor1D {
  const [m, T, E] = embedded.shape;
  const width = parts.kernel.shape[1];
  const z = tf.reshape(tf.matMul(tf.reshape(embedded, [m * T, E]), parts.kernel), [m, T, width]) as tf.Tensor3D;
  const h = fusedRecurrence(parts.kind, { z }, parts.bias, parts.recurrent, parts.reverse);
  return tf.reshape(parts.applyHead(h), [m]);
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

/** Integrated gradients over the window `ids`. */
export function integratedGradients(parts: RecurrentParts, ids: Int32Array, options: Partial<typeof IG_DEFAULTS> = {}): IntegratedGradients {
  const { steps: firstSteps, maxSteps, tolerance } = { ...IG_DEFAULTS, ...options };
  const T = ids.length;
  const { E } = parts;
  const [x, x0] = tf.tidy(() => [
    tf.keep(tf.gather(parts.embeddings, tf.tensor1d(ids, 'int32')) as tf.Tensor2D),
    tf.keep(tf.gather(parts.embeddings, tf.fill([T], PAD_VALUE, 'int32')) as tf.Tensor2D),
  ]);
  const gradient = tf.grad((e: tf.Tensor) => tf.sum(probabilityOfEmbedded(parts, e as tf.Tensor3D)));
  try {
    const diff = tf.sub(x, x0);
    const ends = tf.tidy(() => probabilityOfEmbedded(parts, tf.stack([x, x0]) as tf.Tensor3D).dataSync());
    const [probability, baseline] = [ends[0], ends[1]];
    const delta = probability - baseline;
    const diffValues = diff.dataSync() as Float32Array;
    let steps = firstSteps;
    for (;;) {
      const { nodes, weights } = gaussLegendre(steps);
      const summed = new Float64Array(T * E);
      for (let first = 0; first < steps; first += IG_BATCH) {
        const count = Math.min(IG_BATCH, steps - first);
        const grads = tf.tidy(() => {
          const alphas = tf.tensor3d(Float32Array.from(nodes.subarray(first, first + count)), [count, 1, 1]);
          const path = tf.add(x0, tf.mul(alphas, diff)) as tf.Tensor3D;
          return gradient(path).dataSync() as Float32Array;
        });
        for (let k = 0; k < count; k++) {
          const w = weights[first + k];
          const offset = k * T * E;
          for (let i = 0; i < T * E; i++) summed[i] += w * grads[offset + i];
        }
      }
      const values = new Float32Array(T);
      let total = 0;
      for (let t = 0; t < T; t++) {
        let a = 0;
        for (let e = 0; e < E; e++) a += diffValues[t * E + e] * summed[t * E + e];
        values[t] = a;
        total += a;
      }
      const completenessError = Math.abs(total - delta) / Math.max(Math.abs(delta), 1e-12);
      if (completenessError <= tolerance || steps >= maxSteps) {
        diff.dispose();
        return { values, steps, probability, baseline, completenessError };
      }
      steps *= 2;
    }
  } finally {
    tf.dispose([x, x0]);
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
