/**
 * Hostile and damaged run folders: every file is checked whole against its
 * schema, the files must agree with each other and with their folder, and a
 * model whose outputs are not finite is refused. Each case is a real folder
 * on disk, listed and used through the real CLI process (one line, no stack)
 * or the lab the commands act through.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readFile, readdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describeArchitecture } from '../../src/core/architecture';
import { initBackend } from '../../src/core/backend';
import { isLabError } from '../../src/core/errors';
import { buildModel, serializeModel } from '../../src/core/model';
import { resolveHyperparameters } from '../../src/core/presets';
import { RUN_FORMAT_VERSION, listRuns, newRunId, saveRun, vocabularyFile, type RunRecord } from '../../src/core/runs';
import { TOKENIZER_VERSION } from '../../src/core/text';
import { Lab, type KeyValueStore } from '../../src/lab/lab';
import { ServiceClient, serviceRoots } from '../../src/lab/service-client';
import { readSettings } from '../../src/lab/settings';
import { serviceEndpoint } from '../../src/service/address';
import { SERVICE_PATH, privateTemp, requireBuilt } from './service-helpers';
import { runCli } from './cli-process';

let tmp: { dir: string; cleanup(): Promise<void> };
let runsDir: string;
let good: string;

/** A small real model saved as a run, with one epoch of history. */
async function savedRun(dir: string): Promise<string> {
  await initBackend('cpu');
  const h = resolveHyperparameters('lstm', { numWords: 50, maxlen: 8, units: 4, denseUnits: 6, embeddingDim: 3 });
  const model = buildModel(h);
  const record: RunRecord = {
    formatVersion: RUN_FORMAT_VERSION,
    id: newRunId('lstm'),
    createdAt: new Date().toISOString(),
    preset: 'lstm',
    hyperparameters: h,
    status: 'complete',
    epochsCompleted: 1,
    backend: 'cpu',
    recurrentImplementation: 'tfjs-layers',
    architecture: describeArchitecture(h),
    dataset: { source: 'test', train: 16, validation: 4, test: 0 },
    history: { batches: [], epochs: [{ epoch: 1, epochs: 1, loss: 0.69, accuracy: 0.5, valLoss: 0.69, valAccuracy: 0.5, seconds: 1, examplesPerSecond: 16 }] },
    timings: { trainingSeconds: 1 },
  };
  const { modelJson, weights } = await serializeModel(model);
  model.dispose();
  return saveRun(dir, { record, vocabulary: vocabularyFile(TOKENIZER_VERSION, h.numWords, h.maxlen, ['good', 'bad']), modelJson, weights });
}

/** A copy of the good run under `name`, its run.json id fixed to match, then `damage` applied. */
async function variant(name: string, damage: (dir: string) => Promise<void>): Promise<string> {
  const dir = path.join(runsDir, name);
  await cp(good, dir, { recursive: true });
  await editJson(path.join(dir, 'run.json'), (r) => ({ ...(r as object), id: name }));
  await damage(dir);
  return dir;
}

async function editJson(file: string, edit: (json: Record<string, unknown>) => unknown): Promise<void> {
  await writeFile(file, JSON.stringify(edit(JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>)));
}


/** Exit 1 and exactly one line on stderr matching `pattern` (no stack). */
function assertOneLine(outcome: { code: number | null; stderr: string }, pattern: RegExp): void {
  assert.equal(outcome.code, 1, outcome.stderr);
  const lines = outcome.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${outcome.stderr}`);
  assert.match(lines[0], pattern);
}

before(async () => {
  requireBuilt();
  tmp = await privateTemp();
  runsDir = path.join(tmp.dir, 'runs');
  good = await savedRun(runsDir);
});
after(() => tmp.cleanup());

test('a run.json of the wrong shape makes that run CORRUPT, not the listing fail', async () => {
  await variant('string-accuracy', (dir) =>
    editJson(path.join(dir, 'run.json'), (r) => {
      const record = r as unknown as RunRecord;
      return { ...record, history: { ...record.history, epochs: [{ ...record.history.epochs[0], valAccuracy: '0.9' }] } };
    }),
  );
  await variant('no-status', (dir) => editJson(path.join(dir, 'run.json'), ({ status: _status, ...rest }) => rest));
  await variant('null-record', (dir) => writeFile(path.join(dir, 'run.json'), 'null'));
  await variant('huge-numwords', (dir) => editJson(path.join(dir, 'run.json'), (r) => ({ ...r, hyperparameters: { ...(r.hyperparameters as object), numWords: 1e9 } })));

  const text = await runCli(['runs', '--dir', runsDir]);
  assert.equal(text.code, 0, text.stderr);
  const line = (id: string) => text.stdout.split('\n').find((l) => l.startsWith(`${id} `)) ?? '';
  assert.match(line(path.basename(good)), /complete/);
  assert.match(line('string-accuracy'), /CORRUPT: run\.json history\.epochs\.0\.valAccuracy: Expected number, received string/);
  assert.match(line('no-status'), /CORRUPT: run\.json status: Required/);
  assert.match(line('null-record'), /CORRUPT: run\.json: Expected object, received null/);
  assert.match(line('huge-numwords'), /CORRUPT: run\.json hyperparameters\.numWords: Number must be less than or equal to 1000000/);

  const json = await runCli(['runs', '--dir', runsDir, '--json']);
  assert.equal(json.code, 0, json.stderr);
  const listed = JSON.parse(json.stdout) as { id: string; corrupt?: boolean }[];
  assert.deepEqual(listed.filter((r) => r.corrupt).map((r) => r.id).sort(), ['huge-numwords', 'no-status', 'null-record', 'string-accuracy']);
});

test('a vocabulary that disagrees with the model is refused in one line, not a TensorFlow error', async () => {
  const maxlen = await variant('vocab-maxlen', (dir) => editJson(path.join(dir, 'vocabulary.json'), (v) => ({ ...v, maxlen: 400 })));
  const numWords = await variant('vocab-numwords', async (dir) => {
    await editJson(path.join(dir, 'vocabulary.json'), (v) => ({ ...v, numWords: 5000 }));
    await editJson(path.join(dir, 'run.json'), (r) => ({ ...r, hyperparameters: { ...(r.hyperparameters as object), numWords: 5000 } }));
  });
  assertOneLine(await runCli(['predict', '--model', maxlen, '--backend', 'cpu', 'a good film']), /maxlen 400\) disagrees with the model's Embedding \(input_dim 50, input length 8\)/);
  assertOneLine(await runCli(['predict', '--model', numWords, '--backend', 'cpu', 'a good film']), /numWords 5000, maxlen 8\) disagrees with the model's Embedding \(input_dim 50/);
});

test('a model.json that points its weights elsewhere, or a manifest larger than its weights, is refused', async () => {
  const elsewhere = await variant('weights-elsewhere', (dir) =>
    editJson(path.join(dir, 'model.json'), (m) => {
      const manifest = m.weightsManifest as { paths: string[] }[];
      return { ...m, weightsManifest: [{ ...manifest[0], paths: ['../../secret.bin'] }] };
    }),
  );
  const huge = await variant('huge-manifest', (dir) =>
    editJson(path.join(dir, 'model.json'), (m) => {
      const manifest = m.weightsManifest as { paths: string[]; weights: { shape: number[] }[] }[];
      return { ...m, weightsManifest: [{ ...manifest[0], weights: [{ ...manifest[0].weights[0], shape: [1e9, 1e9] }, ...manifest[0].weights.slice(1)] }] };
    }),
  );
  assertOneLine(await runCli(['predict', '--model', elsewhere, '--backend', 'cpu', 'x']), /model\.json weightsManifest\.0\.paths\.0: Invalid literal value, expected "weights\.bin"/);
  assertOneLine(await runCli(['predict', '--model', huge, '--backend', 'cpu', 'x']), /weights\.bin has \d+ bytes, the manifest expects 4000000000\d+/);
});

test('NaN weights give "corrupt model", not a "negative NaN" prediction with exit 0', async () => {
  const nan = await variant('nan-weights', async (dir) => {
    const file = path.join(dir, 'weights.bin');
    const bytes = await readFile(file);
    await writeFile(file, Buffer.from(new Float32Array(bytes.length / 4).fill(Number.NaN).buffer));
  });
  const outcome = await runCli(['predict', '--model', nan, '--backend', 'cpu', 'a good film']);
  assertOneLine(outcome, /gives non-finite outputs \(NaN or infinite weights\): it is corrupt/);
  assert.equal(outcome.stdout, '');
});

test('a copied run folder is its own: listed as a copy, and deleting it deletes the copy, not the original', async () => {
  const copy = path.join(runsDir, 'my-backup-copy');
  await cp(good, copy, { recursive: true });
  const settings = () => readSettings((k) => ({ runsFolder: runsDir, cacheFolder: path.join(tmp.dir, 'cache') })[k], tmp.dir);
  // The lab never reaches the service here: listing and deleting are file operations in the host.
  const roots = serviceRoots(settings());
  const service = new ServiceClient(() => ({ endpoint: serviceEndpoint(tmp.dir, 'test', roots, { privateDir: tmp.dir }), roots, servicePath: SERVICE_PATH, nodePath: process.execPath }));
  const store = new Map<string, unknown>();
  const memento: KeyValueStore = { get: <T>(k: string) => store.get(k) as T | undefined, update: (k, v) => Promise.resolve(void store.set(k, v)) };
  const lab = new Lab(service, memento, settings);
  const runs = await lab.refreshRuns();
  const listedCopy = runs.find((r) => r.id === 'my-backup-copy');
  assert.ok(listedCopy && !listedCopy.ok && listedCopy.problems.some((p) => /names the run ".*" but its folder is "my-backup-copy"/.test(p)));
  await assert.rejects(lab.predict(['good'], { runId: 'my-backup-copy', source: 'editor' }), (e: Error) => isLabError(e, 'corrupt-model'));

  await lab.deleteRun('my-backup-copy');
  const left = await readdir(runsDir);
  assert.equal(left.includes('my-backup-copy'), false, 'the copy is gone');
  assert.equal(left.includes(path.basename(good)), true, 'the original is still there');
  assert.equal((await listRuns(runsDir)).find((r) => r.id === path.basename(good))?.ok, true);
  await lab.dispose();
  tf.disposeVariables();
});

test('the CLI: a value out of the presets\' bounds is a wrong argument (exit 2); --debug adds no stack to a user\'s error', async () => {
  const bounds = await runCli(['summary', '--preset', 'lstm', '--maxlen', '20000']);
  assert.equal(bounds.code, 2, bounds.stderr);
  assert.equal(bounds.stderr.trim().split('\n').length, 1, bounds.stderr);
  assert.match(bounds.stderr, /'--maxlen <n>' argument '20000' is invalid\. expected a whole number from 1 to 10000/);
  const corrupt = await variant('bad-vocabulary', async (dir) => writeFile(path.join(dir, 'vocabulary.json'), '{"words": 3}'));
  assertOneLine(await runCli(['predict', '--debug', '--model', corrupt, '--backend', 'cpu', 'x']), /vocabulary\.json /);
});
