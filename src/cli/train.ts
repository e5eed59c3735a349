/** `train`: trains a preset in the worker thread; Ctrl-C keeps the last finished epoch. */
import { Option, type Command } from '@commander-js/extra-typings';
import { parseDataSource } from '../core/dataset/source';
import { defaultRunsDir } from '../core/paths';
import { OPTIMIZER_NAMES } from '../core/presets';
import { backendOption, cacheOption, dataOption, fraction, hyperparametersFromOptions, jsonOption, positiveInt, positiveNumber, presetOption } from './options';
import { cancelOnInterrupt, progressReporter } from './progress';
import { workerClient } from './worker';

const zeroOrPositiveInt = (value: string) => (value === '0' ? 0 : positiveInt(value));

export function addTrainCommand(program: Command): void {
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
    .option('--dense-units <n>', 'units of the Dense(relu) layer (LSTM presets)', zeroOrPositiveInt)
    .option('--dropout <rate>', 'dropout rate', fraction)
    .option('--learning-rate <lr>', 'learning rate', positiveNumber)
    .option('--validation-split <fraction>', 'share of training reviews held out', fraction)
    .option('--seed <n>', 'shuffle and initialisation seed', zeroOrPositiveInt)
    .addOption(new Option('--optimizer <name>', 'optimizer').choices(OPTIMIZER_NAMES))
    .option('--no-evaluate', 'skip the test-set evaluation')
    .addOption(backendOption())
    .addOption(jsonOption('print the result as one JSON object'))
    .action(async (opts) => {
      const hyperparameters = hyperparametersFromOptions(opts.preset, {
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
        { hyperparameters, data, limit: opts.limit, cacheDir: opts.cacheDir, runsDir: opts.out, backend: opts.backend, evaluate: opts.evaluate },
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
}
