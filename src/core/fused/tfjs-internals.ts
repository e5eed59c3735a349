// The TensorFlow.js internals the fused layers and ops rely on, in one place.
//
// None of these is public API, and any TensorFlow.js release may change
// them without notice. That is why package.json pins @tensorflow/tfjs (and
// the wasm backend) to exactly 4.22.0: moving the pin means re-running the
// fused-kernel tests (test/unit/fused-kernels.test.ts), which exercise every
// function below. What they stand on:
//   * engine().isTapeOn() and engine().state.activeTape: whether a gradient
//     is being recorded, and which tape, so a forward pass keeps its
//     per-step states only when a backward pass will come (ops.ts);
//   * backend().incRef(dataId) and engine().makeTensorFromDataId(): a new
//     tensor sharing another's data without a copy (layers.ts);
//   * the wasm backend's dataIdMap, typedArrayFromHeap() and makeOutput(),
//     and engine().makeTensorFromTensorInfo(): tensors read and written in
//     place in the backend's heap (tensor-io.ts);
//   * SerializationMap's classNameMap: the registered SimpleRNN, LSTM,
//     Bidirectional and Embedding classes, which are not exported, to
//     subclass them; and the fields of those layers and their cells
//     (cell, kernel, recurrentKernel, activation, ...), read by layers.ts.

import * as tf from '@tensorflow/tfjs';

interface EngineInternals {
  isTapeOn(): boolean;
  state: { activeTape: unknown };
  makeTensorFromDataId(dataId: unknown, shape: number[], dtype: tf.DataType): tf.Tensor;
}

function engine(): EngineInternals {
  return tf.engine();
}

/** Whether a gradient tape is recording, and the tape (to tell one training step's tape from the next). */
export function gradientTape(): { recording: boolean; tape: unknown } {
  const eng = engine();
  return { recording: eng.isTapeOn(), tape: eng.state.activeTape };
}

/** A new tensor object on the data of `base` (the backend counts the extra reference). */
export function tensorSharingData(base: tf.Tensor): tf.Tensor {
  (tf.backend() as unknown as { incRef(dataId: unknown): void }).incRef(base.dataId);
  return engine().makeTensorFromDataId(base.dataId, base.shape, base.dtype);
}

export interface WasmBackendIO {
  dataIdMap: { has(dataId: unknown): boolean };
  typedArrayFromHeap(info: { shape: number[]; dtype: tf.DataType; dataId: unknown }): tf.TypedArray;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

/** The wasm backend's heap access, when the current backend is the wasm backend. */
export function wasmBackendIO(): WasmBackendIO | null {
  const be = tf.backend() as unknown as Partial<WasmBackendIO>;
  if (typeof be.typedArrayFromHeap !== 'function' || typeof be.makeOutput !== 'function' || !be.dataIdMap) return null;
  return be as WasmBackendIO;
}

/** The tensor for an output the backend made (makeOutput). */
export function tensorFromInfo(info: tf.TensorInfo): tf.Tensor {
  return tf.engine().makeTensorFromTensorInfo(info);
}

/** A layer's weight variable (LayerVariable) of rank `T`, read for its current value. */
export interface VariableInternals<T extends tf.Tensor = tf.Tensor> {
  read(): T;
}

/** An activation function object (tanh, sigmoid, ...), told apart by its class name. */
export interface ActivationInternals {
  getClassName(): string;
}

/** The fields of a SimpleRNNCell or LSTMCell the fused layers read. */
export interface RecurrentCellInternals {
  units: number;
  activation: ActivationInternals;
  /** LSTM cells only. */
  recurrentActivation?: ActivationInternals;
  useBias: boolean;
  dropout: number;
  recurrentDropout: number;
  /** [inputs, gates * units] */
  kernel: VariableInternals<tf.Tensor2D>;
  /** [units, gates * units] */
  recurrentKernel: VariableInternals<tf.Tensor2D>;
  /** [gates * units], null without a bias */
  bias: VariableInternals<tf.Tensor1D> | null;
}

/** A SimpleRNN or LSTM layer: its cell and the options that decide whether the fused path applies. */
export interface RecurrentLayerInternals extends tf.layers.Layer {
  cell: RecurrentCellInternals;
  returnSequences: boolean;
  returnState: boolean;
  stateful: boolean;
  goBackwards: boolean;
}

/** An Embedding layer and its [vocabulary, dimensions] weight. */
export interface EmbeddingInternals extends tf.layers.Layer {
  embeddings: VariableInternals<tf.Tensor2D>;
}

/** A Bidirectional wrapper: its two recurrent layers and how their outputs merge. */
export interface BidirectionalInternals extends tf.layers.Layer {
  forwardLayer: RecurrentLayerInternals;
  backwardLayer: RecurrentLayerInternals;
  mergeMode: string | null;
}

/** The registered layer classes the fused layers subclass, with their constructors' arguments. */
export interface RegisteredLayerClasses {
  Embedding: new (config: Parameters<typeof tf.layers.embedding>[0]) => EmbeddingInternals;
  SimpleRNN: new (config: Parameters<typeof tf.layers.simpleRNN>[0]) => RecurrentLayerInternals;
  LSTM: new (config: Parameters<typeof tf.layers.lstm>[0]) => RecurrentLayerInternals;
  /** Arguments as tf.layers.bidirectional takes them ({layer, mergeMode} and the input shape settings). */
  Bidirectional: new (args: Record<string, unknown>) => BidirectionalInternals;
}

/** A layer class TensorFlow.js registers for deserialization but does not export. */
export function registeredLayerClass<K extends keyof RegisteredLayerClasses>(name: K): RegisteredLayerClasses[K] {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[name];
  if (!entry) throw new Error(`TensorFlow.js layer class ${name} is not registered`);
  return entry[0] as unknown as RegisteredLayerClasses[K];
}
