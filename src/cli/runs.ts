/** `runs`: the trained models in a folder; reads run.json files only, no TensorFlow. */
import type { Command } from '@commander-js/extra-typings';
import { originLabel } from '../core/format';
import { defaultRunsDir } from '../core/paths';
import { listRuns } from '../core/runs';
import { describeRunDataset, differentDatasetsNote } from '../core/run-dataset';
import { jsonOption } from './options';

export function addRunsCommand(program: Command): void {
  program
    .command('runs')
    .description('the trained models in a folder')
    .option('--dir <dir>', 'folder of runs', defaultRunsDir())
    .addOption(jsonOption('one JSON array'))
    .action(async (opts) => {
      const runs = await listRuns(opts.dir);
      if (opts.json) {
        process.stdout.write(
          `${JSON.stringify(
            runs.map((r) =>
              r.ok
                ? { id: r.id, dir: r.dir, preset: r.record.preset, status: r.record.status, createdAt: r.record.createdAt, epochsCompleted: r.record.epochsCompleted, valAccuracy: r.record.history.epochs.at(-1)?.valAccuracy ?? null, testAccuracy: r.record.test?.accuracy ?? null, backend: r.record.backend, dataset: describeRunDataset(r.record), ...(r.record.parentRunId ? { parentRunId: r.record.parentRunId } : {}), ...(r.record.origin ? { origin: r.record.origin } : {}) }
                : { id: r.id, dir: r.dir, corrupt: true, problems: r.problems },
            ),
          )}\n`,
        );
        return;
      }
      if (runs.length === 0) process.stdout.write(`No runs in ${opts.dir}.\n`);
      const note = differentDatasetsNote(runs.flatMap((r) => (r.ok ? [r.record] : [])));
      if (note) process.stdout.write(`${note}\n`);
      for (const r of runs) {
        if (!r.ok) process.stdout.write(`${r.id}  CORRUPT: ${r.problems.join('; ')}\n`);
        else {
          const last = r.record.history.epochs.at(-1);
          if (r.record.origin) {
            process.stdout.write(`${r.id}  ${originLabel(r.record.origin)}  test_acc ${r.record.test?.accuracy.toFixed(4) ?? '-'}\n`);
            continue;
          }
          process.stdout.write(`${r.id}  ${r.record.status.padEnd(9)} epochs ${r.record.epochsCompleted}  val_acc ${last?.valAccuracy.toFixed(4) ?? '-'}  test_acc ${r.record.test?.accuracy.toFixed(4) ?? '-'}  ${r.record.backend}  ${describeRunDataset(r.record)}\n`);
        }
      }
    });
}
