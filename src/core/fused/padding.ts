// The padding prefix of a batch (see "padding prefix" in
// assembly/recurrent.ts): how many leading steps of each review are the
// padding token, and an order of the rows that puts the longest padding
// first within each thread's range of rows, so that the rows still in their
// padding at any step form a leading block the kernel can skip. Rows are
// dealt to the two ranges alternately, so both threads get a fair share of
// padding.

/** Keras' pad_sequences value, which the dataset pipeline uses too. */
export const PADDING_TOKEN = 0;

export interface PaddingPlan {
  /** order[i] = the batch row that kernel row i holds. */
  order: Int32Array;
  /** Leading padding steps of each kernel row, non-increasing. */
  pads: Int32Array;
}

/** Whether any row of token ids [B, T] (row-major) starts with padding. */
export function startsWithPadding(ids: Int32Array, B: number, T: number): boolean {
  for (let b = 0; b < B; b++) if (ids[b * T] === PADDING_TOKEN) return true;
  return false;
}

/**
 * The plan for token ids [B, T] (row-major), or null when no row starts
 * with padding. `split` is where the second thread's rows start (0: one range).
 */
export function paddingPlan(ids: Int32Array, B: number, T: number, split: number): PaddingPlan | null {
  const lengths = new Int32Array(B);
  let any = false;
  for (let b = 0; b < B; b++) {
    let n = 0;
    while (n < T && ids[b * T + n] === PADDING_TOKEN) n++;
    lengths[b] = n;
    if (n > 0) any = true;
  }
  return any ? planOfLengths(lengths, split) : null;
}

/** The plan for rows whose leading skipped steps are `lengths` (any order). */
export function planOfLengths(lengths: Int32Array, split: number): PaddingPlan {
  const B = lengths.length;
  const sorted = Int32Array.from({ length: B }, (_, b) => b).sort((x, y) => lengths[y] - lengths[x] || x - y);
  let order = sorted;
  if (split > 0) {
    const first: number[] = [];
    const second: number[] = [];
    for (let rank = 0; rank < B; rank++) {
      const toFirst = first.length < split && (rank % 2 === 0 || second.length >= B - split);
      (toFirst ? first : second).push(sorted[rank]);
    }
    order = Int32Array.from([...first, ...second]);
  }
  return { order, pads: Int32Array.from(order, (b) => lengths[b]) };
}

/** Rows of a [B, width] row-major array in plan order. */
export function permuteRows<A extends Int32Array | Float32Array>(values: A, order: Int32Array, width: number): A {
  const out = new (values.constructor as { new (n: number): A })(values.length);
  for (let i = 0; i < order.length; i++) out.set(values.subarray(order[i] * width, order[i] * width + width), i * width);
  return out;
}
