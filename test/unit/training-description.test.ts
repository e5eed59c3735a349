/** Train Model shows what will actually run: the user's overrides marked as such, a subset stated. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveHyperparameters } from '../../src/core/presets';
import { describeSettings, trainingTitle } from '../../src/lab/training-description';

test('the tutorial\'s settings read plainly', () => {
  assert.equal(describeSettings(resolveHyperparameters('lstm', {}), {}, undefined), '5 epochs · batch 128 · maxlen 500 · 32 units · adam lr 0.001');
  assert.equal(trainingTitle('lstm', undefined), 'Training LSTM');
});

test('values from the user\'s settings are marked, with the tutorial\'s value beside them', () => {
  const overrides = { epochs: 1, maxlen: 100, dropout: 0.5 };
  assert.equal(
    describeSettings(resolveHyperparameters('bilstm', overrides), overrides, undefined),
    '1 epoch (your setting; tutorial: 5) · batch 128 · maxlen 100 (your setting; tutorial: 500) · 32 units · adam lr 0.001 · also your settings: dropout 0.5',
  );
  // A setting equal to the tutorial's value changes nothing and is not marked.
  assert.equal(describeSettings(resolveHyperparameters('lstm', { batchSize: 128 }), { batchSize: 128 }, undefined), '5 epochs · batch 128 · maxlen 500 · 32 units · adam lr 0.001');
});

test('a training.limit subset is stated in the quick pick and the notification', () => {
  assert.match(describeSettings(resolveHyperparameters('simple-rnn', {}), {}, 3000), / · on a subset: the first 3,000 reviews of each split \(training\.limit\)$/);
  assert.equal(trainingTitle('simple-rnn', 3000), 'Training SimpleRNN on a subset: the first 3,000 reviews of each split');
});

test('training on every sentence too is said, and marked when it is the user\'s setting', () => {
  const overrides = { trainOn: 'reviews-and-sentences' as const };
  assert.equal(
    describeSettings(resolveHyperparameters('lstm', overrides), overrides, undefined),
    '5 epochs · batch 128 · maxlen 500 · 32 units · adam lr 0.001 · every sentence too (your setting; tutorial: reviews)',
  );
});
