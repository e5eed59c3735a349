// The vocabulary table of an Embedding -> recurrent layer pair (see "table
// mode" in assembly/recurrent.ts), held in kernel memory:
//
//   x      [K, Ep]   the embedding rows of the K distinct words of the batch
//   table  [K, Np]   x . W: every step's input products, looked up by id
//   wt     [Np, Ep]  W^T, for the gradient wrt x
//
// Ep and Np are E and N = D*G*U rounded up to whole vectors (zero padded).
// Backward turns the table gradient dTable [K, Np] (scatter-added by the
// recurrence) into dx = dTable . W^T and dW = x^T . dTable, then spreads dx
// over the full [V, E] embedding gradient. Nothing here depends on
// TensorFlow.js.

import { TaskOp, type MatrixTask } from './abi';
import type { KernelRuntime } from './runtime';

export interface TableBuffers {
  /** Distinct token ids, in order of first use (row i of x is embedding row rows[i]). */
  rows: Int32Array;
  V: number;
  E: number;
  Ep: number;
  N: number;
  Np: number;
  x: number;
  wt: number;
}

const roundUp4 = (n: number): number => (n + 3) & ~3;

/**
 * The distinct token ids of a batch and the ids renumbered into that list.
 * 128 reviews use about 4,000 of the 10,000 words, so the table of those
 * rows alone costs well under half of a full vocabulary table. Refuses ids
 * outside [0, V): the kernel does not check them.
 */
export function distinctRows(ids: Int32Array, vocabulary: number): { rows: Int32Array; local: Int32Array } {
  const position = new Int32Array(vocabulary).fill(-1);
  const rows = new Int32Array(Math.min(vocabulary, ids.length));
  const local = new Int32Array(ids.length);
  let count = 0;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!(id >= 0 && id < vocabulary)) throw new RangeError(`fusedRecurrence: token id ${id} is outside the vocabulary table [0, ${vocabulary})`);
    let p = position[id];
    if (p < 0) {
      p = position[id] = count;
      rows[count++] = id;
    }
    local[i] = p;
  }
  return { rows: rows.slice(0, count), local };
}

/** Split a product over `rows` rows between the two threads when it is worth a hand-off. */
function splitRows(rt: KernelRuntime, task: MatrixTask, rowBytesA: number, rowBytesC: number, minWork: number): { mine: MatrixTask[]; other: MatrixTask[] } {
  if (rt.threads < 2 || task.rows < 4 || task.rows * task.k * task.n < minWork) return { mine: [task], other: [] };
  const half = task.rows >> 1;
  return {
    mine: [{ ...task, rows: half }],
    other: [{ ...task, a: task.a + half * rowBytesA, c: task.c + half * rowBytesC, rows: task.rows - half }],
  };
}

/**
 * Copy the used embedding rows and W into kernel memory and form the table.
 * `embeddings` is [V, E] and `kernel` [E, N], both row-major. Returns the
 * buffers and the table's address; the caller frees the table after the
 * forward pass and the buffers with freeTable().
 */
export function buildTable(
  rt: KernelRuntime,
  rows: Int32Array,
  embeddings: Float32Array,
  V: number,
  E: number,
  kernel: Float32Array,
  N: number,
  minWork: number,
): { buffers: TableBuffers; table: number } {
  const K = rows.length;
  const Ep = roundUp4(E);
  const Np = roundUp4(N);
  const buffers: TableBuffers = { rows, V, E, Ep, N, Np, x: 0, wt: 0 };
  let wp = 0;
  let table = 0;
  try {
    buffers.x = rt.alloc(K * Ep * 4);
    buffers.wt = rt.alloc(Np * Ep * 4);
    wp = rt.alloc(Ep * Np * 4);
    table = rt.alloc(K * Np * 4);
    const f = rt.f32;
    const x = buffers.x >> 2;
    if (Ep !== E) f.fill(0, x, x + K * Ep);
    for (let i = 0; i < K; i++) f.set(embeddings.subarray(rows[i] * E, rows[i] * E + E), x + i * Ep);
    const w = wp >> 2;
    const wt = buffers.wt >> 2;
    f.fill(0, w, w + Ep * Np);
    f.fill(0, wt, wt + Np * Ep);
    for (let e = 0; e < E; e++) {
      for (let n = 0; n < N; n++) {
        const v = kernel[e * N + n];
        f[w + e * Np + n] = v;
        f[wt + n * Ep + e] = v;
      }
    }
    const task: MatrixTask = { op: TaskOp.Gemm, a: buffers.x, lda: Ep, b: wp, ldb: Np, c: table, n: Np, k: Ep, rows: K, accumulate: false };
    const { mine, other } = splitRows(rt, task, Ep * 4, Np * 4, minWork);
    rt.dispatch(mine, other);
    return { buffers, table };
  } catch (e) {
    if (table) rt.free(table);
    freeTable(rt, buffers);
    throw e;
  } finally {
    if (wp) rt.free(wp);
  }
}

export function freeTable(rt: KernelRuntime, buffers: TableBuffers): void {
  if (buffers.x) rt.free(buffers.x);
  if (buffers.wt) rt.free(buffers.wt);
  buffers.x = 0;
  buffers.wt = 0;
}

/**
 * Gradients wrt the embeddings [V, E] (rows the batch did not use are zero)
 * and W [E, N] from the table gradient at `dTable` ([K, Np]). The two
 * products are the same size, so each thread takes one.
 */
export function tableGradients(rt: KernelRuntime, buffers: TableBuffers, dTable: number): { dEmbeddings: Float32Array; dKernel: Float32Array } {
  const { rows, V, E, Ep, N, Np } = buffers;
  const K = rows.length;
  let dx = 0;
  let dw = 0;
  try {
    dx = rt.alloc(K * Ep * 4);
    dw = rt.alloc(Ep * Np * 4);
    rt.f32.fill(0, dw >> 2, (dw >> 2) + Ep * Np);
    const dxTask: MatrixTask = { op: TaskOp.Gemm, a: dTable, lda: Np, b: buffers.wt, ldb: Ep, c: dx, n: Ep, k: Np, rows: K, accumulate: false };
    const dwTask: MatrixTask = { op: TaskOp.GemmTN, a: buffers.x, lda: Ep, b: dTable, ldb: Np, c: dw, n: Np, k: Ep, rows: K, accumulate: true };
    if (rt.threads >= 2) rt.dispatch([dxTask], [dwTask]);
    else rt.dispatch([dxTask, dwTask], []);
    const f = rt.f32;
    const dEmbeddings = new Float32Array(V * E);
    for (let i = 0; i < K; i++) {
      const src = (dx >> 2) + i * Ep;
      dEmbeddings.set(f.subarray(src, src + E), rows[i] * E);
    }
    const dKernel = new Float32Array(E * N);
    for (let e = 0; e < E; e++) {
      const src = (dw >> 2) + e * Np;
      dKernel.set(f.subarray(src, src + N), e * N);
    }
    return { dEmbeddings, dKernel };
  } finally {
    if (dx) rt.free(dx);
    if (dw) rt.free(dw);
  }
}
