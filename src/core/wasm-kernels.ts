/**
 * Kernels the TensorFlow.js WebAssembly backend (4.22) lacks but training
 * needs, and one it runs slowly.
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

/**
 * The wasm backend's BatchMatMul is about 7x slower when an operand is
 * transposed (2 ms against 0.3 ms for each gradient product of the
 * tutorial's Dense(256) layer on a training batch), and every Dense layer's
 * gradient uses those forms. This wrapper transposes such operands with the
 * backend's own Transpose kernel first and multiplies plainly: the same
 * products, summed in the same order.
 */
function plainBatchMatMul(original: tf.KernelConfig): tf.KernelFunc {
  const transpose = tf.getKernel('Transpose', 'wasm');
  return (args) => {
    const attrs = args.attrs as { transposeA: boolean; transposeB: boolean };
    if ((!attrs.transposeA && !attrs.transposeB) || !transpose) return original.kernelFunc(args);
    const backend = args.backend as BackendWasm;
    const swapLastTwo = (x: tf.TensorInfo): tf.TensorInfo => {
      const perm = x.shape.map((_, i) => i);
      [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1], perm[perm.length - 2]];
      return transpose.kernelFunc({ inputs: { x }, backend, attrs: { perm } }) as tf.TensorInfo;
    };
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const temporary: tf.TensorInfo[] = [];
    const plainA = attrs.transposeA ? swapLastTwo(a) : a;
    if (plainA !== a) temporary.push(plainA);
    const plainB = attrs.transposeB ? swapLastTwo(b) : b;
    if (plainB !== b) temporary.push(plainB);
    try {
      return original.kernelFunc({ ...args, inputs: { a: plainA, b: plainB }, attrs: { ...args.attrs, transposeA: false, transposeB: false } });
    } finally {
      for (const t of temporary) backend.disposeData(t.dataId);
    }
  };
}

let registered = false;

export function registerWasmKernels(): void {
  if (registered) return;
  registered = true;
  if (!tf.getKernel('UnsortedSegmentSum', 'wasm')) {
    tf.registerKernel({ kernelName: 'UnsortedSegmentSum', backendName: 'wasm', kernelFunc: unsortedSegmentSum });
  }
  const matMul = tf.getKernel('BatchMatMul', 'wasm');
  if (matMul) {
    tf.unregisterKernel('BatchMatMul', 'wasm');
    tf.registerKernel({ ...matMul, kernelFunc: plainBatchMatMul(matMul) });
  }
}
