/** `export`: a run as a Keras model file, with word_index.json and predict_keras.py beside it. */
import { Option, type Command } from '@commander-js/extra-typings';
import { EXPORT_FORMATS } from '../core/keras/export';
import { defaultRunsDir } from '../core/paths';
import { jsonOption } from './options';
import { resolveModelDir, workerClient } from './worker';

export function addExportCommand(program: Command): void {
  program
    .command('export')
    .description('write a run as a Keras 2.12 model (.h5) with word_index.json and predict_keras.py beside it')
    .requiredOption('--model <dir>', 'a run folder (or a run id in --runs-dir)')
    .option('--runs-dir <dir>', 'folder of runs', defaultRunsDir())
    .addOption(new Option('--format <format>', 'file format').choices(EXPORT_FORMATS).default('keras-h5' as const))
    .requiredOption('--out <file>', 'the .h5 file to write')
    .addOption(jsonOption('the written files as JSON'))
    .action(async (opts) => {
      const runDir = await resolveModelDir(opts.model, opts.runsDir);
      // The worker writes the files: h5wasm (the HDF5 library) stays out of the CLI's own bundle.
      const client = workerClient();
      let files;
      try {
        files = await client.request('exportKeras', { runDir, out: opts.out }).result;
      } finally {
        await client.terminate();
      }
      if (opts.json) process.stdout.write(`${JSON.stringify(files)}\n`);
      else process.stdout.write(`${files.model}\n${files.wordIndex}\n${files.script}\n`);
    });
}
