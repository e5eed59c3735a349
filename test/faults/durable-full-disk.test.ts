/**
 * A full disk, for real: small tmpfs mounts (this needs root; elsewhere the
 * tests are skipped and say why). Saving a run, `evaluate --save` and the
 * corpus cache each meet ENOSPC: the first two fail with one clear line and
 * leave nothing half-written; the cache only warns, and the training ends
 * well.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, open, readFile, readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { TEST_CACHE_DIR, imdbArchive, requireBuilt, tempDir } from '../unit/helpers';
import { mountSmallDisk, runCli } from './cli-process';

const quick = async () => ['--preset', 'simple-rnn', '--data', await imdbArchive(), '--limit', '300', '--maxlen', '30', '--epochs', '1'];

/** Every entry under `dir`, hidden ones included. */
async function allEntries(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

/** Writes until the disk is full. */
async function fill(dir: string): Promise<void> {
  const handle = await open(path.join(dir, 'filler'), 'w');
  const block = Buffer.alloc(4096, 1);
  try {
    for (;;) await handle.write(block);
  } catch (error) {
    assert.equal((error as NodeJS.ErrnoException).code, 'ENOSPC');
  } finally {
    await handle.close();
  }
}

test('a run that does not fit on the disk: one clear line, exit 1, and no half-written folder', async (t) => {
  requireBuilt();
  const disk = await mountSmallDisk(512);
  if ('reason' in disk) return t.skip(disk.reason);
  t.after(disk.unmount);
  const result = await runCli(['train', ...(await quick()), '--cache-dir', TEST_CACHE_DIR, '--out', disk.dir, '--no-evaluate']);
  assert.equal(result.code, 1, result.stderr);
  const lines = result.stderr.trim().split('\n');
  assert.match(lines.at(-1)!, /^rnn-sentiment-lab: Could not write .* no space left on the device \(ENOSPC\)/);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  assert.deepEqual(await allEntries(disk.dir), [], 'nothing is left on the full disk');
});

test('evaluate --save on a full disk: one clear line, run.json untouched, no .run.json remnant', async (t) => {
  requireBuilt();
  const tmp = await tempDir();
  t.after(tmp.cleanup);
  const trained = await runCli(['train', ...(await quick()), '--cache-dir', TEST_CACHE_DIR, '--out', tmp.dir, '--no-evaluate', '--json']);
  assert.equal(trained.code, 0, trained.stderr);
  const source = (JSON.parse(trained.stdout) as { runDir: string }).runDir;

  const disk = await mountSmallDisk(4096);
  if ('reason' in disk) return t.skip(disk.reason);
  t.after(disk.unmount);
  const runDir = path.join(disk.dir, path.basename(source));
  await cp(source, runDir, { recursive: true });
  const before = await readFile(path.join(runDir, 'run.json'), 'utf8');
  await fill(disk.dir);

  const result = await runCli(['evaluate', '--model', runDir, '--data', await imdbArchive(), '--cache-dir', TEST_CACHE_DIR, '--limit', '200', '--save']);
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr.trim(), /^rnn-sentiment-lab: Could not write run\.json in .*: no space left on the device \(ENOSPC\)\. Nothing half-written was left\.$/);
  assert.equal(await readFile(path.join(runDir, 'run.json'), 'utf8'), before);
  assert.deepEqual((await readdir(runDir)).filter((n) => n.startsWith('.')), [], 'no .run.json.* remnant');
});

test('a corpus cache that cannot be written is a warning: the training ends well', async (t) => {
  requireBuilt();
  const tmp = await tempDir();
  t.after(tmp.cleanup);
  const disk = await mountSmallDisk(256);
  if ('reason' in disk) return t.skip(disk.reason);
  t.after(disk.unmount);
  // A cache folder of its own: the corpus is read from the archive and tokenised, and its cache does not fit.
  const result = await runCli(['train', ...(await quick()), '--cache-dir', disk.dir, '--out', tmp.dir, '--no-evaluate', '--json']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /rnn-sentiment-lab: warning: The tokenised corpus was not cached \(Could not write .*no space left on the device \(ENOSPC\)/);
  assert.equal((JSON.parse(result.stdout) as { status: string }).status, 'complete');
  const left = (await allEntries(disk.dir)).filter((n) => path.basename(n).startsWith('.'));
  assert.deepEqual(left, [], 'no temporary cache folder is left');
});
