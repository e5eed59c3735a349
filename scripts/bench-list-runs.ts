/**
 * `node --import tsx scripts/bench-list-runs.ts --dir RUNS_DIR [--times 30]`:
 * how long listing a runs folder takes, as the dashboard lists it at every
 * refresh (listRuns, which reads and checks every run's files). Prints the
 * first listing, then the median and the slowest of the next ones, in wall
 * time and in CPU time of this thread, and adds them to their table in
 * BENCHMARKS.md unless --no-write. Any folder of runs will do (`rnn-sentiment-lab train
 * --limit 200 --epochs 1` a few times makes one).
 */
import * as os from 'node:os';
import { parseArgs } from 'node:util';
import { listRuns } from '../src/core/runs';
import { addBenchmarkRow } from './lib/benchmark-table';

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    times: { type: 'string', default: '30' },
    label: { type: 'string', default: '' },
    'no-write': { type: 'boolean', default: false },
  },
});
if (!values.dir) throw new Error('--dir RUNS_DIR is required: the folder of runs to list.');
const times = Number(values.times);

async function once(): Promise<{ wallMs: number; cpuMs: number; runs: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const runs = await listRuns(values.dir!);
  const used = process.cpuUsage(cpu);
  return { wallMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000, runs: runs.length };
}

async function main(): Promise<void> {
  const first = await once();
  const next: { wallMs: number; cpuMs: number }[] = [];
  for (let i = 0; i < times; i++) next.push(await once());
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  const median = (xs: number[]) => sorted(xs)[Math.floor(xs.length / 2)];
  const max = (xs: number[]) => sorted(xs)[xs.length - 1];
  const f = (x: number) => x.toFixed(1);
  const cells = [
    values.label || '-',
    String(first.runs),
    `${f(first.wallMs)} / ${f(first.cpuMs)}`,
    `${f(median(next.map((n) => n.wallMs)))} / ${f(median(next.map((n) => n.cpuMs)))}`,
    `${f(max(next.map((n) => n.wallMs)))} / ${f(max(next.map((n) => n.cpuMs)))}`,
    os.loadavg()[0].toFixed(1),
  ];
  process.stdout.write(`| ${cells.join(' | ')} |\n`);
  if (!values['no-write']) await addBenchmarkRow(['code', 'runs', 'first listing', `median of the next ${times}`, `slowest of the next ${times}`, 'load'], cells);
}

void main().catch((error: unknown) => {
  process.stderr.write(`bench-list-runs: ${String(error)}\n`);
  process.exitCode = 1;
});
