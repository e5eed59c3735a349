/** The command tree: one file per command beside this one. */
import { Command } from '@commander-js/extra-typings';
import { addEvaluateCommand } from './evaluate';
import { addExportCommand } from './export';
import { addImportCommand } from './import';
import { addExplainCommand } from './explain';
import { addPredictCommand } from './predict';
import { addRunsCommand } from './runs';
import { addSummaryCommand } from './summary';
import { addTrainCommand } from './train';

export function buildProgram(): Command {
  // exitOverride before the sub-commands: they inherit it, so parse errors throw instead of exiting.
  const program = new Command('rnn-sentiment-lab')
    .description('Train, evaluate and use the Keras tutorial\'s SimpleRNN, LSTM and Bi-LSTM sentiment models on IMDB, with TensorFlow.js.')
    .option('--debug', 'print where an internal error happened (its stack)')
    .exitOverride();
  for (const add of [addSummaryCommand, addTrainCommand, addEvaluateCommand, addPredictCommand, addExplainCommand, addRunsCommand, addImportCommand, addExportCommand]) add(program);
  return program;
}
