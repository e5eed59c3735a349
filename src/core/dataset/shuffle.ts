import seedrandom from 'seedrandom';

/** Fisher–Yates with a seeded generator: the same seed always gives the same order. */
export function shuffledOrder(n: number, seed: number | string): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const random = seedrandom.alea(String(seed));
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}
