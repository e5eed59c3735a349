// Faithfulness of the word attributions on a small LSTM trained here on the
// IMDB corpus (2,000 reviews, 60 words, 2 epochs, fused kernels): deleting
// the 10% of words each method ranks highest for the predicted class must
// lower that class's probability more, on average over 200 test reviews,
// than deleting as many random words.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadFusedKernels, unloadFusedKernels } from '../../src/core/fused/index';
import { registerWasmKernels } from '../../src/core/wasm-kernels';
import { buildModel, compileModel } from '../../src/core/model';
import { resolveHyperparameters } from '../../src/core/presets';
import { loadDataset, type EncodedSplit } from '../../src/core/dataset';
import { fitModel } from '../../src/core/training';
import { measureFaithfulness, recurrentParts, windowPredictor, type RecurrentParts } from '../../src/core/explain/index';
import { recurrentLayersFor } from '../../src/worker/recurrent-layers';
import { REPO_ROOT, TEST_CACHE_DIR, imdbArchive } from './helpers';

const REVIEWS = 200;

describe('faithfulness of the attributions (small LSTM trained on IMDB)', () => {
  const h = resolveHyperparameters('lstm', { maxlen: 60, batchSize: 32, epochs: 2, learningRate: 0.005 });
  let model: tf.LayersModel;
  let parts: RecurrentParts;
  let test: EncodedSplit;
  const predict = (windows: Int32Array, rows: number) => windowPredictor(model, h.maxlen)(windows, rows);

  before(async () => {
    setWasmPaths(path.join(REPO_ROOT, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist') + path.sep);
    registerWasmKernels();
    assert.equal(await tf.setBackend('wasm'), true);
    assert.equal(await loadFusedKernels({ wasmPath: path.join(REPO_ROOT, 'dist', 'recurrent-kernels.wasm') }), true, 'run npm run build first');
    const data = await loadDataset(
      { kind: 'archive', path: await imdbArchive() },
      { numWords: h.numWords, maxlen: h.maxlen, seed: h.seed, validationSplit: h.validationSplit, limit: 2000 },
      { cacheDir: TEST_CACHE_DIR },
    );
    const layers = await recurrentLayersFor();
    model = buildModel(h, layers);
    compileModel(model, h, layers);
    await fitModel(model, h, data);
    test = data.test;
    parts = recurrentParts(model, 'lstm');
  });
  after(async () => {
    parts.dispose();
    model.dispose();
    await unloadFusedKernels();
  });

  for (const method of ['ig', 'occlusion'] as const) {
    it(`${method}: deleting the top 10% words lowers the predicted class more than deleting random ones`, () => {
      const result = measureFaithfulness({ parts, predict, windows: test.x, count: REVIEWS, maxlen: h.maxlen, method });
      assert.equal(result.reviews, REVIEWS);
      assert.ok(result.topDrop > result.randomDrop, `top ${result.topDrop.toFixed(4)} vs random ${result.randomDrop.toFixed(4)}`);
      assert.ok(result.topDrop > 0, 'deleting the words the method ranks first lowers the predicted class');
    });
  }
});
