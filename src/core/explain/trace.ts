/**
 * The trace of one analysis: every state the recurrent layer went through
 * on the text (read back from the fused kernels' trajectory buffers) and
 * the verdict as it reads.
 *
 * The verdict after the token at window position t is defined, for all
 * three presets, as the model's output on the window cut after t: the same
 * padding in front as the whole text had, then the tokens up to t. For the
 * SimpleRNN and the LSTM that is exactly the head applied to h_t of the
 * single forward pass. For the Bi-LSTM the forward half is h_t as well; the
 * backward half is the backward LSTM run again on each cut window, which
 * reads it from t back to the first padding step. Those runs share no
 * state, so they are batched in one kernel call, ending together: each run
 * waits idle (not computed) until the step where it reads its own t.
 *
 * pad_sequences would pad a cut text to maxlen, which puts a longer run of
 * padding in front; that is the only difference from the model run on the
 * padded prefix (measured in BENCHMARKS.md, "Explanations").
 */
import * as tf from '@tensorflow/tfjs';
import { fusedBackwardStatesOfCuts, fusedTrajectory, type DirectionTrajectory } from '../fused';
import { valuesOf } from './model-values';
import type { RecurrentParts } from './recurrent-parts';

export interface WindowTrace {
  /** Each direction's states at every window position (time order). */
  directions: DirectionTrajectory[];
  /** The verdict after each window position from `padding` to the end. */
  verdict: Float32Array;
  /** The verdict on the padding alone (no token read yet). */
  verdictBefore: number;
}

/** Each window position's input products x.W, directions side by side: [T, D*G*U]. */
export function inputProductsTensor(parts: RecurrentParts, ids: Int32Array): tf.Tensor2D {
  return tf.tidy(() => tf.matMul(tf.gather(parts.embeddings, tf.tensor1d(ids, 'int32')), parts.kernel));
}

/** inputProductsTensor's values. */
export function inputProducts(parts: RecurrentParts, ids: Int32Array): Float32Array {
  return valuesOf(() => inputProductsTensor(parts, ids));
}

/** Probabilities of the head on rows of final states [n, D*U]. */
export function headProbabilities(parts: RecurrentParts, states: Float32Array, rows: number): Float32Array {
  return valuesOf(() => parts.applyHead(tf.tensor2d(states, [rows, parts.D * parts.U])));
}

/**
 * The backward direction's final state on each window cut after position
 * t (for each t of `cuts`): the state after reading t, t-1, .., 0.
 */
export function backwardStatesOfCuts(parts: RecurrentParts, z: Float32Array, cuts: readonly number[]): Float32Array {
  const { U, G } = parts;
  const GU = G * U;
  const width = parts.D * GU;
  const steps = Math.max(-1, ...cuts) + 1;
  const bias = parts.values.bias.subarray(GU, 2 * GU);
  const r = parts.values.recurrent.subarray(U * GU, 2 * U * GU);
  return fusedBackwardStatesOfCuts(z, steps, width, GU, bias, r, U, Int32Array.from(cuts));
}

/** Trace the model over a window of `ids` (length maxlen) whose first `padding` positions are padding. */
export function traceWindow(parts: RecurrentParts, ids: Int32Array, padding: number): WindowTrace {
  const { kind, D, U } = parts;
  const T = ids.length;
  const z = inputProducts(parts, ids);
  const directions = fusedTrajectory(kind, z, 1, T, parts.values.bias, parts.values.recurrent, U, parts.reverse);
  // Rows: the padding alone (position padding - 1, or no step at all), then every position read.
  const first = padding - 1;
  const rows = T - first;
  const states = new Float32Array(rows * D * U);
  for (let t = Math.max(first, 0); t < T; t++) {
    const row = t - first;
    states.set(directions[0].h.subarray(t * U, (t + 1) * U), row * D * U);
  }
  if (D === 2) {
    const cuts: number[] = [];
    for (let t = Math.max(first, 0); t < T; t++) cuts.push(t);
    const backward = backwardStatesOfCuts(parts, z, cuts);
    cuts.forEach((t, k) => states.set(backward.subarray(k * U, (k + 1) * U), (t - first) * D * U + U));
  }
  const probabilities = headProbabilities(parts, states, rows);
  return { directions, verdict: probabilities.slice(1), verdictBefore: probabilities[0] };
}
