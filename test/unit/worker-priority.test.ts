/**
 * The training service's background workers (training, explanations) run
 * below normal priority, so that a training leaves the cores to the editor;
 * the prediction worker and the rest of the process keep theirs. Linux keeps
 * a priority per thread: the test reads each thread's nice value in /proc,
 * with real worker threads of the real bundle.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import * as os from 'node:os';
import { WorkerClient } from '../../src/core/worker-client';
import { WORKER_PATH, requireBuilt } from './helpers';

/** Thread id → nice value, from /proc/self/task/<tid>/stat (field 19). */
function threadNices(): Map<number, number> {
  const nices = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    nices.set(Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
  }
  return nices;
}

test('a background worker runs below normal priority, its threads with it; a prediction worker and the main thread keep normal priority', { skip: process.platform !== 'linux' && 'per-thread priorities are read from /proc (Linux)' }, async () => {
  requireBuilt();
  const before = threadNices();
  const background = new WorkerClient(WORKER_PATH, { workerData: { background: true } });
  const normal = new WorkerClient(WORKER_PATH, { workerData: {} });
  try {
    await background.request('backend', { preference: 'cpu' }).result;
    await normal.request('backend', { preference: 'cpu' }).result;
    const added = [...threadNices()].filter(([tid]) => !before.has(tid)).map(([, nice]) => nice);
    assert.ok(added.includes(os.constants.priority.PRIORITY_BELOW_NORMAL), `a new thread below normal priority: ${added.join(' ')}`);
    assert.ok(added.includes(0), `a new thread at normal priority (the prediction worker): ${added.join(' ')}`);
    assert.equal(threadNices().get(process.pid), 0, 'the main thread keeps its priority');
  } finally {
    await background.terminate();
    await normal.terminate();
  }
});
