/**
 * A run → Keras: `<name>.h5` that Keras 2.12's `keras.models.load_model`
 * reads, `word_index.json` in the form of `keras.datasets.imdb.get_word_index()`,
 * and `predict_keras.py`, all in the folder of the .h5. No TensorFlow: the
 * weights are read from the run's weights.bin by its manifest.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { LabError } from '../errors';
import { openRun, type RunRecord } from '../runs';
import { matchWeights, writeKerasH5 } from './h5-layout';
import { predictScript } from './predict-script';
import { parseModelConfig, type KerasStack } from './stack';
import { toImdbWordIndex } from './word-index';

export const EXPORT_FORMATS = ['keras-h5'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportedFiles {
  model: string;
  wordIndex: string;
  script: string;
}

interface ManifestEntry {
  name: string;
  shape: number[];
  dtype?: string;
}

/** The run's weights, by TensorFlow.js' manifest, as arrays per layer in Keras' order. */
function weightsByLayer(stack: KerasStack, modelJson: unknown, weights: Uint8Array, runDir: string) {
  const entries = (modelJson as { weightsManifest: { weights: ManifestEntry[] }[] }).weightsManifest.flatMap((g) => g.weights);
  if (entries.some((e) => e.dtype !== undefined && e.dtype !== 'float32')) throw new LabError('corrupt-model', `The model in ${runDir} has weights that are not float32.`);
  const all = new Float32Array(weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength));
  let offset = 0;
  const arrays = entries.map((e) => {
    const size = e.shape.reduce((a, b) => a * b, 1);
    const values = all.subarray(offset, offset + size);
    offset += size;
    return { name: e.name, shape: e.shape, values };
  });
  let next = 0;
  return matchWeights(
    stack,
    (layerName) => {
      // TensorFlow.js names a layer's weights "<layer>/…/<weight>", in Keras' order.
      const mine = [];
      while (next < arrays.length && arrays[next].name.split('/')[0] === layerName) mine.push(arrays[next++]);
      return mine;
    },
    path.join(runDir, 'weights.bin'),
  );
}

/** Keras' training_config for the run's loss, metric and optimizer, so load_model returns a compiled model. */
function trainingConfig(record: RunRecord): unknown {
  const h = record.hyperparameters;
  const optimizers = {
    adam: { class_name: 'Adam', config: { name: 'Adam', learning_rate: h.learningRate, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false } },
    rmsprop: { class_name: 'RMSprop', config: { name: 'RMSprop', learning_rate: h.learningRate, rho: 0.9, momentum: 0.0, epsilon: 1e-7, centered: false } },
    sgd: { class_name: 'SGD', config: { name: 'SGD', learning_rate: h.learningRate, momentum: 0.0, nesterov: false } },
    adagrad: { class_name: 'Adagrad', config: { name: 'Adagrad', learning_rate: h.learningRate, initial_accumulator_value: 0.1, epsilon: 1e-7 } },
  } as const;
  return {
    loss: 'binary_crossentropy',
    metrics: [[{ class_name: 'MeanMetricWrapper', config: { name: 'accuracy', dtype: 'float32', fn: 'binary_accuracy' } }]],
    weighted_metrics: null,
    loss_weights: null,
    optimizer_config: optimizers[h.optimizer],
  };
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.partial`);
  try {
    await writeFile(temporary, text);
    await rename(temporary, file);
  } finally {
    await rm(temporary, { force: true });
  }
}

/**
 * Writes the run as `outFile` (.h5) plus word_index.json and predict_keras.py
 * beside it; files already there are replaced.
 */
export async function exportRunToKeras(runDir: string, outFile: string, format: ExportFormat = 'keras-h5'): Promise<ExportedFiles> {
  if (format !== 'keras-h5') throw new LabError('bad-argument', `Unknown export format "${String(format)}".`);
  if (!outFile.toLowerCase().endsWith('.h5')) throw new LabError('bad-argument', `${outFile}: a Keras HDF5 model file ends in .h5 (Keras picks its loader by the extension).`);
  const run = await openRun(runDir);
  const stack = parseModelConfig((run.modelJson as { modelTopology: unknown }).modelTopology);
  const weights = weightsByLayer(stack, run.modelJson, run.weights, runDir);
  const dir = path.dirname(path.resolve(outFile));
  await mkdir(dir, { recursive: true });
  const files: ExportedFiles = { model: path.resolve(outFile), wordIndex: path.join(dir, 'word_index.json'), script: path.join(dir, 'predict_keras.py') };
  await writeKerasH5(files.model, { stack, maxlen: run.vocabulary.maxlen, weights, trainingConfig: trainingConfig(run.record) });
  await writeAtomically(files.wordIndex, JSON.stringify(toImdbWordIndex(run.vocabulary)));
  await writeAtomically(files.script, predictScript(path.basename(outFile), run.vocabulary));
  return files;
}
