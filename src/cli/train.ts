/** `train`: trains a preset in the worker thread; Ctrl-C keeps the last finished epoch. */
import { Option, type Command } from '@commander-js/extra-typings';
import { parseDataSource } from '../core/dataset/source';
import { defaultRunsDir } from '../core/paths';
import { LabError } from '../core/errors';
import { CHOICE_NAMES, OPTIMIZER_NAMES, PRESET_NAMES, REVIEW_LIMIT, TUNABLE_NAMES } from '../core/presets';
import { addChoiceOptions, addHyperparameterOptions, addLabelledDataOptions, backendOption, cacheOption, dataOption, hyperparameterOverrides, hyperparametersFromOptions, jsonOption, labelledOptions, numberOption } from './options';
import { fineTuneSettings } from './fine-tune';
import { cancelOnInterrupt, progressReporter } from './progress';
import { resumeSettings } from './resume';
import { keptEpochOf } from '../core/runs';
import { formatShortTextEvaluation } from '../core/short-text';
import { workerClient } from './worker';

export function addTrainCommand(program: Command): void {
  const command = addLabelledDataOptions(
    program
      .command('train')
    .description('train a preset, or resume a run; after every epoch the run is saved; Ctrl-C stops after the current batch')
    .addOption(new Option('--preset <preset>', 'model preset (required unless --resume)').choices(PRESET_NAMES))
    .option('--resume <dir>', 'continue a partial or cancelled run folder from its last epoch, with its own settings and optimizer state')
    .addOption(dataOption())
    .option('--out <dir>', 'folder of runs', defaultRunsDir())
    .addOption(cacheOption())
    .addOption(numberOption('--limit <n>', REVIEW_LIMIT, 'train on the first N reviews of each split'))
      .option('--fine-tune <dir>', "start from a run's weights and vocabulary (unknown words become OOV); --epochs and --learning-rate set how"),
  );
  addHyperparameterOptions(command, TUNABLE_NAMES);
  addChoiceOptions(command, CHOICE_NAMES);
  command
    .addOption(new Option('--optimizer <name>', 'optimizer').choices(OPTIMIZER_NAMES))
    .option('--no-evaluate', 'skip the test-set evaluation')
    .addOption(backendOption())
    .addOption(jsonOption('print the result as one JSON object'))
    .action(async (opts, command) => {
      if (opts.resume && opts.fineTune) throw new LabError('bad-argument', '--resume and --fine-tune do not go together: a resumed fine-tuning keeps its parent.');
      const resumed = opts.resume ? await resumeSettings(opts.resume, command) : undefined;
      const overrides = { ...hyperparameterOverrides(opts), optimizer: opts.optimizer };
      const parent = opts.fineTune ? await fineTuneSettings(opts.fineTune, overrides, opts.preset) : undefined;
      if (!resumed && !parent && !opts.preset) throw new LabError('bad-argument', "required option '--preset <preset>' not specified (or --resume DIR, or --fine-tune DIR)");
      const hyperparameters = resumed?.hyperparameters ?? parent?.hyperparameters ?? hyperparametersFromOptions(opts.preset!, overrides);
      const data = await parseDataSource(opts.data, labelledOptions(opts));
      const client = workerClient();
      const progress = progressReporter(Boolean(opts.json));
      const request = client.request(
        'train',
        {
          hyperparameters,
          data,
          limit: resumed ? resumed.limit : opts.limit,
          cacheDir: opts.cacheDir,
          runsDir: resumed?.runsDir ?? opts.out,
          backend: opts.backend,
          evaluate: opts.evaluate,
          ...(resumed ? { resumeFrom: resumed.runDir } : {}),
          ...(parent ? { fineTuneFrom: parent.runDir } : {}),
        },
        progress.onEvent,
      );
      const release = cancelOnInterrupt(request, 'training');
      try {
        const result = await request.result;
        progress.done();
        const r = result.record;
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ runDir: result.runDir, id: r.id, status: r.status, epochsCompleted: r.epochsCompleted, keptEpoch: keptEpochOf(r), backend: r.backend, epochs: r.history.epochs, test: r.test ?? null, shortText: r.shortText ?? null })}\n`);
        } else {
          if (result.cancelled) progress.line(`Cancelled: kept the checkpoint of epoch ${r.epochsCompleted} (marked "cancelled").`);
          if (!result.cancelled) progress.line(`Kept the weights of epoch ${keptEpochOf(r)} of ${r.epochsCompleted} (keep ${r.hyperparameters.keep}).`);
          if (r.test) progress.line(`Test accuracy ${r.test.accuracy.toFixed(4)}, loss ${r.test.loss.toFixed(4)} on ${r.test.count} reviews.`);
          if (r.shortText) progress.line(formatShortTextEvaluation(r.shortText));
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
