// Drop-in SimpleRNN / LSTM / Bidirectional layers whose call() runs the
// fused recurrence.
//
// Each class extends TensorFlow.js' own layer class and only replaces
// call(): construction, build(), weights (names, shapes, order, initial
// values), getConfig() and the serialized class name are inherited, so a
// fused model and a standard model are the same model, weights copy across
// with setWeights(getWeights()), and saving a fused model writes ordinary
// 'SimpleRNN' / 'LSTM' / 'Bidirectional' layers.
//
// An Embedding whose output feeds such a layer directly is fused too: the
// fused Embedding records the token ids behind each output it returns, and
// the recurrent layer then reads its input products from a vocabulary table
// (embeddings . W, one small product) by token id instead of projecting
// every token's embedding row (see "table mode" in assembly/recurrent.ts).
//
// call() falls back to the inherited per-step implementation whenever the
// configuration is outside what the kernels implement (sequence outputs,
// returned states, masks, initial or stateful states, dropout while
// training, other activations) or when the kernels are not loaded.

import * as tf from '@tensorflow/tfjs';
import { fusedRecurrence, type CellKind, type RecurrentInput } from './ops';
import { getRuntime } from './runtime';
// TensorFlow.js internals (see the reasons and the version pin there)
import {
  registeredLayerClass,
  tensorSharingData,
  type RecurrentCellInternals as CellLike,
  type RecurrentLayerInternals as RnnLike,
  type VariableInternals,
} from './tfjs-internals';

// What Layer.apply() hands to call(): always an object (of {training, mask, initialState, ...}).
type Kwargs = Record<string, unknown>;
type CustomGradFn = Parameters<typeof tf.customGrad>[0];

function kindOf(layer: RnnLike): CellKind | null {
  const cls = layer.getClassName();
  if (cls === 'LSTM') return 'lstm';
  if (cls === 'SimpleRNN') return 'rnn';
  return null;
}

/** Whether the kernels implement this layer's computation for this call. */
function fusable(layer: RnnLike, input: tf.Tensor, kwargs: Kwargs): boolean {
  if (!getRuntime()) return false;
  const kind = kindOf(layer);
  if (kind === null) return false;
  if (layer.returnSequences || layer.returnState || layer.stateful) return false;
  if (kwargs && (kwargs['mask'] != null || kwargs['initialState'] != null)) return false;
  const cell = layer.cell;
  if (!cell || !cell.kernel || !cell.recurrentKernel) return false;
  if (cell.activation.getClassName() !== 'tanh') return false;
  if (kind === 'lstm' && cell.recurrentActivation?.getClassName() !== 'sigmoid') return false;
  // Dropout only acts while training; at inference the layer is deterministic.
  if ((cell.dropout > 0 || cell.recurrentDropout > 0) && kwargs?.['training'] === true) return false;
  if (input.rank !== 3 || input.dtype !== 'float32' || input.shape[1] === 0) return false;
  return true;
}

/**
 * Run the fused path, or the inherited one when the kernel memory (2 GiB
 * at most) cannot hold this call's saved state; such a call trains
 * correctly, only at TensorFlow.js' own speed.
 */
function fusedOr(fused: () => tf.Tensor, standard: () => tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] {
  try {
    return tf.tidy(fused);
  } catch (e) {
    if (e instanceof RangeError && /kernel memory/.test(e.message)) return standard();
    throw e;
  }
}

interface EmbeddingLookup {
  /** Token ids [B, T] (row-major), read when the lookup ran: the executor may dispose its input tensor afterwards. */
  ids: Int32Array;
  embeddings: VariableInternals<tf.Tensor2D>;
  /** The output holds zeros, not the embedding rows: only the table path may read it (see FusedEmbedding). */
  deferred: boolean;
}

/** Outputs of fused Embedding layers -> the lookup that produced them. */
const lookups = new WeakMap<tf.Tensor, EmbeddingLookup>();

export type TableMode = 'auto' | 'always' | 'never';
let tableMode: TableMode = 'auto';

/** Force the vocabulary-table path on or off (tests and benchmarks); 'auto' restores the default. */
export function setTableMode(mode: TableMode): void {
  tableMode = mode;
}

/**
 * The table costs V rows of products, the direct path B*T rows: a training
 * or evaluation batch (64,000 tokens, 10,000 words) takes the table, a
 * single review (500 tokens) the direct path.
 */
function tableWorthIt(tokens: number, vocabulary: number): boolean {
  return tableMode === 'always' || (tableMode === 'auto' && tokens >= vocabulary);
}

function useTable(lookup: EmbeddingLookup | undefined, x: tf.Tensor): lookup is EmbeddingLookup {
  if (!lookup) return false;
  const [B, T] = x.shape;
  return lookup.deferred || tableWorthIt(B * T, lookup.embeddings.read().shape[0]);
}

/** x itself, or for a deferred lookup the embedding rows it stands for (computed as the Embedding layer does). */
function materialized(x: tf.Tensor): tf.Tensor {
  const lookup = lookups.get(x);
  if (!lookup?.deferred) return x;
  const rows = tf.gather(lookup.embeddings.read(), tf.tensor1d(lookup.ids, 'int32'));
  return tf.reshape(rows, x.shape);
}

/**
 * A zero tensor of `shape` that costs no allocation: new tensor objects
 * share the data of one cached tensor per backend and shape (the cache keeps
 * the latest). tf.clone() would do, but the wasm backend's clone copies
 * (2 ms for a training batch); taking a reference on the data does not.
 */
const zeroCache = new Map<string, tf.Tensor>();
function sharedZeros(shape: number[]): tf.Tensor {
  const key = `${tf.getBackend()}:${shape.join('x')}`;
  let base = zeroCache.get(key);
  if (!base || base.isDisposed) {
    for (const t of zeroCache.values()) t.dispose();
    zeroCache.clear();
    base = tf.keep(tf.zeros(shape));
    zeroCache.set(key, base);
  }
  return tensorSharingData(base);
}

function single(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(inputs) ? inputs[0] : inputs;
}

// Z = x . W for all time steps as one [B*T, in] x [in, N] product (the bias
// is added inside the kernel, whose loop also yields its gradient), with a
// gradient written out by hand: TensorFlow.js' automatic gradient of a
// matrix product uses its transposed-operand forms, which the wasm backend
// runs about 10x slower than a plain product (measured 270 ms vs 30 ms for
// the LSTM's [64000, 128] x [128, 32]). With explicit transposes every
// product is a plain one, and dW is formed as (dZ^T . x)^T so that the
// backend's weight packing works on x [B*T, in] rather than on the 4x
// larger dZ (measured 68 ms vs 110 ms for x^T . dZ). Other backends (the
// native one) take the transposed forms directly: there an explicit
// transpose is the extra cost (3 ms per LSTM training step).
const projectInputs2d = tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor2D, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: tf.matMul(x, w),
    gradFunc: (dz: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      if (tf.getBackend() !== 'wasm') return [tf.matMul(dz, ws, false, true), tf.matMul(xs, dz, true, false)];
      return [tf.matMul(dz, tf.transpose(ws)), tf.transpose(tf.matMul(tf.transpose(dz), xs))];
    },
  };
}) as unknown as CustomGradFn);

/** [B, T, in] -> [B, T, N] input products. */
function projectInputs(x: tf.Tensor, kernel: tf.Tensor): tf.Tensor3D {
  const [B, T, I] = x.shape;
  const N = kernel.shape[1] as number;
  return tf.reshape(projectInputs2d(tf.reshape(x, [B * T, I]), kernel), [B, T, N]);
}

/** Each step's input products: from the vocabulary table when x is a (large enough) fused Embedding lookup. */
function recurrentInput(x: tf.Tensor, kernel: tf.Tensor2D): RecurrentInput {
  const lookup = lookups.get(x);
  if (useTable(lookup, x)) {
    return { ids: lookup.ids, steps: x.shape[1] as number, embeddings: lookup.embeddings.read(), kernel };
  }
  return { z: projectInputs(x, kernel) };
}

function fusedCall(layers: RnnLike[], x: tf.Tensor): tf.Tensor2D {
  const kind = kindOf(layers[0]) as CellKind;
  const cells = layers.map((l) => l.cell);
  const kernel = cells.length === 1 ? cells[0].kernel.read() : tf.concat(cells.map((c) => c.kernel.read()), 1);
  const width = (c: CellLike) => c.kernel.read().shape[1];
  const bias = tf.stack(cells.map((c) => (c.useBias && c.bias ? c.bias.read() : tf.zeros([width(c)])))) as tf.Tensor2D;
  const r = tf.stack(cells.map((c) => c.recurrentKernel.read())) as tf.Tensor3D;
  return fusedRecurrence(
    kind,
    recurrentInput(x, kernel),
    bias,
    r,
    layers.map((l) => l.goBackwards),
  );
}

interface FusedClasses {
  Embedding: new (config: EmbeddingConfig) => tf.layers.Layer & { deferLookup: boolean };
  SimpleRNN: new (config: SimpleRNNConfig) => tf.layers.Layer;
  LSTM: new (config: LSTMConfig) => tf.layers.Layer;
  /** Arguments as tf.layers.bidirectional takes them. */
  Bidirectional: new (args: Record<string, unknown>) => tf.layers.Layer;
}

let classes: FusedClasses | null = null;

/** The fused layer classes (created on first use, after TensorFlow.js registered its own). */
export function fusedLayerClasses(): FusedClasses {
  if (classes) return classes;
  const EmbeddingBase = registeredLayerClass('Embedding');
  const SimpleRNNBase = registeredLayerClass('SimpleRNN');
  const LSTMBase = registeredLayerClass('LSTM');
  const BidirectionalBase = registeredLayerClass('Bidirectional');

  type StandardCall = (input: tf.Tensor) => tf.Tensor | tf.Tensor[];

  /** One recurrent layer: the fused kernel where it applies, the standard per-step code otherwise. */
  const callSingle = (layer: RnnLike, inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs, standard: StandardCall) => {
    const x = single(inputs);
    const fallback = () => standard(materialized(x));
    if (!fusable(layer, x, kwargs)) return fallback();
    return fusedOr(() => fusedCall([layer], x), fallback);
  };

  class FusedEmbedding extends EmbeddingBase {
    /**
     * Set by a model builder that feeds this layer's output only to a fused
     * recurrent layer: when that layer will read the vocabulary table, the
     * lookup itself is skipped and the output is a shared zero tensor of the
     * right shape (the gather of 64,000 rows costs 5 ms on the tensorflow
     * backend and 70 ms on wasm per training step). Any path that needs the
     * real rows computes them from the recorded ids (materialized()).
     */
    deferLookup = false;

    call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
      const x = single(inputs);
      if (!getRuntime() || x.rank !== 2) return super.call(inputs, kwargs);
      const [B, T] = x.shape;
      const vocabulary = this.embeddings.read().shape[0];
      // Int32Array.from truncates float ids as the layer's own int32 cast does.
      const ids = Int32Array.from(x.dataSync());
      const deferred = this.deferLookup && tableWorthIt(B * T, vocabulary);
      const output = deferred ? sharedZeros([B, T, this.embeddings.read().shape[1]]) : super.call(inputs, kwargs);
      if (output instanceof tf.Tensor) lookups.set(output, { ids, embeddings: this.embeddings, deferred });
      return output;
    }
  }

  class FusedSimpleRNN extends SimpleRNNBase {
    call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
      return callSingle(this, inputs, kwargs, (input) => super.call(input, kwargs));
    }
  }

  class FusedLSTM extends LSTMBase {
    call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
      return callSingle(this, inputs, kwargs, (input) => super.call(input, kwargs));
    }
  }

  class FusedBidirectional extends BidirectionalBase {
    call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
      const x = single(inputs);
      const f = this.forwardLayer;
      const b = this.backwardLayer;
      const mode = this.mergeMode;
      if (
        mode == null ||
        !['concat', 'sum', 'ave', 'mul'].includes(mode) ||
        kindOf(f) === null ||
        kindOf(f) !== kindOf(b) ||
        f.cell.units !== b.cell.units ||
        !fusable(f, x, kwargs) ||
        !fusable(b, x, kwargs)
      ) {
        return super.call(materialized(x), kwargs);
      }
      return fusedOr(
        () => {
          const both = fusedCall([f, b], x); // [B, 2U] = [forward h_T, backward h_T]
          if (mode === 'concat') return both;
          const [y, yRev] = tf.split(both, 2, 1);
          if (mode === 'sum') return tf.add(y, yRev);
          if (mode === 'ave') return tf.mul(0.5, tf.add(y, yRev));
          return tf.mul(y, yRev);
        },
        () => super.call(materialized(x), kwargs),
      );
    }
  }

  classes = { Embedding: FusedEmbedding, SimpleRNN: FusedSimpleRNN, LSTM: FusedLSTM, Bidirectional: FusedBidirectional };
  return classes;
}

/** Keras defaults that TensorFlow.js' recurrent layers do not share. */
const KERAS_RNN_DEFAULTS = {
  activation: 'tanh',
  kernelInitializer: 'glorotUniform',
  recurrentInitializer: 'orthogonal',
  biasInitializer: 'zeros',
} as const;

const KERAS_LSTM_DEFAULTS = {
  ...KERAS_RNN_DEFAULTS,
  recurrentActivation: 'sigmoid',
  unitForgetBias: true,
} as const;

export type EmbeddingConfig = Parameters<typeof tf.layers.embedding>[0];
export type SimpleRNNConfig = Parameters<typeof tf.layers.simpleRNN>[0];
export type LSTMConfig = Parameters<typeof tf.layers.lstm>[0];
export type BidirectionalLSTMConfig = Partial<LSTMConfig> & {
  mergeMode?: 'sum' | 'mul' | 'concat' | 'ave';
  /** An LSTM layer to wrap (as tf.layers.bidirectional does) instead of one built from the config. */
  layer?: tf.layers.Layer;
};

/**
 * Same as tf.layers.embedding; a fused recurrent layer right after it works
 * from the vocabulary table. `deferLookup` promises that the output feeds
 * nothing but such a layer, which lets the lookup itself be skipped.
 */
export function fusedEmbedding(config: EmbeddingConfig & { deferLookup?: boolean }): tf.layers.Layer {
  const { Embedding } = fusedLayerClasses();
  const { deferLookup, ...rest } = config;
  const layer = new Embedding(rest);
  layer.deferLookup = deferLookup ?? false;
  return layer;
}

/** Same as tf.layers.simpleRNN with Keras' defaults, running the fused kernels when possible. */
export function fusedSimpleRNN(config: SimpleRNNConfig): tf.layers.Layer {
  const { SimpleRNN } = fusedLayerClasses();
  return new SimpleRNN({ ...KERAS_RNN_DEFAULTS, ...config });
}

/** Same as tf.layers.lstm with Keras' defaults (sigmoid gates, unit forget bias). */
export function fusedLSTM(config: LSTMConfig): tf.layers.Layer {
  const { LSTM } = fusedLayerClasses();
  return new LSTM({ ...KERAS_LSTM_DEFAULTS, ...config });
}

/** Same as tf.layers.bidirectional({layer: lstm(config), mergeMode}) (default 'concat'). */
export function fusedBidirectionalLSTM(config: BidirectionalLSTMConfig): tf.layers.Layer {
  const { Bidirectional } = fusedLayerClasses();
  const { mergeMode, layer, ...rest } = config;
  if (!layer && !rest.units) throw new Error('fusedBidirectionalLSTM needs units or layer');
  const lstmConfig = { ...rest } as Record<string, unknown>;
  const args: Record<string, unknown> = { mergeMode: mergeMode ?? 'concat' };
  // Input shape settings and the name belong to the wrapper, as with
  // tf.layers.bidirectional({layer: tf.layers.lstm({units}), inputShape}).
  for (const key of ['inputShape', 'batchInputShape', 'batchSize', 'inputDim', 'inputLength', 'name', 'trainable']) {
    if (lstmConfig[key] !== undefined) args[key] = lstmConfig[key];
    delete lstmConfig[key];
  }
  args.layer = layer ?? tf.layers.lstm({ ...KERAS_LSTM_DEFAULTS, ...(lstmConfig as unknown as LSTMConfig) });
  return new Bidirectional(args);
}
