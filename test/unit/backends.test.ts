/**
 * The same model on every backend: the native TensorFlow library
 * (@tensorflow/tfjs-node, installed by scripts/install-tfjs-node.sh, which
 * `npm test` runs), WebAssembly and pure JavaScript. Each backend lives in its
 * own worker thread, as in the product; the test process itself never loads
 * TensorFlow's native addon.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { resolveHyperparameters } from '../../src/core/presets';
import { WorkerClient } from '../../src/core/worker-client';
import type { BackendPreference } from '../../src/core/backend-names';
import { REPO_ROOT, TEST_CACHE_DIR, WORKER_PATH, imdbArchive, requireBuilt, tempDir } from './helpers';

const TFJS_NODE = path.join(REPO_ROOT, 'node_modules', '@tensorflow', 'tfjs-node', 'lib', 'napi-v8', 'tfjs_binding.node');
const nativeInstalled = existsSync(TFJS_NODE);
const TEXTS = [
  'One of the finest films of the decade: moving, funny and beautifully acted.',
  'A tedious, badly written mess. I wanted my two hours back.',
  'It was fine.',
  '',
  'zxqv blorf unknownwords only',
];

// Each test is skipped on its own (a skipped suite is not counted as skipped tests), with the reason.
const withNative = { skip: nativeInstalled ? false : 'tfjs-node is not installed here: run `bash scripts/install-tfjs-node.sh`' };

describe('backends', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const workers = new Map<BackendPreference, WorkerClient>();
  const worker = (backend: BackendPreference) => {
    if (!workers.has(backend)) workers.set(backend, new WorkerClient(WORKER_PATH));
    return workers.get(backend)!;
  };

  before(async () => {
    requireBuilt();
    ({ dir, cleanup } = await tempDir());
  });
  after(async () => {
    await Promise.all([...workers.values()].map((w) => w.terminate()));
    await cleanup();
  });

  for (const trainedOn of ['tensorflow', 'wasm'] as const) {
    test(`a model trained on ${trainedOn} predicts the same on tensorflow, wasm and cpu (max abs difference ≤ 1e-5)`, withNative, async () => {
      const { record, runDir } = await worker(trainedOn).request('train', {
        hyperparameters: resolveHyperparameters('bilstm', { maxlen: 24, epochs: 1, batchSize: 32, units: 8, denseUnits: 16 }),
        data: { kind: 'archive', path: await imdbArchive() },
        limit: 200,
        cacheDir: TEST_CACHE_DIR,
        runsDir: dir,
        backend: trainedOn,
        evaluate: false,
      }).result;
      assert.equal(record.backend, trainedOn);
      const results = await Promise.all((['tensorflow', 'wasm', 'cpu'] as const).map((b) => worker(b).request('predict', { runDir, texts: TEXTS, backend: b }).result));
      assert.deepEqual(results.map((r) => r.backend), ['tensorflow', 'wasm', 'cpu']);
      const [reference, ...others] = results.map((r) => r.predictions.map((p) => p.probability));
      for (const other of others) {
        const diff = Math.max(...other.map((p, i) => Math.abs(p - reference[i])));
        assert.ok(diff <= 1e-5, `max abs difference ${diff}`);
      }
    });
  }

  test('the native addon is loaded in the worker threads only, never in the calling thread', withNative, () => {
    assert.equal(Object.keys(require.cache).some((file) => file.includes(`${path.sep}tfjs-node${path.sep}`)), false);
  });
});

test('the worker looks for an on-demand install of tfjs-node before its own node_modules', async (t) => {
  requireBuilt();
  const tmp = await tempDir();
  t.after(tmp.cleanup);
  // A stand-in package where the real addon would be installed: loading it proves where the worker looked.
  const fake = path.join(tmp.dir, 'node_modules', '@tensorflow', 'tfjs-node');
  await mkdir(fake, { recursive: true });
  await writeFile(path.join(fake, 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs-node', version: '4.22.0', main: 'index.js' }));
  await writeFile(path.join(fake, 'index.js'), "throw new Error('loaded from the on-demand folder');");
  const client = new WorkerClient(WORKER_PATH, { workerData: { nativeModulesDir: tmp.dir } });
  t.after(() => client.terminate());
  const info = await client.request('backend', { preference: 'auto' }).result;
  assert.equal(info.name, 'wasm');
  assert.match(info.notes.join(), /tensorflow unavailable: loaded from the on-demand folder/);
});
