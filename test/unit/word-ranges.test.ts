/** Each word an explanation names is coloured where it stands in the editor's text, and nowhere else. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { textToWordSequence, tokenize } from '../../src/core/text';
import { wordRanges } from '../../src/editor/word-ranges';

const pieces = (text: string, words: string[]) => wordRanges(text, words).map((r) => (r ? text.slice(r.start, r.end) : undefined));

test('the tokenizer\'s words map back onto the text, case and punctuation as written', () => {
  const text = 'GREAT film -- I didn\'t expect (much)! 10/10, "Wonderful".';
  const words = tokenize(text);
  assert.deepEqual(words, ['great', 'film', 'i', 'didn\'t', 'expect', 'much', '10', '10', 'wonderful']);
  assert.deepEqual(pieces(text, words), ['GREAT', 'film', 'I', 'didn\'t', 'expect', 'much', '10', '10', 'Wonderful']);
});

test('a word is found whole, never inside a longer word or a removed line break', () => {
  const text = 'a<br />b cat at a';
  const words = tokenize(text);
  assert.deepEqual(words, ['a', 'b', 'cat', 'at', 'a']);
  const ranges = wordRanges(text, words);
  assert.deepEqual(ranges, [
    { start: 0, end: 1 },
    { start: 7, end: 8 },
    { start: 9, end: 12 },
    { start: 13, end: 15 },
    { start: 16, end: 17 },
  ]);
  // Keras' own rules keep "br" as a word: it is found in the tag.
  assert.deepEqual(pieces(text, textToWordSequence(text)), ['a', 'br', 'b', 'cat', 'at', 'a']);
});

test('offsets stay on the original text when lowercasing changes a length, and multi-line text keeps its line breaks', () => {
  const text = 'İstanbul was\nlovely\tTRULY';
  const words = tokenize(text);
  assert.deepEqual(pieces(text, words), ['İstanbul', 'was', 'lovely', 'TRULY']);
  assert.deepEqual(wordRanges(text, words)[1], { start: 9, end: 12 });
});

test('a word not in the text is undefined and the words after it are still found', () => {
  assert.deepEqual(pieces('good plot, bad acting', ['good', 'missing', 'bad', 'acting']), ['good', undefined, 'bad', 'acting']);
  assert.deepEqual(wordRanges('', []), []);
});
