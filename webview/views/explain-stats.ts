/**
 * What the Explain panel says about each hidden unit of a [token][unit]
 * matrix: how it moves with the verdict (Pearson's r), its mean, and where it
 * is highest and lowest. Pure arithmetic, shared by the heatmaps' drawing
 * order and their text alternative.
 */

export interface UnitStats {
  unit: number;
  /** Pearson's r between the unit's values and the verdict as it reads (0 when either is constant). */
  correlation: number;
  mean: number;
  /** Token read (index into the verdict) where the unit is highest, and lowest. */
  highest: number;
  lowest: number;
}

export function pearson(xs: ArrayLike<number>, ys: ArrayLike<number>): number {
  const n = xs.length;
  if (n < 2) return 0;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i];
    my += ys[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}

/** One pass per unit over a [token][unit] matrix. */
export function unitStats(values: readonly (readonly number[])[], verdict: readonly number[]): UnitStats[] {
  const n = values.length;
  const units = values[0]?.length ?? 0;
  const column = new Float64Array(n);
  const out: UnitStats[] = [];
  for (let u = 0; u < units; u++) {
    let sum = 0;
    let highest = 0;
    let lowest = 0;
    for (let t = 0; t < n; t++) {
      const v = values[t][u];
      column[t] = v;
      sum += v;
      if (v > column[highest]) highest = t;
      if (v < column[lowest]) lowest = t;
    }
    out.push({ unit: u, correlation: pearson(column, verdict), mean: n ? sum / n : 0, highest, lowest });
  }
  return out;
}

/** Units in their own order, or by correlation with the verdict, strongest rise first (ties keep unit order). */
export function orderUnits(stats: readonly UnitStats[], by: 'index' | 'correlation'): number[] {
  const order = stats.map((s) => s.unit);
  if (by === 'correlation') order.sort((a, b) => stats[b].correlation - stats[a].correlation || a - b);
  return order;
}
