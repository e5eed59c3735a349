/**
 * The tutorial's models as TensorFlow.js builds them, and their life on disk:
 * parameter counts as Keras prints them, a save → load → predict round trip,
 * and run folders checked file by file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describeArchitecture } from '../../src/core/architecture';
import { initBackend } from '../../src/core/backend';
import { buildModel, compileModel, serializeModel } from '../../src/core/model';
import { PRESET_NAMES, resolveHyperparameters, type PresetName } from '../../src/core/presets';
import { Predictor } from '../../src/core/predictor';
import { RUN_FORMAT_VERSION, deleteRun, inspectRun, listRuns, newRunId, openRun, saveRun, vocabularyFile, type RunRecord } from '../../src/core/runs';
import { TOKENIZER_VERSION } from '../../src/core/text';
import { isLabError } from '../../src/core/errors';
import { tempDir } from './helpers';

// What Keras' model.summary() prints for the tutorial's code (num_words 10000, Embedding 32, units 32, maxlen 500).
const KERAS_TOTALS = { 'simple-rnn': 322_113, lstm: 337_025, bilstm: 353_537, 'lstm-sentences': 1_346_305 } as const;

test('each preset has Keras\' parameter count, both by arithmetic and as TensorFlow.js builds it', async () => {
  await initBackend('cpu');
  for (const preset of PRESET_NAMES) {
    const h = resolveHyperparameters(preset);
    const summary = describeArchitecture(h);
    assert.equal(summary.totalParams, KERAS_TOTALS[preset], preset);
    const model = buildModel(h);
    assert.equal(model.countParams(), KERAS_TOTALS[preset], preset);
    assert.deepEqual(model.layers.map((l) => l.name), summary.layers.map((l) => l.name));
    assert.deepEqual(model.layers.map((l) => l.outputShape), summary.layers.map((l) => l.outputShape));
    assert.deepEqual(model.layers.map((l) => l.countParams()), summary.layers.map((l) => l.params));
    model.dispose();
  }
});

/** Mean and standard deviation of a weight's values. */
function moments(values: Float32Array): { mean: number; sd: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { mean, sd: Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length) };
}

test("initial weights follow Keras' initializers: uniform Embedding, Glorot kernels, orthogonal recurrent kernels, zero biases", async () => {
  await initBackend('cpu');
  for (const preset of ['simple-rnn', 'lstm'] as const) {
    const h = resolveHyperparameters(preset);
    const model = buildModel(h);
    const weights = new Map(model.weights.map((w) => [w.originalName, { shape: w.shape as number[], values: w.read().dataSync() as Float32Array }]));
    const layer = preset === 'simple-rnn' ? 'simple_rnn' : 'lstm';
    const gates = preset === 'lstm' ? 4 : 1;
    // Embedding: Keras' 'uniform', U(-0.05, 0.05), standard deviation 0.05 / sqrt(3).
    const embedding = weights.get('embedding/embeddings')!.values;
    assert.ok(embedding.every((v) => Math.abs(v) <= 0.05), preset);
    assert.ok(Math.abs(moments(embedding).sd - 0.05 / Math.sqrt(3)) < 0.0005, `${preset} embedding sd ${moments(embedding).sd}`);
    // Input kernel [32, gates * 32]: Glorot uniform, U(±sqrt(6 / (fanIn + fanOut))).
    const kernel = weights.get(`${layer}/kernel`)!;
    assert.deepEqual(kernel.shape, [h.embeddingDim, gates * h.units]);
    const limit = Math.sqrt(6 / (h.embeddingDim + gates * h.units));
    assert.ok(kernel.values.every((v) => Math.abs(v) <= limit) && Math.abs(moments(kernel.values).sd - limit / Math.sqrt(3)) < 0.1 * limit, preset);
    // Recurrent kernel [32, gates * 32]: orthogonal as Keras makes it, orthonormal rows (R Rᵀ = I), each of norm 1.
    const recurrent = weights.get(`${layer}/recurrent_kernel`)!;
    assert.deepEqual(recurrent.shape, [h.units, gates * h.units]);
    const gram = tf.tidy(() => {
      const r = tf.tensor2d(recurrent.values, recurrent.shape as [number, number]);
      return tf.matMul(r, r, false, true).sub(tf.eye(h.units)).abs().max().dataSync()[0];
    });
    assert.ok(gram < 1e-5, `${preset}: R Rᵀ differs from the identity by ${gram}`);
    // Bias: zeros, but for the LSTM's forget gate (Keras' unit_forget_bias): 1.
    const bias = weights.get(`${layer}/bias`)!.values;
    bias.forEach((v, i) => assert.equal(v, preset === 'lstm' && i >= h.units && i < 2 * h.units ? 1 : 0, `${preset} bias ${i}`));
    model.dispose();
  }
});

test('the training seed alone decides the initial weights; the seed decides the split, not the weights', async () => {
  await initBackend('cpu');
  const weightsOf = (overrides: { seed?: number; trainingSeed?: number }): Float32Array[] => {
    const model = buildModel(resolveHyperparameters('lstm', { numWords: 50, units: 4, denseUnits: 6, embeddingDim: 3, ...overrides }));
    const values = model.weights.map((w) => w.read().dataSync() as Float32Array);
    model.dispose();
    return values;
  };
  const tutorial = weightsOf({});
  assert.deepEqual(weightsOf({ seed: 7 }), tutorial, 'another split, the same initial weights');
  const redrawn = weightsOf({ trainingSeed: 7 });
  for (const i of [0, 1, 2]) assert.notDeepEqual(redrawn[i], tutorial[i], `weight ${i} is drawn again with another training seed`);
});

test('hyperparameters override the preset and bad values are refused with their name', () => {
  const h = resolveHyperparameters('lstm', { units: 16, maxlen: 80, epochs: 2 });
  assert.equal(h.optimizer, 'adam');
  assert.equal(h.denseUnits, 256);
  assert.equal(describeArchitecture(h).layers[1].params, 4 * 16 * (32 + 16 + 1));
  assert.equal(resolveHyperparameters('simple-rnn').optimizer, 'rmsprop');
  assert.throws(() => resolveHyperparameters('lstm', { units: 0 }), /units must be a whole number/);
  assert.throws(() => resolveHyperparameters('lstm', { dropout: 1 }), /dropout/);
  assert.throws(() => resolveHyperparameters('gru' as never), /Unknown preset "gru"/);
});

async function trainedRun(runsDir: string, preset: PresetName = 'lstm') {
  await initBackend('cpu');
  const h = resolveHyperparameters(preset, { numWords: 50, maxlen: 8, units: 4, denseUnits: 6, embeddingDim: 3 });
  const model = buildModel(h);
  compileModel(model, h);
  const x = tf.tensor2d(Array.from({ length: 16 * 8 }, (_, i) => (i * 7) % 50), [16, 8], 'int32');
  const y = tf.tensor2d(Array.from({ length: 16 }, (_, i) => i % 2), [16, 1]);
  await model.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 });
  const words = Array.from({ length: 46 }, (_, i) => `w${i}`);
  const record: RunRecord = {
    formatVersion: RUN_FORMAT_VERSION,
    id: newRunId(preset),
    createdAt: new Date().toISOString(),
    preset,
    hyperparameters: h,
    status: 'complete',
    epochsCompleted: 2,
    backend: 'cpu',
    recurrentImplementation: 'tfjs-layers',
    architecture: describeArchitecture(h),
    dataset: { source: 'test', train: 16, validation: 0, test: 0 },
    history: { batches: [], epochs: [] },
    timings: { trainingSeconds: 1 },
  };
  const { modelJson, weights } = await serializeModel(model);
  const dir = await saveRun(runsDir, { record, vocabulary: vocabularyFile(TOKENIZER_VERSION, h.numWords, h.maxlen, words), modelJson, weights });
  x.dispose();
  y.dispose();
  return { dir, model, record };
}

test('save → load → predict gives identical probabilities, for every preset', async (t) => {
  const tmp = await tempDir();
  t.after(tmp.cleanup);
  for (const preset of PRESET_NAMES) {
    const { dir, model } = await trainedRun(tmp.dir, preset);
    const texts = ['w1 w2 w3', 'w40 w41 unknownword w5 w6 w7 w8 w9 w10 w11', ''];
    const predictor = await Predictor.load(dir);
    const predictions = await predictor.predict(texts);
    const direct = model.predict(tf.tensor2d(texts.flatMap((t) => Array.from(predictor.encoder.encode(t).ids)), [3, 8], 'int32')) as tf.Tensor;
    assert.deepEqual(predictions.map((p) => p.probability), Array.from(await direct.data()), preset);
    assert.ok(predictions.slice(0, 2).every((p) => p.label === (p.probability >= 0.5 ? 'positive' : 'negative')));
    assert.equal(predictions[2].label, null, 'an empty text gets no label: the model read no word it knows');
    assert.equal(predictions[1].truncated, true);
    assert.equal(predictions[1].tokenCount, 10);
    // Plain TensorFlow.js loads the files as a standard layers model.
    const json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8')) as { format: string; weightsManifest: { paths: string[] }[] };
    assert.equal(json.format, 'layers-model');
    assert.deepEqual(json.weightsManifest[0].paths, ['weights.bin']);
    predictor.dispose();
    model.dispose();
  }
});

test('run folders: corrupt ones listed with what is wrong, deleted without traces', async (t) => {
  const tmp = await tempDir();
  t.after(tmp.cleanup);
  const a = await trainedRun(tmp.dir, 'simple-rnn');
  const b = await trainedRun(tmp.dir, 'lstm');
  const c = await trainedRun(tmp.dir, 'lstm');
  const d = await trainedRun(tmp.dir, 'lstm');
  await truncate(path.join(b.dir, 'weights.bin'), 10);
  await writeFile(path.join(c.dir, 'run.json'), '{"formatVersion": 1, "id": ');
  await rm(path.join(d.dir, 'vocabulary.json'));

  const listing = await listRuns(tmp.dir);
  assert.equal(listing.length, 4);
  const byId = new Map(listing.map((l) => [l.ok ? l.record.id : l.id, l]));
  assert.equal(byId.get(a.record.id)?.ok, true);
  const problems = (id: string) => {
    const l = byId.get(id)!;
    return l.ok ? [] : l.problems;
  };
  assert.match(problems(b.record.id).join(), /weights\.bin has 10 bytes, the manifest expects \d+/);
  assert.match(problems(c.record.id).join(), /run\.json is not valid JSON/);
  assert.match(problems(d.record.id).join(), /vocabulary\.json is missing/);
  await assert.rejects(openRun(b.dir), (e: Error) => isLabError(e, 'corrupt-model') && e.message.includes('weights.bin'));
  await assert.rejects(Predictor.load(c.dir), (e: Error) => isLabError(e, 'corrupt-model') && e.message.includes('run.json'));
  await assert.rejects(openRun(path.join(tmp.dir, 'nope')), (e: Error) => isLabError(e, 'not-found'));

  await deleteRun(tmp.dir, b.record.id);
  assert.equal((await readdir(tmp.dir)).includes(b.record.id), false);
  await assert.rejects(deleteRun(tmp.dir, '../etc'), (e: Error) => isLabError(e, 'bad-argument'));
  assert.equal((await inspectRun(a.dir)).ok, true);
});

test('a run saved before the training seed had a name, and before trainOn, reads back with the seed it was initialized from, trained on reviews', async (t) => {
  const tmp = await tempDir();
  t.after(tmp.cleanup);
  const { dir } = await trainedRun(tmp.dir);
  const file = path.join(dir, 'run.json');
  const saved = JSON.parse(await readFile(file, 'utf8')) as { hyperparameters: Record<string, unknown> };
  delete saved.hyperparameters.trainingSeed;
  delete saved.hyperparameters.trainOn;
  saved.hyperparameters.seed = 42;
  await writeFile(file, JSON.stringify(saved));
  const listed = await inspectRun(dir);
  assert.ok(listed.ok, listed.ok ? '' : listed.problems.join('; '));
  assert.equal(listed.record.hyperparameters.seed, 42);
  assert.equal(listed.record.hyperparameters.trainingSeed, 42);
  assert.equal(listed.record.hyperparameters.trainOn, 'reviews');
});

test('listing again reuses what it read for unchanged runs, and sees every file changed since: edited, truncated, removed, restored', async (t) => {
  const tmp = await tempDir();
  t.after(tmp.cleanup);
  const { dir, record } = await trainedRun(tmp.dir);
  const listed = async () => {
    const [only] = await listRuns(tmp.dir);
    return only;
  };
  const first = await listed();
  assert.ok(first.ok);
  assert.equal(await listed(), first, 'an unchanged run is not read again');

  const file = path.join(dir, 'run.json');
  const original = await readFile(file, 'utf8');
  await writeFile(file, original.replace(/"status": *"complete"/, '"status": "cancelled"'));
  const edited = await listed();
  assert.ok(edited.ok && edited.record.status === 'cancelled', 'run.json edited in place is read again');

  const weights = path.join(dir, 'weights.bin');
  const bytes = await readFile(weights);
  await truncate(weights, 10);
  const truncated = await listed();
  assert.ok(!truncated.ok && /weights\.bin has 10 bytes/.test(truncated.problems.join()));
  await writeFile(weights, bytes);
  await rm(path.join(dir, 'vocabulary.json'));
  const missing = await listed();
  assert.ok(!missing.ok && /vocabulary\.json is missing/.test(missing.problems.join()));

  await deleteRun(tmp.dir, record.id);
  assert.deepEqual(await listRuns(tmp.dir), []);
});

test('a half-written run (hidden temporary folder) is never listed', async (t) => {
  const tmp = await tempDir();
  t.after(tmp.cleanup);
  await trainedRun(tmp.dir);
  await writeFile(path.join(tmp.dir, 'stray-file.txt'), 'x');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(path.join(tmp.dir, '.lstm_x.partial'));
  assert.equal((await listRuns(tmp.dir)).length, 1);
});
