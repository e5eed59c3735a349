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

/**
 * Keras' `text_to_word_sequence` itself, for models imported from Keras:
 * lowercase (when `lower`), every character of `filters` becomes `split`,
 * then split on `split` exactly (not on every kind of whitespace), empty
 * pieces dropped. No HTML clean-up: Keras does none.
 */
export interface TextRules {
  lower: boolean;
  filters: string;
  split: string;
}

export const KERAS_TEXT_RULES: TextRules = { lower: true, filters: '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n', split: ' ' };

/** The tokenizer name of vocabularies imported from Keras (their rules are in `textRules`). */
export const KERAS_TOKENIZER = 'keras-text_to_word_sequence';

export function textToWordSequence(text: string, rules: TextRules = KERAS_TEXT_RULES): string[] {
  const filters = new Set(rules.filters);
  let translated = '';
  for (const c of rules.lower ? text.toLowerCase() : text) translated += filters.has(c) ? rules.split : c;
  return translated.split(rules.split).filter((w) => w.length > 0);
}

/** The tokenizer a vocabulary names: the lab's own, or Keras' with the vocabulary's rules; undefined for one this version lacks. */
export function tokenizerOf(vocabulary: { tokenizer: string; textRules?: TextRules }): ((text: string) => string[]) | undefined {
  if (vocabulary.tokenizer === TOKENIZER_VERSION) return tokenize;
  if (vocabulary.tokenizer === KERAS_TOKENIZER) {
    const rules = vocabulary.textRules ?? KERAS_TEXT_RULES;
    return (text) => textToWordSequence(text, rules);
  }
  return undefined;
}
