/**
 * The benchmarks that measure a row at a time add it to their own table in
 * BENCHMARKS.md, wherever later sections have put it (a real file in a
 * temporary folder).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { addBenchmarkRow } from '../../scripts/lib/benchmark-table';
import { tempDir } from './helpers';

const COLUMNS = ['when (UTC)', 'maxlen', 'seconds'];

test('a row goes under the last table of its header, before the sections that follow it', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const file = path.join(dir, 'BENCHMARKS.md');
  const before = [
    '# Benchmarks',
    '',
    '## bench-document, first',
    '',
    '| when (UTC) | maxlen | seconds |',
    '| --- | --- | --- |',
    '| 03:30 | 500 | 5.45 |',
    '',
    '## bench-document, after the fix',
    '',
    '| when (UTC) | maxlen | seconds |',
    '| --- | --- | --- |',
    '| 13:46 | 100 | 0.40 |',
    '',
    'What the rows say.',
    '',
    '## bench:extension',
    '',
    '| when (UTC) | median ms |',
    '| --- | --- |',
    '| 14:00 | 120 |',
    '',
  ].join('\n');
  await writeFile(file, before);
  await addBenchmarkRow(COLUMNS, ['14:30', '100', '0.39'], file);
  const after = (await readFile(file, 'utf8')).split('\n');
  assert.deepEqual(after.slice(10, 15), ['| when (UTC) | maxlen | seconds |', '| --- | --- | --- |', '| 13:46 | 100 | 0.40 |', '| 14:30 | 100 | 0.39 |', '']);
  assert.equal(after.length, before.split('\n').length + 1, 'one line added, nothing else moved');
  assert.equal(after.filter((l) => l === '| 14:30 | 100 | 0.39 |').length, 1);
  assert.deepEqual(await readdir(dir), ['BENCHMARKS.md'], 'no temporary file left beside it');
});

test('a table not in the file yet starts at its end, header first; a row of the wrong width is refused', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const file = path.join(dir, 'BENCHMARKS.md');
  await writeFile(file, '# Benchmarks\n\nSome text.');
  await addBenchmarkRow(COLUMNS, ['14:30', '500', '0.59'], file);
  assert.equal(await readFile(file, 'utf8'), '# Benchmarks\n\nSome text.\n\n| when (UTC) | maxlen | seconds |\n| --- | --- | --- |\n| 14:30 | 500 | 0.59 |\n');
  await assert.rejects(addBenchmarkRow(COLUMNS, ['14:31', '500'], file), /a row of 2 cells for a table of 3 columns/);
  assert.match(await readFile(file, 'utf8'), /\| 14:30 \| 500 \| 0\.59 \|\n$/, 'the file is unchanged by the refused row');
});
