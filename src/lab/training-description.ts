/**
 * What a training will run, in words: the title of its progress notification
 * and the settings line of Train Model's quick pick, with the values that
 * come from the user's settings marked and a subset stated. No `vscode`
 * import, so it is unit-tested.
 */
import { formatCount } from '../core/format';
import { PRESETS, type Hyperparameters, type PresetName } from '../core/presets';

/** "Training LSTM", and the subset when `training.limit` is set: the title of the progress notification. */
export function trainingTitle(preset: PresetName, limit: number | undefined): string {
  return `Training ${PRESETS[preset].title}${limit ? ` on a subset: the first ${formatCount(limit)} reviews of each split` : ''}`;
}

/**
 * The settings a training will use, as the quick pick shows them: the values
 * that differ from the tutorial's (from the user's settings) are marked, and
 * a subset is stated.
 */
export function describeSettings(base: Hyperparameters, overrides: Partial<Hyperparameters>, limit: number | undefined): string {
  const tutorial = PRESETS[base.preset].defaults;
  const mark = (key: keyof Hyperparameters, text: string) => (key in overrides && overrides[key] !== tutorial[key] ? `${text} (your setting; tutorial: ${String(tutorial[key])})` : text);
  const parts = [
    mark('epochs', `${base.epochs} ${base.epochs === 1 ? 'epoch' : 'epochs'}`),
    mark('batchSize', `batch ${base.batchSize}`),
    mark('maxlen', `maxlen ${base.maxlen}`),
    mark('units', `${base.units} units`),
    mark('learningRate', `${base.optimizer} lr ${base.learningRate}`),
  ];
  // Said only when they leave the tutorial's behaviour (no short texts, reviews alone, the best epoch kept).
  if (base.shortTextShare > 0) parts.push(mark('shortTextShare', `short texts ${base.shortTextShare}`));
  if (base.trainOn !== 'reviews') parts.push(mark('trainOn', 'every sentence too'));
  if (base.keep !== 'best') parts.push(mark('keep', `keeps the ${base.keep} epoch`));
  const shown: (keyof Hyperparameters)[] = ['epochs', 'batchSize', 'maxlen', 'units', 'learningRate', 'shortTextShare', 'trainOn', 'keep'];
  const others = (Object.keys(overrides) as (keyof Hyperparameters)[]).filter((k) => !shown.includes(k) && overrides[k] !== tutorial[k]);
  if (others.length) parts.push(`also your settings: ${others.map((k) => `${k} ${String(base[k])}`).join(', ')}`);
  if (limit) parts.push(`on a subset: the first ${formatCount(limit)} reviews of each split (training.limit)`);
  return parts.join(' · ');
}

