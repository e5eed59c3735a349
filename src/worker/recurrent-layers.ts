/**
 * Which recurrent layers (and Adam) the worker builds: the fused
 * WebAssembly kernels (src/core/fused) where they load, else TensorFlow.js'
 * own. Both hold the same weights in the same layout, and runs are always
 * saved as standard layers, so the choice changes speed only.
 */
import * as tf from '@tensorflow/tfjs';
import { FusedAdamOptimizer, fusedBidirectionalLSTM, fusedEmbedding, fusedKernelsDescription, fusedLSTM, fusedSimpleRNN, loadFusedKernels } from '../core/fused';
import { ADAM_DEFAULTS, lstmConfig, simpleRNNConfig, standardRecurrentLayers, type RecurrentLayerFactory } from '../core/model';

let chosen: Promise<RecurrentLayerFactory> | undefined;

async function choose(): Promise<RecurrentLayerFactory> {
  // RNN_SENTIMENT_LAB_FUSED=0 forces the standard layers (for comparisons).
  if (process.env.RNN_SENTIMENT_LAB_FUSED === '0' || !(await loadFusedKernels())) return standardRecurrentLayers;
  return {
    name: fusedKernelsDescription(),
    // buildModel feeds the Embedding straight into the recurrent layer only.
    embedding: (config) => fusedEmbedding({ ...config, deferLookup: true }),
    simpleRNN: ({ units, name, seed }) => fusedSimpleRNN(simpleRNNConfig(units, name, seed)),
    lstm: ({ units, name, seed }) => fusedLSTM(lstmConfig(units, name, seed)),
    bidirectionalLSTM: ({ units, name, seed }) =>
      fusedBidirectionalLSTM({ name, mergeMode: 'concat', layer: tf.layers.lstm(lstmConfig(units, `${name}_lstm`, seed)) }),
    optimizer: (h) =>
      h.optimizer === 'adam' ? new FusedAdamOptimizer(h.learningRate, ADAM_DEFAULTS.beta1, ADAM_DEFAULTS.beta2, ADAM_DEFAULTS.epsilon) : null,
  };
}

export function recurrentLayersFor(): Promise<RecurrentLayerFactory> {
  chosen ??= choose();
  return chosen;
}
