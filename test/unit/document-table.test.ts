/** The Document view's table logic: filter, sort, histogram and the window of rows a virtualised table draws. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { histogram, queryUnits, visibleRows, type TableUnit } from '../../src/core/document/table';

const unit = (startLine: number, probability: number, text: string): TableUnit => ({ startLine, endLine: startLine, probability, text, label: probability >= 0.5 ? 'positive' : 'negative' });
const units = [unit(1, 0.9, 'Great film'), unit(3, 0.1, 'Awful plot'), unit(5, 0.6, 'great cast, awful end'), unit(7, 0.5, 'Fine')];

describe('Document view table', () => {
  test('filters by label and words, sorts by any column either way', () => {
    const all = { sort: 'line', descending: false, search: '', label: 'all' } as const;
    assert.deepEqual(queryUnits(units, all), [0, 1, 2, 3]);
    assert.deepEqual(queryUnits(units, { ...all, sort: 'probability', descending: true }), [0, 2, 3, 1]);
    assert.deepEqual(queryUnits(units, { ...all, label: 'negative' }), [1]);
    assert.deepEqual(queryUnits(units, { ...all, search: 'GREAT' }), [0, 2]);
    assert.deepEqual(queryUnits(units, { ...all, search: 'awful', sort: 'probability' }), [1, 2]);
  });

  test('histogram bins cover [0, 1] with 1.0 in the last bin', () => {
    assert.deepEqual(histogram([0, 0.05, 0.5, 0.99, 1], 4), [2, 0, 1, 2]);
    assert.equal(histogram(units.map((u) => u.probability)).reduce((a, b) => a + b, 0), units.length);
  });

  test('a virtualised table of 100,000 rows draws only the rows in view', () => {
    assert.deepEqual(visibleRows(0, 600, 24, 100_000), { first: 0, last: 35 });
    const deep = visibleRows(24 * 50_000, 600, 24, 100_000);
    assert.deepEqual(deep, { first: 49_990, last: 50_035 });
    assert.deepEqual(visibleRows(24 * 100_000, 600, 24, 100_000), { first: 99_990, last: 100_000 });
    assert.deepEqual(visibleRows(0, 600, 24, 3), { first: 0, last: 3 });
  });
});
