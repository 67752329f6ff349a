/**
 * Losses, part 3: the regression and likelihood losses PyTorch added after the seed —
 * HuberLoss, PoissonNLLLoss and GaussianNLLLoss, with their functional twins. Each is a
 * composition of differentiable tensor ops following PyTorch 1.13's formulas (gradients reach
 * the input, the target and the variance), with the reductions of `loss.ts`.
 *
 * @module
 */

import type { Tensor } from "../tensor/mod.ts";
import { noGrad } from "../autograd/grad_mode.ts";
import { recordTwice } from "../autograd/node.ts";
import * as E from "../tensor/ops/elementwise.ts";
import { unsqueeze } from "../tensor/ops/view.ts";
import { fmt, sameShape } from "../tensor/shape.ts";
import { type ArgSpec, parseArgs } from "./positional.ts";
import {
  applyReduction,
  checkBroadcast,
  Loss,
  REDUCE,
  REDUCTION,
  reductionOf,
  type ReductionOptions,
  SIZE_AVERAGE,
  tensors,
} from "./loss.ts";

/** Options of `HuberLoss` / `huberLoss`. */
export interface HuberLossOptions {
  /** "mean" (default), "sum" or "none". */
  reduction?: "mean" | "sum" | "none";
  /** Where the loss turns from quadratic to linear, > 0 (default 1). */
  delta?: number;
}
/** Options of `PoissonNLLLoss` / `poissonNllLoss`. */
export interface PoissonNLLLossOptions extends ReductionOptions {
  /** The input is the log of the rate (default true): `exp(input) - target * input`. */
  logInput?: boolean;
  /** Add the Stirling approximation term of `log(target!)` where target > 1 (default false). */
  full?: boolean;
  /** Added to the rate inside the log when `logInput` is false (default 1e-8). */
  eps?: number;
}
/** Options of `GaussianNLLLoss` / `gaussianNllLoss`. */
export interface GaussianNLLLossOptions {
  /** Add the constant `0.5 log(2 pi)` (default false). */
  full?: boolean;
  /** Variances below eps are raised to eps, with no gradient through the clamp (default 1e-6). */
  eps?: number;
  /** "mean" (default), "sum" or "none". */
  reduction?: "mean" | "sum" | "none";
}

function checkFloat(call: string, t: Tensor, name: string): void {
  if (!t.isFloatingPoint()) {
    throw new TypeError(`${call}: expected ${name} to be a floating point tensor, got dtype ${t.dtype}`);
  }
}

// ------------------------------------------------------------------ HuberLoss

const HUBER_SPECS: ArgSpec[] = [REDUCTION, { name: "delta", kind: "number", default: 1 }];

function checkDelta(call: string, delta: number): void {
  if (!(delta > 0)) {
    throw new RangeError(`${call}: huber_loss does not support non-positive values for delta, got delta = ${delta}`);
  }
}

function huberImpl(call: string, x: Tensor, t: Tensor, red: string, delta: number): Tensor {
  checkDelta(call, delta);
  checkFloat(call, x, "input");
  checkBroadcast(call, x, t);
  // PyTorch's huber kernel computes in the input's dtype (the target is cast to it)
  if (t.dtype !== x.dtype) t = t.to(x.dtype);
  // z = |x - t|: 0.5 z^2 where z < delta, else delta (z - 0.5 delta); at z = delta the linear
  // branch, whose gradient is +-delta as in PyTorch's huber_backward
  const d = E.sub(x, t);
  const z = E.abs(d);
  const l = E.where(E.compare("lt", z, delta), E.mul(E.square(d), 0.5), E.mul(E.sub(z, 0.5 * delta), delta));
  return applyReduction(l, red);
}

/**
 * Huber loss: `0.5 d^2` where `|d| < delta`, else `delta (|d| - 0.5 delta)`, for
 * `d = input - target` (broadcast). `F.huberLoss(x, y)`, `F.huberLoss(x, y, "sum", 0.5)` or
 * `{ reduction, delta }`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(nn.functional.huberLoss(tensor([0, 0]), tensor([0.5, 3]), { delta: 2 }).item()); // 2.0625
 * ```
 */
export function huberLoss(
  input: Tensor,
  target: Tensor,
  reduction?: string | HuberLossOptions,
  delta?: number,
  opts?: HuberLossOptions,
): Tensor {
  const call = "huberLoss";
  tensors(call, [[input, "input"], [target, "target"]]);
  const a = parseArgs(call, [reduction, delta, opts], HUBER_SPECS);
  return huberImpl(call, input, target, reductionOf(call, a), a.delta as number);
}

/**
 * Huber loss: `new nn.HuberLoss()`, `new nn.HuberLoss({ reduction: "sum", delta: 0.5 })` or
 * PyTorch's positional `new nn.HuberLoss("sum", 0.5)`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const loss = new nn.HuberLoss({ delta: 0.5 });
 * console.log(loss.forward(tensor([0]), tensor([3])).item()); // 1.375
 * ```
 */
export class HuberLoss extends Loss {
  /** The quadratic-to-linear switch point (default 1). */
  delta: number;
  /** Options (`reduction`, `delta`), or PyTorch's positional (reduction, delta). */
  constructor(first?: string | HuberLossOptions, ...positional: unknown[]) {
    const a = parseArgs("HuberLoss", [first, ...positional], HUBER_SPECS);
    super(reductionOf("HuberLoss", a));
    this.delta = a.delta as number;
    checkDelta("HuberLoss", this.delta);
  }
  /** The loss of `input` against `target`, reduced as configured. */
  override forward(input: Tensor, target: Tensor): Tensor {
    const call = "HuberLoss.forward";
    tensors(call, [[input, "input"], [target, "target"]]);
    return huberImpl(call, input, target, this.reduction, this.delta);
  }
}

// ------------------------------------------------------------------ PoissonNLLLoss

const POISSON_SPECS: ArgSpec[] = [
  { name: "logInput", kind: "boolean", default: true },
  { name: "full", kind: "boolean", default: false },
  SIZE_AVERAGE,
  { name: "eps", kind: "number", default: 1e-8 },
  REDUCE,
  REDUCTION,
];

function poissonImpl(
  call: string,
  x: Tensor,
  t: Tensor,
  logInput: boolean,
  full: boolean,
  eps: number,
  red: string,
): Tensor {
  checkBroadcast(call, x, t);
  // PyTorch's at::poisson_nll_loss, op for op
  let l = logInput ? E.sub(E.exp(x), E.mul(t, x)) : E.sub(x, E.mul(t, E.log(E.add(x, eps))));
  if (full) {
    // Stirling: t log(t) - t + 0.5 log(2 pi t), masked to 0 where t <= 1
    const st = E.add(E.sub(E.mul(t, E.log(t)), t), E.mul(E.log(E.mul(t, 2 * Math.PI)), 0.5));
    l = E.add(l, E.where(E.compare("le", t, 1), 0, st));
  }
  return applyReduction(l, red);
}

/**
 * Poisson negative log likelihood: `exp(input) - target * input` (`logInput`, the default), or
 * `input - target * log(input + eps)`; with `full` the Stirling term
 * `target log(target) - target + 0.5 log(2 pi target)` is added where target > 1. Positional
 * order as PyTorch's: (logInput, full, sizeAverage, eps, reduce, reduction).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(nn.functional.poissonNllLoss(tensor([0]), tensor([2])).item()); // 1
 * ```
 */
export function poissonNllLoss(
  input: Tensor,
  target: Tensor,
  logInput?: boolean | PoissonNLLLossOptions,
  full?: boolean,
  sizeAverage?: boolean | null,
  eps?: number,
  reduce?: boolean | null,
  reduction?: string,
  opts?: PoissonNLLLossOptions,
): Tensor {
  const call = "poissonNllLoss";
  tensors(call, [[input, "input"], [target, "target"]]);
  const a = parseArgs(call, [logInput, full, sizeAverage, eps, reduce, reduction, opts], POISSON_SPECS);
  return poissonImpl(
    call,
    input,
    target,
    a.logInput as boolean,
    a.full as boolean,
    a.eps as number,
    reductionOf(call, a),
  );
}

/**
 * Poisson negative log likelihood: `new nn.PoissonNLLLoss({ logInput, full, eps, reduction })`
 * (the seed's `sizeAverage`/`reduce` too); forward(input, target).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const loss = new nn.PoissonNLLLoss({ logInput: false });
 * console.log(loss.forward(tensor([1]), tensor([3])).item()); // 1
 * ```
 */
export class PoissonNLLLoss extends Loss {
  /** Whether the input is a log-rate. */
  logInput: boolean;
  /** Whether the Stirling term is added. */
  full: boolean;
  /** Added to the rate inside the log when `logInput` is false. */
  eps: number;
  /**
   * Options, or PyTorch's positional (log_input, full, size_average, eps, reduce, reduction).
   */
  constructor(first?: boolean | PoissonNLLLossOptions, ...positional: unknown[]) {
    const a = parseArgs("PoissonNLLLoss", [first, ...positional], POISSON_SPECS);
    super(reductionOf("PoissonNLLLoss", a));
    this.logInput = a.logInput as boolean;
    this.full = a.full as boolean;
    this.eps = a.eps as number;
  }
  /** The loss of `input` (a log-rate or a rate) against the counts `target`, reduced as configured. */
  override forward(input: Tensor, target: Tensor): Tensor {
    const call = "PoissonNLLLoss.forward";
    tensors(call, [[input, "input"], [target, "target"]]);
    return poissonImpl(call, input, target, this.logInput, this.full, this.eps, this.reduction);
  }
}

// ------------------------------------------------------------------ GaussianNLLLoss

const GAUSSIAN_SPECS: ArgSpec[] = [
  { name: "full", kind: "boolean", default: false },
  { name: "eps", kind: "number", default: 1e-6 },
  REDUCTION,
];

function gaussianImpl(
  call: string,
  x: Tensor,
  t: Tensor,
  v: Tensor,
  full: boolean,
  eps: number,
  red: string,
): Tensor {
  checkFloat(call, v, "var");
  if (!sameShape(v.shape, x.shape)) {
    const lead = x.shape.slice(0, -1);
    if (sameShape(lead, v.shape)) {
      v = unsqueeze(v, -1); // homoscedastic: one variance per row
    } else if (!(v.ndim > 0 && sameShape(lead, v.shape.slice(0, -1)) && v.shape[v.ndim - 1] === 1)) {
      throw new RangeError(
        `${call}: var is of incorrect size: expected the input's shape ${fmt(x.shape)}, or it without its last dim${
          x.ndim > 0 ? " or with a last dim of 1" : ""
        }, got ${fmt(v.shape)}`,
      );
    }
  }
  checkBroadcast(call, x, t);
  if (noGrad(() => v.numel() > 0 && E.compare("lt", v, 0).any().item() !== 0)) {
    throw new RangeError(`${call}: var has negative entry/entries`);
  }
  // PyTorch clamps a clone of var in place under no_grad: the values are max(var, eps) while the
  // gradient passes to var unchanged (no gradient gating by the clamp).
  const src = v;
  const vc = recordTwice("CloneBackward", noGrad(() => E.clamp(src, eps)), [src], (g) => [g]);
  let l = E.mul(E.add(E.log(vc), E.div(E.square(E.sub(x, t)), vc)), 0.5);
  if (full) l = E.add(l, 0.5 * Math.log(2 * Math.PI));
  return applyReduction(l, red);
}

/**
 * Gaussian negative log likelihood `0.5 (log(var) + (input - target)^2 / var)` (+ `0.5 log(2 pi)`
 * with `full`). `var` has the input's shape (one variance per prediction), or is one dim short
 * of it or has a last dim of 1 (one per row); negative variances are a RangeError, and
 * variances below `eps` are raised to `eps` without cutting their gradient, as PyTorch does.
 * `F.gaussianNllLoss(x, y, var, { full, eps, reduction })` or positional (full, eps, reduction).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const l = nn.functional.gaussianNllLoss(tensor([[0, 0]]), tensor([[2, 2]]), tensor([4]));
 * console.log(l.item()); // 1.1931471824645996
 * ```
 */
export function gaussianNllLoss(
  input: Tensor,
  target: Tensor,
  variance: Tensor,
  full?: boolean | GaussianNLLLossOptions,
  eps?: number,
  reduction?: string,
  opts?: GaussianNLLLossOptions,
): Tensor {
  const call = "gaussianNllLoss";
  tensors(call, [[input, "input"], [target, "target"], [variance, "var"]]);
  const a = parseArgs(call, [full, eps, reduction, opts], GAUSSIAN_SPECS);
  return gaussianImpl(call, input, target, variance, a.full as boolean, a.eps as number, reductionOf(call, a));
}

/**
 * Gaussian negative log likelihood: `new nn.GaussianNLLLoss({ full, eps, reduction })`;
 * forward(input, target, var).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const loss = new nn.GaussianNLLLoss({ reduction: "none" });
 * console.log(loss.forward(tensor([1, 1]), tensor([1, 3]), tensor([1, 1])).tolist()); // [0, 2]
 * ```
 */
export class GaussianNLLLoss extends Loss {
  /** Whether the constant term is added. */
  full: boolean;
  /** The lower clamp of the variances. */
  eps: number;
  /** Options (`full`, `eps`, `reduction`); PyTorch takes them as keywords only. */
  constructor(opts?: GaussianNLLLossOptions) {
    const a = parseArgs(
      "GaussianNLLLoss",
      [opts],
      GAUSSIAN_SPECS.map((s) => ({ ...s, keywordOnly: true })),
    );
    super(reductionOf("GaussianNLLLoss", a));
    this.full = a.full as boolean;
    this.eps = a.eps as number;
  }
  /** The loss of `input` against `target` with variances `variance`, reduced as configured. */
  override forward(input: Tensor, target: Tensor, variance: Tensor): Tensor {
    const call = "GaussianNLLLoss.forward";
    tensors(call, [[input, "input"], [target, "target"], [variance, "var"]]);
    return gaussianImpl(call, input, target, variance, this.full, this.eps, this.reduction);
  }
}
