/** What Analyze Sentiment reads: selections in document order, a bare cursor's paragraph, nothing twice. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analysisTargets, paragraphAt, type DocumentLines, type TextPosition } from '../../src/editor/targets';

function doc(text: string): DocumentLines {
  const lines = text.split('\n');
  const offset = (p: TextPosition) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return { lineCount: lines.length, lineText: (i) => lines[i], textBetween: (a, b) => text.slice(offset(a), offset(b)) };
}
const at = (line: number, character: number): TextPosition => ({ line, character });
const sel = (a: TextPosition, b: TextPosition) => ({ start: a, end: b });

const TEXT = ['A wonderful film.', 'I loved every minute.', '', '   ', 'Dull and far too long.', 'Avoid it.'].join('\n');

test('a bare cursor reads the paragraph around it, between blank (or whitespace-only) lines', () => {
  assert.deepEqual(paragraphAt(doc(TEXT), 1), { start: at(0, 0), end: at(1, 21) });
  assert.deepEqual(paragraphAt(doc(TEXT), 4), { start: at(4, 0), end: at(5, 9) });
  assert.equal(paragraphAt(doc(TEXT), 2), undefined);
  assert.equal(paragraphAt(doc(TEXT), 3), undefined);
  const [target] = analysisTargets(doc(TEXT), [sel(at(5, 2), at(5, 2))]);
  assert.deepEqual([target.kind, target.text], ['paragraph', 'Dull and far too long.\nAvoid it.']);
});

test('several selections come back in document order, whatever order they were made in', () => {
  const targets = analysisTargets(doc(TEXT), [sel(at(4, 0), at(4, 22)), sel(at(0, 2), at(0, 11))]);
  assert.deepEqual(targets.map((t) => t.text), ['wonderful', 'Dull and far too long.']);
  assert.ok(targets.every((t) => t.kind === 'selection'));
});

test('whitespace-only selections, blank-line cursors and repeats give nothing', () => {
  assert.deepEqual(analysisTargets(doc(TEXT), [sel(at(2, 0), at(3, 3)), sel(at(3, 1), at(3, 1))]), []);
  const twice = analysisTargets(doc(TEXT), [sel(at(0, 0), at(0, 1)), sel(at(0, 0), at(0, 1)), sel(at(0, 3), at(0, 3)), sel(at(1, 3), at(1, 3))]);
  // The selection is kept; the cursors' paragraph overlaps it, so it is not read a second time.
  assert.deepEqual(twice.map((t) => [t.kind, t.text]), [['selection', 'A']]);
});

test('a selection that ends on the next line (a whole-line or Ctrl+A selection) is labelled after its last word', () => {
  const [target] = analysisTargets(doc(TEXT), [sel(at(0, 0), at(3, 2))]);
  assert.deepEqual(target.end, at(1, 21));
  assert.equal(target.text, 'A wonderful film.\nI loved every minute.');
});

test('a selection and a cursor in another paragraph give one label each', () => {
  const targets = analysisTargets(doc(TEXT), [sel(at(5, 0), at(5, 0)), sel(at(0, 0), at(0, 17))]);
  assert.deepEqual(targets.map((t) => t.kind), ['selection', 'paragraph']);
});
