/**
 * The tutorial's three models and every hyperparameter a user can override.
 * Pure data: no TensorFlow here, so the extension host can show presets,
 * defaults and architecture summaries without loading a backend. The bounds of
 * every value are declared once, in TUNABLE_HYPERPARAMETERS.
 */

import { z } from 'zod';

import { PRESET_NAMES_TUPLE, type PresetName } from './preset-names';

export { recurrentLayerOf, type PresetName, type RecurrentLayerKind } from './preset-names';
export const PRESET_NAMES: readonly PresetName[] = PRESET_NAMES_TUPLE;

const KEEP_CHOICES_TUPLE = ['best', 'last'] as const;
/** Which epoch's weights a finished training keeps: the lowest validation loss, or the last (the tutorial's `fit`). */
export type KeepChoice = (typeof KEEP_CHOICES_TUPLE)[number];

const TRAIN_ON_CHOICES_TUPLE = ['reviews', 'reviews-and-sentences'] as const;
/** What an epoch trains on: the training reviews (the tutorial), or also every sentence of each as a row of its own. */
export type TrainOnChoice = (typeof TRAIN_ON_CHOICES_TUPLE)[number];

const OPTIMIZER_NAMES_TUPLE = ['rmsprop', 'adam', 'sgd', 'adagrad'] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES_TUPLE)[number];
export const OPTIMIZER_NAMES: readonly OptimizerName[] = OPTIMIZER_NAMES_TUPLE;

export interface Hyperparameters {
  preset: PresetName;
  /** Vocabulary size: word indices at or past it become the OOV index. */
  numWords: number;
  /** Sequence length after pad_sequences (padding and truncating 'pre'). */
  maxlen: number;
  embeddingDim: number;
  /** Units of the recurrent layer (per direction for the Bi-LSTM). */
  units: number;
  /** Units of the Dense(relu) layer after the recurrent one; 0 means no such layer. */
  denseUnits: number;
  /** Dropout after the Dense(relu) layer; ignored when denseUnits is 0. */
  dropout: number;
  optimizer: OptimizerName;
  learningRate: number;
  epochs: number;
  batchSize: number;
  validationSplit: number;
  /** Seeds the corpus shuffle, and so which reviews are held out for validation (Keras' imdb.load_data uses 113). */
  seed: number;
  /** Seeds the initial weights, the dropout masks and each epoch's batch order (Keras' set_random_seed). */
  trainingSeed: number;
  /** Share of the training rows replaced by a short random window of the same review (0: whole reviews only, as the tutorial). */
  shortTextShare: number;
  /** Rows of an epoch: the reviews, or the reviews and every whole sentence of each. */
  trainOn: TrainOnChoice;
  /** Which epoch's weights the finished run holds. */
  keep: KeepChoice;
}

export interface PresetInfo {
  name: PresetName;
  title: string;
  /** One line from the tutorial's reasoning, shown in pickers. */
  description: string;
  defaults: Hyperparameters;
}

const COMMON = {
  numWords: 10000,
  maxlen: 500,
  embeddingDim: 32,
  units: 32,
  learningRate: 0.001,
  epochs: 5,
  batchSize: 128,
  validationSplit: 0.2,
  seed: 113,
  trainingSeed: 113,
  shortTextShare: 0,
  trainOn: 'reviews',
  keep: 'best',
} as const;

export const PRESETS: Readonly<Record<PresetName, PresetInfo>> = {
  'simple-rnn': {
    name: 'simple-rnn',
    title: 'SimpleRNN',
    description: 'One tanh recurrence: short memory, gradients fade over long reviews.',
    defaults: { ...COMMON, preset: 'simple-rnn', denseUnits: 0, dropout: 0, optimizer: 'rmsprop' },
  },
  lstm: {
    name: 'lstm',
    title: 'LSTM',
    description: 'Forget, input and output gates keep a cell state: long-range dependencies.',
    defaults: { ...COMMON, preset: 'lstm', denseUnits: 256, dropout: 0.2, optimizer: 'adam' },
  },
  bilstm: {
    name: 'bilstm',
    title: 'Bi-LSTM',
    description: 'A forward and a backward LSTM read the review in both directions.',
    defaults: { ...COMMON, preset: 'bilstm', denseUnits: 256, dropout: 0.2, optimizer: 'adam' },
  },
  'lstm-sentences': {
    name: 'lstm-sentences',
    title: 'LSTM for sentences',
    description: 'A wider LSTM (128-wide embedding, 64 units) trained on the reviews and on every sentence of each, as a selection is, for 3 epochs.',
    defaults: { ...COMMON, preset: 'lstm-sentences', embeddingDim: 128, units: 64, epochs: 3, denseUnits: 256, dropout: 0.2, optimizer: 'adam', trainOn: 'reviews-and-sentences' },
  },
};

export function isPresetName(value: unknown): value is PresetName {
  return typeof value === 'string' && (PRESET_NAMES as readonly string[]).includes(value);
}

const count = (min: number, max?: number) => {
  const atLeast = z.number().int().min(min);
  return max === undefined ? atLeast : atLeast.max(max);
};

/**
 * The hyperparameters a user can change besides the preset and its optimizer:
 * their bounds, written only here, and what each means (one markdown sentence).
 * The CLI's flags and help, the settings under `rnnSentimentLab.training.`
 * (package.json and their reader) and the Train Model questions derive from it.
 */
export const TUNABLE_HYPERPARAMETERS = {
  epochs: count(1, 1000).describe('Epochs (tutorial: 5).'),
  batchSize: count(1, 65536).describe('Batch size (tutorial: 128).'),
  maxlen: count(1, 10_000).describe('Words read per review, `pad_sequences` maxlen (tutorial: 500).'),
  numWords: count(4, 1_000_000).describe('Vocabulary size, `num_words` (tutorial: 10000).'),
  embeddingDim: count(1, 4096).describe('Embedding size (tutorial: 32).'),
  units: count(1, 4096).describe('Units of the recurrent layer (tutorial: 32).'),
  denseUnits: count(0, 65536).describe('Units of the Dense(relu) layer of the LSTM presets (tutorial: 256); 0 removes it.'),
  dropout: z.number().min(0).max(0.99).describe('Dropout after the Dense(relu) layer (tutorial: 0.2).'),
  learningRate: z.number().min(1e-6).max(10).describe('Learning rate (Keras default: 0.001).'),
  validationSplit: z.number().min(0.01).max(0.99).describe('Share of the training reviews held out for validation (tutorial: 0.2).'),
  seed: count(0, 2 ** 31 - 1).describe('Seed of the corpus shuffle, which decides the validation reviews (Keras\' imdb uses 113).'),
  trainingSeed: count(0, 2 ** 31 - 1).describe(`Seed of the initial weights, dropout and batch order: change it alone to train again on the same split (default ${COMMON.trainingSeed}).`),
  shortTextShare: z
    .number()
    .min(0)
    .max(0.9)
    .describe(`Share of training rows replaced by a short text of the same review (two in three a sentence, the others a random 3–40-word window), so the model also learns short texts (default: ${COMMON.shortTextShare}).`),
} satisfies { [K in keyof Hyperparameters]?: z.ZodNumber };

export type TunableName = keyof typeof TUNABLE_HYPERPARAMETERS;
export const TUNABLE_NAMES = Object.keys(TUNABLE_HYPERPARAMETERS).filter(isTunableName);

export function isTunableName(name: string): name is TunableName {
  return Object.hasOwn(TUNABLE_HYPERPARAMETERS, name);
}

/**
 * The training choices that are not numbers, declared like the numbers above:
 * the CLI's flags, the settings and package.json derive from this.
 */
export const TRAINING_CHOICES = {
  trainOn: z
    .enum(TRAIN_ON_CHOICES_TUPLE)
    .describe(`What each epoch trains on: \`reviews\`, the training reviews, as the tutorial (shortTextShare cuts some short); or \`reviews-and-sentences\`, also every sentence of at least three words of each training review as a row of its own, labelled with its review's label (on IMDB about eleven more rows per review, each short: an epoch takes several times longer). Default: ${COMMON.trainOn}; lstm-sentences: ${PRESETS['lstm-sentences'].defaults.trainOn}.`),
  keep: z
    .enum(KEEP_CHOICES_TUPLE)
    .describe('Which epoch\'s weights a finished training keeps: `best`, the epoch with the lowest validation loss (Keras\' `ModelCheckpoint(save_best_only=True)`), or `last`, as the tutorial\'s `fit` does (default: best).'),
} satisfies { [K in keyof Hyperparameters]?: z.ZodEnum<[string, ...string[]]> };

export type ChoiceName = keyof typeof TRAINING_CHOICES;
export const CHOICE_NAMES = Object.keys(TRAINING_CHOICES).filter(isChoiceName);

export function isChoiceName(name: string): name is ChoiceName {
  return Object.hasOwn(TRAINING_CHOICES, name);
}

/** Not a hyperparameter but set beside them: train and evaluate on the first N reviews of each split. */
export const REVIEW_LIMIT = count(1).describe('Train and evaluate on the first N reviews of each (shuffled) split, for quick runs.');

/** The whole set of hyperparameters, checked field by field. */
export const hyperparametersSchema = z
  .object({ preset: z.enum(PRESET_NAMES_TUPLE), optimizer: z.enum(OPTIMIZER_NAMES_TUPLE), ...TUNABLE_HYPERPARAMETERS, ...TRAINING_CHOICES })
  .strict() satisfies z.ZodType<Hyperparameters>;

/** "a whole number from 1 to 1000", "a number from 0 to 0.99", "a whole number from 1 up". */
export function describeBounds(schema: z.ZodNumber): string {
  const { minValue, maxValue, isInt } = schema;
  const kind = isInt ? 'a whole number' : 'a number';
  return maxValue === null ? `${kind} from ${String(minValue)} up` : `${kind} from ${String(minValue)} to ${String(maxValue)}`;
}

/**
 * Merges overrides into a preset's defaults and checks every value, so a bad
 * setting fails before any data is read or any model is built.
 */
export function resolveHyperparameters(
  preset: PresetName,
  overrides: Partial<Hyperparameters> = {},
): Hyperparameters {
  if (!isPresetName(preset)) {
    throw new RangeError(`Unknown preset "${String(preset)}": expected one of ${PRESET_NAMES.join(', ')}.`);
  }
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  const merged = { ...PRESETS[preset].defaults, ...defined, preset };
  const parsed = hyperparametersSchema.safeParse(merged);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const name = String(issue.path[0] ?? 'hyperparameters');
  const got = String(new Map(Object.entries(merged)).get(name));
  if (isTunableName(name)) throw new RangeError(`${name} must be ${describeBounds(TUNABLE_HYPERPARAMETERS[name])}, got ${got}.`);
  if (isChoiceName(name)) throw new RangeError(`${name} must be one of ${TRAINING_CHOICES[name].options.join(', ')}, got "${got}".`);
  if (name === 'optimizer') throw new RangeError(`optimizer must be one of ${OPTIMIZER_NAMES.join(', ')}, got "${got}".`);
  throw new RangeError(`Invalid hyperparameters: ${name}: ${issue.message}.`);
}
