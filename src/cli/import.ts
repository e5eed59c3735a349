/** `import`: a Keras model and its word index become a run. */
import { Option, type Command } from '@commander-js/extra-typings';
import { LabError } from '../core/errors';
import { WORD_INDEX_KINDS, findKerasImdbWordIndex } from '../core/keras/word-index';
import { defaultRunsDir } from '../core/paths';
import { z } from 'zod';
import { TUNABLE_HYPERPARAMETERS } from '../core/presets';
import { backendOption, jsonOption, numberOption } from './options';
import { workerClient } from './worker';

export function addImportCommand(program: Command): void {
  program
    .command('import')
    .description("make a run of a Keras model (.h5 or .keras) of the tutorial's shape and its word index")
    .requiredOption('--model <file>', 'the Keras model file')
    .option('--word-index <file>', 'imdb_word_index.json, a Tokenizer word_index or tokenizer.to_json() (default: ~/.keras/datasets/imdb_word_index.json)')
    .addOption(new Option('--word-index-kind <kind>', 'how a bare {word: index} file is read').choices(WORD_INDEX_KINDS).default('imdb' as const))
    .addOption(numberOption('--index-from <n>', z.number().int().min(0), "imdb.load_data's index_from"))
    .option('--oov-token <token>', "the Tokenizer's oov_token")
    .addOption(numberOption('--num-words <n>', TUNABLE_HYPERPARAMETERS.numWords, 'num_words the model was trained with (default: its Embedding input_dim)'))
    .addOption(numberOption('--maxlen <n>', TUNABLE_HYPERPARAMETERS.maxlen, 'sequence length, for a model without a fixed input length'))
    .option('--out <dir>', 'folder of runs', defaultRunsDir())
    .addOption(backendOption())
    .addOption(jsonOption('the new run as JSON'))
    .action(async (opts) => {
      const wordIndex = opts.wordIndex ?? (await findKerasImdbWordIndex());
      if (!wordIndex) throw new LabError('bad-argument', 'No word index: give --word-index (imdb_word_index.json is not in ~/.keras/datasets/).');
      const client = workerClient();
      try {
        const { runDir, record } = await client.request('importKeras', {
          file: opts.model,
          wordIndex: { file: wordIndex, kind: opts.wordIndexKind, indexFrom: opts.indexFrom, oovToken: opts.oovToken, numWords: opts.numWords },
          maxlen: opts.maxlen,
          runsDir: opts.out,
          backend: opts.backend,
        }).result;
        if (opts.json) process.stdout.write(`${JSON.stringify({ runDir, record })}\n`);
        else process.stdout.write(`${runDir}\n`);
      } finally {
        await client.terminate();
      }
    });
}
