/**
 * The extension host starts the training service from a thread of its own
 * (src/lab/service-launcher.ts). What a user sees when that goes wrong: the
 * service's own reason for refusing to start, in one line, read from its log;
 * and a broken installation (the launcher's bundle missing) named, rather
 * than a wait for a service that never comes. Real service processes,
 * real worker threads, real files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ServiceClient } from '../../src/lab/service-client';
import { isLabError } from '../../src/core/errors';
import { SERVICE_PATH, privateTemp, requireBuilt } from './service-helpers';

test('a service that refuses to start: the client says why, in the service\'s own words from its log', async (t) => {
  requireBuilt();
  const tmp = await privateTemp();
  t.after(tmp.cleanup);
  // The service's folder must be the user's alone: one open to others makes it refuse (and exit).
  chmodSync(tmp.dir, 0o755);
  const endpoint = { address: path.join(tmp.dir, 'service.sock'), tokenFile: path.join(tmp.dir, 'service.token') };
  const roots = { runsDir: path.join(tmp.dir, 'runs'), cacheDir: path.join(tmp.dir, 'cache'), dataSource: 'official' };
  const client = new ServiceClient(() => ({ endpoint, roots, servicePath: SERVICE_PATH, nodePath: process.execPath }));
  t.after(() => client.disconnect());
  await assert.rejects(client.request('status', {}).result, (e: Error) => isLabError(e, 'service-unavailable') && /^The training service's folder is not private: .* is open to other users/.test(e.message));
  assert.match(readFileSync(path.join(tmp.dir, 'service.log'), 'utf8'), /folder is not private/, 'the refusal is in the log the launcher opened');
  assert.equal(existsSync(endpoint.address), false, 'nothing listens');
});

test('a missing launcher bundle is named, not waited for', async (t) => {
  requireBuilt();
  const tmp = await privateTemp();
  t.after(tmp.cleanup);
  const endpoint = { address: path.join(tmp.dir, 'service.sock'), tokenFile: path.join(tmp.dir, 'service.token') };
  const roots = { runsDir: path.join(tmp.dir, 'runs'), cacheDir: path.join(tmp.dir, 'cache'), dataSource: 'official' };
  // An installation whose dist/ lacks service-launcher.js (the folder holds no bundles at all).
  const client = new ServiceClient(() => ({ endpoint, roots, servicePath: path.join(tmp.dir, 'dist', 'service.js'), nodePath: process.execPath }));
  t.after(() => client.disconnect());
  await assert.rejects(client.request('status', {}).result, (e: Error) => isLabError(e, 'service-unavailable') && /^The training service could not be started: .*service-launcher\.js/.test(e.message));
});
