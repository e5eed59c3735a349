// Adam with its update in the fused kernel module: one call per variable
// instead of TensorFlow.js' dozen ops per variable. The tutorial's LSTM
// models train 337,000 weights, 320,000 of them in the Embedding, and the
// separate ops over those cost 5-6 ms of a 80 ms training step on the wasm
// backend. The arithmetic is TensorFlow.js' AdamOptimizer's, operation for
// operation in float32 (see adamUpdate in assembly/recurrent.ts), so a
// training follows the same trajectory; the moments live in kernel memory.

import * as tf from '@tensorflow/tfjs';
import { getRuntime, type KernelRuntime } from './runtime';
import { tensorFrom, tensorValues } from './tensor-io';

interface Moments {
  m: number;
  v: number;
  size: number;
}

const roundUp4 = (n: number): number => (n + 3) & ~3;

/** TensorFlow.js' NamedTensor (not re-exported by the union package). */
type NamedTensor = { name: string; tensor: tf.Tensor };

export class FusedAdamOptimizer extends tf.Optimizer {
  static get className(): string {
    return 'Adam';
  }

  private readonly rt: KernelRuntime;
  /** Per variable name, in first-seen order (getWeights() lists them so). */
  private readonly moments = new Map<string, Moments>();
  /** beta1^t and beta2^t as TensorFlow.js keeps them: float32 products. */
  private accBeta1: number;
  private accBeta2: number;

  constructor(
    readonly learningRate: number,
    readonly beta1: number,
    readonly beta2: number,
    readonly epsilon: number,
  ) {
    super();
    const rt = getRuntime();
    if (!rt) throw new Error('FusedAdamOptimizer needs the fused kernels (call loadFusedKernels first)');
    this.rt = rt;
    this.accBeta1 = Math.fround(beta1);
    this.accBeta2 = Math.fround(beta2);
  }

  private momentsOf(name: string, size: number): Moments {
    let moments = this.moments.get(name);
    if (!moments) {
      const bytes = roundUp4(size) * 4;
      moments = { m: this.rt.alloc(bytes), v: this.rt.alloc(bytes), size };
      this.rt.f32.fill(0, moments.m >> 2, (moments.m + bytes) >> 2);
      this.rt.f32.fill(0, moments.v >> 2, (moments.v + bytes) >> 2);
      this.moments.set(name, moments);
    }
    return moments;
  }

  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const gradients: [string, tf.Tensor | null][] = Array.isArray(variableGradients)
      ? variableGradients.map((g) => [g.name, g.tensor])
      : Object.entries(variableGradients);
    const rt = this.rt;
    const oneMinusAccBeta1 = Math.fround(1 - this.accBeta1);
    const oneMinusAccBeta2 = Math.fround(1 - this.accBeta2);
    for (const [name, gradient] of gradients) {
      if (gradient == null) continue;
      const variable = tf.engine().registeredVariables[name];
      const { m, v, size } = this.momentsOf(name, variable.size);
      const padded = roundUp4(size);
      const value = rt.alloc(padded * 4);
      const grad = rt.alloc(padded * 4);
      try {
        // Padding lanes are computed on but never read back.
        rt.f32.fill(0, (value >> 2) + size, (value >> 2) + padded);
        rt.f32.fill(0, (grad >> 2) + size, (grad >> 2) + padded);
        rt.f32.set(tensorValues(variable), value >> 2);
        rt.f32.set(tensorValues(gradient), grad >> 2);
        rt.exports.adamUpdate(
          value, grad, m, v, padded,
          -this.learningRate, this.beta1, 1 - this.beta1, this.beta2, 1 - this.beta2,
          oneMinusAccBeta1, oneMinusAccBeta2, this.epsilon,
        );
        const updated = tensorFrom(variable.shape, (dst) => dst.set(rt.f32.subarray(value >> 2, (value >> 2) + size)));
        variable.assign(updated);
        updated.dispose();
      } finally {
        rt.free(value);
        rt.free(grad);
      }
    }
    this.accBeta1 = Math.fround(this.accBeta1 * Math.fround(this.beta1));
    this.accBeta2 = Math.fround(this.accBeta2 * Math.fround(this.beta2));
    this.incrementIterations();
  }

  /** The iteration count, then every first moment, then every second moment (TensorFlow.js' Adam order). */
  override async getWeights(): Promise<NamedTensor[]> {
    const read = (ptr: number, size: number, shapeOf: string): tf.Tensor => {
      const variable = tf.engine().registeredVariables[shapeOf];
      return tf.tensor(this.rt.f32.slice(ptr >> 2, (ptr >> 2) + size), variable ? variable.shape : [size]);
    };
    const names = [...this.moments.keys()];
    return [
      await this.saveIterations(),
      ...names.map((n) => ({ name: `${n}/m`, tensor: read(this.moments.get(n)!.m, this.moments.get(n)!.size, n) })),
      ...names.map((n) => ({ name: `${n}/v`, tensor: read(this.moments.get(n)!.v, this.moments.get(n)!.size, n) })),
    ];
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const values = await this.extractIterations(weightValues);
    // The same float32 products applyGradients forms step by step, so a resumed training continues bit for bit.
    this.accBeta1 = Math.fround(this.beta1);
    this.accBeta2 = Math.fround(this.beta2);
    for (let i = 0; i < this.iterations; i++) {
      this.accBeta1 = Math.fround(this.accBeta1 * Math.fround(this.beta1));
      this.accBeta2 = Math.fround(this.accBeta2 * Math.fround(this.beta2));
    }
    for (const { name, tensor } of values) {
      const match = /^(.*)\/([mv])$/.exec(name);
      if (!match) throw new Error(`FusedAdamOptimizer.setWeights: unexpected weight name ${name}`);
      const moments = this.momentsOf(match[1], tensor.size);
      this.rt.f32.set(tensor.dataSync() as Float32Array, (match[2] === 'm' ? moments.m : moments.v) >> 2);
    }
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }

  override dispose(): void {
    for (const { m, v } of this.moments.values()) {
      this.rt.free(m);
      this.rt.free(v);
    }
    this.moments.clear();
  }
}
