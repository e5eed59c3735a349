/**
 * A user's own labelled data (fixtures in test/fixtures/labelled): each format
 * read, every bad row reported with its line, two labels only, seeded splits
 * or the data's own test file, the vocabulary ranked on this data's training
 * split; then real training in the worker thread on a CSV (the run records
 * its dataset and report) and a fine-tuning that keeps its parent's vocabulary.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { loadDataset, parseDataSource } from '../../src/core/dataset';
import { readLabelledCorpus, describeReport } from '../../src/core/dataset/labelled';
import { resolveHyperparameters } from '../../src/core/presets';
import { inspectRun, openRun } from '../../src/core/runs';
import { WorkerClient } from '../../src/core/worker-client';
import { Vocabulary } from '../../src/core/vocabulary';
import type { TrainParams, TrainingEvents } from '../../src/protocol';
import { REPO_ROOT, WORKER_PATH, requireBuilt, tempDir } from './helpers';

const LABELLED = path.join(REPO_ROOT, 'test', 'fixtures', 'labelled');
const at = (name: string) => path.join(LABELLED, name);

describe('labelled datasets', () => {
  test('CSV (BOM, CRLF, quoted newlines), TSV, JSONL and label folders read the same 20 rows, columns and positive label guessed', async () => {
    const csv = await readLabelledCorpus(at('reviews.csv'), {}, 113);
    assert.equal(csv.report.textColumn, 'review');
    assert.equal(csv.report.labelColumn, 'sentiment');
    assert.deepEqual(csv.report.labels, { positive: 'pos', negative: 'neg' });
    assert.ok(csv.corpus.train.some((r) => r.text.includes('\n')), 'a quoted newline stays inside its text');
    assert.ok(!csv.corpus.train.some((r) => r.text.startsWith('\ufeff') || r.text.includes('\r')));
    assert.equal(csv.report.sha256, createHash('sha256').update(await readFile(at('reviews.csv'))).digest('hex'));
    const tsv = await readLabelledCorpus(at('reviews.tsv'), {}, 113);
    assert.deepEqual(tsv.report.labels, { positive: 'positive', negative: 'negative' });
    const jsonl = await readLabelledCorpus(at('reviews.jsonl'), { textColumn: 'review.body' }, 113);
    assert.deepEqual(jsonl.report.labels, { positive: '1', negative: '0' });
    const folder = await readLabelledCorpus(at('folder'), { positiveLabel: 'good' }, 113);
    assert.deepEqual(folder.report.labels, { positive: 'good', negative: 'bad' });
    for (const r of [csv, tsv, jsonl, folder]) {
      assert.equal(r.report.clean, 20);
      assert.deepEqual(Object.values(r.report.classBalance), [10, 10]);
    }
  });

  test('every bad row is named with its line; only clean rows train', async () => {
    const { report, corpus } = await readLabelledCorpus(at('bad-rows.csv'), { positiveLabel: 'pos', negativeLabel: 'neg' }, 113);
    assert.deepEqual(
      report.issues.map((i) => `${i.where}: ${i.message}`),
      [
        'bad-rows.csv line 3: empty text',
        'bad-rows.csv line 4: no label',
        'bad-rows.csv line 5: unknown label "meh"',
        'bad-rows.csv line 6: same text as bad-rows.csv line 2',
        'bad-rows.csv line 7: not UTF-8 (byte offset 161)',
      ],
    );
    assert.equal(report.rows, 24);
    assert.equal(report.clean, 19);
    assert.equal(corpus.train.length + corpus.test.length, 19);
    assert.ok(!corpus.train.concat(corpus.test).some((r) => r.text.includes('Caf')), 'the row with a Latin-1 byte does not train');
    assert.match(describeReport(report), /19 of 24 rows clean \(9 neg, 10 pos; "pos" is positive\); left out: 1 empty text, 1 no label, 1 unknown label, 1 duplicate, 1 not UTF-8/);
  });

  test('refusals: three labels, an empty file, labels that cannot be told apart, a column not there', async () => {
    await assert.rejects(readLabelledCorpus(at('three-labels.csv'), {}, 1), /has 3 labels, "pos" \(10\), "neg" \(10\), "neutral" \(1\): the presets learn two/);
    await assert.rejects(readLabelledCorpus(at('empty.csv'), {}, 1), /empty\.csv is empty/);
    await assert.rejects(readLabelledCorpus(at('reviews.csv'), { textColumn: 'nope' }, 1), /no column "nope"; its columns are: "id", "review", "sentiment"/);
    await assert.rejects(readLabelledCorpus(at('reviews.csv'), { labelColumn: 'id' }, 1), /has 20 labels/);
  });

  test('the test split is drawn with the seed (same seed, same rows), or is the data\'s own test file', async () => {
    const a = await readLabelledCorpus(at('reviews.csv'), { testSplit: 0.25 }, 7);
    const b = await readLabelledCorpus(at('reviews.csv'), { testSplit: 0.25 }, 7);
    const c = await readLabelledCorpus(at('reviews.csv'), { testSplit: 0.25 }, 8);
    assert.equal(a.corpus.test.length, 5);
    assert.deepEqual(a.corpus.test.map((r) => r.text), b.corpus.test.map((r) => r.text));
    assert.notDeepEqual(a.corpus.test.map((r) => r.text), c.corpus.test.map((r) => r.text));
    const own = await readLabelledCorpus(at('reviews.csv'), { testPath: at('reviews-test.csv') }, 7);
    assert.equal(own.corpus.train.length, 20);
    assert.equal(own.corpus.test.length, 6);
    assert.deepEqual(own.report.test, { rows: 6, from: 'file' });
  });

  test('a .csv path or a folder without train/ is labelled data; the vocabulary is ranked on its training split; a kept vocabulary makes unknown words OOV', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const source = await parseDataSource(at('reviews.csv'), { positiveLabel: 'pos' });
      assert.deepEqual(source, { kind: 'labelled', path: at('reviews.csv'), options: { positiveLabel: 'pos' } });
      assert.equal((await parseDataSource(at('folder'))).kind, 'labelled');
      const settings = { numWords: 100, maxlen: 12, seed: 113, validationSplit: 0.25 };
      const data = await loadDataset(source, settings, { cacheDir: dir });
      assert.equal(data.train.count + data.validation.count, 16);
      assert.equal(data.test.count, 4);
      assert.equal(data.report?.clean, 20);
      // Ranked by this data: its most frequent words, not IMDB's ("the" is rare here).
      assert.ok(['great', 'wonderful', 'loved', 'awful', 'boring', 'hated', 'and', 'a'].includes(data.vocabulary.words[0]));
      const kept = new Vocabulary(['great', 'film']);
      const tuned = await loadDataset(source, { ...settings, vocabulary: kept }, { cacheDir: dir });
      assert.equal(tuned.vocabulary, kept);
      const ids = new Set(tuned.train.x);
      // 0 pad, 1 start, 2 OOV, 4 "great", 5 "film": nothing else.
      for (const id of ids) assert.ok([0, 1, 2, 4, 5].includes(id), `id ${id} is outside the kept vocabulary`);
      assert.ok(ids.has(4) && ids.has(2));
    } finally {
      await cleanup();
    }
  });
});

describe('training and fine-tuning on labelled data in the worker thread', () => {
  let runsDir: string;
  let cleanup: () => Promise<void>;
  let client: WorkerClient;
  before(async () => {
    requireBuilt();
    ({ dir: runsDir, cleanup } = await tempDir());
    client = new WorkerClient(WORKER_PATH);
  });
  after(async () => {
    await client.terminate();
    await cleanup();
  });

  const params = (overrides: Partial<TrainParams>): TrainParams => ({
    hyperparameters: resolveHyperparameters('simple-rnn', { maxlen: 12, batchSize: 8, epochs: 1, numWords: 60 }),
    data: { kind: 'labelled', path: at('bad-rows.csv'), options: { positiveLabel: 'pos', negativeLabel: 'neg' } },
    cacheDir: runsDir,
    runsDir,
    backend: 'auto',
    evaluate: true,
    ...overrides,
  });

  test('a run trained on a CSV records its dataset, labels, checksum and report; a fine-tuned child keeps the parent\'s vocabulary and names its parent', async () => {
    const events: string[] = [];
    let report: TrainingEvents['validation'] | undefined;
    const first = await client.request('train', params({}), (event, data) => {
      events.push(event);
      if (event === 'validation') report = data as TrainingEvents['validation'];
    }).result;
    assert.ok(events.indexOf('validation') >= 0 && events.indexOf('validation') < events.indexOf('started'), 'the report comes before training starts');
    assert.equal(report?.clean, 19);
    const listing = await inspectRun(first.runDir);
    assert.ok(listing.ok);
    const d = listing.record.dataset;
    assert.equal(d.labelled?.name, 'bad-rows.csv');
    assert.deepEqual(d.labelled?.labels, { positive: 'pos', negative: 'neg' });
    assert.equal(d.labelled?.sha256, createHash('sha256').update(await readFile(at('bad-rows.csv'))).digest('hex'));
    assert.equal(d.labelled?.issues.length, 5);
    assert.equal(d.train + d.validation + d.test, 19);

    const parent = await openRun(first.runDir);
    const h = { ...parent.record.hyperparameters, learningRate: 0.01, epochs: 1 };
    const child = await client.request('train', params({ hyperparameters: h, data: { kind: 'labelled', path: at('reviews.tsv'), options: {} }, fineTuneFrom: first.runDir })).result;
    const tuned = await openRun(child.runDir);
    assert.equal(tuned.record.parentRunId, parent.record.id);
    assert.deepEqual(tuned.vocabulary.words, parent.vocabulary.words, 'the parent\'s vocabulary, not one ranked on the new data');
    assert.equal(tuned.record.hyperparameters.learningRate, 0.01);
    assert.equal(tuned.record.dataset.labelled?.name, 'reviews.tsv');
    // Evaluating it again reads the test rows through its own (the parent's) vocabulary, as its training did, not one ranked on the data.
    const tsv = { kind: 'labelled' as const, path: at('reviews.tsv'), options: {} };
    const again = await client.request('evaluate', { runDir: child.runDir, data: tsv, cacheDir: runsDir, backend: 'auto', save: false }).result;
    assert.ok(tuned.record.test);
    assert.equal(again.metrics.count, tuned.record.test.count);
    assert.ok(Math.abs(again.metrics.loss - tuned.record.test.loss) < 1e-5, `loss ${again.metrics.loss} against ${tuned.record.test.loss} when it was trained`);

    // Another architecture cannot start from these weights.
    const wrong = resolveHyperparameters('lstm', { maxlen: 12, numWords: 60 });
    await assert.rejects(client.request('train', params({ hyperparameters: wrong, fineTuneFrom: first.runDir })).result, /Fine-tuning keeps run .* architecture/);
  });
});
