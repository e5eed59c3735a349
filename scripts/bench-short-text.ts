/**
 * `npm run bench:short-text`: trains one configuration and measures, after
 * every epoch, what the epoch kept would score: the short-text set (as
 * `evaluate --short-text` measures it), the full test reviews, the whole
 * validation reviews (what `keep best` watches) and a short-text validation
 * split (the validation reviews cut into sentences and windows as training
 * cuts them, a fixed draw). Appends the per-epoch table to BENCHMARKS.md.
 * A benchmark, not a test: it takes as long as training takes.
 *
 *   npm run bench:short-text -- [--preset lstm-sentences] [--epochs N] [--short-text-share S] [--embedding-dim N]
 *                               [--units N] [--dropout D] [--batch-size N] [--limit N] [--no-write]
 */
import { appendFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import seedrandom from 'seedrandom';
import { initBackend } from '../src/core/backend';
import { loadDataset, parseDataSource, type EncodedSplit } from '../src/core/dataset';
import { loadShortTextSet } from '../src/core/dataset/short-text-set';
import { loadFusedKernels } from '../src/core/fused';
import { buildModel, compileModel } from '../src/core/model';
import { isPresetName, resolveHyperparameters } from '../src/core/presets';
import { SHORT_TEXT_KINDS, mixShortWindows, summariseShortText } from '../src/core/short-text';
import { evaluateSplit, fitModel, predictRows } from '../src/core/training';
import { TextEncoder } from '../src/core/vocabulary';
import { recurrentLayersFor } from '../src/worker/recurrent-layers';
import { imdbArchive } from '../test/corpus';

const ROOT = path.resolve(__dirname, '..');
const { values } = parseArgs({
  options: {
    preset: { type: 'string', default: 'lstm-sentences' },
    epochs: { type: 'string' },
    'short-text-share': { type: 'string' },
    'train-on': { type: 'string' },
    'embedding-dim': { type: 'string' },
    units: { type: 'string' },
    'batch-size': { type: 'string' },
    dropout: { type: 'string' },
    limit: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
  },
});
const number = (v: string | undefined) => (v === undefined ? undefined : Number(v));

async function accuracyOf(model: Parameters<typeof predictRows>[0], x: Int32Array, y: ArrayLike<number>, count: number, maxlen: number): Promise<{ accuracy: number; loss: number }> {
  let right = 0;
  let loss = 0;
  for (let from = 0; from < count; from += 512) {
    const rows = Math.min(512, count - from);
    const p = await predictRows(model, x.subarray(from * maxlen, (from + rows) * maxlen), rows, maxlen);
    for (let i = 0; i < rows; i++) {
      const label = y[from + i];
      if ((p[i] >= 0.5 ? 1 : 0) === label) right++;
      const q = Math.min(Math.max(p[i], 1e-7), 1 - 1e-7);
      loss -= label ? Math.log(q) : Math.log(1 - q);
    }
  }
  return { accuracy: right / count, loss: loss / count };
}

/** The validation reviews as short texts: every row cut to a sentence or a window (share 1), one fixed draw. */
function shortValidation(validation: EncodedSplit, maxlen: number): EncodedSplit {
  const x = validation.x.slice();
  mixShortWindows(x, validation.count, maxlen, 1, seedrandom.alea('short-text-validation'), validation.sentenceStarts);
  return { x, y: validation.y, count: validation.count };
}

async function main(): Promise<void> {
  const preset = values.preset ?? 'lstm-sentences';
  if (!isPresetName(preset)) throw new Error(`unknown preset ${preset}`);
  const overrides = Object.fromEntries(
    Object.entries({
      epochs: number(values.epochs),
      shortTextShare: number(values['short-text-share']),
      embeddingDim: number(values['embedding-dim']),
      units: number(values.units),
      batchSize: number(values['batch-size']),
      dropout: number(values.dropout),
      trainOn: values['train-on'],
    }).filter(([, v]) => v !== undefined),
  );
  const h = resolveHyperparameters(preset, overrides);
  const limit = number(values.limit);
  const source = await parseDataSource(await imdbArchive());
  const cacheDir = path.join(ROOT, '.cache', 'bench');
  const data = await loadDataset(source, { numWords: h.numWords, maxlen: h.maxlen, seed: h.seed, validationSplit: h.validationSplit, limit }, { cacheDir });
  const set = await loadShortTextSet(source, { cacheDir }, limit);
  const encoder = new TextEncoder(data.vocabulary.limitedTo(h.numWords), h.numWords, h.maxlen);
  const setX = new Int32Array(set.texts.length * h.maxlen);
  set.texts.forEach((t, i) => setX.set(encoder.encode(t.text).ids, i * h.maxlen));
  const valShort = shortValidation(data.validation, h.maxlen);
  // The bundle's copies (npm run build): the fused kernels and TensorFlow.js' wasm, as the worker loads them.
  const backend = await initBackend('wasm', { wasmDir: path.join(ROOT, 'dist') });
  await loadFusedKernels({ wasmPath: path.join(ROOT, 'dist', 'recurrent-kernels.wasm') });
  const layers = await recurrentLayersFor();
  const model = buildModel(h, layers);
  compileModel(model, h, layers);
  const load = os.loadavg()[0];
  const started = performance.now();
  const startedAt = new Date();
  const rows: string[] = [];
  await fitModel(model, { ...h, keep: 'last' }, data, {
    onEpoch: async (m) => {
      const probabilities = new Float32Array(set.texts.length);
      for (let from = 0; from < set.texts.length; from += 512) {
        const n = Math.min(512, set.texts.length - from);
        probabilities.set(await predictRows(model, setX.subarray(from * h.maxlen, (from + n) * h.maxlen), n, h.maxlen), from);
      }
      const short = summariseShortText(set.texts, probabilities, set.reviews, 0);
      const vs = await accuracyOf(model, valShort.x, valShort.y, valShort.count, h.maxlen);
      const test = await evaluateSplit(model, data.test, { batchSize: 512, maxlen: h.maxlen });
      const row = `| ${m.epoch} | ${m.loss.toFixed(3)} / ${m.accuracy.toFixed(3)} | ${m.valLoss.toFixed(3)} / ${m.valAccuracy.toFixed(3)} | ${vs.loss.toFixed(3)} / ${vs.accuracy.toFixed(3)} | ${short.accuracy.toFixed(3)} (${SHORT_TEXT_KINDS.map((k) => short.kinds[k].accuracy.toFixed(3)).join(' / ')}) | ${test ? test.accuracy.toFixed(3) : '-'} | ${m.seconds.toFixed(0)} |`;
      rows.push(row);
      process.stderr.write(`${row}\n`);
    },
  });
  model.dispose();
  const minutes = (performance.now() - started) / 60000;
  const settings = `${h.preset}, shortTextShare ${h.shortTextShare}, trainOn ${h.trainOn}, embedding ${h.embeddingDim}, units ${h.units}, dropout ${h.dropout}, batch ${h.batchSize}, ${h.epochs} epochs`;
  const command = `npm run bench:short-text -- ${process.argv.slice(2).join(' ')}`.trim();
  const text = [
    '',
    `## bench:short-text, ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC: ${settings}`,
    '',
    `Machine: ${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; backend ${backend.name}, recurrent layers ${layers.name}. Command: \`${command}\`. Load average ${load.toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end; ${minutes.toFixed(0)} minutes in all. Data: ${data.train.count}/${data.validation.count}/${data.test.count} training/validation/test reviews; short-text set ${set.texts.length} texts from ${set.reviews} test reviews.`,
    '',
    'Each row: the weights after that epoch. "short validation": the validation reviews each cut to one sentence or window, as training cuts them (a fixed draw).',
    '',
    '| epoch | train loss / acc | validation loss / acc (whole reviews) | short validation loss / acc | short-text acc (first / last / window) | test acc (whole test reviews) | s |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
  process.stdout.write(text);
  if (!values['no-write']) await appendFile(path.join(ROOT, 'BENCHMARKS.md'), text);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
