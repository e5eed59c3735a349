/**
 * Kernels the TensorFlow.js WebAssembly backend (4.22) lacks but training needs.
 *
 * The Embedding layer's gradient is a gather's gradient, which TensorFlow.js
 * expresses as UnsortedSegmentSum; the wasm backend has no such kernel, so
 * without this one every training step fails. It is a scatter-add over rows:
 * simple and memory-bound, so plain JavaScript over the backend's heap views
 * is as fast as a wasm loop would be.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

function unsortedSegmentSum(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { x, segmentIds } = args.inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const numSegments = (args.attrs as { numSegments: number }).numSegments;
  if (x.dtype !== 'float32') throw new Error(`UnsortedSegmentSum on wasm supports float32, got ${x.dtype}.`);

  const rowSize = x.shape.slice(segmentIds.shape.length).reduce((a, b) => a * b, 1);
  const out = backend.makeOutput([numSegments, ...x.shape.slice(segmentIds.shape.length)], 'float32');
  // Views are taken after makeOutput: allocating may grow (and so move) the heap.
  const values = backend.typedArrayFromHeap(x) as Float32Array;
  const ids = backend.typedArrayFromHeap(segmentIds) as Int32Array;
  const result = backend.typedArrayFromHeap(out) as Float32Array;
  result.fill(0);
  for (let i = 0; i < ids.length; i++) {
    const segment = ids[i];
    if (segment < 0 || segment >= numSegments) continue; // TensorFlow drops out-of-range ids.
    const from = i * rowSize;
    const to = segment * rowSize;
    for (let j = 0; j < rowSize; j++) result[to + j] += values[from + j];
  }
  return out;
}

let registered = false;

export function registerMissingWasmKernels(): void {
  if (registered) return;
  registered = true;
  if (!tf.getKernel('UnsortedSegmentSum', 'wasm')) {
    tf.registerKernel({ kernelName: 'UnsortedSegmentSum', backendName: 'wasm', kernelFunc: unsortedSegmentSum as tf.KernelFunc });
  }
}
