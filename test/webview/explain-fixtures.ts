/** Fixed explanations for the Explain panel's tests and benchmark. */
import type { DirectionStates, Explanation } from '../../src/core/explain/types';

const UNITS = 32;

/** A deterministic explanation: `words` words with maxlen 500 (so the first ones past 499 are dropped), smooth made-up states. */
export function explanationFixture(preset: Explanation['preset'], words: number): Explanation {
  const maxlen = 500;
  const sequence = words + 1;
  const skip = Math.max(0, sequence - maxlen);
  const read = sequence - skip;
  const tokens: Explanation['tokens'] = Array.from({ length: sequence }, (_, j) => ({
    text: j === 0 ? '<start>' : `w${j}`,
    index: j === 0 ? 1 : j % 37 === 0 ? 2 : 3 + j,
    status: j < skip ? 'dropped' : j === 0 ? 'start' : j % 37 === 0 ? 'oov' : 'read',
  }));
  const verdict = Array.from({ length: read }, (_, k) => 0.5 + 0.4 * Math.sin(k / 17));
  const grid = (phase: number, squash: (v: number) => number) => Array.from({ length: read }, (_, k) => Array.from({ length: UNITS }, (_, u) => Math.round(1e4 * squash(Math.sin(k / (5 + u) + phase * u))) / 1e4));
  const sigmoid = (v: number) => 1 / (1 + Math.exp(-3 * v));
  const direction = (name: DirectionStates['direction'], phase: number): DirectionStates => ({
    direction: name,
    h: grid(phase, Math.tanh),
    c: grid(phase + 0.1, (v) => 2 * v),
    inputGate: grid(phase + 0.2, sigmoid),
    forgetGate: grid(phase + 0.3, sigmoid),
    outputGate: grid(phase + 0.4, sigmoid),
  });
  return {
    preset,
    maxlen,
    probability: verdict[read - 1],
    label: verdict[read - 1] >= 0.5 ? 'positive' : 'negative',
    tokens,
    read: { from: skip, to: sequence },
    padding: maxlen - read,
    verdict,
    verdictBefore: 0.5,
    states: preset === 'bilstm' ? [direction('forward', 0), direction('backward', 1)] : [direction('forward', 0)],
    attributions: { method: 'ig', values: Array.from({ length: read }, (_, k) => 0.05 * Math.cos(k / 3)), steps: 24, delta: 0.2, completenessError: 0.004 },
    milliseconds: 42,
  };
}

