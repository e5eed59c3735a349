/**
 * Keras files a user might hand the importer, made here as real files with
 * the same writer the export uses (h5wasm): a good one imports and predicts;
 * a truncated file, a layer the lab cannot run, a file without its
 * configuration and word indexes that do not belong to the model are each
 * refused with one clear message and leave no run behind. No Python needed.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, readdir, truncate, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { h5wasm, type H5Group } from '../../src/core/keras/h5';
import { writeKerasH5 } from '../../src/core/keras/h5-layout';
import { describeStack, kerasModelConfig, labStack, labView, parseModelConfig, weightPlan } from '../../src/core/keras/stack';
import { describeArchitecture } from '../../src/core/architecture';
import { resolveHyperparameters } from '../../src/core/presets';
import { inspectRun } from '../../src/core/runs';
import { KERAS_TEXT_RULES, textToWordSequence, tokenize } from '../../src/core/text';
import { TextEncoder, Vocabulary } from '../../src/core/vocabulary';
import { WorkerClient } from '../../src/core/worker-client';
import type { ImportKerasParams } from '../../src/protocol';
import { WORKER_PATH, requireBuilt, tempDir } from './helpers';
import { run } from './cli-helpers';

const H = resolveHyperparameters('lstm', { numWords: 50, maxlen: 12, embeddingDim: 4, units: 3, denseUnits: 5 });

/** A Keras .h5 of the lab's LSTM stack with small deterministic weights. */
async function writeModel(file: string, h = H): Promise<void> {
  const stack = labStack(h);
  let seed = 1;
  const next = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.4;
  const weights = weightPlan(stack).map(({ layer, weights: wanted }) => ({
    layer,
    arrays: wanted.map((w) => ({ shape: w.shape, values: Float32Array.from({ length: w.shape.reduce((a, b) => a * b, 1) }, next) })),
  }));
  await writeKerasH5(file, { stack, maxlen: h.maxlen, weights });
}

/** Replaces the model_config of an .h5 with what `edit` makes of it. */
async function editModelConfig(file: string, edit: (config: { config: { layers: { class_name: string; config: Record<string, unknown> }[] } }) => void): Promise<void> {
  const h5 = await h5wasm();
  const f = new h5.File(file, 'a');
  const config = JSON.parse(f.attrs.model_config.value as string) as Parameters<typeof edit>[0];
  edit(config);
  f.delete_attribute('model_config');
  f.create_attribute('model_config', JSON.stringify(config));
  f.close();
}

describe('importing Keras files', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let client: WorkerClient;
  let wordIndex: string;

  const runsDir = () => path.join(dir, 'runs');
  const importing = (file: string, overrides: Partial<ImportKerasParams> = {}) =>
    client.request('importKeras', { file, wordIndex: { file: wordIndex }, runsDir: runsDir(), backend: 'auto', ...overrides }).result;
  const runCount = async () => (await readdir(runsDir()).catch(() => [])).length;

  before(async () => {
    requireBuilt();
    ({ dir, cleanup } = await tempDir('rsl-keras-files-'));
    client = new WorkerClient(WORKER_PATH);
    wordIndex = path.join(dir, 'imdb_word_index.json');
    // imdb form: word -> rank; index = rank + 3.
    await writeFile(wordIndex, JSON.stringify({ the: 1, movie: 2, great: 3, awful: 4, plot: 5 }));
  });
  after(async () => {
    await client.terminate();
    await cleanup();
  });

  test('a well-formed .h5 becomes a run marked as imported from Keras, with its own word index', async () => {
    const file = path.join(dir, 'good.h5');
    await writeModel(file);
    const { runDir, record } = await importing(file);
    assert.equal(record.origin?.kind, 'keras');
    assert.equal(record.origin?.labLayers, true);
    assert.equal(record.hyperparameters.maxlen, 12);
    assert.deepEqual(record.architecture.layers.map((l) => l.type), ['Embedding', 'LSTM', 'Dense', 'Dropout', 'Dense']);
    assert.equal(record.architecture.totalParams, 50 * 4 + 4 * 3 * (4 + 3 + 1) + (3 * 5 + 5) + 6);
    assert.ok((await inspectRun(runDir)).ok);
    const vocabulary = JSON.parse(await readFile(path.join(runDir, 'vocabulary.json'), 'utf8')) as { words: string[]; indexFrom: number; tokenizer: string };
    assert.deepEqual(vocabulary.words, ['the', 'movie', 'great', 'awful', 'plot']);
    assert.equal(vocabulary.tokenizer, 'keras-text_to_word_sequence');
    const { predictions } = await client.request('predict', { runDir, texts: ['The movie, great!', 'zzz unknown'], backend: 'auto' }).result;
    assert.equal(predictions[0].oovCount, 0);
    assert.equal(predictions[1].oovCount, 2);
    assert.ok(predictions.every((p) => p.probability > 0 && p.probability < 1));
  });

  test('a truncated .h5 is refused as damaged and leaves no run', async () => {
    const file = path.join(dir, 'truncated.h5');
    await writeModel(file);
    const { size } = await import('node:fs/promises').then((fs) => fs.stat(file));
    await truncate(file, Math.floor(size / 2));
    const before = await runCount();
    await assert.rejects(importing(file), /truncated\.h5 .*(truncated|damaged|not a readable HDF5)/);
    assert.equal(await runCount(), before);
  });

  test('a layer the lab cannot run is refused naming the layer', async () => {
    const file = path.join(dir, 'gru.h5');
    await writeModel(file);
    await editModelConfig(file, (c) => {
      const lstm = c.config.layers[2];
      lstm.class_name = 'GRU';
      lstm.config.name = 'my_gru';
    });
    await assert.rejects(importing(file), /layer "my_gru" \(GRU\)/);
    const seqFile = path.join(dir, 'sequences.h5');
    await writeModel(seqFile);
    await editModelConfig(seqFile, (c) => (c.config.layers[2].config.return_sequences = true));
    await assert.rejects(importing(seqFile), /layer "lstm" \(LSTM\) has return_sequences=True/);
  });

  test('weights that do not fit the configuration are refused naming the layer', async () => {
    const file = path.join(dir, 'units.h5');
    await writeModel(file);
    await editModelConfig(file, (c) => (c.config.layers[3].config.units = 7));
    await assert.rejects(importing(file), /layer "dense" \(Dense\) has kernel of shape \[3, 5\], its configuration needs \[3, 7\]/);
  });

  test('a weights-only file, a file that is not HDF5 and a cut .keras archive get their own messages', async () => {
    const weightsOnly = path.join(dir, 'weights-only.h5');
    await writeModel(weightsOnly);
    const h5 = await h5wasm();
    const f = new h5.File(weightsOnly, 'a');
    f.delete_attribute('model_config');
    f.close();
    await assert.rejects(importing(weightsOnly), /no model configuration \(saved with save_weights\?\)/);
    const text = path.join(dir, 'notes.h5');
    await writeFile(text, 'not hdf5 at all');
    await assert.rejects(importing(text), /notes\.h5 is not a readable HDF5 file/);
    const zip = path.join(dir, 'cut.keras');
    await writeFile(zip, Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(40, 7)]));
    await assert.rejects(importing(zip), /cut\.keras is not a readable \.keras archive/);
  });

  test('a model without a fixed input length needs maxlen, and keeps the one given', async () => {
    const file = path.join(dir, 'no-length.h5');
    await writeModel(file);
    await editModelConfig(file, (c) => {
      c.config.layers.shift();
      delete c.config.layers[0].config.batch_input_shape;
      c.config.layers[0].config.input_length = null;
    });
    await assert.rejects(importing(file), /no fixed input length: give the maxlen/);
    const { record } = await importing(file, { maxlen: 40 });
    assert.equal(record.hyperparameters.maxlen, 40);
  });

  test('word indexes that do not belong to the model are refused with why', async () => {
    const file = path.join(dir, 'for-index.h5');
    await writeModel(file);
    const before = await runCount();
    const write = async (name: string, json: unknown) => {
      const p = path.join(dir, name);
      await writeFile(p, JSON.stringify(json));
      return p;
    };
    const tokenizerJson = (numWords: number | null, words: Record<string, number>) => ({
      class_name: 'Tokenizer',
      config: { num_words: numWords, filters: KERAS_TEXT_RULES.filters, lower: true, split: ' ', char_level: false, oov_token: '<OOV>', word_index: JSON.stringify(words) },
    });
    const cases: [string, RegExp][] = [
      [await write('big-tokenizer.json', tokenizerJson(5000, { '<OOV>': 1, the: 2 })), /num_words 5000, more than the Embedding layer "embedding" has input_dim 50/],
      [await write('unbounded.json', tokenizerJson(null, Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`w${i}`, i + 1])))), /indices up to 80.*was not the one the model was trained with/],
      [await write('shared.json', { good: 1, bad: 1 }), /"good" and "bad" share index 1/],
      [await write('list.json', ['the', 'movie']), /JSON object of word → index/],
      [await write('vocabulary.json', { tokenizer: 'x', words: ['the'] }), /the index of "tokenizer" is "x"/],
    ];
    for (const [wordIndexFile, message] of cases) {
      await assert.rejects(importing(file, { wordIndex: { file: wordIndexFile } }), message);
    }
    await assert.rejects(importing(file, { wordIndex: { file: wordIndex, numWords: 60 } }), /num_words 60 is more than the Embedding layer "embedding" has input_dim 50/);
    await assert.rejects(importing(file, { wordIndex: { file: wordIndex, kind: 'tokenizer', oovToken: '<unk>' } }), /no oov_token "<unk>"/);
    assert.equal(await runCount(), before);
  });
});

describe('rnn-sentiment-lab import and export', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => run(args, { env });

  before(async () => {
    requireBuilt();
    ({ dir, cleanup } = await tempDir('rsl-keras-cli-'));
  });
  after(() => cleanup());

  test("import takes Keras' own imdb_word_index.json when none is given, and export writes the three files", async () => {
    const kerasHome = path.join(dir, 'keras-home');
    await mkdir(path.join(kerasHome, 'datasets'), { recursive: true });
    await writeFile(path.join(kerasHome, 'datasets', 'imdb_word_index.json'), JSON.stringify({ the: 1, movie: 2 }));
    const model = path.join(dir, 'model.h5');
    await writeModel(model);
    const runs = path.join(dir, 'runs');
    const imported = await cli(['import', '--model', model, '--out', runs, '--json'], { KERAS_HOME: kerasHome });
    assert.equal(imported.code, 0, imported.stderr);
    const { runDir, record } = JSON.parse(imported.stdout) as { runDir: string; record: { origin: { wordIndex: string } } };
    assert.equal(record.origin.wordIndex, path.join(kerasHome, 'datasets', 'imdb_word_index.json'));
    const listed = await cli(['runs', '--dir', runs]);
    assert.match(listed.stdout, /imported from Keras 2\.12\.0/);
    const exported = await cli(['export', '--model', runDir, '--format', 'keras-h5', '--out', path.join(dir, 'out', 'again.h5'), '--json']);
    assert.equal(exported.code, 0, exported.stderr);
    const files = JSON.parse(exported.stdout) as { model: string; wordIndex: string; script: string };
    assert.deepEqual(JSON.parse(await readFile(files.wordIndex, 'utf8')), { the: 1, movie: 2 });
    assert.match(await readFile(files.script, 'utf8'), /keras\.models\.load_model\(MODEL\)/);
    assert.deepEqual((await readdir(path.join(dir, 'out'))).sort(), ['again.h5', 'predict_keras.py', 'word_index.json']);
  });

  test('bad input gets one line on stderr and a failing exit code, and writes nothing', async () => {
    const model = path.join(dir, 'model.h5');
    await writeModel(model);
    const half = path.join(dir, 'half.h5');
    await copyFile(model, half);
    await truncate(half, 1000);
    const empty = path.join(dir, 'empty-home');
    await mkdir(empty, { recursive: true });
    const cases: [string[], RegExp][] = [
      [['import', '--model', half, '--word-index', path.join(dir, 'missing.json'), '--out', path.join(dir, 'r')], /half\.h5 is not a readable HDF5 file \(truncated/],
      [['import', '--model', model, '--out', path.join(dir, 'r')], /No word index: give --word-index/],
      [['export', '--model', path.join(dir, 'r'), '--out', path.join(dir, 'x.keras')], /No trained model at/],
      [['export', '--model', dir, '--format', 'onnx', '--out', path.join(dir, 'x.h5')], /argument 'onnx' is invalid/],
    ];
    for (const [args, message] of cases) {
      const outcome = await cli(args, { KERAS_HOME: empty });
      assert.notEqual(outcome.code, 0, args.join(' '));
      const lines = outcome.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `expected one line on stderr for ${args.join(' ')}, got:\n${outcome.stderr}`);
      assert.match(lines[0], message);
    }
    assert.equal((await readdir(dir)).includes('r'), false);
  });
});

describe('Keras layer stacks', () => {
  test("a Keras-named Bi-LSTM stack is the lab's own (fused kernels apply); another activation makes it TensorFlow.js layers", () => {
    const h = resolveHyperparameters('bilstm', { numWords: 300, maxlen: 20, embeddingDim: 4, units: 3, denseUnits: 6 });
    const config = kerasModelConfig(labStack(h), 20) as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
    const bidirectional = config.config.layers[2].config as { name: string; layer: { config: { name: string } } };
    bidirectional.name = 'bidirectional_3';
    bidirectional.layer.config.name = 'lstm_7';
    const stack = parseModelConfig(config);
    assert.equal(stack.maxlen, 20);
    const view = labView(stack, 20);
    assert.equal(view.labLayers, true);
    assert.equal(view.hyperparameters.preset, 'bilstm');
    assert.equal(view.hyperparameters.denseUnits, 6);
    assert.deepEqual(describeStack(stack, 20, 'bilstm').totalParams, describeArchitecture(h).totalParams);
    config.config.layers[3].config.activation = 'tanh';
    assert.equal(labView(parseModelConfig(config), 20).labLayers, false);
    config.config.layers[3].config.activation = 'gelu';
    assert.throws(() => parseModelConfig(config), /layer "dense" \(Dense\) has activation "gelu"/);
  });
});

describe("Keras' text_to_word_sequence and the imported encoders", () => {
  test('splits on the split character only and keeps HTML line breaks as the word "br", unlike the lab', () => {
    const text = 'Great<br />movie!\rReally\u00a0good';
    assert.deepEqual(textToWordSequence(text), ['great', 'br', 'movie', '\rreally\u00a0good']);
    assert.deepEqual(tokenize(text), ['great', 'movie', 'really', 'good']);
    assert.deepEqual(textToWordSequence('A-B', { lower: false, filters: '-', split: ' ' }), ['A', 'B']);
  });

  test("a Tokenizer's encoding: no start character, unknown words dropped or its oov index, indices past num_words likewise", () => {
    const vocabulary = new Vocabulary(['<OOV>', 'the', 'film', 'rare']);
    const dropping = new TextEncoder(vocabulary, 4, 5, (t) => textToWordSequence(t), { startChar: null, oovChar: null, indexFrom: 0 });
    const encoded = dropping.encode('The film, rare! unknown');
    assert.deepEqual(Array.from(encoded.ids), [0, 0, 0, 2, 3]);
    assert.equal(encoded.oovCount, 2);
    const withOov = new TextEncoder(vocabulary, 4, 5, (t) => textToWordSequence(t), { startChar: null, oovChar: 1, indexFrom: 0 });
    assert.deepEqual(Array.from(withOov.encode('The film, rare! unknown').ids), [0, 2, 3, 1, 1]);
  });

  test('an exported copy of a well-formed file is byte-for-byte readable again', async () => {
    const { dir, cleanup } = await tempDir('rsl-keras-copy-');
    try {
      const file = path.join(dir, 'a.h5');
      await writeModel(file);
      await copyFile(file, path.join(dir, 'b.h5'));
      const h5 = await h5wasm();
      const f = new h5.File(path.join(dir, 'b.h5'), 'r');
      assert.equal(f.attrs.keras_version.value, '2.12.0');
      assert.deepEqual((f.get('model_weights') as H5Group).attrs.layer_names.value, ['embedding', 'lstm', 'dense', 'dense_1']);
      f.close();
    } finally {
      await cleanup();
    }
  });
});
