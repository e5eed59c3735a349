/**
 * Decompression bombs, generated here: gzip members of zeros, concatenated
 * (a valid gzip stream; 64 MiB of zeros compress to 64 KB), behind a tar
 * header. One claims a 600 MB review (it used to crash the worker with
 * "Cannot create a string longer than..."); one hides 1.1 GiB in an entry
 * the reader skips, so only the cap on what the archive expands to stops it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar';
import { readArchive } from '../../src/core/dataset/archive';
import { DATA_LIMITS } from '../../src/core/dataset/limits';
import { isLabError } from '../../src/core/errors';
import { requireBuilt, tempDir } from '../unit/helpers';
import { runCli } from './cli-process';

const MiB = 1024 * 1024;

/** A .tar.gz with one entry of `size` zero bytes, written without ever holding them. */
async function bomb(file: string, entryPath: string, size: number): Promise<number> {
  const header = Buffer.alloc(512);
  new tar.Header({ path: entryPath, type: 'File', size, mode: 0o644, mtime: new Date(0) }).encode(header, 0);
  const chunk = 64 * MiB;
  const zeros = gzipSync(Buffer.alloc(chunk), { level: 9 });
  const members = [gzipSync(header)];
  for (let left = size; left > 0; left -= chunk) members.push(left >= chunk ? zeros : gzipSync(Buffer.alloc(left)));
  members.push(gzipSync(Buffer.alloc((512 - (size % 512)) % 512 + 1024)));
  const body = Buffer.concat(members);
  await writeFile(file, body);
  return body.length;
}

test('a 600 MB review entry is refused from its header, by name, through the CLI', async (t) => {
  requireBuilt();
  const tmp = await tempDir();
  t.after(tmp.cleanup);
  const file = path.join(tmp.dir, 'bomb.tar.gz');
  const compressed = await bomb(file, 'aclImdb/train/pos/0_9.txt', 600 * MiB);
  assert.ok(compressed < 2 * MiB, `the bomb is small: ${compressed} bytes`);
  const result = await runCli(['train', '--preset', 'simple-rnn', '--data', file, '--cache-dir', path.join(tmp.dir, 'cache'), '--out', path.join(tmp.dir, 'runs')], 60_000);
  assert.equal(result.code, 1, result.stderr);
  assert.equal(
    result.stderr.trim().split('\n').at(-1),
    `rnn-sentiment-lab: Refused ${file}: entry "aclImdb/train/pos/0_9.txt" has 600.0 MB, more than a review may have (1.0 MB).`,
  );
  assert.deepEqual(await readdir(path.join(tmp.dir, 'runs')).catch(() => []), []);
});

test('an archive that expands past the cap is refused, whatever entry holds the bytes', async (t) => {
  const tmp = await tempDir();
  t.after(tmp.cleanup);
  const file = path.join(tmp.dir, 'bomb.tar.gz');
  await bomb(file, 'aclImdb/train/unsup/0_0.txt', DATA_LIMITS.archiveExpandedBytes + 64 * MiB);
  await assert.rejects(readArchive(file), (e: Error) => isLabError(e, 'unsafe-archive') && /expands to more than 1\.00 GB .*decompression bomb/.test(e.message));
});
