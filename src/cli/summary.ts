/** `summary`: the layer table of a preset, as Keras' model.summary() prints it; no TensorFlow needed. */
import type { Command } from '@commander-js/extra-typings';
import { describeArchitecture, formatArchitectureTable } from '../core/architecture';
import { addHyperparameterOptions, hyperparameterOverrides, hyperparametersFromOptions, jsonOption, presetOption } from './options';

export function addSummaryCommand(program: Command): void {
  const command = program
    .command('summary')
    .description('print the layer table of a preset, as Keras\' model.summary() does')
    .addOption(presetOption());
  addHyperparameterOptions(command, ['maxlen', 'numWords']);
  command.addOption(jsonOption('one JSON object')).action((opts) => {
    const summary = describeArchitecture(hyperparametersFromOptions(opts.preset, hyperparameterOverrides(opts)));
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ preset: summary.preset, layers: summary.layers.map(({ name, type, outputShape, params }) => ({ name, type, outputShape, params })), totalParams: summary.totalParams })}\n`);
    } else process.stdout.write(`${formatArchitectureTable(summary)}\n`);
  });
}
