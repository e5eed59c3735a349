/**
 * The dataset as training sees it: `keras.datasets.imdb.load_data(num_words)`
 * then `pad_sequences(maxlen)` then `fit(validation_split)`.
 *
 * Both splits are shuffled with the seed (Keras shuffles with 113), `limit`
 * keeps the first N reviews of each shuffled split, and the validation set is
 * the LAST `validationSplit` of the training reviews, as Keras'
 * `validation_split` takes it.
 */
import { rm } from 'node:fs/promises';
import seedrandom from 'seedrandom';
import { errorMessage, isLabError } from '../errors';
import type { ProgressListener } from '../progress';
import { encodeRanks, padSequence, type Vocabulary } from '../vocabulary';
import { readArchive } from './archive';
import { readFolder } from './folder';
import { resolveSource, type DataSource, type ResolvedSource } from './source';
import {
  loadTokenizedCorpus,
  reviewRanks,
  saveTokenizedCorpus,
  splitSize,
  tokenizeCorpus,
  tokenizedCacheDir,
  type TokenizedCorpus,
  type TokenizedSplit,
} from './tokenized';

export * from './source';

export interface EncodedSplit {
  /** Row-major [count, maxlen] word indices. */
  x: Int32Array;
  /** 1 = positive, 0 = negative. */
  y: Float32Array;
  count: number;
}

export interface EncodingSettings {
  numWords: number;
  maxlen: number;
  seed: number;
  validationSplit: number;
  /** Keep only the first N reviews of each shuffled split (quick runs). */
  limit?: number;
}

export interface EncodedDataset {
  train: EncodedSplit;
  validation: EncodedSplit;
  test: EncodedSplit;
  /** The full training-set ranking; a run stores the part under numWords. */
  vocabulary: Vocabulary;
  source: ResolvedSource;
  settings: EncodingSettings;
}

export interface LoadOptions {
  cacheDir: string;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /** Told about failures that cost time but not results (the corpus cache could not be written). */
  onWarning?(message: string): void;
  /** Tests point the official download at a local server. */
  officialUrl?: string;
}

/** Reads (or takes from the cache) the tokenised corpus of a source. */
export async function loadTokenizedSource(source: DataSource, options: LoadOptions): Promise<{ corpus: TokenizedCorpus; source: ResolvedSource }> {
  const resolved = await resolveSource(source, options.cacheDir, options);
  const cacheDir = tokenizedCacheDir(options.cacheDir, resolved.identity);
  const cached = await loadTokenizedCorpus(cacheDir, resolved.identity);
  if (cached) return { corpus: cached, source: resolved };

  let raw;
  try {
    raw = resolved.kind === 'archive' ? await readArchive(resolved.path, options) : await readFolder(resolved.path, options);
  } catch (error) {
    // A download that turns out unreadable must not stay in the cache as if whole.
    const downloaded = source.kind === 'official' || source.kind === 'url';
    if (downloaded && (isLabError(error, 'corrupt-archive') || isLabError(error, 'unsafe-archive'))) {
      await rm(resolved.path, { force: true });
      error.message += ' The downloaded file was removed; the next attempt downloads it again.';
    }
    throw error;
  }
  const corpus = tokenizeCorpus(raw, options);
  // The corpus is in memory: a cache that cannot be written (a full disk) only costs the next run the tokenising.
  await saveTokenizedCorpus(cacheDir, resolved.identity, corpus).catch((error: unknown) => {
    options.onWarning?.(`The tokenised corpus was not cached (${errorMessage(error)}); training goes on, the next run tokenises again.`);
  });
  return { corpus, source: resolved };
}

export async function loadDataset(source: DataSource, settings: EncodingSettings, options: LoadOptions): Promise<EncodedDataset> {
  const { corpus, source: resolved } = await loadTokenizedSource(source, options);
  options.onProgress?.({ phase: 'encode', done: 0, unit: 'reviews', message: 'Encoding and padding' });
  const trainOrder = limitOrder(shuffledOrder(splitSize(corpus.train), settings.seed), settings.limit);
  const testOrder = limitOrder(shuffledOrder(splitSize(corpus.test), settings.seed), settings.limit);
  const splitAt = Math.floor(trainOrder.length * (1 - settings.validationSplit));
  return {
    train: encodeSplit(corpus.train, trainOrder.slice(0, splitAt), settings),
    validation: encodeSplit(corpus.train, trainOrder.slice(splitAt), settings),
    test: encodeSplit(corpus.test, testOrder, settings),
    vocabulary: corpus.vocabulary,
    source: resolved,
    settings,
  };
}

/** Fisher–Yates with a seeded generator: the same seed always gives the same order. */
export function shuffledOrder(n: number, seed: number | string): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const random = seedrandom.alea(String(seed));
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

function limitOrder(order: Int32Array, limit: number | undefined): Int32Array {
  return limit !== undefined && limit < order.length ? order.slice(0, limit) : order;
}

export function encodeSplit(split: TokenizedSplit, order: Int32Array, settings: Pick<EncodingSettings, 'numWords' | 'maxlen'>): EncodedSplit {
  const { maxlen, numWords } = settings;
  const x = new Int32Array(order.length * maxlen);
  const y = new Float32Array(order.length);
  order.forEach((reviewIndex, row) => {
    padSequence(encodeRanks(reviewRanks(split, reviewIndex), numWords), maxlen, x.subarray(row * maxlen, (row + 1) * maxlen));
    y[row] = split.labels[reviewIndex];
  });
  return { x, y, count: order.length };
}
