/**
 * The tutorial's three models and every hyperparameter a user can override.
 * Pure data: no TensorFlow here, so the extension host can show presets,
 * defaults and architecture summaries without loading a backend.
 */

export type PresetName = 'simple-rnn' | 'lstm' | 'bilstm';
export const PRESET_NAMES: readonly PresetName[] = ['simple-rnn', 'lstm', 'bilstm'];

export type OptimizerName = 'rmsprop' | 'adam' | 'sgd' | 'adagrad';
export const OPTIMIZER_NAMES: readonly OptimizerName[] = ['rmsprop', 'adam', 'sgd', 'adagrad'];

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
  /** Seeds the dataset shuffle (Keras' imdb.load_data uses 113) and weight initialisation. */
  seed: number;
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
};

export function isPresetName(value: unknown): value is PresetName {
  return typeof value === 'string' && (PRESET_NAMES as readonly string[]).includes(value);
}

/** Integer ranges a hyperparameter must fall in; out-of-range values are user errors. */
const INTEGER_RANGES: Record<string, [number, number]> = {
  numWords: [4, 1_000_000],
  maxlen: [1, 10_000],
  embeddingDim: [1, 4096],
  units: [1, 4096],
  denseUnits: [0, 65536],
  epochs: [1, 1000],
  batchSize: [1, 65536],
  seed: [0, 2 ** 31 - 1],
};

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
  const h: Hyperparameters = { ...PRESETS[preset].defaults, ...defined, preset };
  for (const [key, [min, max]] of Object.entries(INTEGER_RANGES)) {
    const value = h[key as keyof Hyperparameters] as number;
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new RangeError(`${key} must be a whole number from ${min} to ${max}, got ${String(value)}.`);
    }
  }
  if (!(h.dropout >= 0 && h.dropout < 1)) throw new RangeError(`dropout must be in [0, 1), got ${h.dropout}.`);
  if (!(h.validationSplit > 0 && h.validationSplit < 1)) {
    throw new RangeError(`validationSplit must be in (0, 1), got ${h.validationSplit}.`);
  }
  if (!(h.learningRate > 0 && h.learningRate < 10)) {
    throw new RangeError(`learningRate must be in (0, 10), got ${h.learningRate}.`);
  }
  if (!OPTIMIZER_NAMES.includes(h.optimizer)) {
    throw new RangeError(`optimizer must be one of ${OPTIMIZER_NAMES.join(', ')}, got "${h.optimizer}".`);
  }
  return h;
}
