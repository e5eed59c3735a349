/**
 * Preprocessing against Keras' documented behaviour, on small hand-made inputs:
 * text_to_word_sequence, imdb.load_data's start/oov/index_from conventions,
 * pad_sequences' 'pre' padding and truncating, and validation_split.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenize } from '../../src/core/text';
import { INDEX_FROM, OOV_CHAR, START_CHAR, TextEncoder, Vocabulary, encodeRanks, padSequence, wordIndex } from '../../src/core/vocabulary';
import { shuffledOrder } from '../../src/core/dataset';
import { tokenizeCorpus } from '../../src/core/dataset/tokenized';
import { corpusFrom } from '../../src/core/dataset/reviews';

test('tokenize follows text_to_word_sequence: lowercases, filters punctuation, keeps apostrophes, drops <br />', () => {
  assert.deepEqual(tokenize('Hello, World!'), ['hello', 'world']);
  assert.deepEqual(tokenize("Don't   stop-me now...\tplease"), ["don't", 'stop', 'me', 'now', 'please']);
  assert.deepEqual(tokenize('Great.<br /><br />Really<br/>great<BR>'), ['great', 'really', 'great']);
  assert.deepEqual(tokenize('(a) [b] {c} "d" #e $f %g &h *i +j /k :l ;m <n> =o ?p @q \\r ^s _t `u |v ~w'), 'a b c d e f g h i j k l m n o p q r s t u v w'.split(' '));
  assert.deepEqual(tokenize('   '), []);
  assert.deepEqual(tokenize('Café naïve'), ['café', 'naïve']);
});

test('vocabulary ranks by frequency, ties in first-seen order, as Keras Tokenizer', () => {
  const corpus = corpusFrom([
    { split: 'train', label: 0, id: 0, rating: 1, text: 'b a c a' },
    { split: 'train', label: 1, id: 0, rating: 9, text: 'c a d' },
    { split: 'test', label: 0, id: 0, rating: 1, text: 'a zzz' },
    { split: 'test', label: 1, id: 0, rating: 9, text: 'a' },
  ]);
  const tokenized = tokenizeCorpus(corpus);
  // a:3, c:2, b:1 (seen before d), d:1
  assert.deepEqual(tokenized.vocabulary.words, ['a', 'c', 'b', 'd']);
  // Test words unseen in training get rank 0 (later the OOV index); the test split never shapes the vocabulary.
  assert.deepEqual(Array.from(tokenized.test.ranks.subarray(tokenized.test.offsets[0], tokenized.test.offsets[1])), [1, 0]);
});

test('word indices: start_char=1, oov_char=2, index_from=3, indices at or past num_words become 2', () => {
  assert.equal(START_CHAR, 1);
  assert.equal(OOV_CHAR, 2);
  assert.equal(INDEX_FROM, 3);
  assert.equal(wordIndex(1, 10000), 4); // the most frequent word
  assert.equal(wordIndex(9996, 10000), 9999); // the last index kept
  assert.equal(wordIndex(9997, 10000), OOV_CHAR); // index 10000 is at num_words
  assert.equal(wordIndex(0, 10000), OOV_CHAR); // unknown word
  assert.deepEqual(Array.from(encodeRanks([1, 2, 7, 0], 10)), [1, 4, 5, OOV_CHAR, OOV_CHAR]);
});

test('pad_sequences pads and truncates at the front with 0', () => {
  assert.deepEqual(Array.from(padSequence([1, 2, 3], 5)), [0, 0, 1, 2, 3]);
  assert.deepEqual(Array.from(padSequence([1, 2, 3, 4, 5, 6], 4)), [3, 4, 5, 6]);
  assert.deepEqual(Array.from(padSequence([7, 8], 2)), [7, 8]);
  assert.deepEqual(Array.from(padSequence([], 3)), [0, 0, 0]);
});

test('the prediction encoder maps unknown words to OOV and reports truncation', () => {
  const encoder = new TextEncoder(new Vocabulary(['the', 'movie', 'great']), 6, 4);
  // the→4, movie→5, great→6 ≥ num_words → 2, zorblax unknown → 2
  const e = encoder.encode('The movie, great zorblax!');
  assert.deepEqual(Array.from(e.ids), [4, 5, 2, 2]);
  assert.equal(e.tokenCount, 4);
  assert.equal(e.truncated, true); // start char + 4 words = 5 > maxlen 4: the start char was cut
  assert.equal(e.wordsRead, 4);
  assert.equal(e.oovCount, 2);
  // Unknown words in the cut-off front are not counted: the model never read them.
  const long = encoder.encode('zorblax zorblax the movie the movie');
  assert.deepEqual([long.tokenCount, long.wordsRead, long.oovCount], [6, 4, 0]);
  // Only punctuation and numbers: one unknown word ("123"), none known.
  const noise = encoder.encode('!!! ??? 123 ...');
  assert.deepEqual([noise.tokenCount, noise.wordsRead, noise.oovCount], [1, 1, 1]);
  assert.deepEqual([encoder.encode('## !!').wordsRead, encoder.encode('## !!').oovCount], [0, 0]);
  const short = encoder.encode('movie');
  assert.deepEqual(Array.from(short.ids), [0, 0, 1, 5]);
  assert.equal(short.truncated, false);
  for (const id of encoder.encode('%%% unknown ??? words ünïcode 12345').ids) assert.ok(Number.isInteger(id) && id >= 0 && id < 6);
});

test('shuffling is seeded: the same seed gives the same permutation', () => {
  assert.deepEqual(shuffledOrder(50, 113), shuffledOrder(50, 113));
  assert.notDeepEqual(shuffledOrder(50, 113), shuffledOrder(50, 114));
  assert.deepEqual([...shuffledOrder(10, 1)].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});
