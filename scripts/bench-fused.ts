// Times the tutorial's models with fused vs standard recurrent layers on the
// TensorFlow.js wasm backend: one training step (forward + backward + adam
// update) at batch 128, length 500, and one prediction of a single review.
//
//   npx tsx scripts/bench-fused.ts [--steps N] [--standard-steps N] [--rounds N]
//       [--no-standard] [--threads 1|2|both] [--wasm path] [--models rnn,lstm,bilstm]
//       [--table auto|always|never] [--verbose]
//   npx tsx scripts/bench-fused.ts --optimizers [--models ...] [--wasm path]
//
// --optimizers times one optimizer step instead (applyGradients over the
// model's trainable weights, random gradients): TensorFlow.js' Adam and
// RMSprop against the fused ones (Keras' arithmetic), on the wasm and the
// cpu backend.
//
// Training batches are 128 random reviews of 500 tokens (10000-word
// vocabulary); each configuration gets one warm-up step first. With
// --rounds N the fused thread modes alternate N times, so that background
// load on the machine affects both alike.
//
// Builds the kernels into a temporary directory unless --wasm is given.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import {
  FusedAdamOptimizer,
  FusedRMSpropOptimizer,
  fusedBidirectionalLSTM,
  fusedEmbedding,
  fusedKernelsDescription,
  fusedKernelsMemory,
  fusedLSTM,
  fusedSimpleRNN,
  loadFusedKernels,
  setTableMode,
  type TableMode,
} from '../src/core/fused/index';
import { registerWasmKernels } from '../src/core/wasm-kernels';

const ROOT = path.resolve(__dirname, '..');
const VOCAB = 10000;
const LEN = 500;
const BATCH = 128;
const EMBED = 32;
const UNITS = 32;

type Preset = 'rnn' | 'lstm' | 'bilstm';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

function buildModel(preset: Preset, fused: boolean): tf.Sequential {
  const m = tf.sequential();
  const embedding = { inputDim: VOCAB, outputDim: EMBED, inputLength: LEN };
  m.add(fused ? fusedEmbedding(embedding) : tf.layers.embedding(embedding));
  if (preset === 'rnn') {
    m.add(fused ? fusedSimpleRNN({ units: UNITS }) : tf.layers.simpleRNN({ units: UNITS, kernelInitializer: 'glorotUniform' }));
    m.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
  } else {
    const std = () =>
      tf.layers.lstm({ units: UNITS, recurrentActivation: 'sigmoid', unitForgetBias: true, kernelInitializer: 'glorotUniform' });
    if (preset === 'lstm') m.add(fused ? fusedLSTM({ units: UNITS }) : std());
    else m.add(fused ? fusedBidirectionalLSTM({ units: UNITS }) : tf.layers.bidirectional({ layer: std(), mergeMode: 'concat' }));
    m.add(tf.layers.dense({ units: 256, activation: 'relu' }));
    m.add(tf.layers.dropout({ rate: 0.2 }));
    m.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
  }
  m.compile({ optimizer: tf.train.adam(1e-3), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return m;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function timeTraining(model: tf.Sequential, steps: number): Promise<{ median: number; min: number }> {
  const x = tf.tidy(() => tf.clipByValue(tf.floor(tf.randomUniform([BATCH, LEN], 0, VOCAB)), 0, VOCAB - 1));
  const y = tf.tidy(() => tf.round(tf.randomUniform([BATCH, 1])));
  await model.trainOnBatch(x, y); // warm-up (kernel compilation, memory growth)
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    await model.trainOnBatch(x, y);
    times.push(performance.now() - t0);
  }
  x.dispose();
  y.dispose();
  if (process.argv.includes('--verbose')) console.log(`  steps: ${times.map((t) => t.toFixed(0)).join(' ')}`);
  return { median: median(times), min: Math.min(...times) };
}

function timePrediction(model: tf.Sequential, reps: number): number {
  const x = tf.tidy(() => tf.clipByValue(tf.floor(tf.randomUniform([1, LEN], 0, VOCAB)), 0, VOCAB - 1));
  const times: number[] = [];
  for (let i = 0; i < reps + 3; i++) {
    const t0 = performance.now();
    const p = model.predict(x) as tf.Tensor;
    p.dataSync();
    p.dispose();
    if (i >= 3) times.push(performance.now() - t0);
  }
  x.dispose();
  return median(times);
}

/** Median ms of one applyGradients() over `model`'s trainable weights, after 3 warm-up steps. */
function timeOptimizerStep(model: tf.Sequential, optimizer: tf.Optimizer, reps: number): number {
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const gradients = variables.map((v) => tf.randomNormal(v.shape, 0, 0.01));
  const times: number[] = [];
  for (let i = 0; i < reps + 3; i++) {
    const map: tf.NamedTensorMap = {};
    variables.forEach((v, j) => (map[v.name] = gradients[j]));
    const t0 = performance.now();
    optimizer.applyGradients(map);
    variables[0].dataSync(); // the step is done when its values can be read
    if (i >= 3) times.push(performance.now() - t0);
  }
  tf.dispose(gradients);
  optimizer.dispose();
  return median(times);
}

/** Prints rows under their header as a markdown table, each column as wide as its widest cell. */
function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join(' | ');
  console.log('\n' + line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const r of rows) console.log(line(r));
}

async function benchOptimizers(presets: Preset[]): Promise<void> {
  const rows: string[][] = [];
  for (const backend of ['wasm', 'cpu']) {
    await tf.setBackend(backend);
    for (const preset of presets) {
      const model = buildModel(preset, true);
      const reps = backend === 'cpu' ? 5 : 20;
      const pairs: [string, () => tf.Optimizer, () => tf.Optimizer][] = [
        ['adam', () => tf.train.adam(1e-3, 0.9, 0.999, 1e-7), () => new FusedAdamOptimizer(1e-3, 0.9, 0.999, 1e-7)],
        ['rmsprop', () => tf.train.rmsprop(1e-3, 0.9, 0, 1e-7), () => new FusedRMSpropOptimizer(1e-3, 0.9, 1e-7)],
      ];
      for (const [name, standard, fused] of pairs) {
        const a = timeOptimizerStep(model, standard(), reps);
        const b = timeOptimizerStep(model, fused(), reps);
        rows.push([backend, preset, name, a.toFixed(1), b.toFixed(1)]);
        console.log(rows[rows.length - 1].join('  '));
      }
      model.dispose();
    }
  }
  const header = ['backend', 'model', 'optimizer', 'TensorFlow.js ms (median)', 'fused ms (median)'];
  printTable(header, rows);
}

async function main(): Promise<void> {
  const steps = Number(arg('steps', '5'));
  const standardSteps = Number(arg('standard-steps', '2'));
  const runStandard = !process.argv.includes('--no-standard');
  const threadArg = arg('threads', 'both');
  setTableMode(arg('table', 'auto') as TableMode);
  const threadModes: (1 | 2)[] = threadArg === 'both' ? [1, 2] : [Number(threadArg) as 1 | 2];
  const presets = arg('models', 'rnn,lstm,bilstm').split(',') as Preset[];

  let wasmPath = arg('wasm', '');
  let tmp = '';
  if (!wasmPath) {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-fused-'));
    const build = (await import(pathToFileURL(path.join(ROOT, 'scripts', 'build-kernels.mjs')).href)) as { buildKernels(outDir: string): Promise<string> };
    wasmPath = await build.buildKernels(tmp);
  }
  setWasmPaths(path.join(ROOT, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist') + path.sep);
  registerWasmKernels();
  await tf.setBackend('wasm');
  await tf.ready();
  console.log(`backend ${tf.getBackend()}, ${os.cpus().length} cores, node ${process.version}`);
  if (process.argv.includes('--optimizers')) {
    if (!(await loadFusedKernels({ wasmPath, threads: 1 }))) throw new Error('fused kernels unavailable');
    await benchOptimizers(presets);
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    return;
  }

  const rows: string[][] = [];
  const rounds = Number(arg('rounds', '1'));
  for (const preset of presets) {
    const results = new Map<string, { times: number[]; mins: number[]; preds: number[] }>();
    for (let round = 0; round < rounds; round++) {
      for (const threads of threadModes) {
        if (!(await loadFusedKernels({ wasmPath, threads }))) throw new Error('fused kernels unavailable');
        const model = buildModel(preset, true);
        const train = await timeTraining(model, steps);
        const pred = timePrediction(model, 20);
        const key = fusedKernelsDescription();
        const r = results.get(key) ?? { times: [], mins: [], preds: [] };
        r.times.push(train.median);
        r.mins.push(train.min);
        r.preds.push(pred);
        results.set(key, r);
        model.dispose();
      }
    }
    for (const [key, r] of results) {
      rows.push([preset, key, median(r.times).toFixed(0), Math.min(...r.mins).toFixed(0), median(r.preds).toFixed(2)]);
      console.log(rows[rows.length - 1].join('  '));
    }
    if (runStandard) {
      const model = buildModel(preset, false);
      const train = await timeTraining(model, standardSteps);
      const pred = timePrediction(model, 3);
      rows.push([preset, 'standard tfjs layers', train.median.toFixed(0), train.min.toFixed(0), pred.toFixed(2)]);
      console.log(rows[rows.length - 1].join('  '));
      model.dispose();
    }
  }

  // The minimum is the figure least disturbed by other load on the machine.
  const header = ['model', 'recurrent layers', 'train step ms median', 'min', 'predict 1x500 ms (median)'];
  printTable(header, rows);
  const mem = fusedKernelsMemory();
  if (mem) console.log(`\nkernel memory: peak ${(mem.peakBytes / 2 ** 20).toFixed(0)} MiB in use, linear memory ${(mem.memoryBytes / 2 ** 20).toFixed(0)} MiB`);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
