/**
 * What the editor shows of an explanation, word by word, as plain data (no
 * `vscode`, so it is unit-tested): where each word stands in the analyzed
 * text, its look (toward positive or negative in three strengths relative to
 * the text's strongest word, grey when not read, dotted when unknown to the
 * model) and the lines of its hover: the attribution, the verdict just before
 * and just after the word and, for an LSTM, its mean gates.
 */
import { PRESETS } from '../core/presets';
import type { DirectionStates, Explanation } from '../core/explain/types';
import type { WordLook } from './annotations';
import { wordRanges, type WordRange } from './word-ranges';

/** The explain worker's name for the start character; it is no word of the text. */
const START_TOKEN = '<start>';

const METHOD_NAMES = { ig: 'integrated gradients', occlusion: 'occlusion' } as const;

export interface ExplainedWord extends WordRange {
  /** The word as the tokenizer produced it (plain text, not Markdown). */
  word: string;
  look: WordLook;
  /** Said after the word in the hover's first line (Markdown). */
  note?: string;
  /** The hover's further lines (Markdown). */
  lines: string[];
}

/** Three strengths: the word's share of the strongest attribution, in thirds. */
export function strength(value: number, strongest: number): WordLook {
  const level = strongest === 0 ? 1 : Math.min(3, 1 + Math.floor((3 * Math.abs(value)) / strongest));
  return `${value >= 0 ? 'positive' : 'negative'}-${level}` as WordLook;
}

const mean = (row: readonly number[] | undefined) => (row && row.length ? row.reduce((a, b) => a + b, 0) / row.length : undefined);
const fixed = (x: number) => x.toFixed(3);
const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(3)}`;

function gatesLine(state: DirectionStates, k: number, directions: number): string | undefined {
  const [i, f, o] = [mean(state.inputGate?.[k]), mean(state.forgetGate?.[k]), mean(state.outputGate?.[k])];
  if (i === undefined || f === undefined || o === undefined) return undefined;
  const which = directions > 1 ? `${state.direction} ` : '';
  return `Gates, ${which}mean over units: input ${fixed(i)} · forget ${fixed(f)} · output ${fixed(o)}`;
}

/** The words of `text` (the text that was explained) that could be found in it, in order. */
export function explainedWords(explanation: Explanation, text: string): ExplainedWord[] {
  const { tokens, read, attributions, verdict, verdictBefore, states } = explanation;
  const indices = tokens.map((_, i) => i).filter((i) => tokens[i].text !== START_TOKEN);
  const ranges = wordRanges(text, indices.map((i) => tokens[i].text));
  const strongest = Math.max(0, ...attributions.values.map(Math.abs));
  const model = PRESETS[explanation.preset].title;
  const wordsRead = tokens.slice(read.from, read.to).filter((t) => t.text !== START_TOKEN).length;
  const words: ExplainedWord[] = [];
  indices.forEach((i, n) => {
    const found = ranges[n];
    if (!found) return;
    const token = tokens[i];
    if (token.status === 'dropped' || i < read.from || i >= read.to) {
      words.push({ ...found, word: token.text, look: 'dropped', note: `not read: the ${model} reads only the last ${wordsRead} words of this text`, lines: [] });
      return;
    }
    const k = i - read.from;
    const value = attributions.values[k] ?? 0;
    const before = k === 0 ? verdictBefore : verdict[k - 1];
    const lines = [
      `Attribution ${signed(value)} toward ${value >= 0 ? 'positive' : 'negative'} (${METHOD_NAMES[attributions.method]})`,
      `P(positive) before this word ${fixed(before)}, after it ${fixed(verdict[k])}`,
      ...states.map((s) => gatesLine(s, k, states.length)).filter((l): l is string => l !== undefined),
    ];
    const oov = token.status === 'oov';
    words.push({ ...found, word: token.text, look: oov ? 'oov' : strength(value, strongest), note: oov ? 'unknown to the model (read as the out-of-vocabulary word)' : undefined, lines });
  });
  return words;
}
