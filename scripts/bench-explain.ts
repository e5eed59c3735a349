/**
 * Explanations, measured: faithfulness of each attribution method on each
 * preset (ERASER comprehensiveness on test reviews), the gap between the
 * verdict as it reads and the model run on the maxlen-padded prefix, and the
 * time of an analysis with its trace and integrated gradients on a 500-token
 * review (wall and CPU time: the CPU time counts the kernels' second thread
 * too, and varies less with the machine's load), and how many
 * Gauss-Legendre steps integrated gradients needs for its completeness check
 * on test reviews. Trains one small model per preset first (--limit reviews,
 * --maxlen words, --epochs) with the fused kernels on the wasm backend.
 * Appends its figures to BENCHMARKS.md. A benchmark, not a test: figures
 * vary with the machine and its load.
 */
import { appendFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadDataset } from '../src/core/dataset';
import { IG_DEFAULTS, integratedGradients, measureFaithfulness, recurrentParts, traceWindow, valuesOf, windowPredictor, type Faithfulness } from '../src/core/explain';
import { fusedKernelsDescription, loadFusedKernels } from '../src/core/fused';
import { buildModel, compileModel } from '../src/core/model';
import { PRESETS, PRESET_NAMES, resolveHyperparameters, type PresetName } from '../src/core/presets';
import { fitModel } from '../src/core/training';
import { padSequence, PAD_VALUE } from '../src/core/vocabulary';
import { registerWasmKernels } from '../src/core/wasm-kernels';
import { recurrentLayersFor } from '../src/worker/recurrent-layers';
import { imdbArchive, repoRoot } from '../test/corpus';

const ROOT = repoRoot();
const { values: args } = parseArgs({
  options: {
    limit: { type: 'string', default: '6000' },
    maxlen: { type: 'string', default: '200' },
    epochs: { type: 'string', default: '2' },
    reviews: { type: 'string', default: '1000' },
    'gap-reviews': { type: 'string', default: '50' },
    repeats: { type: 'string', default: '7' },
    presets: { type: 'string', default: PRESET_NAMES.join(',') },
    'no-write': { type: 'boolean', default: false },
  },
});
const LIMIT = Number(args.limit);
const MAXLEN = Number(args.maxlen);
const REVIEWS = Number(args.reviews);
const GAP_REVIEWS = Number(args['gap-reviews']);
const REPEATS = Number(args.repeats);
const presets = args.presets.split(',') as PresetName[];

function machine(): string {
  const cpu = os.cpus();
  return `${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface PresetReport {
  preset: PresetName;
  accuracy: number;
  faithfulness: Faithfulness[];
  gapMean: number;
  gapMax: number;
  timing: { predict: number; trace: number; ig: number; total: number; cpu: number; steps: number };
  /** Per Gauss-Legendre step count: share of the reviews within the completeness tolerance, and the largest error. */
  completeness: { steps: number; within: number; max: number }[];
}

/** Step counts whose completeness error bench-explain reports (IG_DEFAULTS.steps among them). */
const COMPLETENESS_STEPS = [8, 12, 16];

/** CPU time of this process (every thread) since `since`, ms. */
function cpuSince(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

async function benchPreset(preset: PresetName): Promise<PresetReport> {
  const h = resolveHyperparameters(preset, { maxlen: MAXLEN, epochs: Number(args.epochs) });
  const data = await loadDataset(
    { kind: 'archive', path: await imdbArchive() },
    { numWords: h.numWords, maxlen: h.maxlen, seed: h.seed, validationSplit: h.validationSplit, limit: LIMIT },
    { cacheDir: path.join(ROOT, '.cache', 'test') },
  );
  const layers = await recurrentLayersFor();
  const model = buildModel(h, layers);
  compileModel(model, h, layers);
  await fitModel(model, h, data);
  const predict = windowPredictor(model, MAXLEN);
  const parts = recurrentParts(model, preset);
  const count = Math.min(REVIEWS, data.test.count);
  const all = predict(data.test.x.subarray(0, count * MAXLEN), count);
  let correct = 0;
  for (let i = 0; i < count; i++) if ((all[i] >= 0.5 ? 1 : 0) === data.test.y[i]) correct++;
  const faithfulness = (['ig', 'occlusion'] as const).map((method) => {
    const started = performance.now();
    const f = measureFaithfulness({ parts, predict, windows: data.test.x, count, maxlen: MAXLEN, method });
    console.error(`${preset} ${method}: top ${f.topDrop.toFixed(4)} random ${f.randomDrop.toFixed(4)} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
    return f;
  });

  // The verdict as it reads (the text's own padding in front) against the model on each prefix padded to maxlen.
  let gapSum = 0;
  let gapMax = 0;
  let gapCount = 0;
  for (let r = 0; r < Math.min(GAP_REVIEWS, data.test.count); r++) {
    const window = data.test.x.subarray(r * MAXLEN, (r + 1) * MAXLEN);
    const padding = window.findIndex((id) => id !== PAD_VALUE);
    const trace = traceWindow(parts, window, padding);
    const n = MAXLEN - padding;
    const prefixes = new Int32Array(n * MAXLEN);
    for (let k = 0; k < n; k++) padSequence(window.subarray(padding, padding + k + 1), MAXLEN, prefixes.subarray(k * MAXLEN, (k + 1) * MAXLEN));
    const padded = predict(prefixes, n);
    for (let k = 0; k < n; k++) {
      const gap = Math.abs(padded[k] - trace.verdict[k]);
      gapSum += gap;
      gapMax = Math.max(gapMax, gap);
      gapCount++;
    }
  }

  // How many steps integrated gradients needs: the completeness error of a fixed step count on the same reviews.
  const completeness = COMPLETENESS_STEPS.map((steps) => {
    let within = 0;
    let max = 0;
    const reviews = Math.min(GAP_REVIEWS, data.test.count);
    for (let r = 0; r < reviews; r++) {
      const ig = integratedGradients(parts, data.test.x.subarray(r * MAXLEN, (r + 1) * MAXLEN), { steps, maxSteps: steps });
      if (ig.completenessError <= IG_DEFAULTS.tolerance) within++;
      max = Math.max(max, ig.completenessError);
    }
    return { steps, within: within / reviews, max };
  });

  // Speed on a 500-token review: the same weights in a model of maxlen 500.
  const long = resolveHyperparameters(preset, { maxlen: 500 });
  const wide = buildModel(long, layers);
  wide.setWeights(model.getWeights());
  const wideParts = recurrentParts(wide, preset);
  const words = Array.from(data.test.x.subarray(0, count * MAXLEN)).filter((id) => id > 2);
  const sequence = Int32Array.from([1, ...words.slice(0, 499)]);
  const window = padSequence(sequence, 500);
  const times = { predict: [] as number[], trace: [] as number[], ig: [] as number[], total: [] as number[], cpu: [] as number[] };
  let steps = 0;
  for (let i = 0; i < REPEATS + 1; i++) {
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    valuesOf(() => wide.predict(tf.tensor2d(window, [1, 500], 'int32')) as tf.Tensor);
    const t1 = performance.now();
    traceWindow(wideParts, window, 0);
    const t2 = performance.now();
    steps = integratedGradients(wideParts, window).steps;
    const t3 = performance.now();
    const cpuMs = cpuSince(cpu);
    if (i === 0) continue; // warm-up
    times.predict.push(t1 - t0);
    times.trace.push(t2 - t1);
    times.ig.push(t3 - t2);
    times.total.push(t3 - t0);
    times.cpu.push(cpuMs);
  }
  wideParts.dispose();
  wide.dispose();
  parts.dispose();
  model.dispose();
  return {
    preset,
    accuracy: correct / count,
    faithfulness,
    gapMean: gapSum / gapCount,
    gapMax,
    timing: { predict: median(times.predict), trace: median(times.trace), ig: median(times.ig), total: median(times.total), cpu: median(times.cpu), steps },
    completeness,
  };
}

async function main(): Promise<void> {
  setWasmPaths(path.join(ROOT, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist') + path.sep);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  registerWasmKernels();
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not start');
  if (!(await loadFusedKernels({ wasmPath: path.join(ROOT, 'dist', 'recurrent-kernels.wasm') }))) throw new Error('the fused kernels did not load: npm run build first');
  const started = new Date();
  const reports: PresetReport[] = [];
  for (const preset of presets) reports.push(await benchPreset(preset));
  const ended = new Date();
  const hhmm = (d: Date) => d.toISOString().slice(11, 16);
  const command = `npm run build && node --import tsx scripts/bench-explain.ts ${process.argv.slice(2).join(' ')}`.trim();
  const lines = [
    '',
    `## bench-explain, ${started.toISOString().slice(0, 10)} ${hhmm(started)}–${hhmm(ended)} UTC: explanation faithfulness, verdict gap, speed`,
    '',
    `Machine: ${machine()}, backend wasm, ${fusedKernelsDescription()}. Command: \`${command}\`. Models: each preset's defaults with maxlen ${MAXLEN}, trained ${args.epochs} epochs on the first ${LIMIT} shuffled training reviews (80% train, 20% validation); figures on the first ${REVIEWS} test reviews.`,
    '',
    'Faithfulness (ERASER comprehensiveness): mean fall of the predicted class\'s probability when the top 10% of words by attribution are deleted, against 10% random words.',
    '',
    '| preset | test accuracy | method | top-10% drop | random drop | ratio |',
    '| --- | --- | --- | --- | --- | --- |',
    ...reports.flatMap((r) => r.faithfulness.map((f) => `| ${PRESETS[r.preset].title} | ${(100 * r.accuracy).toFixed(1)}% | ${f.method === 'ig' ? 'integrated gradients' : 'occlusion (OOV)'} | ${f.topDrop.toFixed(4)} | ${f.randomDrop.toFixed(4)} | ${f.ratio.toFixed(2)} |`)),
    '',
    `Verdict as it reads (the text's own padding in front) against the model on each prefix padded to maxlen, every prefix of the first ${GAP_REVIEWS} test reviews:`,
    '',
    '| preset | mean abs gap | max abs gap |',
    '| --- | --- | --- |',
    ...reports.map((r) => `| ${PRESETS[r.preset].title} | ${r.gapMean.toFixed(4)} | ${r.gapMax.toFixed(4)} |`),
    '',
    `Integrated gradients with a fixed number of Gauss-Legendre steps on the first ${GAP_REVIEWS} test reviews: the share whose attributions sum to f(text) - f(baseline) within ${100 * IG_DEFAULTS.tolerance}%, and the largest error (the default starts at ${IG_DEFAULTS.steps} and adds steps until the check holds):`,
    '',
    `| preset | ${COMPLETENESS_STEPS.map((n) => `${n} steps`).join(' | ')} |`,
    `| --- | ${COMPLETENESS_STEPS.map(() => '---').join(' | ')} |`,
    ...reports.map((r) => `| ${PRESETS[r.preset].title} | ${r.completeness.map((c) => `${(100 * c.within).toFixed(0)}% (max ${(100 * c.max).toFixed(2)}%)`).join(' | ')} |`),
    '',
    `Analysis + trace + integrated gradients on a 500-token review (maxlen 500, the trained weights), median of ${REPEATS} after a warm-up, ms (wall time; the CPU time of the whole analysis counts both kernel threads):`,
    '',
    '| preset | predict | trace (+ verdict) | integrated gradients (steps) | total | total CPU |',
    '| --- | --- | --- | --- | --- | --- |',
    ...reports.map((r) => `| ${PRESETS[r.preset].title} | ${r.timing.predict.toFixed(1)} | ${r.timing.trace.toFixed(1)} | ${r.timing.ig.toFixed(1)} (${r.timing.steps}) | ${r.timing.total.toFixed(1)} | ${r.timing.cpu.toFixed(1)} |`),
    '',
    `Load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} (other work shares the cores; figures are noisy).`,
    '',
  ];
  const section = lines.join('\n');
  process.stdout.write(section);
  if (!args['no-write']) await appendFile(path.join(ROOT, 'BENCHMARKS.md'), section);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
