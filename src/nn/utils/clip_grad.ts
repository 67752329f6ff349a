/**
 * Gradient clipping: `clipGradNorm` (PyTorch's `clip_grad_norm_`) and `clipGradValue`.
 *
 * @module
 */

import { isTensor, type Tensor, tensor } from "../../tensor/mod.ts";
import { noGrad } from "../../autograd/grad_mode.ts";
import { describe } from "../../tensor/shape.ts";

/** Options of `clipGradNorm`. */
export interface ClipGradNormOptions {
  /** Throw when the total norm is NaN or infinite (default false: the gradients become NaN). */
  errorIfNonfinite?: boolean;
}

function gradsOf(params: Tensor | Iterable<Tensor>, call: string): Tensor[] {
  const list: unknown[] = isTensor(params)
    ? [params]
    : params !== null && typeof params === "object" && Symbol.iterator in params
    ? [...(params as Iterable<unknown>)]
    : (() => {
      throw new TypeError(`${call}: expected a Tensor or an iterable of tensors, got ${describe(params)}`);
    })();
  const grads: Tensor[] = [];
  list.forEach((p, i) => {
    if (!isTensor(p)) throw new TypeError(`${call}: expected parameters[${i}] to be a Tensor, got ${describe(p)}`);
    if (p._grad !== null) grads.push(p._grad);
  });
  return grads;
}

/**
 * Scales the gradients of `params` in place so that their joint `normType`-norm (the norm of
 * all gradients concatenated into one vector) is at most `maxNorm`, and returns that total
 * norm (before clipping) as a number. As in PyTorch, the gradients are multiplied by
 * `maxNorm / (total + 1e-6)` when that is below 1. `normType` may be `Infinity` (the largest
 * absolute value) or any p; parameters without a gradient are skipped.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../../mod.ts";
 * const p = new nn.Parameter(tensor([0, 0]));
 * p.grad = tensor([3, 4]);
 * console.log(nn.utils.clipGradNorm([p], 1)); // 5
 * console.log(p.grad.tolist()); // [0.5999999046325684, 0.7999998331069946]
 * ```
 */
export function clipGradNorm(
  params: Tensor | Iterable<Tensor>,
  maxNorm: number,
  normType: number | "inf" = 2,
  opts: ClipGradNormOptions = {},
): number {
  const call = "clipGradNorm";
  const grads = gradsOf(params, call);
  if (typeof maxNorm !== "number" || Number.isNaN(maxNorm)) {
    throw new TypeError(`${call}: expected maxNorm to be a number, got ${describe(maxNorm)}`);
  }
  const p = normType === "inf" ? Infinity : normType;
  if (typeof p !== "number" || Number.isNaN(p)) {
    throw new TypeError(`${call}: expected normType to be a number or Infinity, got ${describe(normType)}`);
  }
  if (opts === null || typeof opts !== "object") {
    throw new TypeError(`${call}: expected an options object { errorIfNonfinite }, got ${describe(opts)}`);
  }
  if (grads.length === 0) return 0;
  return noGrad(() => {
    // Each gradient's norm (native reduction), then the norm of those norms: PyTorch's order.
    const norms = Float64Array.from(grads, (g) => g.norm(p).item());
    const total = p === Infinity ? Math.max(...norms) : tensor(norms).norm(p).item();
    if (opts.errorIfNonfinite && !Number.isFinite(total)) {
      throw new RangeError(
        `${call}: the total norm of order ${p} for gradients from \`parameters\` is non-finite, so it cannot be ` +
          "clipped. To disable this error and scale the gradients by the non-finite norm anyway, set " +
          "{ errorIfNonfinite: false }",
      );
    }
    const coef = maxNorm / (total + 1e-6);
    if (coef < 1 || Number.isNaN(coef)) { for (const g of grads) g.mul_(coef); }
    return total;
  });
}

/**
 * PyTorch's in-place spelling of `clipGradNorm`.
 *
 * @example
 * ```ts
 * import { nn, ones } from "../../../mod.ts";
 * const lin = new nn.Linear(3, 1);
 * lin.forward(ones([2, 3])).sum().backward();
 * console.log(nn.utils.clipGradNorm_(lin.parameters(), 0.5)); // the norm before clipping
 * ```
 */
export const clipGradNorm_ = clipGradNorm;

/**
 * Clamps every gradient of `params` into [-clipValue, clipValue] in place.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../../mod.ts";
 * const p = new nn.Parameter(tensor([0, 0]));
 * p.grad = tensor([3, -0.5]);
 * nn.utils.clipGradValue([p], 1);
 * console.log(p.grad.tolist()); // [1, -0.5]
 * ```
 */
export function clipGradValue(params: Tensor | Iterable<Tensor>, clipValue: number): void {
  const call = "clipGradValue";
  const grads = gradsOf(params, call);
  if (typeof clipValue !== "number" || Number.isNaN(clipValue)) {
    throw new TypeError(`${call}: expected clipValue to be a number, got ${describe(clipValue)}`);
  }
  noGrad(() => {
    for (const g of grads) g.clamp_(-clipValue, clipValue);
  });
}

/**
 * PyTorch's in-place spelling of `clipGradValue`.
 *
 * @example
 * ```ts
 * import { nn, ones } from "../../../mod.ts";
 * const lin = new nn.Linear(3, 1);
 * lin.forward(ones([2, 3])).sum().backward();
 * nn.utils.clipGradValue_(lin.parameters(), 0.5);
 * console.log(lin.bias!.grad!.tolist()); // [0.5]
 * ```
 */
export const clipGradValue_ = clipGradValue;
