/**
 * The command line on a user's own files, as a real process: `train --data`
 * on each labelled format (CSV, TSV, JSONL, label folders), `train
 * --fine-tune`, `predict --file` on each document format, and the refusals
 * with their exit codes (2: the input is wrong; 1: not found).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { inspectRun, openRun } from '../../src/core/runs';
import { REPO_ROOT, requireBuilt, tempDir } from './helpers';
import { assertOneLineError, run } from './cli-helpers';

const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures');
const labelled = (name: string) => path.join(FIXTURES, 'labelled', name);
const doc = (name: string) => path.join(FIXTURES, 'documents', name);
const QUICK = ['--preset', 'simple-rnn', '--maxlen', '12', '--num-words', '60', '--batch-size', '8', '--epochs', '1'];

describe('CLI on labelled data and whole documents', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let runDir: string | undefined;
  const model = () => {
    assert.ok(runDir, 'needs the run trained by "train on a CSV…"');
    return runDir;
  };

  before(async () => {
    requireBuilt();
    ({ dir, cleanup } = await tempDir());
  });
  after(() => cleanup());

  test('train on a CSV prints the validation report and records the dataset', async () => {
    const out = await run(['train', ...QUICK, '--data', labelled('bad-rows.csv'), '--positive-label', 'pos', '--negative-label', 'neg', '--out', dir, '--cache-dir', dir]);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stderr, /bad-rows\.csv: 19 of 24 rows clean/);
    assert.match(out.stderr, /bad-rows\.csv line 7: not UTF-8 \(byte offset 161\)/);
    runDir = out.stdout.trim();
    const listing = await inspectRun(runDir);
    assert.ok(listing.ok);
    assert.equal(listing.record.dataset.labelled?.labels.positive, 'pos');
  });

  test('train on a TSV, a JSONL (key path) and a folder per label', async () => {
    for (const args of [
      ['--data', labelled('reviews.tsv')],
      ['--data', labelled('reviews.jsonl'), '--text-column', 'review.body'],
      ['--data', labelled('folder'), '--positive-label', 'good', '--test-split', '0.25'],
    ]) {
      const out = await run(['train', ...QUICK, ...args, '--out', dir, '--cache-dir', dir, '--json']);
      assert.equal(out.code, 0, out.stderr);
      const result = JSON.parse(out.stdout) as { runDir: string; status: string };
      assert.equal(result.status, 'complete');
    }
  });

  test('--fine-tune keeps the parent and refuses a new architecture; the training choices may change', async () => {
    const out = await run(['train', '--fine-tune', model(), '--data', labelled('reviews.csv'), '--learning-rate', '0.01', '--epochs', '1', '--keep', 'last', '--train-on', 'reviews-and-sentences', '--short-text-share', '0.5', '--out', dir, '--cache-dir', dir]);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stderr, /on \d+ reviews and their \d+ sentences/);
    const listing = await inspectRun(out.stdout.trim());
    assert.ok(listing.ok);
    assert.equal(listing.record.parentRunId, path.basename(model()));
    assert.equal(listing.record.hyperparameters.keep, 'last');
    assert.equal(listing.record.hyperparameters.trainOn, 'reviews-and-sentences');
    assert.equal(listing.record.hyperparameters.shortTextShare, 0.5);
    assert.equal(listing.record.hyperparameters.units, (await openRun(model())).record.hyperparameters.units, 'the architecture stays');
    const refused = await run(['train', '--fine-tune', model(), '--units', '8', '--data', labelled('reviews.csv'), '--out', dir]);
    assertOneLineError(refused, /--fine-tune keeps the parent run's architecture and vocabulary: drop --units/);
    assert.equal(refused.code, 2);
  });

  test('runs name each run\'s dataset and parent, and say that these datasets differ', async () => {
    const out = await run(['runs', '--dir', dir]);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /^These runs were trained on different datasets \(.*bad-rows\.csv.*\): their accuracies are not directly comparable\.$/m);
    assert.match(out.stdout, /bad-rows\.csv · 24 rows \(19 clean\) · pos\/neg · sha256 [0-9a-f]{12}/);
    assert.match(out.stdout, new RegExp(`reviews\\.csv · 20 rows \\(20 clean\\) · pos/neg · sha256 [0-9a-f]{12} · fine-tuned from ${path.basename(model())}`));
  });

  test('predict --file on text, Markdown, CSV, TSV and JSONL: one result per unit with its line', async () => {
    const text = await run(['predict', '--model', model(), '--file', doc('comments.txt'), '--unit', 'line']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^\s+1\s+(positive|negative), [\d.]+% sure\s+The service was great/m);
    assert.match(text.stdout, /[\d,]+ positive · [\d,]+ negative · mean 0\.\d\d\n$/);
    const md = await run(['predict', '--model', model(), '--file', doc('notes.md'), '--json']);
    assert.deepEqual((JSON.parse(md.stdout) as Array<{ startLine: number }>).map((u) => u.startLine), [5, 7, 9, 16]);
    const csv = await run(['predict', '--model', model(), '--file', doc('tickets.csv'), '--column', 'comment', '--csv']);
    assert.equal(csv.code, 0, csv.stderr);
    const rows = parse<Record<string, string>>(csv.stdout, { columns: true });
    assert.deepEqual(rows.map((r) => [r.start_line, r.end_line]), [['2', '2'], ['3', '4'], ['6', '6']]);
    assert.match(csv.stderr, /1 of 4 rows skipped: no text in column "comment" \(first at line 5\)/);
    const tsv = await run(['predict', '--model', model(), '--file', doc('tickets.tsv'), '--column', 'comment', '--json']);
    assert.equal((JSON.parse(tsv.stdout) as unknown[]).length, 2);
    const jsonl = await run(['predict', '--model', model(), '--file', doc('reviews.jsonl'), '--field', 'review.text', '--json']);
    assert.equal((JSON.parse(jsonl.stdout) as unknown[]).length, 2);
  });

  test('refusals, one line each, with exit codes', async () => {
    const cases: Array<[string[], RegExp, number]> = [
      [['train', ...QUICK, '--data', labelled('three-labels.csv'), '--out', dir], /has 3 labels, .*: the presets learn two/, 2],
      [['train', ...QUICK, '--data', labelled('empty.csv'), '--out', dir], /empty\.csv is empty/, 2],
      [['train', ...QUICK, '--data', labelled('reviews.csv'), '--text-column', 'body', '--out', dir], /no column "body"/, 2],
      [['predict', '--model', model(), '--file', doc('tickets.csv')], /choose the column to analyze/, 2],
      [['predict', '--model', model(), '--file', doc('latin1.txt')], /not UTF-8: byte 0xe9 at byte offset 10/, 2],
      [['predict', '--model', model(), '--file', doc('empty.txt')], /has no text to analyze/, 2],
      [['predict', '--model', model(), '--file', doc('notes.md'), '--column', 'x'], /--column is for CSV and TSV files/, 2],
      [['predict', '--model', model(), '--file', doc('nope.txt')], /No file at .*nope\.txt/, 1],
      [['predict', '--model', model(), '--file', doc('notes.md'), 'also a text'], /Give texts or --file, not both/, 2],
    ];
    for (const [args, pattern, code] of cases) {
      const out = await run(args);
      assertOneLineError(out, pattern);
      assert.equal(out.code, code, `${args.join(' ')}: ${out.stderr}`);
    }
  });
});
