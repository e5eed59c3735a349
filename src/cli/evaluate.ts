/** `evaluate`: accuracy, loss and confusion counts of a trained model on the test reviews; with --short-text, on short texts cut from them too. */
import type { Command } from '@commander-js/extra-typings';
import { parseDataSource } from '../core/dataset/source';
import { defaultRunsDir } from '../core/paths';
import { REVIEW_LIMIT } from '../core/presets';
import { formatShortTextEvaluation } from '../core/short-text';
import { backendOption, cacheOption, dataOption, jsonOption, numberOption } from './options';
import { cancelOnInterrupt, progressReporter } from './progress';
import { resolveModelDir, workerClient } from './worker';

export function addEvaluateCommand(program: Command): void {
  program
    .command('evaluate')
    .description('accuracy, loss and confusion counts of a trained model on the test reviews')
    .requiredOption('--model <dir>', 'a run folder (or a run id in --runs-dir)')
    .addOption(dataOption())
    .addOption(numberOption('--limit <n>', REVIEW_LIMIT, 'evaluate on the first N test reviews'))
    .option('--runs-dir <dir>', 'folder of runs', defaultRunsDir())
    .addOption(cacheOption())
    .option('--short-text', 'also evaluate on short texts cut from the test reviews: first and last sentences, 10–30-word windows, each labelled with its review\'s label')
    .option('--save', 'store the metrics in the run')
    .addOption(backendOption())
    .addOption(jsonOption('one JSON object'))
    .action(async (opts) => {
      const runDir = await resolveModelDir(opts.model, opts.runsDir);
      const data = await parseDataSource(opts.data);
      const client = workerClient();
      const progress = progressReporter(Boolean(opts.json));
      const request = client.request('evaluate', { runDir, data, limit: opts.limit, cacheDir: opts.cacheDir, backend: opts.backend, save: Boolean(opts.save), shortText: Boolean(opts.shortText) }, progress.onEvent);
      const release = cancelOnInterrupt(request, 'evaluation');
      try {
        const { metrics, shortText, backend } = await request.result;
        progress.done();
        if (opts.json) process.stdout.write(`${JSON.stringify({ ...metrics, ...(shortText ? { shortText } : {}), backend })}\n`);
        else {
          const c = metrics.confusion;
          process.stdout.write(
            `accuracy ${metrics.accuracy.toFixed(4)}  loss ${metrics.loss.toFixed(4)}  (${metrics.count} reviews, ${metrics.seconds.toFixed(1)} s, ${backend})\n` +
              `               predicted +   predicted -\n  actual +     ${String(c.truePositive).padStart(11)}   ${String(c.falseNegative).padStart(11)}\n  actual -     ${String(c.falsePositive).padStart(11)}   ${String(c.trueNegative).padStart(11)}\n`,
          );
          if (shortText) process.stdout.write(`${formatShortTextEvaluation(shortText)}\n`);
        }
      } finally {
        release();
        await client.terminate();
      }
    });
}
