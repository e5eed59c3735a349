/** `train --fine-tune DIR`: the parent run's hyperparameters, with only what fine-tuning may change taken from the command line. */
import * as path from 'node:path';
import { LabError } from '../core/errors';
import { CHOICE_NAMES, TUNABLE_NAMES, type Hyperparameters, type TunableName } from '../core/presets';
import { openRun } from '../core/runs';

/** The architecture (and so the weights' shapes and the vocabulary) stays the parent's; the training choices (--keep, --train-on) may change too. */
export const FINE_TUNABLE: readonly TunableName[] = ['epochs', 'batchSize', 'learningRate', 'validationSplit', 'seed', 'trainingSeed', 'shortTextShare'];

export async function fineTuneSettings(dir: string, overrides: Partial<Hyperparameters>, preset: string | undefined): Promise<{ runDir: string; hyperparameters: Hyperparameters }> {
  const fixed = TUNABLE_NAMES.filter((n) => !FINE_TUNABLE.includes(n) && overrides[n] !== undefined);
  if (fixed.length > 0 || preset !== undefined || overrides.optimizer !== undefined) {
    const flags = [...fixed.map((n) => `--${n.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`), ...(preset !== undefined ? ['--preset'] : []), ...(overrides.optimizer !== undefined ? ['--optimizer'] : [])];
    throw new LabError('bad-argument', `--fine-tune keeps the parent run's architecture and vocabulary: drop ${flags.join(', ')} (only --epochs, --batch-size, --learning-rate, --validation-split, --seed, --training-seed, --short-text-share, --keep and --train-on may change).`);
  }
  const runDir = path.resolve(dir);
  const { record } = await openRun(runDir);
  const changed = Object.fromEntries([...FINE_TUNABLE, ...CHOICE_NAMES].filter((n) => overrides[n] !== undefined).map((n) => [n, overrides[n]]));
  return { runDir, hyperparameters: { ...record.hyperparameters, ...changed } };
}
