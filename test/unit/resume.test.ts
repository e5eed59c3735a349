/**
 * Resuming a training: a run stopped after an epoch and resumed ends with the
 * weights of the same training run without a stop (same seed), on the real
 * corpus in the real worker thread, for both kinds of optimizer state (the
 * fused Adam's moments and TensorFlow.js' RMSProp).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { resolveHyperparameters, type PresetName } from '../../src/core/presets';
import { inspectRun, readOptimizerState } from '../../src/core/runs';
import type { TrainParams } from '../../src/protocol';
import { RpcError } from '../../src/rpc';
import { TEST_CACHE_DIR, workerSuite } from './helpers';

async function weightsOf(runDir: string): Promise<Float32Array> {
  const bytes = await readFile(path.join(runDir, 'weights.bin'));
  return new Float32Array(new Uint8Array(bytes).buffer);
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

describe('resuming a training', () => {
  const suite = workerSuite();

  const params = (preset: PresetName): TrainParams => ({
    hyperparameters: resolveHyperparameters(preset, { maxlen: 40, batchSize: 32, epochs: 3 }),
    data: { kind: 'archive', path: suite.archive },
    limit: 400,
    cacheDir: TEST_CACHE_DIR,
    runsDir: suite.runsDir,
    backend: 'auto',
    evaluate: false,
  });

  const lowestValLoss = (epochs: { epoch: number; valLoss: number }[]) => epochs.reduce((a, b) => (b.valLoss < a.valLoss ? b : a)).epoch;

  for (const [preset, stopAfter] of [['lstm', 1], ['simple-rnn', 1], ['lstm', 2]] as const) {
    test(`${preset}: stopped after epoch ${stopAfter} and resumed, it ends where the uninterrupted training ends, with the same best epoch kept`, async () => {
      const whole = await suite.client.request('train', params(preset)).result;
      assert.equal(whole.record.status, 'complete');
      assert.equal(whole.record.keptEpoch, lowestValLoss(whole.record.history.epochs), 'keep best (the default) keeps the lowest validation loss');

      let epochs = 0;
      const request = suite.client.request('train', params(preset), (event) => {
        if (event === 'epoch' && ++epochs === stopAfter) request.cancel();
      });
      const stopped = await request.result;
      assert.equal(stopped.record.status, 'cancelled');
      assert.equal(stopped.record.epochsCompleted, stopAfter);
      assert.equal(stopped.record.keptEpoch, stopAfter, 'a stopped run holds its last epoch, to go on from');
      assert.equal(stopped.record.best?.epoch, lowestValLoss(stopped.record.history.epochs), 'and records the best so far');
      const optimizer = await readOptimizerState(stopped.runDir);
      assert.ok(optimizer && optimizer.state.iterations === 10 * stopAfter, `the optimizer state of epoch ${stopAfter} is kept, got ${optimizer?.state.iterations}`);

      const events: string[] = [];
      const resumed = await suite.client.request('train', { ...params(preset), resumeFrom: stopped.runDir }, (event) => events.push(event)).result;
      assert.equal(resumed.runDir, stopped.runDir, 'the run continues in its own folder');
      assert.equal(resumed.record.status, 'complete');
      assert.equal(resumed.record.epochsCompleted, 3);
      assert.equal(resumed.record.history.epochs.length, 3);
      assert.deepEqual(resumed.record.history.epochs.map((e) => e.epoch), [1, 2, 3]);
      assert.equal(events.filter((e) => e === 'epoch').length, 3 - stopAfter, 'only the epochs after the stop ran again');
      assert.equal(resumed.record.keptEpoch, whole.record.keptEpoch, 'the resumed run keeps the same best epoch');
      assert.equal(resumed.record.best, undefined, 'a complete run no longer carries a best-so-far');
      assert.equal((await inspectRun(resumed.runDir)).ok, true);

      const difference = maxDifference(await weightsOf(whole.runDir), await weightsOf(resumed.runDir));
      assert.ok(difference < 1e-4, `final weights differ by up to ${difference}`);
      const lossWhole = whole.record.history.epochs[2].valLoss;
      const lossResumed = resumed.record.history.epochs[2].valLoss;
      assert.ok(Math.abs(lossWhole - lossResumed) < 1e-4, `validation loss ${lossWhole} vs ${lossResumed}`);
    });
  }

  test('a complete run, other settings or a second resume of the same run are refused with one line', async () => {
    const whole = await suite.client.request('train', { ...params('simple-rnn'), hyperparameters: resolveHyperparameters('simple-rnn', { maxlen: 40, batchSize: 32, epochs: 1 }) }).result;
    await assert.rejects(
      suite.client.request('train', { ...params('simple-rnn'), hyperparameters: whole.record.hyperparameters, resumeFrom: whole.runDir }).result,
      (e: Error) => e instanceof RpcError && e.code === 'bad-argument' && /nothing to resume/.test(e.message),
    );
    const request = suite.client.request('train', params('simple-rnn'), (event) => {
      if (event === 'epoch') request.cancel();
    });
    const stopped = await request.result;
    await assert.rejects(
      suite.client.request('train', { ...params('simple-rnn'), limit: 300, resumeFrom: stopped.runDir }).result,
      (e: Error) => e instanceof RpcError && e.code === 'bad-argument' && /own settings/.test(e.message),
    );
  });
});
