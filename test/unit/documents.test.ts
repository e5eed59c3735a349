/**
 * Whole documents split into units (real fixture files in test/fixtures/documents):
 * paragraphs and lines with their line ranges, Markdown's code and front
 * matter skipped, a CSV column (quoted newlines, BOM), a TSV column, a JSONL
 * key path; the refusals a user sees; the CSV and JSON export.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { readDocumentFile } from '../../src/core/document/read';
import { decodeUtf8 } from '../../src/core/document/decode';
import { documentChoices, formatOfFile, splitDocument, type SplitOptions } from '../../src/core/document/units';
import { exportUnits, summariseUnits, type AnalysedUnit } from '../../src/core/document/export';
import { DocumentChoices } from '../../src/commands/document-choices';
import { isLabError } from '../../src/core/errors';
import { MapStore, REPO_ROOT } from './helpers';

const DOCS = path.join(REPO_ROOT, 'test', 'fixtures', 'documents');

async function split(file: string, options: Partial<SplitOptions> = {}) {
  const content = await readDocumentFile(path.join(DOCS, file));
  return splitDocument(content, { format: formatOfFile(file), name: file, ...options });
}

describe('documents split into units', () => {
  test('Markdown paragraphs skip front matter and fenced code, and keep their lines', async () => {
    const { units } = await split('notes.md');
    assert.deepEqual(units.map((u) => [u.startLine, u.endLine]), [[5, 5], [7, 7], [9, 10], [16, 16]]);
    assert.ok(!units.some((u) => /print|title:/.test(u.text)), 'code and front matter are not units');
    assert.equal(units[2].text, 'The second one was awful and boring.\nI hated the ending.');
  });

  test('plain text with CRLF: paragraphs by default, lines when asked', async () => {
    const paragraphs = await split('comments.txt');
    assert.deepEqual(paragraphs.units.map((u) => [u.startLine, u.endLine]), [[1, 1], [3, 4]]);
    assert.ok(!paragraphs.units.some((u) => u.text.includes('\r')));
    const lines = await split('comments.txt', { unit: 'line' });
    assert.deepEqual(lines.units.map((u) => u.startLine), [1, 3, 4]);
  });

  test('a CSV column: BOM dropped, a quoted newline keeps its two lines, an empty cell is skipped with its line', async () => {
    const content = await readDocumentFile(path.join(DOCS, 'tickets.csv'));
    assert.deepEqual(documentChoices(content, 'csv', 'tickets.csv'), ['id', 'comment', 'score']);
    const { units, skipped } = await split('tickets.csv', { column: 'comment' });
    assert.deepEqual(units.map((u) => [u.text, u.startLine, u.endLine]), [
      ['Great product, loved it', 2, 2],
      ['Awful.\nBroke on day one', 3, 4],
      ['Wonderful support', 6, 6],
    ]);
    assert.deepEqual(skipped.map((s) => s.startLine), [5]);
  });

  test('a TSV column and a JSONL key path', async () => {
    assert.deepEqual((await split('tickets.tsv', { column: 'comment' })).units.map((u) => u.text), ['Great product, loved it', 'Awful and boring']);
    const jsonl = await split('reviews.jsonl', { field: 'review.text' });
    assert.deepEqual(jsonl.units.map((u) => [u.text, u.startLine]), [['great film, loved it', 1], ['awful and boring', 2]]);
    assert.deepEqual(jsonl.skipped.map((s) => s.startLine), [4]);
  });

  test('refusals name what to do: no column chosen, an unknown column, a line that is not JSON, Latin-1 bytes with their offset', async () => {
    await assert.rejects(split('tickets.csv'), /choose the column to analyze \("id", "comment", "score"\)/);
    await assert.rejects(split('tickets.csv', { column: 'body' }), /has no column "body"; its columns are: "id", "comment", "score"/);
    assert.throws(() => splitDocument('{"a":1}\n{oops\n', { format: 'jsonl', name: 'x.jsonl', field: 'a' }), /x\.jsonl line 2 is not JSON/);
    await assert.rejects(readDocumentFile(path.join(DOCS, 'latin1.txt')), (e: unknown) => isLabError(e, 'bad-argument') && /not UTF-8: byte 0xe9 at byte offset 10 \(line 1\)/.test(e.message));
    await assert.rejects(readDocumentFile(path.join(DOCS, 'missing.txt')), (e: unknown) => isLabError(e, 'not-found'));
    assert.deepEqual((await split('empty.txt')).units, []);
  });

  test('decoding rejects overlong and surrogate encodings, accepts 4-byte characters', () => {
    assert.equal(decodeUtf8(Buffer.from('😀 ok'), 'x'), '😀 ok');
    assert.throws(() => decodeUtf8(Uint8Array.from([0x61, 0xc0, 0xaf]), 'x'), /byte offset 1/);
    assert.throws(() => decodeUtf8(Uint8Array.from([0xed, 0xa0, 0x80]), 'x'), /byte offset 0/);
  });

  test('export: CSV that a CSV reader reads back (quotes, newlines), JSON with the same fields; the summary line', () => {
    const units: AnalysedUnit[] = [
      { text: 'Great, "really"\ngreat', startLine: 2, endLine: 3, probability: 0.9, label: 'positive' },
      { text: 'awful', startLine: 5, endLine: 5, probability: 0.26, label: 'negative' },
    ];
    const rows = parse<Record<string, string>>(exportUnits(units, 'csv'), { columns: true });
    assert.deepEqual(rows[0], { start_line: '2', end_line: '3', label: 'positive', probability: '0.900000', text: 'Great, "really"\ngreat' });
    assert.equal((JSON.parse(exportUnits(units, 'json')) as unknown[]).length, 2);
    assert.equal(summariseUnits(units).text, '1 positive · 1 negative · mean 0.58');
    const many = Array.from({ length: 12_345 }, (_, i): Pick<AnalysedUnit, 'label' | 'probability'> => (i < 1_000 ? { label: null, probability: 0.5 } : { label: 'positive', probability: 0.75 }));
    assert.equal(summariseUnits(many).text, '11,345 positive · 0 negative · mean 0.75 · 1,000 with no known word', 'thousands are grouped, the unlabelled have no say in the mean');
  });

  test("Analyze Document's last choices outlive the session (the workspace state), a table's column by its header", async () => {
    const state = new MapStore();
    const before = new DocumentChoices(state);
    assert.equal(before.lastUnit(), undefined);
    await before.rememberUnit('line');
    await before.rememberColumn('csv', ['id', 'comment', 'score'], 'comment');
    await before.rememberColumn('jsonl', ['id', 'body'], 'body');
    // A reload: a new instance over the same stored state.
    const after = new DocumentChoices(state);
    assert.equal(after.lastUnit(), 'line');
    assert.equal(after.lastColumn('csv', ['id', 'comment', 'score']), 'comment', 'another file with the same header gets the same column');
    assert.equal(after.lastColumn('tsv', ['id', 'comment', 'score']), undefined, 'another format is another table');
    assert.equal(after.lastColumn('csv', ['id', 'text']), undefined, 'another header has no choice yet');
    assert.equal(after.lastColumn('jsonl', ['id', 'body']), 'body');
    await after.rememberColumn('csv', ['id', 'comment', 'score'], 'score');
    assert.equal(new DocumentChoices(state).lastColumn('csv', ['id', 'comment', 'score']), 'score', 'the newest choice wins');
    // A value from an older version or a hand-edited state is ignored, not trusted.
    await state.update('analyzeDocument.unit', 'sentence');
    assert.equal(new DocumentChoices(state).lastUnit(), undefined);
  });
});
