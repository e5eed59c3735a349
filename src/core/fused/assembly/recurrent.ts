// Fused recurrent kernels (SimpleRNN and LSTM, forward and backpropagation
// through time) compiled to WebAssembly with SIMD.
//
// Why hand-written: TensorFlow.js runs a recurrent layer as a chain of small
// ops per time step, so a 500-step sequence costs thousands of kernel
// launches whose fixed overhead dwarfs the arithmetic (a 128x32 by 32x128
// product is ~1 MFLOP). No library ships fused BPTT kernels for TensorFlow.js,
// so the whole time loop lives here and TensorFlow.js sees one op per layer.
//
// Division of labour with the JavaScript side:
//   * The input projection Z = x . W for all time steps is one big matrix
//     product done by TensorFlow.js (and so is its gradient wrt x and W);
//     this module runs the recurrence (bias + h_{t-1} . R plus the gate
//     arithmetic) and its gradient wrt Z, the bias and R.
//   * Table mode (ids != 0): when x comes from an Embedding lookup, Z's row
//     for (b, t) is row ids[b, t] of a vocabulary table E . W over the
//     distinct words of the batch (about 4,000 for 128 reviews, against
//     64,000 tokens), formed here by a matrix task (Gemm). The per-token
//     embedding rows and products never exist. The backward pass
//     scatter-adds each step's gate gradients into the table rows (dTable);
//     two more matrix tasks turn that into the gradients wrt E and W.
//   * Padding prefix (LSTM, pads != 0): reviews are padded in front with
//     token 0, and every row starts from h = c = 0, so while a row is still
//     in its padding its states are the same as every other row's at that
//     step: the trajectory of a single all-padding row (computed by a 1-row
//     task first). The batch comes sorted by padding length, longest first;
//     at step s the rows still in padding, a leading block, copy the
//     trajectory instead of computing, and in the backward pass their share
//     of dR (all have the same h_{s-1}) is one rank-1 update. Half of a
//     typical batch's row-steps are padding.
//   * Memory is owned by the JavaScript side (a simple allocator over the
//     linear memory); this module has no runtime, no static data and no
//     stack, so two instances on two threads can share one memory safely.
//   * Work is described by task records (TASK_WORDS i32 each, laid out by
//     the tables in ../abi.ts) written into memory; `runTasks` executes a
//     list of them. A batch row range [b0, b1) is independent of all
//     other rows in both passes, so splitting the batch (or the two
//     directions of a bidirectional layer) across threads needs a single
//     hand-off per call, never a per-step barrier.
//
// Layouts (floats, row-major). U = units, Up = U rounded up to a multiple of
// 4 so every vector touches one gate only; padded lanes stay exactly zero
// (their pre-activations are zero, hence c = 0 and h = 0.5 * tanh(0) = 0).
//   Z   [B, T, zStride]     this direction's G*U input products x.W start at z
//       or [V, zStride]     in table mode, indexed by ids [B, T] (int32)
//   b   [G*Up]              bias, zero padded (added here, not by TensorFlow.js:
//                           its gradient, the column sums of dZ, is then a
//                           by-product of this loop instead of a 40-300 ms
//                           reduction of a [B*T, G*U] matrix on the wasm backend)
//   R   [Up, G*Up]          recurrent kernel, zero padded
//   RT  [G*Up, Up]          its transpose (used by the backward pass)
//   h   [T+1, B, Up]        h[0] = 0, h[s+1] = output of step s
//   c   [T+1, B, Up]        LSTM cell state, same indexing as h
//   tc  [T, B, Up]          tanh(c) of step s (LSTM)
//   g   [T, B, G*Up]        activated gates i, f, c~, o of step s (LSTM)
//   pads [B] (int32)        padding steps of each row, non-increasing; P = pads[0]
//   traj                    the all-padding row's h [P+1, Up], c [P+1, Up],
//                           tc [P, Up], g [P, G*Up], one after the other
// With store = 0 (inference) all per-step arrays have a step stride of 0:
// the state is updated in place and nothing is kept for a backward pass.
// Step s reads input time t = s, or t = T-1-s when reverse (goBackwards).

// The task records (their classes, TaskOp and TASK_WORDS) are generated from
// the tables in ../abi.ts, the one declaration of this module's interface.
import { MatrixTask, RecurrenceTask, TASK_WORDS, TaskOp } from './abi';
export { abiLayout, abiLayoutLength, abiVersion } from './abi';

const TN_CHUNK_ROWS: i32 = 256;

// ---- vector math ----

// a * b + c. Built twice (scripts/build-kernels.mjs): with relaxed SIMD this
// is one fused multiply-add instruction, which halves the arithmetic
// instructions of every product below; the plain SIMD build (for engines
// without relaxed SIMD, such as Node 20) multiplies, then adds.
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

// tanh as a rational function, x * P(x^2) / Q(x^2) on x clamped to
// [-7.9, 7.9] (beyond it tanh is +-1 in float32): the minimax fit Eigen uses
// for float tanh, accurate to a few ulp. 13 instructions and one division,
// against 18 and one for 1 - 2 / (1 + e^{2x}): the gate nonlinearities are
// the costliest part of the LSTM's forward step after its product.
@inline function vtanh(x: v128): v128 {
  x = f32x4.pmin(f32x4.pmax(x, f32x4.splat(-7.90531110763549805)), f32x4.splat(7.90531110763549805));
  const x2 = f32x4.mul(x, x);
  let p = madd(x2, f32x4.splat(-2.76076847742355e-16), f32x4.splat(2.00018790482477e-13));
  p = madd(p, x2, f32x4.splat(-8.60467152213735e-11));
  p = madd(p, x2, f32x4.splat(5.12229709037114e-8));
  p = madd(p, x2, f32x4.splat(1.48572235717979e-5));
  p = madd(p, x2, f32x4.splat(6.37261928875436e-4));
  p = madd(p, x2, f32x4.splat(4.89352455891786e-3));
  p = f32x4.mul(p, x);
  let q = madd(x2, f32x4.splat(1.19825839466702e-6), f32x4.splat(1.18534705686654e-4));
  q = madd(q, x2, f32x4.splat(2.26843463243900e-3));
  q = madd(q, x2, f32x4.splat(4.89352518554385e-3));
  return f32x4.div(p, q);
}

// Logistic sigmoid, the Keras 'sigmoid' recurrent activation:
// 1 / (1 + e^-x) = 0.5 + 0.5 * tanh(x / 2).
@inline function vsigmoid(x: v128): v128 {
  const half = f32x4.splat(0.5);
  return madd(vtanh(f32x4.mul(x, half)), half, half);
}

// Gradients that vanish through hundreds of steps end up subnormal, and
// x86 processes subnormal floats (in this kernel and in every later product
// TensorFlow.js runs on dZ) 30-100x slower: one LSTM step went from 30 ms to
// 900 ms in the dZ . W^T product. Backward values below 1e-30 in magnitude
// are therefore flushed to zero. They cannot change any float32 sum they
// take part in next to ordinary gradients (~1e-8 and up); TensorFlow's own
// CPU kernels flush subnormals as well.
@inline function flushTiny(x: v128): v128 {
  return v128.and(x, f32x4.ge(f32x4.abs(x), f32x4.splat(1e-30)));
}

// ---- small dense products ----

// C[r, 0:n] (+)= sum_k A[r, k] * M[k, 0:n] for r in [0, rows).
// n is a multiple of 4; lda / ldc are row strides in floats; M is [k, n].
// Register blocking: 2 rows x 16 columns (8 accumulators) per inner loop,
// which keeps accumulators, operands and splats within 16 vector registers.
function gemm(a: usize, lda: i32, m: usize, n: i32, k: i32, c: usize, ldc: i32, rows: i32, accumulate: bool): void {
  const rowBytesA = <usize>lda << 2;
  const rowBytesC = <usize>ldc << 2;
  const rowBytesM = <usize>n << 2;
  const n16 = n & ~15;
  let r = 0;
  for (; r + 2 <= rows; r += 2) {
    const a0 = a + <usize>r * rowBytesA;
    const a1 = a0 + rowBytesA;
    const c0 = c + <usize>r * rowBytesC;
    const c1 = c0 + rowBytesC;
    let j = 0;
    for (; j < n16; j += 16) {
      const jo = <usize>j << 2;
      let x0 = v128.splat<f32>(0), x1 = x0, x2 = x0, x3 = x0;
      let y0 = x0, y1 = x0, y2 = x0, y3 = x0;
      if (accumulate) {
        x0 = v128.load(c0 + jo); x1 = v128.load(c0 + jo, 16); x2 = v128.load(c0 + jo, 32); x3 = v128.load(c0 + jo, 48);
        y0 = v128.load(c1 + jo); y1 = v128.load(c1 + jo, 16); y2 = v128.load(c1 + jo, 32); y3 = v128.load(c1 + jo, 48);
      }
      let mp = m + jo;
      for (let q = 0; q < k; q++) {
        const qo = <usize>q << 2;
        const s0 = v128.load32_splat(a0 + qo);
        const s1 = v128.load32_splat(a1 + qo);
        const m0 = v128.load(mp);
        const m1 = v128.load(mp, 16);
        const m2 = v128.load(mp, 32);
        const m3 = v128.load(mp, 48);
        x0 = madd(s0, m0, x0); y0 = madd(s1, m0, y0);
        x1 = madd(s0, m1, x1); y1 = madd(s1, m1, y1);
        x2 = madd(s0, m2, x2); y2 = madd(s1, m2, y2);
        x3 = madd(s0, m3, x3); y3 = madd(s1, m3, y3);
        mp += rowBytesM;
      }
      v128.store(c0 + jo, x0); v128.store(c0 + jo, x1, 16); v128.store(c0 + jo, x2, 32); v128.store(c0 + jo, x3, 48);
      v128.store(c1 + jo, y0); v128.store(c1 + jo, y1, 16); v128.store(c1 + jo, y2, 32); v128.store(c1 + jo, y3, 48);
    }
    for (; j < n; j += 4) {
      const jo = <usize>j << 2;
      let x0 = v128.splat<f32>(0), y0 = x0;
      if (accumulate) { x0 = v128.load(c0 + jo); y0 = v128.load(c1 + jo); }
      let mp = m + jo;
      for (let q = 0; q < k; q++) {
        const qo = <usize>q << 2;
        const m0 = v128.load(mp);
        x0 = madd(v128.load32_splat(a0 + qo), m0, x0);
        y0 = madd(v128.load32_splat(a1 + qo), m0, y0);
        mp += rowBytesM;
      }
      v128.store(c0 + jo, x0); v128.store(c1 + jo, y0);
    }
  }
  if (r < rows) {
    const a0 = a + <usize>r * rowBytesA;
    const c0 = c + <usize>r * rowBytesC;
    let j = 0;
    for (; j < n16; j += 16) {
      const jo = <usize>j << 2;
      let x0 = v128.splat<f32>(0), x1 = x0, x2 = x0, x3 = x0;
      if (accumulate) {
        x0 = v128.load(c0 + jo); x1 = v128.load(c0 + jo, 16); x2 = v128.load(c0 + jo, 32); x3 = v128.load(c0 + jo, 48);
      }
      let mp = m + jo;
      for (let q = 0; q < k; q++) {
        const s0 = v128.load32_splat(a0 + (<usize>q << 2));
        x0 = madd(s0, v128.load(mp), x0);
        x1 = madd(s0, v128.load(mp, 16), x1);
        x2 = madd(s0, v128.load(mp, 32), x2);
        x3 = madd(s0, v128.load(mp, 48), x3);
        mp += rowBytesM;
      }
      v128.store(c0 + jo, x0); v128.store(c0 + jo, x1, 16); v128.store(c0 + jo, x2, 32); v128.store(c0 + jo, x3, 48);
    }
    for (; j < n; j += 4) {
      const jo = <usize>j << 2;
      let x0 = accumulate ? v128.load(c0 + jo) : v128.splat<f32>(0);
      let mp = m + jo;
      for (let q = 0; q < k; q++) {
        x0 = madd(v128.load32_splat(a0 + (<usize>q << 2)), v128.load(mp), x0);
        mp += rowBytesM;
      }
      v128.store(c0 + jo, x0);
    }
  }
}

// D[k, 0:n] += sum_r H[r, k] * G[r, 0:n] over rows r in [0, rows):
// the recurrent-kernel gradient contribution h_{t-1}^T . dgates of one step.
// kdim is a multiple of 4 (so pairs of k always exist), n a multiple of 4.
// The 2 x 16 tile of D stays in registers while the rows stream past.
function gemmTransAcc(h: usize, ldh: i32, g: usize, ldg: i32, kdim: i32, n: i32, d: usize, rows: i32): void {
  const rowBytesH = <usize>ldh << 2;
  const rowBytesG = <usize>ldg << 2;
  const rowBytesD = <usize>n << 2;
  const n16 = n & ~15;
  for (let k = 0; k < kdim; k += 2) {
    const d0 = d + <usize>k * rowBytesD;
    const d1 = d0 + rowBytesD;
    const ko = <usize>k << 2;
    let j = 0;
    for (; j < n16; j += 16) {
      const jo = <usize>j << 2;
      let x0 = v128.load(d0 + jo), x1 = v128.load(d0 + jo, 16), x2 = v128.load(d0 + jo, 32), x3 = v128.load(d0 + jo, 48);
      let y0 = v128.load(d1 + jo), y1 = v128.load(d1 + jo, 16), y2 = v128.load(d1 + jo, 32), y3 = v128.load(d1 + jo, 48);
      let hp = h + ko;
      let gp = g + jo;
      for (let r = 0; r < rows; r++) {
        const s0 = v128.load32_splat(hp);
        const s1 = v128.load32_splat(hp, 4);
        const g0 = v128.load(gp);
        const g1 = v128.load(gp, 16);
        const g2 = v128.load(gp, 32);
        const g3 = v128.load(gp, 48);
        x0 = madd(s0, g0, x0); y0 = madd(s1, g0, y0);
        x1 = madd(s0, g1, x1); y1 = madd(s1, g1, y1);
        x2 = madd(s0, g2, x2); y2 = madd(s1, g2, y2);
        x3 = madd(s0, g3, x3); y3 = madd(s1, g3, y3);
        hp += rowBytesH;
        gp += rowBytesG;
      }
      v128.store(d0 + jo, x0); v128.store(d0 + jo, x1, 16); v128.store(d0 + jo, x2, 32); v128.store(d0 + jo, x3, 48);
      v128.store(d1 + jo, y0); v128.store(d1 + jo, y1, 16); v128.store(d1 + jo, y2, 32); v128.store(d1 + jo, y3, 48);
    }
    for (; j < n; j += 4) {
      const jo = <usize>j << 2;
      let x0 = v128.load(d0 + jo), y0 = v128.load(d1 + jo);
      let hp = h + ko;
      let gp = g + jo;
      for (let r = 0; r < rows; r++) {
        const g0 = v128.load(gp);
        x0 = madd(v128.load32_splat(hp), g0, x0);
        y0 = madd(v128.load32_splat(hp, 4), g0, y0);
        hp += rowBytesH;
        gp += rowBytesG;
      }
      v128.store(d0 + jo, x0); v128.store(d1 + jo, y0);
    }
  }
}

// Copy the G gate blocks of U floats from one (b, t) row of Z, plus the
// bias, into a padded gate row (G blocks of Up floats); padding lanes get
// the bias padding, which is zero.
@inline function loadGateRow(src: usize, bias: usize, dst: usize, G: i32, U: i32, Up: i32): void {
  if (U == Up) {
    const n = G * U;
    for (let j = 0; j < n; j += 4) {
      const o = <usize>j << 2;
      v128.store(dst + o, f32x4.add(v128.load(src + o), v128.load(bias + o)));
    }
  } else {
    for (let g = 0; g < G; g++) {
      const s = src + (<usize>(g * U) << 2);
      const d = dst + (<usize>(g * Up) << 2);
      const bb = bias + (<usize>(g * Up) << 2);
      for (let j = 0; j < U; j++) store<f32>(d + (<usize>j << 2), load<f32>(s + (<usize>j << 2)) + load<f32>(bb + (<usize>j << 2)));
      for (let j = U; j < Up; j++) store<f32>(d + (<usize>j << 2), 0);
    }
  }
}

// db[0:n] += sum of `rows` gate-gradient rows (row stride n floats).
@inline function accumulateRows(g: usize, rows: i32, n: i32, db: usize): void {
  const rowBytes = <usize>n << 2;
  for (let j = 0; j < n; j += 4) {
    const o = <usize>j << 2;
    let acc = v128.load(db + o);
    let p = g + o;
    for (let r = 0; r < rows; r++) {
      acc = f32x4.add(acc, v128.load(p));
      p += rowBytes;
    }
    v128.store(db + o, acc);
  }
}

// dst[0:n] += src[0:n], n a multiple of 4.
@inline function addVectors(dst: usize, src: usize, n: i32): void {
  for (let j = 0; j < n; j += 4) {
    const o = <usize>j << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
}

// Inverse of loadGateRow for gradients: drop the padding lanes. In table
// mode (accumulate) several (b, t) share a table row, so the gate gradients
// are added to it rather than stored.
@inline function storeGateRow(src: usize, dst: usize, G: i32, U: i32, Up: i32, accumulate: bool): void {
  if (U == Up) {
    const n = G * U;
    if (accumulate) addVectors(dst, src, n);
    else memory.copy(dst, src, <usize>n << 2);
  } else {
    for (let g = 0; g < G; g++) {
      const s = src + (<usize>(g * Up) << 2);
      const d = dst + (<usize>(g * U) << 2);
      for (let j = 0; j < U; j++) {
        const o = <usize>j << 2;
        store<f32>(d + o, (accumulate ? load<f32>(d + o) : 0) + load<f32>(s + o));
      }
    }
  }
}

// Address of the Z row (or, in table mode, the table row) feeding batch row
// b at time t.
@inline function inputRow(task: RecurrenceTask, b: i32, t: i32): usize {
  const cell = <usize>b * <usize>task.T + <usize>t;
  const ids = task.ids;
  const row = ids ? <usize>load<i32>(ids + (cell << 2)) : cell;
  return task.z + (row * <usize>task.zStride << 2);
}

@inline function fillZero(p: usize, floats: i32): void {
  memory.fill(p, 0, <usize>floats << 2);
}

// ---- padding prefix (see the header) ----

// b0 + the number of rows of [b0, b1) still in their padding at step s
// (pads is non-increasing, so they are a leading block).
@inline function paddedRows(pads: usize, b0: i32, b1: i32, s: i32): i32 {
  let lo = b0;
  if (pads) while (lo < b1 && load<i32>(pads + (<usize>lo << 2)) > s) lo++;
  return lo;
}

// D[k, 0:n] += h[k] * g[0:n] for k < kdim (n a multiple of 4).
@inline function rankOneAcc(h: usize, g: usize, kdim: i32, n: i32, d: usize): void {
  const rowBytes = <usize>n << 2;
  for (let k = 0; k < kdim; k++) {
    const hk = v128.load32_splat(h + (<usize>k << 2));
    const dk = d + <usize>k * rowBytes;
    for (let j = 0; j < n; j += 4) {
      const o = <usize>j << 2;
      v128.store(dk + o, madd(hk, v128.load(g + o), v128.load(dk + o)));
    }
  }
}

// ---- SimpleRNN ----

function rnnForward(task: RecurrenceTask): void {
  const b0 = task.b0;
  const rows = task.b1 - b0;
  if (rows <= 0) return;
  const T = task.T, U = task.U, Up = task.Up;
  const rowBytes = <usize>Up << 2;
  const hStep: usize = task.store ? <usize>task.B * rowBytes : 0;
  const pre = task.scratch + <usize>b0 * rowBytes; // [rows, Up] pre-activations
  fillZero(task.h + <usize>b0 * rowBytes, rows * Up);
  for (let s = 0; s < T; s++) {
    const t = task.reverse ? T - 1 - s : s;
    const hPrev = task.h + <usize>s * hStep + <usize>b0 * rowBytes;
    const hNext = hPrev + hStep;
    for (let r = 0; r < rows; r++) {
      loadGateRow(inputRow(task, b0 + r, t), task.bias, pre + <usize>r * rowBytes, 1, U, Up);
    }
    gemm(hPrev, Up, task.r, Up, Up, pre, Up, rows, true);
    const n = rows * Up;
    for (let j = 0; j < n; j += 4) {
      const o = <usize>j << 2;
      v128.store(hNext + o, vtanh(v128.load(pre + o)));
    }
  }
}

// Backward: task.z receives dZ (added into the table rows in table mode).
function rnnBackward(task: RecurrenceTask): void {
  const b0 = task.b0;
  const rows = task.b1 - b0;
  if (rows <= 0) return;
  const T = task.T, U = task.U, Up = task.Up;
  const rowBytes = <usize>Up << 2;
  const hStep = <usize>task.B * rowBytes;
  const dh = task.scratch + <usize>b0 * rowBytes;
  const dg = task.scratch + hStep + <usize>b0 * rowBytes;
  const tableMode = task.ids != 0;
  memory.copy(dh, task.dhT + <usize>b0 * rowBytes, <usize>rows * rowBytes);
  const one = f32x4.splat(1.0);
  for (let s = T - 1; s >= 0; s--) {
    const t = task.reverse ? T - 1 - s : s;
    const hPrev = task.h + <usize>s * hStep + <usize>b0 * rowBytes;
    const hCur = hPrev + hStep;
    const n = rows * Up;
    for (let j = 0; j < n; j += 4) {
      const o = <usize>j << 2;
      const h = v128.load(hCur + o);
      v128.store(dg + o, flushTiny(f32x4.mul(v128.load(dh + o), f32x4.sub(one, f32x4.mul(h, h)))));
    }
    for (let r = 0; r < rows; r++) {
      storeGateRow(dg + <usize>r * rowBytes, inputRow(task, b0 + r, t), 1, U, Up, tableMode);
    }
    accumulateRows(dg, rows, Up, task.dB);
    if (s > 0) {
      gemm(dg, Up, task.rt, Up, Up, dh, Up, rows, false);
      gemmTransAcc(hPrev, Up, dg, Up, Up, Up, task.dR, rows);
    }
  }
}

// ---- LSTM (gate order i, f, c~, o as Keras and TensorFlow.js store them) ----

function lstmForward(task: RecurrenceTask): void {
  const b0 = task.b0, b1 = task.b1;
  const rows = b1 - b0;
  if (rows <= 0) return;
  const T = task.T, U = task.U, Up = task.Up;
  const GUp = 4 * Up;
  const rowBytes = <usize>Up << 2;
  const gRowBytes = <usize>GUp << 2;
  const upBytes = rowBytes;
  const store = task.store != 0;
  const stStep: usize = store ? <usize>task.B * rowBytes : 0;
  const gStep: usize = store ? <usize>task.B * gRowBytes : 0;
  // the padding trajectory's arrays, one after the other (only read when pads != 0)
  const pads = task.pads;
  const P: usize = pads ? <usize>load<i32>(pads) : 0;
  const tH = task.traj;
  const tC = tH + (P + 1) * rowBytes;
  const tTc = tC + (P + 1) * rowBytes;
  const tG = tTc + P * rowBytes;
  fillZero(task.h + <usize>b0 * rowBytes, rows * Up);
  fillZero(task.c + <usize>b0 * rowBytes, rows * Up);
  let lo = paddedRows(pads, b0, b1, 0);
  for (let s = 0; s < T; s++) {
    const t = task.reverse ? T - 1 - s : s;
    const hPrev = task.h + <usize>s * stStep + <usize>b0 * rowBytes;
    const hNext = hPrev + stStep;
    const cPrev = task.c + <usize>s * stStep + <usize>b0 * rowBytes;
    const cNext = cPrev + stStep;
    const tc = task.tc + <usize>s * stStep + <usize>b0 * rowBytes;
    const gates = task.g + <usize>s * gStep + <usize>b0 * gRowBytes;
    // rows [b0, lo) are still in their padding: copy the trajectory's step
    while (lo > b0 && load<i32>(pads + (<usize>(lo - 1) << 2)) <= s) lo--;
    const a = lo - b0;
    for (let r = 0; r < a; r++) {
      const ro = <usize>r * rowBytes;
      memory.copy(hNext + ro, tH + <usize>(s + 1) * rowBytes, rowBytes);
      memory.copy(cNext + ro, tC + <usize>(s + 1) * rowBytes, rowBytes);
      if (store) {
        memory.copy(tc + ro, tTc + <usize>s * rowBytes, rowBytes);
        memory.copy(gates + <usize>r * gRowBytes, tG + <usize>s * gRowBytes, gRowBytes);
      }
    }
    for (let r = a; r < rows; r++) {
      loadGateRow(inputRow(task, b0 + r, t), task.bias, gates + <usize>r * gRowBytes, 4, U, Up);
    }
    gemm(hPrev + <usize>a * rowBytes, Up, task.r, GUp, Up, gates + <usize>a * gRowBytes, GUp, rows - a, true);
    for (let r = a; r < rows; r++) {
      const gr = gates + <usize>r * gRowBytes;
      const ro = <usize>r * rowBytes;
      for (let j = 0; j < Up; j += 4) {
        const jo = <usize>j << 2;
        const gi = vsigmoid(v128.load(gr + jo));
        const gf = vsigmoid(v128.load(gr + jo + upBytes));
        const gc = vtanh(v128.load(gr + jo + 2 * upBytes));
        const go = vsigmoid(v128.load(gr + jo + 3 * upBytes));
        v128.store(gr + jo, gi);
        v128.store(gr + jo + upBytes, gf);
        v128.store(gr + jo + 2 * upBytes, gc);
        v128.store(gr + jo + 3 * upBytes, go);
        const c = madd(gf, v128.load(cPrev + ro + jo), f32x4.mul(gi, gc));
        const tch = vtanh(c);
        v128.store(cNext + ro + jo, c);
        v128.store(tc + ro + jo, tch);
        v128.store(hNext + ro + jo, f32x4.mul(go, tch));
      }
    }
  }
}

// Backward: task.z receives dZ (added into the table rows in table mode).
function lstmBackward(task: RecurrenceTask): void {
  const b0 = task.b0, b1 = task.b1;
  const rows = b1 - b0;
  if (rows <= 0) return;
  const T = task.T, U = task.U, Up = task.Up;
  const GUp = 4 * Up;
  const pads = task.pads;
  const tH = task.traj; // the padding trajectory's h (only read when pads != 0)
  const tableMode = task.ids != 0;
  let lo = b0;
  const rowBytes = <usize>Up << 2;
  const gRowBytes = <usize>GUp << 2;
  const upBytes = rowBytes;
  const stStep = <usize>task.B * rowBytes;
  const gStep = <usize>task.B * gRowBytes;
  // scratch: dh [B, Up], dc [B, Up], dg [B, G*Up]
  const dh = task.scratch + <usize>b0 * rowBytes;
  const dc = task.scratch + stStep + <usize>b0 * rowBytes;
  const dg = task.scratch + 2 * stStep + <usize>b0 * gRowBytes;
  memory.copy(dh, task.dhT + <usize>b0 * rowBytes, <usize>rows * rowBytes);
  fillZero(dc, rows * Up);
  const one = f32x4.splat(1.0);
  for (let s = T - 1; s >= 0; s--) {
    const t = task.reverse ? T - 1 - s : s;
    const hPrev = task.h + <usize>s * stStep + <usize>b0 * rowBytes;
    const cPrev = task.c + <usize>s * stStep + <usize>b0 * rowBytes;
    const tc = task.tc + <usize>s * stStep + <usize>b0 * rowBytes;
    const gates = task.g + <usize>s * gStep + <usize>b0 * gRowBytes;
    for (let r = 0; r < rows; r++) {
      const gr = gates + <usize>r * gRowBytes;
      const dgr = dg + <usize>r * gRowBytes;
      const ro = <usize>r * rowBytes;
      for (let j = 0; j < Up; j += 4) {
        const jo = <usize>j << 2;
        const gi = v128.load(gr + jo);
        const gf = v128.load(gr + jo + upBytes);
        const gc = v128.load(gr + jo + 2 * upBytes);
        const go = v128.load(gr + jo + 3 * upBytes);
        const tch = v128.load(tc + ro + jo);
        const dhv = flushTiny(v128.load(dh + ro + jo));
        // dc_t = dc_{t+1} * f_{t+1} (carried) + dh_t * o_t * (1 - tanh^2 c_t)
        const dcv = f32x4.add(v128.load(dc + ro + jo),
          f32x4.mul(f32x4.mul(dhv, go), f32x4.sub(one, f32x4.mul(tch, tch))));
        const dgo = f32x4.mul(f32x4.mul(dhv, tch), f32x4.mul(go, f32x4.sub(one, go)));
        const dgi = f32x4.mul(f32x4.mul(dcv, gc), f32x4.mul(gi, f32x4.sub(one, gi)));
        const dgf = f32x4.mul(f32x4.mul(dcv, v128.load(cPrev + ro + jo)), f32x4.mul(gf, f32x4.sub(one, gf)));
        const dgc = f32x4.mul(f32x4.mul(dcv, gi), f32x4.sub(one, f32x4.mul(gc, gc)));
        v128.store(dc + ro + jo, flushTiny(f32x4.mul(dcv, gf)));
        v128.store(dgr + jo, flushTiny(dgi));
        v128.store(dgr + jo + upBytes, flushTiny(dgf));
        v128.store(dgr + jo + 2 * upBytes, flushTiny(dgc));
        v128.store(dgr + jo + 3 * upBytes, flushTiny(dgo));
      }
      storeGateRow(dgr, inputRow(task, b0 + r, t), 4, U, Up, tableMode);
    }
    accumulateRows(dg, rows, GUp, task.dB);
    if (s > 0) {
      // dh_{t-1} = dgates . R^T ; dR += h_{t-1}^T . dgates
      gemm(dg, GUp, task.rt, Up, GUp, dh, Up, rows, false);
      // rows [b0, lo) were in their padding at step s: one shared h_{s-1}
      lo = paddedRows(pads, b0, b1, s);
      const a = lo - b0;
      if (a > 0) {
        accumulateRows(dg + gRowBytes, a - 1, GUp, dg); // dg row 0 := their sum (dg is not read again)
        rankOneAcc(tH + <usize>s * rowBytes, dg, Up, GUp, task.dR);
      }
      gemmTransAcc(hPrev + <usize>a * rowBytes, Up, dg + <usize>a * gRowBytes, GUp, Up, GUp, task.dR, rows - a);
    }
  }
}

// A matrix task: the products of the vocabulary table (see table mode).
// n and k are multiples of 4; C is dense (row stride n for Gemm).
function matrixTask(task: MatrixTask): void {
  const rows = task.rows;
  if (rows <= 0) return;
  if (task.op == TaskOp.Gemm) {
    gemm(task.a, task.lda, task.b, task.n, task.k, task.c, task.n, rows, task.accumulate != 0);
    return;
  }
  // gemmTransAcc streams all its rows of A and B once per pair of k; in
  // chunks of rows that stay in cache (256 rows of the Bi-LSTM's table
  // gradient are 256 KB), B is read from memory once instead of k/2 times.
  const lda = task.lda, ldb = task.ldb;
  for (let r0 = 0; r0 < rows; r0 += TN_CHUNK_ROWS) {
    const chunk = min(TN_CHUNK_ROWS, rows - r0);
    gemmTransAcc(task.a + (<usize>r0 * <usize>lda << 2), lda, task.b + (<usize>r0 * <usize>ldb << 2), ldb, task.k, task.n, task.c, chunk);
  }
}

// Run `count` task records starting at `tasks` (TASK_WORDS i32 each).
export function runTasks(tasks: usize, count: i32): void {
  for (let i = 0; i < count; i++) {
    const at = tasks + (<usize>(i * TASK_WORDS) << 2);
    const op = changetype<RecurrenceTask>(at).op; // the first word of every layout
    if (op == TaskOp.RnnForward) rnnForward(changetype<RecurrenceTask>(at));
    else if (op == TaskOp.RnnBackward) rnnBackward(changetype<RecurrenceTask>(at));
    else if (op == TaskOp.LstmForward) lstmForward(changetype<RecurrenceTask>(at));
    else if (op == TaskOp.LstmBackward) lstmBackward(changetype<RecurrenceTask>(at));
    else if (op == TaskOp.Gemm || op == TaskOp.GemmTN) matrixTask(changetype<MatrixTask>(at));
  }
}

// dst[0:n] += src[0:n] (n a multiple of 4): merges the table gradients two
// threads accumulated separately (their batch rows may share table rows).
export function addInto(dst: usize, src: usize, n: i32): void {
  addVectors(dst, src, n);
}

// One Adam step over n floats (n a multiple of 4), in exactly the order of
// operations (and float32 roundings) of TensorFlow.js' AdamOptimizer, so
// that a fused training follows the same trajectory:
//   m = m*b1 + g*(1-b1); v = v*b2 + g*g*(1-b2)
//   value += (m/(1-b1^t)) / (sqrt(v/(1-b2^t)) + eps) * -lr
// TensorFlow.js runs this as a dozen separate ops per variable (15 ops over
// the 320,000 embedding weights cost about 6 ms per step on wasm).
export function adamUpdate(
  value: usize, grad: usize, m: usize, v: usize, n: i32,
  negLr: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32,
  oneMinusAccBeta1: f32, oneMinusAccBeta2: f32, epsilon: f32,
): void {
  const b1 = f32x4.splat(beta1), c1 = f32x4.splat(oneMinusBeta1);
  const b2 = f32x4.splat(beta2), c2 = f32x4.splat(oneMinusBeta2);
  const a1 = f32x4.splat(oneMinusAccBeta1), a2 = f32x4.splat(oneMinusAccBeta2);
  const eps = f32x4.splat(epsilon), lr = f32x4.splat(negLr);
  for (let j = 0; j < n; j += 4) {
    const o = <usize>j << 2;
    const g = v128.load(grad + o);
    const mNew = f32x4.add(f32x4.mul(v128.load(m + o), b1), f32x4.mul(g, c1));
    const vNew = f32x4.add(f32x4.mul(v128.load(v + o), b2), f32x4.mul(f32x4.mul(g, g), c2));
    v128.store(m + o, mNew);
    v128.store(v + o, vNew);
    const step = f32x4.div(f32x4.div(mNew, a1), f32x4.add(f32x4.sqrt(f32x4.div(vNew, a2)), eps));
    v128.store(value + o, f32x4.add(f32x4.mul(step, lr), v128.load(value + o)));
  }
}
