/**
 * The extension host's logic without VS Code: settings, the checks on every
 * dashboard message, and the RPC mechanism both channels run on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { readSettings } from '../../src/lab/settings';
import { MAX_PREDICTION_TEXT, validateDashboardRequest } from '../../src/dashboard/validation';
import { RpcEndpoint, RpcError, errorCode, errorStack, isWireMessage, toWireError, type WireMessage } from '../../src/rpc';
import { LabError } from '../../src/core/errors';

test('settings: defaults point into the extension storage and keep the tutorial\'s hyperparameters', () => {
  const s = readSettings(() => undefined, '/storage');
  assert.equal(s.dataSource, 'official');
  assert.equal(s.cacheDir, path.join('/storage', 'cache'));
  assert.equal(s.runsDir, path.join('/storage', 'runs'));
  assert.equal(s.defaultPreset, 'lstm');
  assert.equal(s.backend, 'auto');
  assert.deepEqual(s.overrides, {});
  assert.equal(s.limit, undefined);
  assert.equal(s.evaluateAfterTraining, true);
  assert.equal(s.editorExplanations, true, 'words are coloured after an analysis unless turned off');
});

test('settings: relative paths resolve against the workspace, URLs stay, wrong kinds are ignored', () => {
  const values: Record<string, unknown> = {
    'data.source': 'data/aclImdb.tar.gz',
    runsFolder: 'models',
    'training.epochs': 2,
    'training.maxlen': 'lots',
    'training.limit': 300,
    defaultPreset: 'gru',
    backend: 'wasm',
    evaluateAfterTraining: false,
    'editor.explanations': false,
  };
  const s = readSettings((k) => values[k], '/storage', '/work/space');
  assert.equal(s.dataSource, path.resolve('/work/space/data/aclImdb.tar.gz'));
  assert.equal(s.runsDir, path.resolve('/work/space/models'));
  assert.deepEqual(s.overrides, { epochs: 2 });
  assert.equal(s.limit, 300);
  assert.equal(s.defaultPreset, 'lstm');
  assert.equal(s.backend, 'wasm');
  assert.equal(s.evaluateAfterTraining, false);
  assert.equal(s.editorExplanations, false);
  assert.equal(readSettings((k) => (k === 'data.source' ? 'https://example.org/a.tar.gz' : undefined), '/s').dataSource, 'https://example.org/a.tar.gz');
});

test('dashboard messages: well-formed requests pass, anything else is refused with the reason', () => {
  assert.deepEqual(validateDashboardRequest('ready', {}), {});
  assert.deepEqual(validateDashboardRequest('predict', { runId: 'lstm_2026', text: 'great' }), { runId: 'lstm_2026', text: 'great' });
  assert.deepEqual(validateDashboardRequest('trainModel', { preset: 'bilstm' }), { preset: 'bilstm' });
  assert.deepEqual(validateDashboardRequest('trainModel', {}), {});
  const refused = (method: string, params: unknown, pattern: RegExp) =>
    assert.throws(() => validateDashboardRequest(method as never, params), (e: Error & { code?: string }) => e.code === 'bad-argument' && pattern.test(e.message));
  refused('deleteRun', { runId: '../../etc' }, /path separators/);
  refused('deleteRun', { runId: '.hidden' }, /dot/);
  refused('deleteRun', { runId: 42 }, /runId/);
  refused('setActiveRun', {}, /runId/);
  refused('predict', { runId: 'a', text: 'x', extra: true }, /Unrecognized key/);
  refused('predict', { runId: 'a', text: 'x'.repeat(MAX_PREDICTION_TEXT + 1) }, /text/);
  refused('trainModel', { preset: 'gru' }, /preset/);
  assert.deepEqual(validateDashboardRequest('explain', { predictionId: 'm1-2', method: 'occlusion' }), { predictionId: 'm1-2', method: 'occlusion' });
  refused('explain', { predictionId: 'm1-2', method: 'shap' }, /method/);
  refused('explain', { predictionId: 'x'.repeat(101), method: 'ig' }, /predictionId/);
  refused('explain', { predictionId: 'm1-2' }, /method/);
  refused('ready', null, /Invalid "ready"/);
  refused('runShellCommand', { command: 'rm -rf /' }, /Unknown dashboard request/);
});

function pair(logStack?: (stack: string) => void) {
  type Add = { add: { params: { x: number; y: number }; result: number } };
  type Echo = { echo: { params: string; result: string } };
  const deliver = (to: () => { receive(m: WireMessage): void }) => (m: WireMessage) => queueMicrotask(() => to().receive(structuredClone(m)));
  // Each delivers to the other, looked up when a message is sent.
  const a: RpcEndpoint<Add, Echo, { tick: number }> = new RpcEndpoint(deliver(() => b), logStack);
  const b: RpcEndpoint<Echo, Add, { tick: number }> = new RpcEndpoint(deliver(() => a));
  return { a, b };
}

test('rpc: requests resolve by id, stream events, cancel, notify, and fail cleanly', async () => {
  const { a, b } = pair();
  a.handle('add', async ({ x, y }, { emit, signal }) => {
    for (let i = 1; i <= 3; i++) emit('tick', i);
    if (x < 0) throw new LabError('bad-argument', 'negative');
    if (x === 0) {
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
      throw new LabError('cancelled', 'stopped');
    }
    return x + y;
  });
  const ticks: number[] = [];
  const [r1, r2] = await Promise.all([b.request('add', { x: 2, y: 3 }, (_e, n) => ticks.push(n)).result, b.request('add', { x: 10, y: 1 }).result]);
  assert.equal(r1, 5);
  assert.equal(r2, 11);
  assert.deepEqual(ticks, [1, 2, 3]);
  await assert.rejects(b.request('add', { x: -1, y: 0 }).result, (e: Error) => e instanceof RpcError && e.code === 'bad-argument' && e.message === 'negative');
  const slow = b.request('add', { x: 0, y: 0 });
  slow.cancel();
  await assert.rejects(slow.result, (e: Error) => e instanceof RpcError && e.code === 'cancelled');
  await assert.rejects(a.request('echo', 'hi').result, (e: Error) => e instanceof RpcError && e.code === 'unknown-method');

  const seen: string[] = [];
  b.handle('echo', (text) => {
    seen.push(text);
    return text;
  });
  a.notify('echo', 'one-way');
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(seen, ['one-way']);

  const hanging = a.request('echo', 'x');
  a.failAll('worker-crashed', 'gone');
  await assert.rejects(hanging.result, (e: Error) => e instanceof RpcError && e.code === 'worker-crashed');
  assert.equal(isWireMessage({ kind: 'request', id: 'x', method: 'add' }), false);
  assert.equal(isWireMessage({ kind: 'notification', method: 'state', params: {} }), true);
});

test('rpc errors: a bug crosses as "internal" with its message only; its stack goes to the log, or along to the caller who logs it', async () => {
  const logged: string[] = [];
  const withLog = pair((stack) => logged.push(stack));
  withLog.a.handle('add', () => {
    throw new TypeError('x is undefined');
  });
  const failure = await withLog.b.request('add', { x: 1, y: 1 }).result.then(() => undefined, (e: unknown) => e);
  assert.ok(failure instanceof RpcError);
  assert.equal(errorCode(failure), 'internal');
  assert.equal(failure.message, 'x is undefined', 'no stack in the message');
  assert.equal(errorStack(failure), undefined, 'the stack stayed with the side that logged it');
  assert.equal(logged.length, 1);
  assert.match(logged[0], /TypeError: x is undefined\n\s+at /);

  // Without a log the stack travels apart from the message; relayed once more, it keeps its code, message and stack.
  const inner = pair();
  inner.a.handle('add', () => {
    throw new RangeError('out of range');
  });
  const outer = pair();
  outer.a.handle('add', (params) => inner.b.request('add', params).result);
  const relayed = await outer.b.request('add', { x: 1, y: 1 }).result.then(() => undefined, (e: unknown) => e);
  assert.ok(relayed instanceof RpcError);
  assert.deepEqual(toWireError(relayed).code, 'internal');
  assert.equal(relayed.message, 'out of range');
  assert.match(errorStack(relayed) ?? '', /RangeError: out of range\n\s+at /);
  assert.deepEqual(toWireError(new LabError('not-found', 'No run "x".')), { code: 'not-found', message: 'No run "x".' });
  assert.deepEqual(toWireError('a string'), { code: 'internal', message: 'a string' });
});
