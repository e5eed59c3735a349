/**
 * `node --import tsx scripts/bench-dashboard-state.ts --dir RUNS_DIR [--times 20]`:
 * what every dashboard is sent at each state change (an analysis, a run
 * listed, the active run changed) for a folder of runs: its size as JSON, and
 * the time to serialise it, as VS Code does for a webview message (median of
 * `--times`). Measures the state as the lab sends it (each run's batches
 * thinned to what a chart draws) beside the same state with every batch, as
 * it was sent before. Adds a row to its table in BENCHMARKS.md unless --no-write.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Lab } from '../src/lab/lab';
import { ServiceClient } from '../src/lab/service-client';
import { readSettings } from '../src/lab/settings';
import type { DashboardState } from '../src/protocol';
import { addBenchmarkRow } from './lib/benchmark-table';

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    times: { type: 'string', default: '20' },
    'no-write': { type: 'boolean', default: false },
  },
});
if (!values.dir) throw new Error('--dir RUNS_DIR is required: the folder of runs the dashboards list.');
const runsDir = path.resolve(values.dir);
const times = Number(values.times);

/** Median milliseconds of JSON.stringify(state), and its size in MB. */
function measure(state: DashboardState): { ms: number; mb: number } {
  const ms: number[] = [];
  let length = 0;
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    length = JSON.stringify(state).length;
    ms.push(performance.now() - started);
  }
  return { ms: ms.sort((a, b) => a - b)[Math.floor(ms.length / 2)], mb: length / 1e6 };
}

async function main(): Promise<void> {
  const settings = () => readSettings((key) => (key === 'runsFolder' ? runsDir : undefined), os.tmpdir());
  const memory = new Map<string, unknown>();
  const store = { get: <T>(key: string) => memory.get(key) as T | undefined, update: (key: string, value: unknown) => Promise.resolve(void memory.set(key, value)) };
  // Never connected: the snapshot reads the runs folder, not the service.
  const service = new ServiceClient(() => {
    throw new Error('not used');
  });
  const lab = new Lab(service, store, settings);
  const listings = await lab.refreshRuns();
  const sent = lab.snapshot();
  const whole: DashboardState = { ...sent, runs: listings.map((r) => (r.ok ? { ok: true, id: r.id, record: r.record } : { ok: false, id: r.id, problems: r.problems })) };
  const batches = (state: DashboardState) => state.runs.reduce((n, r) => n + (r.ok ? r.record.history.batches.length : 0), 0);
  const before = measure(whole);
  const after = measure(sent);
  const f = (x: number) => x.toFixed(1);
  const cells = [
    new Date().toISOString().slice(0, 16).replace('T', ' '),
    String(sent.runs.length),
    `${batches(whole)} → ${batches(sent)}`,
    `${f(before.mb)} → ${f(after.mb)}`,
    `${f(before.ms)} → ${f(after.ms)}`,
    os.loadavg()[0].toFixed(1),
  ];
  process.stdout.write(`| ${cells.join(' | ')} |\n`);
  if (!values['no-write']) {
    await addBenchmarkRow(['when (UTC)', 'runs', 'batches sent (before → after)', 'MB (before → after)', 'ms to serialise (before → after)', 'load'], cells);
  }
  await lab.dispose();
}

void main().catch((error: unknown) => {
  process.stderr.write(`bench-dashboard-state: ${String(error)}\n`);
  process.exitCode = 1;
});
