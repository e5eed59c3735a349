/** How an answer is said everywhere: the label and how sure, never a bare P(positive). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Prediction } from '../../src/core/metrics';
import { formatPositiveProbability, formatVerdict, knownWords, readingNotes, verdictSymbol } from '../../src/core/verdict';

const p = (o: Partial<Prediction>): Prediction => ({ probability: 0.5, label: 'positive', tokenCount: 10, truncated: false, wordsRead: 10, oovCount: 0, ...o });

test('a low P(positive) reads as a confident negative, not as low confidence', () => {
  assert.equal(formatVerdict(p({ probability: 0.004, label: 'negative' })), 'negative, 99.6% sure');
  assert.equal(formatVerdict(p({ probability: 0.867 })), 'positive, 86.7% sure');
  assert.equal(formatVerdict(p({ probability: 0.5 })), 'positive, 50.0% sure');
  assert.equal(formatPositiveProbability(0.004), 'P(positive) = 0.004');
});

test('near certainty is never rounded up to an impossible 100%', () => {
  assert.equal(formatVerdict(p({ probability: 0.99996 })), 'positive, over 99.9% sure');
  assert.equal(formatVerdict(p({ probability: 0.00001, label: 'negative' })), 'negative, over 99.9% sure');
});

test('no known word: no label, and the notes say why', () => {
  assert.equal(formatVerdict(p({ probability: 0.035, label: null })), 'no known word');
  assert.equal(verdictSymbol(null), '?');
  assert.deepEqual(readingNotes(p({ label: null, tokenCount: 1, wordsRead: 1, oovCount: 1 })), ['its one word is unknown to the model']);
  assert.deepEqual(readingNotes(p({ label: null, tokenCount: 3, wordsRead: 3, oovCount: 3 })), ['none of its 3 words is known to the model']);
  assert.deepEqual(readingNotes(p({ label: null, tokenCount: 0, wordsRead: 0, oovCount: 0 })), ['the text has no words, only punctuation and spaces']);
});

test('unknown words and a cut-off front are counted over what the model read, with plurals right', () => {
  assert.deepEqual(readingNotes(p({ oovCount: 1, wordsRead: 12, tokenCount: 12 })), ['1 of 12 words read is unknown to the model']);
  assert.deepEqual(readingNotes(p({ truncated: true, tokenCount: 812, wordsRead: 500, oovCount: 14 })), ['only the last 500 of its 812 words were read', '14 of 500 words read are unknown to the model']);
  assert.equal(knownWords(p({ wordsRead: 500, oovCount: 14 })), 486);
  // Stored by an older version, without wordsRead: all words were read.
  assert.equal(knownWords({ probability: 0.2, label: 'negative', tokenCount: 7, truncated: false, oovCount: 2 }), 5);
});
