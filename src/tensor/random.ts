/**
 * The global random state: a seed and a stream counter. Each random kernel call takes the
 * next stream, so results depend only on the seed and the order of calls. Like PyTorch's, the
 * default seed is fixed.
 *
 * @module
 */

/**
 * PyTorch's default seed (`torch.initial_seed()` is 67280421310721 until `manual_seed`), folded
 * as `manualSeed` folds it: a program, and the test suite, draws the same numbers on every run.
 */
const DEFAULT_SEED = 67280421310721;
let seed = (DEFAULT_SEED >>> 0) ^ Math.floor(DEFAULT_SEED / 0x100000000);
let stream = 0;

/**
 * Seeds the random factories (`randn`, `rand`, dropout, initializers) for repeatable runs.
 *
 * @example
 * ```ts
 * import { manualSeed, randn } from "../../mod.ts";
 * manualSeed(42);
 * const a = randn([3]).toArray();
 * manualSeed(42);
 * console.log(randn([3]).toArray().join() === a.join()); // true
 * ```
 */
export function manualSeed(n: number): void {
  if (typeof n !== "number" || !Number.isInteger(n)) {
    throw new TypeError(`manualSeed: expected an integer seed, got ${String(n)}`);
  }
  seed = (n >>> 0) ^ Math.floor(n / 0x100000000);
  stream = 0;
}

/** The seed and a fresh stream number for one random kernel call. */
export function nextRandom(): [number, number] {
  const s = stream;
  stream = (stream + 1) >>> 0;
  return [seed, s];
}
