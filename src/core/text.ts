/**
 * Turning review text into word sequences, once for training and prediction alike.
 *
 * The rule is Keras' `text_to_word_sequence` with its defaults, after the one
 * clean-up the IMDB reviews need: every HTML line break (`<br />`, `<br/>`,
 * `<br>`) becomes a space. Then the text is lowercased, each character of
 * Keras' default filter set !"#$%&()*+,-./:;<=>?@[\]^_`{|}~ plus tab and
 * newline becomes a space, and the rest is split on whitespace. The
 * apostrophe is not a filter character, so "don't" stays one word.
 */

const LINE_BREAK = /<br\s*\/?>/gi;
const KERAS_FILTERS = /[!"#$%&()*+,\-./:;<=>?@[\\\]^_`{|}~\t\n]/g;

export const TOKENIZER_VERSION = 'keras-text_to_word_sequence-v1';

export function cleanReview(text: string): string {
  return text.replace(LINE_BREAK, ' ');
}

export function tokenize(text: string): string[] {
  return cleanReview(text)
    .toLowerCase()
    .replace(KERAS_FILTERS, ' ')
    .split(/\s+/)
    .filter((w) => w.length > 0);
}
