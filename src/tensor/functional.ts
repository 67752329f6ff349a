/**
 * Function forms of tensor ops, for the calls PyTorch users write as `torch.op(a, b)`
 * (the methods of Tensor cover the rest). `pow` also takes a number base (`torch.pow(2, t)`).
 *
 * @module
 */

import type { Scalar, Tensor } from "./tensor.ts";
import * as E from "./ops/elementwise.ts";
import * as L from "./ops/linalg.ts";
import { describe } from "./shape.ts";

/**
 * `base ** exponent`, where either side may be a number (but not both).
 *
 * @example
 * ```ts
 * import { pow, tensor } from "../../mod.ts";
 * console.log(pow(2, tensor([0, 1, 3])).tolist()); // [1, 2, 8]
 * console.log(pow(tensor([2, 3]), 2).tolist()); // [4, 9]
 * ```
 */
export function pow(base: Tensor | number, exponent: Tensor | Scalar): Tensor {
  if (typeof base === "number") {
    if (typeof exponent !== "object" || exponent === null) {
      throw new TypeError(`pow: expected a Tensor base or exponent, got ${describe(base)} and ${describe(exponent)}`);
    }
    return E.rpow(base, exponent);
  }
  return E.pow(base, exponent);
}

/**
 * Matrix product with broadcasting (1-d, 2-d and batched operands), like `torch.matmul`.
 *
 * @example
 * ```ts
 * import { matmul, ones } from "../../mod.ts";
 * console.log(matmul(ones([2, 3]), ones([3])).tolist()); // [3, 3]
 * ```
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  return L.matmul(a, b);
}

/**
 * 2-d matrix product.
 *
 * @example
 * ```ts
 * import { mm, ones } from "../../mod.ts";
 * console.log(mm(ones([2, 3]), ones([3, 1])).tolist()); // [[3], [3]]
 * ```
 */
export function mm(a: Tensor, b: Tensor): Tensor {
  return L.mm(a, b);
}

/**
 * Batched matrix product of two 3-d tensors.
 *
 * @example
 * ```ts
 * import { bmm, ones } from "../../mod.ts";
 * console.log(bmm(ones([4, 2, 3]), ones([4, 3, 5])).shape); // [4, 2, 5]
 * ```
 */
export function bmm(a: Tensor, b: Tensor): Tensor {
  return L.bmm(a, b);
}

/**
 * Dot product of two 1-d tensors.
 *
 * @example
 * ```ts
 * import { dot, tensor } from "../../mod.ts";
 * console.log(dot(tensor([1, 2]), tensor([3, 4])).item()); // 11
 * ```
 */
export function dot(a: Tensor, b: Tensor): Tensor {
  return L.dot(a, b);
}

/**
 * Elementwise maximum (NaN propagates).
 *
 * @example
 * ```ts
 * import { maximum, tensor } from "../../mod.ts";
 * console.log(maximum(tensor([1, 5]), tensor([3, 2])).tolist()); // [3, 5]
 * ```
 */
export function maximum(a: Tensor, b: Tensor): Tensor {
  return E.maximum(a, b);
}

/**
 * Elementwise minimum (NaN propagates).
 *
 * @example
 * ```ts
 * import { minimum, tensor } from "../../mod.ts";
 * console.log(minimum(tensor([1, 5]), tensor([3, 2])).tolist()); // [1, 2]
 * ```
 */
export function minimum(a: Tensor, b: Tensor): Tensor {
  return E.minimum(a, b);
}
