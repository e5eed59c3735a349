/**
 * The training service against other local processes and users: only a
 * client with the token is served; a line over the cap is cut off; whatever
 * sits at the socket path (a dead service's socket, a plain file, another
 * user's listener or folder) is detected, replaced when it is safe to, and
 * reported otherwise; no request leaves the folders the service was started
 * with. Real service processes, real sockets, real files; a second OS user
 * through runuser.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ServiceClient, type ServiceLocation } from '../../src/lab/service-client';
import { ensurePrivateDir, privateRuntimeDir, serviceEndpoint, type ServiceRoots } from '../../src/service/address';
import { resolveHyperparameters } from '../../src/core/presets';
import { isLabError } from '../../src/core/errors';
import { RpcError } from '../../src/rpc';
import { MAX_LINE_BYTES } from '../../src/core/socket-channel';
import { SERVICE_PATH, otherUser, privateTemp, rawConnect, requireBuilt, spawnAs, startService, waitUntil, type RunningService } from './service-helpers';

const isCode = (code: string, pattern?: RegExp) => (e: Error & { code?: string }) => (isLabError(e) || e instanceof RpcError) && e.code === code && (!pattern || pattern.test(e.message));

function clientFor(service: { address: string; tokenFile: string }, roots: ServiceRoots): ServiceClient {
  const location: ServiceLocation = { endpoint: { address: service.address, tokenFile: service.tokenFile }, roots, servicePath: SERVICE_PATH, nodePath: process.execPath };
  return new ServiceClient(() => location);
}

describe('the service serves its token holders only', () => {
  let tmp: { dir: string; cleanup(): Promise<void> };
  let roots: ServiceRoots;
  let service: RunningService;
  let client: ServiceClient;

  before(async () => {
    requireBuilt();
    tmp = await privateTemp();
    roots = { runsDir: path.join(tmp.dir, 'runs'), cacheDir: path.join(tmp.dir, 'cache'), dataSource: 'official' };
    mkdirSync(roots.runsDir);
    service = await startService(tmp.dir, roots);
    client = clientFor(service, roots);
  });
  after(async () => {
    await client.disconnect();
    await service.stop();
    await tmp.cleanup();
  });

  test('the token file is the user\'s alone (0600) and the socket sits in a 0700 folder', () => {
    assert.equal(statSync(service.tokenFile).mode & 0o777, 0o600);
    assert.equal(statSync(path.dirname(service.address)).mode & 0o777, 0o700);
    assert.match(readFileSync(service.tokenFile, 'utf8'), /^[0-9a-f]{64}$/);
  });

  test('a request without the token gets no answer and the connection is closed', async () => {
    const raw = await rawConnect(service.address);
    raw.send(`${JSON.stringify({ kind: 'request', id: 1, method: 'status', params: {} })}\n`);
    await raw.closed;
    assert.deepEqual(raw.lines, []);
  });

  test('a wrong token (right length, wrong bytes) is refused the same way', async () => {
    const raw = await rawConnect(service.address);
    const wrong = readFileSync(service.tokenFile, 'utf8').replace(/^./, (c) => (c === '0' ? '1' : '0'));
    raw.send(`${JSON.stringify({ kind: 'hello', token: wrong })}\n${JSON.stringify({ kind: 'request', id: 1, method: 'status', params: {} })}\n`);
    await raw.closed;
    assert.deepEqual(raw.lines, []);
  });

  test('the right token is welcomed, then requests are answered', async () => {
    const raw = await rawConnect(service.address);
    raw.send(`${JSON.stringify({ kind: 'hello', token: readFileSync(service.tokenFile, 'utf8') })}\n${JSON.stringify({ kind: 'request', id: 7, method: 'status', params: {} })}\n`);
    await waitUntil(() => raw.lines.length >= 2, 'the welcome and the answer');
    assert.deepEqual(JSON.parse(raw.lines[0]), { kind: 'welcome' });
    assert.deepEqual(JSON.parse(raw.lines[1]), { kind: 'response', id: 7, ok: true, result: {} });
    raw.socket.destroy();
  });

  test('a line over 16 MB drops the connection, before or after the token, and the service keeps serving', async () => {
    const flood = Buffer.alloc(1024 * 1024, 0x61);
    for (const authenticate of [false, true]) {
      const raw = await rawConnect(service.address);
      if (authenticate) raw.send(`${JSON.stringify({ kind: 'hello', token: readFileSync(service.tokenFile, 'utf8') })}\n`);
      let sent = 0;
      let closed = false;
      void raw.closed.then(() => (closed = true));
      // Past the cap, a few megabytes more at most are read before the service closes the connection.
      while (!closed && sent < MAX_LINE_BYTES + 64 * flood.length) {
        raw.send(flood);
        sent += flood.length;
        await new Promise((r) => setImmediate(r));
      }
      await raw.closed;
      assert.ok(sent > MAX_LINE_BYTES, `closed only past the cap (after ${sent} bytes)`);
    }
    assert.deepEqual(await client.request('status', {}).result, {});
    const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${service.child.pid}/status`, 'utf8'))?.[1]) * 1024;
    assert.ok(rss < 400 * 1024 * 1024, `the service's memory stayed bounded (${Math.round(rss / 2 ** 20)} MB)`);
  });

  test('requests outside the presets\' bounds or the service\'s folders are refused with the reason', async () => {
    const h = resolveHyperparameters('lstm');
    const train = { hyperparameters: h, data: { kind: 'official' as const }, cacheDir: roots.cacheDir, runsDir: roots.runsDir, backend: 'cpu' as const, evaluate: false };
    await assert.rejects(client.request('train', { ...train, hyperparameters: { ...h, numWords: 1e9 } }).result, isCode('bad-argument', /hyperparameters\.numWords: Number must be less than or equal to 1000000/));
    await assert.rejects(client.request('train', { ...train, runsDir: path.join(tmp.dir, 'elsewhere') }).result, isCode('bad-argument', /runsDir must be/));
    await assert.rejects(client.request('train', { ...train, cacheDir: '/' }).result, isCode('bad-argument', /cacheDir must be/));
    await assert.rejects(client.request('train', { ...train, data: { kind: 'folder', path: '/etc' } }).result, isCode('bad-argument', /configured source/));
    await assert.rejects(client.request('train', { ...train, extra: 1 } as never).result, isCode('bad-argument', /Unrecognized key/));
    await assert.rejects(client.request('predict', { runDir: '/etc', texts: ['x'], backend: 'cpu' }).result, isCode('bad-argument', /runDir must be a folder inside/));
    await assert.rejects(client.request('predict', { runDir: path.join(roots.runsDir, '..', '..'), texts: ['x'], backend: 'cpu' }).result, isCode('bad-argument', /runDir must be a folder inside/));
    symlinkSync('/etc', path.join(roots.runsDir, 'linked-out'));
    await assert.rejects(client.request('predict', { runDir: path.join(roots.runsDir, 'linked-out'), texts: ['x'], backend: 'cpu' }).result, isCode('bad-argument', /leads out/));
    await assert.rejects(client.request('evaluate', { runDir: path.join(roots.runsDir, 'x'), data: { kind: 'url', url: 'https://elsewhere.example/a.tar.gz' }, cacheDir: roots.cacheDir, backend: 'cpu', save: true }).result, isCode('bad-argument', /configured source/));
    // The service is still there for the next request.
    assert.deepEqual(await client.request('status', {}).result, {});
  });

  test('a second service for the same address leaves the live one (and its token) alone', async () => {
    const token = readFileSync(service.tokenFile, 'utf8');
    const second = await startService(tmp.dir, roots, { waitForToken: false });
    assert.equal((await second.exited).code, 0);
    assert.equal(readFileSync(service.tokenFile, 'utf8'), token);
    assert.deepEqual(await client.request('status', {}).result, {});
  });
});

describe('whatever sits at the socket path', () => {
  test('a dead service\'s socket is replaced', async (t) => {
    requireBuilt();
    const tmp = await privateTemp();
    t.after(tmp.cleanup);
    const address = path.join(tmp.dir, 'service.sock');
    // A listener killed with SIGKILL leaves its socket file behind.
    const dead = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(address)})`], { stdio: 'ignore' });
    await waitUntil(() => existsSync(address), 'the listener');
    dead.kill('SIGKILL');
    await new Promise((r) => dead.once('close', r));
    assert.ok(existsSync(address), 'the dead listener left its socket');
    const roots = { runsDir: path.join(tmp.dir, 'runs'), cacheDir: path.join(tmp.dir, 'cache'), dataSource: 'official' };
    const service = await startService(tmp.dir, roots);
    t.after(() => service.stop());
    const client = clientFor(service, roots);
    t.after(() => client.disconnect());
    assert.deepEqual(await client.request('status', {}).result, {});
  });

  test('a plain file is left alone and named: the service refuses to start, the client says why', async (t) => {
    requireBuilt();
    const tmp = await privateTemp();
    t.after(tmp.cleanup);
    const address = path.join(tmp.dir, 'service.sock');
    writeFileSync(address, 'precious');
    const roots = { runsDir: path.join(tmp.dir, 'runs'), cacheDir: path.join(tmp.dir, 'cache'), dataSource: 'official' };
    const service = await startService(tmp.dir, roots, { waitForToken: false });
    const { code, stderr } = await service.exited;
    assert.equal(code, 1);
    assert.match(stderr.trim(), /service\.sock is a plain file, not the service's socket\. Remove it/);
    const client = clientFor(service, roots);
    await assert.rejects(client.request('status', {}).result, isCode('unsafe-folder', /is a plain file/));
    await client.disconnect();
    assert.equal(readFileSync(address, 'utf8'), 'precious');
  });

  test('a folder that is open to others, or not the user\'s, is refused after trying to create it', async (t) => {
    const tmp = await privateTemp();
    t.after(tmp.cleanup);
    const open = path.join(tmp.dir, 'open');
    mkdirSync(open, { mode: 0o700 });
    chmodSync(open, 0o755);
    assert.throws(() => ensurePrivateDir(open), isCode('unsafe-folder', /open to other users \(mode 755\)/));
    const fresh = ensurePrivateDir(path.join(tmp.dir, 'fresh'));
    assert.equal(statSync(fresh).mode & 0o777, 0o700);
  });

  test('a token file others can read is not trusted by the client', async (t) => {
    requireBuilt();
    const tmp = await privateTemp();
    t.after(tmp.cleanup);
    const roots = { runsDir: path.join(tmp.dir, 'runs'), cacheDir: path.join(tmp.dir, 'cache'), dataSource: 'official' };
    const service = await startService(tmp.dir, roots);
    t.after(() => service.stop());
    chmodSync(service.tokenFile, 0o644);
    const client = clientFor(service, roots);
    await assert.rejects(client.request('status', {}).result, isCode('unsafe-folder', /readable by other users/));
    await client.disconnect();
  });
});

describe('another user on the machine', () => {
  const user = otherUser();
  const skip = 'skip' in user ? user.skip : false;

  test('their listener planted at the socket path gets no connection and no token; the user is told', { skip }, async (t) => {
    requireBuilt();
    const tmp = await privateTemp();
    t.after(tmp.cleanup);
    const address = path.join(tmp.dir, 'service.sock');
    // Opened for a moment so the other user can plant it (the folder is 0700 otherwise).
    chmodSync(tmp.dir, 0o777);
    const squatter = spawnAs((user as { name: string }).name, `require('net').createServer((s) => { console.log('connected'); s.on('data', (d) => console.log(String(d))); }).listen(process.argv[1])`, [address]);
    t.after(() => squatter.stop());
    let heard = '';
    squatter.child.stdout!.on('data', (c: Buffer) => (heard += c.toString()));
    await waitUntil(() => existsSync(address), 'the other user\'s listener');
    chmodSync(tmp.dir, 0o700);
    assert.equal(statSync(address).uid, (user as { uid: number }).uid);

    const roots = { runsDir: path.join(tmp.dir, 'runs'), cacheDir: path.join(tmp.dir, 'cache'), dataSource: 'official' };
    const client = clientFor({ address, tokenFile: path.join(tmp.dir, 'service.token') }, roots);
    await assert.rejects(client.request('predict', { runDir: path.join(roots.runsDir, 'r'), texts: ['secret text'], backend: 'cpu' }).result, isCode('unsafe-folder', new RegExp(`belongs to another user \\(uid ${(user as { uid: number }).uid}\\)`)));
    await client.disconnect();
    const service = await startService(tmp.dir, roots, { address, waitForToken: false });
    const { code, stderr } = await service.exited;
    assert.equal(code, 1);
    assert.match(stderr, /belongs to another user/);
    assert.equal(heard, '', 'the planted listener heard nothing');
  });

  test('their folder planted where the private folder goes is refused; their runtime folder is not used', { skip }, async (t) => {
    const tmp = await privateTemp();
    t.after(tmp.cleanup);
    chmodSync(tmp.dir, 0o777);
    const name = (user as { name: string }).name;
    const planted = path.join(tmp.dir, `rnn-sentiment-lab-${process.getuid!()}`);
    const mkdir = spawnAs(name, `require('fs').mkdirSync(process.argv[1], { mode: 0o777 }); require('fs').chmodSync(process.argv[1], 0o777)`, [planted]);
    await mkdir.exited;
    assert.equal(statSync(planted).uid, (user as { uid: number }).uid);
    const runtime = path.join(tmp.dir, 'their-runtime');
    const mkRuntime = spawnAs(name, `require('fs').mkdirSync(process.argv[1], { mode: 0o700 })`, [runtime]);
    await mkRuntime.exited;

    const savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = tmp.dir;
    t.after(() => {
      if (savedTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = savedTmp;
    });
    assert.throws(() => privateRuntimeDir({ XDG_RUNTIME_DIR: runtime }), isCode('unsafe-folder', /belongs to another user .*remove it/i));
    const roots = { runsDir: path.join(tmp.dir, 'runs'), cacheDir: path.join(tmp.dir, 'cache'), dataSource: 'official' };
    assert.throws(() => serviceEndpoint(tmp.dir, 'test', roots), isCode('unsafe-folder', /another user/));
    // Once the planted folder is gone, the user's own is made (their runtime folder is still passed over).
    rmSync(planted, { recursive: true });
    const own = privateRuntimeDir({ XDG_RUNTIME_DIR: runtime });
    assert.equal(own, planted);
    assert.equal(statSync(own).uid, process.getuid!());
    assert.equal(statSync(own).mode & 0o777, 0o700);
  });
});
