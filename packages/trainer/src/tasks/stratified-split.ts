import { Rng } from '@multimech/core';

/**
 * A stratified split: each class contributes test examples in proportion to
 * its size (rounded so the total is `testCount`), chosen by the seeded rng.
 * Returns sorted index lists.
 */
export function stratifiedSplit(labels: readonly number[], testCount: number, rng: Rng): { train: number[]; test: number[] } {
  const byClass = new Map<number, number[]>();
  labels.forEach((l, i) => {
    if (!byClass.has(l)) byClass.set(l, []);
    byClass.get(l)!.push(i);
  });
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  const quotas = classes.map((c) => (byClass.get(c)!.length * testCount) / labels.length);
  const counts = quotas.map(Math.floor);
  let missing = testCount - counts.reduce((a, b) => a + b, 0);
  const order = quotas.map((q, i) => [q - Math.floor(q), i] as const).sort((a, b) => b[0] - a[0]);
  for (const [, i] of order) {
    if (missing-- <= 0) break;
    counts[i]++;
  }
  const test: number[] = [];
  const train: number[] = [];
  classes.forEach((c, ci) => {
    const idx = rng.shuffle([...byClass.get(c)!]);
    test.push(...idx.slice(0, counts[ci]));
    train.push(...idx.slice(counts[ci]));
  });
  return { train: train.sort((a, b) => a - b), test: test.sort((a, b) => a - b) };
}
