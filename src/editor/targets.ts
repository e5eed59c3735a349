/**
 * What Analyze Sentiment reads in an editor: each non-empty selection, in
 * document order; for a bare cursor, the paragraph under it (the lines
 * between blank lines), as other editor commands fall back to the line or
 * block at the cursor. No `vscode` import: positions are plain numbers, so
 * the rule is unit-tested.
 */

export interface TextPosition {
  line: number;
  character: number;
}

export interface SelectionLike {
  start: TextPosition;
  end: TextPosition;
}

export interface DocumentLines {
  readonly lineCount: number;
  lineText(line: number): string;
  textBetween(start: TextPosition, end: TextPosition): string;
}

export interface AnalysisTarget {
  start: TextPosition;
  end: TextPosition;
  text: string;
  /** Where the text came from: the user's selection, or the paragraph around a bare cursor. */
  kind: 'selection' | 'paragraph';
}

const isBlank = (text: string) => text.trim() === '';

function compare(a: TextPosition, b: TextPosition): number {
  return a.line - b.line || a.character - b.character;
}

/** The paragraph around a line: the run of non-blank lines it belongs to; undefined on a blank line. */
export function paragraphAt(doc: DocumentLines, line: number): { start: TextPosition; end: TextPosition } | undefined {
  if (line < 0 || line >= doc.lineCount || isBlank(doc.lineText(line))) return undefined;
  let first = line;
  while (first > 0 && !isBlank(doc.lineText(first - 1))) first--;
  let last = line;
  while (last < doc.lineCount - 1 && !isBlank(doc.lineText(last + 1))) last++;
  return { start: { line: first, character: 0 }, end: { line: last, character: doc.lineText(last).length } };
}

/**
 * The selection without the blank lines and spaces at its end, so the label
 * drawn after it sits after the last word (a whole-line or Ctrl+A selection
 * ends at the start of the next line).
 */
function trimEnd(doc: DocumentLines, start: TextPosition, end: TextPosition): TextPosition {
  let { line, character } = end;
  for (;;) {
    if (compare({ line, character }, start) <= 0) return start;
    if (character === 0) {
      line -= 1;
      character = doc.lineText(line).length;
      continue;
    }
    if (!/\s/.test(doc.lineText(line).charAt(character - 1))) return { line, character };
    character -= 1;
  }
}

/**
 * The texts to analyze, in document order, each once: a selection of only
 * whitespace is skipped, and a cursor's paragraph is skipped when it overlaps
 * a selection or another cursor's paragraph.
 */
export function analysisTargets(doc: DocumentLines, selections: readonly SelectionLike[]): AnalysisTarget[] {
  const overlaps = (a: AnalysisTarget, b: { start: TextPosition; end: TextPosition }) => compare(a.start, b.end) <= 0 && compare(b.start, a.end) <= 0;
  const targets: AnalysisTarget[] = [];
  for (const s of selections) {
    if (compare(s.start, s.end) === 0) continue;
    const end = trimEnd(doc, s.start, s.end);
    const text = doc.textBetween(s.start, end);
    const duplicate = targets.some((t) => compare(t.start, s.start) === 0 && compare(t.end, end) === 0);
    if (!isBlank(text) && !duplicate) targets.push({ start: s.start, end, text, kind: 'selection' });
  }
  for (const s of selections) {
    if (compare(s.start, s.end) !== 0) continue;
    const paragraph = paragraphAt(doc, s.start.line);
    if (!paragraph || targets.some((t) => overlaps(t, paragraph))) continue;
    targets.push({ ...paragraph, text: doc.textBetween(paragraph.start, paragraph.end), kind: 'paragraph' });
  }
  return targets.sort((a, b) => compare(a.start, b.start) || compare(a.end, b.end));
}
