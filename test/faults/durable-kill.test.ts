/**
 * kill -9 in the middle of a training: the CLI training process is killed
 * (SIGKILL, nothing runs on its way out) during epoch 2. The last finished
 * epoch must be a listed run that predicts, and resuming it must end with the
 * weights of the same training run without a kill.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { TEST_CACHE_DIR, imdbArchive, requireBuilt, tempDir } from '../unit/helpers';
import { runCli, startCli, waitFor } from './cli-process';

const training = async () => ['--preset', 'lstm', '--data', await imdbArchive(), '--cache-dir', TEST_CACHE_DIR, '--limit', '1000', '--maxlen', '50', '--batch-size', '32', '--epochs', '3', '--no-evaluate'];

async function weights(runDir: string): Promise<Float32Array> {
  return new Float32Array(new Uint8Array(await readFile(path.join(runDir, 'weights.bin'))).buffer);
}

test('kill -9 mid-epoch keeps the last finished epoch as a run that predicts; resumed, it ends as the uninterrupted training', async (t) => {
  requireBuilt();
  const tmp = await tempDir();
  t.after(tmp.cleanup);
  const referenceDir = path.join(tmp.dir, 'reference');
  const victimDir = path.join(tmp.dir, 'killed');

  const reference = await runCli(['train', ...(await training()), '--out', referenceDir, '--json']);
  assert.equal(reference.code, 0, reference.stderr);
  const referenceRun = (JSON.parse(reference.stdout) as { runDir: string }).runDir;

  const victim = startCli(['train', ...(await training()), '--out', victimDir]);
  // The epoch line comes once epoch 1 is on disk; epoch 2 starts right after it.
  await waitFor('epoch 1 to end', () => (/Epoch 1\/3/.test(victim.stderrSoFar()) ? true : undefined));
  victim.child.kill('SIGKILL');
  const killed = await victim.done;
  assert.equal(killed.signal, 'SIGKILL');

  const listed = await runCli(['runs', '--dir', victimDir, '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  const runs = JSON.parse(listed.stdout) as { id: string; dir: string; status: string; epochsCompleted: number; corrupt?: boolean }[];
  assert.equal(runs.length, 1, `one run listed: ${listed.stdout}`);
  const [run] = runs;
  assert.equal(run.status, 'partial');
  assert.ok(run.epochsCompleted >= 1 && run.epochsCompleted < 3, `killed during epoch 2 (or 3): ${run.epochsCompleted} epochs kept`);
  assert.deepEqual(
    (await readdir(victimDir)).filter((n) => n !== run.id),
    [],
    'listing removed what the killed process left (temporary folders, its lock)',
  );

  const predicted = await runCli(['predict', '--model', run.dir, '--json', 'A moving, beautifully acted film.']);
  assert.equal(predicted.code, 0, predicted.stderr);
  const prediction = JSON.parse(predicted.stdout) as { probability: number; label: string };
  assert.ok(prediction.probability >= 0 && prediction.probability <= 1 && ['positive', 'negative'].includes(prediction.label));

  const resumed = await runCli(['train', '--resume', run.dir, '--data', await imdbArchive(), '--cache-dir', TEST_CACHE_DIR, '--no-evaluate', '--json']);
  assert.equal(resumed.code, 0, resumed.stderr);
  const result = JSON.parse(resumed.stdout) as { runDir: string; status: string; epochsCompleted: number; epochs: { epoch: number }[] };
  assert.equal(path.resolve(result.runDir), path.resolve(run.dir));
  assert.equal(result.status, 'complete');
  assert.deepEqual(result.epochs.map((e) => e.epoch), [1, 2, 3]);

  const [a, b] = [await weights(referenceRun), await weights(run.dir)];
  assert.equal(a.length, b.length);
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference = Math.max(difference, Math.abs(a[i] - b[i]));
  assert.ok(difference < 1e-4, `final weights differ by up to ${difference}`);
});
