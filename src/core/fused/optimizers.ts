// Keras 2.12's Adam and RMSprop with their updates in the fused kernel
// module: one kernel call per variable instead of TensorFlow.js' 8-15 ops
// per variable. The tutorial's models train 337,000 weights, 320,000 of
// them in the Embedding, and the separate ops over those cost 5-6 ms of a
// 80 ms LSTM training step on the wasm backend.
//
// The arithmetic is Keras' (keras/optimizers/adam.py and rmsprop.py of
// Keras 2.12, the classes compile('adam') and compile('rmsprop') build),
// in float32; test/fixtures/keras-optimizers.json holds Keras' own values,
// made by scripts/peers/keras_optimizers.py. Where TensorFlow.js differs:
//   * Adam: Keras divides by sqrt(v) + epsilon and corrects the bias in the
//     step size, alpha = lr * sqrt(1 - beta2^t) / (1 - beta1^t), so its
//     epsilon weighs sqrt(1 - beta2^t) times less against the uncorrected
//     moment than TensorFlow.js' against the corrected one (about 30 times
//     less at the first step).
//   * RMSprop: the same formula, lr * g / sqrt(ms + epsilon), epsilon inside
//     the root (the legacy optimizer_v2 RMSprop added it outside).
// Keras takes a sparse branch for an Embedding's gradient; once repeated
// token ids are summed, as Keras does first, it is the same arithmetic
// (rows no token touched decay their moments and, for Adam, still move).
// The slots (moments) live in kernel memory.

import * as tf from '@tensorflow/tfjs';
import { getRuntime, type KernelRuntime } from './runtime';
import { tensorFrom, tensorValues } from './tensor-io';

const roundUp4 = (n: number): number => (n + 3) & ~3;
const f32 = Math.fround;

/** TensorFlow.js' NamedTensor (not re-exported by the union package). */
type NamedTensor = { name: string; tensor: tf.Tensor };

interface Slots {
  /** Kernel-memory address of each slot, in slotNames order. */
  ptrs: number[];
  size: number;
}

/**
 * An optimizer whose per-variable update is one kernel call. Subclasses
 * name their slots and make the call; this class moves variables,
 * gradients and slots in and out of kernel memory.
 */
abstract class FusedOptimizer extends tf.Optimizer {
  protected readonly rt: KernelRuntime;
  /** Per variable name, in first-seen order (getWeights() lists them so). */
  private readonly slots = new Map<string, Slots>();

  /** The slot names, as getWeights() suffixes them to variable names. */
  protected abstract readonly slotNames: readonly string[];

  /**
   * Slots TensorFlow.js' optimizer of the same class name keeps and this one
   * does not need (always zero here): getWeights() lists them as zeros and
   * setWeights() accepts them, so saved states move between the two.
   */
  protected readonly zeroSlotNames: readonly string[] = [];

  /** Update `padded` floats at `value` from `grad` and the slots (zero padding computes on, unread). */
  protected abstract update(value: number, grad: number, slots: number[], padded: number): void;

  /** Called once per applyGradients(), before the updates (for per-step constants). */
  protected beginStep(): void {}

  constructor() {
    super();
    const rt = getRuntime();
    if (!rt) throw new Error(`${new.target.name} needs the fused kernels (call loadFusedKernels first)`);
    this.rt = rt;
  }

  private slotsOf(name: string, size: number): Slots {
    let slots = this.slots.get(name);
    if (!slots) {
      const bytes = roundUp4(size) * 4;
      slots = { ptrs: this.slotNames.map(() => this.rt.alloc(bytes)), size };
      for (const p of slots.ptrs) this.rt.f32.fill(0, p >> 2, (p + bytes) >> 2);
      this.slots.set(name, slots);
    }
    return slots;
  }

  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const gradients: [string, tf.Tensor | null][] = Array.isArray(variableGradients)
      ? variableGradients.map((g) => [g.name, g.tensor])
      : Object.entries(variableGradients);
    const rt = this.rt;
    this.beginStep();
    for (const [name, gradient] of gradients) {
      if (gradient == null) continue;
      const variable = tf.engine().registeredVariables[name];
      const { ptrs, size } = this.slotsOf(name, variable.size);
      const padded = roundUp4(size);
      const value = rt.alloc(padded * 4);
      const grad = rt.alloc(padded * 4);
      try {
        rt.f32.fill(0, (value >> 2) + size, (value >> 2) + padded);
        rt.f32.fill(0, (grad >> 2) + size, (grad >> 2) + padded);
        rt.f32.set(tensorValues(variable), value >> 2);
        rt.f32.set(tensorValues(gradient), grad >> 2);
        this.update(value, grad, ptrs, padded);
        const updated = tensorFrom(variable.shape, (dst) => dst.set(rt.f32.subarray(value >> 2, (value >> 2) + size)));
        variable.assign(updated);
        updated.dispose();
      } finally {
        rt.free(value);
        rt.free(grad);
      }
    }
    this.incrementIterations();
  }

  /** The iteration count, then each slot of every variable, slot by slot (TensorFlow.js' order). */
  override async getWeights(): Promise<NamedTensor[]> {
    const names = [...this.slots.keys()];
    const read = (name: string, slot: number): tf.Tensor => {
      const { ptrs, size } = this.slots.get(name)!;
      const values = slot < ptrs.length ? this.rt.f32.slice(ptrs[slot] >> 2, (ptrs[slot] >> 2) + size) : new Float32Array(size);
      const variable = tf.engine().registeredVariables[name];
      return tf.tensor(values, variable ? variable.shape : [size]);
    };
    return [
      await this.saveIterations(),
      ...[...this.slotNames, ...this.zeroSlotNames].flatMap((slotName, slot) => names.map((n) => ({ name: `${n}/${slotName}`, tensor: read(n, slot) }))),
    ];
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const values = await this.extractIterations(weightValues);
    for (const { name, tensor } of values) {
      const cut = name.lastIndexOf('/');
      const slotName = name.slice(cut + 1);
      const slot = this.slotNames.indexOf(slotName);
      if (cut > 0 && this.zeroSlotNames.includes(slotName)) continue;
      if (cut < 0 || slot < 0) throw new Error(`${this.getClassName()}.setWeights: unexpected weight name ${name}`);
      const slots = this.slotsOf(name.slice(0, cut), tensor.size);
      this.rt.f32.set(tensor.dataSync(), slots.ptrs[slot] >> 2);
    }
  }

  override dispose(): void {
    for (const { ptrs } of this.slots.values()) for (const p of ptrs) this.rt.free(p);
    this.slots.clear();
  }
}

/** Keras 2.12's Adam (not amsgrad). */
export class FusedAdamOptimizer extends FusedOptimizer {
  static get className(): string {
    return 'Adam';
  }

  protected readonly slotNames = ['m', 'v'] as const;
  private alpha = 0;

  constructor(
    readonly learningRate: number,
    readonly beta1: number,
    readonly beta2: number,
    readonly epsilon: number,
  ) {
    super();
  }

  /** alpha = lr * sqrt(1 - beta2^t) / (1 - beta1^t), t = this step's number, each operation in float32 as Keras. */
  protected override beginStep(): void {
    const t = this.iterations + 1;
    const beta1Power = f32(Math.pow(f32(this.beta1), t));
    const beta2Power = f32(Math.pow(f32(this.beta2), t));
    this.alpha = f32(f32(f32(this.learningRate) * f32(Math.sqrt(f32(1 - beta2Power)))) / f32(1 - beta1Power));
  }

  protected update(value: number, grad: number, [m, v]: number[], padded: number): void {
    this.rt.exports.adamUpdate(value, grad, m, v, padded, this.alpha, 1 - this.beta1, 1 - this.beta2, this.epsilon);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}

/** Keras 2.12's RMSprop without momentum, not centred. */
export class FusedRMSpropOptimizer extends FusedOptimizer {
  static get className(): string {
    return 'RMSProp';
  }

  protected readonly slotNames = ['rms'] as const;
  /** TensorFlow.js' RMSProp keeps momentum accumulators even without momentum. */
  protected override readonly zeroSlotNames = ['momentum'] as const;

  constructor(
    readonly learningRate: number,
    readonly rho: number,
    readonly epsilon: number,
  ) {
    super();
  }

  protected update(value: number, grad: number, [ms]: number[], padded: number): void {
    this.rt.exports.rmspropUpdate(value, grad, ms, padded, this.learningRate, this.rho, 1 - this.rho, this.epsilon);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, decay: this.rho, momentum: 0, epsilon: this.epsilon, centered: false };
  }
}
