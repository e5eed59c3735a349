/**
 * Keras' IMDB conventions (`keras.datasets.imdb.load_data`), shared by
 * training and prediction so the two can never disagree:
 * words ranked by frequency in the training set (rank 1 is the most frequent),
 * index = rank + INDEX_FROM, every sequence starts with START_CHAR, an index at
 * or past `numWords` (and any word never seen in training) becomes OOV_CHAR,
 * and `pad_sequences` pads and truncates at the front with PAD_VALUE.
 */
import { tokenize } from './text';

export const PAD_VALUE = 0;
export const START_CHAR = 1;
export const OOV_CHAR = 2;
export const INDEX_FROM = 3;

/** Words in rank order: `words[0]` has rank 1. */
export class Vocabulary {
  private readonly rankByWord: Map<string, number>;

  constructor(readonly words: readonly string[]) {
    this.rankByWord = new Map(words.map((w, i) => [w, i + 1]));
  }

  /**
   * Ranks by count, most frequent first; ties keep the order in which words
   * were first seen, as Keras' Tokenizer (a stable sort of an ordered dict) does.
   */
  static fromCounts(counts: Map<string, number>): Vocabulary {
    const entries = [...counts.entries()];
    entries.sort((a, b) => b[1] - a[1]); // Array.prototype.sort is stable.
    return new Vocabulary(entries.map(([w]) => w));
  }

  get size(): number {
    return this.words.length;
  }

  /** 1-based rank, or 0 for a word the training set never had. */
  rankOf(word: string): number {
    return this.rankByWord.get(word) ?? 0;
  }

  /** The words that keep their own index under `numWords`; the rest are OOV anyway. */
  limitedTo(numWords: number): Vocabulary {
    return new Vocabulary(this.words.slice(0, Math.max(0, numWords - INDEX_FROM - 1)));
  }
}

/** Keras' index of a ranked word (rank 0 = unknown word). */
export function wordIndex(rank: number, numWords: number): number {
  if (rank <= 0) return OOV_CHAR;
  const index = rank + INDEX_FROM;
  return index < numWords ? index : OOV_CHAR;
}

/**
 * `pad_sequences([seq], maxlen, padding='pre', truncating='pre', value=0)`:
 * a long sequence keeps its last `maxlen` entries, a short one gets zeros in front.
 */
export function padSequence(sequence: ArrayLike<number>, maxlen: number, out = new Int32Array(maxlen)): Int32Array {
  const kept = Math.min(sequence.length, maxlen);
  const skip = sequence.length - kept;
  const offset = maxlen - kept;
  out.fill(PAD_VALUE, 0, offset);
  for (let i = 0; i < kept; i++) out[offset + i] = sequence[skip + i];
  return out;
}

/** Ranks of a review's words → Keras indices with the start character in front. */
export function encodeRanks(ranks: ArrayLike<number>, numWords: number): Int32Array {
  const seq = new Int32Array(ranks.length + 1);
  seq[0] = START_CHAR;
  for (let i = 0; i < ranks.length; i++) seq[i + 1] = wordIndex(ranks[i], numWords);
  return seq;
}

export interface EncodedText {
  /** Length `maxlen`, ready for the model. */
  ids: Int32Array;
  /** Words the text had (before the start character and padding). */
  tokenCount: number;
  /** True when the front of the text was cut to fit `maxlen` (the model read only the end). */
  truncated: boolean;
  /** Words the model read: all of them, or the last `maxlen` of a longer text. */
  wordsRead: number;
  /** Of the words read, those that became OOV: unknown to the training set or past numWords. */
  oovCount: number;
}

/**
 * How indices are made from ranks: the lab's are Keras' imdb conventions
 * (constants above); a model imported from Keras brings its own (a
 * Tokenizer has no start character, and may drop unknown words: oovChar null).
 */
export interface IndexRules {
  startChar: number | null;
  oovChar: number | null;
  indexFrom: number;
}

/** How the start character shows among a text's tokens (explanations list it). */
export const START_TOKEN = '<start>';

export const LAB_INDEX_RULES: IndexRules = { startChar: START_CHAR, oovChar: OOV_CHAR, indexFrom: INDEX_FROM };

/** The single text → model-input path used by prediction (training uses the same helpers on ranks). */
export class TextEncoder {
  constructor(
    private readonly vocabulary: Vocabulary,
    readonly numWords: number,
    readonly maxlen: number,
    private readonly tokenizeText: (text: string) => string[] = tokenize,
    readonly rules: IndexRules = LAB_INDEX_RULES,
  ) {}

  /**
   * The words the model reads, each beside its index, before padding and
   * truncation: the start character first (as "<start>") when the rules have
   * one. A word that a Tokenizer without oov_token drops is in neither list;
   * `unknownAt` still says where it would have stood.
   */
  sequenceOf(text: string): { tokens: string[]; sequence: Int32Array; wordCount: number; unknownAt: number[] } {
    const words = this.tokenizeText(text);
    const { startChar, oovChar, indexFrom } = this.rules;
    const tokens: string[] = startChar === null ? [] : [START_TOKEN];
    const seq: number[] = startChar === null ? [] : [startChar];
    const unknownAt: number[] = [];
    for (const word of words) {
      const rank = this.vocabulary.rankOf(word);
      const index = rank + indexFrom;
      if (rank > 0 && index < this.numWords) {
        seq.push(index);
        tokens.push(word);
        continue;
      }
      unknownAt.push(seq.length);
      if (oovChar !== null) {
        seq.push(oovChar);
        tokens.push(word);
      }
    }
    return { tokens, sequence: Int32Array.from(seq), wordCount: words.length, unknownAt };
  }

  encode(text: string): EncodedText {
    const { sequence: seq, wordCount, unknownAt } = this.sequenceOf(text);
    const truncated = seq.length > this.maxlen;
    // Only what the model reads counts: a long text's cut-off front says nothing about the answer.
    const firstRead = seq.length - Math.min(seq.length, this.maxlen);
    const unknownRead = unknownAt.filter((at) => at >= firstRead).length;
    const dropped = this.rules.oovChar === null ? unknownRead : 0;
    const wordsRead = truncated ? this.maxlen + dropped : wordCount;
    return { ids: padSequence(seq, this.maxlen), tokenCount: wordCount, truncated, wordsRead, oovCount: unknownRead };
  }
}
