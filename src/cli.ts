/**
 * `rnn-sentiment-lab`: the sentiment core without VS Code, for servers, CI
 * and benchmarks. Training, evaluation and prediction run in the same worker
 * thread the extension uses; `summary` and `runs` need no TensorFlow at all.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { describeArchitecture, formatArchitectureTable } from './core/architecture';
import { BACKEND_PREFERENCES, type BackendPreference } from './core/backend-names';
import { parseDataSource } from './core/dataset/source';
import { LabError, errorMessage } from './core/errors';
import { formatDuration } from './core/format';
import { defaultCacheDir, defaultRunsDir } from './core/paths';
import { PRESET_NAMES, resolveHyperparameters, type Hyperparameters, type PresetName } from './core/presets';
import { listRuns } from './core/runs';
import { WorkerClient } from './core/worker-client';
import type { TrainingEvents } from './protocol';
import { RpcError, type PendingRequest } from './rpc';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a whole number above 0.');
  return n;
}

function fraction(value: string): number {
  const n = Number(value);
  if (!(n >= 0 && n < 1)) throw new InvalidArgumentError('expected a number from 0 up to (not including) 1.');
  return n;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new InvalidArgumentError('expected a number above 0.');
  return n;
}

const presetOption = () => new Option('--preset <preset>', 'model preset').choices(PRESET_NAMES).makeOptionMandatory();
const backendOption = () => new Option('--backend <backend>', 'TensorFlow.js backend').choices(BACKEND_PREFERENCES).default('auto');
const dataOption = () => new Option('--data <source>', '"official" (downloaded once), a .tar.gz archive, an aclImdb folder or an http(s) URL').default('official');
const cacheOption = () => new Option('--cache-dir <dir>', 'downloads and the tokenised corpus').default(defaultCacheDir());

function workerClient(): WorkerClient {
  return new WorkerClient(path.join(__dirname, 'worker.js'));
}

/** Ctrl-C cancels the request (a training keeps its last finished epoch); a second Ctrl-C quits at once. */
function cancelOnInterrupt(request: PendingRequest<unknown>, what: string): () => void {
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write(`\nCancelling ${what} after the current batch (Ctrl-C again to quit now)...\n`);
    request.cancel();
  };
  process.on('SIGINT', onSigint);
  return () => process.off('SIGINT', onSigint);
}

/** A terminal progress bar for batches and data preparation; plain lines when stderr is not a terminal. */
function progressReporter(quiet: boolean) {
  const interactive = process.stderr.isTTY && !quiet;
  let bar: SingleBar | undefined;
  let barKey = '';
  const stopBar = () => {
    bar?.stop();
    bar = undefined;
    barKey = '';
  };
  const showBar = (key: string, total: number, value: number, payload: Record<string, string>) => {
    if (!interactive) return;
    if (barKey !== key) {
      stopBar();
      bar = new SingleBar({ format: `${key} [{bar}] {percentage}% | {value}/{total} | {info}`, hideCursor: true, stream: process.stderr }, Presets.shades_classic);
      bar.start(total, value, payload);
      barKey = key;
    } else bar?.update(value, payload);
  };
  const line = (text: string) => {
    if (quiet) return;
    stopBar();
    process.stderr.write(`${text}\n`);
  };
  const onEvent = <E extends keyof TrainingEvents & string>(event: E, data: TrainingEvents[E]) => {
    if (event === 'progress') {
      const p = data as TrainingEvents['progress'];
      if (p.total) showBar(p.phase.padEnd(8), p.total, p.done, { info: p.message });
    } else if (event === 'started') {
      const s = data as TrainingEvents['started'];
      line(`Training ${s.architecture.preset} (${s.architecture.totalParams.toLocaleString('en-US')} parameters) on ${s.train} reviews, validating on ${s.validation}; backend ${s.backend}, ${s.recurrentImplementation}.`);
    } else if (event === 'batch') {
      const b = data as TrainingEvents['batch'];
      showBar(`epoch ${b.epoch}/${b.epochs}`, b.batchesPerEpoch, b.batch, {
        info: `loss ${b.loss.toFixed(4)} acc ${b.accuracy.toFixed(4)} | ${Math.round(b.examplesPerSecond)} ex/s | ETA ${formatDuration(b.etaSeconds)}`,
      });
    } else if (event === 'epoch') {
      const e = data as TrainingEvents['epoch'];
      line(`Epoch ${e.epoch}/${e.epochs}: loss ${e.loss.toFixed(4)} acc ${e.accuracy.toFixed(4)} val_loss ${e.valLoss.toFixed(4)} val_acc ${e.valAccuracy.toFixed(4)} (${e.seconds.toFixed(1)} s)`);
    }
  };
  return { onEvent, done: stopBar, line };
}

async function resolveModelDir(model: string, runsDir: string): Promise<string> {
  if (await stat(model).then(() => true, () => false)) return model;
  const underRuns = path.join(runsDir, model);
  if (!model.includes(path.sep) && (await stat(underRuns).then(() => true, () => false))) return underRuns;
  throw new LabError('not-found', `No trained model at ${model}.`);
}

async function readStdinLines(): Promise<string[]> {
  if (process.stdin.isTTY) throw new LabError('bad-argument', 'No text to analyse: give texts as arguments or one per line on standard input.');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
}

export function buildProgram(): Command {
  const program = new Command('rnn-sentiment-lab')
    .description('Train, evaluate and use the Keras tutorial\'s SimpleRNN, LSTM and Bi-LSTM sentiment models on IMDB, with TensorFlow.js.')
    .exitOverride();

  program
    .command('summary')
    .description('print the layer table of a preset, as Keras\' model.summary() does')
    .addOption(presetOption())
    .option('--maxlen <n>', 'sequence length', positiveInt)
    .option('--num-words <n>', 'vocabulary size', positiveInt)
    .option('--json', 'one JSON object')
    .action((opts: { preset: PresetName; maxlen?: number; numWords?: number; json?: boolean }) => {
      const summary = describeArchitecture(resolveHyperparameters(opts.preset, { maxlen: opts.maxlen, numWords: opts.numWords }));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ preset: summary.preset, layers: summary.layers.map(({ name, type, outputShape, params }) => ({ name, type, outputShape, params })), totalParams: summary.totalParams })}\n`);
      } else process.stdout.write(`${formatArchitectureTable(summary)}\n`);
    });

  program
    .command('train')
    .description('train a preset; Ctrl-C stops after the current batch and keeps the last finished epoch')
    .addOption(presetOption())
    .addOption(dataOption())
    .option('--out <dir>', 'folder of runs', defaultRunsDir())
    .addOption(cacheOption())
    .option('--epochs <n>', 'epochs', positiveInt)
    .option('--limit <n>', 'train on the first N reviews of each split', positiveInt)
    .option('--maxlen <n>', 'sequence length', positiveInt)
    .option('--num-words <n>', 'vocabulary size', positiveInt)
    .option('--batch-size <n>', 'batch size', positiveInt)
    .option('--units <n>', 'recurrent units', positiveInt)
    .option('--embedding-dim <n>', 'embedding size', positiveInt)
    .option('--dense-units <n>', 'units of the Dense(relu) layer (LSTM presets)', (v) => (v === '0' ? 0 : positiveInt(v)))
    .option('--dropout <rate>', 'dropout rate', fraction)
    .option('--learning-rate <lr>', 'learning rate', positiveNumber)
    .option('--validation-split <fraction>', 'share of training reviews held out', fraction)
    .option('--seed <n>', 'shuffle and initialisation seed', (v) => (v === '0' ? 0 : positiveInt(v)))
    .addOption(new Option('--optimizer <name>', 'optimizer').choices(['rmsprop', 'adam', 'sgd', 'adagrad']))
    .option('--no-evaluate', 'skip the test-set evaluation')
    .addOption(backendOption())
    .option('--json', 'print the result as one JSON object')
    .action(async (opts) => {
      const h: Hyperparameters = resolveHyperparameters(opts.preset, {
        epochs: opts.epochs,
        maxlen: opts.maxlen,
        numWords: opts.numWords,
        batchSize: opts.batchSize,
        units: opts.units,
        embeddingDim: opts.embeddingDim,
        denseUnits: opts.denseUnits,
        dropout: opts.dropout,
        learningRate: opts.learningRate,
        validationSplit: opts.validationSplit,
        seed: opts.seed,
        optimizer: opts.optimizer,
      });
      const data = await parseDataSource(opts.data);
      const client = workerClient();
      const progress = progressReporter(Boolean(opts.json));
      const request = client.request(
        'train',
        { hyperparameters: h, data, limit: opts.limit, cacheDir: opts.cacheDir, runsDir: opts.out, backend: opts.backend as BackendPreference, evaluate: opts.evaluate },
        progress.onEvent,
      );
      const release = cancelOnInterrupt(request, 'training');
      try {
        const result = await request.result;
        progress.done();
        const r = result.record;
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ runDir: result.runDir, id: r.id, status: r.status, epochsCompleted: r.epochsCompleted, backend: r.backend, epochs: r.history.epochs, test: r.test ?? null })}\n`);
        } else {
          if (result.cancelled) progress.line(`Cancelled: kept the checkpoint of epoch ${r.epochsCompleted} (marked "cancelled").`);
          if (r.test) progress.line(`Test accuracy ${r.test.accuracy.toFixed(4)}, loss ${r.test.loss.toFixed(4)} on ${r.test.count} reviews.`);
          process.stdout.write(`${result.runDir}\n`);
        }
        if (result.cancelled) process.exitCode = 130;
      } finally {
        progress.done();
        release();
        await client.terminate();
      }
    });

  program
    .command('evaluate')
    .description('accuracy, loss and confusion counts of a trained model on the test reviews')
    .requiredOption('--model <dir>', 'a run folder (or a run id in --runs-dir)')
    .addOption(dataOption())
    .option('--limit <n>', 'evaluate on the first N test reviews', positiveInt)
    .option('--runs-dir <dir>', 'folder of runs', defaultRunsDir())
    .addOption(cacheOption())
    .option('--save', 'store the metrics in the run')
    .addOption(backendOption())
    .option('--json', 'one JSON object')
    .action(async (opts) => {
      const runDir = await resolveModelDir(opts.model, opts.runsDir);
      const data = await parseDataSource(opts.data);
      const client = workerClient();
      const progress = progressReporter(Boolean(opts.json));
      const request = client.request('evaluate', { runDir, data, limit: opts.limit, cacheDir: opts.cacheDir, backend: opts.backend, save: Boolean(opts.save) }, progress.onEvent);
      const release = cancelOnInterrupt(request, 'evaluation');
      try {
        const { metrics, backend } = await request.result;
        progress.done();
        if (opts.json) process.stdout.write(`${JSON.stringify({ ...metrics, backend })}\n`);
        else {
          const c = metrics.confusion;
          process.stdout.write(
            `accuracy ${metrics.accuracy.toFixed(4)}  loss ${metrics.loss.toFixed(4)}  (${metrics.count} reviews, ${metrics.seconds.toFixed(1)} s, ${backend})\n` +
              `               predicted +   predicted -\n  actual +     ${String(c.truePositive).padStart(11)}   ${String(c.falseNegative).padStart(11)}\n  actual -     ${String(c.falsePositive).padStart(11)}   ${String(c.trueNegative).padStart(11)}\n`,
          );
        }
      } finally {
        release();
        await client.terminate();
      }
    });

  program
    .command('predict')
    .description('sentiment of each TEXT (or of each line of standard input)')
    .argument('[text...]', 'texts to analyse')
    .requiredOption('--model <dir>', 'a run folder (or a run id in --runs-dir)')
    .option('--runs-dir <dir>', 'folder of runs', defaultRunsDir())
    .addOption(backendOption())
    .option('--json', 'one JSON object per line')
    .action(async (texts: string[], opts) => {
      const runDir = await resolveModelDir(opts.model, opts.runsDir);
      const inputs = texts.length > 0 ? texts : await readStdinLines();
      if (inputs.length === 0) throw new LabError('bad-argument', 'No text to analyse.');
      const client = workerClient();
      try {
        const result = await client.request('predict', { runDir, texts: inputs, backend: opts.backend }).result;
        for (const [i, p] of result.predictions.entries()) {
          if (opts.json) process.stdout.write(`${JSON.stringify({ probability: p.probability, label: p.label })}\n`);
          else {
            const excerpt = inputs[i].length > 60 ? `${inputs[i].slice(0, 57)}...` : inputs[i];
            process.stdout.write(`${p.label.padEnd(8)} ${p.probability.toFixed(4)}  ${excerpt}${p.truncated ? `  (only the last ${result.maxlen - 1} of ${p.tokenCount} words read)` : ''}\n`);
          }
        }
      } finally {
        await client.terminate();
      }
    });

  program
    .command('runs')
    .description('the trained models in a folder')
    .option('--dir <dir>', 'folder of runs', defaultRunsDir())
    .option('--json', 'one JSON array')
    .action(async (opts: { dir: string; json?: boolean }) => {
      const runs = await listRuns(opts.dir);
      if (opts.json) {
        process.stdout.write(
          `${JSON.stringify(
            runs.map((r) =>
              r.ok
                ? { id: r.record.id, dir: r.dir, preset: r.record.preset, status: r.record.status, createdAt: r.record.createdAt, epochsCompleted: r.record.epochsCompleted, valAccuracy: r.record.history.epochs.at(-1)?.valAccuracy ?? null, testAccuracy: r.record.test?.accuracy ?? null, backend: r.record.backend }
                : { id: r.id, dir: r.dir, corrupt: true, problems: r.problems },
            ),
          )}\n`,
        );
        return;
      }
      if (runs.length === 0) process.stdout.write(`No runs in ${opts.dir}.\n`);
      for (const r of runs) {
        if (!r.ok) process.stdout.write(`${r.id}  CORRUPT: ${r.problems.join('; ')}\n`);
        else {
          const last = r.record.history.epochs.at(-1);
          process.stdout.write(`${r.record.id}  ${r.record.status.padEnd(9)} epochs ${r.record.epochsCompleted}  val_acc ${last?.valAccuracy.toFixed(4) ?? '-'}  test_acc ${r.record.test?.accuracy.toFixed(4) ?? '-'}  ${r.record.backend}\n`);
        }
      }
    });

  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    const code = error instanceof LabError || error instanceof RpcError ? error.code : undefined;
    if (code === 'cancelled') {
      process.stderr.write(`${errorMessage(error)}\n`);
      return 130;
    }
    const userError = error instanceof RangeError || code !== undefined && code !== 'internal';
    process.stderr.write(`rnn-sentiment-lab: ${userError ? errorMessage(error) : (error as Error)?.stack ?? String(error)}\n`);
    return userError && (code === 'bad-argument' || error instanceof RangeError) ? 2 : 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
