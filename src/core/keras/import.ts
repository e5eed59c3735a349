/**
 * A Keras model (`.h5`, or `.keras` v3) and its word index → a run of the
 * lab: the same weights in TensorFlow.js layers, the model's own word index
 * and text rules as its vocabulary, its architecture drawn from its config,
 * marked as imported. Runs in the worker (it builds the model with TensorFlow.js).
 */
import { open } from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { LabError, errorMessage } from '../errors';
import { buildModel, serializeModel } from '../model';
import { RUN_FORMAT_VERSION, newRunId, saveRun, type RunRecord } from '../runs';
import type { LayerWeights, KerasModelContents } from './h5-layout';
import { readKerasH5 } from './h5-layout';
import { isZip, readKerasV3 } from './keras-v3';
import { describeStack, labView, optimizerOf, type KerasLayer, type KerasStack, type RecurrentSpec } from './stack';
import { readWordIndex, type WordIndexOptions } from './word-index';

export interface ImportOptions {
  file: string;
  wordIndex: WordIndexOptions;
  /** The input length, for a model without a fixed one (or to check against it). */
  maxlen?: number;
  runsDir: string;
}

/** Reads a Keras model file of either format, told apart by its first bytes. */
export async function readKerasModel(file: string): Promise<KerasModelContents> {
  const head = new Uint8Array(8);
  try {
    const handle = await open(file, 'r');
    try {
      await handle.read(head, 0, 8, 0);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new LabError((error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not-found' : 'bad-argument', `Cannot read the Keras model ${file}: ${errorMessage(error)}.`);
  }
  return isZip(head) ? readKerasV3(file) : readKerasH5(file);
}

function maxlenOf(stack: KerasStack, asked: number | undefined, file: string): number {
  if (asked !== undefined && (!Number.isInteger(asked) || asked < 1)) throw new LabError('bad-argument', `maxlen must be a whole number above 0, got ${asked}.`);
  if (stack.maxlen !== undefined && asked !== undefined && asked !== stack.maxlen) {
    throw new LabError('bad-argument', `${path.basename(file)} reads sequences of ${stack.maxlen} words (its input shape), not ${asked}.`);
  }
  const maxlen = stack.maxlen ?? asked;
  if (maxlen === undefined) throw new LabError('bad-argument', `${path.basename(file)} has no fixed input length: give the maxlen its sequences were padded to (the tutorial's is 500).`);
  return maxlen;
}

const tfActivation = (a: string) => (a === 'hard_sigmoid' ? 'hardSigmoid' : a) as 'linear';

function recurrentLayer(spec: RecurrentSpec, name = spec.name): tf.RNN {
  const common = { name, units: spec.units, activation: tfActivation(spec.activation), useBias: spec.useBias };
  return spec.kind === 'LSTM' ? tf.layers.lstm({ ...common, recurrentActivation: tfActivation(spec.recurrentActivation), unitForgetBias: true }) : tf.layers.simpleRNN(common);
}

function tfLayer(layer: KerasLayer, maxlen: number): tf.layers.Layer {
  switch (layer.kind) {
    case 'Embedding':
      return tf.layers.embedding({ name: layer.name, inputDim: layer.inputDim, outputDim: layer.outputDim, inputLength: maxlen });
    case 'SimpleRNN':
    case 'LSTM':
      return recurrentLayer(layer);
    case 'Bidirectional':
      return tf.layers.bidirectional({ name: layer.name, mergeMode: layer.mergeMode, layer: recurrentLayer(layer.layer) });
    case 'Dense':
      return tf.layers.dense({ name: layer.name, units: layer.units, activation: tfActivation(layer.activation), useBias: layer.useBias });
    case 'Dropout':
      return tf.layers.dropout({ name: layer.name, rate: layer.rate });
  }
}

/** The stack in TensorFlow.js layers, with the imported weights. */
function tfModel(contents: KerasModelContents, maxlen: number, labLayers: boolean, h: RunRecord['hyperparameters']): tf.LayersModel {
  const model = labLayers ? buildModel(h) : tf.sequential({ name: contents.stack.name, layers: contents.stack.layers.map((l) => tfLayer(l, maxlen)) });
  const arrays = contents.weights.flatMap((w: LayerWeights) => w.arrays);
  const tensors = arrays.map((a) => tf.tensor(a.values, a.shape, 'float32'));
  try {
    model.setWeights(tensors);
  } finally {
    tensors.forEach((t) => t.dispose());
  }
  return model;
}

export async function importKerasModel(options: ImportOptions, backend: string): Promise<{ runDir: string; record: RunRecord }> {
  const contents = await readKerasModel(options.file);
  const { stack } = contents;
  const maxlen = maxlenOf(stack, options.maxlen, options.file);
  const embedding = stack.layers[0] as Extract<KerasLayer, { kind: 'Embedding' }>;
  const vocabulary = await readWordIndex(options.wordIndex, { layerName: embedding.name, inputDim: embedding.inputDim, maxlen });
  const { hyperparameters, labLayers } = labView(stack, maxlen, optimizerOf(contents.trainingConfig));
  // hyperparameters.numWords stays the Embedding's size; the word index's own num_words is in the vocabulary.
  const h = hyperparameters;
  const model = tfModel(contents, maxlen, labLayers, hyperparameters);
  let serialized;
  try {
    serialized = await serializeModel(model);
  } finally {
    model.dispose();
  }
  const record: RunRecord = {
    formatVersion: RUN_FORMAT_VERSION,
    id: newRunId(`keras-${h.preset}`),
    createdAt: new Date().toISOString(),
    preset: h.preset,
    hyperparameters: h,
    status: 'complete',
    epochsCompleted: 0,
    backend,
    recurrentImplementation: 'tfjs-layers',
    architecture: describeStack(stack, maxlen, h.preset),
    dataset: { source: `imported from Keras: ${path.basename(options.file)}`, train: 0, validation: 0, test: 0 },
    history: { batches: [], epochs: [] },
    timings: { trainingSeconds: 0 },
    origin: {
      kind: 'keras',
      file: path.resolve(options.file),
      wordIndex: path.resolve(options.wordIndex.file),
      ...(contents.kerasVersion ? { kerasVersion: contents.kerasVersion } : {}),
      labLayers,
    },
  };
  const runDir = await saveRun(options.runsDir, { record, vocabulary, modelJson: serialized.modelJson, weights: serialized.weights });
  return { runDir, record };
}
