/** `train --resume DIR`: what a resumed training takes from its run folder, and what it refuses. */
import type { Command } from '@commander-js/extra-typings';
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { LabError } from '../core/errors';
import type { Hyperparameters } from '../core/presets';
import { inspectRun, isResumable } from '../core/runs';
import { LABELLED_DATA_OPTIONS } from './options';

/** Options that may come with --resume: where the data, cache and backend are, and how to report. */
const ALLOWED_WITH_RESUME = new Set(['resume', 'data', 'cacheDir', 'backend', 'json', 'evaluate', ...LABELLED_DATA_OPTIONS]);

export interface ResumeSettings {
  runDir: string;
  runsDir: string;
  hyperparameters: Hyperparameters;
  limit: number | undefined;
}

/** The run's own settings; a setting given on the command line too is refused (a resumed run keeps its own). */
export async function resumeSettings(dir: string, command: Pick<Command, 'options' | 'getOptionValueSource'>): Promise<ResumeSettings> {
  const clashing = command.options
    .filter((o) => !ALLOWED_WITH_RESUME.has(o.attributeName()) && command.getOptionValueSource(o.attributeName()) === 'cli')
    .map((o) => o.long ?? o.flags);
  if (clashing.length > 0) {
    throw new LabError('bad-argument', `--resume continues a run with its own settings: drop ${clashing.join(', ')}.`);
  }
  const runDir = path.resolve(dir);
  if (!(await stat(runDir).then((s) => s.isDirectory(), () => false))) throw new LabError('not-found', `No run folder at ${dir}.`);
  const listing = await inspectRun(runDir);
  if (!listing.ok) throw new LabError(listing.problems.some((p) => p === 'run.json is missing') ? 'not-found' : 'corrupt-model', `No resumable run at ${dir}: ${listing.problems.join('; ')}.`);
  const { record } = listing;
  if (!isResumable(record)) {
    throw new LabError('bad-argument', `Run "${record.id}" is ${record.status} with ${record.epochsCompleted} of ${record.hyperparameters.epochs} epochs: there is nothing to resume.`);
  }
  return { runDir, runsDir: path.dirname(runDir), hyperparameters: record.hyperparameters, limit: record.dataset.limit };
}
