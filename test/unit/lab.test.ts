/**
 * The extension host's lab (what commands and dashboards act through) with
 * the real worker thread, real files and the shared corpus. VS Code's
 * Memento cannot exist outside VS Code: a Map stands in for it here; the
 * real one is exercised by the tests inside VS Code.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { Lab, type LabChange } from '../../src/lab/lab';
import { ServiceClient, serviceRoots } from '../../src/lab/service-client';
import { serviceEndpoint } from '../../src/service/address';
import { readSettings, type LabSettings } from '../../src/lab/settings';
import { resolveHyperparameters } from '../../src/core/presets';
import { RpcError, errorCode } from '../../src/rpc';
import { LabError } from '../../src/core/errors';
import { MapStore, REPO_ROOT, TEST_CACHE_DIR, imdbArchive, requireBuilt, tempDir, waitFor } from './helpers';

/** The batches a run folder's run.json holds. */
const readRecordBatches = async (runDir: string) => (JSON.parse(await readFile(path.join(runDir, 'run.json'), 'utf8')) as { history: { batches: unknown[] } }).history.batches;

// The service exits soon after its last window disconnects, so tests leave no process behind.
process.env.RNN_SENTIMENT_LAB_SERVICE_IDLE_MS = '1500';
/** The service for a lab's settings, with its socket in the test's own (0700) folder. */
const serviceAt = (dir: string, settings: () => LabSettings) =>
  new ServiceClient(() => {
    const roots = serviceRoots(settings());
    return { endpoint: serviceEndpoint(dir, 'test', roots, { privateDir: dir }), roots, servicePath: path.join(REPO_ROOT, 'dist', 'service.js'), nodePath: process.execPath };
  });

describe('the lab behind the commands and dashboards', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let lab: Lab;
  let store: MapStore;
  const changes: LabChange[] = [];
  const tiny = () => resolveHyperparameters('simple-rnn', { maxlen: 20, epochs: 2, batchSize: 32 });
  let archive: string;

  before(async () => {
    requireBuilt();
    archive = await imdbArchive();
    ({ dir, cleanup } = await tempDir());
    store = new MapStore();
    const values: Record<string, unknown> = { 'data.source': archive, cacheFolder: TEST_CACHE_DIR, runsFolder: path.join(dir, 'runs'), 'training.limit': 300 };
    const settings = () => readSettings((k) => values[k], dir);
    lab = new Lab(serviceAt(dir, settings), store, settings);
    lab.onDidChange((c) => changes.push(c));
  });
  after(async () => {
    await lab.dispose();
    await cleanup();
  });

  test('before any training: no runs, no active model, prediction says to train first', async () => {
    await lab.refreshRuns();
    const state = lab.snapshot();
    assert.deepEqual(state.runs, []);
    assert.equal(state.activeRunId, undefined);
    assert.deepEqual(state.presets.map((p) => [p.name, p.architecture.totalParams]), [['lstm', 337_025], ['simple-rnn', 322_113], ['bilstm', 353_537], ['lstm-sentences', 1_346_305]], 'the default preset (lstm) first');
    await assert.rejects(lab.predict(['good'], { source: 'editor' }), (e: Error) => e instanceof LabError && e.code === 'not-found' && /train one first/.test(e.message));
  });

  test('the service can be started ahead of any request, with nobody waiting (the extension does so once activated)', async () => {
    const own = await tempDir();
    const values: Record<string, unknown> = { 'data.source': archive, cacheFolder: TEST_CACHE_DIR, runsFolder: path.join(own.dir, 'runs') };
    const settings = () => readSettings((k) => values[k], own.dir);
    const client = serviceAt(own.dir, settings);
    const probe = serviceAt(own.dir, settings);
    try {
      assert.equal(await probe.connectIfRunning(), false, 'no service runs for these folders yet');
      client.startInBackground();
      const deadline = Date.now() + 30_000;
      while (!(await probe.connectIfRunning())) {
        assert.ok(Date.now() < deadline, 'the service started in the background answers within 30 s');
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await probe.disconnect();
      await client.disconnect();
      await own.cleanup();
    }
  });

  // The tests below that use "the first run" need this one to have passed.
  let firstRunId: string | undefined;
  const firstRun = () => {
    assert.ok(firstRunId, 'needs the run trained by "a training streams into the state…"');
    return firstRunId;
  };

  test('a training streams into the state, the service refuses a second one, and it ends as the active run', async () => {
    changes.length = 0;
    let sawTrainingState = false;
    let refusal: Promise<void> | undefined;
    let restart: Promise<void> | undefined;
    const training = lab.train({ hyperparameters: tiny() }, (event) => {
      if (event === 'batch' && !refusal) {
        const state = lab.snapshot().training!;
        sawTrainingState = state.phase === 'training' && state.batches.length >= 1 && state.preset === 'simple-rnn';
        refusal = assert.rejects(lab.train({ hyperparameters: tiny() }), (e: Error) => e instanceof RpcError && e.code === 'busy' && /already running \(SimpleRNN/.test(e.message));
        // A backend change during a training: the worker restarts once it ends, and the request succeeds now.
        restart = lab.restartWorker();
      }
    });
    const result = await training;
    await refusal;
    await restart;
    assert.ok(refusal && restart, 'a batch arrived during the training');
    assert.ok(sawTrainingState, 'the snapshot showed the training while it ran');
    assert.equal(lab.snapshot().training, undefined);
    assert.equal(lab.snapshot().activeRunId, result.record.id);
    assert.equal(lab.snapshot().runs.length, 1);
    const updates = changes.filter((c): c is Extract<LabChange, { kind: 'training' }> => c.kind === 'training');
    const events = new Set(updates.map((u) => u.update.event));
    for (const event of ['started', 'batch', 'epoch'] as const) assert.ok(events.has(event), `listeners saw a "${event}" update`);
    assert.equal(updates.filter((u) => u.update.event === 'epoch').length, 2);
    assert.equal(updates.find((u) => u.update.event === 'started')?.update.phase, 'training');
    assert.ok(result.record.test, 'evaluated after training, as the setting says');
    firstRunId = result.record.id;
  });

  test('dashboards get a long training\'s batches thinned to what a chart draws, every epoch\'s end kept; the run on disk keeps them all', async () => {
    // The first run, copied with the history of a long training: 6 epochs of 1,900 batches.
    const source = path.join(dir, 'runs', firstRun());
    const id = `${firstRun()}-long`;
    const copy = path.join(dir, 'runs', id);
    await cp(source, copy, { recursive: true });
    const record = JSON.parse(await readFile(path.join(copy, 'run.json'), 'utf8')) as { id: string; history: { batches: Array<Record<string, number>> } };
    const template = record.history.batches[0];
    record.id = id;
    record.history.batches = Array.from({ length: 6 * 1900 }, (_, i) => ({ ...template, epoch: Math.floor(i / 1900) + 1, epochs: 6, batch: (i % 1900) + 1, batchesPerEpoch: 1900, loss: 1 / (i + 1) }));
    await writeFile(path.join(copy, 'run.json'), JSON.stringify(record));
    try {
      await lab.refreshRuns();
      const sent = lab.snapshot().runs.find((r) => r.id === id);
      assert.ok(sent?.ok, 'the copy is listed');
      const batches = sent.record.history.batches;
      assert.ok(batches.length <= 1000 + 6 && batches.length >= 900, `about 1,000 batches sent: ${batches.length}`);
      for (let epoch = 1; epoch <= 6; epoch++) assert.ok(batches.some((b) => b.epoch === epoch && b.batch === 1900), `epoch ${epoch}'s last batch is there`);
      const positions = batches.map((b) => (b.epoch - 1) * 1900 + b.batch);
      assert.deepEqual(positions, [...positions].sort((a, b) => a - b), 'in training order');
      const onDisk = JSON.parse(await readFile(path.join(copy, 'run.json'), 'utf8')) as typeof record;
      assert.equal(onDisk.history.batches.length, 6 * 1900, 'the run itself keeps every batch');
      const shortRun = lab.snapshot().runs.find((r) => r.id === firstRun());
      assert.ok(shortRun?.ok);
      assert.equal(shortRun.record.history.batches.length, (await readRecordBatches(source)).length, 'a short training is sent whole');
    } finally {
      await rm(copy, { recursive: true, force: true });
      await lab.refreshRuns();
    }
  });

  test('predictions use the active run, are kept newest first (a batch in its own order), and survive a new lab (persisted)', async () => {
    assert.equal(lab.activeRunId, firstRun());
    // No word the model knows: no label.
    const [noise] = await lab.predict(['!!! ??? ...'], { source: 'editor' });
    assert.equal(noise.prediction.label, null);
    assert.equal(noise.prediction.wordsRead, 0);
    const [older] = await lab.predict(['Fine.'], { source: 'dashboard' });
    const [a, b] = await lab.predict(['An excellent film', 'A dull, awful film'], { source: 'editor' });
    assert.equal(a.runId, lab.activeRunId);
    assert.deepEqual(lab.snapshot().predictions.map((p) => p.id), [a.id, b.id, older.id, noise.id]);
    assert.equal(store.get<unknown[]>('rnnSentimentLab.predictions')?.length, 4);
    // explained through the service by the run that answered, from the whole text kept in memory
    const explanation = await lab.explain(b.id, 'occlusion');
    assert.deepEqual(explanation.tokens.map((t) => t.text), ['<start>', 'a', 'dull', 'awful', 'film']);
    assert.ok(Math.abs(explanation.probability - b.prediction.probability) < 1e-5);
    assert.equal(explanation.attributions.removed?.length, 5);
    // asked for again (the dashboard after the editor): the same explanation, not a second computation
    assert.equal(await lab.explain(b.id, 'occlusion'), explanation);
    const defaults = () => readSettings(() => undefined, dir);
    const reopened = new Lab(serviceAt(dir, defaults), store, defaults);
    assert.equal(reopened.snapshot().predictions.length, 4);
    await assert.rejects(reopened.explain(a.id, 'ig'), (e: Error) => e instanceof LabError && e.code === 'not-found' && /analyze it again/.test(e.message));
    await assert.rejects(lab.explain('no-such-prediction', 'ig'), (e: Error) => e instanceof LabError && e.code === 'not-found');
    await reopened.dispose();
  });

  test('cancelling keeps a checkpoint that does not become active; a corrupt folder is listed as corrupt; deleting the active run says what is active now', async () => {
    const previous = firstRun();
    assert.equal(lab.activeRunId, previous);
    changes.length = 0;
    const training = lab.train({ hyperparameters: resolveHyperparameters('simple-rnn', { maxlen: 20, epochs: 20, batchSize: 16 }) }, (event) => {
      if (event === 'epoch') lab.cancelTraining();
    });
    assert.equal(lab.snapshot().training?.cancelling, false);
    const result = await training;
    assert.equal(result.cancelled, true);
    assert.equal(result.record.status, 'cancelled');
    assert.equal(lab.activeRunId, previous, 'a cancelled run never becomes active by itself');
    const told = changes.find((c): c is Extract<LabChange, { kind: 'active' }> => c.kind === 'active');
    assert.equal(told?.change.offerRunId, result.record.id, 'the user is told, and offered the cancelled run');
    assert.match(told.change.message, /keeps using/);

    const broken = path.join(dir, 'runs', 'broken-run');
    await mkdir(broken);
    await writeFile(path.join(broken, 'run.json'), 'not json');
    await lab.refreshRuns();
    const corrupt = lab.snapshot().runs.find((r) => r.id === 'broken-run');
    assert.ok(corrupt && !corrupt.ok && corrupt.problems.some((p) => p.includes('run.json is not valid JSON')));
    await assert.rejects(lab.setActiveRun('broken-run'), (e: Error) => e instanceof LabError && e.code === 'corrupt-model');

    const active = lab.activeRunId;
    changes.length = 0;
    await lab.deleteRun(active);
    // Only the cancelled run (and the corrupt folder) is left: nothing becomes active by itself, and Select Active Model is offered.
    assert.equal(lab.activeRunId, undefined);
    assert.equal(lab.snapshot().runs.some((r) => r.id === active), false);
    const toldAfterDelete = changes.find((c): c is Extract<LabChange, { kind: 'active' }> => c.kind === 'active');
    assert.equal(toldAfterDelete?.change.offerSelect, true);
  });

  test('a window reload: the training goes on in the service, and the new window follows it and can cancel it', async () => {
    const settings = () => readSettings((k) => ({ 'data.source': archive, cacheFolder: TEST_CACHE_DIR, runsFolder: path.join(dir, 'runs'), 'training.limit': 300 })[k], dir);
    const before = new Lab(serviceAt(dir, settings), new MapStore(), settings);
    let batches = 0;
    const first = before.train({ hyperparameters: resolveHyperparameters('simple-rnn', { maxlen: 20, epochs: 40, batchSize: 16 }) }, (event) => {
      if (event === 'batch') batches++;
    });
    const lost = assert.rejects(first, (e: Error) => e instanceof RpcError && e.code === 'service-disconnected');
    await waitFor('the first epoch', () => Boolean(before.snapshot().training?.epochs.length));
    await before.dispose(); // What a reload does to the old extension host.
    await lost;

    const after = new Lab(serviceAt(dir, settings), new MapStore(), settings);
    const following = after.reattach();
    await waitFor('the new window to receive a batch', () => (after.snapshot().training?.batches.length ?? 0) > batches);
    const state = after.snapshot().training!;
    assert.equal(state.preset, 'simple-rnn');
    assert.ok(state.epochs.length >= 1, 'the new window sees the epochs finished before the reload');
    assert.equal(after.cancelTraining(), true);
    await following;
    assert.equal(after.snapshot().training, undefined);
    const cancelled = after.snapshot().runs.find((r) => r.ok && r.record.status === 'cancelled' && r.record.hyperparameters.epochs === 40);
    assert.ok(cancelled, 'the cancelled training was saved as a checkpoint');
    await after.dispose();
  });

  test('a training that ends while no window follows it (a reload) is told to the next window, and its run becomes active', async () => {
    const runsFolder = path.join(dir, 'unseen-runs');
    const settings = () => readSettings((k) => ({ 'data.source': archive, cacheFolder: TEST_CACHE_DIR, runsFolder, 'training.limit': 300 })[k], dir);
    const before = new Lab(serviceAt(dir, settings), new MapStore(), settings);
    let firstBatch: () => void = () => undefined;
    const batched = new Promise<void>((resolve) => (firstBatch = resolve));
    const first = before.train({ hyperparameters: resolveHyperparameters('simple-rnn', { maxlen: 20, epochs: 2, batchSize: 32 }) }, (event) => event === 'batch' && firstBatch());
    const lost = assert.rejects(first, (e: Error) => e instanceof RpcError && e.code === 'service-disconnected');
    await batched;
    await before.dispose();
    await lost;
    // The service finishes the training alone (a run folder is written after every epoch: wait for the complete, evaluated one).
    const after = new Lab(serviceAt(dir, settings), new MapStore(), settings);
    const deadline = Date.now() + 120_000;
    while (!(await after.refreshRuns()).some((r) => r.ok && r.record.status === 'complete' && r.record.test !== undefined)) {
      assert.ok(Date.now() < deadline, 'the service saved the complete run within two minutes');
      await new Promise((r) => setTimeout(r, 100));
    }
    // Give the service a moment to settle the request after saving (the folder is renamed into place before it answers).
    const seen: LabChange[] = [];
    after.onDidChange((c) => seen.push(c));
    const settleDeadline = Date.now() + 30_000;
    while (!seen.some((c) => c.kind === 'ended-unseen')) {
      assert.ok(Date.now() < settleDeadline, 'the next window was told the training ended');
      await after.reattach();
      if (!seen.some((c) => c.kind === 'ended-unseen')) await new Promise((r) => setTimeout(r, 100));
    }
    const ended = seen.find((c): c is Extract<LabChange, { kind: 'ended-unseen' }> => c.kind === 'ended-unseen')!;
    assert.equal(ended.result.record.status, 'complete');
    assert.equal(after.activeRunId, ended.result.record.id);
    await after.reattach();
    assert.equal(seen.filter((c) => c.kind === 'ended-unseen').length, 1, 'told once');
    await after.dispose();
  });

  test('evaluating a run (a run saved by the tests above) stores its test metrics', async () => {
    const run = lab.snapshot().runs.find((r) => r.ok);
    assert.ok(run, 'needs a run saved by the tests above');
    const result = await lab.evaluate(run.id);
    assert.equal(result.metrics.count, 300);
    const stored = lab.snapshot().runs.find((r) => r.id === run.id);
    assert.ok(stored?.ok && stored.record.test?.count === 300);
    await assert.rejects(lab.evaluate('no-such-run'), (e: Error) => errorCode(e) === 'not-found');
  });
});
