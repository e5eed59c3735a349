// Fused recurrent layers vs TensorFlow.js' own layers: outputs, every
// gradient, and a short training run must agree.
//
// The kernels are built into a temporary directory first (needs the
// assemblyscript dev dependency). References run on the 'cpu' backend; the
// fused layers run on the 'wasm' backend.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import {
  FusedAdamOptimizer,
  FusedRMSpropOptimizer,
  fusedBidirectionalLSTM,
  fusedEmbedding,
  fusedKernelsAvailable,
  fusedKernelsDescription,
  fusedKernelsError,
  fusedLSTM,
  fusedSimpleRNN,
  loadFusedKernels,
  pendingSlotCount,
  setTableMode,
  unloadFusedKernels,
} from '../../src/core/fused/index';
import { getRuntime, moduleMismatch, relaxedWasmPath } from '../../src/core/fused/runtime';
import { uniformValues } from './helpers';
import {
  ABI,
  layoutDescription,
  readTask,
  RECURRENCE_FIELDS,
  TASK_WORDS,
  TaskOp,
  writeTask,
  type AbiTables,
  type LayoutDecl,
  type RecurrenceTask,
} from '../../src/core/fused/abi';
import { setMinSplitWork } from '../../src/core/fused/ops';
import { registerWasmKernels } from '../../src/core/wasm-kernels';
import { buildModel, predictionBatchRows } from '../../src/core/model';
import { resolveHyperparameters } from '../../src/core/presets';
import { predictRows } from '../../src/core/training';
import { recurrentLayersFor } from '../../src/worker/recurrent-layers';

const ROOT = path.resolve(__dirname, '..', '..');
const TOL = 1e-4;

let tmpDir = '';
let wasmFile = '';
/** scripts/build-kernels.mjs (plain JavaScript, loaded at run time). */
let buildKernels: (outDir: string, options?: { tables?: AbiTables; variants?: string[] }) => Promise<string>;
let fusedBackend = 'cpu';
const worst = { output: 0, gradient: 0 };

type Kind = 'rnn' | 'lstm' | 'bilstm';

interface Case {
  kind: Kind;
  B: number;
  T: number;
  inDim: number;
  units: number;
  goBackwards?: boolean;
}

interface Result {
  out: Float32Array;
  grads: Float32Array[]; // dx, then each trainable weight in getWeights() order
  weightNames: string[];
  weightShapes: number[][];
}

/** Deterministic uniform values in [-scale, scale] for a tensor of this shape. */
const rand = (shape: number[], seed: number, scale = 0.5) => uniformValues(shape.reduce((a, b) => a * b, 1), seed, scale);

function makeLayer(c: Case, fused: boolean): tf.layers.Layer {
  const common = { units: c.units, goBackwards: c.goBackwards ?? false };
  if (c.kind === 'rnn') return fused ? fusedSimpleRNN(common) : tf.layers.simpleRNN(common);
  if (c.kind === 'lstm') {
    return fused ? fusedLSTM(common) : tf.layers.lstm({ ...common, recurrentActivation: 'sigmoid' });
  }
  return fused
    ? fusedBidirectionalLSTM({ units: c.units })
    : tf.layers.bidirectional({
        layer: tf.layers.lstm({ units: c.units, recurrentActivation: 'sigmoid' }),
        mergeMode: 'concat',
      });
}

function buildLayer(layer: tf.layers.Layer, shape: number[]): void {
  // Layer.apply() marks a layer built only when it builds it itself.
  layer.build(shape);
  layer.built = true;
}

function runCase(c: Case, fused: boolean): Result {
  let result: Result | null = null;
  tf.tidy(() => {
    const layer = makeLayer(c, fused);
    buildLayer(layer, [c.B, c.T, c.inDim]);
    const shapes = layer.getWeights().map((w) => w.shape);
    layer.setWeights(shapes.map((s, i) => tf.tensor(rand(s, 1000 + i * 7919, 0.6), s)));
    const x = tf.variable(tf.tensor3d(rand([c.B, c.T, c.inDim], 42, 1.0), [c.B, c.T, c.inDim]));
    const outDim = (c.kind === 'bilstm' ? 2 : 1) * c.units;
    const probe = tf.tensor2d(rand([c.B, outDim], 7, 1.0), [c.B, outDim]);
    const vars = [x, ...layer.trainableWeights.map((w) => w.read() as tf.Variable)];
    // inference path (no tape) for the output, recorded path for gradients
    const out = layer.apply(x) as tf.Tensor;
    const { grads } = tf.variableGrads(
      () => tf.sum<tf.Scalar>(tf.mul(layer.apply(x) as tf.Tensor, probe)),
      vars,
    );
    result = {
      out: out.dataSync() as Float32Array,
      grads: vars.map((v) => grads[v.name].dataSync() as Float32Array),
      weightNames: layer.weights.map((w) => w.name.replace(/_\d+\//, '/')),
      weightShapes: shapes,
    };
    x.dispose();
  });
  return result as unknown as Result;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length, 'length mismatch');
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

async function compareCase(c: Case): Promise<void> {
  await tf.setBackend('cpu');
  const ref = runCase(c, false);
  await tf.setBackend(fusedBackend);
  const got = runCase(c, true);
  assert.deepEqual(got.weightShapes, ref.weightShapes, 'weight shapes');
  const d = maxAbsDiff(got.out, ref.out);
  worst.output = Math.max(worst.output, d);
  assert.ok(d <= TOL, `output differs by ${d}`);
  const names = ['x', ...ref.weightShapes.map((_, i) => `weight ${i}`)];
  got.grads.forEach((g, i) => {
    const dg = maxAbsDiff(g, ref.grads[i]);
    worst.gradient = Math.max(worst.gradient, dg);
    assert.ok(dg <= TOL, `gradient wrt ${names[i]} differs by ${dg}`);
  });
  assert.equal(pendingSlotCount(), 0, 'saved state released after backward');
}

before(async () => {
  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fused-kernels-'));
  const build = (await import(pathToFileURL(path.join(ROOT, 'scripts', 'build-kernels.mjs')).href)) as { buildKernels: typeof buildKernels };
  buildKernels = build.buildKernels;
  wasmFile = await buildKernels(tmpDir);
  setWasmPaths(path.join(ROOT, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist') + path.sep);
  registerWasmKernels();
  // tfjs 4.22's Unpack gradient assumes more than one output, so the
  // reference (per-step) layers cannot be differentiated at sequence
  // length 1; give it the one-output case.
  tf.registerGradient({
    kernelName: 'Unpack',
    gradFunc: (dy, _saved, attrs) => {
      const dys = Array.isArray(dy) ? dy : [dy];
      return { value: () => tf.stack(dys, (attrs as { axis: number }).axis) };
    },
  });
  try {
    if (await tf.setBackend('wasm')) fusedBackend = 'wasm';
  } catch {
    fusedBackend = 'cpu';
  }
  assert.equal(await loadFusedKernels({ wasmPath: wasmFile, threads: 1 }), true);
});

after(async () => {
  await unloadFusedKernels();
  fs.rmSync(tmpDir, { recursive: true, force: true });
});

describe('fused recurrent kernels', () => {
  it('loads', () => {
    assert.ok(fusedKernelsAvailable());
    assert.match(fusedKernelsDescription(), /fused-wasm-simd/);
  });

  it('reports false for a missing wasm file', async () => {
    await unloadFusedKernels();
    assert.equal(await loadFusedKernels({ wasmPath: path.join(tmpDir, 'nope.wasm') }), false);
    assert.equal(fusedKernelsAvailable(), false);
    assert.equal(await loadFusedKernels({ wasmPath: wasmFile, threads: 1 }), true);
  });

  it('has the weights of the standard layers (names, shapes, order, Keras initialisation)', async () => {
    await tf.setBackend('cpu');
    const pairs: [tf.layers.Layer, tf.layers.Layer][] = [
      [fusedSimpleRNN({ units: 8 }), tf.layers.simpleRNN({ units: 8 })],
      [fusedLSTM({ units: 8 }), tf.layers.lstm({ units: 8 })],
      [
        fusedBidirectionalLSTM({ units: 8 }),
        tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 8 }), mergeMode: 'concat' }),
      ],
    ];
    for (const [f, s] of pairs) {
      const names = (layer: tf.layers.Layer) => {
        const m = tf.sequential();
        m.add(tf.layers.dense({ units: 3, inputShape: [5, 2] }));
        m.add(layer);
        // drop the per-instance uid suffixes (lstm_LSTM3 -> lstm)
        return m.weights.map((w) => w.name.replace(/_[A-Za-z]+\d+/g, ''));
      };
      assert.deepEqual(names(f), names(s));
      assert.deepEqual(f.getWeights().map((w) => w.shape), s.getWeights().map((w) => w.shape));
      assert.equal(f.getClassName(), s.getClassName());
    }
    // Keras LSTM: unit forget bias (forget block of the bias is 1, rest 0).
    const lstm = pairs[1][0];
    const bias = Array.from(lstm.getWeights()[2].dataSync());
    assert.deepEqual(bias, [...new Array<number>(8).fill(0), ...new Array<number>(8).fill(1), ...new Array<number>(16).fill(0)]);
    const cfg = lstm.getConfig() as Record<string, unknown>;
    assert.equal(cfg.recurrentActivation, 'sigmoid');
    // tfjs writes glorotUniform as VarianceScaling(1, fanAvg, uniform); its own default is glorotNormal
    const kinit = cfg.kernelInitializer as { className: string; config: Record<string, unknown> };
    assert.equal(kinit.className, 'VarianceScaling');
    assert.deepEqual([kinit.config.scale, kinit.config.mode, kinit.config.distribution], [1, 'fanAvg', 'uniform']);
    assert.equal((cfg.recurrentInitializer as { className: string }).className, 'Orthogonal');
  });

  const cases: Case[] = [];
  for (const T of [1, 7, 50]) {
    for (const B of [1, 5]) {
      cases.push({ kind: 'rnn', B, T, inDim: 4, units: 8 });
      cases.push({ kind: 'lstm', B, T, inDim: 4, units: 8 });
      cases.push({ kind: 'bilstm', B, T, inDim: 4, units: 8 });
    }
  }
  cases.push({ kind: 'rnn', B: 3, T: 7, inDim: 3, units: 6, goBackwards: true });
  cases.push({ kind: 'lstm', B: 3, T: 7, inDim: 3, units: 5, goBackwards: true });
  cases.push({ kind: 'bilstm', B: 2, T: 9, inDim: 3, units: 7 });
  cases.push({ kind: 'lstm', B: 16, T: 20, inDim: 6, units: 32 });
  cases.push({ kind: 'bilstm', B: 9, T: 12, inDim: 5, units: 16 });

  for (const c of cases) {
    const name = `${c.kind} B=${c.B} T=${c.T} units=${c.units}${c.goBackwards ? ' goBackwards' : ''}`;
    it(`matches tfjs: ${name}`, async () => compareCase(c));
  }

  it('stays within tolerance across all cases', (t) => {
    t.diagnostic(`largest output difference ${worst.output.toExponential(2)}, gradient ${worst.gradient.toExponential(2)}`);
    assert.ok(worst.output <= TOL && worst.gradient <= TOL);
  });

  it('matches tfjs with the work split across two threads', async () => {
    assert.equal(await loadFusedKernels({ wasmPath: wasmFile, threads: 2 }), true);
    setMinSplitWork(0);
    try {
      for (const c of [
        { kind: 'lstm', B: 7, T: 13, inDim: 4, units: 8 },
        { kind: 'rnn', B: 6, T: 9, inDim: 4, units: 12 },
        { kind: 'bilstm', B: 5, T: 11, inDim: 4, units: 8 },
        { kind: 'lstm', B: 1, T: 5, inDim: 4, units: 8 },
      ] as Case[]) {
        await compareCase(c);
      }
    } finally {
      setMinSplitWork(null);
      await loadFusedKernels({ threads: 1 });
    }
  });

  it('matches tfjs when the fused layers run on the cpu backend too', async () => {
    const saved = fusedBackend;
    fusedBackend = 'cpu';
    try {
      await compareCase({ kind: 'lstm', B: 4, T: 9, inDim: 3, units: 8 });
      await compareCase({ kind: 'bilstm', B: 3, T: 6, inDim: 3, units: 4 });
      await compareCase({ kind: 'rnn', B: 2, T: 5, inDim: 3, units: 3, goBackwards: true });
    } finally {
      fusedBackend = saved;
    }
  });

  it('copies weights both ways with identical predictions', async () => {
    await tf.setBackend(fusedBackend);
    const build = (fused: boolean) => {
      const m = tf.sequential();
      m.add(tf.layers.embedding({ inputDim: 50, outputDim: 6, inputLength: 12 }));
      m.add(fused ? fusedBidirectionalLSTM({ units: 5 }) : tf.layers.bidirectional({
        layer: tf.layers.lstm({ units: 5, recurrentActivation: 'sigmoid', unitForgetBias: true }),
        mergeMode: 'concat',
      }));
      m.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
      return m;
    };
    const fusedModel = build(true);
    const standard = build(false);
    standard.setWeights(fusedModel.getWeights());
    const x = tf.tensor2d(rand([4, 12], 3, 1).map((v) => Math.floor((v + 1) * 24.9)), [4, 12]);
    const a = (fusedModel.predict(x) as tf.Tensor).dataSync() as Float32Array;
    const b = (standard.predict(x) as tf.Tensor).dataSync() as Float32Array;
    assert.ok(maxAbsDiff(a, b) <= 1e-5);
    const other = build(true);
    other.setWeights(standard.getWeights());
    const c = (other.predict(x) as tf.Tensor).dataSync() as Float32Array;
    assert.ok(maxAbsDiff(c, b) <= 1e-5);
    // the fused model serializes as standard layers
    const json = JSON.stringify(fusedModel.toJSON(null, false));
    assert.match(json, /"class_name":"Bidirectional"/);
    assert.match(json, /"class_name":"LSTM"/);
    assert.equal(pendingSlotCount(), 0, 'prediction keeps no saved state');
  });

  it('drops saved state whose backward pass never runs', async () => {
    await tf.setBackend(fusedBackend);
    const layer = fusedLSTM({ units: 4 });
    const x = tf.randomNormal([2, 6, 3]);
    const w = tf.variable(tf.scalar(1));
    tf.tidy(() => {
      // the layer runs on the tape but the loss does not depend on it
      tf.variableGrads(() => {
        layer.apply(x);
        return tf.mul<tf.Scalar>(w, 2);
      }, [w]);
    });
    assert.equal(pendingSlotCount(), 1);
    tf.tidy(() => layer.apply(x) as tf.Tensor);
    assert.equal(pendingSlotCount(), 0);
    x.dispose();
    w.dispose();
  });

  it('trains like the standard LSTM (same loss curve)', async (t) => {
    const vocab = 12;
    const T = 10;
    const N = 64;
    // label: does token 1 occur more often than token 2?
    const tokens = rand([N, T], 99, 1).map((v) => Math.min(vocab - 1, Math.floor((v + 1) * 0.5 * vocab)));
    const labels = new Float32Array(N);
    for (let i = 0; i < N; i++) {
      let d = 0;
      for (let t = 0; t < T; t++) d += tokens[i * T + t] === 1 ? 1 : tokens[i * T + t] === 2 ? -1 : 0;
      labels[i] = d > 0 ? 1 : 0;
    }
    const build = (fused: boolean) => {
      const m = tf.sequential();
      // fused: N*T tokens >= vocab, so the LSTM reads the vocabulary table and the lookup is skipped
      const embedding = { inputDim: vocab, outputDim: 8, inputLength: T };
      m.add(fused ? fusedEmbedding({ ...embedding, deferLookup: true }) : tf.layers.embedding(embedding));
      m.add(fused ? fusedLSTM({ units: 8 }) : tf.layers.lstm({ units: 8, recurrentActivation: 'sigmoid', unitForgetBias: true }));
      m.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
      // the same (Keras) Adam on both sides, on either backend: this compares the layers
      m.compile({ optimizer: new FusedAdamOptimizer(0.02, 0.9, 0.999, 1e-7), loss: 'binaryCrossentropy' });
      return m;
    };
    const curve = async (fused: boolean, init: tf.Tensor[] | null) => {
      await tf.setBackend(fused ? fusedBackend : 'cpu');
      const m = build(fused);
      if (init) m.setWeights(init);
      const weights = m.getWeights().map((w) => w.clone());
      const x = tf.tensor2d(tokens, [N, T]);
      const y = tf.tensor2d(labels, [N, 1]);
      const losses: number[] = [];
      for (let step = 0; step < 40; step++) {
        losses.push((await m.trainOnBatch(x, y)) as number);
      }
      return { losses, weights };
    };
    const ref = await curve(false, null);
    const got = await curve(true, ref.weights);
    let worst = 0;
    ref.losses.forEach((l, i) => (worst = Math.max(worst, Math.abs(l - got.losses[i]))));
    t.diagnostic(`loss ${ref.losses[0].toFixed(4)} -> ${ref.losses[ref.losses.length - 1].toFixed(4)}, largest difference ${worst.toExponential(2)}`);
    assert.ok(worst < 2e-3, `loss curves differ by ${worst}\nref ${ref.losses.join(', ')}\ngot ${got.losses.join(', ')}`);
    assert.ok(got.losses[got.losses.length - 1] < got.losses[0] * 0.8, 'loss decreases');
    assert.equal(pendingSlotCount(), 0);
  });
});

// Embedding -> recurrent layer: the fused pair reads each step's input
// products from a vocabulary table (embeddings . W) by token id, and its
// backward pass scatter-adds into that table. Token ids repeat within and
// across rows, so the scatter-add (and its merge across threads) is
// exercised.
describe('fused Embedding + recurrent layer (vocabulary table)', () => {
  interface TableCase {
    kind: Kind;
    B: number;
    T: number;
    vocab: number;
    dim: number;
    units: number;
    goBackwards?: boolean;
    /** Leading padding (token 0) per row, as pad_sequences writes it; default: none beyond chance. */
    padding?: number[];
  }

  function tokenIds(c: TableCase): Float32Array {
    const ids = rand([c.B, c.T], 77, 1).map((v) => Math.min(c.vocab - 1, Math.floor((v + 1) * 0.5 * c.vocab)));
    c.padding?.forEach((n, b) => {
      for (let t = 0; t < c.T; t++) {
        if (t < n) ids[b * c.T + t] = 0;
        else if (ids[b * c.T + t] === 0) ids[b * c.T + t] = 1; // real tokens after the padding
      }
    });
    return ids;
  }

  function runTableCase(c: TableCase, fused: boolean, deferLookup: boolean): { out: Float32Array; grads: Float32Array[] } {
    let result: { out: Float32Array; grads: Float32Array[] } | null = null;
    tf.tidy(() => {
      const m = tf.sequential();
      const embedding = { inputDim: c.vocab, outputDim: c.dim, inputLength: c.T };
      m.add(fused ? fusedEmbedding({ ...embedding, deferLookup }) : tf.layers.embedding(embedding));
      m.add(makeLayer({ kind: c.kind, B: c.B, T: c.T, inDim: c.dim, units: c.units, goBackwards: c.goBackwards }, fused));
      const shapes = m.getWeights().map((w) => w.shape);
      m.setWeights(shapes.map((sh, i) => tf.tensor(rand(sh, 500 + i * 7919, 0.6), sh)));
      const ids = tf.tensor2d(tokenIds(c), [c.B, c.T]);
      const outDim = (c.kind === 'bilstm' ? 2 : 1) * c.units;
      const probe = tf.tensor2d(rand([c.B, outDim], 8, 1.0), [c.B, outDim]);
      const vars = m.trainableWeights.map((w) => w.read() as tf.Variable);
      const out = m.predict(ids) as tf.Tensor;
      const { grads } = tf.variableGrads(() => tf.sum<tf.Scalar>(tf.mul(m.apply(ids, { training: true }) as tf.Tensor, probe)), vars);
      result = { out: out.dataSync() as Float32Array, grads: vars.map((v) => grads[v.name].dataSync() as Float32Array) };
    });
    return result as unknown as { out: Float32Array; grads: Float32Array[] };
  }

  async function compareTableCase(c: TableCase, deferLookup = true): Promise<void> {
    await tf.setBackend('cpu');
    const ref = runTableCase(c, false, false);
    await tf.setBackend(fusedBackend);
    const got = runTableCase(c, true, deferLookup);
    const d = maxAbsDiff(got.out, ref.out);
    assert.ok(d <= TOL, `output differs by ${d}`);
    // weight 0 is the embedding matrix: its gradient comes back through the table
    got.grads.forEach((g, i) => {
      const dg = maxAbsDiff(g, ref.grads[i]);
      assert.ok(dg <= TOL, `gradient wrt weight ${i} differs by ${dg}`);
    });
    assert.equal(pendingSlotCount(), 0, 'saved state released after backward');
  }

  before(() => setTableMode('always'));
  after(() => setTableMode('auto'));

  const cases: TableCase[] = [
    { kind: 'rnn', B: 1, T: 1, vocab: 7, dim: 4, units: 8 },
    { kind: 'rnn', B: 4, T: 9, vocab: 5, dim: 3, units: 6, goBackwards: true },
    { kind: 'lstm', B: 1, T: 12, vocab: 9, dim: 4, units: 8 },
    { kind: 'lstm', B: 6, T: 15, vocab: 11, dim: 5, units: 7 },
    { kind: 'lstm', B: 3, T: 8, vocab: 4, dim: 4, units: 8, goBackwards: true },
    { kind: 'bilstm', B: 5, T: 10, vocab: 13, dim: 6, units: 8 },
    { kind: 'bilstm', B: 1, T: 4, vocab: 3, dim: 2, units: 5 },
  ];
  for (const c of cases) {
    it(`matches Embedding + ${c.kind} from tfjs: B=${c.B} T=${c.T} vocabulary ${c.vocab}${c.goBackwards ? ' goBackwards' : ''}`, async () =>
      compareTableCase(c));
  }

  // Leading padding: rows still in their padding copy one shared trajectory
  // (LSTM forward directions), in both passes; rows are reordered by padding.
  const padded: TableCase[] = [
    { kind: 'lstm', B: 6, T: 12, vocab: 9, dim: 4, units: 8, padding: [0, 3, 12, 7, 1, 3] },
    { kind: 'lstm', B: 1, T: 10, vocab: 5, dim: 3, units: 4, padding: [10] },
    { kind: 'lstm', B: 5, T: 9, vocab: 7, dim: 4, units: 5, padding: [4, 4, 4, 4, 4] },
    { kind: 'lstm', B: 4, T: 8, vocab: 6, dim: 3, units: 4, padding: [2, 0, 5, 8], goBackwards: true },
    { kind: 'bilstm', B: 5, T: 10, vocab: 8, dim: 4, units: 6, padding: [6, 0, 10, 2, 9] },
    { kind: 'rnn', B: 4, T: 9, vocab: 6, dim: 3, units: 5, padding: [3, 0, 9, 5] },
  ];
  for (const c of padded) {
    it(`matches Embedding + ${c.kind} from tfjs with leading padding ${c.padding!.join(',')}${c.goBackwards ? ' goBackwards' : ''}`, async () =>
      compareTableCase(c));
  }

  it('matches with the lookup computed (not deferred) as well', async () => {
    await compareTableCase({ kind: 'lstm', B: 4, T: 6, vocab: 8, dim: 3, units: 4 }, false);
  });

  it('merges the table gradients of two threads that share token ids', async () => {
    assert.equal(await loadFusedKernels({ wasmPath: wasmFile, threads: 2 }), true);
    setMinSplitWork(0);
    try {
      await compareTableCase({ kind: 'lstm', B: 8, T: 20, vocab: 6, dim: 4, units: 8 });
      await compareTableCase({ kind: 'rnn', B: 7, T: 11, vocab: 5, dim: 3, units: 12 });
      await compareTableCase({ kind: 'bilstm', B: 6, T: 9, vocab: 7, dim: 4, units: 8 });
      // padded rows dealt to both threads, each thread's rows sorted by padding
      await compareTableCase({ kind: 'lstm', B: 9, T: 14, vocab: 6, dim: 4, units: 8, padding: [0, 13, 2, 14, 7, 7, 1, 0, 10] });
      await compareTableCase({ kind: 'lstm', B: 8, T: 6, vocab: 5, dim: 3, units: 4, padding: [6, 6, 6, 6, 6, 6, 6, 6] });
      // a padded Bi-LSTM splits both directions by rows (not one direction per thread)
      await compareTableCase({ kind: 'bilstm', B: 7, T: 11, vocab: 6, dim: 4, units: 8, padding: [0, 11, 4, 9, 2, 2, 6] });
    } finally {
      setMinSplitWork(null);
      await loadFusedKernels({ threads: 1 });
    }
  });

  it('computes the skipped lookup when the recurrent layer cannot use the kernels', async () => {
    // returnSequences is outside what the kernels do: the LSTM falls back to
    // TensorFlow.js' per-step code, which must see the real embedding rows.
    await tf.setBackend(fusedBackend);
    const ids = tf.tensor2d([[1, 2, 3, 1], [0, 3, 3, 2]]);
    const build = (fused: boolean) => {
      const m = tf.sequential();
      const embedding = { inputDim: 4, outputDim: 3, inputLength: 4 };
      m.add(fused ? fusedEmbedding({ ...embedding, deferLookup: true }) : tf.layers.embedding(embedding));
      const lstm = { units: 5, returnSequences: true };
      m.add(fused ? fusedLSTM(lstm) : tf.layers.lstm({ ...lstm, recurrentActivation: 'sigmoid', unitForgetBias: true }));
      return m;
    };
    const fusedModel = build(true);
    const standard = build(false);
    standard.setWeights(fusedModel.getWeights());
    const a = (fusedModel.predict(ids) as tf.Tensor).dataSync() as Float32Array;
    const b = (standard.predict(ids) as tf.Tensor).dataSync() as Float32Array;
    assert.ok(maxAbsDiff(a, b) <= 1e-5);
    assert.ok(b.some((v) => Math.abs(v) > 1e-3), 'the reference output is not trivially zero');
  });

  it('refuses token ids outside the vocabulary with a clear error', async () => {
    await tf.setBackend(fusedBackend);
    const m = tf.sequential();
    m.add(fusedEmbedding({ inputDim: 5, outputDim: 3, inputLength: 3, deferLookup: true }));
    m.add(fusedLSTM({ units: 4 }));
    assert.throws(() => tf.tidy(() => m.predict(tf.tensor2d([[1, 2, 7]]))), /token id 7 is outside the vocabulary table \[0, 5\)/);
  });
});

describe('predictions in batches (predictRows, as evaluation, documents and explanations predict)', () => {
  it('gives every row of a short-maxlen batch the probability the model gives it alone, across prediction batches', async () => {
    await tf.setBackend(fusedBackend);
    const h = resolveHyperparameters('lstm', { maxlen: 100, embeddingDim: 8, units: 8, denseUnits: 16 });
    // Enough tokens per prediction batch for the vocabulary table (10,000 words), where 32 rows of 100 would not be.
    assert.ok(predictionBatchRows(h.maxlen) * h.maxlen >= h.numWords);
    assert.equal(predictionBatchRows(500), 32, 'the tutorial maxlen keeps Keras\' batch of 32');
    const layers = await recurrentLayersFor();
    assert.notEqual(layers.name, 'tfjs-layers', 'the fused layers, whose vocabulary table short rows now reach, are what is tested');
    const model = buildModel(h, layers);
    try {
      const rows = predictionBatchRows(h.maxlen) * 2 + 17;
      const ids = rand([rows, h.maxlen], 91, 1).map((v) => Math.min(h.numWords - 1, Math.floor((v + 1) * 0.5 * h.numWords)));
      // pad_sequences' padding in front of every third row
      for (let r = 0; r < rows; r += 3) ids.fill(0, r * h.maxlen, r * h.maxlen + ((r * 7) % h.maxlen));
      const x = Int32Array.from(ids);
      const batched = await predictRows(model, x, rows, h.maxlen);
      assert.equal(batched.length, rows);
      let worstDiff = 0;
      for (const r of [0, 1, 2, predictionBatchRows(h.maxlen) - 1, predictionBatchRows(h.maxlen), rows - 1]) {
        const alone = await predictRows(model, x.slice(r * h.maxlen, (r + 1) * h.maxlen), 1, h.maxlen);
        worstDiff = Math.max(worstDiff, Math.abs(alone[0] - batched[r]));
      }
      assert.ok(worstDiff <= 1e-5, `a row's probability differs by ${worstDiff} in a batch`);
      assert.ok(new Set(batched).size > rows / 2, 'the rows get probabilities of their own');
    } finally {
      model.dispose();
    }
  });
});

describe('kernel builds', () => {
  it('takes the relaxed-SIMD (fused multiply-add) build exactly where the engine validates it', async () => {
    const relaxedValid = WebAssembly.validate(fs.readFileSync(relaxedWasmPath(wasmFile)));
    // scripts/test-kernels-relaxed.sh runs this file on an engine that must take the relaxed build
    if (process.env.RSL_EXPECT_KERNEL_VARIANT === 'relaxed') assert.ok(relaxedValid, 'this engine should validate the relaxed-SIMD build');
    await unloadFusedKernels();
    assert.equal(await loadFusedKernels({ wasmPath: wasmFile, threads: 1 }), true);
    assert.equal(getRuntime()?.variant, relaxedValid ? 'relaxed' : 'plain');
    assert.match(fusedKernelsDescription(), relaxedValid ? /^fused-wasm-simd\+fma x1 thread/ : /^fused-wasm-simd x1 thread/);
    await unloadFusedKernels();
    assert.equal(await loadFusedKernels({ wasmPath: wasmFile, threads: 1, variant: 'plain' }), true);
    assert.equal(getRuntime()?.variant, 'plain');
    await unloadFusedKernels();
    assert.equal(await loadFusedKernels({ wasmPath: wasmFile, threads: 1 }), true);
  });
});

describe('kernel interface (the task tables of abi.ts)', () => {
  /** The tables with RecurrenceTask's fields changed by `edit`. */
  function alteredTables(edit: (fields: LayoutDecl['fields'][number][]) => void): AbiTables {
    return {
      ...ABI,
      layouts: ABI.layouts.map((layout) => {
        if (layout.name !== 'RecurrenceTask') return layout;
        const fields = [...layout.fields];
        edit(fields);
        return { ...layout, fields };
      }),
    };
  }

  /** Load a module built from `tables` (a real build); resolves the loader's refusal, or '' if it loaded. */
  async function loadBuiltFrom(tables: AbiTables, name: string): Promise<string> {
    const dir = path.join(tmpDir, name);
    const file = await buildKernels(dir, { tables, variants: ['plain'] });
    await unloadFusedKernels();
    try {
      return (await loadFusedKernels({ wasmPath: file, threads: 1 })) ? '' : fusedKernelsError();
    } finally {
      await unloadFusedKernels();
      assert.equal(await loadFusedKernels({ wasmPath: wasmFile, threads: 1 }), true);
    }
  }

  it('writes every field of a task at its word of the table, and reads it back', () => {
    const task = Object.fromEntries(
      RECURRENCE_FIELDS.map((f, i) => [f.name, f.type === 'op' ? TaskOp.LstmBackward : f.type === 'flag' ? i % 2 === 0 : 1000 + i]),
    ) as unknown as RecurrenceTask;
    const words = new Int32Array(3 * TASK_WORDS).fill(-1);
    writeTask(words, TASK_WORDS, task);
    RECURRENCE_FIELDS.forEach((f, i) => {
      const expected = f.type === 'op' ? TaskOp.LstmBackward : f.type === 'flag' ? (i % 2 === 0 ? 1 : 0) : 1000 + i;
      assert.equal(words[TASK_WORDS + i], expected, `word ${i} holds ${f.name}`);
    });
    assert.ok(words.subarray(0, TASK_WORDS).every((w) => w === -1), 'the record before is untouched');
    assert.deepEqual(readTask(words, TASK_WORDS), task);
    assert.throws(() => writeTask(words, 0, { ...task, pads: undefined } as unknown as RecurrenceTask), /task field 'pads' has no value/);
  });

  it('the loaded module reads every field at the word the table gives it', () => {
    const rt = getRuntime();
    assert.ok(rt);
    const expected = layoutDescription();
    assert.equal(rt.exports.abiLayoutLength(), expected.length);
    expected.forEach(({ fact, value }, i) => assert.equal(rt.exports.abiLayout(i), value, JSON.stringify(fact)));
  });

  it('refuses a module built with two fields swapped, naming the first difference', async () => {
    const r = RECURRENCE_FIELDS.findIndex((f) => f.name === 'r');
    assert.equal(RECURRENCE_FIELDS[r + 1].name, 'rt');
    const error = await loadBuiltFrom(
      alteredTables((fields) => {
        [fields[r], fields[r + 1]] = [fields[r + 1], fields[r]];
      }),
      'swapped',
    );
    assert.equal(
      error,
      `the kernel module's task layout differs from this loader's: the field at word ${r} of RecurrenceTask is 'rt: ptr' in the module, 'r: ptr' here; rebuild the kernels (npm run build)`,
    );
  });

  it('refuses a module built with an extra field', async () => {
    const error = await loadBuiltFrom(alteredTables((fields) => fields.push({ name: 'extra', type: 'i32', meaning: 'a field this loader does not know' })), 'extra');
    assert.match(error, new RegExp(`the words per task record is ${RECURRENCE_FIELDS.length + 1} in the module, ${TASK_WORDS} here`));
  });

  it('refuses a module of an older ABI without layout exports (a mocked instance: no older build exists here)', () => {
    const instance = { exports: { abiVersion: () => ABI.version - 1, runTasks: () => undefined } } as unknown as WebAssembly.Instance;
    assert.equal(moduleMismatch(instance), `the kernel module has ABI version ${ABI.version - 1}, this loader expects ${ABI.version}`);
    const noLayout = { exports: { ...instance.exports, abiVersion: () => ABI.version } } as unknown as WebAssembly.Instance;
    assert.match(moduleMismatch(noLayout) ?? '', /lacks the exports addInto, adamUpdate, rmspropUpdate, abiLayoutLength, abiLayout/);
  });
});

/** A run of test/fixtures/keras-optimizers.json: Keras' optimizer stepped on fixed gradients (scripts/peers/keras_optimizers.py). */
interface KerasRun {
  learningRate: number;
  optimizerClass: string;
  shapes: Record<string, number[]>;
  initial: Record<string, number[]>;
  steps: { gradients: Record<string, number[]>; values: Record<string, number[]> }[];
}

const KERAS = JSON.parse(fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'keras-optimizers.json'), 'utf8')) as {
  keras: string;
  adam: KerasRun[];
  rmsprop: KerasRun[];
  rmspropLegacy: KerasRun[];
};

let replays = 0;

/**
 * Step fresh variables holding a run's initial values with `optimizer` on
 * the run's gradients, steps [from, to); returns the largest difference
 * from Keras' values after each step, and the variables.
 */
function replay(optimizer: tf.Optimizer, run: KerasRun, from = 0, to = run.steps.length, variables?: Map<string, tf.Variable>): { worst: number; variables: Map<string, tf.Variable> } {
  const tag = `keras_${replays++}`;
  const vars = variables ?? new Map(Object.entries(run.initial).map(([name, v]) => [name, tf.variable(tf.tensor(v, run.shapes[name]), true, `${tag}_${name}`)]));
  let worst = 0;
  for (let step = from; step < to; step++) {
    const grads: tf.NamedTensorMap = {};
    for (const [name, v] of vars) grads[v.name] = tf.tensor(run.steps[step].gradients[name], run.shapes[name]);
    optimizer.applyGradients(grads);
    tf.dispose(Object.values(grads));
    for (const [name, v] of vars) worst = Math.max(worst, maxAbsDiff(v.dataSync() as Float32Array, Float32Array.from(run.steps[step].values[name])));
  }
  return { worst, variables: vars };
}

describe('fused optimizers (Keras 2.12 arithmetic, against Keras\' own values)', () => {
  before(async () => tf.setBackend(fusedBackend));

  it('the fixture is Keras 2.12, the classes compile(\'adam\') and compile(\'rmsprop\') build', () => {
    assert.match(KERAS.keras, /^2\.12\./);
    assert.deepEqual(KERAS.adam.map((r) => r.optimizerClass), ['keras.optimizers.adam.Adam', 'keras.optimizers.adam.Adam']);
    assert.deepEqual(KERAS.rmsprop.map((r) => r.optimizerClass), ['keras.optimizers.rmsprop.RMSprop', 'keras.optimizers.rmsprop.RMSprop']);
  });

  for (const kind of ['adam', 'rmsprop'] as const) {
    for (const [i, run] of KERAS[kind].entries()) {
      it(`${kind} at learning rate ${run.learningRate} follows Keras within 1e-6 at every step`, () => {
        const optimizer = kind === 'adam' ? new FusedAdamOptimizer(run.learningRate, 0.9, 0.999, 1e-7) : new FusedRMSpropOptimizer(run.learningRate, 0.9, 1e-7);
        const { worst, variables } = replay(optimizer, run);
        assert.ok(worst <= 1e-6, `${kind} run ${i} differs from Keras by ${worst}`);
        const moved = maxAbsDiff(variables.get('kernel')!.dataSync() as Float32Array, Float32Array.from(run.initial['kernel']));
        assert.ok(moved > 1e-3, 'the variables moved');
        optimizer.dispose();
        tf.dispose([...variables.values()]);
      });
    }
  }

  it('is told apart from other arithmetic by the fixture: TensorFlow.js\' Adam and the legacy Keras RMSprop miss it', () => {
    const run = KERAS.adam[1];
    const tfjs = tf.train.adam(run.learningRate, 0.9, 0.999, 1e-7);
    const { worst, variables } = replay(tfjs, run);
    assert.ok(worst > 1e-4, `TensorFlow.js' Adam is ${worst} from Keras'`);
    tfjs.dispose();
    tf.dispose([...variables.values()]);
    // epsilon outside the square root (optimizer_v2) against inside (the current RMSprop)
    const legacy = KERAS.rmspropLegacy[1];
    const ours = new FusedRMSpropOptimizer(legacy.learningRate, 0.9, 1e-7);
    const other = replay(ours, legacy);
    assert.ok(other.worst > 1e-4, `the legacy RMSprop is ${other.worst} from ours`);
    ours.dispose();
    tf.dispose([...other.variables.values()]);
  });

  it('saves its slots and iterations as TensorFlow.js does, and a restored optimizer continues on Keras\' trajectory', async () => {
    for (const kind of ['adam', 'rmsprop'] as const) {
      const run = KERAS[kind][1];
      const make = (): FusedAdamOptimizer | FusedRMSpropOptimizer =>
        kind === 'adam' ? new FusedAdamOptimizer(run.learningRate, 0.9, 0.999, 1e-7) : new FusedRMSpropOptimizer(run.learningRate, 0.9, 1e-7);
      const first = make();
      const { variables } = replay(first, run, 0, 3);
      const saved = await first.getWeights();
      const names = [...variables.values()].map((v) => v.name);
      const slots = kind === 'adam' ? ['m', 'v'] : ['rms', 'momentum'];
      assert.deepEqual(saved.map((w) => w.name), ['iter', ...slots.flatMap((slot) => names.map((n) => `${n}/${slot}`))]);
      assert.equal(saved[0].tensor.dataSync()[0], 3, 'iterations');
      first.dispose();
      const restored = make();
      await restored.setWeights(saved);
      const { worst } = replay(restored, run, 3, run.steps.length, variables);
      assert.ok(worst <= 1e-6, `${kind} restored after 3 steps differs from Keras by ${worst}`);
      // a variable without a gradient is left alone
      const before = variables.get('bias')!.dataSync().slice();
      restored.applyGradients([{ name: variables.get('bias')!.name, tensor: null as unknown as tf.Tensor }]);
      assert.deepEqual(variables.get('bias')!.dataSync(), before);
      // the state's layout is TensorFlow.js' own optimizer's: each takes the other's
      const standard = kind === 'adam' ? tf.train.adam(run.learningRate, 0.9, 0.999, 1e-7) : tf.train.rmsprop(run.learningRate, 0.9, 0, 1e-7);
      assert.equal(standard.getClassName(), restored.getClassName());
      await standard.setWeights(saved);
      const theirs = await standard.getWeights();
      assert.deepEqual(theirs.map((w) => w.name), saved.map((w) => w.name));
      await restored.setWeights(theirs);
      restored.dispose();
      standard.dispose();
      tf.dispose([...saved.map((w) => w.tensor), ...variables.values()]);
    }
  });
});

describe('wasm BatchMatMul with transposed operands (transposed first, then multiplied plainly)', () => {
  it('gives TensorFlow.js cpu results for every transpose combination, rank 2 and 3, broadcast batches', async (t) => {
    if (fusedBackend !== 'wasm') {
      t.skip('the wasm backend did not start here, so there is no wasm BatchMatMul to check');
      return;
    }
    const cases: [number[], number[], boolean, boolean][] = [
      [[5, 3], [5, 4], true, false],
      [[5, 3], [4, 3], false, true],
      [[3, 5], [4, 3], true, true],
      [[2, 6, 3], [2, 6, 4], true, false],
      [[1, 6, 3], [3, 5, 3], false, true],
      [[128, 256], [128, 64], true, false],
    ];
    for (const [sa, sb, ta, tb] of cases) {
      const run = async (backend: string) => {
        await tf.setBackend(backend);
        return tf.tidy(() => tf.matMul(tf.tensor(rand(sa, 5, 1), sa), tf.tensor(rand(sb, 6, 1), sb), ta, tb).dataSync() as Float32Array);
      };
      const expected = await run('cpu');
      const got = await run('wasm');
      assert.ok(maxAbsDiff(got, expected) <= 1e-4, `matMul ${sa.join('x')} by ${sb.join('x')} (${ta}, ${tb})`);
    }
  });
});
