/**
 * Short texts: what the extension is mostly asked about (a selected sentence
 * or paragraph), where the tutorial's models, trained on whole reviews, are
 * weakest.
 *
 * - The short-text evaluation set: from a seeded sample of the test reviews,
 *   each review's first and last sentence and one random 10–30-word window,
 *   each labelled with its review's label. Noisy by construction: a sentence
 *   of a positive review can be neutral, or even negative ("the first half
 *   was dull, but...").
 * - Short windows for training: a share of each batch's rows replaced by a
 *   random contiguous window of the same review, encoded as a short text is
 *   at prediction time (start character, then pre-padding).
 * - Sentence rows for training: every whole sentence of every training
 *   review, encoded the same way (trainOn 'reviews-and-sentences').
 * - Reliability: the stored evaluation's accuracy for texts of a given length.
 *
 * No TensorFlow here.
 */
import seedrandom from 'seedrandom';
import { shuffledOrder } from './dataset';
import { MIN_SENTENCE_WORDS, sentencesOf } from './sentences';
import { tokenize } from './text';
import { LENGTH_BANDS, SHORT_TEXT_KINDS, bandIndex, type AccuracyCount, type ShortTextEvaluation, type ShortTextKind } from './reliability';
import { PAD_VALUE, START_CHAR } from './vocabulary';
import { formatCount } from './format';

export { LENGTH_BANDS, SHORT_TEXT_KINDS, describeReliability, reliabilityFor, type AccuracyCount, type Reliability, type ShortTextEvaluation, type ShortTextKind } from './reliability';

export interface ShortText {
  text: string;
  /** The label of the review it comes from. */
  label: 0 | 1;
  kind: ShortTextKind;
  words: number;
}

/** Test reviews sampled for the set: three texts each; about ±0.6 points of sampling noise at 70% accuracy. */
export const SHORT_TEXT_REVIEWS = 2000;
/** Fixed, so every model is measured on the very same texts. */
export const SHORT_TEXT_SEED = 'short-text-v1';
const EVALUATION_WINDOW = { min: 10, max: 30 } as const;
/** Windows shown in training: from a three-word phrase to a long sentence. */
export const TRAINING_WINDOW = { min: 3, max: 40 } as const;

/** The short texts of one review: its first and last sentence (when it has two) and a random window of its words. */
function shortTextsOf(review: { text: string; label: 0 | 1 }, random: () => number): ShortText[] {
  const out: ShortText[] = [];
  const found = sentencesOf(review.text);
  const add = (text: string, kind: ShortTextKind) => out.push({ text, label: review.label, kind, words: tokenize(text).length });
  if (found.length > 0) add(found[0], 'first-sentence');
  if (found.length > 1) add(found[found.length - 1], 'last-sentence');
  const words = tokenize(review.text);
  const length = Math.min(words.length, EVALUATION_WINDOW.min + Math.floor(random() * (EVALUATION_WINDOW.max - EVALUATION_WINDOW.min + 1)));
  if (length >= EVALUATION_WINDOW.min) {
    const start = Math.floor(random() * (words.length - length + 1));
    add(words.slice(start, start + length).join(' '), 'window');
  }
  return out;
}

/** The short-text evaluation set of a test split: the same texts for the same reviews, whatever the model. */
export function buildShortTextSet(testReviews: readonly { text: string; label: 0 | 1 }[], reviews = SHORT_TEXT_REVIEWS): ShortText[] {
  const order = shuffledOrder(testReviews.length, SHORT_TEXT_SEED).subarray(0, Math.min(reviews, testReviews.length));
  const random = seedrandom.alea(`${SHORT_TEXT_SEED}:windows`);
  return Array.from(order).flatMap((i) => shortTextsOf(testReviews[i], random));
}



/** Accuracy overall, per kind and per length band, from the set and the model's probabilities. */
export function summariseShortText(set: readonly ShortText[], probabilities: ArrayLike<number>, reviews: number, seconds: number): ShortTextEvaluation {
  const tally = () => ({ right: 0, count: 0 });
  const total = tally();
  const kinds = Object.fromEntries(SHORT_TEXT_KINDS.map((k) => [k, tally()])) as Record<ShortTextKind, ReturnType<typeof tally>>;
  const bands = LENGTH_BANDS.map(() => tally());
  set.forEach((item, i) => {
    const right = (probabilities[i] >= 0.5 ? 1 : 0) === item.label ? 1 : 0;
    for (const t of [total, kinds[item.kind], bands[bandIndex(item.words)]]) {
      t.right += right;
      t.count++;
    }
  });
  const summary = (t: ReturnType<typeof tally>): AccuracyCount => ({ accuracy: t.count ? t.right / t.count : 0, count: t.count });
  return {
    ...summary(total),
    reviews,
    kinds: Object.fromEntries(SHORT_TEXT_KINDS.map((k) => [k, summary(kinds[k])])) as Record<ShortTextKind, AccuracyCount>,
    bands: LENGTH_BANDS.map((band, i) => ({ ...band, ...summary(bands[i]) })),
    seconds,
  };
}


/** Of the rows shown short, those that are a whole sentence (when the row's sentences are known) rather than a window: the short-text set's own mix, two sentences to one window. */
export const SENTENCE_SHARE = 2 / 3;

/**
 * Replaces about `share` of a batch's rows (row-major [rows, maxlen], each a
 * padded review: zeros, the start character, the words) by a short text of
 * that review, re-encoded as a short text is at prediction time: start
 * character, then pre-padding. With `sentenceStarts` (1 where a word of `x`
 * starts a sentence), SENTENCE_SHARE of them are one of the review's sentences
 * of at least MIN_SENTENCE_WORDS words, cut as the short-text set cuts them;
 * the others (and rows without such a sentence) a random window of
 * TRAINING_WINDOW words. Labels stay: a short text's label is its review's.
 */
export function mixShortWindows(x: Int32Array, rows: number, maxlen: number, share: number, random: () => number, sentenceStarts?: Uint8Array): number {
  if (share <= 0) return 0;
  let replaced = 0;
  for (let r = 0; r < rows; r++) {
    if (random() >= share) continue;
    const row = x.subarray(r * maxlen, (r + 1) * maxlen);
    const first = firstWordOf(row);
    const available = maxlen - first;
    if (available <= TRAINING_WINDOW.min) continue;
    const sentence = sentenceStarts && random() < SENTENCE_SHARE ? pickSentence(sentenceStarts.subarray(r * maxlen, (r + 1) * maxlen), first, random) : undefined;
    const length = sentence?.length ?? Math.min(available, maxlen - 1, TRAINING_WINDOW.min + Math.floor(random() * (TRAINING_WINDOW.max - TRAINING_WINDOW.min + 1)));
    const start = sentence?.start ?? first + Math.floor(random() * (available - length + 1));
    writeShortRow(row, row.slice(start, start + length));
    replaced++;
  }
  return replaced;
}

/** Where a padded row's words begin: past the padding and the start character (a review cut by maxlen has none). */
function firstWordOf(row: Int32Array): number {
  let first = 0;
  while (first < row.length && row[first] === PAD_VALUE) first++;
  if (first < row.length && row[first] === START_CHAR) first++;
  return first;
}

/** Writes `words` into `row` as a short text is encoded at prediction time: padding, the start character, the words. */
function writeShortRow(row: Int32Array, words: Int32Array): void {
  const maxlen = row.length;
  row.fill(PAD_VALUE, 0, maxlen - words.length - 1);
  row[maxlen - words.length - 1] = START_CHAR;
  row.set(words, maxlen - words.length);
}

/**
 * A row's whole sentences of at least MIN_SENTENCE_WORDS words, from its
 * sentence marks: one cut off by maxlen is not whole, and a review of one
 * sentence has none shorter than itself.
 */
function wholeSentences(starts: Uint8Array, firstWord: number): { start: number; length: number }[] {
  const maxlen = starts.length;
  const sentences: { start: number; length: number }[] = [];
  let previous = -1;
  for (let i = 0; i <= maxlen; i++) {
    if (i < maxlen && !starts[i]) continue;
    if (previous >= 0) {
      const length = i - previous;
      const wholeRow = previous === firstWord && i === maxlen;
      if (length >= MIN_SENTENCE_WORDS && !wholeRow) sentences.push({ start: previous, length });
    }
    previous = i;
  }
  return sentences;
}

/** One of a row's whole sentences at random; undefined when it has none. */
function pickSentence(starts: Uint8Array, firstWord: number, random: () => number): { start: number; length: number } | undefined {
  const sentences = wholeSentences(starts, firstWord);
  return sentences.length > 0 ? sentences[Math.floor(random() * sentences.length)] : undefined;
}

/**
 * Every whole sentence of every row of a split (the sentences `mixShortWindows`
 * draws from), as [row, start, length] triples: the extra rows an epoch shows
 * with trainOn 'reviews-and-sentences'. Empty without sentence marks.
 */
export function sentenceRowsOf(split: { x: Int32Array; count: number; sentenceStarts?: Uint8Array }, maxlen: number): Int32Array {
  const marks = split.sentenceStarts;
  if (!marks) return new Int32Array(0);
  const triples: number[] = [];
  for (let r = 0; r < split.count; r++) {
    const first = firstWordOf(split.x.subarray(r * maxlen, (r + 1) * maxlen));
    for (const { start, length } of wholeSentences(marks.subarray(r * maxlen, (r + 1) * maxlen), first)) triples.push(r, start, length);
  }
  return Int32Array.from(triples);
}

/** Writes sentence `index` of `sentences` (from sentenceRowsOf) into `row`, encoded as a short text. */
export function writeSentenceRow(row: Int32Array, x: Int32Array, sentences: Int32Array, index: number): void {
  const maxlen = row.length;
  const [review, start, length] = sentences.subarray(index * 3, index * 3 + 3);
  writeShortRow(row, x.subarray(review * maxlen + start, review * maxlen + start + length));
}

/** Lines for people: the accuracy overall, per kind and per length band. */
export function formatShortTextEvaluation(e: ShortTextEvaluation): string {
  const pct = (a: AccuracyCount) => `${(a.accuracy * 100).toFixed(1)}% of ${formatCount(a.count)}`;
  return [
    `short texts (from ${formatCount(e.reviews)} test reviews): accuracy ${e.accuracy.toFixed(4)}`,
    `  ${SHORT_TEXT_KINDS.map((k) => `${k} ${pct(e.kinds[k])}`).join(' · ')}`,
    `  by words: ${e.bands.map((b) => `${b.minWords}${b.maxWords === undefined ? '+' : `–${b.maxWords}`} ${pct(b)}`).join(' · ')}`,
  ].join('\n');
}
