/**
 * `npx tsx scripts/bench-document.ts [--units N] [--words N] [--maxlen N] [--backend wasm]`:
 * analyses a document of N units (N words each, drawn from the reviews'
 * vocabulary) with the tutorial's LSTM through the worker thread, as
 * `predict --file` and Analyze Document do, and adds the time to its table in
 * BENCHMARKS.md. The model is trained for one epoch on a small labelled
 * fixture first: prediction costs the same whatever the weights.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { resolveHyperparameters } from '../src/core/presets';
import { openRun } from '../src/core/runs';
import { WorkerClient } from '../src/core/worker-client';
import type { BackendPreference } from '../src/core/backend-names';
import { addBenchmarkRow } from './lib/benchmark-table';

const ROOT = path.resolve(__dirname, '..');
const COLUMNS = ['when (UTC)', 'backend', 'recurrent layers', 'units', 'words each', 'maxlen', 'seconds', 'units/s'];
const { values } = parseArgs({
  options: {
    units: { type: 'string', default: '10000' },
    words: { type: 'string', default: '100' },
    maxlen: { type: 'string', default: '500' },
    backend: { type: 'string', default: 'wasm' },
  },
});

async function main(): Promise<void> {
  const units = Number(values.units);
  const words = Number(values.words);
  const maxlen = Number(values.maxlen);
  const backend = values.backend as BackendPreference;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rsl-bench-document-'));
  const client = new WorkerClient(path.join(ROOT, 'dist', 'worker.js'));
  try {
    const hyperparameters = resolveHyperparameters('lstm', { maxlen, epochs: 1, batchSize: 8 });
    const trained = await client.request('train', {
      hyperparameters,
      data: { kind: 'labelled', path: path.join(ROOT, 'test', 'fixtures', 'labelled', 'reviews.csv'), options: {} },
      cacheDir: dir,
      runsDir: dir,
      backend,
      evaluate: false,
    }).result;
    const vocabulary = (await openRun(trained.runDir)).vocabulary.words;
    let state = 1;
    const next = () => (state = (state * 48271) % 2147483647);
    const texts = Array.from({ length: units }, () => Array.from({ length: words }, () => vocabulary[next() % vocabulary.length]).join(' '));
    // Load the model once, as a second analysis would find it.
    await client.request('predict', { runDir: trained.runDir, texts: texts.slice(0, 1), backend }).result;
    const started = performance.now();
    const result = await client.request('predict', { runDir: trained.runDir, texts, backend }).result;
    const seconds = (performance.now() - started) / 1000;
    const cells = [new Date().toISOString().slice(0, 16).replace('T', ' '), result.backend, result.recurrentImplementation, String(units), String(words), String(maxlen), seconds.toFixed(2), String(Math.round(units / seconds))];
    console.log(`| ${cells.join(' | ')} |`);
    await addBenchmarkRow(COLUMNS, cells);
  } finally {
    await client.terminate();
    await rm(dir, { recursive: true, force: true });
  }
}

void main();
