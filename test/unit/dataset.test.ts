/**
 * Reading the IMDB layout from archives, folders and URLs: what is kept, what
 * is refused, what a truncated file says, and that nothing half-downloaded
 * stays in the cache.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import { readFile, readdir, stat, truncate, utimes, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { readArchive } from '../../src/core/dataset/archive';
import { readFolder } from '../../src/core/dataset/folder';
import { downloadFile } from '../../src/core/dataset/download';
import { loadDataset, loadTokenizedSource, parseDataSource } from '../../src/core/dataset';
import { isLabError } from '../../src/core/errors';
import { rawTarGz, smallReviewSet, tempDir, writeReviewArchive, writeReviewFolder } from './helpers';

test('an archive with the official layout yields its labeled reviews and skips everything else', async (t) => {
  const tmp = await tempDir();
  t.after(tmp.cleanup);
  const archive = await writeReviewArchive(tmp.dir, smallReviewSet(3));
  const corpus = await readArchive(archive);
  assert.equal(corpus.train.length, 6);
  assert.equal(corpus.test.length, 6);
  assert.equal(corpus.train.filter((r) => r.label === 1).length, 3);
  assert.ok(corpus.train.every((r) => !r.text.includes('unlabeled')), 'train/unsup is skipped');
  const first = corpus.train.find((r) => r.label === 1 && r.id === 1)!;
  assert.equal(first.rating, 9);
  assert.match(first.text, /wonderful film number 1/);
});

test('an extracted folder (or its parent) reads the same as the archive', async (t) => {
  const tmp = await tempDir();
  t.after(tmp.cleanup);
  const reviews = smallReviewSet(2);
  const base = await writeReviewFolder(tmp.dir, reviews);
  const archive = await writeReviewArchive(tmp.dir, reviews);
  const fromArchive = await readArchive(archive);
  assert.deepEqual(await readFolder(base), fromArchive);
  assert.deepEqual(await readFolder(tmp.dir), fromArchive);
});

for (const [what, entry] of [
  ['a ".." path', { path: 'aclImdb/train/pos/../../../evil.txt', body: 'x' }],
  ['an absolute path', { path: '/etc/evil.txt', body: 'x' }],
  ['a symbolic link', { path: 'aclImdb/train/pos/9_9.txt', type: 'SymbolicLink', linkpath: '/etc/passwd' }],
  ['a hard link', { path: 'aclImdb/train/pos/8_8.txt', type: 'Link', linkpath: '../../../etc/passwd' }],
] as const) {
  test(`an archive with ${what} is refused with a clear error`, async (t) => {
    const tmp = await tempDir();
    t.after(tmp.cleanup);
    const file = path.join(tmp.dir, 'evil.tar.gz');
    await writeFile(file, rawTarGz([{ path: 'aclImdb/train/pos/0_9.txt', body: 'good' }, entry]));
    await assert.rejects(readArchive(file), (e: Error) => isLabError(e, 'unsafe-archive') && e.message.includes('Refused') && e.message.includes('outside the target folder'));
  });
}

test('a truncated archive is reported as truncated or corrupt', async (t) => {
  const tmp = await tempDir();
  t.after(tmp.cleanup);
  const archive = await writeReviewArchive(tmp.dir, smallReviewSet(20));
  const size = (await stat(archive)).size;
  await truncate(archive, Math.floor(size / 2));
  await assert.rejects(readArchive(archive), (e: Error) => isLabError(e, 'corrupt-archive') && /truncated or corrupt/.test(e.message));
});

test('a file that is not a gzip tar, or lacks the layout, is refused', async (t) => {
  const tmp = await tempDir();
  t.after(tmp.cleanup);
  const notArchive = path.join(tmp.dir, 'notes.tar.gz');
  await writeFile(notArchive, 'this is not an archive at all'.repeat(40));
  await assert.rejects(readArchive(notArchive), (e: Error) => isLabError(e, 'corrupt-archive'));
  const wrongLayout = path.join(tmp.dir, 'other.tar.gz');
  await writeFile(wrongLayout, rawTarGz([{ path: 'photos/cat.txt', body: 'meow' }]));
  await assert.rejects(readArchive(wrongLayout), (e: Error) => isLabError(e, 'corrupt-archive') && /does not have the IMDB layout/.test(e.message));
  await assert.rejects(readArchive(path.join(tmp.dir, 'missing.tar.gz')), (e: Error) => isLabError(e, 'not-found'));
});

test('parseDataSource tells official, URLs, archives and folders apart, and names a wrong path', async (t) => {
  const tmp = await tempDir();
  t.after(tmp.cleanup);
  assert.deepEqual(await parseDataSource('official'), { kind: 'official' });
  assert.deepEqual(await parseDataSource('https://example.org/a.tar.gz'), { kind: 'url', url: 'https://example.org/a.tar.gz' });
  assert.equal((await parseDataSource(tmp.dir)).kind, 'folder');
  const archive = await writeReviewArchive(tmp.dir, smallReviewSet(1));
  assert.equal((await parseDataSource(archive)).kind, 'archive');
  await assert.rejects(parseDataSource(path.join(tmp.dir, 'nope')), (e: Error) => isLabError(e, 'not-found') && e.message.includes('nope'));
});

test('the tokenised corpus is cached: a second load does not read the archive again', async (t) => {
  const tmp = await tempDir();
  t.after(tmp.cleanup);
  const archive = await writeReviewArchive(tmp.dir, smallReviewSet(4));
  const cacheDir = path.join(tmp.dir, 'cache');
  const phases: string[] = [];
  const first = await loadTokenizedSource({ kind: 'archive', path: archive }, { cacheDir, onProgress: (p) => phases.push(p.phase) });
  // Same size and modification time, different bytes: only a cache hit can still succeed.
  const { size, mtime } = await stat(archive);
  await writeFile(archive, Buffer.alloc(size, 0x41));
  await utimes(archive, mtime, mtime);
  const second = await loadTokenizedSource({ kind: 'archive', path: archive }, { cacheDir });
  assert.deepEqual(second.corpus.vocabulary.words, first.corpus.vocabulary.words);
  assert.deepEqual(Array.from(second.corpus.train.ranks), Array.from(first.corpus.train.ranks));
  assert.ok(first.corpus.train.sentenceStarts?.some((v) => v === 1), 'the training reviews\' sentence starts are marked');
  assert.deepEqual(second.corpus.train.sentenceStarts, first.corpus.train.sentenceStarts, 'and kept in the cache');
  // A replaced archive (new mtime) is read again, and this one is garbage.
  await utimes(archive, new Date(), new Date());
  await assert.rejects(loadTokenizedSource({ kind: 'archive', path: archive }, { cacheDir }), (e: Error) => isLabError(e, 'corrupt-archive'));
});

test('loadDataset: limit keeps the first N shuffled reviews, validation is the last share, encoding is Keras\'', async (t) => {
  const tmp = await tempDir();
  t.after(tmp.cleanup);
  const archive = await writeReviewArchive(tmp.dir, smallReviewSet(10));
  const source = { kind: 'archive' as const, path: archive };
  const cacheDir = path.join(tmp.dir, 'cache');
  const full = await loadDataset(source, { numWords: 1000, maxlen: 12, seed: 7, validationSplit: 0.2 }, { cacheDir });
  assert.equal(full.train.count, 16);
  assert.equal(full.validation.count, 4);
  assert.equal(full.test.count, 20);
  // Training rows followed by validation rows are one shuffled order of all 20 training reviews.
  const rows = (s: { x: Int32Array; count: number }) => Array.from({ length: s.count }, (_, i) => Array.from(s.x.subarray(i * 12, (i + 1) * 12)).join(','));
  const limited = await loadDataset(source, { numWords: 1000, maxlen: 12, seed: 7, validationSplit: 0.25, limit: 8 }, { cacheDir });
  assert.equal(limited.train.count, 6);
  assert.equal(limited.validation.count, 2);
  assert.equal(limited.test.count, 8);
  assert.deepEqual([...rows(limited.train), ...rows(limited.validation)], [...rows(full.train), ...rows(full.validation)].slice(0, 8));
  // Every row starts (after padding) with start_char 1 and holds only valid indices.
  for (const row of rows(full.train)) {
    const ids = row.split(',').map(Number);
    const firstWord = ids.findIndex((v) => v !== 0);
    assert.equal(ids[firstWord], 1);
    assert.ok(ids.every((v) => v >= 0 && v < 1000));
  }
  // A tiny num_words sends every word but the most frequent to the OOV index.
  const tiny = await loadDataset(source, { numWords: 5, maxlen: 12, seed: 7, validationSplit: 0.2 }, { cacheDir });
  assert.ok(Array.from(tiny.train.x).every((v) => v === 0 || v === 1 || v === 2 || v === 4));
});

async function serve(body: Buffer, options: { lie?: number } = {}): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-length': String(options.lie ?? body.length) });
    if (options.lie && options.lie > body.length) {
      res.write(body);
      res.destroy(); // the connection drops before the announced length
    } else res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/aclImdb.tar.gz`, server };
}

test('a download streams with progress and is kept only when its checksum matches', async (t) => {
  const tmp = await tempDir();
  t.after(tmp.cleanup);
  const body = Buffer.from(rawTarGz([{ path: 'x.txt', body: 'y'.repeat(300_000) }]));
  const sha256 = createHash('sha256').update(body).digest('hex');
  const { url, server } = await serve(body);
  t.after(() => server.close());
  const destination = path.join(tmp.dir, 'downloads', 'a.tar.gz');
  const updates: number[] = [];
  await downloadFile({ url, destination, sha256, size: body.length, onProgress: (p) => updates.push(p.done) });
  assert.deepEqual(await readFile(destination), body);
  assert.equal(updates.at(-1), body.length);

  const wrong = path.join(tmp.dir, 'downloads', 'b.tar.gz');
  await assert.rejects(downloadFile({ url, destination: wrong, sha256: '0'.repeat(64) }), (e: Error) => isLabError(e, 'checksum-mismatch'));
  assert.deepEqual(await readdir(path.dirname(wrong)), ['a.tar.gz'], 'nothing of the refused download is left');
});

test('a broken-off or cancelled download leaves nothing behind', async (t) => {
  const tmp = await tempDir();
  t.after(tmp.cleanup);
  const body = Buffer.alloc(200_000, 7);
  const { url, server } = await serve(body, { lie: 400_000 });
  t.after(() => server.close());
  const dir = path.join(tmp.dir, 'downloads');
  await assert.rejects(downloadFile({ url, destination: path.join(dir, 'c.tar.gz') }), (e: Error) => isLabError(e, 'download-failed'));
  assert.deepEqual(await readdir(dir), []);

  const controller = new AbortController();
  controller.abort();
  await assert.rejects(downloadFile({ url, destination: path.join(dir, 'd.tar.gz'), signal: controller.signal }), (e: Error) => isLabError(e, 'cancelled'));
  assert.deepEqual(await readdir(dir), []);
  await assert.rejects(downloadFile({ url: 'http://127.0.0.1:1/none.tar.gz', destination: path.join(dir, 'e.tar.gz') }), (e: Error) => isLabError(e, 'download-failed') && e.message.includes('127.0.0.1:1'));
});

test('an http URL source with its checksum is downloaded once into the cache; a corrupt download is removed', async (t) => {
  const tmp = await tempDir();
  t.after(tmp.cleanup);
  const good = await readFile(await writeReviewArchive(tmp.dir, smallReviewSet(2)));
  let requests = 0;
  let body: Buffer = good;
  const server = createServer((_req, res) => {
    requests++;
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/data.tar.gz`;
  const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  const cacheDir = path.join(tmp.dir, 'cache');
  const source = await parseDataSource(`${url}#sha256=${sha256(good)}`);
  assert.deepEqual(source, { kind: 'url', url, sha256: sha256(good) });
  const a = await loadDataset(source, { numWords: 100, maxlen: 10, seed: 1, validationSplit: 0.5 }, { cacheDir });
  assert.equal(a.train.count + a.validation.count, 4);
  await loadDataset(source, { numWords: 100, maxlen: 10, seed: 1, validationSplit: 0.5 }, { cacheDir });
  assert.equal(requests, 1);

  body = Buffer.from('garbage');
  const other = { kind: 'url' as const, url: `${url}?v=2`, sha256: sha256(body) };
  await assert.rejects(loadDataset(other, { numWords: 100, maxlen: 10, seed: 1, validationSplit: 0.5 }, { cacheDir }), (e: Error) =>
    isLabError(e, 'corrupt-archive') && /removed/.test(e.message),
  );
  assert.equal((await readdir(path.join(cacheDir, 'downloads'))).length, 1, 'only the good download stays');
});

test('the official source downloads with the official checksum and refuses anything else', async (t) => {
  const tmp = await tempDir();
  t.after(tmp.cleanup);
  // The real archive is 84 MB from the internet; a local server stands in and serves the wrong bytes.
  const { url, server } = await serve(Buffer.from('not the official archive'));
  t.after(() => server.close());
  const cacheDir = path.join(tmp.dir, 'cache');
  await assert.rejects(
    loadDataset({ kind: 'official' }, { numWords: 100, maxlen: 10, seed: 1, validationSplit: 0.2 }, { cacheDir, officialUrl: url }),
    (e: Error) => isLabError(e, 'download-failed') && /incomplete: got 24 of 84125825 bytes/.test(e.message),
  );
  assert.deepEqual(await readdir(path.join(cacheDir, 'downloads')), []);
});
