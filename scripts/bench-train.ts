/**
 * `npm run bench:train`: trains each preset with the tutorial's settings on
 * the full corpus and appends the figures to BENCHMARKS.md: test accuracy of
 * the weights the run keeps (the best epoch by validation loss, by default)
 * and accuracy on the short-text set. A benchmark, not a test: it takes as
 * long as training takes.
 *
 *   npm run bench:train -- [--presets simple-rnn,lstm,bilstm,lstm-sentences] [--epochs N] [--limit N]
 *                          [--maxlen N] [--backend auto|tensorflow|wasm|cpu] [--data SRC]
 *
 * Each preset trains in its own child process so that its peak memory is its own.
 */
import { spawn } from 'node:child_process';
import { appendFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { parseDataSource } from '../src/core/dataset/source';
import { PRESETS, PRESET_NAMES, resolveHyperparameters, type PresetName } from '../src/core/presets';
import type { BackendPreference } from '../src/core/backend-names';
import { keptEpochOf } from '../src/core/runs';
import { SHORT_TEXT_KINDS, SHORT_TEXT_REVIEWS } from '../src/core/short-text';
import { WorkerClient } from '../src/core/worker-client';
import type { TrainResult } from '../src/protocol';
import { imdbArchive } from '../test/corpus';

const ROOT = path.resolve(__dirname, '..');
/** Best validation accuracy of the tutorial's Keras models (Chollet, notebooks 6.2/6.3). */
const KERAS_REFERENCE: Record<PresetName, number> = { 'simple-rnn': 0.846, lstm: 0.893, bilstm: 0.886, 'lstm-sentences': 0.893 };

const { values } = parseArgs({
  options: {
    presets: { type: 'string', default: PRESET_NAMES.join(',') },
    epochs: { type: 'string' },
    limit: { type: 'string' },
    maxlen: { type: 'string' },
    backend: { type: 'string', default: 'auto' },
    data: { type: 'string' },
    one: { type: 'string' },
  },
});

interface ChildReport {
  result: TrainResult['record'];
  maxRssMb: number;
}

async function trainOne(preset: PresetName): Promise<ChildReport> {
  const h = resolveHyperparameters(preset, {
    epochs: values.epochs ? Number(values.epochs) : undefined,
    maxlen: values.maxlen ? Number(values.maxlen) : undefined,
  });
  const client = new WorkerClient(path.join(ROOT, 'dist', 'worker.js'));
  try {
    const { record } = await client.request(
      'train',
      {
        hyperparameters: h,
        data: await parseDataSource(values.data ?? (await imdbArchive())),
        limit: values.limit ? Number(values.limit) : undefined,
        cacheDir: path.join(ROOT, '.cache', 'bench'),
        runsDir: path.join(ROOT, '.cache', 'bench-runs'),
        backend: values.backend as BackendPreference,
        evaluate: true,
      },
      (event, data) => {
        if (event === 'epoch') {
          const e = data as { epoch: number; valAccuracy: number; seconds: number };
          process.stderr.write(`  ${preset} epoch ${e.epoch}: val_acc ${e.valAccuracy.toFixed(4)} (${e.seconds.toFixed(0)} s)\n`);
        }
      },
    ).result;
    return { result: record, maxRssMb: process.resourceUsage().maxRSS / 1024 };
  } finally {
    await client.terminate();
  }
}

function runChild(preset: PresetName): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, __filename, ...process.argv.slice(2), '--one', preset], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as ChildReport) : reject(new Error(`${preset} failed with exit code ${code}`))));
  });
}

function machine(): string {
  const cpu = os.cpus();
  return `${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}, Node ${process.version}`;
}

async function main(): Promise<void> {
  if (values.one) {
    process.stdout.write(JSON.stringify(await trainOne(values.one as PresetName)));
    return;
  }
  const presets = values.presets.split(',') as PresetName[];
  const rows: string[] = [];
  for (const preset of presets) {
    process.stderr.write(`Training ${preset}...\n`);
    const { result: r, maxRssMb } = await runChild(preset);
    const epochs = r.history.epochs;
    const secondsPerEpoch = epochs.reduce((s, e) => s + e.seconds, 0) / epochs.length;
    const best = Math.max(...epochs.map((e) => e.valAccuracy));
    const short = r.shortText;
    rows.push(
      `| ${PRESETS[preset].title} | ${r.backend} | ${r.recurrentImplementation} | ${r.hyperparameters.maxlen} | ${r.dataset.train}/${r.dataset.validation}/${r.dataset.test} | ${secondsPerEpoch.toFixed(1)} | ${epochs.map((e) => e.valAccuracy.toFixed(3)).join(' ')} | ${best.toFixed(3)} (Keras ${KERAS_REFERENCE[preset]}) | ${keptEpochOf(r)} (${r.hyperparameters.keep}) | ${r.test ? r.test.accuracy.toFixed(3) : '-'} | ${short ? `${short.accuracy.toFixed(3)} (${SHORT_TEXT_KINDS.map((k) => short.kinds[k].accuracy.toFixed(3)).join(' / ')})` : '-'} | ${r.test ? `${r.test.seconds.toFixed(1)} s` : '-'} | ${Math.round(maxRssMb)} MB |`,
    );
  }
  // npm runs the PATH's node; a run under another Node (e.g. Node 24, as VS Code's extension host) says so.
  const viaNpm = process.env.npm_lifecycle_event === 'bench:train';
  const command = viaNpm
    ? `npm run bench:train -- ${process.argv.slice(2).join(' ')}`.trim()
    : `npm run build && ${path.relative(ROOT, process.execPath)} --import tsx scripts/bench-train.ts ${process.argv.slice(2).join(' ')}`.trim();
  const section = [
    '',
    `## bench:train, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Machine: ${machine()}. Command: \`${command}\`.`,
    '',
    `Test acc: the kept weights on the test reviews. Short-text acc: the short-text set (${SHORT_TEXT_REVIEWS} test reviews' first and last sentences and a 10–30-word window each, labelled with their review's label; noisy, see above), overall (first sentence / last sentence / window).`,
    '',
    '| preset | backend | recurrent layer | maxlen | train/val/test reviews | s per epoch | val acc per epoch | best val acc | kept epoch | test acc | short-text acc | test evaluation | peak RSS |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
  process.stdout.write(section);
  await appendFile(path.join(ROOT, 'BENCHMARKS.md'), section);
}

void main().catch((error) => {
  process.stderr.write(`bench:train: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
