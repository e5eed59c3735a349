/**
 * An explanation drawn over the analyzed text: each word coloured by its
 * attribution (toward positive or negative, in three strengths relative to
 * the text's strongest word), and a hover with the attribution, the verdict
 * just before and just after the word and, for an LSTM, its gates.
 */
import * as vscode from 'vscode';
import { PRESETS } from '../core/presets';
import type { DirectionStates, Explanation } from '../core/explain/types';
import type { Annotation, WordLook } from './annotations';
import { wordRanges } from './word-ranges';

/** The explain worker's name for the start character; it is no word of the text. */
const START_TOKEN = '<start>';

const METHOD_NAMES = { ig: 'integrated gradients', occlusion: 'occlusion' } as const;

/** Three strengths: the word's share of the strongest attribution, in thirds. */
function strength(value: number, strongest: number): WordLook {
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

/**
 * The word annotations of one explanation. `offsetAt` turns an offset in the
 * explained text into a document position (the caller knows where the text
 * starts and whether it was clipped).
 */
export function wordAnnotations(explanation: Explanation, text: string, positionAt: (offset: number) => vscode.Position): Annotation[] {
  const { tokens, read, attributions, verdict, verdictBefore, states } = explanation;
  const indices = tokens.map((_, i) => i).filter((i) => tokens[i].text !== START_TOKEN);
  const ranges = wordRanges(text, indices.map((i) => tokens[i].text));
  const strongest = Math.max(0, ...attributions.values.map(Math.abs));
  const model = PRESETS[explanation.preset].title;
  const wordsRead = tokens.slice(read.from, read.to).filter((t) => t.text !== START_TOKEN).length;
  const annotations: Annotation[] = [];
  indices.forEach((i, n) => {
    const found = ranges[n];
    if (!found) return;
    const token = tokens[i];
    const range = new vscode.Range(positionAt(found.start), positionAt(found.end));
    const hover = new vscode.MarkdownString();
    hover.appendMarkdown('**');
    hover.appendText(token.text);
    hover.appendMarkdown('**');
    if (token.status === 'dropped' || i < read.from || i >= read.to) {
      hover.appendMarkdown(` — not read: the ${model} reads only the last ${wordsRead} words of this text.`);
      annotations.push({ range, style: 'word:dropped', hover });
      return;
    }
    const k = i - read.from;
    const value = attributions.values[k] ?? 0;
    const before = k === 0 ? verdictBefore : verdict[k - 1];
    if (token.status === 'oov') hover.appendMarkdown(' — unknown to the model (read as the out-of-vocabulary word)');
    hover.appendMarkdown(`\n\nAttribution ${signed(value)} toward ${value >= 0 ? 'positive' : 'negative'} (${METHOD_NAMES[attributions.method]})  \n`);
    hover.appendMarkdown(`P(positive) before this word ${fixed(before)}, after it ${fixed(verdict[k])}`);
    for (const line of states.map((s) => gatesLine(s, k, states.length))) if (line) hover.appendMarkdown(`  \n${line}`);
    annotations.push({ range, style: token.status === 'oov' ? 'word:oov' : `word:${strength(value, strongest)}`, hover });
  });
  return annotations;
}
