/**
 * The optimizer's state (iteration count; Adam's moments, RMSProp's mean
 * squares...) saved with a checkpoint and put back on resume, so a resumed
 * training takes the very steps the uninterrupted one would have.
 *
 * TensorFlow.js names each slot after its variable (`lstm/kernel/m`), and
 * variable names get suffixes when a process builds several models
 * (`lstm/kernel_3`). So slots are stored by the position of their variable
 * among the model's trainable weights, and renamed to the new model's
 * variables on restore.
 */
import * as tf from '@tensorflow/tfjs';
import { LabError } from './errors';
import type { OptimizerStateFile } from './runs';

type NamedTensor = { name: string; tensor: tf.Tensor };

function optimizerOf(model: tf.LayersModel): tf.Optimizer {
  const optimizer = model.optimizer as tf.Optimizer | undefined;
  if (!optimizer) throw new Error('The model is not compiled: it has no optimizer.');
  return optimizer;
}

/** The trainable variables' names, longest first, so `a/b_1` is not taken for a slot of `a/b`. */
function variableIndex(model: tf.LayersModel): { name: string; index: number }[] {
  return model.trainableWeights.map((w, index) => ({ name: w.name, index })).sort((a, b) => b.name.length - a.name.length);
}

export async function captureOptimizerState(model: tf.LayersModel): Promise<{ state: OptimizerStateFile; data: Uint8Array }> {
  const optimizer = optimizerOf(model);
  const weights = (await optimizer.getWeights()) as NamedTensor[];
  const [iterations, ...slots] = weights;
  const variables = variableIndex(model);
  const state: OptimizerStateFile = {
    formatVersion: 1,
    className: optimizer.getClassName(),
    iterations: (await iterations.tensor.data())[0],
    slots: [],
  };
  const parts: Uint8Array[] = [];
  for (const { name, tensor } of slots) {
    const owner = variables.find((v) => name.startsWith(`${v.name}/`));
    if (!owner) throw new Error(`Optimizer slot ${name} belongs to no trainable weight of the model.`);
    const values = (await tensor.data()) as Float32Array;
    state.slots.push({ variable: owner.index, slot: name.slice(owner.name.length + 1), shape: tensor.shape, dtype: 'float32' });
    parts.push(new Uint8Array(values.buffer, values.byteOffset, values.byteLength).slice());
  }
  const data = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    data.set(p, offset);
    offset += p.byteLength;
  }
  return { state, data };
}

export async function restoreOptimizerState(model: tf.LayersModel, saved: { state: OptimizerStateFile; data: Uint8Array }): Promise<void> {
  const optimizer = optimizerOf(model);
  const { state } = saved;
  if (state.className !== optimizer.getClassName()) {
    throw new LabError('corrupt-model', `The checkpoint's optimizer is ${state.className}, the model's is ${optimizer.getClassName()}.`);
  }
  const trainable = model.trainableWeights;
  // Aligned copy: the bytes may sit at any offset of a Node Buffer.
  const values = new Float32Array(saved.data.slice().buffer);
  let offset = 0;
  const named: NamedTensor[] = [{ name: 'iter', tensor: tf.scalar(state.iterations, 'int32') }];
  for (const slot of state.slots) {
    const variable = trainable[slot.variable];
    const size = slot.shape.reduce((a, b) => a * b, 1);
    if (!variable || variable.shape.reduce((a: number, b) => a * (b ?? 1), 1) !== size) {
      throw new LabError('corrupt-model', `The checkpoint's optimizer state does not fit the model (slot ${slot.slot} of weight ${slot.variable}).`);
    }
    named.push({ name: `${variable.name}/${slot.slot}`, tensor: tf.tensor(values.subarray(offset, offset + size), slot.shape, 'float32') });
    offset += size;
  }
  try {
    await optimizer.setWeights(named);
  } finally {
    for (const { tensor } of named) tensor.dispose();
  }
}
