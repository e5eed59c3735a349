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
import { errorMessage, isLabError } from '../errors';
import type { ProgressListener } from '../progress';
import { encodeRanks, padSequence, type Vocabulary } from '../vocabulary';
import { readArchive } from './archive';
import { readFolder } from './folder';
import { readLabelledCorpus, type ValidationReport } from './labelled';
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
export type { LabelledOptions, ValidationReport } from './labelled';
export { shuffledOrder } from './shuffle';
import { shuffledOrder } from './shuffle';

export interface EncodedSplit {
  /** Row-major [count, maxlen] word indices. */
  x: Int32Array;
  /** 1 = positive, 0 = negative. */
  y: Float32Array;
  count: number;
  /** Training reviews: 1 where a word of `x` starts a sentence of its review ([count, maxlen], like `x`). */
  sentenceStarts?: Uint8Array;
}

export interface EncodingSettings {
  numWords: number;
  maxlen: number;
  seed: number;
  validationSplit: number;
  /** Keep only the first N reviews of each shuffled split (quick runs). */
  limit?: number;
  /**
   * A fine-tuned run keeps its parent's vocabulary: words are ranked by it
   * (unknown ones become OOV) instead of by this data's training split.
   */
  vocabulary?: Vocabulary;
}

export interface EncodedDataset {
  train: EncodedSplit;
  validation: EncodedSplit;
  test: EncodedSplit;
  /** The full training-set ranking; a run stores the part under numWords. */
  vocabulary: Vocabulary;
  source: ResolvedSource;
  settings: EncodingSettings;
  /** A labelled dataset's validation: what trains, what was left out. */
  report?: ValidationReport;
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
export async function loadTokenizedSource(
  source: DataSource,
  options: LoadOptions & { seed?: number },
): Promise<{ corpus: TokenizedCorpus; source: ResolvedSource; report?: ValidationReport }> {
  const resolved = await resolveSource(source, options.cacheDir, options);
  if (source.kind === 'labelled') {
    // Small by cap (DATA_LIMITS.documentBytes) and read whole to be validated: no tokenised cache.
    const { corpus, report } = await readLabelledCorpus(source.path, source.options, options.seed ?? 0);
    return { corpus: tokenizeCorpus(corpus, options), source: { ...resolved, identity: `sha256:${report.sha256}` }, report };
  }
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
  const { corpus, source: resolved, report } = await loadTokenizedSource(source, { ...options, seed: settings.seed });
  options.onProgress?.({ phase: 'encode', done: 0, unit: 'reviews', message: 'Encoding and padding' });
  const trainOrder = limitOrder(shuffledOrder(splitSize(corpus.train), settings.seed), settings.limit);
  const testOrder = limitOrder(shuffledOrder(splitSize(corpus.test), settings.seed), settings.limit);
  const splitAt = Math.floor(trainOrder.length * (1 - settings.validationSplit));
  const fixed = settings.vocabulary;
  // This data's rank → the kept vocabulary's rank (0, unknown, becomes OOV).
  const rankMap = fixed ? Int32Array.from({ length: corpus.vocabulary.size + 1 }, (_, r) => (r === 0 ? 0 : fixed.rankOf(corpus.vocabulary.words[r - 1]))) : undefined;
  return {
    train: encodeSplit(corpus.train, trainOrder.slice(0, splitAt), settings, rankMap),
    validation: encodeSplit(corpus.train, trainOrder.slice(splitAt), settings, rankMap),
    test: encodeSplit(corpus.test, testOrder, settings, rankMap),
    vocabulary: fixed ?? corpus.vocabulary,
    source: resolved,
    settings,
    ...(report ? { report } : {}),
  };
}


function limitOrder(order: Int32Array, limit: number | undefined): Int32Array {
  return limit !== undefined && limit < order.length ? order.slice(0, limit) : order;
}

export function encodeSplit(split: TokenizedSplit, order: Int32Array, settings: Pick<EncodingSettings, 'numWords' | 'maxlen'>, rankMap?: Int32Array): EncodedSplit {
  const { maxlen, numWords } = settings;
  const x = new Int32Array(order.length * maxlen);
  const y = new Float32Array(order.length);
  const marks = split.sentenceStarts;
  const sentenceStarts = marks ? new Uint8Array(order.length * maxlen) : undefined;
  order.forEach((reviewIndex, row) => {
    const ranks = reviewRanks(split, reviewIndex);
    padSequence(encodeRanks(rankMap ? ranks.map((r) => rankMap[r]) : ranks, numWords), maxlen, x.subarray(row * maxlen, (row + 1) * maxlen));
    y[row] = split.labels[reviewIndex];
    if (!marks || !sentenceStarts) return;
    // Word j is entry j + 1 of the sequence (after the start character); pad_sequences keeps its last maxlen entries.
    const length = ranks.length + 1;
    const skip = length - Math.min(length, maxlen);
    const shift = row * maxlen + (maxlen - Math.min(length, maxlen)) - skip;
    for (let j = Math.max(0, skip - 1); j < ranks.length; j++) if (marks[split.offsets[reviewIndex] + j]) sentenceStarts[shift + j + 1] = 1;
  });
  return { x, y, count: order.length, ...(sentenceStarts ? { sentenceStarts } : {}) };
}
