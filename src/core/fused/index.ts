// Fused recurrent layers for TensorFlow.js: SimpleRNN, LSTM and
// Bidirectional(LSTM) whose whole time loop (forward and backpropagation
// through time) runs in one WebAssembly SIMD kernel call per layer, instead
// of the thousands of small per-step ops TensorFlow.js' own layers run.
//
// Usage:
//   model.add(fusedEmbedding({ inputDim: 10000, outputDim: 32 }));
//   if (await loadFusedKernels()) model.add(fusedLSTM({ units: 32 }));
//   else model.add(tf.layers.lstm({ units: 32, recurrentActivation: 'sigmoid', unitForgetBias: true }));
//
// The layers are TensorFlow.js' own classes with call() replaced, so they
// train with model.fit / trainOnBatch / optimizer.minimize, serialize as
// the standard 'SimpleRNN' / 'LSTM' / 'Bidirectional' layers, and exchange
// weights with standard models via getWeights()/setWeights(). They run on
// any backend; on 'wasm' the large tensors move directly between the
// backend's heap and the kernel memory. The factories default to Keras'
// settings (glorotUniform kernels, orthogonal recurrent kernels, zero bias,
// sigmoid gates and unit forget bias for the LSTM); any tfjs layer config
// field overrides them.

import { getRuntime, lastLoadError, loadRuntime, unloadRuntime } from './runtime';

export { fusedEmbedding, fusedSimpleRNN, fusedLSTM, fusedBidirectionalLSTM, fusedLayerClasses, setTableMode } from './layers';
export type { EmbeddingConfig, SimpleRNNConfig, LSTMConfig, BidirectionalLSTMConfig, TableMode } from './layers';
export { fusedBackwardStatesOfCuts, fusedRecurrence, fusedTrajectory, pendingSlotCount } from './ops';
export type { DirectionTrajectory } from './ops';
export { FusedAdamOptimizer, FusedRMSpropOptimizer } from './optimizers';
export type { CellKind } from './ops';
export { defaultWasmPath } from './runtime';

export interface LoadFusedKernelsOptions {
  /** Path of recurrent-kernels.wasm; default: beside the bundled JavaScript (dist/). */
  wasmPath?: string;
  /** 2 = run half of each call on a second thread (default when the machine has 2+ cores). */
  threads?: 1 | 2;
  /** 'plain' = never the relaxed-SIMD (fused multiply-add) build; default 'auto' takes it where it validates. */
  variant?: 'auto' | 'plain';
}

/**
 * Load the kernels (idempotent; a later call may change `threads`).
 * Resolves false when they cannot be used here: callers then build the
 * standard tf.layers recurrent layers (the fused factories also fall back
 * on their own, per call).
 */
export async function loadFusedKernels(options: LoadFusedKernelsOptions = {}): Promise<boolean> {
  return loadRuntime(options);
}

export function fusedKernelsAvailable(): boolean {
  return getRuntime() !== null;
}

/** Why loading failed (empty when it did not). */
export function fusedKernelsError(): string {
  return lastLoadError();
}

/** Short description for reports, e.g. 'fused-wasm-simd+fma x2 threads' or 'standard (tfjs layers)'. */
export function fusedKernelsDescription(): string {
  const rt = getRuntime();
  if (!rt) return 'standard (tfjs layers)';
  const note = rt.threadNote ? ` (${rt.threadNote})` : '';
  const build = rt.variant === 'relaxed' ? 'fused-wasm-simd+fma' : 'fused-wasm-simd';
  return rt.threads === 2 ? `${build} x2 threads` : `${build} x1 thread${note}`;
}

/** Kernel memory figures (bytes): in use now, peak, and the size of the linear memory. */
export function fusedKernelsMemory(): { bytesInUse: number; peakBytes: number; memoryBytes: number } | null {
  return getRuntime()?.stats ?? null;
}

/** Stop the kernel thread and drop the kernels (they can be loaded again). */
export async function unloadFusedKernels(): Promise<void> {
  await unloadRuntime();
}
