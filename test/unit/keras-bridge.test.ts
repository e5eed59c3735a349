/**
 * The lab and Keras on the same models: the tutorial's Keras code trains
 * tiny models on a few hundred encoded IMDB reviews (tensorflow-cpu 2.12.1 in
 * the virtualenv bench:peers uses), the lab imports them and must predict what
 * Keras predicts on 100 reviews; and the lab's own runs, exported, must
 * predict in Keras (through the exported predict_keras.py) what they predict
 * in the lab. Real Python processes, real files, the real worker thread.
 * Without the Python environment these tests are skipped, saying why.
 */
import { describe, test, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { ensureVenv } from '../../scripts/lib/python-venv';
import { loadTokenizedSource, shuffledOrder } from '../../src/core/dataset';
import { readArchive } from '../../src/core/dataset/archive';
import { reviewRanks } from '../../src/core/dataset/tokenized';
import { exportRunToKeras } from '../../src/core/keras/export';
import { toImdbWordIndex } from '../../src/core/keras/word-index';
import { resolveHyperparameters, type PresetName } from '../../src/core/presets';
import { encodeRanks, padSequence } from '../../src/core/vocabulary';
import { WorkerClient } from '../../src/core/worker-client';
import { REPO_ROOT, TEST_CACHE_DIR, WORKER_PATH, imdbArchive, requireBuilt, tempDir } from './helpers';

const run = promisify(execFile);
const SCRIPT = path.join(REPO_ROOT, 'test', 'python', 'keras_models.py');
const TOLERANCE = 1e-5;
const NUM_WORDS = 1000;
const MAXLEN = 80;
const TRAIN_REVIEWS = 400;

function assertClose(lab: number[], keras: number[], what: string): void {
  assert.equal(lab.length, keras.length);
  const worst = Math.max(...lab.map((p, i) => Math.abs(p - keras[i])));
  assert.ok(worst <= TOLERANCE, `${what}: the lab and Keras differ by up to ${worst.toExponential(2)} (tolerance ${TOLERANCE})`);
  // The models must have learnt something for the comparison to mean anything.
  assert.ok(Math.max(...keras) - Math.min(...keras) > 1e-3, `${what}: every prediction is the same`);
}

describe('the lab and Keras 2.12 on the same models', () => {
  let python: string | undefined;
  let skipReason = '';
  let archive: string;
  let dir: string;
  let cleanup: () => Promise<void>;
  let client: WorkerClient;
  let texts: string[];
  const files = (name: string) => path.join(dir, name);

  const python3 = async (...args: string[]): Promise<string> => {
    const { stdout } = await run(python!, [SCRIPT, ...args], { maxBuffer: 1 << 26, env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' } });
    return stdout;
  };
  const kerasPredictions = async (...args: string[]) => JSON.parse((await python3('predict', '--texts', files('texts.json'), ...args)).trim().split('\n').at(-1)!) as number[];
  const labPredictions = async (runDir: string) => (await client.request('predict', { runDir, texts, backend: 'auto' }).result).predictions.map((p) => p.probability);
  const skipUnlessReady = (t: TestContext): boolean => {
    if (python) return false;
    t.skip(skipReason);
    return true;
  };

  before(async () => {
    requireBuilt();
    try {
      python = (await ensureVenv('keras')).python;
    } catch (error) {
      skipReason = `no Keras environment (tensorflow-cpu 2.12.1 virtualenv could not be made: ${(error as Error).message})`;
      return;
    }
    archive = await imdbArchive();
    ({ dir, cleanup } = await tempDir('rsl-keras-bridge-'));
    client = new WorkerClient(WORKER_PATH);
    // A few hundred training reviews, encoded as keras.datasets.imdb encodes them (the lab's ranks), with their texts.
    const { corpus } = await loadTokenizedSource({ kind: 'archive', path: archive }, { cacheDir: TEST_CACHE_DIR });
    const raw = await readArchive(archive);
    const order = shuffledOrder(raw.train.length, 113).slice(0, TRAIN_REVIEWS);
    const x = new Int32Array(order.length * MAXLEN);
    order.forEach((i, row) => padSequence(encodeRanks(reviewRanks(corpus.train, i), NUM_WORDS), MAXLEN, x.subarray(row * MAXLEN, (row + 1) * MAXLEN)));
    const data = files('data');
    await mkdir(data);
    await writeFile(path.join(data, 'x.i32'), new Uint8Array(x.buffer));
    await writeFile(path.join(data, 'y.f32'), new Uint8Array(Float32Array.from(order, (i) => raw.train[i].label).buffer));
    await writeFile(path.join(data, 'texts.json'), JSON.stringify(Array.from(order, (i) => raw.train[i].text)));
    await writeFile(path.join(data, 'header.json'), JSON.stringify({ numWords: NUM_WORDS, maxlen: MAXLEN, count: order.length, tokenizerNumWords: 500 }));
    // The whole ranking as imdb.get_word_index() gives it (word → rank), as Keras keeps it in ~/.keras/datasets.
    await writeFile(files('imdb_word_index.json'), JSON.stringify(toImdbWordIndex(corpus.vocabulary)));
    // 100 test reviews, plus texts at the edges: empty, all unknown words, longer than maxlen.
    const testOrder = shuffledOrder(raw.test.length, 7).slice(0, 97);
    texts = [...Array.from(testOrder, (i) => raw.test[i].text), '', 'qwertyuiop zxcvbnm', 'great '.repeat(200)];
    await writeFile(files('texts.json'), JSON.stringify(texts));
    await mkdir(files('models'));
    await python3('train', '--data', data, '--out', files('models'));
  });
  after(async () => {
    await client?.terminate();
    await cleanup?.();
  });

  for (const kind of ['simple_rnn', 'lstm', 'bilstm'] as const) {
    test(`the tutorial's ${kind} trained in Keras predicts the same in the lab once imported (.h5 and imdb_word_index.json)`, async (t) => {
      if (skipUnlessReady(t)) return;
      const model = files(`models/${kind}.h5`);
      const { runDir, record } = await client.request('importKeras', { file: model, wordIndex: { file: files('imdb_word_index.json') }, runsDir: files('runs'), backend: 'auto' }).result;
      assert.equal(record.origin?.kind, 'keras');
      assert.equal(record.hyperparameters.maxlen, MAXLEN);
      assertClose(await labPredictions(runDir), await kerasPredictions('--model', model, '--word-index', files('imdb_word_index.json')), kind);
    });
  }

  test('a .keras (v3) model imports too', async (t) => {
    if (skipUnlessReady(t)) return;
    const model = files('models/lstm_v3.keras');
    const { runDir } = await client.request('importKeras', { file: model, wordIndex: { file: files('imdb_word_index.json') }, runsDir: files('runs'), backend: 'auto' }).result;
    assertClose(await labPredictions(runDir), await kerasPredictions('--model', model, '--word-index', files('imdb_word_index.json')), 'lstm .keras');
  });

  test("a model trained on a Tokenizer's sequences, without a fixed input length, predicts the same with its tokenizer.to_json()", async (t) => {
    if (skipUnlessReady(t)) return;
    const model = files('models/tokenizer_lstm.h5');
    const params = { file: model, wordIndex: { file: files('models/tokenizer.json') }, runsDir: files('runs'), backend: 'auto' as const };
    await assert.rejects(client.request('importKeras', params).result, /no fixed input length/);
    const { runDir } = await client.request('importKeras', { ...params, maxlen: MAXLEN }).result;
    assertClose(await labPredictions(runDir), await kerasPredictions('--model', model, '--tokenizer', files('models/tokenizer.json'), '--maxlen', String(MAXLEN)), 'Tokenizer LSTM');
  });

  for (const preset of ['simple-rnn', 'lstm', 'bilstm'] as PresetName[]) {
    test(`a ${preset} run of the lab, exported, predicts the same in Keras through predict_keras.py`, async (t) => {
      if (skipUnlessReady(t)) return;
      const h = resolveHyperparameters(preset, { numWords: NUM_WORDS, maxlen: MAXLEN, embeddingDim: 8, units: 8, denseUnits: preset === 'simple-rnn' ? 0 : 16, epochs: 1, batchSize: 32 });
      const { runDir } = await client.request('train', {
        hyperparameters: h,
        data: { kind: 'archive', path: archive },
        limit: 300,
        cacheDir: TEST_CACHE_DIR,
        runsDir: files('lab-runs'),
        backend: 'auto',
        evaluate: false,
      }).result;
      const out = files(`export-${preset}/model.h5`);
      const exported = await exportRunToKeras(runDir, out);
      const { stdout } = await run(python!, [exported.script, '--json', ...texts], { maxBuffer: 1 << 26, env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' } });
      assertClose(await labPredictions(runDir), JSON.parse(stdout.trim().split('\n').at(-1)!) as number[], `${preset} export`);
    });
  }
});
