/**
 * The active-model rule, case by case: a run becomes active by itself only
 * when its training finished; when the active run goes, the best remaining
 * complete run takes over, and the user is told. Run records are the
 * dashboard tests' fixtures (pure data; no model files are read here).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunListing, RunRecord } from '../../src/core/runs';
import { activeAfterDelete, activeAfterTraining, bestCompleteRun, resolveActiveRun } from '../../src/lab/active-model';
import { runRecord } from '../webview/fixtures';

const listing = (record: RunRecord): RunListing => ({ ok: true, dir: `/runs/${record.id}`, id: record.id, record });
const lstm = runRecord('lstm', { id: 'lstm_a', createdAt: '2026-11-01T10:00:00Z', valAccuracy: [0.8, 0.85], test: 0.804 });
const simple = runRecord('simple-rnn', { id: 'simple_b', createdAt: '2026-11-02T10:00:00Z', valAccuracy: [0.7, 0.75], test: 0.75 });
const untested = runRecord('simple-rnn', { id: 'simple_c', createdAt: '2026-11-03T10:00:00Z', valAccuracy: [0.6, 0.79] });
const cancelled = runRecord('bilstm', { id: 'bilstm_x', createdAt: '2026-11-04T10:00:00Z', valAccuracy: [0.518], status: 'cancelled' });
// A checkpoint a training wrote after an epoch ("partial"): never made active by itself either.
const partial = runRecord('bilstm', { id: 'bilstm_p', createdAt: '2026-11-05T10:00:00Z', valAccuracy: [0.9], test: 0.95, status: 'partial' });
const corrupt: RunListing = { ok: false, dir: '/runs/broken', id: 'broken', problems: ['weights.bin is missing'] };

test('a complete run from a training that asked for it becomes active', () => {
  assert.deepEqual(activeAfterTraining([listing(lstm)], lstm.id, simple, true), { activeRunId: simple.id });
});

test('a training that did not ask to activate keeps the previous active model, silently', () => {
  assert.deepEqual(activeAfterTraining([listing(lstm)], lstm.id, simple, false), { activeRunId: lstm.id });
});

test('a cancelled run never replaces the active model by itself, and the user is told and offered it', () => {
  const { activeRunId, change } = activeAfterTraining([listing(lstm)], lstm.id, cancelled, true);
  assert.equal(activeRunId, lstm.id);
  assert.match(change!.message, /cancelled Bi-LSTM run bilstm_x \(1 of 5 epochs\) was not made the active model: Analyze Sentiment keeps using lstm_a/);
  assert.equal(change!.offerRunId, cancelled.id);
});

test('a partial run is treated like a cancelled one', () => {
  const { activeRunId, change } = activeAfterTraining([listing(lstm)], lstm.id, partial, true);
  assert.equal(activeRunId, lstm.id);
  assert.equal(change?.offerRunId, partial.id);
  assert.equal(bestCompleteRun([listing(partial), listing(simple)])?.id, simple.id);
});

test('a cancelled first run leaves no active model, and says so', () => {
  const { activeRunId, change } = activeAfterTraining([], undefined, cancelled, true);
  assert.equal(activeRunId, undefined);
  assert.match(change!.message, /so there is no active model/);
});

test('a cancelled run with no active model falls back to the best complete run on disk', () => {
  assert.equal(activeAfterTraining([listing(simple), listing(lstm)], undefined, cancelled, true).activeRunId, lstm.id);
});

test('deleting the active run makes the best remaining complete run active, by test accuracy, and names it', () => {
  const left = [listing(simple), listing(cancelled), listing(untested)];
  const { activeRunId, change } = activeAfterDelete(left, lstm.id, lstm.id);
  // simple_b: test 0.75; simple_c: validation 0.79 (no test) — the better score wins; the cancelled run never does.
  assert.equal(activeRunId, untested.id);
  assert.match(change!.message, /The active model lstm_a was deleted: the SimpleRNN run simple_c, the best remaining complete run, is now the active model\./);
});

test('deleting another run leaves the active model alone, silently', () => {
  assert.deepEqual(activeAfterDelete([listing(lstm)], lstm.id, simple.id), { activeRunId: lstm.id });
});

test('deleting the active run with only unfinished runs left offers Select Active Model', () => {
  const { activeRunId, change } = activeAfterDelete([listing(cancelled), corrupt], lstm.id, lstm.id);
  assert.equal(activeRunId, undefined);
  assert.equal(change!.offerSelect, true);
  assert.match(change!.message, /no complete run is left to take its place: choose the active model among the remaining run\./);
});

test('deleting the last run says no model is left, offering nothing to select', () => {
  const { activeRunId, change } = activeAfterDelete([], lstm.id, lstm.id);
  assert.equal(activeRunId, undefined);
  assert.equal(change!.offerSelect, undefined);
  assert.match(change!.message, /no trained model is left/);
});

test('on listing: a stored active run that is still readable stays, whatever its status (the user chose it)', () => {
  assert.deepEqual(resolveActiveRun([listing(lstm), listing(cancelled)], cancelled.id), { activeRunId: cancelled.id });
});

test('on listing: no stored active run but complete runs on disk (trained by the CLI, say): the best becomes active, silently', () => {
  assert.deepEqual(resolveActiveRun([listing(cancelled), listing(simple), listing(lstm)], undefined), { activeRunId: lstm.id });
  assert.deepEqual(resolveActiveRun([listing(cancelled)], undefined), { activeRunId: undefined });
});

test('on listing: a stored active run that vanished or broke is replaced by the best complete run, with a message', () => {
  const gone = resolveActiveRun([listing(simple)], 'lstm_a');
  assert.equal(gone.activeRunId, simple.id);
  assert.match(gone.change!.message, /The active model lstm_a is gone: the SimpleRNN run simple_b/);
  const broke = resolveActiveRun([corrupt, listing(simple)], 'broken');
  assert.equal(broke.activeRunId, simple.id);
});
