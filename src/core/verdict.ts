/**
 * How an answer of the model is said, everywhere it is said (notification,
 * status bar, inline label, hover, dashboard card, CLI): the label and how
 * sure the model is of it, "negative, 99.6% sure", rather than the bare
 * P(positive), which reads as low confidence when it is near 0. No Node
 * imports: the dashboard uses it too.
 */
import type { Prediction, SentimentLabel } from './metrics';
import { formatCount } from './format';

/** Said instead of a label when the model read no word it knows. */
export const NO_KNOWN_WORD = 'no known word';

/** Words read, for predictions stored before the count existed. */
export function wordsRead(p: Prediction): number {
  return p.wordsRead ?? p.tokenCount;
}

/** Words read that the model knows. */
export function knownWords(p: Prediction): number {
  return Math.max(0, wordsRead(p) - p.oovCount);
}

/** The label's probability: P(positive) for positive, 1 − P(positive) for negative. */
export function confidenceOf(probability: number): number {
  return probability >= 0.5 ? probability : 1 - probability;
}

/** "99.6% sure"; "over 99.9% sure" rather than a rounded, impossible "100.0%". */
export function formatSureness(probability: number): string {
  const percent = confidenceOf(probability) * 100;
  return percent >= 99.95 ? 'over 99.9% sure' : `${percent.toFixed(1)}% sure`;
}

/** "negative, 99.6% sure", or "no known word". */
export function formatVerdict(p: Pick<Prediction, 'label' | 'probability'>): string {
  return p.label ? `${p.label}, ${formatSureness(p.probability)}` : NO_KNOWN_WORD;
}

/** ▲ for positive, ▼ for negative, ? for no answer: a shape, so the label is never told by colour alone. */
export function verdictSymbol(label: SentimentLabel | null): string {
  return label === 'positive' ? '▲' : label === 'negative' ? '▼' : '?';
}

/** "P(positive) = 0.004" for hovers and details. */
export function formatPositiveProbability(probability: number): string {
  return `P(positive) = ${probability.toFixed(3)}`;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${formatCount(count)} ${count === 1 ? one : many}`;
}

/** What the reader should know besides the verdict: words cut off, unknown words. Empty when nothing. */
export function readingNotes(p: Prediction): string[] {
  const notes: string[] = [];
  const read = wordsRead(p);
  if (p.truncated) notes.push(`only the last ${formatCount(read)} of its ${plural(p.tokenCount, 'word')} were read`);
  if (p.label === null) {
    if (read === 0) notes.push('the text has no words, only punctuation and spaces');
    else notes.push(read === 1 ? 'its one word is unknown to the model' : `none of its ${plural(read, 'word')} is known to the model`);
  } else if (p.oovCount > 0) {
    notes.push(`${formatCount(p.oovCount)} of ${plural(read, 'word')} read ${p.oovCount === 1 ? 'is' : 'are'} unknown to the model`);
  }
  return notes;
}
