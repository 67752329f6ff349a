/**
 * `oneHot`, PyTorch's `F.one_hot` (one of its "sparse functions", re-exported by sparse.ts):
 * int64 class indices to int64 one-hot rows.
 *
 * @module
 */

import { isTensor, type Tensor, tensor, zeros } from "../tensor/mod.ts";
import { describe } from "../tensor/shape.ts";

/**
 * One-hot encoding: an int64 tensor of class indices of any shape becomes an int64 tensor of
 * shape `[...input.shape, numClasses]` with a 1 at each index and 0 elsewhere. With
 * `numClasses = -1` (the default) it is one more than the largest value. As in PyTorch, the
 * input must be int64 and its values in [0, numClasses).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const idx = tensor(new BigInt64Array([0n, 2n, 1n]));
 * console.log(nn.functional.oneHot(idx).tolist()); // [[1, 0, 0], [0, 0, 1], [0, 1, 0]]
 * console.log(nn.functional.oneHot(idx, 4).shape); // [3, 4]
 * ```
 */
export function oneHot(input: Tensor, numClasses = -1): Tensor {
  const call = "oneHot";
  if (!isTensor(input)) throw new TypeError(`${call}: expected input to be a Tensor, got ${describe(input)}`);
  input._live(call);
  if (input.dtype !== "int64") {
    throw new TypeError(`${call}: one_hot is only applicable to index tensor (dtype int64), got dtype ${input.dtype}`);
  }
  if (typeof numClasses !== "number" || !Number.isInteger(numClasses)) {
    throw new TypeError(`${call}: expected numClasses to be an integer, got ${describe(numClasses)}`);
  }
  const shape = [...input.shape];
  if (input.numel() === 0) {
    if (numClasses <= 0) {
      throw new RangeError(
        `${call}: Can not infer total number of classes from empty tensor (numClasses ${numClasses})`,
      );
    }
    return zeros([...shape, numClasses], { dtype: "int64", device: input.device });
  }
  const idx = input.toArray() as BigInt64Array;
  let lo = idx[0], hi = idx[0];
  for (const v of idx) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo < 0n) throw new RangeError(`${call}: Class values must be non-negative, got ${lo}`);
  if (numClasses === -1) numClasses = Number(hi) + 1;
  else if (hi >= BigInt(numClasses)) {
    throw new RangeError(`${call}: Class values must be smaller than num_classes (${numClasses}), got ${hi}`);
  }
  const total = idx.length * numClasses;
  if (total > 0x7fffffff) {
    throw new RangeError(`${call}: ${idx.length} x ${numClasses} elements exceed the 2^31-1 supported`);
  }
  const out = new BigInt64Array(total);
  for (let i = 0; i < idx.length; i++) out[i * numClasses + Number(idx[i])] = 1n;
  const r = tensor(out, { shape: [...shape, numClasses] });
  return input.device === "cpu" ? r : r.to(input.device);
}
