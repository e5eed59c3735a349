/**
 * Which recurrent layers (and optimizers) the worker builds: the fused
 * WebAssembly kernels (src/core/fused) where they load, else TensorFlow.js'
 * own. Both hold the same weights in the same layout, and runs are always
 * saved as standard layers, so the choice changes speed only.
 */
import * as tf from '@tensorflow/tfjs';
import { FusedAdamOptimizer, FusedRMSpropOptimizer, fusedBidirectionalLSTM, fusedEmbedding, fusedKernelsDescription, fusedLSTM, fusedSimpleRNN, loadFusedKernels } from '../core/fused';
import { ADAM_DEFAULTS, RMSPROP_DEFAULTS, lstmConfig, simpleRNNConfig, standardRecurrentLayers, type RecurrentLayerFactory } from '../core/model';

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
    // Keras 2.12's arithmetic, one kernel call per variable; sgd and adagrad stay TensorFlow.js'.
    optimizer: (h) => {
      if (h.optimizer === 'adam') return new FusedAdamOptimizer(h.learningRate, ADAM_DEFAULTS.beta1, ADAM_DEFAULTS.beta2, ADAM_DEFAULTS.epsilon);
      if (h.optimizer === 'rmsprop') return new FusedRMSpropOptimizer(h.learningRate, RMSPROP_DEFAULTS.rho, RMSPROP_DEFAULTS.epsilon);
      return null;
    },
  };
}

export function recurrentLayersFor(): Promise<RecurrentLayerFactory> {
  chosen ??= choose();
  return chosen;
}
