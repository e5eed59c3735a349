/** `evaluate`: accuracy, loss and confusion counts of a trained model on the test reviews. */
import type { Command } from '@commander-js/extra-typings';
import { parseDataSource } from '../core/dataset/source';
import { defaultRunsDir } from '../core/paths';
import { backendOption, cacheOption, dataOption, jsonOption, positiveInt } from './options';
import { cancelOnInterrupt, progressReporter } from './progress';
import { resolveModelDir, workerClient } from './worker';

export function addEvaluateCommand(program: Command): void {
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
    .addOption(jsonOption('one JSON object'))
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
}
