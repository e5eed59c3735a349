/**
 * The command line's one-line failures: real errors thrown by the file
 * system, TensorFlow.js and V8, locally and as they arrive from the worker
 * thread (an RpcError carrying the worker's message and stack).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describeCliFailure } from '../../src/cli/errors';
import { LabError } from '../../src/core/errors';
import { RpcError } from '../../src/rpc';
import { tempDir } from './helpers';

async function thrown(action: () => unknown): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

/** How the worker sent a bug before the stack had a field of its own: message, newline, stack. */
const acrossTheWorker = (error: Error) => new RpcError('internal', `${error.message}\n${error.stack ?? ''}`);

test('file-system errors are one sentence naming the file, exit 1, locally and from the worker', async (t) => {
  const tmp = await tempDir();
  t.after(tmp.cleanup);
  const file = path.join(tmp.dir, 'a-file');
  await writeFile(file, 'x');
  const missing = await thrown(() => readFile(path.join(tmp.dir, 'nope.json')));
  const notDir = await thrown(() => mkdir(path.join(file, 'sub')));
  const isDir = await thrown(() => readFile(tmp.dir));
  assert.deepEqual(describeCliFailure(missing), { exitCode: 1, message: `Cannot open ${path.join(tmp.dir, 'nope.json')}: no such file or folder (ENOENT).` });
  assert.match(describeCliFailure(notDir).message, /^Cannot mkdir .*a-file\/sub: a part of the path is not a folder \(ENOTDIR\)\.$/);
  assert.match(describeCliFailure(isDir).message, /^Cannot read: it is a folder, not a file \(EISDIR\)\.$/);
  const remote = describeCliFailure(acrossTheWorker(missing as Error));
  assert.equal(remote.exitCode, 1);
  assert.equal(remote.message, `Cannot open ${path.join(tmp.dir, 'nope.json')}: no such file or folder (ENOENT).`);
  // The worker's wording of a full disk, as Node writes it.
  assert.equal(describeCliFailure(new RpcError('internal', 'ENOSPC: no space left on device, write')).message, 'Cannot write: no space left on the disk (ENOSPC).');
});

test('TensorFlow refusing an input is one line about TensorFlow, with its stack kept for --debug', async () => {
  await tf.setBackend('cpu');
  const error = await thrown(() => tf.gather(tf.tensor1d([1, 2, 3]), tf.tensor1d([7], 'int32')).dataSync());
  for (const failure of [describeCliFailure(error), describeCliFailure(acrossTheWorker(error as Error))]) {
    assert.equal(failure.exitCode, 1);
    assert.match(failure.message, /^TensorFlow could not run the model: /);
    assert.equal(failure.message.includes('\n'), false);
    assert.match(failure.stack ?? '', /at /);
  }
});

test('a RangeError is not "wrong arguments": memory is said as such, anything else is an internal error', async () => {
  const memory = await thrown(() => 'x'.repeat(2 ** 30).repeat(2 ** 10));
  const failure = describeCliFailure(memory);
  assert.equal(failure.exitCode, 1);
  assert.match(failure.message, /^Out of memory: .*Try a smaller --limit/);
  const other = describeCliFailure(await thrown(() => (1).toFixed(200)));
  assert.equal(other.exitCode, 1);
  assert.match(other.message, /^Internal error: toFixed\(\) digits argument must be between 0 and 100 \(run again with --debug/);
  assert.match(other.stack ?? '', /at /);
});

test('the lab\'s own errors keep their sentence; wrong arguments exit 2, interruptions 130', () => {
  assert.deepEqual(describeCliFailure(new LabError('bad-argument', 'maxlen must be …')), { exitCode: 2, message: 'maxlen must be …' });
  assert.deepEqual(describeCliFailure(new RpcError('corrupt-model', 'The model in /r is unusable: x.')), { exitCode: 1, message: 'The model in /r is unusable: x.' });
  assert.deepEqual(describeCliFailure(new LabError('cancelled', 'Training cancelled.')), { exitCode: 130, message: 'Training cancelled.' });
});
