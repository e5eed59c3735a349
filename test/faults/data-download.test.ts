/**
 * URL sources against a real local server (127.0.0.1 only): a download
 * SIGKILLed half-way leaves its partial file, which the next run sweeps; a
 * server that stalls or sends too much is cut off; plain http needs a
 * checksum, and a wrong one keeps nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { readFile, readdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { downloadFile } from '../../src/core/dataset/download';
import { parseDataSource } from '../../src/core/dataset/source';
import { isLabError } from '../../src/core/errors';
import { requireBuilt, smallReviewSet, tempDir, writeReviewArchive } from '../unit/helpers';
import { runCli, startCli, waitFor } from './cli-process';

async function listen(handler: (res: ServerResponse) => void): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => handler(res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/aclImdb.tar.gz`, server };
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('a download SIGKILLed half-way leaves a partial file that the next run sweeps', async (t) => {
  requireBuilt();
  const tmp = await tempDir();
  t.after(tmp.cleanup);
  const archive = await readFile(await writeReviewArchive(tmp.dir, smallReviewSet(3)));
  let stall = true;
  const stalled: ServerResponse[] = [];
  const { url, server } = await listen((res) => {
    res.writeHead(200, { 'content-length': String(archive.length) });
    if (!stall) return res.end(archive);
    res.write(archive.subarray(0, archive.length >> 1));
    stalled.push(res); // ...and nothing more: the client waits.
  });
  t.after(() => {
    for (const res of stalled) res.destroy();
    server.close();
  });
  const cacheDir = path.join(tmp.dir, 'cache');
  const downloads = path.join(cacheDir, 'downloads');
  const args = ['train', '--preset', 'simple-rnn', '--data', `${url}#sha256=${sha256(archive)}`, '--cache-dir', cacheDir, '--out', path.join(tmp.dir, 'runs'), '--epochs', '1', '--maxlen', '20', '--no-evaluate'];

  const first = startCli(args, 60_000);
  const partial = await waitFor('the partial download', async () => {
    if (first.child.exitCode !== null) throw new Error(`the CLI ended before the download stalled: ${first.stderrSoFar()}`);
    return (await readdir(downloads).catch(() => [] as string[])).find((n) => n.endsWith('.partial'));
  });
  assert.ok(partial.includes(`.${first.child.pid}-`), `the partial file names its process: ${partial}`);
  first.child.kill('SIGKILL');
  assert.equal((await first.done).signal, 'SIGKILL');
  assert.deepEqual(await readdir(downloads), [partial], 'the killed download left its partial file');

  stall = false;
  const second = await runCli(args);
  assert.equal(second.code, 0, second.stderr);
  const left = await readdir(downloads);
  assert.equal(left.length, 1, `only the finished download stays: ${left.join(', ')}`);
  assert.ok(!left[0].endsWith('.partial'));
  assert.deepEqual(await readFile(path.join(downloads, left[0])), archive);
});

test('a server that stops sending is abandoned after the idle timeout, leaving nothing', async (t) => {
  const tmp = await tempDir();
  t.after(tmp.cleanup);
  const open: ServerResponse[] = [];
  const { url, server } = await listen((res) => {
    res.writeHead(200, { 'content-length': '100000' });
    res.write(Buffer.alloc(100));
    open.push(res);
  });
  t.after(() => {
    for (const res of open) res.destroy();
    server.close();
  });
  const destination = path.join(tmp.dir, 'downloads', 'a.tar.gz');
  await assert.rejects(downloadFile({ url, destination, idleMs: 300 }), (e: Error) => isLabError(e, 'download-failed') && /the server sent nothing for/.test(e.message));
  assert.deepEqual(await readdir(path.dirname(destination)), []);
});

test('a download larger than the cap is refused, announced or not', async (t) => {
  const tmp = await tempDir();
  t.after(tmp.cleanup);
  const { url, server } = await listen((res) => {
    // No content-length: chunked, the size shows only while streaming.
    res.write(Buffer.alloc(3000));
    res.end(Buffer.alloc(3000));
  });
  t.after(() => server.close());
  const announced = await listen((res) => {
    res.writeHead(200, { 'content-length': String(6000) });
    res.end(Buffer.alloc(6000));
  });
  t.after(() => announced.server.close());
  const dir = path.join(tmp.dir, 'downloads');
  await assert.rejects(downloadFile({ url, destination: path.join(dir, 'a.tar.gz'), maxBytes: 4000 }), (e: Error) => isLabError(e, 'download-failed') && /more than a data source may be/.test(e.message));
  await assert.rejects(downloadFile({ url: announced.url, destination: path.join(dir, 'b.tar.gz'), maxBytes: 4000 }), (e: Error) => isLabError(e, 'download-failed') && /it is 5\.9 KB, more than/.test(e.message));
  assert.deepEqual(await readdir(dir), []);
});

test('plain http without a checksum, or with a malformed one, gets one line and exit 2', async (t) => {
  requireBuilt();
  const tmp = await tempDir();
  t.after(tmp.cleanup);
  const plain = await runCli(['train', '--preset', 'lstm', '--data', 'http://127.0.0.1:9/aclImdb.tar.gz', '--cache-dir', tmp.dir, '--out', tmp.dir]);
  assert.equal(plain.code, 2);
  assert.equal(plain.stderr.trim(), 'rnn-sentiment-lab: Refused http://127.0.0.1:9/aclImdb.tar.gz: plain http can be altered on the way. Use https, or add the archive\'s checksum as http://127.0.0.1:9/aclImdb.tar.gz#sha256=<64 hex digits>.');
  await assert.rejects(parseDataSource('https://example.org/a.tar.gz#sha256=abc'), (e: Error) => isLabError(e, 'bad-argument') && /64 hexadecimal digits/.test(e.message));
  assert.deepEqual(await parseDataSource(`https://example.org/a.tar.gz#sha256=${'AB'.repeat(32)}`), { kind: 'url', url: 'https://example.org/a.tar.gz', sha256: 'ab'.repeat(32) });
});

test('an http download whose checksum differs is not kept, and the run says so', async (t) => {
  requireBuilt();
  const tmp = await tempDir();
  t.after(tmp.cleanup);
  const archive = await readFile(await writeReviewArchive(tmp.dir, smallReviewSet(3)));
  const { url, server } = await listen((res) => res.end(archive));
  t.after(() => server.close());
  const cacheDir = path.join(tmp.dir, 'cache');
  const result = await runCli(['train', '--preset', 'simple-rnn', '--data', `${url}#sha256=${'0'.repeat(64)}`, '--cache-dir', cacheDir, '--out', path.join(tmp.dir, 'runs')]);
  assert.equal(result.code, 1);
  assert.match(result.stderr.trim(), new RegExp(`^rnn-sentiment-lab: Downloaded file from ${url.replace(/[.]/g, '\\.')} has sha256 ${sha256(archive)}, expected 0{64}: it was not kept\\.$`));
  assert.deepEqual(await readdir(path.join(cacheDir, 'downloads')), []);
});
