// The trace of an analysis (read from the fused kernels' trajectory buffers)
// against TensorFlow.js' own recurrent cells run step by step, the verdict as
// it reads against the real model run on the cut texts, and the word
// attributions' own checks (completeness, occlusion by re-prediction, OOV and
// truncation marks). Kernels from dist/ (npm run build), wasm backend.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadFusedKernels, unloadFusedKernels } from '../../src/core/fused/index';
import { setMinSplitWork } from '../../src/core/fused/ops';
import { registerWasmKernels } from '../../src/core/wasm-kernels';
import { buildModel } from '../../src/core/model';
import { resolveHyperparameters, type PresetName } from '../../src/core/presets';
import { encodeRanks, OOV_CHAR, padSequence, TextEncoder, Vocabulary } from '../../src/core/vocabulary';
import { explainText, integratedGradients, occlusion, recurrentParts, traceWindow, windowPredictor, type RecurrentParts } from '../../src/core/explain/index';
import { explainedWords } from '../../src/editor/explained-words';
import { REPO_ROOT, uniformValues } from './helpers';

const TOL = 1e-5;
const MAXLEN = 12;
const PRESETS: PresetName[] = ['simple-rnn', 'lstm', 'bilstm'];

/** A small model of the preset with every weight (biases too) random, so no gate sits at its initial value. */
function smallHyperparameters(preset: PresetName, maxlen = MAXLEN) {
  return resolveHyperparameters(preset, { numWords: 40, maxlen, embeddingDim: 6, units: 5, denseUnits: preset === 'simple-rnn' ? 0 : 7 });
}

function smallModel(preset: PresetName): tf.LayersModel {
  const model = buildModel(smallHyperparameters(preset));
  model.setWeights(model.getWeights().map((w, i) => tf.tensor(uniformValues(w.size, 97 + 31 * i, 0.8), w.shape)));
  return model;
}

/** A short text (padding in front) and one longer than the window (cut). */
const WINDOWS = {
  short: padSequence(encodeRanks([4, 9, 0, 13, 2], 40), MAXLEN),
  long: padSequence(encodeRanks([1, 5, 30, 7, 22, 3, 0, 11, 8, 17, 25, 6, 2, 14, 9, 19], 40), MAXLEN),
};
const paddingOf = (ids: Int32Array) => ids.findIndex((v) => v !== 0);

/** The part of TensorFlow.js' RNNCell these tests call (the class is not exported as a type). */
interface Cell {
  units: number;
  getWeights(): tf.Tensor[];
  call(inputs: tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[];
}

interface Reference {
  h: number[][];
  c: number[][];
  gates: number[][]; // i, f, o per step, concatenated
}

/**
 * TensorFlow.js' own cell of one direction run step by step over the window
 * (time order of the direction), with the gates computed from its weights
 * and its previous state. Rows are returned in time-position order.
 */
function referenceDirection(cell: Cell, x: tf.Tensor2D, reverse: boolean, lstm: boolean): Reference {
  const T = x.shape[0];
  const U = cell.units;
  const weights = cell.getWeights();
  const [W, R, b] = weights as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
  let h = tf.zeros<tf.Rank.R2>([1, U]);
  let c = tf.zeros<tf.Rank.R2>([1, U]);
  const out: Reference = { h: [], c: [], gates: [] };
  const order = Array.from({ length: T }, (_, s) => (reverse ? T - 1 - s : s));
  const byPosition = new Array<{ h: number[]; c: number[]; gates: number[] }>(T);
  for (const t of order) {
    const xt = tf.slice(x, [t, 0], [1, -1]);
    const result = cell.call(lstm ? [xt, h, c] : [xt, h], {}) as tf.Tensor[];
    let gates: number[] = [];
    if (lstm) {
      const pre = tf.add(tf.add(tf.matMul(xt, W), tf.matMul(h, R)), b);
      const [i, f, , o] = tf.split(pre, 4, 1).map((p) => tf.sigmoid(p));
      gates = [...i.dataSync(), ...f.dataSync(), ...o.dataSync()];
      c = result[2] as tf.Tensor2D;
    }
    h = result[0] as tf.Tensor2D;
    byPosition[t] = { h: Array.from(h.dataSync()), c: lstm ? Array.from(c.dataSync()) : [], gates };
  }
  for (const row of byPosition) {
    out.h.push(row.h);
    out.c.push(row.c);
    out.gates.push(row.gates);
  }
  return out;
}

function cellsOf(model: tf.LayersModel): { cell: Cell; reverse: boolean }[] {
  const layer = model.layers[1] as unknown as { forwardLayer?: { cell: Cell }; backwardLayer?: { cell: Cell }; cell?: Cell };
  if (layer.forwardLayer && layer.backwardLayer) return [{ cell: layer.forwardLayer.cell, reverse: false }, { cell: layer.backwardLayer.cell, reverse: true }];
  return [{ cell: layer.cell as Cell, reverse: false }];
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** The real model (TensorFlow.js' own layers) with the same weights, on a sequence of any length. */
function modelOn(model: tf.LayersModel, ids: ArrayLike<number>): number {
  const preset = model.name.replace('_', '-') as PresetName;
  const sized = ids.length === MAXLEN ? model : buildModel(smallHyperparameters(preset, ids.length));
  if (sized !== model) sized.setWeights(model.getWeights());
  try {
    return tf.tidy(() => (sized.predict(tf.tensor2d(Array.from(ids), [1, ids.length], 'int32')) as tf.Tensor).dataSync()[0]);
  } finally {
    if (sized !== model) sized.dispose();
  }
}

before(async () => {
  setWasmPaths(path.join(REPO_ROOT, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist') + path.sep);
  registerWasmKernels();
  assert.equal(await tf.setBackend('wasm'), true);
  assert.equal(await loadFusedKernels({ wasmPath: path.join(REPO_ROOT, 'dist', 'recurrent-kernels.wasm'), threads: 1 }), true, 'run npm run build first: the kernels come from dist/');
});

after(async () => {
  await unloadFusedKernels();
});

for (const preset of PRESETS) {
  describe(`trace of the ${preset} preset`, () => {
    let model: tf.LayersModel;
    let parts: RecurrentParts;
    before(() => {
      model = smallModel(preset);
      parts = recurrentParts(model, preset);
    });
    after(() => {
      parts.dispose();
      model.dispose();
    });

    for (const [name, ids] of Object.entries(WINDOWS)) {
      it(`matches TensorFlow.js' cells step by step within ${TOL} (${name} text)`, () => {
        const trace = traceWindow(parts, ids, paddingOf(ids));
        const x = tf.gather<tf.Tensor2D>(parts.embeddings, tf.tensor1d(ids, 'int32'));
        const lstm = preset !== 'simple-rnn';
        const U = parts.U;
        cellsOf(model).forEach(({ cell, reverse }, d) => {
          const ref = referenceDirection(cell, x, reverse, lstm);
          const got = trace.directions[d];
          assert.ok(maxDiff(got.h, ref.h.flat()) < TOL, `h of direction ${d}: ${maxDiff(got.h, ref.h.flat())}`);
          if (!lstm) return;
          assert.ok(maxDiff(got.c, ref.c.flat()) < TOL, `c of direction ${d}`);
          const gates: number[] = [];
          for (let t = 0; t < MAXLEN; t++) {
            for (const g of [0, 1, 3]) gates.push(...got.gates.subarray(t * 4 * U + g * U, t * 4 * U + (g + 1) * U));
          }
          assert.ok(maxDiff(gates, ref.gates.flat()) < TOL, `i/f/o gates of direction ${d}: ${maxDiff(gates, ref.gates.flat())}`);
        });
      });

      it(`its verdict as it reads is the real model on each cut text (${name} text)`, () => {
        const padding = paddingOf(ids);
        const trace = traceWindow(parts, ids, padding);
        assert.equal(trace.verdict.length, MAXLEN - padding);
        const expected = Array.from({ length: MAXLEN - padding }, (_, k) => modelOn(model, ids.subarray(0, padding + k + 1)));
        assert.ok(maxDiff(trace.verdict, expected) < TOL, `verdict: ${maxDiff(trace.verdict, expected)}`);
        assert.ok(Math.abs(trace.verdict[trace.verdict.length - 1] - modelOn(model, ids)) < TOL, 'the last verdict is the prediction');
        const before = padding > 0 ? modelOn(model, ids.subarray(0, padding)) : tf.tidy(() => parts.applyHead(tf.zeros([1, parts.D * parts.U])).dataSync()[0]);
        assert.ok(Math.abs(trace.verdictBefore - before) < TOL, 'verdict on the padding alone');
      });
    }

    // the Bi-LSTM's backward runs on the cut texts: rows dealt to both threads
    if (preset === 'bilstm') {
      it('its verdict as it reads is the real model on each cut text with the runs split across two kernel threads', async () => {
        const wasmPath = path.join(REPO_ROOT, 'dist', 'recurrent-kernels.wasm');
        assert.equal(await loadFusedKernels({ wasmPath, threads: 2 }), true);
        setMinSplitWork(0);
        try {
          const ids = WINDOWS.short;
          const padding = paddingOf(ids);
          const trace = traceWindow(parts, ids, padding);
          const expected = Array.from({ length: MAXLEN - padding }, (_, k) => modelOn(model, ids.subarray(0, padding + k + 1)));
          assert.ok(maxDiff(trace.verdict, expected) < TOL, `verdict: ${maxDiff(trace.verdict, expected)}`);
        } finally {
          setMinSplitWork(null);
          await loadFusedKernels({ wasmPath, threads: 1 });
        }
      });
    }

    it('integrated gradients sum to f(text) - f(all padding) within 1%', () => {
      for (const ids of Object.values(WINDOWS)) {
        const ig = integratedGradients(parts, ids);
        const delta = ig.probability - ig.baseline;
        assert.ok(Math.abs(delta) > 1e-3, `the test needs a text the model tells from padding (delta ${delta})`);
        const sum = ig.values.reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(sum - delta) <= 0.01 * Math.abs(delta), `sum ${sum} vs delta ${delta} (${ig.steps} steps)`);
        assert.ok(Math.abs(ig.probability - modelOn(model, ids)) < TOL, 'f(text) is the model');
        assert.ok(Math.abs(ig.baseline - modelOn(model, new Int32Array(MAXLEN))) < TOL, 'f(baseline) is the model on all padding');
        for (let t = 0; t < paddingOf(ids); t++) assert.equal(ig.values[t], 0, 'padding equals the baseline: no attribution');
      }
    });

    it('occlusion is the drop of a direct re-prediction', () => {
      const sequence = encodeRanks([1, 5, 30, 7, 22, 3, 0, 11, 8, 17, 25, 6, 2, 14, 9, 19], 40);
      const window = padSequence(sequence, MAXLEN);
      const predict = (windows: Int32Array, rows: number) => windowPredictor(model, MAXLEN)(windows, rows);
      const f = modelOn(model, window);
      const result = occlusion(predict, sequence, MAXLEN, f);
      assert.equal(result.replaced.length, MAXLEN);
      const skip = sequence.length - MAXLEN;
      for (const k of [0, 5, MAXLEN - 1]) {
        const oov = window.slice();
        oov[k] = OOV_CHAR;
        assert.ok(Math.abs(result.replaced[k] - (f - modelOn(model, oov))) < TOL, `replaced ${k}`);
        // removing the word lets the word before the window in
        const without = [...sequence.subarray(0, skip + k), ...sequence.subarray(skip + k + 1)];
        assert.ok(Math.abs(result.removed[k] - (f - modelOn(model, padSequence(without, MAXLEN)))) < TOL, `removed ${k}`);
      }
    });
  });
}

describe('explained tokens', () => {
  const words = ['the', 'film', 'was', 'good', 'bad', 'plot', 'and', 'acting'];
  const encoder = new TextEncoder(new Vocabulary(words), 40, MAXLEN);
  let model: tf.LayersModel;
  let parts: RecurrentParts;
  const predict = (windows: Int32Array, rows: number) => windowPredictor(model, MAXLEN)(windows, rows);
  before(() => {
    model = smallModel('lstm');
    parts = recurrentParts(model, 'lstm');
  });
  after(() => {
    parts.dispose();
    model.dispose();
  });

  it('marks words outside the vocabulary as OOV and reads the start character', () => {
    const e = explainText({ parts, encoder, predict, text: 'The film was zyzzyva good', method: 'ig' });
    assert.deepEqual(e.tokens.map((t) => t.status), ['start', 'read', 'read', 'read', 'oov', 'read']);
    assert.equal(e.tokens[4].index, OOV_CHAR);
    assert.deepEqual(e.read, { from: 0, to: 6 });
    assert.equal(e.padding, MAXLEN - 6);
    assert.equal(e.verdict.length, 6);
    assert.equal(e.attributions.values.length, 6);
    assert.equal(e.states[0].h.length, 6);
    assert.equal(e.states[0].forgetGate?.[0].length, parts.U);
    assert.ok(Math.abs(e.probability - modelOn(model, padSequence(encoder.sequenceOf('The film was zyzzyva good').sequence, MAXLEN))) < TOL);
  });

  it('marks the words cut off past maxlen - 1 as dropped, the start character with them', () => {
    const text = 'the film was good and the plot was bad and the acting was good and bad';
    const e = explainText({ parts, encoder, predict, text, method: 'occlusion' });
    const n = text.split(' ').length;
    const dropped = n + 1 - MAXLEN;
    assert.deepEqual(e.tokens.slice(0, dropped).map((t) => t.status), Array(dropped).fill('dropped'));
    assert.equal(e.tokens[dropped].status, 'read');
    assert.deepEqual(e.read, { from: dropped, to: n + 1 });
    assert.equal(e.padding, 0);
    assert.equal(e.attributions.values.length, MAXLEN);
    assert.equal(e.attributions.removed?.length, MAXLEN);
  });

  it('in the editor: each word where it stands as written, its look, and a hover with its attribution, the verdict around it and the mean gates', () => {
    const text = 'The FILM was, zyzzyva... good!';
    const e = explainText({ parts, encoder, predict, text, method: 'ig' });
    const words = explainedWords(e, text);
    assert.deepEqual(words.map((w) => text.slice(w.start, w.end)), ['The', 'FILM', 'was', 'zyzzyva', 'good']);
    assert.equal(words[3].look, 'oov');
    assert.match(words[3].note ?? '', /unknown to the model/);
    const mean = (row: number[] | undefined) => (row ?? []).reduce((a, b) => a + b, 0) / (row ?? []).length;
    const strongest = Math.max(...e.attributions.values.map(Math.abs));
    words.forEach((w, n) => {
      const k = n + 1; // after the start character
      const value = e.attributions.values[k];
      assert.equal(w.lines[0], `Attribution ${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(3)} toward ${value >= 0 ? 'positive' : 'negative'} (integrated gradients)`);
      assert.equal(w.lines[1], `P(positive) before this word ${e.verdict[k - 1].toFixed(3)}, after it ${e.verdict[k].toFixed(3)}`);
      const [i, f, o] = [e.states[0].inputGate, e.states[0].forgetGate, e.states[0].outputGate].map((g) => mean(g?.[k]).toFixed(3));
      assert.equal(w.lines[2], `Gates, mean over units: input ${i} · forget ${f} · output ${o}`);
      if (w.look !== 'oov') assert.equal(w.look, `${value >= 0 ? 'positive' : 'negative'}-${Math.abs(value) === strongest ? 3 : Math.min(3, 1 + Math.floor((3 * Math.abs(value)) / strongest))}`);
    });

    const long = 'the film was good and the plot was bad and the acting was good and bad';
    const cut = explainedWords(explainText({ parts, encoder, predict, text: long, method: 'ig' }), long);
    assert.equal(cut.length, 16);
    assert.deepEqual(cut.map((w) => w.look === 'dropped'), [...Array<boolean>(4).fill(true), ...Array<boolean>(12).fill(false)]);
    assert.match(cut[0].note ?? '', /not read: the LSTM reads only the last 12 words of this text/);
    assert.deepEqual(cut[0].lines, []);
  });
});
