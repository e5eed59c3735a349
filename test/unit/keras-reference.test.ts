/**
 * Our models against Keras' own numbers: the tutorial's three models (shrunk)
 * on one batch of pre-padded reviews, from the same weights, give Keras'
 * probabilities, batch loss and gradient of every weight
 * (test/fixtures/keras-model-gradients.json, made by
 * scripts/peers/keras_model_gradients.py with TensorFlow 2.12.1).
 *
 * Both recurrent implementations are checked: TensorFlow.js' own layers and
 * the fused kernels the worker trains with (the Embedding fused into the
 * recurrent layer, the SimpleRNN and LSTM run over every padding step as
 * Keras does, the LSTM's padding prefix shared between rows). A difference
 * here changes what training learns; the fused-kernel tests compare the
 * kernels with TensorFlow.js only.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadFusedKernels, unloadFusedKernels } from '../../src/core/fused/index';
import { buildModel, standardRecurrentLayers, type RecurrentLayerFactory } from '../../src/core/model';
import { resolveHyperparameters, type Hyperparameters, type PresetName } from '../../src/core/presets';
import { registerWasmKernels } from '../../src/core/wasm-kernels';
import { recurrentLayersFor } from '../../src/worker/recurrent-layers';
import { REPO_ROOT } from './helpers';

interface KerasCase {
  preset: PresetName;
  weights: { name: string; shape: number[]; values: number[] }[];
  x: number[];
  y: number[];
  probabilities: number[];
  loss: number;
  gradients: number[][];
}

const FIXTURE = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'keras-model-gradients.json'), 'utf8')) as {
  sizes: { numWords: number; embeddingDim: number; units: number; denseUnits: number; maxlen: number };
  padding: number[];
  cases: KerasCase[];
};

/** float32 arithmetic in another order than TensorFlow's: the differences measured are below 3e-8. */
const TOLERANCE = 5e-7;

function hyperparameters(preset: PresetName): Hyperparameters {
  const { numWords, embeddingDim, units, denseUnits, maxlen } = FIXTURE.sizes;
  const h = resolveHyperparameters(preset, { numWords: 1000, maxlen });
  // Sizes below what the settings allow (the schema's minimum vocabulary), to keep the fixture small.
  return { ...h, numWords, embeddingDim, units, denseUnits: h.denseUnits > 0 ? denseUnits : 0 };
}

function worstDifference(got: ArrayLike<number>, want: readonly number[]): number {
  assert.equal(got.length, want.length, 'length');
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
  return worst;
}

/** Probabilities, batch-mean binary cross-entropy (the loss compile('binaryCrossentropy') trains) and gradients, from the fixture's weights. */
function lossAndGradients(c: KerasCase, parts: RecurrentLayerFactory) {
  const h = hyperparameters(c.preset);
  const model = buildModel(h, parts);
  try {
    assert.deepEqual(model.weights.map((w) => w.shape), c.weights.map((w) => w.shape), 'weights in Keras\' order and shapes');
    model.setWeights(c.weights.map((w) => tf.tensor(w.values, w.shape)));
    return tf.tidy(() => {
      const x = tf.tensor2d(c.x, [c.y.length, h.maxlen], 'int32');
      const y = tf.tensor2d(c.y, [c.y.length, 1]);
      const probabilities = (model.predict(x) as tf.Tensor).dataSync();
      const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const { value, grads } = tf.variableGrads(() => tf.mean<tf.Scalar>(tf.metrics.binaryCrossentropy(y, model.apply(x, { training: false }) as tf.Tensor)), variables);
      return { probabilities, loss: value.dataSync()[0], gradients: variables.map((v) => grads[v.name].dataSync()) };
    });
  } finally {
    model.dispose();
  }
}

before(async () => {
  setWasmPaths(path.join(REPO_ROOT, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist') + path.sep);
  registerWasmKernels();
  assert.equal(await tf.setBackend('wasm'), true);
  assert.equal(await loadFusedKernels({ wasmPath: path.join(REPO_ROOT, 'dist', 'recurrent-kernels.wasm'), threads: 2 }), true, 'run npm run build first: the kernels come from dist/');
});

after(async () => {
  await unloadFusedKernels();
});

describe("the tutorial's models give Keras' loss and gradients from the same weights", () => {
  it('the batch has rows in their padding, one of them all padding, whose embedding row is not zero', () => {
    const { maxlen } = FIXTURE.sizes;
    assert.ok(FIXTURE.padding.some((p) => p === maxlen) && FIXTURE.padding.some((p) => p === 0));
    for (const c of FIXTURE.cases) assert.ok(c.weights[0].values.slice(0, FIXTURE.sizes.embeddingDim).some((v) => Math.abs(v) > 0.05));
  });

  for (const c of FIXTURE.cases) {
    for (const implementation of ['tfjs-layers', 'fused'] as const) {
      it(`${c.preset}, ${implementation}`, async () => {
        const parts = implementation === 'fused' ? await recurrentLayersFor() : standardRecurrentLayers;
        if (implementation === 'fused') assert.match(parts.name, /fused-wasm/);
        const got = lossAndGradients(c, parts);
        assert.ok(worstDifference(got.probabilities, c.probabilities) <= TOLERANCE, `probabilities differ by ${worstDifference(got.probabilities, c.probabilities)}`);
        assert.ok(Math.abs(got.loss - c.loss) <= TOLERANCE, `loss ${got.loss}, Keras ${c.loss}`);
        c.gradients.forEach((want, i) => {
          const scale = Math.max(...want.map(Math.abs));
          assert.ok(scale > 1e-4, `Keras' gradient of ${c.weights[i].name} is not trivially zero`);
          const d = worstDifference(got.gradients[i], want);
          assert.ok(d <= TOLERANCE * Math.max(1, scale * 10), `gradient of ${c.weights[i].name} (largest ${scale.toExponential(2)}) differs by ${d.toExponential(2)}`);
        });
        // The padding row (token 0) of the Embedding learns, as in Keras: the recurrent layers run the padding steps.
        assert.ok(got.gradients[0].slice(0, FIXTURE.sizes.embeddingDim).some((v) => Math.abs(v) > 1e-5), 'the padding row gets a gradient');
      });
    }
  }
});
