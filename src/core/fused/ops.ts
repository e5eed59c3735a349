// The fused recurrence as a TensorFlow.js op with a custom gradient.
//
//   fusedRecurrence(kind, input, bias, R, reverse) -> h_T
//     input          where each step's input products x.W come from:
//       { z }        Z [B, T, D*G*U], the D directions side by side
//                    (G = 1 SimpleRNN, 4 LSTM)
//       { ids, steps, table }  ids [B, T] (row-major, T = steps) into
//                    table [V, D*G*U]: the
//                    products of every vocabulary row (Embedding . W),
//                    see "table mode" in assembly/recurrent.ts
//     bias [D, G*U]      added inside the kernel (see assembly/recurrent.ts)
//     R    [D, U, G*U]   recurrent kernels
//     h_T  [B, D*U]      last hidden state of each direction, concatenated
//   gradient: dh_T -> (dZ [B, T, D*G*U] or dTable [V, D*G*U], dbias [D, G*U], dR [D, U, G*U])
//
// Forward keeps per-step gates and states in kernel memory (a "slot") when
// TensorFlow.js is recording a gradient tape; backward consumes and frees
// the slot. Outside a tape (predict / evaluate) nothing is kept.

import * as tf from '@tensorflow/tfjs';
import { getRuntime, JobOp, type JobRecord, type KernelRuntime } from './runtime';

export type CellKind = 'rnn' | 'lstm';

/** Each step's input products: given per token, or looked up by token id in a vocabulary table. */
export type RecurrentInput = { z: tf.Tensor3D } | { ids: Int32Array; steps: number; table: tf.Tensor2D };

const GATES: Record<CellKind, number> = { rnn: 1, lstm: 4 };

/**
 * Below this much work (B*T*Up*G*Up, about the multiply-adds of one pass) a
 * thread hand-off (waking the worker costs tens of microseconds) is not
 * worth it; a single 500-token review (2M for an LSTM(32)) stays on one thread.
 */
const DEFAULT_MIN_SPLIT_WORK = 1 << 22;
let MIN_SPLIT_WORK = DEFAULT_MIN_SPLIT_WORK;

/** Override the two-thread work threshold (null restores the default); for tests and benchmarks. */
export function setMinSplitWork(work: number | null): void {
  MIN_SPLIT_WORK = work ?? DEFAULT_MIN_SPLIT_WORK;
}

interface DirBuffers {
  bias: number;
  r: number;
  rt: number;
  h: number;
  c: number;
  tc: number;
  g: number;
  scratch: number;
}

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
  /** Token ids [B, T] in kernel memory (table mode), else 0. */
  ids: number;
  /** Rows of the table (table mode), else 0. */
  V: number;
  /** Row split of a single direction across two threads (0 = none). */
  split: number;
  /** The engine's tape this slot was recorded on (to drop slots whose backward never ran). */
  tape: unknown;
  live: boolean;
}

const liveSlots = new Set<Slot>();

interface EngineInternals {
  isTapeOn(): boolean;
  state: { activeTape: unknown };
}

function engine(): EngineInternals {
  return tf.engine() as unknown as EngineInternals;
}

// Moving Z in and dZ out are the only large copies (32 MB each for the
// tutorial's LSTM batch). On the wasm backend they go straight between the
// backend's heap and the kernel memory; dataSync() / tf.tensor() would copy
// twice and allocate a fresh 32 MB JavaScript array per call for the
// garbage collector. Other backends take the generic path.
interface WasmBackendIO {
  dataIdMap: { has(dataId: unknown): boolean };
  typedArrayFromHeap(info: { shape: number[]; dtype: tf.DataType; dataId: unknown }): tf.TypedArray;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

function wasmBackendIO(): WasmBackendIO | null {
  const be = tf.backend() as unknown as Partial<WasmBackendIO>;
  if (typeof be.typedArrayFromHeap !== 'function' || typeof be.makeOutput !== 'function' || !be.dataIdMap) return null;
  return be as WasmBackendIO;
}

function readTensorInto(t: tf.Tensor, dst: Float32Array, offset: number): void {
  const io = wasmBackendIO();
  if (io && t.dtype === 'float32' && io.dataIdMap.has(t.dataId)) {
    dst.set(io.typedArrayFromHeap({ shape: t.shape, dtype: 'float32', dataId: t.dataId }) as Float32Array, offset);
  } else {
    dst.set(t.dataSync() as Float32Array, offset);
  }
}

function tensorFrom(shape: number[], fill: (dst: Float32Array) => void): tf.Tensor {
  const io = wasmBackendIO();
  if (io) {
    const info = io.makeOutput(shape, 'float32');
    fill(io.typedArrayFromHeap(info as tf.TensorInfo & { shape: number[] }) as Float32Array);
    return (tf.engine() as unknown as { makeTensorFromTensorInfo(i: tf.TensorInfo): tf.Tensor }).makeTensorFromTensorInfo(info);
  }
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  fill(data);
  return tf.tensor(data, shape);
}

function freeSlot(slot: Slot): void {
  if (!slot.live) return;
  slot.live = false;
  liveSlots.delete(slot);
  for (const d of slot.dirs) {
    for (const p of [d.bias, d.r, d.rt, d.h, d.c, d.tc, d.g, d.scratch]) if (p) slot.rt.free(p);
  }
  if (slot.ids) slot.rt.free(slot.ids);
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

/** Split point of the batch for two threads (even, so both halves use 2-row blocks). */
function rowSplit(rt: KernelRuntime, D: number, B: number, T: number, Up: number, G: number): number {
  if (rt.threads < 2 || D !== 1 || B < 2) return 0;
  if (B * T * Up * G * Up < MIN_SPLIT_WORK) return 0;
  return Math.min(B - 1, Math.max(1, 2 * Math.round(B / 4)));
}

function directionsInParallel(rt: KernelRuntime, D: number, B: number, T: number, Up: number, G: number): boolean {
  return rt.threads >= 2 && D === 2 && B * T * Up * G * Up >= MIN_SPLIT_WORK;
}

function baseJob(slot: Slot, d: number, op: JobOp, z: number, zStride: number): JobRecord {
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
  };
}

/** Distribute per-direction jobs over the threads: by direction, or by batch rows. */
function distribute(rt: KernelRuntime, slot: Slot, jobs: JobRecord[]): { mine: JobRecord[]; other: JobRecord[] } {
  const G = GATES[slot.kind];
  if (jobs.length === 2 && directionsInParallel(rt, slot.D, slot.B, slot.T, slot.Up, G)) {
    return { mine: [jobs[0]], other: [jobs[1]] };
  }
  if (slot.split > 0 && jobs.length === 1) {
    const a = { ...jobs[0], b1: slot.split };
    const b = { ...jobs[0], b0: slot.split };
    return { mine: [a], other: [b] };
  }
  return { mine: jobs, other: [] };
}

function forward(
  rt: KernelRuntime,
  kind: CellKind,
  zIn: tf.Tensor,
  ids: Int32Array | null,
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
    V: ids ? zIn.shape[0] : 0,
    split: rowSplit(rt, D, B, T, Up, G),
    tape,
    live: true,
  };
  liveSlots.add(slot);
  let zPtr = 0;
  try {
    const steps = keep ? T + 1 : 1;
    const stepsT = keep ? T : 1;
    for (let d = 0; d < D; d++) {
      const { r, rt: rtp } = packRecurrent(rt, rData, d, U, Up, G);
      const buf: DirBuffers = { bias: 0, r, rt: rtp, h: 0, c: 0, tc: 0, g: 0, scratch: 0 };
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
    if (ids) {
      slot.ids = rt.alloc(ids.length * 4);
      rt.i32.set(ids, slot.ids >> 2);
    }
    zPtr = rt.alloc(zIn.size * 4);
    readTensorInto(zIn, rt.f32, zPtr >> 2);
    const zStride = D * G * U;
    const op = kind === 'lstm' ? JobOp.LstmForward : JobOp.RnnForward;
    const jobs: JobRecord[] = [];
    for (let d = 0; d < D; d++) {
      const j = baseJob(slot, d, op, zPtr + d * G * U * 4, zStride);
      j.store = keep;
      jobs.push(j);
    }
    const { mine, other } = distribute(rt, slot, jobs);
    rt.dispatch(mine, other);
    rt.free(zPtr);
    zPtr = 0;
    const hT = new Float32Array(B * D * U);
    const f = rt.f32;
    for (let d = 0; d < D; d++) {
      const last = (slot.dirs[d].h >> 2) + (keep ? T * B * Up : 0);
      for (let b = 0; b < B; b++) {
        const src = last + b * Up;
        hT.set(f.subarray(src, src + U), b * D * U + d * U);
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
): { dZ: tf.Tensor; dBias: Float32Array; dR: Float32Array } {
  if (!slot.live) throw new Error('fused recurrence: backward ran twice or after its state was dropped');
  const { kind, B, T, U, Up, D, V } = slot;
  const G = GATES[kind];
  const GUp = G * Up;
  const allocated: number[] = [];
  const alloc = (bytes: number): number => {
    const p = rt.alloc(bytes);
    allocated.push(p);
    return p;
  };
  try {
    const zStride = D * G * U;
    // Table mode accumulates into dTable, so it starts at zero; padded to
    // whole vectors for the kernel's addInto.
    const dzFloats = V ? Math.ceil((V * zStride) / 4) * 4 : B * T * zStride;
    const newGradient = (): number => {
      const p = alloc(dzFloats * 4);
      if (V) rt.f32.fill(0, p >> 2, (p >> 2) + dzFloats);
      return p;
    };
    const dzPtr = newGradient();
    const op = kind === 'lstm' ? JobOp.LstmBackward : JobOp.RnnBackward;
    const jobs: JobRecord[] = [];
    let f = rt.f32;
    for (let d = 0; d < D; d++) {
      const dhT = alloc(B * Up * 4);
      f = rt.f32;
      const o = dhT >> 2;
      f.fill(0, o, o + B * Up);
      for (let b = 0; b < B; b++) {
        const src = b * D * U + d * U;
        f.set(dy.subarray(src, src + U), o + b * Up);
      }
      const j = baseJob(slot, d, op, dzPtr + d * G * U * 4, zStride);
      j.dhT = dhT;
      jobs.push(j);
    }
    const { mine, other } = distribute(rt, slot, jobs);
    // Jobs split by rows are copies of a single direction's job (D = 1).
    const direction = new Map<JobRecord, number>(jobs.map((j, d) => [j, d]));
    // Two threads on the rows of one direction may hit the same table row:
    // the second gets a table of its own, added in after both finish.
    const rowSplitTable = V > 0 && slot.split > 0 && other.length > 0;
    const otherTable = rowSplitTable ? newGradient() : 0;
    if (rowSplitTable) for (const j of other) j.z = otherTable + (j.z - dzPtr);
    for (const j of [...mine, ...other]) {
      j.dR = alloc(Up * GUp * 4);
      j.dB = alloc(GUp * 4);
      f = rt.f32;
      f.fill(0, j.dR >> 2, (j.dR >> 2) + Up * GUp);
      f.fill(0, j.dB >> 2, (j.dB >> 2) + GUp);
    }
    rt.dispatch(mine, other);
    if (otherTable) rt.exports.addInto(dzPtr, otherTable, dzFloats);
    const dzShape = V ? [V, zStride] : [B, T, zStride];
    const dzSize = V ? V * zStride : B * T * zStride;
    const dZ = tensorFrom(dzShape, (dst) => dst.set(rt.f32.subarray(dzPtr >> 2, (dzPtr >> 2) + dzSize)));
    f = rt.f32;
    const dR = new Float32Array(D * U * G * U);
    const dBias = new Float32Array(D * G * U);
    for (const j of [...mine, ...other]) {
      const d = direction.get(j) ?? 0;
      for (let g = 0; g < G; g++) {
        const src = (j.dB >> 2) + g * Up;
        const dst = d * G * U + g * U;
        for (let q = 0; q < U; q++) dBias[dst + q] += f[src + q];
      }
      const base = j.dR >> 2;
      for (let k = 0; k < U; k++) {
        for (let g = 0; g < G; g++) {
          const src = base + k * GUp + g * Up;
          const dst = d * U * G * U + k * G * U + g * U;
          for (let q = 0; q < U; q++) dR[dst + q] += f[src + q];
        }
      }
    }
    return { dZ, dBias, dR };
  } finally {
    for (const p of allocated) rt.free(p);
    freeSlot(slot);
  }
}

/** Refuse token ids that would index outside the table (the kernel does not check). */
function checkIds(ids: Int32Array, V: number): void {
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!(id >= 0 && id < V)) throw new RangeError(`fusedRecurrence: token id ${id} is outside the vocabulary table [0, ${V})`);
  }
}

/**
 * Run the recurrence of `kind` over the input products (see the top of this
 * file for shapes). `reverse[d]` processes direction d from the last time
 * step to the first (Keras goBackwards). Differentiable wrt Z (or the
 * table), the bias and R.
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
  const products = 'z' in input ? input.z : input.table;
  const [B, T] = 'z' in input ? input.z.shape : [input.ids.length / input.steps, input.steps];
  const width = products.shape[products.rank - 1];
  const [D, U, GU] = r.shape;
  const G = GATES[kind];
  if (GU !== G * U || width !== D * G * U || reverse.length !== D || bias.shape[0] !== D || bias.shape[1] !== GU) {
    throw new Error(`fusedRecurrence(${kind}): inconsistent shapes ${products.shape} bias ${bias.shape} R ${r.shape}`);
  }
  const ids = 'ids' in input ? input.ids : null;
  if (ids) checkIds(ids, products.shape[0] as number);
  const eng = engine();
  const keep = eng.isTapeOn();
  const tape = eng.state.activeTape;
  if (keep) dropStaleSlots(tape);
  else if (tape == null) dropStaleSlots(Symbol('none'));
  const op = tf.customGrad(((zIn: tf.Tensor, bIn: tf.Tensor, rIn: tf.Tensor) => {
    const rData = rIn.dataSync() as Float32Array;
    const bData = bIn.dataSync() as Float32Array;
    const { hT, slot } = forward(rt, kind, zIn, ids, bData, rData, B, T, U, D, reverse, keep, tape);
    const value = tf.tensor2d(hT, [B, D * U]);
    const gradFunc = (dy: tf.Tensor): tf.Tensor[] => {
      if (!slot) throw new Error('fused recurrence: no saved state for the gradient');
      const { dZ, dBias, dR } = backward(slot.rt, slot, dy.dataSync() as Float32Array);
      return [dZ, tf.tensor2d(dBias, [D, GU]), tf.tensor3d(dR, [D, U, GU])];
    };
    return { value, gradFunc };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(products, bias, r) as tf.Tensor2D;
}
