// The fused recurrence as a TensorFlow.js op with a custom gradient.
//
//   fusedRecurrence(kind, input, bias, R, reverse) -> h_T
//     input          where each step's input products x.W come from:
//       { z }        Z [B, T, D*G*U], the D directions side by side
//                    (G = 1 SimpleRNN, 4 LSTM)
//       { ids, steps, embeddings, kernel }  token ids [B, T] (row-major,
//                    T = steps) of an Embedding [V, E] feeding this layer,
//                    whose input kernel W is [E, D*G*U]: the products come
//                    from a table of the batch's words (see table.ts)
//     bias [D, G*U]      added inside the kernel (see assembly/recurrent.ts)
//     R    [D, U, G*U]   recurrent kernels
//     h_T  [B, D*U]      last hidden state of each direction, concatenated
//   gradient: dh_T -> (dZ [B, T, D*G*U], or dEmbeddings [V, E] and dW [E, D*G*U],
//                      then dbias [D, G*U], dR [D, U, G*U])
//
// Forward keeps per-step gates and states in kernel memory (a "slot") when
// TensorFlow.js is recording a gradient tape; backward consumes and frees
// the slot. Outside a tape (predict / evaluate) nothing is kept.

import * as tf from '@tensorflow/tfjs';
import { TaskOp, type RecurrenceOp, type RecurrenceTask } from './abi';
import { getRuntime, type KernelRuntime } from './runtime';
import { paddingPlan, permuteRows, planOfLengths, startsWithPadding } from './padding';
import { buildTable, distinctRows, freeTable, tableGradients, type TableBuffers } from './table';
import { readTensorInto, tensorFrom, tensorValues } from './tensor-io';
// TensorFlow.js internals (see the reasons and the version pin there)
import { gradientTape } from './tfjs-internals';

export type CellKind = 'rnn' | 'lstm';

/** Each step's input products: given per token, or formed from the Embedding that feeds the layer. */
export type RecurrentInput = { z: tf.Tensor3D } | { ids: Int32Array; steps: number; embeddings: tf.Tensor2D; kernel: tf.Tensor2D };

/** An Embedding's lookup as the forward pass needs it (see table.ts). */
interface EmbeddedInput {
  ids: Int32Array;
  embeddings: Float32Array;
  V: number;
  E: number;
  kernel: Float32Array;
}

/**
 * Runs of different lengths over one sequence that end together: every row
 * reads the same input products at each step (Z [T, zStride], this
 * direction's G*U of them at `column` of each row), and row b starts at step
 * idle[b], from h = c = 0. Until then it is left out of the computation (the
 * kernel's padding prefix, with an all-zero trajectory). LSTM only.
 */
interface StaggeredInput {
  z: Float32Array;
  zStride: number;
  column: number;
  idle: Int32Array;
}

type ForwardInput = tf.Tensor | Float32Array | EmbeddedInput | StaggeredInput;

function isEmbedded(input: ForwardInput): input is EmbeddedInput {
  return !(input instanceof tf.Tensor) && !(input instanceof Float32Array) && 'V' in input;
}

const GATES: Record<CellKind, number> = { rnn: 1, lstm: 4 };

/**
 * Below this much work (B*T*Up*G*Up, about the multiply-adds of one pass) a
 * thread hand-off (waking the second thread costs tens of microseconds) is not
 * worth it; a single 500-token review (2M for an LSTM(32)) stays on one thread.
 */
const DEFAULT_MIN_SPLIT_WORK = 1 << 22;
let MIN_SPLIT_WORK = DEFAULT_MIN_SPLIT_WORK;

/** Override the two-thread work threshold (null restores the default); for tests and benchmarks. */
export function setMinSplitWork(work: number | null): void {
  MIN_SPLIT_WORK = work ?? DEFAULT_MIN_SPLIT_WORK;
}

/**
 * Kernel-memory buffers of one direction: what its task records point to
 * (traj: the all-padding row's states, LSTM forward direction in table mode, else 0).
 */
type DirBuffers = Pick<RecurrenceTask, 'bias' | 'r' | 'rt' | 'h' | 'c' | 'tc' | 'g' | 'scratch' | 'traj'>;

/** A recurrence task and the layer direction it runs (which the kernel does not need). */
type DirectionTask = RecurrenceTask & { direction: number };

interface Slot {
  /** The runtime whose memory holds the buffers (kernels may be reloaded meanwhile). */
  rt: KernelRuntime;
  kind: CellKind;
  B: number;
  T: number;
  U: number;
  Up: number;
  D: number;
  reverse: boolean[];
  dirs: DirBuffers[];
  /** Token ids [B, T] renumbered into the table's rows, in kernel memory (table mode), else 0. */
  ids: number;
  /** The table's inputs, kept for the backward pass (table mode), else null. */
  table: TableBuffers | null;
  /** Row stride of the input products (Z or the table), in floats. */
  zStride: number;
  /** Kernel row i holds batch row order[i] (padding prefix), else null. */
  order: Int32Array | null;
  /** int32 [B] padding steps per kernel row in kernel memory, else 0. */
  pads: number;
  /** Row split of a single direction across two threads (0 = none). */
  split: number;
  /** The engine's tape this slot was recorded on (to drop slots whose backward never ran). */
  tape: unknown;
  live: boolean;
}

const liveSlots = new Set<Slot>();

function freeSlot(slot: Slot): void {
  if (!slot.live) return;
  slot.live = false;
  liveSlots.delete(slot);
  for (const d of slot.dirs) {
    for (const p of [d.bias, d.r, d.rt, d.h, d.c, d.tc, d.g, d.scratch, d.traj]) if (p) slot.rt.free(p);
  }
  if (slot.ids) slot.rt.free(slot.ids);
  if (slot.pads) slot.rt.free(slot.pads);
  if (slot.table) freeTable(slot.rt, slot.table);
}

/** Drop saved activations of gradient tapes that finished without running our backward. */
function dropStaleSlots(currentTape: unknown): void {
  for (const slot of liveSlots) {
    if (slot.tape !== currentTape) freeSlot(slot);
  }
}

/** Forward passes whose saved state still awaits their backward pass. */
export function pendingSlotCount(): number {
  return liveSlots.size;
}

function packRecurrent(rt: KernelRuntime, src: Float32Array, d: number, U: number, Up: number, G: number): { r: number; rt: number } {
  const GU = G * U;
  const GUp = G * Up;
  const rPtr = rt.alloc(Up * GUp * 4);
  const rtPtr = rt.alloc(GUp * Up * 4);
  const f = rt.f32;
  const r0 = rPtr >> 2;
  const t0 = rtPtr >> 2;
  f.fill(0, r0, r0 + Up * GUp);
  f.fill(0, t0, t0 + GUp * Up);
  const base = d * U * GU;
  for (let k = 0; k < U; k++) {
    for (let g = 0; g < G; g++) {
      for (let j = 0; j < U; j++) {
        const v = src[base + k * GU + g * U + j];
        f[r0 + k * GUp + g * Up + j] = v;
        f[t0 + (g * Up + j) * Up + k] = v;
      }
    }
  }
  return { r: rPtr, rt: rtPtr };
}

/**
 * Split point of the batch for two threads (even, so both halves use 2-row
 * blocks). A bidirectional layer runs its directions on one thread each,
 * unless the forward one skips a padding prefix: its thread would then idle
 * while the other finishes, so both threads take half the rows of both.
 */
function rowSplit(rt: KernelRuntime, D: number, B: number, T: number, Up: number, G: number, padded: boolean): number {
  if (rt.threads < 2 || (D !== 1 && !padded) || B < 2) return 0;
  if (B * T * Up * G * Up < MIN_SPLIT_WORK) return 0;
  return Math.min(B - 1, Math.max(1, 2 * Math.round(B / 4)));
}

function directionsInParallel(rt: KernelRuntime, D: number, B: number, T: number, Up: number, G: number): boolean {
  return rt.threads >= 2 && D === 2 && B * T * Up * G * Up >= MIN_SPLIT_WORK;
}

function baseTask(slot: Slot, d: number, op: RecurrenceOp, z: number, zStride: number): DirectionTask {
  const buf = slot.dirs[d];
  return {
    op,
    B: slot.B,
    T: slot.T,
    U: slot.U,
    Up: slot.Up,
    b0: 0,
    b1: slot.B,
    z,
    zStride,
    r: buf.r,
    rt: buf.rt,
    h: buf.h,
    c: buf.c,
    tc: buf.tc,
    g: buf.g,
    store: true,
    reverse: slot.reverse[d],
    dhT: 0,
    dR: 0,
    scratch: buf.scratch,
    bias: buf.bias,
    dB: 0,
    ids: slot.ids,
    pads: buf.traj ? slot.pads : 0,
    traj: buf.traj,
    direction: d,
  };
}

/** Distribute per-direction tasks over the threads: by direction, or by batch rows. */
function distribute(rt: KernelRuntime, slot: Slot, tasks: DirectionTask[]): { mine: DirectionTask[]; other: DirectionTask[] } {
  const G = GATES[slot.kind];
  if (slot.split > 0) {
    return { mine: tasks.map((t) => ({ ...t, b1: slot.split })), other: tasks.map((t) => ({ ...t, b0: slot.split })) };
  }
  if (tasks.length === 2 && directionsInParallel(rt, slot.D, slot.B, slot.T, slot.Up, G)) {
    return { mine: [tasks[0]], other: [tasks[1]] };
  }
  return { mine: tasks, other: [] };
}

/**
 * A trajectory of h = c = 0 for P steps, in the layout of paddingTrajectory:
 * rows in their prefix then hold the state a run has before its first step.
 */
function restingTrajectory(rt: KernelRuntime, Up: number, G: number, P: number): number {
  const floats = (P + 1) * 2 * Up + P * Up + P * G * Up;
  const traj = rt.alloc(floats * 4);
  rt.f32.fill(0, traj >> 2, (traj >> 2) + floats);
  return traj;
}

/**
 * Run one all-padding row through direction d of an LSTM for P steps (a
 * 1-row task on this thread) and return its states, laid out as the kernel's
 * padding prefix expects: h [P+1, Up], c [P+1, Up], tc [P, Up], g [P, 4*Up].
 */
function paddingTrajectory(rt: KernelRuntime, slot: Slot, d: number, z: number, padRow: number, P: number): number {
  const Up = slot.Up;
  const GUp = 4 * Up;
  const rowBytes = Up * 4;
  const traj = rt.alloc(((P + 1) * 2 * Up + P * Up + P * GUp) * 4);
  const ids = rt.alloc(P * 4);
  try {
    rt.i32.fill(padRow, ids >> 2, (ids >> 2) + P);
    const task: RecurrenceTask = {
      ...baseTask(slot, d, TaskOp.LstmForward, z, slot.zStride),
      B: 1,
      T: P,
      b0: 0,
      b1: 1,
      h: traj,
      c: traj + (P + 1) * rowBytes,
      tc: traj + 2 * (P + 1) * rowBytes,
      g: traj + (2 * (P + 1) + P) * rowBytes,
      ids,
      pads: 0,
      traj: 0,
    };
    rt.dispatch([task], []);
    return traj;
  } catch (e) {
    rt.free(traj);
    throw e;
  } finally {
    rt.free(ids);
  }
}

function forward(
  rt: KernelRuntime,
  kind: CellKind,
  input: ForwardInput,
  biasData: Float32Array,
  rData: Float32Array,
  B: number,
  T: number,
  U: number,
  D: number,
  reverse: boolean[],
  keep: boolean,
  tape: unknown,
): { hT: Float32Array; slot: Slot | null } {
  const G = GATES[kind];
  const Up = (U + 3) & ~3;
  const GUp = G * Up;
  const slot: Slot = {
    rt,
    kind,
    B,
    T,
    U,
    Up,
    D,
    reverse,
    dirs: [],
    ids: 0,
    table: null,
    zStride: D * G * U,
    order: null,
    pads: 0,
    split: rowSplit(rt, D, B, T, Up, G, kind === 'lstm' && isEmbedded(input) && startsWithPadding(input.ids, B, T)),
    tape,
    live: true,
  };
  liveSlots.add(slot);
  let zPtr = 0;
  // where this layer's products start in each row of Z (StaggeredInput)
  let zColumn = 0;
  try {
    const steps = keep ? T + 1 : 1;
    const stepsT = keep ? T : 1;
    for (let d = 0; d < D; d++) {
      const { r, rt: rtp } = packRecurrent(rt, rData, d, U, Up, G);
      const buf: DirBuffers = { bias: 0, r, rt: rtp, h: 0, c: 0, tc: 0, g: 0, scratch: 0, traj: 0 };
      slot.dirs.push(buf);
      buf.bias = rt.alloc(GUp * 4);
      const fb = rt.f32;
      fb.fill(0, buf.bias >> 2, (buf.bias >> 2) + GUp);
      for (let g = 0; g < G; g++) {
        const src = d * G * U + g * U;
        fb.set(biasData.subarray(src, src + U), (buf.bias >> 2) + g * Up);
      }
      buf.h = rt.alloc(steps * B * Up * 4);
      if (kind === 'lstm') {
        buf.c = rt.alloc(steps * B * Up * 4);
        buf.tc = rt.alloc(stepsT * B * Up * 4);
        buf.g = rt.alloc(stepsT * B * GUp * 4);
        buf.scratch = rt.alloc(B * (2 * Up + GUp) * 4);
      } else {
        buf.scratch = rt.alloc(2 * B * Up * 4);
      }
    }
    if (input instanceof tf.Tensor) {
      zPtr = rt.alloc(input.size * 4);
      readTensorInto(input, rt.f32, zPtr >> 2);
    } else if (input instanceof Float32Array) {
      zPtr = rt.alloc(input.length * 4);
      rt.f32.set(input, zPtr >> 2);
    } else if (!isEmbedded(input)) {
      if (kind !== 'lstm') throw new Error('fused recurrence: staggered runs need the LSTM kernel (its padding prefix)');
      zPtr = rt.alloc(input.z.length * 4);
      rt.f32.set(input.z, zPtr >> 2);
      slot.zStride = input.zStride;
      zColumn = input.column;
      const plan = planOfLengths(input.idle, slot.split);
      slot.order = plan.order;
      // every row reads Z's row t at time t
      slot.ids = rt.alloc(B * T * 4);
      const ids = rt.i32;
      for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) ids[(slot.ids >> 2) + b * T + t] = t;
      slot.pads = rt.alloc(B * 4);
      rt.i32.set(plan.pads, slot.pads >> 2);
      for (let d = 0; d < D; d++) slot.dirs[d].traj = restingTrajectory(rt, Up, G, plan.pads[0]);
    } else {
      const { rows, local } = distinctRows(input.ids, input.V);
      // (the SimpleRNN kernel has no padding prefix: its steps cost too little to matter)
      const plan = kind === 'lstm' ? paddingPlan(input.ids, B, T, slot.split) : null;
      slot.ids = rt.alloc(local.length * 4);
      rt.i32.set(plan ? permuteRows(local, plan.order, T) : local, slot.ids >> 2);
      const built = buildTable(rt, rows, input.embeddings, input.V, input.E, input.kernel, D * G * U, MIN_SPLIT_WORK);
      slot.table = built.buffers;
      slot.zStride = built.buffers.Np;
      zPtr = built.table;
      if (plan) {
        slot.order = plan.order;
        slot.pads = rt.alloc(B * 4);
        rt.i32.set(plan.pads, slot.pads >> 2);
        // the padding token's table row: where any padded row starts
        const padRow = local[plan.order[0] * T];
        for (let d = 0; d < D; d++) if (!reverse[d]) slot.dirs[d].traj = paddingTrajectory(rt, slot, d, zPtr + d * G * U * 4, padRow, plan.pads[0]);
      }
    }
    const zStride = slot.zStride;
    const op = kind === 'lstm' ? TaskOp.LstmForward : TaskOp.RnnForward;
    const tasks: DirectionTask[] = [];
    for (let d = 0; d < D; d++) {
      const task = baseTask(slot, d, op, zPtr + (zColumn + d * G * U) * 4, zStride);
      task.store = keep;
      tasks.push(task);
    }
    const { mine, other } = distribute(rt, slot, tasks);
    rt.dispatch(mine, other);
    rt.free(zPtr);
    zPtr = 0;
    const hT = new Float32Array(B * D * U);
    const f = rt.f32;
    for (let d = 0; d < D; d++) {
      const last = (slot.dirs[d].h >> 2) + (keep ? T * B * Up : 0);
      for (let b = 0; b < B; b++) {
        const src = last + b * Up;
        const row = slot.order ? slot.order[b] : b;
        hT.set(f.subarray(src, src + U), row * D * U + d * U);
      }
    }
    if (!keep) {
      freeSlot(slot);
      return { hT, slot: null };
    }
    return { hT, slot };
  } catch (e) {
    if (zPtr) rt.free(zPtr);
    freeSlot(slot);
    throw e;
  }
}

function backward(
  rt: KernelRuntime,
  slot: Slot,
  dy: Float32Array,
): { dInputs: tf.Tensor[]; dBias: Float32Array; dR: Float32Array } {
  if (!slot.live) throw new Error('fused recurrence: backward ran twice or after its state was dropped');
  const { kind, B, T, U, Up, D, table } = slot;
  const G = GATES[kind];
  const GUp = G * Up;
  const allocated: number[] = [];
  const alloc = (bytes: number): number => {
    const p = rt.alloc(bytes);
    allocated.push(p);
    return p;
  };
  try {
    const zStride = slot.zStride;
    // Table mode accumulates into dTable [K, Np], so it starts at zero.
    const dzFloats = table ? table.rows.length * zStride : B * T * zStride;
    const newGradient = (): number => {
      const p = alloc(dzFloats * 4);
      if (table) rt.f32.fill(0, p >> 2, (p >> 2) + dzFloats);
      return p;
    };
    const dzPtr = newGradient();
    const op = kind === 'lstm' ? TaskOp.LstmBackward : TaskOp.RnnBackward;
    const tasks: DirectionTask[] = [];
    let f = rt.f32;
    for (let d = 0; d < D; d++) {
      const dhT = alloc(B * Up * 4);
      f = rt.f32;
      const o = dhT >> 2;
      f.fill(0, o, o + B * Up);
      for (let b = 0; b < B; b++) {
        const src = (slot.order ? slot.order[b] : b) * D * U + d * U;
        f.set(dy.subarray(src, src + U), o + b * Up);
      }
      const task = baseTask(slot, d, op, dzPtr + d * G * U * 4, zStride);
      task.dhT = dhT;
      tasks.push(task);
    }
    const { mine, other } = distribute(rt, slot, tasks);
    // Two threads on the rows of one direction may hit the same table row:
    // the second gets a table of its own, added in after both finish.
    const rowSplitTable = table !== null && slot.split > 0 && other.length > 0;
    const otherTable = rowSplitTable ? newGradient() : 0;
    if (rowSplitTable) for (const task of other) task.z = otherTable + (task.z - dzPtr);
    for (const task of [...mine, ...other]) {
      task.dR = alloc(Up * GUp * 4);
      task.dB = alloc(GUp * 4);
      f = rt.f32;
      f.fill(0, task.dR >> 2, (task.dR >> 2) + Up * GUp);
      f.fill(0, task.dB >> 2, (task.dB >> 2) + GUp);
    }
    rt.dispatch(mine, other);
    if (otherTable) rt.exports.addInto(dzPtr, otherTable, dzFloats);
    let dInputs: tf.Tensor[];
    if (table) {
      const { dEmbeddings, dKernel } = tableGradients(rt, table, dzPtr);
      dInputs = [tensorFrom([table.V, table.E], (dst) => dst.set(dEmbeddings)), tf.tensor2d(dKernel, [table.E, table.N])];
    } else {
      dInputs = [tensorFrom([B, T, zStride], (dst) => dst.set(rt.f32.subarray(dzPtr >> 2, (dzPtr >> 2) + dzFloats)))];
    }
    f = rt.f32;
    const dR = new Float32Array(D * U * G * U);
    const dBias = new Float32Array(D * G * U);
    for (const task of [...mine, ...other]) {
      const d = task.direction;
      for (let g = 0; g < G; g++) {
        const src = (task.dB >> 2) + g * Up;
        const dst = d * G * U + g * U;
        for (let q = 0; q < U; q++) dBias[dst + q] += f[src + q];
      }
      const base = task.dR >> 2;
      for (let k = 0; k < U; k++) {
        for (let g = 0; g < G; g++) {
          const src = base + k * GUp + g * Up;
          const dst = d * U * G * U + k * G * U + g * U;
          for (let q = 0; q < U; q++) dR[dst + q] += f[src + q];
        }
      }
    }
    return { dInputs, dBias, dR };
  } finally {
    for (const p of allocated) rt.free(p);
    freeSlot(slot);
  }
}

/**
 * Run the recurrence of `kind` over the input products (see the top of this
 * file for shapes). `reverse[d]` processes direction d from the last time
 * step to the first (Keras goBackwards). Differentiable wrt Z (or the
 * embeddings and W), the bias and R.
 */
export function fusedRecurrence(
  kind: CellKind,
  input: RecurrentInput,
  bias: tf.Tensor2D,
  r: tf.Tensor3D,
  reverse: boolean[],
): tf.Tensor2D {
  const rt = getRuntime();
  if (!rt) throw new Error('fused recurrent kernels are not loaded (call loadFusedKernels first)');
  const [B, T] = 'z' in input ? input.z.shape : [input.ids.length / input.steps, input.steps];
  const width = 'z' in input ? input.z.shape[2] : input.kernel.shape[1];
  const [D, U, GU] = r.shape;
  const G = GATES[kind];
  const embeddedOk = 'z' in input || (Number.isInteger(B) && input.embeddings.shape[1] === input.kernel.shape[0]);
  if (GU !== G * U || width !== D * G * U || reverse.length !== D || bias.shape[0] !== D || bias.shape[1] !== GU || !embeddedOk) {
    const given = 'z' in input ? `Z ${String(input.z.shape)}` : `embeddings ${String(input.embeddings.shape)} W ${String(input.kernel.shape)}`;
    throw new Error(`fusedRecurrence(${kind}): inconsistent shapes ${given} bias ${String(bias.shape)} R ${String(r.shape)}`);
  }
  const { recording: keep, tape } = gradientTape();
  if (keep) dropStaleSlots(tape);
  else if (tape == null) dropStaleSlots(Symbol('none'));
  const inputs: tf.Tensor[] = 'z' in input ? [input.z, bias, r] : [input.embeddings, input.kernel, bias, r];
  const n = inputs.length;
  // customGrad passes the inputs, then its save function.
  const op = tf.customGrad(((...args: tf.Tensor[]) => {
    const rData = args[n - 1].dataSync() as Float32Array;
    const bData = args[n - 2].dataSync() as Float32Array;
    const source: tf.Tensor | EmbeddedInput =
      'z' in input
        ? args[0]
        : { ids: input.ids, embeddings: tensorValues(args[0]), V: args[0].shape[0], E: args[0].shape[1] as number, kernel: args[1].dataSync() as Float32Array };
    const { hT, slot } = forward(rt, kind, source, bData, rData, B, T, U, D, reverse, keep, tape);
    const value = tf.tensor2d(hT, [B, D * U]);
    const gradFunc = (dy: tf.Tensor): tf.Tensor[] => {
      if (!slot) throw new Error('fused recurrence: no saved state for the gradient');
      const { dInputs, dBias, dR } = backward(slot.rt, slot, dy.dataSync() as Float32Array);
      return [...dInputs, tf.tensor2d(dBias, [D, GU]), tf.tensor3d(dR, [D, U, GU])];
    };
    return { value, gradFunc };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(...inputs) as tf.Tensor2D;
}

/** Every step of one direction, read back from the kernel's trajectory buffers (time order). */
export interface DirectionTrajectory {
  /** h after reading each time position: [T, B, U] (for a reversed direction, after reading positions T-1 down to t). */
  h: Float32Array;
  /** LSTM cell state, same layout as h (empty for a SimpleRNN). */
  c: Float32Array;
  /** LSTM activated gates i, f, c~, o: [T, B, 4, U] (empty for a SimpleRNN). */
  gates: Float32Array;
}

/**
 * Run the recurrence over Z [B, T, D*G*U] (as fusedRecurrence with a `z`
 * input, outside any gradient tape) and return each direction's states at
 * every step: the per-step arrays the kernel keeps for backpropagation
 * (store = 1), copied out before the slot is freed. For explanations: the
 * hidden states, cell states and gates a model went through on a text.
 */
export function fusedTrajectory(
  kind: CellKind,
  z: Float32Array,
  B: number,
  T: number,
  bias: Float32Array,
  r: Float32Array,
  U: number,
  reverse: boolean[],
): DirectionTrajectory[] {
  const rt = getRuntime();
  if (!rt) throw new Error('fused recurrent kernels are not loaded (call loadFusedKernels first)');
  const D = reverse.length;
  const G = GATES[kind];
  if (z.length !== B * T * D * G * U || bias.length !== D * G * U || r.length !== D * U * G * U) {
    throw new Error(`fusedTrajectory(${kind}): inconsistent sizes Z ${z.length} bias ${bias.length} R ${r.length} for B=${B} T=${T} U=${U} D=${D}`);
  }
  const { slot } = forward(rt, kind, z, bias, r, B, T, U, D, reverse, true, Symbol('trajectory'));
  if (!slot) throw new Error('fusedTrajectory: the forward pass kept no states');
  try {
    return slot.dirs.map((buf, d) => readTrajectory(slot, buf, reverse[d]));
  } finally {
    freeSlot(slot);
  }
}

/**
 * The state of one LSTM direction read backwards (goBackwards) over each cut
 * of a sequence: for cut t, the state after reading positions t, t-1, .., 0.
 * Z [T, zStride] holds the direction's input products (G*U of them at
 * `column` of each row), T at least the largest cut + 1; bias [G*U] and
 * r [U, G*U] are the direction's. Returns [cuts.length, U].
 *
 * One call for all cuts, their runs ending together (see StaggeredInput):
 * run t is idle for the first T-1-t steps and then reads t down to 0, so
 * at each step every run reads the same position, Z is needed once, and the
 * idle steps cost nothing. The work is the runs' own steps, n^2/2 for n cuts.
 */
export function fusedBackwardStatesOfCuts(
  z: Float32Array,
  T: number,
  zStride: number,
  column: number,
  bias: Float32Array,
  r: Float32Array,
  U: number,
  cuts: Int32Array,
): Float32Array {
  const rt = getRuntime();
  if (!rt) throw new Error('fused recurrent kernels are not loaded (call loadFusedKernels first)');
  const GU = GATES.lstm * U;
  const B = cuts.length;
  if (z.length < T * zStride || column + GU > zStride || bias.length !== GU || r.length !== U * GU || cuts.some((t) => t < 0 || t >= T)) {
    throw new Error(`fusedBackwardStatesOfCuts: inconsistent sizes Z ${z.length} (stride ${zStride}, column ${column}) bias ${bias.length} R ${r.length} for T=${T} U=${U}, or a cut outside [0, T)`);
  }
  if (B === 0) return new Float32Array(0);
  const idle = Int32Array.from(cuts, (t) => T - 1 - t);
  const input: StaggeredInput = { z: z.subarray(0, T * zStride), zStride, column, idle };
  return forward(rt, 'lstm', input, bias, r, B, T, U, 1, [true], false, null).hT;
}

function readTrajectory(slot: Slot, buf: DirBuffers, reversed: boolean): DirectionTrajectory {
  const { B, T, U, Up, kind } = slot;
  const f = slot.rt.f32;
  const lstm = kind === 'lstm';
  const h = new Float32Array(T * B * U);
  const c = new Float32Array(lstm ? T * B * U : 0);
  const gates = new Float32Array(lstm ? T * B * 4 * U : 0);
  for (let s = 0; s < T; s++) {
    // step s read time position t (a reversed direction reads T-1-s)
    const t = reversed ? T - 1 - s : s;
    for (let b = 0; b < B; b++) {
      const dst = (t * B + b) * U;
      const state = ((s + 1) * B + b) * Up;
      h.set(f.subarray((buf.h >> 2) + state, (buf.h >> 2) + state + U), dst);
      if (!lstm) continue;
      c.set(f.subarray((buf.c >> 2) + state, (buf.c >> 2) + state + U), dst);
      const g0 = (buf.g >> 2) + (s * B + b) * 4 * Up;
      for (let g = 0; g < 4; g++) gates.set(f.subarray(g0 + g * Up, g0 + g * Up + U), (t * B + b) * 4 * U + g * U);
    }
  }
  return { h, c, gates };
}
