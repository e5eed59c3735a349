/** Argument parsers and the options several commands share. */
import { InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { BACKEND_PREFERENCES } from '../core/backend-names';
import { defaultCacheDir } from '../core/paths';
import { LabError } from '../core/errors';
import { PRESET_NAMES, resolveHyperparameters, type Hyperparameters, type PresetName } from '../core/presets';

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a whole number above 0.');
  return n;
}

export function fraction(value: string): number {
  const n = Number(value);
  if (!(n >= 0 && n < 1)) throw new InvalidArgumentError('expected a number from 0 up to (not including) 1.');
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new InvalidArgumentError('expected a number above 0.');
  return n;
}

export const presetOption = () => new Option('--preset <preset>', 'model preset').choices(PRESET_NAMES).makeOptionMandatory();
export const backendOption = () => new Option('--backend <backend>', 'TensorFlow.js backend').choices(BACKEND_PREFERENCES).default('auto');
export const dataOption = () => new Option('--data <source>', '"official" (downloaded once), a .tar.gz archive, an aclImdb folder or an http(s) URL').default('official');
export const cacheOption = () => new Option('--cache-dir <dir>', 'downloads and the tokenised corpus').default(defaultCacheDir());
export const jsonOption = (description: string) => new Option('--json', description);

/** The preset's hyperparameters with the command's values; one out of bounds is a wrong argument (exit 2), not a bug. */
export function hyperparametersFromOptions(preset: PresetName, overrides: Partial<Hyperparameters>): Hyperparameters {
  try {
    return resolveHyperparameters(preset, overrides);
  } catch (error) {
    if (error instanceof RangeError) throw new LabError('bad-argument', error.message);
    throw error;
  }
}
