/**
 * The schemas of a run folder's JSON files (run.json, vocabulary.json,
 * model.json), and the checks that tie them together. A folder is a usable
 * run only if every file parses whole against its schema and the files agree
 * with each other and with the folder: a hand-edited, truncated or planted
 * file is refused with what is wrong, never half-used.
 */
import * as path from 'node:path';
import { z } from 'zod';
import type { ArchitectureSummary } from './architecture';
import type { BatchMetrics, EpochMetrics, EvaluationMetrics } from './metrics';
import { PRESET_NAMES, hyperparametersSchema, type PresetName } from './presets';
import type { RunRecord, VocabularyFile } from './runs';

const finite = z.number().finite();
const count = z.number().int().nonnegative();
const presetName = z.enum(PRESET_NAMES as [PresetName, ...PresetName[]]);

/** Every hyperparameter within its bounds: the presets' schema, declared there once. */
export { hyperparametersSchema };

const batchMetrics: z.ZodType<BatchMetrics> = z.object({
  epoch: count,
  epochs: count,
  batch: count,
  batchesPerEpoch: count,
  loss: finite,
  accuracy: finite,
  examplesPerSecond: finite,
  etaSeconds: finite,
  elapsedSeconds: finite,
});

const epochMetrics: z.ZodType<EpochMetrics> = z.object({
  epoch: count,
  epochs: count,
  loss: finite,
  accuracy: finite,
  valLoss: finite,
  valAccuracy: finite,
  seconds: finite,
  examplesPerSecond: finite,
});

const evaluationMetrics: z.ZodType<EvaluationMetrics> = z.object({
  accuracy: finite,
  loss: finite,
  count,
  confusion: z.object({ truePositive: count, falsePositive: count, trueNegative: count, falseNegative: count }),
  seconds: finite,
});

const architecture: z.ZodType<ArchitectureSummary> = z.object({
  preset: presetName,
  layers: z.array(
    z.object({
      name: z.string(),
      type: z.enum(['Embedding', 'SimpleRNN', 'LSTM', 'Bidirectional', 'Dense', 'Dropout']),
      outputShape: z.array(z.number().int().nullable()),
      params: count,
      detail: z.string(),
    }),
  ),
  totalParams: count,
});

/**
 * Runs saved before a hyperparameter existed read back with what they did:
 * before the training seed had a name of its own, weights and batches were
 * drawn from `seed`; before `trainOn`, epochs trained on the reviews alone.
 */
const savedHyperparameters = z.preprocess((value) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const saved = value as { seed?: unknown; trainingSeed?: unknown; trainOn?: unknown };
  return { ...saved, trainingSeed: saved.trainingSeed ?? saved.seed, trainOn: saved.trainOn ?? 'reviews' };
}, hyperparametersSchema);

export const runRecordSchema = (formatVersion: number, statuses: readonly [string, ...string[]]): z.ZodType<RunRecord> =>
  z
    .object({
      formatVersion: z.literal(formatVersion),
      id: z.string().min(1),
      createdAt: z.string().datetime({ offset: true }),
      preset: presetName,
      hyperparameters: savedHyperparameters,
      status: z.enum(statuses),
      epochsCompleted: count,
      backend: z.string(),
      recurrentImplementation: z.string(),
      architecture,
      // Labelled data add their validation report here (run-dataset.ts).
      dataset: z.object({ source: z.string(), train: count, validation: count, test: count, limit: count.optional() }).passthrough(),
      history: z.object({ batches: z.array(batchMetrics), epochs: z.array(epochMetrics) }),
      test: evaluationMetrics.optional(),
      timings: z.object({ trainingSeconds: finite, evaluationSeconds: finite.optional() }),
      origin: z.object({ kind: z.literal('keras'), file: z.string(), wordIndex: z.string(), kerasVersion: z.string().optional(), labLayers: z.boolean() }).optional(),
    })
    // Fields a later version adds are kept, not refused.
    .passthrough() as unknown as z.ZodType<RunRecord>;

export const vocabularySchema: z.ZodType<VocabularyFile> = z.object({
  tokenizer: z.string(),
  numWords: z.number().int().min(4).max(1_000_000),
  maxlen: z.number().int().min(1).max(10_000),
  padding: z.literal('pre'),
  truncating: z.literal('pre'),
  startChar: count.nullable(),
  oovChar: count.nullable(),
  indexFrom: count,
  padValue: count,
  words: z.array(z.string()),
  textRules: z.object({ lower: z.boolean(), filters: z.string(), split: z.string() }).strict().optional(),
});

const weightSpec = z.object({ name: z.string(), shape: z.array(count).max(8), dtype: z.enum(['float32', 'int32', 'bool']) }).passthrough();
const layerSchema = z.object({ class_name: z.string(), config: z.record(z.unknown()) }).passthrough();

export interface ModelJson {
  format?: string;
  modelTopology: { class_name: string; config: { layers: z.infer<typeof layerSchema>[] } };
  weightsManifest: [{ paths: ['weights.bin']; weights: z.infer<typeof weightSpec>[] }];
}

/** A TensorFlow.js layers model whose weights are all in the folder's weights.bin. */
export const modelJsonSchema = z
  .object({
    format: z.literal('layers-model').optional(),
    modelTopology: z.object({ class_name: z.literal('Sequential'), config: z.object({ layers: z.array(layerSchema).min(1) }).passthrough() }).passthrough(),
    weightsManifest: z.tuple([z.object({ paths: z.tuple([z.literal('weights.bin')]), weights: z.array(weightSpec).min(1) }).passthrough()]),
  })
  .passthrough() as unknown as z.ZodType<ModelJson>;

/** Bytes weights.bin must hold for this manifest. */
export function manifestBytes(model: ModelJson): number {
  let bytes = 0;
  for (const w of model.weightsManifest[0].weights) bytes += w.shape.reduce((a, b) => a * b, 1) * (w.dtype === 'bool' ? 1 : 4);
  return bytes;
}

/** One line per problem: "run.json: hyperparameters.numWords: Expected number, received string". */
export function describeIssues(file: string, error: z.ZodError): string[] {
  return error.issues.slice(0, 3).map((i) => `${file}${i.path.length ? ` ${i.path.join('.')}` : ''}: ${i.message}`);
}

/** Where the files of a parsed run disagree with each other or with their folder. */
export function crossCheckRun(dir: string, record: RunRecord, vocabulary: VocabularyFile, model: ModelJson): string[] {
  const problems: string[] = [];
  const folder = path.basename(dir);
  if (record.id !== folder) problems.push(`run.json names the run "${record.id}" but its folder is "${folder}" (a copied or renamed run: act on it by folder)`);
  if (record.preset !== record.hyperparameters.preset) problems.push(`run.json says preset "${record.preset}" but its hyperparameters say "${record.hyperparameters.preset}"`);
  const h = record.hyperparameters;
  if (vocabulary.numWords !== h.numWords || vocabulary.maxlen !== h.maxlen) {
    problems.push(`vocabulary.json (numWords ${vocabulary.numWords}, maxlen ${vocabulary.maxlen}) disagrees with run.json (numWords ${h.numWords}, maxlen ${h.maxlen})`);
  }
  const embedding = model.modelTopology.config.layers[0];
  const inputDim = embedding?.config.input_dim;
  const batchShape = embedding?.config.batch_input_shape;
  const inputLength: unknown = Array.isArray(batchShape) ? batchShape[1] : embedding?.config.input_length;
  if (embedding?.class_name !== 'Embedding') problems.push('model.json does not start with an Embedding layer');
  else if (inputDim !== vocabulary.numWords || inputLength !== vocabulary.maxlen) {
    problems.push(`vocabulary.json (numWords ${vocabulary.numWords}, maxlen ${vocabulary.maxlen}) disagrees with the model's Embedding (input_dim ${String(inputDim)}, input length ${String(inputLength)})`);
  }
  return problems;
}
