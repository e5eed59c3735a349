/**
 * What a writer killed at the worst moments leaves, and how the next listing
 * repairs it. The leftovers are made as writeFolder makes them, named after a
 * process that really ran and is gone; a live process' temporaries and locks
 * are left alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cp, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { isLabError } from '../../src/core/errors';
import { listRuns, lockRun } from '../../src/core/runs';
import { TEST_CACHE_DIR, imdbArchive, requireBuilt, tempDir } from '../unit/helpers';
import { runCli } from './cli-process';

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

/** A copy of a run folder as the checkpoint of run `id` (a run's record names its folder). */
async function copyRunAs(source: string, destination: string, id: string): Promise<void> {
  await cp(source, destination, { recursive: true });
  const file = path.join(destination, 'run.json');
  await writeFile(file, JSON.stringify({ ...(JSON.parse(await readFile(file, 'utf8')) as object), id }));
}

async function trainedRun(dir: string, epochs: number): Promise<string> {
  const result = await runCli(['train', '--preset', 'simple-rnn', '--data', await imdbArchive(), '--cache-dir', TEST_CACHE_DIR, '--out', dir, '--limit', '200', '--maxlen', '20', '--epochs', String(epochs), '--no-evaluate', '--json']);
  assert.equal(result.code, 0, result.stderr);
  return (JSON.parse(result.stdout) as { runDir: string }).runDir;
}

test('killed between moving the old checkpoint aside and moving the new one in: the listing puts the new one in place', async (t) => {
  requireBuilt();
  const tmp = await tempDir();
  t.after(tmp.cleanup);
  const older = await trainedRun(path.join(tmp.dir, 'a'), 1);
  const newer = await trainedRun(path.join(tmp.dir, 'b'), 2);
  const runsDir = path.join(tmp.dir, 'runs');
  await mkdir(runsDir);
  const id = 'lstm_2026-01-01_00-00-00_abcd';
  const pid = deadPid();
  // The writer had written and synced the new folder, renamed the old one aside, and died.
  await copyRunAs(older, path.join(runsDir, `.${id}.${pid}-00000001.previous`), id);
  await copyRunAs(newer, path.join(runsDir, `.${id}.${pid}-00000002.partial`), id);
  const record = JSON.parse(await readFile(path.join(newer, 'run.json'), 'utf8')) as { epochsCompleted: number };

  const runs = await listRuns(runsDir);
  assert.equal(runs.length, 1);
  assert.ok(runs[0].ok);
  assert.equal(runs[0].dir, path.join(runsDir, id));
  assert.equal(runs[0].record.epochsCompleted, record.epochsCompleted, 'the newer checkpoint is the one kept');
  assert.deepEqual(await readdir(runsDir), [id], 'the old checkpoint is removed');
});

test('killed while writing the new checkpoint: the old one stays, the half-written folder goes', async (t) => {
  requireBuilt();
  const tmp = await tempDir();
  t.after(tmp.cleanup);
  const older = await trainedRun(path.join(tmp.dir, 'a'), 1);
  const runsDir = path.join(tmp.dir, 'runs');
  await mkdir(runsDir);
  const id = 'lstm_2026-01-01_00-00-00_abcd';
  const pid = deadPid();
  await copyRunAs(older, path.join(runsDir, `.${id}.${pid}-00000001.previous`), id);
  // Half-written: no run.json yet.
  await mkdir(path.join(runsDir, `.${id}.${pid}-00000002.partial`));
  await writeFile(path.join(runsDir, `.${id}.${pid}-00000002.partial`, 'weights.bin'), Buffer.alloc(100));
  // And a lock the dead writer held.
  await writeFile(path.join(runsDir, `.${id}.lock`), String(pid));

  const runs = await listRuns(runsDir);
  assert.equal(runs.length, 1);
  assert.ok(runs[0].ok && runs[0].record.epochsCompleted === 1);
  assert.deepEqual(await readdir(runsDir), [id]);
});

test('a live writer is left alone; its run cannot be locked twice; a dead one\'s lock is taken over', async (t) => {
  const tmp = await tempDir();
  t.after(tmp.cleanup);
  const runsDir = tmp.dir;
  const mine = `.someone.${process.pid}-0000000a.partial`;
  await mkdir(path.join(runsDir, mine));
  const lock = await lockRun(runsDir, 'run-1');
  await assert.rejects(lockRun(runsDir, 'run-1'), (e: Error) => isLabError(e, 'busy') && e.message.includes(`pid ${process.pid}`));
  await listRuns(runsDir);
  assert.deepEqual((await readdir(runsDir)).sort(), ['.run-1.lock', mine].sort(), 'a live process\' folder and lock stay');
  await lock.release();

  await writeFile(path.join(runsDir, '.run-2.lock'), String(deadPid()));
  const taken = await lockRun(runsDir, 'run-2');
  assert.equal(await readFile(path.join(runsDir, '.run-2.lock'), 'utf8'), String(process.pid));
  await taken.release();
});
