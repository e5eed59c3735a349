/**
 * Sentences as Intl's ICU segmenter finds them (no hand-written splitter:
 * abbreviations, ellipses and quotes are its job). The short-text set cuts its
 * sentences here, and training marks where each sentence of a training review
 * starts, so the sentences a model is shown are cut exactly as those it is
 * measured on.
 */
import { cleanReview, tokenize } from './text';

/** A sentence with fewer words ("Wow.", "Mr.") says too little to be labelled by its review. */
export const MIN_SENTENCE_WORDS = 3;

const sentenceSegmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

function segments(review: string): string[] {
  return [...sentenceSegmenter.segment(cleanReview(review))].map((s) => s.segment.trim());
}

/** A review's sentences of at least MIN_SENTENCE_WORDS words, in order. */
export function sentencesOf(review: string): string[] {
  return segments(review).filter((s) => tokenize(s).length >= MIN_SENTENCE_WORDS);
}

/**
 * Where each sentence of a review starts, as positions in `tokenize(review)`
 * (the first is 0), or just [0] when the sentences' words do not add up to
 * the review's (a boundary inside a word, which the segmenter hardly ever
 * makes): the review then counts as one sentence.
 */
export function sentenceStarts(review: string, words = tokenize(review).length): number[] {
  const starts: number[] = [];
  let at = 0;
  for (const segment of segments(review)) {
    const count = tokenize(segment).length;
    if (count === 0) continue;
    starts.push(at);
    at += count;
  }
  return at === words && starts.length > 0 ? starts : [0];
}
