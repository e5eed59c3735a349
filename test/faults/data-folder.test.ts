/**
 * Hostile dataset folders, with real FIFOs, links and devices: each is
 * refused with its path, at once (a FIFO used to hang the training, beyond
 * Ctrl-C), and nothing of a linked file reaches a run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, rename, symlink, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { readFolder } from '../../src/core/dataset/folder';
import { DATA_LIMITS } from '../../src/core/dataset/limits';
import { isLabError } from '../../src/core/errors';
import { requireBuilt, smallReviewSet, tempDir, writeReviewFolder } from '../unit/helpers';
import { runCli } from './cli-process';

async function dataset(t: { after(fn: () => Promise<void>): void }) {
  const tmp = await tempDir();
  t.after(tmp.cleanup);
  const root = await writeReviewFolder(tmp.dir, smallReviewSet(3));
  return { tmp: tmp.dir, root };
}

test('a FIFO among the reviews: the CLI refuses it by name at once instead of hanging', async (t) => {
  requireBuilt();
  const { tmp, root } = await dataset(t);
  const fifo = path.join(root, 'train', 'pos', '77_9.txt');
  const made = spawnSync('mkfifo', [fifo]);
  if (made.status !== 0) return t.skip(`mkfifo is not available here (${made.error?.message ?? `exit ${made.status}`})`);
  const result = await runCli(['train', '--preset', 'simple-rnn', '--data', root, '--cache-dir', path.join(tmp, 'cache'), '--out', path.join(tmp, 'runs'), '--epochs', '1'], 60_000);
  assert.equal(result.code, 2, result.stderr);
  assert.equal(result.stderr.trim(), `rnn-sentiment-lab: Refused ${fifo}: it is a FIFO. A dataset folder may hold only regular files and folders.`);
  assert.deepEqual(await readdir(path.join(tmp, 'runs')).catch(() => []), []);
});

test('a review that is a symbolic link to a file elsewhere is refused by name; nothing of that file is read', async (t) => {
  const { tmp, root } = await dataset(t);
  const secret = path.join(tmp, 'secret.txt');
  await writeFile(secret, 'private words only the victim may read');
  const link = path.join(root, 'train', 'neg', '88_1.txt');
  await symlink(secret, link);
  await assert.rejects(readFolder(root), (e: Error) => isLabError(e, 'bad-argument') && e.message === `Refused ${link}: it is a symbolic link. A dataset folder may hold only regular files and folders.`);
});

test('a linked split or label folder is refused by name', async (t) => {
  const { tmp, root } = await dataset(t);
  const elsewhere = path.join(tmp, 'elsewhere');
  await rename(path.join(root, 'test', 'pos'), elsewhere);
  await symlink(elsewhere, path.join(root, 'test', 'pos'));
  await assert.rejects(readFolder(root), (e: Error) => isLabError(e, 'bad-argument') && e.message.startsWith(`Refused ${path.join(root, 'test', 'pos')}: it is a symbolic link.`));
});

test('a device among the reviews is refused by name', async (t) => {
  const { root } = await dataset(t);
  const device = path.join(root, 'test', 'neg', '66_2.txt');
  // /dev/zero's numbers: reading it would never end.
  const made = spawnSync('mknod', [device, 'c', '1', '5']);
  if (made.status !== 0) return t.skip(`mknod needs root (${(made.stderr?.toString() || made.error?.message || '').trim()})`);
  await assert.rejects(readFolder(root), (e: Error) => isLabError(e, 'bad-argument') && e.message.startsWith(`Refused ${device}: it is a device.`));
});

test('a review file larger than any review is refused by name', async (t) => {
  const { root } = await dataset(t);
  const huge = path.join(root, 'train', 'pos', '55_10.txt');
  await mkdir(path.dirname(huge), { recursive: true });
  await writeFile(huge, Buffer.alloc(DATA_LIMITS.reviewBytes + 1, 'a'));
  await assert.rejects(readFolder(root), (e: Error) => isLabError(e, 'bad-argument') && e.message.startsWith(`Refused ${huge}: it is larger than a review may be (1.0 MB)`));
});
