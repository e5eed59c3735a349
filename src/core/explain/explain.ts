/**
 * One text explained: its tokens as the model met them, the trace, the
 * verdict as it reads and the word attributions, as plain data (types.ts).
 */
import { labelOf } from '../metrics';
import { padSequence } from '../vocabulary';
import type { TextEncoder } from '../vocabulary';
import { integratedGradients, occlusion, type WindowPredictor } from './attributions';
import type { RecurrentParts } from './recurrent-parts';
import { traceWindow } from './trace';
import type { AttributionMethod, Attributions, DirectionStates, ExplainedToken, Explanation } from './types';

export interface ExplainInput {
  parts: RecurrentParts;
  encoder: TextEncoder;
  /** The model's probabilities for padded windows (for occlusion). */
  predict: WindowPredictor;
  text: string;
  method: AttributionMethod;
}

/** States and gates travel rounded: a 500-token Bi-LSTM trace is 160,000 numbers, and the charts show no finer. */
const STATE_DECIMALS = 1e4;

/** [T][U] rows of a [T, U] block, from position `from` on, rounded to 4 decimals. */
function rows(values: Float32Array, from: number, T: number, width: number, offset = 0, stride = width): number[][] {
  const out: number[][] = [];
  for (let t = from; t < T; t++) {
    out.push(Array.from(values.subarray(t * stride + offset, t * stride + offset + width), (v) => Math.round(v * STATE_DECIMALS) / STATE_DECIMALS));
  }
  return out;
}

export function explainText({ parts, encoder, predict, text, method }: ExplainInput): Explanation {
  const started = performance.now();
  const { maxlen } = encoder;
  const { tokens: words, sequence } = encoder.sequenceOf(text);
  const { startChar, oovChar } = encoder.rules;
  const skip = Math.max(0, sequence.length - maxlen);
  const padding = maxlen - (sequence.length - skip);
  const window = padSequence(sequence, maxlen);
  const tokens: ExplainedToken[] = Array.from(sequence, (index, j) => ({
    text: words[j],
    index,
    status: j < skip ? 'dropped' : j === 0 && startChar !== null ? 'start' : index === oovChar ? 'oov' : 'read',
  }));

  const trace = traceWindow(parts, window, padding);
  const U = parts.U;
  const states: DirectionStates[] = trace.directions.map((d, k) => {
    const entry: DirectionStates = { direction: k === 0 ? 'forward' : 'backward', h: rows(d.h, padding, maxlen, U) };
    if (parts.kind === 'lstm') {
      entry.c = rows(d.c, padding, maxlen, U);
      entry.inputGate = rows(d.gates, padding, maxlen, U, 0, 4 * U);
      entry.forgetGate = rows(d.gates, padding, maxlen, U, U, 4 * U);
      entry.outputGate = rows(d.gates, padding, maxlen, U, 3 * U, 4 * U);
    }
    return entry;
  });
  const probability = trace.verdict[trace.verdict.length - 1];

  let attributions: Attributions;
  if (method === 'ig') {
    const ig = integratedGradients(parts, window);
    attributions = {
      method,
      values: Array.from(ig.values.subarray(padding)),
      steps: ig.steps,
      delta: ig.probability - ig.baseline,
      completenessError: ig.completenessError,
    };
  } else {
    const { replaced, removed } = occlusion(predict, sequence, maxlen, probability);
    attributions = { method, values: Array.from(replaced), removed: Array.from(removed) };
  }
  return {
    preset: parts.preset,
    maxlen,
    probability,
    label: labelOf(probability),
    tokens,
    read: { from: skip, to: sequence.length },
    padding,
    verdict: Array.from(trace.verdict),
    verdictBefore: trace.verdictBefore,
    states,
    attributions,
    milliseconds: performance.now() - started,
  };
}
