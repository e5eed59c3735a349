/** `summary`: the layer table of a preset, as Keras' model.summary() prints it; no TensorFlow needed. */
import type { Command } from '@commander-js/extra-typings';
import { describeArchitecture, formatArchitectureTable } from '../core/architecture';
import { hyperparametersFromOptions, jsonOption, positiveInt, presetOption } from './options';

export function addSummaryCommand(program: Command): void {
  program
    .command('summary')
    .description('print the layer table of a preset, as Keras\' model.summary() does')
    .addOption(presetOption())
    .option('--maxlen <n>', 'sequence length', positiveInt)
    .option('--num-words <n>', 'vocabulary size', positiveInt)
    .addOption(jsonOption('one JSON object'))
    .action((opts) => {
      const summary = describeArchitecture(hyperparametersFromOptions(opts.preset, { maxlen: opts.maxlen, numWords: opts.numWords }));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ preset: summary.preset, layers: summary.layers.map(({ name, type, outputShape, params }) => ({ name, type, outputShape, params })), totalParams: summary.totalParams })}\n`);
      } else process.stdout.write(`${formatArchitectureTable(summary)}\n`);
    });
}
