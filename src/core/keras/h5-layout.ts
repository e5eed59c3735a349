/**
 * Keras' HDF5 model layout (`model.save('m.h5')`, keras/saving/legacy/hdf5_format.py),
 * read and written through h5wasm:
 *
 *   /                 attrs keras_version, backend, model_config (JSON), training_config (JSON)
 *   /model_weights    attrs layer_names, keras_version, backend
 *     /<layer>        attrs weight_names, e.g. "lstm/lstm_cell/kernel:0"
 *       /<weight name as a path>   float32 dataset
 *
 * Keras loads the weights layer by layer in `layer_names` order and, inside
 * a layer, in `weight_names` order; the names themselves are not matched.
 */
import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { LabError, errorMessage } from '../errors';
import { createH5, h5wasm, isDataset, isGroup, openH5, stringAttribute, stringListAttribute, type H5File, type H5Group } from './h5';
import { kerasModelConfig, parseModelConfig, weightPlan, type KerasLayer, type KerasStack } from './stack';

/** The Keras version whose loader the exported files are written for. */
export const KERAS_VERSION = '2.12.0';

export interface LayerWeights {
  layer: KerasLayer;
  /** In Keras' order, each with its shape. */
  arrays: { shape: number[]; values: Float32Array }[];
}

export interface KerasModelContents {
  stack: KerasStack;
  weights: LayerWeights[];
  kerasVersion?: string;
  trainingConfig?: unknown;
}

function parseJsonAttribute(text: string | undefined, what: string, file: string): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new LabError('bad-argument', `${path.basename(file)} has a ${what} that is not valid JSON: ${errorMessage(error)}.`);
  }
}

function sameShape(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Checks the arrays found for each layer against what its configuration
 * needs, naming the layer whose count or shapes differ.
 */
export function matchWeights(stack: KerasStack, found: (name: string) => { shape: number[]; values: Float32Array }[], file: string): LayerWeights[] {
  return weightPlan(stack).map(({ layer, weights }) => {
    const arrays = weights.length === 0 ? [] : found(layer.name);
    if (arrays.length !== weights.length) {
      throw new LabError('bad-argument', `${path.basename(file)}: layer "${layer.name}" (${layer.kind}) has ${arrays.length} weight arrays, its configuration needs ${weights.length}.`);
    }
    arrays.forEach((a, i) => {
      const want = weights[i];
      if (!sameShape(a.shape, want.shape)) {
        throw new LabError('bad-argument', `${path.basename(file)}: layer "${layer.name}" (${layer.kind}) has ${want.name} of shape [${a.shape.join(', ')}], its configuration needs [${want.shape.join(', ')}].`);
      }
    });
    return { layer, arrays };
  });
}

/** A dataset's float values, whatever float type it was stored in. */
function floatValues(value: unknown, where: string): Float32Array {
  if (value instanceof Float32Array) return value;
  if (value instanceof Float64Array) return Float32Array.from(value);
  throw new LabError('bad-argument', `The weight ${where} is not stored as floating-point numbers.`);
}

/** Reads a Keras `.h5` model: its configuration (checked for the lab's shape) and every weight. */
export async function readKerasH5(file: string): Promise<KerasModelContents> {
  const h5 = await h5wasm();
  const f = await openH5(file);
  try {
    const modelConfig = parseJsonAttribute(stringAttribute(f, 'model_config'), 'model_config', file);
    if (modelConfig === undefined) {
      throw new LabError('bad-argument', `${path.basename(file)} has weights but no model configuration (saved with save_weights?): save the whole model with model.save("model.h5").`);
    }
    const stack = parseModelConfig(modelConfig);
    const root = f.get('model_weights');
    const weightsRoot = isGroup(root, h5) ? root : f;
    const weights = matchWeights(
      stack,
      (layerName) => {
        const group = weightsRoot.get(layerName);
        if (!isGroup(group, h5)) return [];
        return stringListAttribute(group, 'weight_names').map((weightName) => {
          const dataset = group.get(weightName);
          if (!isDataset(dataset, h5)) throw new LabError('bad-argument', `${path.basename(file)}: the weight ${weightName} of layer "${layerName}" is missing (the file is truncated or damaged).`);
          return { shape: dataset.shape ?? [], values: floatValues(dataset.value, `${weightName} of layer "${layerName}"`) };
        });
      },
      file,
    );
    return {
      stack,
      weights,
      kerasVersion: stringAttribute(f, 'keras_version'),
      trainingConfig: parseJsonAttribute(stringAttribute(f, 'training_config'), 'training_config', file),
    };
  } catch (error) {
    if (error instanceof LabError) throw error;
    throw new LabError('bad-argument', `${path.basename(file)} could not be read as a Keras model (truncated or damaged?): ${errorMessage(error)}.`);
  } finally {
    f.close();
  }
}

/** Keras' variable names for a layer's weights (`weight_names`), in its order. */
export function kerasWeightNames(layer: KerasLayer): string[] {
  const cell = (prefix: string, kind: 'SimpleRNN' | 'LSTM', useBias: boolean) => {
    const cellName = kind === 'LSTM' ? 'lstm_cell' : 'simple_rnn_cell';
    return ['kernel', 'recurrent_kernel', ...(useBias ? ['bias'] : [])].map((w) => `${prefix}/${cellName}/${w}:0`);
  };
  switch (layer.kind) {
    case 'Embedding':
      return [`${layer.name}/embeddings:0`];
    case 'SimpleRNN':
    case 'LSTM':
      return cell(layer.name, layer.kind, layer.useBias);
    case 'Bidirectional':
      return [
        ...cell(`${layer.name}/forward_${layer.layer.name}`, 'LSTM', layer.layer.useBias),
        ...cell(`${layer.name}/backward_${layer.layer.name}`, 'LSTM', layer.layer.useBias),
      ];
    case 'Dense':
      return [`${layer.name}/kernel:0`, ...(layer.useBias ? [`${layer.name}/bias:0`] : [])];
    case 'Dropout':
      return [];
  }
}

/**
 * Writes a Keras 2.12 `.h5` model file. It is written under a temporary name
 * and renamed into place, so a failure never leaves a file that looks whole.
 */
export async function writeKerasH5(file: string, contents: { stack: KerasStack; maxlen: number; weights: LayerWeights[]; trainingConfig?: unknown }): Promise<void> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.partial`);
  let f: H5File | undefined;
  const h5 = await h5wasm();
  try {
    f = await createH5(temporary);
    f.create_attribute('keras_version', KERAS_VERSION);
    f.create_attribute('backend', 'tensorflow');
    f.create_attribute('model_config', JSON.stringify(kerasModelConfig(contents.stack, contents.maxlen)));
    if (contents.trainingConfig !== undefined) f.create_attribute('training_config', JSON.stringify(contents.trainingConfig));
    const root = f.create_group('model_weights');
    // Only layers with weights: Keras' loader matches those, in order, and skips the rest.
    const withWeights = contents.weights.filter((w) => w.arrays.length > 0);
    root.create_attribute('layer_names', withWeights.map((w) => w.layer.name));
    root.create_attribute('backend', 'tensorflow');
    root.create_attribute('keras_version', KERAS_VERSION);
    for (const { layer, arrays } of withWeights) {
      const group = root.create_group(layer.name);
      const names = kerasWeightNames(layer);
      group.create_attribute('weight_names', names);
      arrays.forEach((a, i) => {
        // h5wasm does not make the groups on a dataset's path (Keras' names are paths).
        const parts = names[i].split('/');
        let parent: H5Group = group;
        for (const part of parts.slice(0, -1)) {
          const existing = parent.get(part);
          parent = isGroup(existing, h5) ? existing : parent.create_group(part);
        }
        parent.create_dataset({ name: parts.at(-1)!, data: a.values, shape: a.shape, dtype: '<f' });
      });
    }
    f.close();
    f = undefined;
    // h5wasm reports some failures on stderr only: read the file back before it takes the final name.
    await readKerasH5(temporary);
    await rename(temporary, file);
  } finally {
    f?.close();
    await rm(temporary, { force: true });
  }
}

