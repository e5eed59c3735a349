// Moving tensors between TensorFlow.js and the kernel memory.
//
// The large transfers (a [B, T, D*G*U] Z and its gradient are 32 MB each for
// the tutorial's LSTM batch) go, on the wasm backend, straight between the
// backend's heap and the kernel memory: dataSync() / tf.tensor() would copy
// twice and allocate a fresh JavaScript array per call for the garbage
// collector. Other backends take the generic path.

import * as tf from '@tensorflow/tfjs';
// TensorFlow.js internals (see the reasons and the version pin there)
import { tensorFromInfo, wasmBackendIO } from './tfjs-internals';

/**
 * A float32 tensor's values: a view of the wasm heap (valid until the
 * backend next allocates) where possible, else dataSync().
 */
export function tensorValues(t: tf.Tensor): Float32Array {
  const io = wasmBackendIO();
  if (io && t.dtype === 'float32' && io.dataIdMap.has(t.dataId)) {
    return io.typedArrayFromHeap({ shape: t.shape, dtype: 'float32', dataId: t.dataId }) as Float32Array;
  }
  return t.dataSync() as Float32Array;
}

export function readTensorInto(t: tf.Tensor, dst: Float32Array, offset: number): void {
  dst.set(tensorValues(t), offset);
}

/** A new float32 tensor of `shape` whose values `fill` writes (into the wasm heap directly where possible). */
export function tensorFrom(shape: number[], fill: (dst: Float32Array) => void): tf.Tensor {
  const io = wasmBackendIO();
  if (io) {
    const info = io.makeOutput(shape, 'float32');
    fill(io.typedArrayFromHeap(info) as Float32Array);
    return tensorFromInfo(info);
  }
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  fill(data);
  return tf.tensor(data, shape);
}
