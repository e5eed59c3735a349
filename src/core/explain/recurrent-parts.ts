/**
 * A trained model taken apart for explanations: the Embedding's table, the
 * recurrent layer's weights in the fused kernels' layout (directions side by
 * side) and the layers after it (the head), whichever layers (standard or
 * fused) the model was built with.
 */
import * as tf from '@tensorflow/tfjs';
import type { CellKind } from '../fused';
import type { PresetName } from '../presets';

export interface RecurrentParts {
  preset: PresetName;
  kind: CellKind;
  /** Directions: 1, or 2 for the Bi-LSTM (forward, then backward). */
  D: number;
  U: number;
  E: number;
  /** Gates: 1 (SimpleRNN) or 4 (LSTM). */
  G: number;
  /** Embedding table [V, E]. */
  embeddings: tf.Tensor2D;
  /** Input kernels of the directions side by side [E, D*G*U]. */
  kernel: tf.Tensor2D;
  /** [D, G*U] */
  bias: tf.Tensor2D;
  /** [D, U, G*U] */
  recurrent: tf.Tensor3D;
  /** The recurrent weights as values, read once. */
  values: { bias: Float32Array; recurrent: Float32Array };
  reverse: boolean[];
  /** The head: every layer after the recurrent one, applied at inference. */
  applyHead(h: tf.Tensor2D): tf.Tensor;
  dispose(): void;
}

export function recurrentParts(model: tf.LayersModel, preset: PresetName): RecurrentParts {
  const [embeddingLayer, recurrentLayer, ...head] = model.layers;
  const kind: CellKind = preset === 'simple-rnn' ? 'rnn' : 'lstm';
  const G = kind === 'lstm' ? 4 : 1;
  const D = preset === 'bilstm' ? 2 : 1;
  const weights = recurrentLayer.getWeights();
  if (weights.length !== 3 * D) throw new Error(`Unexpected ${recurrentLayer.getClassName()} weights (${weights.length}) for the ${preset} preset.`);
  const U = weights[1].shape[0];
  // getWeights() hands out the layers' own tensors: these are new ones, kept until dispose().
  const per = (k: number) => Array.from({ length: D }, (_, d) => weights[3 * d + k]);
  const [embeddings, kernel, recurrent, bias] = tf.tidy(() => [
    embeddingLayer.getWeights()[0].clone() as tf.Tensor2D,
    tf.concat(per(0), 1) as tf.Tensor2D,
    tf.stack(per(1)) as tf.Tensor3D,
    tf.stack(per(2)) as tf.Tensor2D,
  ]);
  return {
    preset,
    kind,
    D,
    U,
    E: embeddings.shape[1],
    G,
    embeddings,
    kernel,
    bias,
    recurrent,
    values: {
      bias: bias.dataSync() as Float32Array,
      recurrent: recurrent.dataSync() as Float32Array,
    },
    reverse: D === 2 ? [false, true] : [false],
    applyHead: (h: tf.Tensor2D) => head.reduce<tf.Tensor>((x, layer) => layer.apply(x, { training: false }) as tf.Tensor, h),
    dispose: () => tf.dispose([embeddings, kernel, recurrent, bias]),
  };
}
