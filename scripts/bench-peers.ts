/**
 * `npm run bench:peers`: the tutorial's Keras code, the same models in
 * PyTorch, and our training worker, on this machine, one after the other, on
 * the very same encoded reviews. Prints a table and appends it to
 * BENCHMARKS.md. A benchmark, not a test: it takes as long as training takes.
 *
 *   node --import tsx scripts/bench-peers.ts [--presets simple-rnn,lstm,bilstm] [--epochs N]
 *       [--limit N] [--maxlen N] [--contestants keras,torch,ours-wasm,ours-tensorflow,ours-cpu]
 *       [--data SRC] [--python python3] [--node PATH] [--skip-build] [--print-only]
 *       [--seeds 113,1-19]
 *
 * - --node: the Node binary that runs our contestants (default: this one).
 *   VS Code's extension host runs Node 22 or later, whose V8 has relaxed
 *   SIMD and so runs the fused-multiply-add kernel build; Node 20 runs the
 *   plain SIMD build. Each row names the Node it ran on.
 * - Data: our pipeline encodes the corpus once and writes every split as raw
 *   little-endian arrays into .cache/peers-data/<key>/ with a JSON header
 *   (sha256 per file); the Python scripts in scripts/peers/ read those bytes.
 *   Our worker encodes the same source with the same settings through the same
 *   loadDataset, so it trains on the same rows.
 * - Python: TensorFlow (CPU) and PyTorch (CPU) live in two virtualenvs under
 *   .cache/ made on first use by scripts/lib/python-venv.ts (shared with the
 *   Keras bridge tests; TensorFlow 2.12 pins an old numpy, PyTorch wants a
 *   recent one). Their install times are kept beside them.
 * - Every run is a fresh process, so its peak RSS is its own: Python reports
 *   getrusage's ru_maxrss, ours reports process.resourceUsage().maxRSS of a
 *   child Node process that drives the worker thread.
 * - Test accuracy: every contestant's final weights (the last epoch's, as the
 *   tutorial's fit leaves them) on the same encoded test reviews; ours also
 *   with the weights it keeps by default (the epoch of lowest validation loss,
 *   evaluated from that epoch's checkpoint through the worker's evaluate).
 * - --seeds: train every contestant once per training seed (initial weights,
 *   dropout and batch order; Keras' set_random_seed, our trainingSeed) on the
 *   same rows, and compare the means: one seed measures the luck of one draw
 *   as much as the implementation (Keras' own SimpleRNN spans 0.68–0.82 after
 *   one epoch over eight seeds). Default: 113 alone.
 * - The machine is shared: each row also says how many cores other processes
 *   kept busy meanwhile (machine-wide busy time from /proc/stat minus the
 *   contestant's own CPU time), so a slow row can be told from a busy machine.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { BackendName } from '../src/core/backend-names';
import { loadDataset, parseDataSource, type EncodedSplit } from '../src/core/dataset';
import type { EpochMetrics } from '../src/core/metrics';
import { PRESETS, PRESET_NAMES, resolveHyperparameters, type PresetName } from '../src/core/presets';
import { listRuns } from '../src/core/runs';
import { WorkerClient } from '../src/core/worker-client';
import { imdbArchive } from '../test/corpus';
import { VENVS, ensureVenv, run, type VenvInfo } from './lib/python-venv';
import type { TrainingEvents } from '../src/protocol';

const ROOT = path.resolve(__dirname, '..');
const PEERS_DIR = path.join(ROOT, 'scripts', 'peers');
const CACHE = path.join(ROOT, '.cache');

/**
 * All contestants, and all run by default: every backend of ours too. The
 * pure-JavaScript cpu backend trains at the others' pace since the fused
 * recurrent layers compute the Embedding's gradient themselves: tfjs-cpu's
 * own (UnsortedSegmentSum, one pass over the batch per vocabulary row) took
 * minutes for a single batch.
 */
const CONTESTANTS = ['keras', 'torch', 'ours-wasm', 'ours-tensorflow', 'ours-cpu'] as const;
type Contestant = (typeof CONTESTANTS)[number];

/** What the targets ask of us, against Keras on the same machine and data. */
const TARGETS = { timeRatio: 0.5, accuracyPoints: 1, peakMemoryMb: 1536, accuracyEpoch: 5 };

const { values } = parseArgs({
  options: {
    presets: { type: 'string', default: PRESET_NAMES.join(',') },
    epochs: { type: 'string', default: '5' },
    limit: { type: 'string' },
    maxlen: { type: 'string' },
    contestants: { type: 'string', default: CONTESTANTS.join(',') },
    data: { type: 'string' },
    python: { type: 'string', default: process.env.PYTHON ?? 'python3' },
    node: { type: 'string', default: process.execPath },
    'skip-build': { type: 'boolean', default: false },
    'print-only': { type: 'boolean', default: false },
    seeds: { type: 'string', default: '113' },
    // Internal: one training of ours in this (child) process.
    one: { type: 'string' },
    preset: { type: 'string' },
    out: { type: 'string' },
    'training-seed': { type: 'string' },
  },
});

function positiveInteger(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`--${name} must be a whole number of at least 1, got "${value}".`);
  return n;
}

const EPOCHS = positiveInteger('epochs', values.epochs)!;
const LIMIT = positiveInteger('limit', values.limit);
const MAXLEN = positiveInteger('maxlen', values.maxlen);

/** "113,1-3" → [113, 1, 2, 3]: each seed once, in the order given. */
function parseSeeds(text: string): number[] {
  const seeds = text.split(',').flatMap((part) => {
    const range = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(part);
    if (range) {
      const [from, to] = [Number(range[1]), Number(range[2])];
      if (to < from) throw new RangeError(`--seeds: the range "${part}" runs backwards.`);
      return Array.from({ length: to - from + 1 }, (_, i) => from + i);
    }
    if (!/^\s*\d+\s*$/.test(part)) throw new RangeError(`--seeds takes whole numbers and ranges such as 113,1-19, got "${part}".`);
    return [Number(part)];
  });
  return [...new Set(seeds)];
}

const SEEDS = parseSeeds(values.seeds);

// ---------------------------------------------------------------- reports

interface EpochReport {
  epoch: number;
  /** Whole epoch, validation included (what Keras prints per epoch). */
  seconds: number;
  trainSeconds: number;
  examplesPerSecond: number;
  loss: number;
  accuracy: number;
  valLoss: number;
  valAccuracy: number;
}

interface RunReport {
  contestant: Contestant;
  framework: string;
  implementation: string;
  train: number;
  validation: number;
  epochs: EpochReport[];
  maxRssMb: number;
  cpuSeconds: number;
  /** Process start to exit: imports, data reading, model building and every epoch. */
  wallSeconds: number;
  python?: string;
  numpy?: string;
  threads?: { intraOp: number; interOp: number };
  backend?: string;
  skipped?: string;
  /** The final weights on the test reviews. */
  test?: { accuracy: number; loss: number; count: number };
  /** Ours: the weights keep 'best' holds (lowest validation loss), on the same test reviews. */
  keptTest?: { epoch: number; accuracy: number };
}

interface Row {
  preset: PresetName;
  /** The training seed of this run. */
  seed: number;
  report: RunReport;
  /** Cores kept busy by other processes during the run, on average. */
  otherCores: number;
  loadAverage: [number, number];
}

// ---------------------------------------------------------------- data export

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Encodes the splits with the current pipeline and writes them unless the
 * folder already holds the same bytes: the key names the settings only, so a
 * change to the tokenizer must not leave stale arrays in place. The header is
 * written last, so a folder with a header is complete.
 */
async function exportData(settings: { numWords: number; maxlen: number; seed: number; validationSplit: number; limit?: number }): Promise<string> {
  const key = `w${settings.numWords}-len${settings.maxlen}-seed${settings.seed}-val${settings.validationSplit}-${settings.limit ?? 'all'}`;
  const dir = path.join(CACHE, 'peers-data', key);
  if (os.endianness() !== 'LE') throw new Error("The export writes the machine's byte order, which the readers take for little-endian.");
  const dataset = await loadDataset(await parseDataSource(values.data ?? (await imdbArchive())), settings, { cacheDir: path.join(CACHE, 'bench') });
  const files: { name: string; bytes: Uint8Array; sha256: string }[] = [];
  const splits: Record<string, unknown> = {};
  for (const [name, split] of Object.entries<EncodedSplit>({ train: dataset.train, validation: dataset.validation, test: dataset.test })) {
    const x = new Uint8Array(split.x.buffer, split.x.byteOffset, split.x.byteLength);
    const y = new Uint8Array(split.y.buffer, split.y.byteOffset, split.y.byteLength);
    const xFile = { name: `${name}-x.i32`, bytes: x, sha256: sha256(x) };
    const yFile = { name: `${name}-y.f32`, bytes: y, sha256: sha256(y) };
    files.push(xFile, yFile);
    splits[name] = {
      count: split.count,
      x: { file: xFile.name, dtype: 'int32', shape: [split.count, settings.maxlen], sha256: xFile.sha256 },
      y: { file: yFile.name, dtype: 'float32', shape: [split.count], sha256: yFile.sha256 },
    };
  }
  const header = JSON.stringify({ ...settings, source: dataset.source.description, byteOrder: 'little-endian', splits }, null, 1);
  const headerPath = path.join(dir, 'header.json');
  if (existsSync(headerPath) && (await readFile(headerPath, 'utf8')) === header) return dir;
  process.stderr.write(`Exporting the encoded splits to ${path.relative(ROOT, dir)}...\n`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  for (const file of files) await writeFile(path.join(dir, file.name), file.bytes);
  await writeFile(headerPath, header);
  return dir;
}

// ---------------------------------------------------------------- machine load

/** Machine-wide busy CPU seconds so far (all cores), from /proc/stat. */
async function busyCpuSeconds(): Promise<number> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0];
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  // USER_HZ is 100 on every Linux this runs on (sysconf(_SC_CLK_TCK)).
  return (user + nice + system + irq + softirq + (steal ?? 0)) / 100;
}

async function measured(report: () => Promise<RunReport>): Promise<Omit<Row, 'preset' | 'seed'>> {
  const loadBefore = os.loadavg()[0];
  const busyBefore = await busyCpuSeconds();
  const started = performance.now();
  const r = await report();
  const wall = (performance.now() - started) / 1000;
  const busy = (await busyCpuSeconds()) - busyBefore;
  return { report: r, otherCores: Math.max(0, (busy - r.cpuSeconds) / wall), loadAverage: [loadBefore, os.loadavg()[0]] };
}

// ---------------------------------------------------------------- contestants

async function runPython(contestant: 'keras' | 'torch', python: string, preset: PresetName, dataDir: string, seed: number): Promise<RunReport> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'bench-peers-'));
  const out = path.join(tmp, 'report.json');
  try {
    const script = path.join(PEERS_DIR, contestant === 'keras' ? 'keras_imdb.py' : 'torch_imdb.py');
    await run(python, [script, '--data', dataDir, '--preset', preset, '--epochs', String(EPOCHS), '--seed', String(seed), '--out', out], {
      env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2', PYTHONUNBUFFERED: '1' },
    });
    return JSON.parse(await readFile(out, 'utf8')) as RunReport;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

function runOurs(contestant: Contestant, preset: PresetName, seed: number): Promise<RunReport> {
  return new Promise((resolve, reject) => {
    void (async () => {
      const tmp = await mkdtemp(path.join(os.tmpdir(), 'bench-peers-'));
      const out = path.join(tmp, 'report.json');
      const args = [...process.execArgv, __filename, ...process.argv.slice(2), '--one', contestant, '--preset', preset, '--training-seed', String(seed), '--out', out];
      const child = spawn(values.node, args, { stdio: ['ignore', process.stderr, process.stderr] });
      child.on('error', reject);
      child.on('close', (code) => {
        void (async () => {
          try {
            if (code !== 0) throw new Error(`${contestant} ${preset} exited with code ${code}`);
            resolve(JSON.parse(await readFile(out, 'utf8')) as RunReport);
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          } finally {
            await rm(tmp, { recursive: true, force: true });
          }
        })();
      });
    })().catch(reject);
  });
}

/** Child process: one training through the worker thread, as the extension and CLI run it. */
async function trainOurs(contestant: Contestant, preset: PresetName, trainingSeed: number, out: string): Promise<void> {
  const backend = contestant.replace('ours-', '') as BackendName;
  // Keep 'last': the final weights, as Keras' fit leaves them; the best epoch's checkpoint is copied aside as training goes.
  const h = resolveHyperparameters(preset, { epochs: EPOCHS, maxlen: MAXLEN, keep: 'last', trainingSeed });
  const client = new WorkerClient(path.join(ROOT, 'dist', 'worker.js'));
  const runsDir = path.join(CACHE, 'peers-runs');
  const bestDir = await mkdtemp(path.join(os.tmpdir(), 'bench-peers-best-'));
  const data = await parseDataSource(values.data ?? (await imdbArchive()));
  let started: TrainingEvents['started'] | undefined;
  let skipped: string | undefined;
  let test: RunReport['test'];
  let keptTest: RunReport['keptTest'];
  let best: EpochMetrics | undefined;
  const copies: Promise<void>[] = [];
  const epochs: EpochMetrics[] = [];
  try {
    const pending = client.request(
      'train',
      { hyperparameters: h, data, limit: LIMIT, cacheDir: path.join(CACHE, 'bench'), runsDir, backend, evaluate: true },
      (event, data) => {
        if (event === 'started') {
          started = data as TrainingEvents['started'];
          process.stderr.write(`  ${contestant}: backend ${started.backend}, recurrent layers ${started.recurrentImplementation}\n`);
          if (started.backend !== backend) {
            skipped = `asked for ${backend}, the worker started ${started.backend}`;
            pending.cancel();
          }
        } else if (event === 'epoch') {
          const e = data as EpochMetrics;
          epochs.push(e);
          // The epoch's checkpoint is on disk before its event: a copy of the best one is evaluated after training.
          if (!best || e.valLoss < best.valLoss) {
            best = e;
            copies.push(copyCheckpoint(runsDir, bestDir));
          }
          process.stderr.write(
            `  ${contestant} ${e.epoch}: ${e.seconds.toFixed(1)} s (${(started!.train / e.examplesPerSecond).toFixed(1)} s training), loss ${e.loss.toFixed(4)} acc ${e.accuracy.toFixed(4)} val_acc ${e.valAccuracy.toFixed(4)}\n`,
          );
        }
      },
    );
    try {
      const { runDir, record } = await pending.result;
      if (record.test) test = { accuracy: record.test.accuracy, loss: record.test.loss, count: record.test.count };
      await Promise.all(copies);
      await rm(runDir, { recursive: true, force: true });
      if (best) {
        const evaluation = await client.request('evaluate', { runDir: path.join(bestDir, path.basename(runDir)), data, limit: LIMIT, cacheDir: path.join(CACHE, 'bench'), backend, save: false }).result;
        keptTest = { epoch: best.epoch, accuracy: evaluation.metrics.accuracy };
        process.stderr.write(`  ${contestant} test: final ${test?.accuracy.toFixed(4) ?? '-'}, kept (epoch ${best.epoch}) ${keptTest.accuracy.toFixed(4)}\n`);
      }
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'backend-unavailable') skipped = (error as Error).message;
      else if (!skipped) throw error;
    }
  } finally {
    await client.terminate();
    await rm(bestDir, { recursive: true, force: true });
  }
  const usage = process.resourceUsage();
  const report: RunReport = {
    contestant,
    framework: `TensorFlow.js ${await tfjsVersion()}`,
    implementation: started ? `${started.recurrentImplementation}, Node ${process.version}` : '-',
    backend: started?.backend,
    train: started?.train ?? 0,
    validation: started?.validation ?? 0,
    epochs: epochs.map((e) => {
      const trainSeconds = started!.train / e.examplesPerSecond;
      return { epoch: e.epoch, seconds: e.seconds, trainSeconds, examplesPerSecond: e.examplesPerSecond, loss: e.loss, accuracy: e.accuracy, valLoss: e.valLoss, valAccuracy: e.valAccuracy };
    }),
    maxRssMb: usage.maxRSS / 1024,
    cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
    wallSeconds: process.uptime(),
    ...(skipped ? { skipped } : {}),
    ...(test ? { test } : {}),
    ...(keptTest ? { keptTest } : {}),
  };
  await writeFile(out, JSON.stringify(report, null, 1));
}

/** Copies the newest run folder of `runsDir` (the training's own, saved after its latest epoch) into `into`, replacing an older copy. */
async function copyCheckpoint(runsDir: string, into: string): Promise<void> {
  const newest = (await listRuns(runsDir)).find((r) => r.ok);
  if (!newest) return;
  const target = path.join(into, path.basename(newest.dir));
  await rm(target, { recursive: true, force: true });
  await cp(newest.dir, target, { recursive: true });
}

async function tfjsVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(path.join(ROOT, 'node_modules', '@tensorflow', 'tfjs-core', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

// ---------------------------------------------------------------- report

const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
/** A difference of accuracies in points: "+0.42 pt". */
const points = (difference: number): string => `${difference >= 0 ? '+' : ''}${(difference * 100).toFixed(2)} pt`;
const f1 = (x: number): string => x.toFixed(1);

function secondsPerEpoch(r: RunReport): { all: number; train: number } {
  return { all: mean(r.epochs.map((e) => e.seconds)), train: mean(r.epochs.map((e) => e.trainSeconds)) };
}

/** Keras' run of the same preset and training seed, the one every other row is set against. */
function kerasRuns(rows: Row[]): (row: Row) => RunReport | undefined {
  const key = (row: Row): string => `${row.preset}/${row.seed}`;
  const keras = new Map(rows.filter((r) => r.report.contestant === 'keras' && !r.report.skipped && r.report.epochs.length > 0).map((r) => [key(r), r.report]));
  return (row) => keras.get(key(row));
}

function contestantName(r: RunReport): string {
  return r.contestant.startsWith('ours') ? `ours (${r.backend ?? r.contestant.replace('ours-', '')})` : r.contestant;
}

function tableRows(rows: Row[]): string[] {
  const kerasOf = kerasRuns(rows);
  return rows.map((row) => {
    const { preset, report: r, otherCores, loadAverage } = row;
    const name = SEEDS.length > 1 ? `${contestantName(r)}, seed ${row.seed}` : contestantName(r);
    if (r.skipped || r.epochs.length === 0) {
      return `| ${PRESETS[preset].title} | ${name} | ${r.implementation} | skipped: ${r.skipped ?? 'no epoch finished'} | | | | | | | | | | | |`;
    }
    const s = secondsPerEpoch(r);
    const k = kerasOf(row);
    const ratio = k && r.contestant !== 'keras' ? `${(s.all / secondsPerEpoch(k).all).toFixed(2)} (${(s.train / secondsPerEpoch(k).train).toFixed(2)})` : '-';
    const cpuUse = r.cpuSeconds / r.wallSeconds;
    return [
      '',
      PRESETS[preset].title,
      name,
      r.implementation,
      f1(s.train),
      f1(s.all),
      f1(Math.min(...r.epochs.map((e) => e.seconds))),
      // Examples over mean training time, not a mean of per-epoch rates (one quiet epoch would dominate).
      Math.round(r.train / s.train).toString(),
      r.epochs.map((e) => e.valAccuracy.toFixed(4)).join(' '),
      r.test ? `${r.test.accuracy.toFixed(4)}${k?.test && r.contestant !== 'keras' ? ` (${points(r.test.accuracy - k.test.accuracy)})` : ''}` : '-',
      r.keptTest ? `${r.keptTest.accuracy.toFixed(4)} (epoch ${r.keptTest.epoch}${k?.test ? `, ${points(r.keptTest.accuracy - k.test.accuracy)}` : ''})` : '-',
      `${Math.round(r.maxRssMb)} MB`,
      ratio,
      f1(r.wallSeconds),
      `${cpuUse.toFixed(2)} / ${otherCores.toFixed(2)}`,
      `${loadAverage[0].toFixed(1)} → ${loadAverage[1].toFixed(1)}`,
      '',
    ].join(' | ').trim();
  });
}

function targetsVerdict(rows: Row[]): string[] {
  if (SEEDS.length > 1) return seedVerdicts(rows);
  const lines: string[] = [];
  const ok = (r: Row): boolean => !r.report.skipped && r.report.epochs.length > 0;
  const kerasOf = kerasRuns(rows);
  for (const row of rows.filter((r) => r.report.contestant.startsWith('ours') && ok(r))) {
    const r = row.report;
    const k = kerasOf(row);
    const parts: string[] = [];
    if (k) {
      const ratio = secondsPerEpoch(r).all / secondsPerEpoch(k).all;
      parts.push(`time ${ratio.toFixed(2)} × Keras ${ratio <= TARGETS.timeRatio ? 'meets' : 'misses'} ≤ ${TARGETS.timeRatio}`);
      const at = TARGETS.accuracyEpoch;
      if (r.epochs.length >= at && k.epochs.length >= at) {
        const gap = (r.epochs[at - 1].valAccuracy - k.epochs[at - 1].valAccuracy) * 100;
        const verdict = Math.abs(gap) <= TARGETS.accuracyPoints ? 'meets the 1-point target' : gap > 0 ? 'better than Keras by more than the 1-point margin' : 'misses the 1-point target';
        parts.push(`val acc after ${at} epochs ${gap >= 0 ? '+' : ''}${gap.toFixed(2)} points vs Keras: ${verdict}`);
      } else {
        const last = Math.min(r.epochs.length, k.epochs.length);
        const gap = (r.epochs[last - 1].valAccuracy - k.epochs[last - 1].valAccuracy) * 100;
        parts.push(`accuracy target (after ${at} epochs) not checked by a ${last}-epoch run (after epoch ${last}: ${gap >= 0 ? '+' : ''}${gap.toFixed(2)} points vs Keras)`);
      }
    } else {
      parts.push('no Keras run to compare with');
    }
    if (k?.test && r.test) {
      const gap = (r.test.accuracy - k.test.accuracy) * 100;
      parts.push(`test acc (final weights) ${points(r.test.accuracy - k.test.accuracy)} vs Keras: ${Math.abs(gap) <= TARGETS.accuracyPoints ? 'within' : gap > 0 ? 'better than Keras by more than' : 'misses'} the 1-point target`);
    }
    if (k?.test && r.keptTest) parts.push(`test acc of the kept weights (epoch ${r.keptTest.epoch}) ${points(r.keptTest.accuracy - k.test.accuracy)} vs Keras' final`);
    parts.push(`peak RSS ${Math.round(r.maxRssMb)} MB ${r.maxRssMb <= TARGETS.peakMemoryMb ? 'meets' : 'misses'} ≤ 1.5 GB`);
    lines.push(`- ${PRESETS[row.preset].title}, ${r.backend} (${r.implementation}): ${parts.join('; ')}.`);
  }
  return lines.length > 0 ? lines : ['- not checked: no run of ours finished in this comparison.'];
}

const sd = (xs: number[]): number => Math.sqrt(xs.reduce((s, x) => s + (x - mean(xs)) ** 2, 0) / Math.max(1, xs.length - 1));
/** "0.7790 ± 0.0510": a mean and the standard deviation of the values. */
const spread = (xs: number[]): string => `${mean(xs).toFixed(4)} ± ${sd(xs).toFixed(4)}`;

/** With several training seeds: the finished runs of each preset and contestant, Keras' first among them. */
function seedGroups(rows: Row[]): Row[][] {
  const groups = new Map<string, Row[]>();
  for (const row of rows.filter((r) => !r.report.skipped && r.report.epochs.length > 0)) {
    const key = `${row.preset}/${contestantName(row.report)}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return [...groups.values()];
}

const kerasGroupOf = (groups: Row[][], group: Row[]): Row[] | undefined =>
  groups.find((g) => g[0].preset === group[0].preset && g[0].report.contestant === 'keras');

/** What a run is compared on, across seeds. */
type Measure = (r: RunReport) => number | undefined;
const MEASURES = {
  first: (r) => r.epochs[0].valAccuracy,
  target: (r) => r.epochs[Math.min(TARGETS.accuracyEpoch, r.epochs.length) - 1].valAccuracy,
  last: (r) => r.epochs[r.epochs.length - 1].valAccuracy,
  test: (r) => r.test?.accuracy,
  kept: (r) => r.keptTest?.accuracy,
} satisfies Record<string, Measure>;

const valuesOf = (group: Row[], measure: Measure): number[] => group.map((row) => measure(row.report)).filter((v): v is number => v !== undefined);

/** The difference of two groups' means and its standard error (independent draws); undefined under two runs a side. */
function meanGap(group: Row[], keras: Row[] | undefined, measure: Measure): { difference: number; error: number } | undefined {
  const ours = valuesOf(group, measure);
  const theirs = keras ? valuesOf(keras, measure) : [];
  if (!keras || group === keras || ours.length < 2 || theirs.length < 2) return undefined;
  return { difference: mean(ours) - mean(theirs), error: Math.sqrt(sd(ours) ** 2 / ours.length + sd(theirs) ** 2 / theirs.length) };
}

const gapText = (gap: ReturnType<typeof meanGap>): string => (gap ? `${points(gap.difference)} ± ${(gap.error * 100).toFixed(2)}` : '-');

/** Within the target when the means are; a larger gap inside two standard errors is not told from chance by these seeds. */
function gapVerdict(gap: { difference: number; error: number }): string {
  const within = Math.abs(gap.difference) * 100 <= TARGETS.accuracyPoints;
  if (within) return `within the ${TARGETS.accuracyPoints}-point target`;
  if (Math.abs(gap.difference) <= 2 * gap.error) return `outside the ${TARGETS.accuracyPoints}-point target but within two standard errors: these seeds do not tell it from chance`;
  return gap.difference > 0 ? `better than Keras by more than the ${TARGETS.accuracyPoints}-point margin` : `misses the ${TARGETS.accuracyPoints}-point target`;
}

/**
 * With several training seeds: per preset and contestant, the mean and spread of
 * the validation accuracy after the first and the last epoch and of the test
 * accuracy, and the difference of the means to Keras' with its standard error.
 */
function seedSummary(rows: Row[]): string[] {
  if (SEEDS.length < 2) return [];
  const groups = seedGroups(rows);
  const columns: [string, Measure][] = [['val acc, epoch 1', MEASURES.first], ...(EPOCHS > 1 ? [[`val acc, epoch ${EPOCHS}`, MEASURES.last] as [string, Measure]] : []), ['test acc', MEASURES.test]];
  const table = groups.map((group) => {
    const keras = kerasGroupOf(groups, group);
    const kept = valuesOf(group, MEASURES.kept);
    return [
      '',
      PRESETS[group[0].preset].title,
      contestantName(group[0].report),
      String(group.length),
      ...columns.flatMap(([, measure]) => [spread(valuesOf(group, measure)), gapText(meanGap(group, keras, measure))]),
      kept.length ? `${spread(kept)} (${gapText(meanGap(group, keras, (r) => MEASURES.kept(r) ?? MEASURES.test(r)))})` : '-',
      '',
    ].join(' | ').trim();
  });
  return [
    `Over the training seeds ${SEEDS.join(', ')} (initial weights, dropout, batch order; the same rows for all): mean ± standard deviation of the runs; "vs Keras" is the difference of the means ± its standard error; the kept weights are set against Keras' final ones.`,
    '',
    `| preset | contestant | runs | ${columns.map(([name]) => `${name} | vs Keras`).join(' | ')} | kept test acc (vs Keras) |`,
    `| --- | --- | --- | ${columns.map(() => '--- | ---').join(' | ')} | --- |`,
    ...table,
    '',
  ];
}

/** The targets, judged on the means over the training seeds. */
function seedVerdicts(rows: Row[]): string[] {
  const groups = seedGroups(rows);
  const lines = groups
    .filter((group) => group[0].report.contestant.startsWith('ours'))
    .map((group) => {
      const keras = kerasGroupOf(groups, group);
      const parts: string[] = [];
      if (keras) {
        const seconds = (g: Row[]) => mean(g.map((row) => secondsPerEpoch(row.report).all));
        const ratio = seconds(group) / seconds(keras);
        parts.push(`time ${ratio.toFixed(2)} × Keras ${ratio <= TARGETS.timeRatio ? 'meets' : 'misses'} ≤ ${TARGETS.timeRatio}`);
        const epoch = Math.min(TARGETS.accuracyEpoch, EPOCHS);
        for (const [what, measure] of [[`val acc after ${epoch} epoch(s)`, MEASURES.target], ['test acc (final weights)', MEASURES.test]] as [string, Measure][]) {
          const gap = meanGap(group, keras, measure);
          if (gap) parts.push(`${what} ${gapText(gap)} pt vs Keras: ${gapVerdict(gap)}`);
        }
      } else {
        parts.push('no Keras run to compare with');
      }
      parts.push(`peak RSS at most ${Math.round(Math.max(...group.map((row) => row.report.maxRssMb)))} MB`);
      return `- ${PRESETS[group[0].preset].title}, ${contestantName(group[0].report)}, ${group.length} seeds: ${parts.join('; ')}.`;
    });
  return lines.length > 0 ? lines : ['- not checked: no run of ours finished in this comparison.'];
}

function osName(): string {
  try {
    const release = execFileSync('sh', ['-c', '. /etc/os-release && echo "$PRETTY_NAME"'], { encoding: 'utf8' }).trim();
    return `${release}, Linux ${os.release()}`;
  } catch {
    return `${os.platform()} ${os.release()}`;
  }
}

function gitState(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head} with uncommitted changes under src/` : head;
  } catch {
    return 'unknown';
  }
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  if (values.one) {
    await trainOurs(values.one as Contestant, values.preset as PresetName, positiveInteger('training-seed', values['training-seed']) ?? 113, values.out!);
    return;
  }
  const presets = values.presets.split(',').map((p) => p.trim()) as PresetName[];
  for (const p of presets) if (!PRESET_NAMES.includes(p)) throw new RangeError(`Unknown preset "${p}": expected ${PRESET_NAMES.join(', ')}.`);
  const contestants = values.contestants.split(',').map((c) => c.trim()) as Contestant[];
  for (const c of contestants) if (!CONTESTANTS.includes(c)) throw new RangeError(`Unknown contestant "${c}": expected ${CONTESTANTS.join(', ')}.`);

  // Every preset shares numWords, seed and validation split; only maxlen may be overridden.
  const h = resolveHyperparameters(presets[0], { epochs: EPOCHS, maxlen: MAXLEN });
  const dataDir = await exportData({ numWords: h.numWords, maxlen: h.maxlen, seed: h.seed, validationSplit: h.validationSplit, limit: LIMIT });

  const venvs: Partial<Record<'keras' | 'torch', VenvInfo & { python: string }>> = {};
  for (const kind of ['keras', 'torch'] as const) if (contestants.includes(kind)) venvs[kind] = await ensureVenv(kind, values.python);
  if (contestants.some((c) => c.startsWith('ours')) && !values['skip-build']) {
    process.stderr.write('Building dist/ (node scripts/build.mjs)...\n');
    await run(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')]);
  }

  const rows: Row[] = [];
  for (const preset of presets) {
    for (const seed of SEEDS) {
      for (const contestant of contestants) {
        process.stderr.write(`${PRESETS[preset].title}, ${contestant}, training seed ${seed} (load average ${os.loadavg()[0].toFixed(2)})...\n`);
        try {
          const row = await measured(() =>
            contestant === 'keras' || contestant === 'torch' ? runPython(contestant, venvs[contestant]!.python, preset, dataDir, seed) : runOurs(contestant, preset, seed),
          );
          rows.push({ preset, seed, ...row });
        } catch (error) {
          process.stderr.write(`  failed: ${(error as Error).message}\n`);
          rows.push({ preset, seed, otherCores: 0, loadAverage: [os.loadavg()[0], os.loadavg()[0]], report: { contestant, framework: '-', implementation: '-', train: 0, validation: 0, epochs: [], maxRssMb: 0, cpuSeconds: 0, wallSeconds: 0, skipped: `failed: ${(error as Error).message}` } });
        }
      }
    }
  }

  const reports = rows.map((r) => r.report).filter((r) => !r.skipped);
  const first = (c: string): RunReport | undefined => reports.find((r) => r.contestant === c);
  const cpus = os.cpus();
  const versions = [
    `Node ${process.version}`,
    first('keras') || first('torch') ? `Python ${(first('keras') ?? first('torch'))!.python}` : undefined,
    first('keras') ? `${first('keras')!.framework}, numpy ${first('keras')!.numpy}` : undefined,
    first('torch') ? `${first('torch')!.framework}, numpy ${first('torch')!.numpy}` : undefined,
    `TensorFlow.js ${await tfjsVersion()}`,
  ].filter(Boolean);
  const installs = Object.entries(venvs).map(([k, v]) => `${path.relative(ROOT, VENVS[k as 'keras' | 'torch'].dir)} (${v.requirements.join(' ')}) installed in ${v.installSeconds.toFixed(0)} s`);
  const sample = reports[0];
  const command = `npm run bench:peers -- ${process.argv.slice(2).join(' ')}`.trim();
  const section = [
    '',
    `## bench:peers, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Machine: ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, ${osName()}; ${versions.join('; ')}. Code: ${gitState()}.`,
    '',
    `Command: \`${command}\``,
    '',
    `Data: ${sample ? `${sample.train} training / ${sample.validation} validation reviews` : '-'}, maxlen ${h.maxlen}, num_words ${h.numWords}, batch ${h.batchSize}, ${EPOCHS} epoch(s); every contestant reads the same encoded rows (${path.relative(ROOT, dataDir)}).${installs.length ? ` Python environments: ${installs.join('; ')}.` : ''}`,
    '',
    '"s/epoch" is the mean over epochs; "train" leaves validation out; "fastest epoch" (validation included) is the least disturbed by other load on the machine. "× Keras" is s/epoch with validation over Keras\' (training only in brackets). "CPU" is the run\'s own CPU time over its wall time (cores used) / the cores other processes kept busy meanwhile. "wall" is process start to exit.',
    '',
    '"test acc" is the final weights on the same test reviews (gap to Keras\' in points); "kept test acc" is ours with the weights keep \'best\' holds (the epoch of lowest validation loss).',
    '',
    '| preset | contestant | recurrent implementation | s/epoch train | s/epoch with val | fastest epoch s | examples/s | val acc per epoch | test acc | kept test acc | peak RSS | × Keras | wall s | CPU own / others | load avg |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...tableRows(rows),
    '',
    ...seedSummary(rows),
    `Targets (ours ≤ ${TARGETS.timeRatio} × Keras s/epoch; val acc after ${TARGETS.accuracyEpoch} epochs within ${TARGETS.accuracyPoints} point of Keras; peak RSS ≤ 1.5 GB):`,
    '',
    ...targetsVerdict(rows),
    '',
  ].join('\n');
  process.stdout.write(section);
  if (!values['print-only']) await appendFile(path.join(ROOT, 'BENCHMARKS.md'), section);
}

void main().catch((error) => {
  process.stderr.write(`bench:peers: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
