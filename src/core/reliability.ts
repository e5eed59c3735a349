/**
 * How reliable a model is for a text of a given length, from the short-text
 * evaluation stored with its run (short-text.ts measures it). Plain data and
 * functions: the webview shows it too.
 */
import { formatCount } from './format';

export const SHORT_TEXT_KINDS = ['first-sentence', 'last-sentence', 'window'] as const;
export type ShortTextKind = (typeof SHORT_TEXT_KINDS)[number];

export interface AccuracyCount {
  accuracy: number;
  count: number;
}

/** What a run stores of its short-text evaluation. */
export interface ShortTextEvaluation extends AccuracyCount {
  reviews: number;
  kinds: Record<ShortTextKind, AccuracyCount>;
  bands: (AccuracyCount & { minWords: number; maxWords?: number })[];
  seconds: number;
}

/** Word-count bands the evaluation reports accuracy for; the last is open. */
export const LENGTH_BANDS: readonly { minWords: number; maxWords?: number }[] = [
  { minWords: 1, maxWords: 5 },
  { minWords: 6, maxWords: 10 },
  { minWords: 11, maxWords: 20 },
  { minWords: 21, maxWords: 40 },
  { minWords: 41 },
];

export function bandIndex(words: number): number {
  const i = LENGTH_BANDS.findIndex((b) => words >= b.minWords && (b.maxWords === undefined || words <= b.maxWords));
  return i < 0 ? 0 : i;
}

/** Fewer examples than this in a band and its accuracy says too little to be shown. */
export const MIN_BAND_EXAMPLES = 30;
/** Texts this long or longer are read like whole reviews: the test accuracy applies. */
export const WHOLE_REVIEW_WORDS = 100;

export interface Reliability {
  accuracy: number;
  /** Which measurement: short texts of this length, or whole test reviews. */
  basis: 'short-text' | 'test';
  minWords: number;
  maxWords?: number;
  count: number;
}

/** How often the model was right on texts as long as this one, from the run's own evaluations; undefined if never measured. */
export function reliabilityFor(
  run: { shortText?: ShortTextEvaluation; test?: { accuracy: number; count: number } },
  words: number,
): Reliability | undefined {
  if (words >= WHOLE_REVIEW_WORDS && run.test) return { accuracy: run.test.accuracy, basis: 'test', minWords: WHOLE_REVIEW_WORDS, count: run.test.count };
  const band = run.shortText?.bands[bandIndex(Math.max(1, words))];
  if (band && band.count >= MIN_BAND_EXAMPLES) {
    return { accuracy: band.accuracy, basis: 'short-text', minWords: band.minWords, ...(band.maxWords !== undefined ? { maxWords: band.maxWords } : {}), count: band.count };
  }
  return undefined;
}

/** "short text: this model is 71% accurate on texts this short (11–20 words, 1,234 tried)". */
export function describeReliability(r: Reliability): string {
  const percent = `${Math.round(r.accuracy * 100)}%`;
  if (r.basis === 'test') return `whole reviews: this model is ${percent} accurate on test reviews (${formatCount(r.count)} tried)`;
  const range = r.maxWords === undefined ? `${r.minWords}+ words` : `${r.minWords}–${r.maxWords} words`;
  return `short text: this model is ${percent} accurate on texts this short (${range}, ${formatCount(r.count)} tried)`;
}

