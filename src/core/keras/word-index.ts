/**
 * The word index an imported Keras model was trained with, turned into the
 * run's vocabulary.json. Two forms, as Keras users have them:
 *
 * - `imdb_word_index.json` (`keras.datasets.imdb.get_word_index()`): word →
 *   frequency rank from 1; `imdb.load_data` adds `index_from` (3), puts
 *   `start_char` (1) in front and turns unknown words and indices at or past
 *   `num_words` into `oov_char` (2).
 * - A `Tokenizer`'s `word_index` (word → index from 1, no start character;
 *   unknown words dropped, or `oov_token`'s index when it has one), either
 *   the bare dict or the whole `tokenizer.to_json()`, which also carries
 *   num_words, oov_token, lower, filters and split.
 *
 * Nothing here loads TensorFlow.
 */
import { readFile, stat } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { LabError, errorMessage } from '../errors';
import type { VocabularyFile } from '../runs';
import { KERAS_TOKENIZER, KERAS_TEXT_RULES, type TextRules } from '../text';
import { INDEX_FROM, OOV_CHAR, PAD_VALUE, START_CHAR } from '../vocabulary';

export type WordIndexKind = 'imdb' | 'tokenizer';
export const WORD_INDEX_KINDS: readonly WordIndexKind[] = ['imdb', 'tokenizer'];

/** The file Keras keeps after `imdb.load_data()` / `imdb.get_word_index()` has run. */
export const IMDB_WORD_INDEX_FILE = 'imdb_word_index.json';

/** Where Keras keeps it: `$KERAS_HOME/datasets/`, by default `~/.keras/datasets/`; undefined when it is not there. */
export async function findKerasImdbWordIndex(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const file = path.join(env.KERAS_HOME || path.join(os.homedir(), '.keras'), 'datasets', IMDB_WORD_INDEX_FILE);
  return (await stat(file).then((s) => s.isFile(), () => false)) ? file : undefined;
}

export interface WordIndexOptions {
  file: string;
  /** How a bare {word: index} file is read; a `tokenizer.to_json()` file says so itself. Default 'imdb'. */
  kind?: WordIndexKind;
  /** imdb: `index_from` of `load_data` (default 3). */
  indexFrom?: number;
  /** tokenizer: the `oov_token` the Tokenizer was made with (a word of its index). */
  oovToken?: string;
  /** `num_words` as the model was trained; default: the Embedding's input_dim. */
  numWords?: number;
}

/** What the model being imported says about the word index it needs. */
export interface EmbeddingFacts {
  layerName: string;
  inputDim: number;
  maxlen: number;
}

interface TokenizerJson {
  num_words: number | null;
  filters: string;
  lower: boolean;
  split: string;
  char_level: boolean;
  oov_token: string | null;
  index_from?: number;
  word_index: Record<string, unknown>;
}

function refuse(file: string, why: string): never {
  throw new LabError('bad-argument', `${path.basename(file)} does not fit: ${why}`);
}

/** `tokenizer.to_json()`: {"class_name": "Tokenizer", "config": {..., "word_index": "<json>"}}. */
function tokenizerConfig(json: unknown, file: string): TokenizerJson | undefined {
  const top = json as { class_name?: unknown; config?: Record<string, unknown> };
  if (top?.class_name !== 'Tokenizer') return undefined;
  const config = top.config ?? {};
  const parse = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : value);
  try {
    return {
      num_words: typeof config.num_words === 'number' ? config.num_words : null,
      filters: typeof config.filters === 'string' ? config.filters : KERAS_TEXT_RULES.filters,
      lower: config.lower !== false,
      split: typeof config.split === 'string' ? config.split : KERAS_TEXT_RULES.split,
      char_level: config.char_level === true,
      oov_token: typeof config.oov_token === 'string' ? config.oov_token : null,
      word_index: parse(config.word_index) as Record<string, unknown>,
    };
  } catch (error) {
    refuse(file, `its Tokenizer word_index is not valid JSON (${errorMessage(error)}).`);
  }
}

/** word → index, checked: positive whole numbers, one word per index. */
function checkedIndex(raw: unknown, file: string): Map<string, number> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    refuse(file, 'a Keras word index is a JSON object of word → index (as imdb.get_word_index() or Tokenizer.word_index give).');
  }
  const byWord = new Map<string, number>();
  const wordAt = new Map<number, string>();
  for (const [word, index] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 1) {
      refuse(file, `the index of "${word}" is ${JSON.stringify(index)}, not a whole number from 1 (is this a word index?).`);
    }
    const other = wordAt.get(index);
    if (other !== undefined) refuse(file, `"${other}" and "${word}" share index ${index}: a word index gives each word its own.`);
    wordAt.set(index, word);
    byWord.set(word, index);
  }
  if (byWord.size === 0) refuse(file, 'the word index is empty.');
  return byWord;
}

/** Words by rank (rank = index − indexFrom), only those whose index stays under numWords; gaps stay empty (no token is ""). */
function wordsByRank(indices: Map<string, number>, indexFrom: number, numWords: number): string[] {
  const words: string[] = [];
  for (const [word, i] of indices) {
    const rank = i - indexFrom;
    if (rank >= 1 && i < numWords) words[rank - 1] = word;
  }
  return Array.from(words, (w) => w ?? '');
}

/**
 * Reads a word index and describes, as a run's vocabulary, how the imported
 * model turns text into indices. A word index that cannot belong to the model
 * (indices past its Embedding, an oov_token it lacks) is refused naming why.
 */
export async function readWordIndex(options: WordIndexOptions, model: EmbeddingFacts): Promise<VocabularyFile> {
  const { file } = options;
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not-found' : 'bad-argument';
    throw new LabError(code, code === 'not-found' ? `No word index at ${file}.` : `${path.basename(file)} is not a JSON word index: ${errorMessage(error)}.`);
  }
  const embedding = `the Embedding layer "${model.layerName}" has input_dim ${model.inputDim}`;
  if (options.numWords !== undefined && options.numWords > model.inputDim) {
    refuse(file, `num_words ${options.numWords} is more than ${embedding}: indices past it do not exist in the model.`);
  }
  const tokenizer = tokenizerConfig(json, file);
  const kind: WordIndexKind = tokenizer ? 'tokenizer' : (options.kind ?? 'imdb');
  const index = checkedIndex(tokenizer ? tokenizer.word_index : json, file);
  const rules: TextRules = tokenizer ? { lower: tokenizer.lower, filters: tokenizer.filters, split: tokenizer.split } : KERAS_TEXT_RULES;
  const common = { tokenizer: KERAS_TOKENIZER, maxlen: model.maxlen, padding: 'pre' as const, truncating: 'pre' as const, padValue: PAD_VALUE, textRules: rules };

  if (kind === 'imdb') {
    const indexFrom = options.indexFrom ?? INDEX_FROM;
    if (!Number.isInteger(indexFrom) || indexFrom < 0) refuse(file, `index_from must be a whole number from 0, got ${indexFrom}.`);
    const numWords = options.numWords ?? model.inputDim;
    // Every imdb index is rank + index_from; the smallest rank is 1.
    const lowest = extreme(index, Math.min);
    if (lowest !== 1) refuse(file, `an imdb word index ranks words from 1, this one from ${lowest} (is it a Tokenizer's? pass the tokenizer kind).`);
    return { ...common, numWords, startChar: START_CHAR, oovChar: OOV_CHAR, indexFrom, words: wordsByRank(shifted(index, indexFrom), indexFrom, numWords) };
  }

  if (tokenizer?.char_level) refuse(file, 'the Tokenizer is char_level, the lab reads words.');
  const maxIndex = extreme(index, Math.max);
  const declared = tokenizer?.num_words ?? options.numWords;
  if (declared !== undefined && declared > model.inputDim) {
    refuse(file, `the Tokenizer keeps num_words ${declared}, more than ${embedding}.`);
  }
  if (tokenizer && declared === undefined && maxIndex >= model.inputDim) {
    refuse(file, `the Tokenizer has no num_words and indices up to ${maxIndex}, but ${embedding}: this word index was not the one the model was trained with.`);
  }
  const numWords = declared ?? model.inputDim;
  const oovToken = tokenizer ? tokenizer.oov_token : options.oovToken;
  let oovChar: number | null = null;
  if (oovToken !== undefined && oovToken !== null) {
    const at = index.get(oovToken);
    if (at === undefined) refuse(file, `its word index has no oov_token "${oovToken}".`);
    oovChar = at;
  }
  return { ...common, numWords, startChar: null, oovChar, indexFrom: 0, words: wordsByRank(index, 0, numWords) };
}

/** The smallest or largest index, without spreading a word index of a hundred thousand words into arguments. */
function extreme(index: Map<string, number>, pick: (a: number, b: number) => number): number {
  let result: number | undefined;
  for (const i of index.values()) result = result === undefined ? i : pick(result, i);
  return result ?? 0;
}

/** imdb ranks → indices (index = rank + index_from): what `load_data` does to the word index. */
function shifted(ranks: Map<string, number>, indexFrom: number): Map<string, number> {
  return new Map([...ranks].map(([w, r]) => [w, r + indexFrom]));
}

/** The vocabulary of a lab run as `imdb.get_word_index()` gives it: word → rank (index − index_from). */
export function toImdbWordIndex(vocabulary: { words: readonly string[] }): Record<string, number> {
  const index: Record<string, number> = {};
  vocabulary.words.forEach((word, i) => {
    if (word !== '') index[word] = i + 1;
  });
  return index;
}
