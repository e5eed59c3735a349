/**
 * Install Native Backend when the registry cannot be reached: the real npm,
 * pointed at a closed local port (so the test needs no network and cannot
 * use it), fails; the user gets one sentence, the log gets npm's output, and
 * no half-installed folder is left for the worker to find.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { installFailure, installNativeBackend, nativeBackendInstalled } from '../../src/lab/native-backend';
import { tempDir } from './helpers';

/** A port that was free a moment ago: nothing listens there. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('offline, the install fails in one sentence, logs npm\'s output, and leaves nothing behind', { timeout: 120_000 }, async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const saved = { registry: process.env.npm_config_registry, retries: process.env.npm_config_fetch_retries, cache: process.env.npm_config_cache };
  t.after(() => {
    for (const [key, value] of [['npm_config_registry', saved.registry], ['npm_config_fetch_retries', saved.retries], ['npm_config_cache', saved.cache]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
  process.env.npm_config_registry = `http://127.0.0.1:${await closedPort()}/`;
  process.env.npm_config_fetch_retries = '0';
  process.env.npm_config_cache = path.join(dir, 'npm-cache'); // An empty cache: npm must ask the registry.
  const target = path.join(dir, 'native-backend');
  const logged: string[] = [];
  await assert.rejects(installNativeBackend(target, (line) => logged.push(line)), (error: Error) => {
    assert.equal(error.message, 'npm could not reach the package registry or TensorFlow\'s download server (is this machine offline?).');
    return true;
  });
  assert.ok(logged.some((line) => /ECONNREFUSED/.test(line)), 'npm\'s own output went to the log');
  assert.equal(existsSync(target), false);
  assert.equal(existsSync(`${target}.installing`), false);
  assert.equal(nativeBackendInstalled(target), false);
});

test('other npm failures are said in one sentence too', () => {
  assert.equal(installFailure('npm', 243, 'npm error code EACCES\nnpm error syscall mkdir'), 'npm was not allowed to write its files (permission denied).');
  assert.equal(installFailure('npm', 1, 'npm error something else\n'), 'npm stopped with exit code 1.');
});
