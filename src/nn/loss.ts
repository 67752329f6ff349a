/**
 * Losses, part 1: regression and likelihood losses with their functional twins — L1Loss,
 * MSELoss, SmoothL1Loss, NLLLoss (and NLLLoss2d), CrossEntropyLoss, KLDivLoss, BCELoss and
 * BCEWithLogitsLoss. The margin and embedding losses are in `loss_margin.ts`.
 *
 * Every loss takes the modern `reduction: "mean" | "sum" | "none"` and the seed's
 * `sizeAverage`/`reduce`, resolved exactly like PyTorch's `_Reduction.legacy_get_string`
 * (when either legacy flag is given it wins: both default to true; `reduce: false` gives
 * "none", else `sizeAverage: false` gives "sum", else "mean").
 *
 * @module
 */

import type { Tensor } from "../tensor/mod.ts";
import { noGrad } from "../autograd/grad_mode.ts";
import * as E from "../tensor/ops/elementwise.ts";
import { mean, sum } from "../tensor/ops/reduce.ts";
import { indexSelect } from "../tensor/ops/indexing.ts";
import { reshape } from "../tensor/ops/view.ts";
import { logSoftmax as logSoftmaxOp } from "../tensor/ops/softmax.ts";
import {
  binaryCrossEntropyElementwise,
  crossEntropyIndices,
  nllLoss as nllLossOp,
  type Reduction,
} from "../tensor/ops/loss.ts";
import { checkTensor } from "../tensor/ops/util.ts";
import { broadcastShapes, describe, fmt, sameShape } from "../tensor/shape.ts";
import { Module } from "./module.ts";
import { logsigmoid } from "./activation.ts";
import { type ArgSpec, parseArgs } from "./positional.ts";

export type { Reduction } from "../tensor/ops/loss.ts";

/** The options every loss accepts. */
export interface ReductionOptions {
  /** "mean" (default), "sum" or "none". */
  reduction?: Reduction;
  /** Legacy (the seed's): false sums instead of averaging. */
  sizeAverage?: boolean | null;
  /** Legacy: false returns the unreduced loss. */
  reduce?: boolean | null;
}

/** Options of the losses with per-class weights. */
export interface WeightedLossOptions extends ReductionOptions {
  /** A weight per class (or per element, broadcast), or null. */
  weight?: Tensor | null;
}
/** Options of `NLLLoss` / `nllLoss`. */
export interface NLLLossOptions extends WeightedLossOptions {
  /** The target value that contributes nothing (default -100). */
  ignoreIndex?: number;
}
/** Options of `CrossEntropyLoss` / `crossEntropy`. */
export interface CrossEntropyLossOptions extends NLLLossOptions {
  /** Mix this much of the uniform distribution into the targets, in [0, 1] (default 0). */
  labelSmoothing?: number;
}
/** Options of `SmoothL1Loss` / `smoothL1Loss`. */
export interface SmoothL1LossOptions extends ReductionOptions {
  /** Where the loss turns from quadratic to linear (default 1; 0 is the L1 loss). */
  beta?: number;
}
/** Options of `KLDivLoss` / `klDiv`. */
export interface KLDivLossOptions extends Omit<ReductionOptions, "reduction"> {
  /** "mean" (over elements), "batchmean" (the KL divergence), "sum" or "none". */
  reduction?: Reduction | "batchmean";
  /** The target holds log-probabilities (default false). */
  logTarget?: boolean;
}
/** Options of `BCEWithLogitsLoss` / `binaryCrossEntropyWithLogits`. */
export interface BCEWithLogitsLossOptions extends WeightedLossOptions {
  /** The weight of positive examples (broadcast along the last dim), or null. */
  posWeight?: Tensor | null;
}

/** @internal argument specs shared by the losses (PyTorch's names, camelCased) */
export const SIZE_AVERAGE: ArgSpec = { name: "sizeAverage", kind: "boolean?", default: null };
/** @internal */
export const REDUCE: ArgSpec = { name: "reduce", kind: "boolean?", default: null };
/** @internal */
export const REDUCTION: ArgSpec = { name: "reduction", kind: "string?", default: "mean" };
/** @internal */
export const WEIGHT: ArgSpec = { name: "weight", kind: "tensor?", default: null };
/** @internal */
export const LEGACY: ArgSpec[] = [SIZE_AVERAGE, REDUCE, REDUCTION];

/** PyTorch's `_Reduction.legacy_get_string`: both flags default to true. */
export function legacyReduction(
  sizeAverage: boolean | null | undefined,
  reduce: boolean | null | undefined,
): Reduction {
  const sa = sizeAverage ?? true, r = reduce ?? true;
  return sa && r ? "mean" : r ? "sum" : "none";
}

/** The effective reduction of parsed loss arguments (legacy flags win when given). */
export function reductionOf(call: string, a: Record<string, unknown>, extra: readonly string[] = []): string {
  if (a.sizeAverage != null || a.reduce != null) {
    return legacyReduction(a.sizeAverage as boolean | null, a.reduce as boolean | null);
  }
  const r = a.reduction ?? "mean";
  if (typeof r !== "string" || !["none", "mean", "sum", ...extra].includes(r)) {
    throw new RangeError(
      `${call}: ${describe(r)} is not a valid value for reduction (expected "none", "mean" or "sum")`,
    );
  }
  return r;
}

/** Applies "mean", "sum" or "none" to an elementwise loss. */
export function applyReduction(loss: Tensor, reduction: string): Tensor {
  if (reduction === "mean") return mean(loss);
  if (reduction === "sum") return sum(loss);
  return loss;
}

/** Checks that the tensors are live Tensors; returns them. */
export function tensors(call: string, pairs: [unknown, string][]): Tensor[] {
  return pairs.map(([t, name]) => checkTensor(t, call, name));
}

/** Checks that two shapes broadcast (PyTorch broadcasts a mismatched target, with a warning). */
export function checkBroadcast(call: string, a: Tensor, b: Tensor): void {
  broadcastShapes(a.shape, b.shape, call);
}

/**
 * Base of every loss module: holds the resolved `reduction`.
 *
 * @example
 * ```ts
 * import { nn } from "../../mod.ts";
 * const loss: nn.Loss = new nn.MSELoss({ reduction: "sum" });
 * console.log(loss.reduction); // sum
 * ```
 */
export abstract class Loss extends Module {
  /** "mean", "sum" or "none" (KLDivLoss also "batchmean"). */
  reduction: string;
  /** @internal */
  constructor(reduction: string) {
    super();
    this.reduction = reduction;
  }
  /** The arguments shown in the module's repr. */
  override extraRepr(): string {
    return this.reduction === "mean" ? "" : `reduction=${this.reduction}`;
  }
}

/**
 * Base of the losses with a per-class `weight`, registered as a buffer as in PyTorch.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const loss: nn.WeightedLoss = new nn.NLLLoss({ weight: tensor([1, 2]) });
 * console.log(loss.weight?.tolist()); // [1, 2]
 * ```
 */
export abstract class WeightedLoss extends Loss {
  /** The class weights, or null. A buffer: it is in the state dict when given. */
  declare weight: Tensor | null;
  /** @internal */
  constructor(reduction: string, weight: Tensor | null) {
    super(reduction);
    this.registerBuffer("weight", weight);
  }
}

// ------------------------------------------------------------------ L1 / MSE / SmoothL1

/**
 * Mean absolute error `|input - target|`. `F.l1Loss(x, y, { reduction: "sum" })`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(nn.functional.l1Loss(tensor([1, 2]), tensor([0, 4])).item()); // 1.5
 * ```
 */
export function l1Loss(input: Tensor, target: Tensor, opts?: ReductionOptions): Tensor {
  const call = "l1Loss";
  tensors(call, [[input, "input"], [target, "target"]]);
  return l1Impl(call, input, target, reductionOf(call, parseArgs(call, [opts], LEGACY)));
}

function l1Impl(call: string, input: Tensor, target: Tensor, red: string): Tensor {
  checkBroadcast(call, input, target);
  return applyReduction(E.abs(E.sub(input, target)), red);
}

/**
 * Mean squared error `(input - target)^2`. `F.mseLoss(x, y, { reduction: "none" })`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(nn.functional.mseLoss(tensor([1, 2]), tensor([0, 4])).item()); // 2.5
 * ```
 */
export function mseLoss(input: Tensor, target: Tensor, opts?: ReductionOptions): Tensor {
  const call = "mseLoss";
  tensors(call, [[input, "input"], [target, "target"]]);
  return mseImpl(call, input, target, reductionOf(call, parseArgs(call, [opts], LEGACY)));
}

function mseImpl(call: string, input: Tensor, target: Tensor, red: string): Tensor {
  checkBroadcast(call, input, target);
  return applyReduction(E.square(E.sub(input, target)), red);
}

/**
 * Huber-style loss: `0.5 d^2 / beta` where `|d| < beta`, else `|d| - 0.5 beta` (`beta` default 1;
 * `beta: 0` is the L1 loss). `F.smoothL1Loss(x, y, { beta: 0.5 })`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(nn.functional.smoothL1Loss(tensor([0, 0]), tensor([0.5, 3])).item()); // 1.3125
 * ```
 */
export function smoothL1Loss(input: Tensor, target: Tensor, opts?: SmoothL1LossOptions): Tensor {
  const call = "smoothL1Loss";
  tensors(call, [[input, "input"], [target, "target"]]);
  const a = parseArgs(call, [opts], [...LEGACY, { name: "beta", kind: "number", default: 1 }]);
  return smoothL1(call, input, target, reductionOf(call, a), a.beta as number);
}

function smoothL1(call: string, input: Tensor, target: Tensor, red: string, beta: number): Tensor {
  if (beta < 0) throw new RangeError(`${call}: smooth_l1_loss does not support negative values for beta, got ${beta}`);
  checkBroadcast(call, input, target);
  const d = E.sub(input, target);
  if (beta === 0) return applyReduction(E.abs(d), red);
  const ad = E.abs(d);
  const l = E.where(E.compare("lt", ad, beta), E.mul(E.square(d), 0.5 / beta), E.sub(ad, 0.5 * beta));
  return applyReduction(l, red);
}

/**
 * Mean absolute error: `new nn.L1Loss()`, `new nn.L1Loss({ reduction: "sum" })` or the seed's
 * `new nn.L1Loss({ sizeAverage: false })`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const loss = new nn.L1Loss({ sizeAverage: false });
 * console.log(loss.forward(tensor([1, 2]), tensor([0, 4])).item()); // 3
 * ```
 */
export class L1Loss extends Loss {
  /**
   * Options (`reduction`, or the seed's `sizeAverage`/`reduce`), or PyTorch's positional (size_average, reduce, reduction).
   */
  constructor(first?: boolean | null | ReductionOptions, ...positional: unknown[]) {
    super(reductionOf("L1Loss", parseArgs("L1Loss", [first, ...positional], LEGACY)));
  }
  /** The loss of `input` against `target`, reduced as configured. */
  override forward(input: Tensor, target: Tensor): Tensor {
    const call = "L1Loss.forward";
    tensors(call, [[input, "input"], [target, "target"]]);
    return l1Impl(call, input, target, this.reduction);
  }
}

/**
 * Mean squared error: `new nn.MSELoss()` (+ `{ reduction }` or `{ sizeAverage, reduce }`).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(new nn.MSELoss().forward(tensor([1, 2]), tensor([0, 4])).item()); // 2.5
 * ```
 */
export class MSELoss extends Loss {
  /**
   * Options (`reduction`, or the seed's `sizeAverage`/`reduce`), or PyTorch's positional (size_average, reduce, reduction).
   */
  constructor(first?: boolean | null | ReductionOptions, ...positional: unknown[]) {
    super(reductionOf("MSELoss", parseArgs("MSELoss", [first, ...positional], LEGACY)));
  }
  /** The loss of `input` against `target`, reduced as configured. */
  override forward(input: Tensor, target: Tensor): Tensor {
    const call = "MSELoss.forward";
    tensors(call, [[input, "input"], [target, "target"]]);
    return mseImpl(call, input, target, this.reduction);
  }
}

/**
 * Smooth L1 (Huber-style) loss with `beta` (default 1): `new nn.SmoothL1Loss({ beta: 0.5 })`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(new nn.SmoothL1Loss().forward(tensor([0]), tensor([3])).item()); // 2.5
 * ```
 */
export class SmoothL1Loss extends Loss {
  /** The L2-to-L1 switch point. */
  beta: number;
  /**
   * Options (`beta`, `reduction`, ...), or PyTorch's positional (size_average, reduce, reduction, beta).
   */
  constructor(first?: boolean | null | SmoothL1LossOptions, ...positional: unknown[]) {
    const a = parseArgs("SmoothL1Loss", [first, ...positional], [...LEGACY, {
      name: "beta",
      kind: "number",
      default: 1,
    }]);
    super(reductionOf("SmoothL1Loss", a));
    this.beta = a.beta as number;
    if (this.beta < 0) {
      throw new RangeError(`SmoothL1Loss: smooth_l1_loss does not support negative values for beta, got ${this.beta}`);
    }
  }
  /** The loss of `input` against `target`, reduced as configured. */
  override forward(input: Tensor, target: Tensor): Tensor {
    return smoothL1("SmoothL1Loss.forward", input, target, this.reduction, this.beta);
  }
}

// ------------------------------------------------------------------ NLL / cross entropy

const IGNORE_INDEX: ArgSpec = { name: "ignoreIndex", kind: "int", default: -100 };
const NLL_SPECS: ArgSpec[] = [WEIGHT, SIZE_AVERAGE, IGNORE_INDEX, REDUCE, REDUCTION];
const CE_SPECS: ArgSpec[] = [...NLL_SPECS, { name: "labelSmoothing", kind: "number", default: 0 }];

/**
 * Negative log likelihood of log-probabilities `input` — (C), (N, C) or (N, C, d1, ...) — at
 * class indices `target` — (), (N) or (N, d1, ...). With `weight`, "mean" divides by the summed
 * weight of the non-ignored targets (PyTorch's rule). Targets equal to `ignoreIndex` (default
 * -100) contribute nothing; any other index outside [0, C) is a RangeError.
 * `F.nllLoss(x, t)`, `F.nllLoss(x, t, weight)` or `F.nllLoss(x, t, { weight, ignoreIndex, reduction })`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const logp = tensor([[-1, -2], [-3, -4]]);
 * console.log(nn.functional.nllLoss(logp, tensor(new BigInt64Array([0n, 1n]))).item()); // 2.5
 * ```
 */
export function nllLoss(
  input: Tensor,
  target: Tensor,
  weight?: Tensor | null | NLLLossOptions,
  opts?: NLLLossOptions,
): Tensor {
  const call = "nllLoss";
  tensors(call, [[input, "input"], [target, "target"]]);
  const a = parseArgs(call, [weight, opts], NLL_SPECS);
  const red = reductionOf(call, a) as Reduction;
  return nllLossOp(input, target, a.weight as Tensor | null, a.ignoreIndex as number, red, call);
}

/** The weight viewed to broadcast along the class dim of `input` ([C, 1, ..., 1]). */
function classView(weight: Tensor, input: Tensor): Tensor {
  return input.ndim <= 2 ? weight : reshape(weight, [weight.numel(), ...new Array(input.ndim - 2).fill(1)]);
}

/**
 * Cross entropy of logits `input` (class dim 1, or 0 for an unbatched (C) input) against
 * class indices (int64, as `nllLoss`) or class probabilities (a float target of the input's
 * shape). Runs log_softmax + NLL fused natively for class indices. Options: `weight`,
 * `ignoreIndex`, `reduction`, `labelSmoothing` (in [0, 1]).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const logits = tensor([[0, 0], [1000, 0]]);
 * const t = tensor(new BigInt64Array([1n, 0n]));
 * console.log(nn.functional.crossEntropy(logits, t).item()); // 0.3465735912322998
 * ```
 */
export function crossEntropy(
  input: Tensor,
  target: Tensor,
  weight?: Tensor | null | CrossEntropyLossOptions,
  opts?: CrossEntropyLossOptions,
): Tensor {
  const call = "crossEntropy";
  tensors(call, [[input, "input"], [target, "target"]]);
  const a = parseArgs(call, [weight, opts], CE_SPECS);
  return crossEntropyImpl(
    call,
    input,
    target,
    a.weight as Tensor | null,
    a.ignoreIndex as number,
    reductionOf(call, a) as Reduction,
    a.labelSmoothing as number,
  );
}

function crossEntropyImpl(
  call: string,
  input: Tensor,
  target: Tensor,
  weight: Tensor | null,
  ignoreIndex: number,
  red: Reduction,
  eps: number,
): Tensor {
  if (!(eps >= 0 && eps <= 1)) {
    throw new RangeError(`${call}: label_smoothing must be between 0.0 and 1.0. Got: ${eps}`);
  }
  if (!input.isFloatingPoint()) {
    throw new TypeError(`${call}: expected a floating point input, got dtype ${input.dtype}`);
  }
  if (input.ndim === 0) throw new RangeError(`${call}: expected input with 1 or more dimensions, got 0`);
  const classDim = input.ndim === 1 ? 0 : 1;
  const c = input.shape[classDim];
  if (weight !== null && (weight.ndim !== 1 || weight.shape[0] !== c)) {
    throw new RangeError(
      `${call}: weight tensor should be defined either for all ${c} classes or no classes but got weight tensor of shape: ${
        fmt(weight.shape)
      }`,
    );
  }
  if (target.isFloatingPoint()) {
    // class probabilities
    if (!sameShape(target.shape, input.shape)) {
      throw new RangeError(
        `${call}: expected class-probability target of the input's shape ${
          fmt(input.shape)
        } (or int64 class indices), got shape ${fmt(target.shape)}`,
      );
    }
    const t = eps > 0 ? E.add(E.mul(target, 1 - eps), eps / c) : target;
    let prod = E.mul(logSoftmaxOp(input, classDim, call), t);
    if (weight !== null) prod = E.mul(prod, classView(weight, input));
    const l = E.neg(sum(prod, classDim));
    if (red === "mean") return E.div(sum(l), input.numel() / c);
    return red === "sum" ? sum(l) : l;
  }
  if (eps === 0) return crossEntropyIndices(input, target, weight, ignoreIndex, red, call);
  // label smoothing over class indices (PyTorch's cross_entropy_loss_label_smoothing)
  const logp = logSoftmaxOp(input, classDim, call);
  const nll = nllLossOp(logp, target, weight, ignoreIndex, red, call);
  const ignored = E.compare("eq", target, ignoreIndex);
  const weighted = weight === null ? logp : E.mul(logp, classView(weight, input));
  const smooth = E.where(ignored, 0, E.neg(sum(weighted, classDim)));
  let ret: Tensor;
  if (red === "mean") {
    const denom = noGrad(() => {
      if (weight === null) return sum(E.logicalNot(ignored)).item();
      const safe = E.where(ignored, 0, target).flatten();
      return sum(E.where(ignored.flatten(), 0, indexSelect(weight, 0, safe))).item();
    });
    ret = E.div(sum(smooth), denom);
  } else ret = red === "sum" ? sum(smooth) : smooth;
  return E.add(E.mul(nll, 1 - eps), E.mul(ret, eps / c));
}

/**
 * Negative log likelihood: `new nn.NLLLoss()`, `new nn.NLLLoss({ weight, ignoreIndex, reduction })`
 * (the seed's `sizeAverage` too). Input: log-probabilities (N, C) or (N, C, d1, ...).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const loss = new nn.NLLLoss({ weight: tensor([1, 3]) });
 * const logp = tensor([[-1, -2], [-3, -4]]);
 * console.log(loss.forward(logp, tensor(new BigInt64Array([0n, 1n]))).item()); // 3.25
 * ```
 */
export class NLLLoss extends WeightedLoss {
  /** The target index that contributes nothing (default -100). */
  ignoreIndex: number;
  /**
   * Options (`weight`, `ignoreIndex`, `reduction`, ...), or PyTorch's positional (weight, size_average, ignore_index, reduce, reduction).
   */
  constructor(first?: Tensor | null | NLLLossOptions, ...positional: unknown[]) {
    const a = parseArgs("NLLLoss", [first, ...positional], NLL_SPECS);
    super(reductionOf("NLLLoss", a), a.weight as Tensor | null);
    this.ignoreIndex = a.ignoreIndex as number;
  }
  /** The loss of `input` against `target`, reduced as configured. */
  override forward(input: Tensor, target: Tensor): Tensor {
    const call = `${this.constructor.name}.forward`;
    tensors(call, [[input, "input"], [target, "target"]]);
    return nllLossOp(input, target, this.weight, this.ignoreIndex, this.reduction as Reduction, call);
  }
}

/**
 * The seed's 2-d NLL loss (an alias of `NLLLoss`, which handles (N, C, H, W) input).
 *
 * @example
 * ```ts
 * import { nn, zeros } from "../../mod.ts";
 * const t = zeros([1, 2, 2], { dtype: "int64" });
 * console.log(new nn.NLLLoss2d().forward(zeros([1, 3, 2, 2]), t).item()); // 0
 * ```
 */
export class NLLLoss2d extends NLLLoss {}

/**
 * Cross entropy (log_softmax + NLL): `new nn.CrossEntropyLoss()`,
 * `new nn.CrossEntropyLoss({ weight, ignoreIndex, reduction, labelSmoothing })`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const loss = new nn.CrossEntropyLoss();
 * const y = loss.forward(tensor([[0, 0]]), tensor(new BigInt64Array([0n])));
 * console.log(y.item()); // 0.6931471824645996
 * ```
 */
export class CrossEntropyLoss extends WeightedLoss {
  /** The target index that contributes nothing (default -100). */
  ignoreIndex: number;
  /** The label smoothing amount in [0, 1] (default 0). */
  labelSmoothing: number;
  /**
   * Options (`weight`, `ignoreIndex`, `reduction`, `labelSmoothing`, ...), or PyTorch's positional (weight, size_average, ignore_index, reduce, reduction, label_smoothing).
   */
  constructor(first?: Tensor | null | CrossEntropyLossOptions, ...positional: unknown[]) {
    const a = parseArgs("CrossEntropyLoss", [first, ...positional], CE_SPECS);
    super(reductionOf("CrossEntropyLoss", a), a.weight as Tensor | null);
    this.ignoreIndex = a.ignoreIndex as number;
    this.labelSmoothing = a.labelSmoothing as number;
    if (!(this.labelSmoothing >= 0 && this.labelSmoothing <= 1)) {
      throw new RangeError(
        `CrossEntropyLoss: label_smoothing must be between 0.0 and 1.0. Got: ${this.labelSmoothing}`,
      );
    }
  }
  /** The loss of `input` against `target`, reduced as configured. */
  override forward(input: Tensor, target: Tensor): Tensor {
    const call = "CrossEntropyLoss.forward";
    tensors(call, [[input, "input"], [target, "target"]]);
    return crossEntropyImpl(
      call,
      input,
      target,
      this.weight,
      this.ignoreIndex,
      this.reduction as Reduction,
      this.labelSmoothing,
    );
  }
}

// ------------------------------------------------------------------ KL divergence

/**
 * Kullback-Leibler divergence of log-probabilities `input` from `target`:
 * `target * (log(target) - input)` (0 where target is 0), or with `logTarget: true`
 * `exp(target) * (target - input)`. `reduction` may also be "batchmean" (sum / batch size,
 * the true KL divergence); "mean" averages over every element, as PyTorch does.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const p = tensor([[0.5, 0.5]]);
 * console.log(nn.functional.klDiv(p.log(), p, { reduction: "batchmean" }).item()); // 0
 * ```
 */
export function klDiv(input: Tensor, target: Tensor, opts?: KLDivLossOptions): Tensor {
  const call = "klDiv";
  tensors(call, [[input, "input"], [target, "target"]]);
  const a = parseArgs(call, [opts], [...LEGACY, { name: "logTarget", kind: "boolean", default: false }]);
  return klDivImpl(call, input, target, reductionOf(call, a, ["batchmean"]), a.logTarget as boolean);
}

function klDivImpl(call: string, input: Tensor, target: Tensor, red: string, logTarget: boolean): Tensor {
  checkBroadcast(call, input, target);
  const l = logTarget
    ? E.mul(E.exp(target), E.sub(target, input))
    : E.where(E.compare("gt", target, 0), E.mul(target, E.sub(E.log(target), input)), 0);
  if (red === "batchmean") {
    const s = sum(l);
    return input.ndim === 0 ? s : E.div(s, input.shape[0]);
  }
  return applyReduction(l, red);
}

/**
 * KL divergence loss: `new nn.KLDivLoss({ reduction: "batchmean", logTarget })`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const loss = new nn.KLDivLoss({ reduction: "sum" });
 * console.log(loss.forward(tensor([0, 0]), tensor([1, 0])).item()); // 0
 * ```
 */
export class KLDivLoss extends Loss {
  /** Whether the target is given as log-probabilities. */
  logTarget: boolean;
  /**
   * Options (`reduction` incl. "batchmean", `logTarget`, ...), or PyTorch's positional (size_average, reduce, reduction, log_target).
   */
  constructor(first?: boolean | null | KLDivLossOptions, ...positional: unknown[]) {
    const a = parseArgs("KLDivLoss", [first, ...positional], [...LEGACY, {
      name: "logTarget",
      kind: "boolean",
      default: false,
    }]);
    super(reductionOf("KLDivLoss", a, ["batchmean"]));
    this.logTarget = a.logTarget as boolean;
  }
  /** The loss of `input` against `target`, reduced as configured. */
  override forward(input: Tensor, target: Tensor): Tensor {
    const call = "KLDivLoss.forward";
    tensors(call, [[input, "input"], [target, "target"]]);
    return klDivImpl(call, input, target, this.reduction, this.logTarget);
  }
}

// ------------------------------------------------------------------ binary cross entropy

function checkSameShape(call: string, input: Tensor, target: Tensor): void {
  if (!sameShape(input.shape, target.shape)) {
    throw new RangeError(
      `${call}: Using a target size (${fmt(target.shape)}) that is different to the input size (${
        fmt(input.shape)
      }) is deprecated. Please ensure they have the same size.`,
    );
  }
}

function checkWeightFits(call: string, weight: Tensor | null, target: Tensor, name = "weight"): void {
  if (weight === null) return;
  const s = broadcastShapes(weight.shape, target.shape, call);
  if (!sameShape(s, target.shape)) {
    throw new RangeError(
      `${call}: ${name} of shape ${fmt(weight.shape)} does not broadcast to the target's shape ${fmt(target.shape)}`,
    );
  }
}

function bceImpl(call: string, input: Tensor, target: Tensor, weight: Tensor | null, red: string): Tensor {
  checkSameShape(call, input, target);
  checkWeightFits(call, weight, target);
  if (!input.isFloatingPoint()) {
    throw new TypeError(`${call}: expected a floating point input, got dtype ${input.dtype}`);
  }
  const outside = noGrad(() => input.numel() > 0 && E.compare("ne", E.clamp(input, 0, 1), input).any().item() !== 0);
  if (outside) throw new RangeError(`${call}: all elements of input should be between 0 and 1`);
  let l = binaryCrossEntropyElementwise(input, target);
  if (weight !== null) l = E.mul(l, weight);
  return applyReduction(l, red);
}

const BCE_SPECS: ArgSpec[] = [WEIGHT, ...LEGACY];

/**
 * Binary cross entropy between probabilities `input` (every element in [0, 1], else a
 * RangeError) and `target` of the same shape; the logs are clamped at -100 as in PyTorch.
 * `F.binaryCrossEntropy(p, t, { weight, reduction })`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(nn.functional.binaryCrossEntropy(tensor([0.5]), tensor([1])).item()); // 0.6931471824645996
 * ```
 */
export function binaryCrossEntropy(
  input: Tensor,
  target: Tensor,
  weight?: Tensor | null | WeightedLossOptions,
  opts?: WeightedLossOptions,
): Tensor {
  const call = "binaryCrossEntropy";
  tensors(call, [[input, "input"], [target, "target"]]);
  const a = parseArgs(call, [weight, opts], BCE_SPECS);
  return bceImpl(call, input, target, a.weight as Tensor | null, reductionOf(call, a));
}

/**
 * Binary cross entropy: `new nn.BCELoss()`, `new nn.BCELoss({ weight, reduction })`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(new nn.BCELoss().forward(tensor([0.5, 0.5]), tensor([0, 1])).item()); // 0.6931471824645996
 * ```
 */
export class BCELoss extends WeightedLoss {
  /**
   * Options (`weight`, `reduction`, ...), or PyTorch's positional (weight, size_average, reduce, reduction).
   */
  constructor(first?: Tensor | null | WeightedLossOptions, ...positional: unknown[]) {
    const a = parseArgs("BCELoss", [first, ...positional], BCE_SPECS);
    super(reductionOf("BCELoss", a), a.weight as Tensor | null);
  }
  /** The loss of `input` against `target`, reduced as configured. */
  override forward(input: Tensor, target: Tensor): Tensor {
    const call = "BCELoss.forward";
    tensors(call, [[input, "input"], [target, "target"]]);
    return bceImpl(call, input, target, this.weight, this.reduction);
  }
}

function bceLogitsImpl(
  call: string,
  input: Tensor,
  target: Tensor,
  weight: Tensor | null,
  posWeight: Tensor | null,
  red: string,
): Tensor {
  if (!sameShape(input.shape, target.shape)) {
    throw new RangeError(
      `${call}: Target size (${fmt(target.shape)}) must be the same as input size (${fmt(input.shape)})`,
    );
  }
  checkWeightFits(call, weight, target);
  checkWeightFits(call, posWeight, target, "posWeight");
  // (1 - t) x - (1 + (pw - 1) t) log(sigmoid(x)), with a stable log-sigmoid
  const ls = logsigmoid(input);
  const lw = posWeight === null ? null : E.add(E.mul(E.sub(posWeight, 1), target), 1);
  let l = E.sub(E.mul(E.add(E.neg(target), 1), input), lw === null ? ls : E.mul(lw, ls));
  if (weight !== null) l = E.mul(l, weight);
  return applyReduction(l, red);
}

const BCE_LOGITS_SPECS: ArgSpec[] = [WEIGHT, ...LEGACY, { name: "posWeight", kind: "tensor?", default: null }];

/**
 * Binary cross entropy on logits (sigmoid folded in, computed stably), with optional `weight`
 * and `posWeight` (the weight of positive examples, broadcast along the last dim).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(nn.functional.binaryCrossEntropyWithLogits(tensor([0]), tensor([1])).item()); // 0.6931471824645996
 * ```
 */
export function binaryCrossEntropyWithLogits(
  input: Tensor,
  target: Tensor,
  weight?: Tensor | null | BCEWithLogitsLossOptions,
  opts?: BCEWithLogitsLossOptions,
): Tensor {
  const call = "binaryCrossEntropyWithLogits";
  tensors(call, [[input, "input"], [target, "target"]]);
  const a = parseArgs(call, [weight, opts], BCE_LOGITS_SPECS);
  return bceLogitsImpl(
    call,
    input,
    target,
    a.weight as Tensor | null,
    a.posWeight as Tensor | null,
    reductionOf(call, a),
  );
}

/**
 * Binary cross entropy on logits: `new nn.BCEWithLogitsLoss({ weight, posWeight, reduction })`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(new nn.BCEWithLogitsLoss().forward(tensor([100]), tensor([1])).item() < 1e-30); // true
 * ```
 */
export class BCEWithLogitsLoss extends WeightedLoss {
  /** The weight of positive examples, or null. A buffer. */
  declare pos_weight: Tensor | null;
  /**
   * Options (`weight`, `posWeight`, `reduction`, ...), or PyTorch's positional (weight, size_average, reduce, reduction, pos_weight).
   */
  constructor(first?: Tensor | null | BCEWithLogitsLossOptions, ...positional: unknown[]) {
    const a = parseArgs("BCEWithLogitsLoss", [first, ...positional], BCE_LOGITS_SPECS);
    super(reductionOf("BCEWithLogitsLoss", a), a.weight as Tensor | null);
    this.registerBuffer("pos_weight", a.posWeight as Tensor | null);
  }
  /** The loss of `input` against `target`, reduced as configured. */
  override forward(input: Tensor, target: Tensor): Tensor {
    const call = "BCEWithLogitsLoss.forward";
    tensors(call, [[input, "input"], [target, "target"]]);
    return bceLogitsImpl(call, input, target, this.weight, this.pos_weight, this.reduction);
  }
}
