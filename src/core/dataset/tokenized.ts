/**
 * The expensive, settings-independent half of preprocessing: every review
 * tokenised and its words replaced by their frequency rank in the training
 * set. It is cached on disk per source and tokenizer version, so changing
 * num_words, maxlen, the seed or the limit never re-reads the archive.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { sweepAbandoned, writeFailure, writeFolder } from '../durable-files';
import { throwIfCancelled } from '../errors';
import type { ProgressListener } from '../progress';
import { sentenceStarts } from '../sentences';
import { TOKENIZER_VERSION, tokenize } from '../text';
import { Vocabulary } from '../vocabulary';
import type { RawCorpus, Review } from './reviews';

export interface TokenizedSplit {
  /** Ranks of all reviews, concatenated; review i is ranks[offsets[i] .. offsets[i+1]). */
  ranks: Int32Array;
  offsets: Int32Array;
  labels: Uint8Array;
  /**
   * Training reviews only: 1 where a word starts a sentence (ICU's sentences,
   * as the short-text set cuts them), aligned with `ranks`; training shows
   * whole sentences as short texts.
   */
  sentenceStarts?: Uint8Array;
}

export interface TokenizedCorpus {
  vocabulary: Vocabulary;
  train: TokenizedSplit;
  test: TokenizedSplit;
}

export function reviewRanks(split: TokenizedSplit, i: number): Int32Array {
  return split.ranks.subarray(split.offsets[i], split.offsets[i + 1]);
}

export function splitSize(split: TokenizedSplit): number {
  return split.labels.length;
}

/** Ranks words by training-set frequency, then maps both splits onto those ranks. */
export function tokenizeCorpus(corpus: RawCorpus, options: { signal?: AbortSignal; onProgress?: ProgressListener } = {}): TokenizedCorpus {
  // Each pass counts its own reviews, so the progress never counts a review twice.
  let done = 0;
  let total = corpus.train.length;
  let message = 'Counting the words of the training reviews';
  const tick = () => {
    if (++done % 2000 === 0) {
      throwIfCancelled(options.signal, 'Tokenizing');
      options.onProgress?.({ phase: 'tokenize', done, total, unit: 'reviews', message });
    }
  };
  // Two passes over the training text (count, then rank) instead of keeping
  // millions of token strings alive between them.
  const counts = new Map<string, number>();
  for (const review of corpus.train) {
    for (const word of tokenize(review.text)) counts.set(word, (counts.get(word) ?? 0) + 1);
    tick();
  }
  done = 0;
  total = corpus.train.length + corpus.test.length;
  message = 'Tokenizing reviews';
  const vocabulary = Vocabulary.fromCounts(counts);
  const rankSplit = (reviews: Review[], sentences: boolean): TokenizedSplit => {
    const perReview = reviews.map((r) => {
      const ranks = tokenize(r.text).map((w) => vocabulary.rankOf(w));
      tick();
      return { ranks, starts: sentences ? sentenceStarts(r.text, ranks.length) : [] };
    });
    const offsets = new Int32Array(reviews.length + 1);
    perReview.forEach((r, i) => (offsets[i + 1] = offsets[i] + r.ranks.length));
    const ranks = new Int32Array(offsets[reviews.length]);
    const starts = sentences ? new Uint8Array(ranks.length) : undefined;
    perReview.forEach((r, i) => {
      ranks.set(r.ranks, offsets[i]);
      if (starts) for (const at of r.starts) if (at < r.ranks.length) starts[offsets[i] + at] = 1;
    });
    return { ranks, offsets, labels: Uint8Array.from(reviews, (r) => r.label), ...(starts ? { sentenceStarts: starts } : {}) };
  };
  return { vocabulary, train: rankSplit(corpus.train, true), test: rankSplit(corpus.test, false) };
}

/** 2: the training split's sentence starts follow its labels. */
const CACHE_FORMAT = 2;

export function tokenizedCacheDir(cacheDir: string, sourceIdentity: string): string {
  const key = createHash('sha256').update(`${CACHE_FORMAT}\n${TOKENIZER_VERSION}\n${sourceIdentity}`).digest('hex').slice(0, 20);
  return path.join(cacheDir, 'tokenized', key);
}

interface CacheHeader {
  format: number;
  tokenizer: string;
  source: string;
  words: string[];
  lengths: Record<'train' | 'test', { ranks: number; reviews: number; sentenceStarts: boolean }>;
}

/**
 * Writes into a temporary folder and renames it, so a crash never leaves a
 * cache that looks whole; a failure (a full disk) removes what was written
 * and says so in one line.
 */
export async function saveTokenizedCorpus(dir: string, sourceIdentity: string, corpus: TokenizedCorpus): Promise<void> {
  const header: CacheHeader = {
    format: CACHE_FORMAT,
    tokenizer: TOKENIZER_VERSION,
    source: sourceIdentity,
    words: [...corpus.vocabulary.words],
    lengths: {
      train: { ranks: corpus.train.ranks.length, reviews: corpus.train.labels.length, sentenceStarts: corpus.train.sentenceStarts !== undefined },
      test: { ranks: corpus.test.ranks.length, reviews: corpus.test.labels.length, sentenceStarts: corpus.test.sentenceStarts !== undefined },
    },
  };
  const parent = path.dirname(dir);
  await mkdir(parent, { recursive: true }).catch((error: unknown) => {
    throw writeFailure('the corpus cache', parent, error);
  });
  await sweepAbandoned(parent, ['partial', 'previous']);
  const files: Record<string, Uint8Array | string> = { 'header.json': JSON.stringify(header) };
  for (const split of ['train', 'test'] as const) {
    const s = corpus[split];
    files[`${split}.bin`] = Buffer.concat([asBytes(s.ranks), asBytes(s.offsets), asBytes(s.labels), ...(s.sentenceStarts ? [asBytes(s.sentenceStarts)] : [])]);
  }
  await writeFolder(parent, path.basename(dir), files);
}

/** Undefined when absent or unreadable: a bad cache is rebuilt, never trusted. */
export async function loadTokenizedCorpus(dir: string, sourceIdentity: string): Promise<TokenizedCorpus | undefined> {
  try {
    const header = JSON.parse(await readFile(path.join(dir, 'header.json'), 'utf8')) as CacheHeader;
    if (header.format !== CACHE_FORMAT || header.tokenizer !== TOKENIZER_VERSION || header.source !== sourceIdentity) return undefined;
    const readSplit = async (split: 'train' | 'test'): Promise<TokenizedSplit> => {
      const { ranks, reviews, sentenceStarts } = header.lengths[split];
      const bytes = await readFile(path.join(dir, `${split}.bin`));
      if (bytes.length !== ranks * 4 + (reviews + 1) * 4 + reviews + (sentenceStarts ? ranks : 0)) throw new Error('size mismatch');
      // Copy into fresh, aligned buffers: Buffer pools may not be 4-byte aligned.
      const aligned = new Uint8Array(bytes).buffer;
      return {
        ranks: new Int32Array(aligned, 0, ranks),
        offsets: new Int32Array(aligned, ranks * 4, reviews + 1),
        labels: new Uint8Array(aligned, (ranks + reviews + 1) * 4, reviews),
        ...(sentenceStarts ? { sentenceStarts: new Uint8Array(aligned, (ranks + reviews + 1) * 4 + reviews, ranks) } : {}),
      };
    };
    return { vocabulary: new Vocabulary(header.words), train: await readSplit('train'), test: await readSplit('test') };
  } catch {
    return undefined;
  }
}

function asBytes(view: ArrayBufferView): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}
