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


/**
 * A SimpleRNN trace of "good bad film" whose units have answers known by
 * hand: unit 0 follows the verdict (r = +1), unit 1 mirrors it at half the
 * size (r = −1), unit 2 stands still (r = 0).
 */
export function tinyExplanation(): Explanation {
  const verdict = [0.6, 0.9, 0.2, 0.4];
  const follows = verdict.map((p) => Math.round(1e4 * (2 * p - 1)) / 1e4); // 0.2, 0.8, -0.6, -0.2
  return {
    preset: 'simple-rnn',
    maxlen: 500,
    probability: 0.4,
    label: 'negative',
    tokens: [
      { text: '<start>', index: 1, status: 'start' },
      { text: 'good', index: 49, status: 'read' },
      { text: 'bad', index: 75, status: 'read' },
      { text: 'film', index: 19, status: 'read' },
    ],
    read: { from: 0, to: 4 },
    padding: 496,
    verdict,
    verdictBefore: 0.5,
    states: [{ direction: 'forward', h: follows.map((v) => [v, -v / 2, 0.5]) }],
    attributions: { method: 'ig', values: [0, 0.3, -0.5, 0.1], steps: 24, delta: -0.1, completenessError: 0.001 },
    milliseconds: 3,
  };
}
