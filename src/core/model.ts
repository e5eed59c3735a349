/**
 * The tutorial's models in TensorFlow.js, layer for layer as Keras builds them
 * (see presets.ts), and their (de)serialisation to the standard layers-model
 * files that plain TensorFlow.js loads.
 */
import * as tf from '@tensorflow/tfjs';
import type { Hyperparameters } from './presets';
import { recurrentLayerOf } from './preset-names';

export type EmbeddingConfig = Parameters<typeof tf.layers.embedding>[0];

/**
 * Builds the parts of a model the fused kernels substitute: the Embedding,
 * the recurrent layer and (optionally) the optimizer.
 */
export interface RecurrentLayerFactory {
  /** Reported with runs: 'tfjs-layers' or the fused kernel in use. */
  name: string;
  /** The Embedding before the recurrent layer (the fused one lets that layer read a vocabulary table). */
  embedding(config: EmbeddingConfig): tf.layers.Layer;
  simpleRNN(config: { units: number; name: string; seed: number }): tf.layers.Layer;
  lstm(config: { units: number; name: string; seed: number }): tf.layers.Layer;
  bidirectionalLSTM(config: { units: number; name: string; seed: number }): tf.layers.Layer;
  /** An optimizer for these hyperparameters that replaces makeOptimizer()'s, or null to use that one. */
  optimizer?(h: Hyperparameters): tf.Optimizer | null;
}

/** Keras' defaults, spelled out where TensorFlow.js' differ (recurrent activation, forget bias). */
export const standardRecurrentLayers: RecurrentLayerFactory = {
  name: 'tfjs-layers',
  embedding: (config) => tf.layers.embedding(config),
  simpleRNN: ({ units, name, seed }) => tf.layers.simpleRNN(simpleRNNConfig(units, name, seed)),
  lstm: ({ units, name, seed }) => tf.layers.lstm(lstmConfig(units, name, seed)),
  bidirectionalLSTM: ({ units, name, seed }) =>
    tf.layers.bidirectional({ name, mergeMode: 'concat', layer: tf.layers.lstm(lstmConfig(units, `${name}_lstm`, seed)) }),
};

export function simpleRNNConfig(units: number, name: string, seed: number) {
  return {
    units,
    name,
    activation: 'tanh' as const,
    kernelInitializer: tf.initializers.glorotUniform({ seed }),
    recurrentInitializer: tf.initializers.orthogonal({ seed: seed + 1 }),
  };
}

export function lstmConfig(units: number, name: string, seed: number) {
  return {
    units,
    name,
    activation: 'tanh' as const,
    recurrentActivation: 'sigmoid' as const,
    unitForgetBias: true,
    kernelInitializer: tf.initializers.glorotUniform({ seed }),
    recurrentInitializer: tf.initializers.orthogonal({ seed: seed + 1 }),
  };
}

export function buildModel(h: Hyperparameters, recurrent: RecurrentLayerFactory = standardRecurrentLayers): tf.Sequential {
  const model = tf.sequential({ name: h.preset.replace('-', '_') });
  model.add(
    recurrent.embedding({
      name: 'embedding',
      inputDim: h.numWords,
      outputDim: h.embeddingDim,
      inputLength: h.maxlen,
      embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: h.trainingSeed }),
    }),
  );
  const config = { units: h.units, seed: h.trainingSeed + 10 };
  if (recurrentLayerOf(h.preset) === 'simple-rnn') model.add(recurrent.simpleRNN({ ...config, name: 'simple_rnn' }));
  else if (recurrentLayerOf(h.preset) === 'lstm') model.add(recurrent.lstm({ ...config, name: 'lstm' }));
  else model.add(recurrent.bidirectionalLSTM({ ...config, name: 'bidirectional' }));
  if (h.denseUnits > 0) {
    model.add(tf.layers.dense({ name: 'dense', units: h.denseUnits, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: h.trainingSeed + 20 }) }));
    if (h.dropout > 0) model.add(tf.layers.dropout({ name: 'dropout', rate: h.dropout, seed: h.trainingSeed + 30 }));
  }
  model.add(
    tf.layers.dense({
      name: h.denseUnits > 0 ? 'dense_1' : 'dense',
      units: 1,
      activation: 'sigmoid',
      kernelInitializer: tf.initializers.glorotUniform({ seed: h.trainingSeed + 40 }),
    }),
  );
  return model;
}

/**
 * Tokens per model.predict batch: Keras' default of 32 rows at the tutorial's
 * maxlen of 500. Kept at 32 rows for shorter rows, predictions at maxlen 100
 * ran more than three times slower: 3,200 tokens are fewer than the
 * vocabulary's 10,000 words, the size from which the fused layers read a
 * vocabulary table. Larger batches do not help either: at maxlen 500, 131
 * rows evaluated the test reviews about 10% slower than 32 (a larger table
 * of words per batch); BENCHMARKS.md, bench-document.
 */
const PREDICTION_BATCH_TOKENS = 16_384;

/** Rows per model.predict batch for rows of `maxlen` tokens: about PREDICTION_BATCH_TOKENS, at least 32 (Keras' default). */
export function predictionBatchRows(maxlen: number): number {
  return Math.max(32, Math.floor(PREDICTION_BATCH_TOKENS / maxlen));
}

/** Keras' default Adam constants (also used by the fused Adam). */
export const ADAM_DEFAULTS = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } as const;
/** Keras' default RMSprop constants (also used by the fused RMSprop): no momentum, not centred. */
export const RMSPROP_DEFAULTS = { rho: 0.9, epsilon: 1e-7 } as const;

/** Keras' optimizers with Keras' default constants (epsilon 1e-7, rho 0.9). */
export function makeOptimizer(h: Hyperparameters): tf.Optimizer {
  switch (h.optimizer) {
    case 'rmsprop':
      return tf.train.rmsprop(h.learningRate, RMSPROP_DEFAULTS.rho, 0, RMSPROP_DEFAULTS.epsilon);
    case 'adam':
      return tf.train.adam(h.learningRate, ADAM_DEFAULTS.beta1, ADAM_DEFAULTS.beta2, ADAM_DEFAULTS.epsilon);
    case 'sgd':
      return tf.train.sgd(h.learningRate);
    case 'adagrad':
      return tf.train.adagrad(h.learningRate);
  }
}

export function compileModel(model: tf.LayersModel, h: Hyperparameters, parts: RecurrentLayerFactory = standardRecurrentLayers): void {
  model.compile({ optimizer: parts.optimizer?.(h) ?? makeOptimizer(h), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
}

/** The layers-model files: model.json content and the concatenated weights. */
export async function serializeModel(model: tf.LayersModel): Promise<{ modelJson: unknown; weights: Uint8Array }> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler((artifacts) => {
      saved = artifacts;
      return Promise.resolve({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } });
    }),
  );
  if (!saved?.weightData || !saved.weightSpecs) throw new Error('TensorFlow.js returned no weights when saving.');
  const data = saved.weightData;
  const weights = new Uint8Array(Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data);
  return {
    modelJson: {
      format: 'layers-model',
      generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
      convertedBy: null,
      modelTopology: saved.modelTopology,
      weightsManifest: [{ paths: ['weights.bin'], weights: saved.weightSpecs }],
    },
    weights,
  };
}

export async function deserializeModel(modelJson: unknown, weights: Uint8Array): Promise<tf.LayersModel> {
  const json = modelJson as { modelTopology: object; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] };
  const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
  const buffer = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData: buffer }));
}
