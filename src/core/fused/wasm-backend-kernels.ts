// TensorFlow.js' wasm backend (4.22) has no UnsortedSegmentSum kernel, which
// the gradient of tf.gather (hence of an Embedding layer) needs; training an
// embedding model on that backend fails without it. This registers a plain
// JavaScript implementation for the wasm backend only (idempotent, and a
// no-op when a kernel is already registered, e.g. by a newer backend).

import * as tf from '@tensorflow/tfjs';

interface WasmBackendLike {
  readSync(dataId: unknown): tf.TypedArray;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.TypedArray;
}

export function registerMissingWasmKernels(): void {
  if (tf.getKernel('UnsortedSegmentSum', 'wasm')) return;
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
      const numSegments = (attrs as { numSegments: number }).numSegments;
      const be = backend as unknown as WasmBackendLike;
      const values = be.readSync(x.dataId);
      const ids = be.readSync(segmentIds.dataId);
      const idCount = segmentIds.shape.reduce((a, b) => a * b, 1);
      const inner = idCount === 0 ? 0 : values.length / idCount;
      const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
      const out = be.makeOutput(outShape, x.dtype);
      const o = be.typedArrayFromHeap(out);
      o.fill(0);
      for (let i = 0; i < idCount; i++) {
        const s = ids[i];
        if (s < 0 || s >= numSegments) continue;
        const src = i * inner;
        const dst = s * inner;
        for (let j = 0; j < inner; j++) o[dst + j] += values[src + j];
      }
      return out;
    },
  });
}
