/**
 * Real training on the IMDB corpus, in the real worker thread
 * (dist/worker.js), through the same client the extension and CLI use.
 * Small settings (a few hundred reviews, short maxlen) keep it to seconds.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { resolveHyperparameters } from '../../src/core/presets';
import { inspectRun } from '../../src/core/runs';
import type { TrainParams, TrainingEvents } from '../../src/protocol';
import { RpcError } from '../../src/rpc';
import { TEST_CACHE_DIR, workerSuite } from './helpers';

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('training in the worker thread', () => {
  const suite = workerSuite();
  // Made by the first test; the tests that predict with it say so and fail clearly without it.
  let firstRunDir: string | undefined;
  const firstRun = () => {
    assert.ok(firstRunDir, 'needs the run trained by "one epoch on the IMDB corpus…"');
    return firstRunDir;
  };

  // Small and quick by default: a few hundred reviews, 30 words each.
  const params = (overrides: Partial<TrainParams> & { epochs?: number } = {}): TrainParams => ({
    hyperparameters: resolveHyperparameters('simple-rnn', { maxlen: 30, batchSize: 32, epochs: overrides.epochs ?? 1 }),
    data: { kind: 'archive', path: suite.archive },
    limit: 600,
    cacheDir: TEST_CACHE_DIR,
    runsDir: suite.runsDir,
    backend: 'auto',
    evaluate: true,
    ...overrides,
  });

  test('one epoch on the IMDB corpus: the loss falls, metrics stream, the run is saved and evaluated', async () => {
    const events: { event: string; data: unknown }[] = [];
    // Enough data and a brisk learning rate for the LSTM to learn visibly within one epoch.
    const hyperparameters = resolveHyperparameters('lstm', { maxlen: 60, batchSize: 32, epochs: 1, learningRate: 0.005 });
    const result = await suite.client.request('train', params({ hyperparameters, limit: 2000 }), (event, data) => events.push({ event, data })).result;
    const started = events.find((e) => e.event === 'started')?.data as TrainingEvents['started'];
    assert.ok(['tensorflow', 'wasm', 'cpu'].includes(started.backend));
    assert.equal(started.train, 1600);
    assert.equal(started.validation, 400);
    assert.equal(started.architecture.totalParams, 337_025);
    const batches = events.filter((e) => e.event === 'batch').map((e) => e.data as TrainingEvents['batch']);
    assert.equal(batches.length, 50);
    assert.ok(batches.every((b, i) => b.batch === i + 1 && b.batchesPerEpoch === 50 && b.examplesPerSecond > 0 && b.etaSeconds >= 0));
    assert.equal(batches.at(-1)!.etaSeconds < batches[0].etaSeconds, true, 'time left shrinks');
    const losses = batches.map((b) => b.loss);
    assert.ok(mean(losses.slice(-8)) < mean(losses.slice(0, 8)), `loss should fall: first ${mean(losses.slice(0, 8))}, last ${mean(losses.slice(-8))}`);
    const epoch = events.find((e) => e.event === 'epoch')?.data as TrainingEvents['epoch'];
    assert.ok(epoch.valAccuracy > 0.6, `validation accuracy ${epoch.valAccuracy} should beat chance clearly`);
    assert.equal(result.cancelled, false);
    assert.equal(result.record.status, 'complete');
    assert.equal(result.record.backend, started.backend);
    assert.equal(result.record.test?.count, 2000);
    const c = result.record.test.confusion;
    assert.equal(c.truePositive + c.trueNegative + c.falsePositive + c.falseNegative, 2000);
    assert.ok(result.record.test.accuracy > 0.6);
    assert.equal((await inspectRun(result.runDir)).ok, true);
    firstRunDir = result.runDir;

    const predicted = await suite.client.request('predict', { runDir: result.runDir, texts: ['A superb, moving film.', ''], backend: 'auto' }).result;
    assert.equal(predicted.predictions.length, 2);
    assert.equal(predicted.backend, started.backend);
    assert.ok(predicted.predictions.every((p) => p.probability >= 0 && p.probability <= 1));
  });

  test('cancelling keeps the last finished epoch as a usable checkpoint marked "cancelled"', async () => {
    const request = suite.client.request('train', params({ epochs: 3 }), (event) => {
      if (event === 'epoch') request.cancel();
    });
    const result = await request.result;
    assert.equal(result.cancelled, true);
    assert.equal(result.record.status, 'cancelled');
    assert.equal(result.record.epochsCompleted, 1);
    assert.equal(result.record.history.epochs.length, 1);
    const predicted = await suite.client.request('predict', { runDir: result.runDir, texts: ['fine'], backend: 'auto' }).result;
    assert.equal(predicted.runId, result.record.id);
  });

  test('cancelling before the first epoch ends saves nothing and says so', async () => {
    const before = await readdir(suite.runsDir);
    const request = suite.client.request('train', params(), (event, data) => {
      if (event === 'batch' && (data as TrainingEvents['batch']).batch === 2) request.cancel();
    });
    await assert.rejects(request.result, (e: Error) => e instanceof RpcError && e.code === 'cancelled' && /no checkpoint/.test(e.message));
    assert.deepEqual(await readdir(suite.runsDir), before);
  });

  test('predictions (with the first run) are served while a training runs', async () => {
    const runDir = firstRun();
    let trainingDone = false;
    let answered: Promise<void> | undefined;
    const training = suite.client.request('train', params({ epochs: 1 }), (event) => {
      if (event === 'batch' && !answered) {
        answered = suite.client.request('predict', { runDir, texts: ['great'], backend: 'auto' }).result.then(() => {
          assert.equal(trainingDone, false, 'the prediction came back while training was still running');
        });
      }
    });
    await training.result.then(() => (trainingDone = true));
    assert.ok(answered, 'a batch event arrived during the training');
    await answered;
  });

  test('a failure arrives as an error message; a dead worker is replaced on the next request (predicting with the first run)', async () => {
    const runDir = firstRun();
    await assert.rejects(
      suite.client.request('train', params({ data: { kind: 'archive', path: path.join(suite.runsDir, 'missing.tar.gz') } })).result,
      (e: Error) => e instanceof RpcError && e.code === 'not-found' && e.message.includes('missing.tar.gz'),
    );
    await assert.rejects(suite.client.request('predict', { runDir: path.join(suite.runsDir, 'nope'), texts: ['x'], backend: 'auto' }).result, (e: Error) => e instanceof RpcError && e.code === 'not-found');

    const pending = suite.client.request('train', params());
    await suite.client.terminate();
    await assert.rejects(pending.result, (e: Error) => e instanceof RpcError && e.code === 'worker-crashed');
    const again = await suite.client.request('predict', { runDir, texts: ['still works'], backend: 'auto' }).result;
    assert.equal(again.predictions.length, 1);
  });
});
