/** `train --fine-tune DIR`: the parent run's hyperparameters, with only what fine-tuning may change taken from the command line. */
import * as path from 'node:path';
import { LabError } from '../core/errors';
import { CHOICE_NAMES, TUNABLE_NAMES, type Hyperparameters, type TunableName } from '../core/presets';
import { openRun } from '../core/runs';
import { flagOf } from './options';

/** The architecture (and so the weights' shapes and the vocabulary) stays the parent's; the training choices (--keep, --train-on) may change too. */
export const FINE_TUNABLE: readonly TunableName[] = ['epochs', 'batchSize', 'learningRate', 'validationSplit', 'seed', 'trainingSeed', 'shortTextShare'];

/** Everything a fine-tuning may change: the numbers above and the training choices. */
const MAY_CHANGE = [...FINE_TUNABLE, ...CHOICE_NAMES];

export async function fineTuneSettings(dir: string, overrides: Partial<Hyperparameters>, preset: string | undefined): Promise<{ runDir: string; hyperparameters: Hyperparameters }> {
  const fixed = TUNABLE_NAMES.filter((n) => !FINE_TUNABLE.includes(n) && overrides[n] !== undefined);
  if (fixed.length > 0 || preset !== undefined || overrides.optimizer !== undefined) {
    const flags = [...fixed.map(flagOf), ...(preset !== undefined ? ['--preset'] : []), ...(overrides.optimizer !== undefined ? ['--optimizer'] : [])];
    const allowed = MAY_CHANGE.map(flagOf);
    throw new LabError('bad-argument', `--fine-tune keeps the parent run's architecture and vocabulary: drop ${flags.join(', ')} (only ${allowed.slice(0, -1).join(', ')} and ${allowed.at(-1)} may change).`);
  }
  const runDir = path.resolve(dir);
  const { record } = await openRun(runDir);
  const changed = Object.fromEntries(MAY_CHANGE.filter((n) => overrides[n] !== undefined).map((n) => [n, overrides[n]]));
  return { runDir, hyperparameters: { ...record.hyperparameters, ...changed } };
}
