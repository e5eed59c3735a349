/**
 * The options several commands share. Numeric and choice flags are derived from the
 * hyperparameters' schema (src/core/presets.ts): its bounds parse them and its
 * descriptions are their help.
 */
import { InvalidArgumentError, Option, type Command, type OptionValues } from '@commander-js/extra-typings';
import { z } from 'zod';
import { BACKEND_PREFERENCES } from '../core/backend-names';
import { defaultCacheDir } from '../core/paths';
import { TEST_SPLIT, type LabelledOptions } from '../core/dataset/labelled';
import { LabError } from '../core/errors';
import { PRESET_NAMES, TRAINING_CHOICES, TUNABLE_HYPERPARAMETERS, describeBounds, isChoiceName, isTunableName, resolveHyperparameters, type ChoiceName, type Hyperparameters, type PresetName, type TunableName } from '../core/presets';

export const presetOption = () => new Option('--preset <preset>', 'model preset').choices(PRESET_NAMES).makeOptionMandatory();
export const backendOption = () => new Option('--backend <backend>', 'TensorFlow.js backend').choices(BACKEND_PREFERENCES).default('auto');
export const dataOption = () =>
  new Option('--data <source>', '"official" (downloaded once), a .tar.gz archive, an aclImdb folder, an http(s) URL, or labelled data: a .csv/.tsv/.jsonl file or a folder with one subfolder per label').default('official');

/** How a labelled dataset (CSV/TSV/JSONL/label folders) is read; the attribute names commander gives them. */
export const LABELLED_DATA_OPTIONS = ['textColumn', 'labelColumn', 'positiveLabel', 'negativeLabel', 'testData', 'testSplit'] as const;

export function addLabelledDataOptions<Args extends unknown[], Opts extends OptionValues, Globals extends OptionValues>(command: Command<Args, Opts, Globals>) {
  return command
    .option('--text-column <name>', 'labelled data: the CSV/TSV column or JSONL key path of the text (guessed from the header)')
    .option('--label-column <name>', 'labelled data: the CSV/TSV column or JSONL key path of the label (guessed from the header)')
    .option('--positive-label <label>', 'labelled data: which label is positive (guessed for pos/neg, 1/0, true/false...)')
    .option('--negative-label <label>', 'labelled data: the other label; with both named, rows of other labels are left out')
    .option('--test-data <file>', 'labelled data: a file of the same layout holding the test rows')
    .addOption(numberOption('--test-split <fraction>', TEST_SPLIT));
}

/** The labelled-data flags as the data source's options. */
export function labelledOptions(opts: { textColumn?: string; labelColumn?: string; positiveLabel?: string; negativeLabel?: string; testData?: string; testSplit?: number }): LabelledOptions {
  const picked: LabelledOptions = {
    textColumn: opts.textColumn,
    labelColumn: opts.labelColumn,
    positiveLabel: opts.positiveLabel,
    negativeLabel: opts.negativeLabel,
    testPath: opts.testData,
    testSplit: opts.testSplit,
  };
  // Absent keys, not undefined ones: the options travel to the worker and into the run's record.
  return Object.fromEntries(Object.entries(picked).filter(([, v]) => v !== undefined));
}
export const cacheOption = () => new Option('--cache-dir <dir>', 'downloads and the tokenized corpus').default(defaultCacheDir());
export const jsonOption = (description: string) => new Option('--json', description);

/** A flag whose value the schema checks: "--epochs many" fails with the schema's bounds. */
export function numberOption<Flags extends string>(flags: Flags, schema: z.ZodNumber, description = helpText(schema)) {
  return new Option(flags, description).argParser((value: string) => {
    const parsed = schema.safeParse(value.trim() === '' ? Number.NaN : Number(value));
    if (!parsed.success) throw new InvalidArgumentError(`expected ${describeBounds(schema)}.`);
    return parsed.data;
  });
}

/** A hyperparameter's command-line flag: `batchSize` → `--batch-size`. */
export function flagOf(name: string): string {
  return `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** `batchSize` → `--batch-size <n>`, one flag per tunable hyperparameter named. */
export function addHyperparameterOptions<Args extends unknown[], Opts extends OptionValues, Globals extends OptionValues>(
  command: Command<Args, Opts, Globals>,
  names: readonly TunableName[],
): void {
  for (const name of names) {
    command.addOption(numberOption(`${flagOf(name)} <n>`, TUNABLE_HYPERPARAMETERS[name]));
  }
}

/** `keep` → `--keep <best|last>`, one flag per training choice named, its values the schema's. */
export function addChoiceOptions<Args extends unknown[], Opts extends OptionValues, Globals extends OptionValues>(
  command: Command<Args, Opts, Globals>,
  names: readonly ChoiceName[],
): void {
  for (const name of names) {
    const schema = TRAINING_CHOICES[name];
    command.addOption(new Option(`${flagOf(name)} <${schema.options.join('|')}>`, (schema.description ?? '').replace(/`/g, '')).choices(schema.options));
  }
}

const overridesSchema = z.object({ ...TUNABLE_HYPERPARAMETERS, ...TRAINING_CHOICES }).partial();

/** The hyperparameters given on the command line (commander names them in camelCase, as the schema does). */
export function hyperparameterOverrides(opts: object): Partial<Hyperparameters> {
  return overridesSchema.parse(Object.fromEntries(Object.entries(opts).filter(([key]) => isTunableName(key) || isChoiceName(key))));
}

/** The schema's description (markdown, shown plain) and its bounds. */
function helpText(schema: z.ZodNumber): string {
  const bounds = describeBounds(schema);
  return `${(schema.description ?? '').replace(/`/g, '')} ${bounds.charAt(0).toUpperCase()}${bounds.slice(1)}.`;
}

/** The preset's hyperparameters with the command's values; one out of bounds is a wrong argument (exit 2), not a bug. */
export function hyperparametersFromOptions(preset: PresetName, overrides: Partial<Hyperparameters>): Hyperparameters {
  try {
    return resolveHyperparameters(preset, overrides);
  } catch (error) {
    if (error instanceof RangeError) throw new LabError('bad-argument', error.message);
    throw error;
  }
}
