/**
 * Losses, part 2: margin and embedding losses with their functional twins —
 * MarginRankingLoss, HingeEmbeddingLoss, SoftMarginLoss, MultiLabelSoftMarginLoss,
 * CosineEmbeddingLoss, MultiMarginLoss, MultiLabelMarginLoss, TripletMarginLoss and
 * TripletMarginWithDistanceLoss. Each is a composition of
 * differentiable tensor ops following PyTorch's formulas (including which side of each
 * hinge passes gradient), with the reductions of `loss.ts`.
 *
 * @module
 */

import { type Tensor, tensor } from "../tensor/mod.ts";
import { arange } from "../tensor/create.ts";
import * as E from "../tensor/ops/elementwise.ts";
import { sum } from "../tensor/ops/reduce.ts";
import { gather, indexSelect } from "../tensor/ops/indexing.ts";
import { reshape, unsqueeze } from "../tensor/ops/view.ts";
import { castRaw, contiguousRaw } from "../tensor/ops/util.ts";
import { fmt, sameShape } from "../tensor/shape.ts";
import { logsigmoid } from "./activation.ts";
import { Module } from "./module.ts";
import { pairwise, PairwiseDistance } from "./distance.ts";
import { type ArgSpec, parseArgs } from "./positional.ts";
import {
  applyReduction,
  checkBroadcast,
  LEGACY,
  Loss,
  REDUCE,
  REDUCTION,
  reductionOf,
  type ReductionOptions,
  SIZE_AVERAGE,
  tensors,
  WEIGHT,
  WeightedLoss,
  type WeightedLossOptions,
} from "./loss.ts";

const marginSpec = (dflt: number): ArgSpec => ({ name: "margin", kind: "number", default: dflt });

/** Parses the (margin, size_average, reduce, reduction) arguments the margin losses share. */
function marginArgs(call: string, args: unknown[], dflt: number): { margin: number; reduction: string } {
  const a = parseArgs(call, args, [marginSpec(dflt), ...LEGACY]);
  return { margin: a.margin as number, reduction: reductionOf(call, a) };
}

/** Checks the (input1, input2, target) tensors of a pair loss. */
function pairTensors(call: string, input1: Tensor, input2: Tensor, target: Tensor): void {
  tensors(call, [[input1, "input1"], [input2, "input2"], [target, "target"]]);
}

/** Options of the margin losses (MarginRanking, HingeEmbedding, CosineEmbedding). */
export interface MarginLossOptions extends ReductionOptions {
  /** The margin (defaults: 0 for ranking and cosine, 1 for hinge). */
  margin?: number;
}
/** Options of `MultiMarginLoss` / `multiMarginLoss`. */
export interface MultiMarginLossOptions extends WeightedLossOptions {
  /** The exponent, 1 (default) or 2. */
  p?: number;
  /** The margin (default 1). */
  margin?: number;
}

// ------------------------------------------------------------------ MarginRankingLoss

function marginRankingImpl(call: string, x1: Tensor, x2: Tensor, y: Tensor, m: number, red: string): Tensor {
  if (x1.ndim !== x2.ndim || x1.ndim !== y.ndim) {
    throw new RangeError(
      `${call}: All input tensors should have same dimension but got sizes: input1: ${fmt(x1.shape)}, input2: ${
        fmt(x2.shape)
      }, target: ${fmt(y.shape)}`,
    );
  }
  checkBroadcast(call, x1, x2);
  checkBroadcast(call, x1, y);
  // max(0, -y (x1 - x2) + margin); clamp passes gradient at the boundary, as clamp_min does
  return applyReduction(E.clamp(E.add(E.mul(E.neg(y), E.sub(x1, x2)), m), 0), red);
}

/**
 * `max(0, -y (x1 - x2) + margin)` for labels y in {1, -1}. `F.marginRankingLoss(x1, x2, y, { margin })`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const l = nn.functional.marginRankingLoss(tensor([1, 1]), tensor([2, 0]), tensor([1, 1]), { margin: 0.5 });
 * console.log(l.item()); // 0.75
 * ```
 */
export function marginRankingLoss(
  input1: Tensor,
  input2: Tensor,
  target: Tensor,
  margin?: number | MarginLossOptions,
  opts?: MarginLossOptions,
): Tensor {
  const call = "marginRankingLoss";
  pairTensors(call, input1, input2, target);
  const a = marginArgs(call, [margin, opts], 0);
  return marginRankingImpl(call, input1, input2, target, a.margin, a.reduction);
}

/**
 * Ranking loss of pairs: `new nn.MarginRankingLoss({ margin: 0.3 })`; forward(x1, x2, y).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const loss = new nn.MarginRankingLoss();
 * console.log(loss.forward(tensor([3]), tensor([1]), tensor([-1])).item()); // 2
 * ```
 */
export class MarginRankingLoss extends Loss {
  /** The required separation (default 0). */
  margin: number;
  /**
   * Options (`margin`, `reduction`, ...), or PyTorch's positional (margin, size_average, reduce, reduction).
   */
  constructor(first?: number | MarginLossOptions, ...positional: unknown[]) {
    const a = marginArgs("MarginRankingLoss", [first, ...positional], 0);
    super(a.reduction);
    this.margin = a.margin;
  }
  /** The loss of the pairs (`input1`, `input2`) against the labels `target`, reduced as configured. */
  override forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    const call = "MarginRankingLoss.forward";
    pairTensors(call, input1, input2, target);
    return marginRankingImpl(call, input1, input2, target, this.margin, this.reduction);
  }
}

// ------------------------------------------------------------------ HingeEmbeddingLoss

function hingeImpl(call: string, x: Tensor, y: Tensor, m: number, red: string): Tensor {
  checkBroadcast(call, x, y);
  // where(y != 1, max(0, margin - x), 0) + where(y != -1, x, 0)
  const marginPart = E.where(E.compare("ne", y, 1), E.clamp(E.add(E.neg(x), m), 0), 0);
  const selfPart = E.where(E.compare("ne", y, -1), x, 0);
  return applyReduction(E.add(marginPart, selfPart), red);
}

/**
 * `x` where y = 1 and `max(0, margin - x)` where y = -1 (`margin` default 1).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(nn.functional.hingeEmbeddingLoss(tensor([0.5, 0.25]), tensor([1, -1])).item()); // 0.625
 * ```
 */
export function hingeEmbeddingLoss(
  input: Tensor,
  target: Tensor,
  margin?: number | MarginLossOptions,
  opts?: MarginLossOptions,
): Tensor {
  const call = "hingeEmbeddingLoss";
  tensors(call, [[input, "input"], [target, "target"]]);
  const a = marginArgs(call, [margin, opts], 1);
  return hingeImpl(call, input, target, a.margin, a.reduction);
}

/**
 * Hinge embedding loss: `new nn.HingeEmbeddingLoss({ margin: 1.5 })`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const loss = new nn.HingeEmbeddingLoss({ margin: 2 });
 * console.log(loss.forward(tensor([0.5]), tensor([-1])).item()); // 1.5
 * ```
 */
export class HingeEmbeddingLoss extends Loss {
  /** The margin for y = -1 (default 1). */
  margin: number;
  /**
   * Options (`margin`, `reduction`, ...), or PyTorch's positional (margin, size_average, reduce, reduction).
   */
  constructor(first?: number | MarginLossOptions, ...positional: unknown[]) {
    const a = marginArgs("HingeEmbeddingLoss", [first, ...positional], 1);
    super(a.reduction);
    this.margin = a.margin;
  }
  /** The loss of `input` against `target`, reduced as configured. */
  override forward(input: Tensor, target: Tensor): Tensor {
    const call = "HingeEmbeddingLoss.forward";
    tensors(call, [[input, "input"], [target, "target"]]);
    return hingeImpl(call, input, target, this.margin, this.reduction);
  }
}

// ------------------------------------------------------------------ SoftMarginLoss

function softMarginImpl(call: string, x: Tensor, y: Tensor, red: string): Tensor {
  checkBroadcast(call, x, y);
  // log(1 + exp(-y x)) = -log(sigmoid(y x)), computed without overflow
  return applyReduction(E.neg(logsigmoid(E.mul(y, x))), red);
}

/**
 * Two-class logistic loss `log(1 + exp(-y x))` for labels y in {1, -1}.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(nn.functional.softMarginLoss(tensor([0]), tensor([1])).item()); // 0.6931471824645996
 * ```
 */
export function softMarginLoss(input: Tensor, target: Tensor, opts?: ReductionOptions): Tensor {
  const call = "softMarginLoss";
  tensors(call, [[input, "input"], [target, "target"]]);
  return softMarginImpl(call, input, target, reductionOf(call, parseArgs(call, [opts], LEGACY)));
}

/**
 * Two-class logistic loss: `new nn.SoftMarginLoss()`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(new nn.SoftMarginLoss().forward(tensor([100]), tensor([1])).item() < 1e-30); // true
 * ```
 */
export class SoftMarginLoss extends Loss {
  /**
   * Options (`reduction`, or the seed's `sizeAverage`/`reduce`), or PyTorch's positional (size_average, reduce, reduction).
   */
  constructor(first?: boolean | null | ReductionOptions, ...positional: unknown[]) {
    super(reductionOf("SoftMarginLoss", parseArgs("SoftMarginLoss", [first, ...positional], LEGACY)));
  }
  /** The loss of `input` against `target`, reduced as configured. */
  override forward(input: Tensor, target: Tensor): Tensor {
    const call = "SoftMarginLoss.forward";
    tensors(call, [[input, "input"], [target, "target"]]);
    return softMarginImpl(call, input, target, this.reduction);
  }
}

// ------------------------------------------------------------------ MultiLabelSoftMarginLoss

function multilabelSoftMarginImpl(call: string, x: Tensor, y: Tensor, w: Tensor | null, red: string): Tensor {
  if (x.ndim === 0) throw new RangeError(`${call}: expected input with 1 or more dimensions (N, C), got 0`);
  if (!sameShape(x.shape, y.shape)) {
    throw new RangeError(`${call}: expected target of the input's shape ${fmt(x.shape)}, got ${fmt(y.shape)}`);
  }
  if (w !== null) checkBroadcast(call, x, w);
  // -(y log(sigmoid(x)) + (1 - y) log(sigmoid(-x))), averaged over the classes (last dim)
  const pos = E.mul(y, logsigmoid(x));
  const negPart = E.mul(E.add(E.neg(y), 1), logsigmoid(E.neg(x)));
  let l = E.neg(E.add(pos, negPart));
  if (w !== null) l = E.mul(l, w);
  const classDim = x.ndim - 1;
  const perSample = E.div(sum(l, classDim), x.shape[classDim]);
  return applyReduction(perSample, red);
}

const MLSM_SPECS: ArgSpec[] = [WEIGHT, ...LEGACY];

/**
 * One-versus-all logistic loss over C labels (target of 0/1 of the input's shape), averaged
 * over the classes; optional per-class `weight`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(nn.functional.multilabelSoftMarginLoss(tensor([[0, 0]]), tensor([[1, 0]])).item()); // 0.6931471824645996
 * ```
 */
export function multilabelSoftMarginLoss(
  input: Tensor,
  target: Tensor,
  weight?: Tensor | null | WeightedLossOptions,
  opts?: WeightedLossOptions,
): Tensor {
  const call = "multilabelSoftMarginLoss";
  tensors(call, [[input, "input"], [target, "target"]]);
  const a = parseArgs(call, [weight, opts], MLSM_SPECS);
  return multilabelSoftMarginImpl(call, input, target, a.weight as Tensor | null, reductionOf(call, a));
}

/**
 * Multi-label one-versus-all loss: `new nn.MultiLabelSoftMarginLoss({ weight })`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const loss = new nn.MultiLabelSoftMarginLoss();
 * console.log(loss.forward(tensor([[100, -100]]), tensor([[1, 0]])).item() < 1e-30); // true
 * ```
 */
export class MultiLabelSoftMarginLoss extends WeightedLoss {
  /**
   * Options (`weight`, `reduction`, ...), or PyTorch's positional (weight, size_average, reduce, reduction).
   */
  constructor(first?: Tensor | null | WeightedLossOptions, ...positional: unknown[]) {
    const a = parseArgs("MultiLabelSoftMarginLoss", [first, ...positional], MLSM_SPECS);
    super(reductionOf("MultiLabelSoftMarginLoss", a), a.weight as Tensor | null);
  }
  /** The loss of `input` against `target`, reduced as configured. */
  override forward(input: Tensor, target: Tensor): Tensor {
    const call = "MultiLabelSoftMarginLoss.forward";
    tensors(call, [[input, "input"], [target, "target"]]);
    return multilabelSoftMarginImpl(call, input, target, this.weight, this.reduction);
  }
}

// ------------------------------------------------------------------ CosineEmbeddingLoss

function cosineEmbeddingImpl(call: string, x1: Tensor, x2: Tensor, y: Tensor, m: number, red: string): Tensor {
  if (y.ndim !== 0 && y.ndim !== 1) {
    throw new RangeError(`${call}: 0D or 1D target tensor expected, multi-target not supported, got ${fmt(y.shape)}`);
  }
  const want = y.ndim + 1;
  if (x1.ndim !== want || x2.ndim !== want) {
    throw new RangeError(
      `${call}: ${y.ndim}D target tensor expects ${want}D input tensors, but found inputs with sizes ${
        fmt(x1.shape)
      } and ${fmt(x2.shape)}.`,
    );
  }
  checkBroadcast(call, x1, x2);
  const d = y.ndim; // the feature dim
  const EPS = 1e-12;
  const prod = sum(E.mul(x1, x2), d);
  const mag1 = E.add(sum(E.mul(x1, x1), d), EPS);
  const mag2 = E.add(sum(E.mul(x2, x2), d), EPS);
  const cos = E.div(prod, E.sqrt(E.mul(mag1, mag2)));
  checkBroadcast(call, cos, y);
  const pos = E.where(E.compare("eq", y, 1), E.add(E.neg(cos), 1), 0);
  const neg = E.where(E.compare("eq", y, -1), E.clamp(E.sub(cos, m), 0), 0);
  return applyReduction(E.add(pos, neg), red);
}

/**
 * `1 - cos(x1, x2)` where y = 1, `max(0, cos(x1, x2) - margin)` where y = -1; inputs (N, D)
 * with target (N), or (D) with a 0-d target.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const l = nn.functional.cosineEmbeddingLoss(tensor([[1, 0]]), tensor([[0, 1]]), tensor([1]));
 * console.log(l.item()); // 1
 * ```
 */
export function cosineEmbeddingLoss(
  input1: Tensor,
  input2: Tensor,
  target: Tensor,
  margin?: number | MarginLossOptions,
  opts?: MarginLossOptions,
): Tensor {
  const call = "cosineEmbeddingLoss";
  pairTensors(call, input1, input2, target);
  const a = marginArgs(call, [margin, opts], 0);
  return cosineEmbeddingImpl(call, input1, input2, target, a.margin, a.reduction);
}

/**
 * Cosine embedding loss: `new nn.CosineEmbeddingLoss({ margin: 0.2 })`; forward(x1, x2, y).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const loss = new nn.CosineEmbeddingLoss();
 * console.log(loss.forward(tensor([[1, 1]]), tensor([[2, 2]]), tensor([1])).item()); // 0
 * ```
 */
export class CosineEmbeddingLoss extends Loss {
  /** The margin for dissimilar pairs (default 0). */
  margin: number;
  /**
   * Options (`margin`, `reduction`, ...), or PyTorch's positional (margin, size_average, reduce, reduction).
   */
  constructor(first?: number | MarginLossOptions, ...positional: unknown[]) {
    const a = marginArgs("CosineEmbeddingLoss", [first, ...positional], 0);
    super(a.reduction);
    this.margin = a.margin;
  }
  /** The loss of the pairs (`input1`, `input2`) against the labels `target`, reduced as configured. */
  override forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    const call = "CosineEmbeddingLoss.forward";
    pairTensors(call, input1, input2, target);
    return cosineEmbeddingImpl(call, input1, input2, target, this.margin, this.reduction);
  }
}

// ------------------------------------------------------------------ MultiMarginLoss

/** Checks integer class targets against [lo, c) and returns them as contiguous int64. */
function classTargets(call: string, target: Tensor, c: number, lo: number, what: string): Tensor {
  if (target.dtype !== "int64" && target.dtype !== "int32") {
    throw new TypeError(`${call}: expected target to hold class indices (int64), got dtype ${target.dtype}`);
  }
  const t = contiguousRaw(castRaw(target, "int64", call), call);
  const data = t.typedArray() as BigInt64Array;
  const bigC = BigInt(c), bigLo = BigInt(lo);
  for (let i = 0; i < data.length; i++) {
    if (data[i] < bigLo || data[i] >= bigC) {
      throw new RangeError(`${call}: ${what} ${data[i]} is out of range (expected a value in [${lo}, ${c}))`);
    }
  }
  return t;
}

function multiMarginImpl(
  call: string,
  x: Tensor,
  y: Tensor,
  p: number,
  m: number,
  w: Tensor | null,
  red: string,
): Tensor {
  if (p !== 1 && p !== 2) throw new RangeError(`${call}: only p == 1 and p == 2 supported, got p = ${p}`);
  if (x.ndim !== 1 && x.ndim !== 2) {
    throw new RangeError(`${call}: expected input of shape (N, C) or (C), got ${fmt(x.shape)}`);
  }
  const unbatched = x.ndim === 1;
  const n = unbatched ? 1 : x.shape[0], c = x.shape[x.ndim - 1];
  if (y.numel() !== n || y.ndim > 1 || (unbatched && y.ndim !== 0 && y.numel() !== 1)) {
    throw new RangeError(`${call}: inconsistent target size, got: ${fmt(y.shape)} for input of shape ${fmt(x.shape)}`);
  }
  if (w !== null && (w.ndim !== 1 || w.shape[0] !== c)) {
    throw new RangeError(`${call}: expected weight of shape [${c}] (one per class), got ${fmt(w.shape)}`);
  }
  const t = reshape(classTargets(call, y, c, 0, "target"), [n, 1]);
  const x2 = unbatched ? reshape(x, [1, c]) : x;
  // z[i] = margin - x[y] + x[i]; only z > 0 counts (and passes gradient), i = y excluded
  let h = E.relu(E.add(E.sub(x2, gather(x2, 1, t)), m));
  if (p === 2) h = E.square(h);
  if (w !== null) h = E.mul(h, reshape(indexSelect(w, 0, reshape(t, [n])), [n, 1]));
  const notTarget = E.compare("ne", reshape(arange(0, c, { dtype: "int64" }), [1, c]), t);
  const perSample = E.div(sum(E.where(notTarget, h, 0), 1), c);
  return applyReduction(unbatched ? reshape(perSample, []) : perSample, red);
}

const MM_SPECS: ArgSpec[] = [
  { name: "p", kind: "int", default: 1 },
  marginSpec(1),
  WEIGHT,
  SIZE_AVERAGE,
  REDUCE,
  REDUCTION,
];

/**
 * Multi-class hinge loss `sum over i != y of max(0, margin - x[y] + x[i])^p / C` (p 1 or 2,
 * optional per-class `weight` scaling each sample by w[y]).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const l = nn.functional.multiMarginLoss(tensor([[0.1, 0.2, 0.4, 0.8]]), tensor(new BigInt64Array([3n])));
 * console.log(l.item()); // 0.32499998807907104
 * ```
 */
export function multiMarginLoss(
  input: Tensor,
  target: Tensor,
  p?: number | MultiMarginLossOptions,
  margin?: number,
  weight?: Tensor | null,
  opts?: MultiMarginLossOptions,
): Tensor {
  const call = "multiMarginLoss";
  tensors(call, [[input, "input"], [target, "target"]]);
  const a = parseArgs(call, [p, margin, weight, opts], MM_SPECS);
  return multiMarginImpl(
    call,
    input,
    target,
    a.p as number,
    a.margin as number,
    a.weight as Tensor | null,
    reductionOf(call, a),
  );
}

/**
 * Multi-class hinge loss: `new nn.MultiMarginLoss({ p: 2, margin: 0.5, weight })`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const loss = new nn.MultiMarginLoss();
 * console.log(loss.forward(tensor([[5, 0]]), tensor(new BigInt64Array([0n]))).item()); // 0
 * ```
 */
export class MultiMarginLoss extends WeightedLoss {
  /** The exponent, 1 or 2. */
  p: number;
  /** The margin (default 1). */
  margin: number;
  /**
   * Options (`p`, `margin`, `weight`, `reduction`, ...), or PyTorch's positional (p, margin, weight, size_average, reduce, reduction).
   */
  constructor(first?: number | MultiMarginLossOptions, ...positional: unknown[]) {
    const a = parseArgs("MultiMarginLoss", [first, ...positional], MM_SPECS);
    super(reductionOf("MultiMarginLoss", a), a.weight as Tensor | null);
    this.p = a.p as number;
    this.margin = a.margin as number;
    if (this.p !== 1 && this.p !== 2) {
      throw new RangeError(`MultiMarginLoss: only p == 1 and p == 2 supported, got p = ${this.p}`);
    }
  }
  /** The loss of `input` against `target`, reduced as configured. */
  override forward(input: Tensor, target: Tensor): Tensor {
    const call = "MultiMarginLoss.forward";
    tensors(call, [[input, "input"], [target, "target"]]);
    return multiMarginImpl(call, input, target, this.p, this.margin, this.weight, this.reduction);
  }
}

// ------------------------------------------------------------------ MultiLabelMarginLoss

function multilabelMarginImpl(call: string, x: Tensor, y: Tensor, red: string): Tensor {
  if (x.ndim !== 1 && x.ndim !== 2) {
    throw new RangeError(`${call}: expected input of shape (N, C) or (C), got ${fmt(x.shape)}`);
  }
  if (!sameShape(x.shape, y.shape)) {
    throw new RangeError(`${call}: inconsistent size ${fmt(y.shape)} for argument #2 'target' (input ${fmt(x.shape)})`);
  }
  const unbatched = x.ndim === 1;
  const c = x.shape[x.ndim - 1], n = unbatched ? 1 : x.shape[0];
  const t = classTargets(call, y, c, -1, "target");
  // The targets of a sample are its entries before the first -1; count each class (a class
  // listed twice counts twice, as in PyTorch's loop).
  const idx = t.typedArray() as BigInt64Array;
  const count = new Float64Array(n * c);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < c; j++) {
      const v = idx[i * c + j];
      if (v < 0n) break;
      count[i * c + Number(v)] += 1;
    }
  }
  const nonTarget = count.map((v) => (v > 0 ? 0 : 1));
  const dt = x.dtype;
  const cnt = tensor(count, { shape: [n, c, 1] }).to(dt);
  const nt = tensor(nonTarget, { shape: [n, 1, c] }).to(dt);
  const x2 = unbatched ? reshape(x, [1, c]) : x;
  // pair[n, j, i] = max(0, 1 - x[j] + x[i]) for target j and non-target i
  const pair = E.relu(E.add(E.sub(unsqueeze(x2, 1), unsqueeze(x2, 2)), 1));
  const perSample = E.div(sum(E.mul(E.mul(pair, cnt), nt), [1, 2]), c);
  return applyReduction(unbatched ? reshape(perSample, []) : perSample, red);
}

/**
 * Multi-label hinge loss: `target` (int64, the input's shape) lists each sample's classes,
 * ended by the first -1; every (target j, non-target i) pair adds `max(0, 1 - (x[j] - x[i])) / C`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const y = tensor(new BigInt64Array([3n, 0n, -1n, 1n]), { shape: [1, 4] });
 * console.log(nn.functional.multilabelMarginLoss(tensor([[0.1, 0.2, 0.4, 0.8]]), y).item()); // 0.8500000238418579
 * ```
 */
export function multilabelMarginLoss(input: Tensor, target: Tensor, opts?: ReductionOptions): Tensor {
  const call = "multilabelMarginLoss";
  tensors(call, [[input, "input"], [target, "target"]]);
  return multilabelMarginImpl(call, input, target, reductionOf(call, parseArgs(call, [opts], LEGACY)));
}

/**
 * Multi-label hinge loss: `new nn.MultiLabelMarginLoss()`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const y = tensor(new BigInt64Array([0n, -1n]), { shape: [1, 2] });
 * console.log(new nn.MultiLabelMarginLoss().forward(tensor([[3, 0]]), y).item()); // 0
 * ```
 */
export class MultiLabelMarginLoss extends Loss {
  /**
   * Options (`reduction`, or the seed's `sizeAverage`/`reduce`), or PyTorch's positional (size_average, reduce, reduction).
   */
  constructor(first?: boolean | null | ReductionOptions, ...positional: unknown[]) {
    super(reductionOf("MultiLabelMarginLoss", parseArgs("MultiLabelMarginLoss", [first, ...positional], LEGACY)));
  }
  /** The loss of `input` against `target`, reduced as configured. */
  override forward(input: Tensor, target: Tensor): Tensor {
    const call = "MultiLabelMarginLoss.forward";
    tensors(call, [[input, "input"], [target, "target"]]);
    return multilabelMarginImpl(call, input, target, this.reduction);
  }
}

// ------------------------------------------------------------------ TripletMarginLoss

/** Options of `TripletMarginLoss` / `tripletMarginLoss`. */
export interface TripletMarginLossOptions extends MarginLossOptions {
  /** The norm degree of the pairwise distance (default 2). */
  p?: number;
  /** Added to the differences inside the distance (default 1e-6). */
  eps?: number;
  /** Use min(d(a, n), d(p, n)) as the negative distance (default false). */
  swap?: boolean;
}

const TRIPLET_SPECS: ArgSpec[] = [
  marginSpec(1),
  { name: "p", kind: "number", default: 2 },
  { name: "eps", kind: "number", default: 1e-6 },
  { name: "swap", kind: "boolean", default: false },
  ...LEGACY,
];

function tripletImpl(
  call: string,
  [a, pos, neg]: Tensor[],
  o: { margin: number; p: number; eps: number; swap: boolean },
  red: string,
): Tensor {
  if (a.ndim !== pos.ndim || pos.ndim !== neg.ndim) {
    throw new RangeError(
      `${call}: All inputs should have same dimension but got ${a.ndim}D, ${pos.ndim}D and ${neg.ndim}D inputs.`,
    );
  }
  // PyTorch's at::triplet_margin_loss: max(0, margin + d(a, p) - d(a, n)), d the pairwise distance
  const dPos = pairwise(call, a, pos, o.p, o.eps, false);
  let dNeg = pairwise(call, a, neg, o.p, o.eps, false);
  if (o.swap) dNeg = E.minimum(dNeg, pairwise(call, pos, neg, o.p, o.eps, false));
  return applyReduction(E.clamp(E.sub(E.add(dPos, o.margin), dNeg), 0), red);
}

function tripletArgs(call: string, args: unknown[]) {
  const a = parseArgs(call, args, TRIPLET_SPECS);
  const o = { margin: a.margin as number, p: a.p as number, eps: a.eps as number, swap: a.swap as boolean };
  return { o, reduction: reductionOf(call, a) };
}

/**
 * Triplet loss `max(0, margin + d(anchor, positive) - d(anchor, negative))` with `d` the
 * pairwise p-norm distance (eps added to the difference); `swap` takes
 * `min(d(anchor, negative), d(positive, negative))` as the negative distance. Inputs (N, D) or
 * (D), all of one rank (shapes broadcast). Positional order as PyTorch's: (margin, p, eps, swap,
 * sizeAverage, reduce, reduction).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const l = nn.functional.tripletMarginLoss(tensor([[0, 0]]), tensor([[3, 4]]), tensor([[0, 1]]), { eps: 0 });
 * console.log(l.item()); // 5
 * ```
 */
export function tripletMarginLoss(
  anchor: Tensor,
  positive: Tensor,
  negative: Tensor,
  margin?: number | TripletMarginLossOptions,
  ...rest: unknown[]
): Tensor {
  const call = "tripletMarginLoss";
  const ts = tensors(call, [[anchor, "anchor"], [positive, "positive"], [negative, "negative"]]);
  const { o, reduction } = tripletArgs(call, [margin, ...rest]);
  return tripletImpl(call, ts, o, reduction);
}

/**
 * Triplet margin loss: `new nn.TripletMarginLoss({ margin, p, eps, swap, reduction })` or
 * PyTorch's positional (margin, p, eps, swap, size_average, reduce, reduction);
 * forward(anchor, positive, negative).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const loss = new nn.TripletMarginLoss({ margin: 0.5, p: 1, eps: 0 });
 * console.log(loss.forward(tensor([[0, 0]]), tensor([[1, 1]]), tensor([[0, 3]])).item()); // 0
 * ```
 */
export class TripletMarginLoss extends Loss {
  /** The margin (default 1). */
  margin: number;
  /** The norm degree (default 2). */
  p: number;
  /** Added to the differences (default 1e-6). */
  eps: number;
  /** Whether the distance swap is used (default false). */
  swap: boolean;
  /** Options, or PyTorch's positional (margin, p, eps, swap, size_average, reduce, reduction). */
  constructor(first?: number | TripletMarginLossOptions, ...positional: unknown[]) {
    const { o, reduction } = tripletArgs("TripletMarginLoss", [first, ...positional]);
    super(reduction);
    this.margin = o.margin;
    this.p = o.p;
    this.eps = o.eps;
    this.swap = o.swap;
  }
  /** The loss of the triplets, reduced as configured. */
  override forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    const call = "TripletMarginLoss.forward";
    const ts = tensors(call, [[anchor, "anchor"], [positive, "positive"], [negative, "negative"]]);
    return tripletImpl(call, ts, this, this.reduction);
  }
}

// ------------------------------------------------------------------ TripletMarginWithDistanceLoss

/** A distance: a function of two tensors, or a module whose forward takes two tensors. */
export type DistanceFunction = ((x1: Tensor, x2: Tensor) => Tensor) | Module;

/** Options of `TripletMarginWithDistanceLoss` / `tripletMarginWithDistanceLoss` (keywords only). */
export interface TripletMarginWithDistanceLossOptions {
  /** The distance (default: the pairwise distance, p = 2). */
  distanceFunction?: DistanceFunction | null;
  /** The margin (default 1). */
  margin?: number;
  /** Use min(d(a, n), d(p, n)) as the negative distance (default false). */
  swap?: boolean;
  /** "mean" (default), "sum" or "none". */
  reduction?: "mean" | "sum" | "none";
}

const TMD_SPECS: ArgSpec[] = [
  { name: "distanceFunction", kind: "any", default: null, keywordOnly: true },
  { name: "margin", kind: "number", default: 1, keywordOnly: true },
  { name: "swap", kind: "boolean", default: false, keywordOnly: true },
  { ...REDUCTION, keywordOnly: true },
];

function distanceArg(call: string, d: unknown): DistanceFunction | null {
  if (d === null || d === undefined) return null;
  if (typeof d === "function" || d instanceof Module) return d as DistanceFunction;
  throw new TypeError(
    `${call}: expected distanceFunction to be a function, a Module or null, got ${d === null ? "null" : typeof d}`,
  );
}

function tmdImpl(
  call: string,
  [a, pos, neg]: Tensor[],
  dist: DistanceFunction | null,
  margin: number,
  swap: boolean,
  red: string,
): Tensor {
  const d = (x1: Tensor, x2: Tensor): Tensor => {
    const r = dist === null
      ? pairwise(call, x1, x2, 2, 1e-6, false)
      : dist instanceof Module
      ? dist.forward(x1, x2)
      : dist(x1, x2);
    return tensors(call, [[r, "the distanceFunction's result"]])[0];
  };
  const dPos = d(a, pos);
  let dNeg = d(a, neg);
  if (swap) dNeg = E.minimum(dNeg, d(pos, neg));
  // torch.clamp(d(a, p) - d(a, n) + margin, min=0)
  return applyReduction(E.clamp(E.add(E.sub(dPos, dNeg), margin), 0), red);
}

/**
 * Triplet loss with any distance: `max(0, d(anchor, positive) - d(anchor, negative) + margin)`,
 * `d` = `distanceFunction` (a function or module; default the pairwise distance). Options are
 * keywords only, as in PyTorch: `F.tripletMarginWithDistanceLoss(a, p, n, { distanceFunction,
 * margin, swap, reduction })`.
 *
 * @example
 * ```ts
 * import { nn, type Tensor, tensor } from "../../mod.ts";
 * const F = nn.functional;
 * const cosDist = (x: Tensor, y: Tensor) => F.cosineSimilarity(x, y).neg().add(1);
 * const l = F.tripletMarginWithDistanceLoss(tensor([[1, 0]]), tensor([[0, 1]]), tensor([[1, 0]]), {
 *   distanceFunction: cosDist,
 * });
 * console.log(l.item()); // 2
 * ```
 */
export function tripletMarginWithDistanceLoss(
  anchor: Tensor,
  positive: Tensor,
  negative: Tensor,
  opts?: TripletMarginWithDistanceLossOptions,
): Tensor {
  const call = "tripletMarginWithDistanceLoss";
  const ts = tensors(call, [[anchor, "anchor"], [positive, "positive"], [negative, "negative"]]);
  const a = parseArgs(call, [opts], TMD_SPECS);
  const dist = distanceArg(call, a.distanceFunction);
  return tmdImpl(call, ts, dist, a.margin as number, a.swap as boolean, reductionOf(call, a));
}

/**
 * Triplet loss with any distance: `new nn.TripletMarginWithDistanceLoss({ distanceFunction,
 * margin, swap, reduction })`. Without a distance it holds a `PairwiseDistance()` child module,
 * as in PyTorch (field `distance_function`, PyTorch's name, so a distance module's parameters
 * keep PyTorch's state-dict keys).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const loss = new nn.TripletMarginWithDistanceLoss({ distanceFunction: new nn.PairwiseDistance(1, 0) });
 * console.log(loss.forward(tensor([[0, 0]]), tensor([[1, 1]]), tensor([[0, 1]])).item()); // 2
 * ```
 */
export class TripletMarginWithDistanceLoss extends Loss {
  /** The distance (a `PairwiseDistance()` module when none was given). */
  distance_function: DistanceFunction;
  /** The margin (default 1). */
  margin: number;
  /** Whether the distance swap is used (default false). */
  swap: boolean;
  /** Options (`distanceFunction`, `margin`, `swap`, `reduction`); keywords only, as in PyTorch. */
  constructor(opts?: TripletMarginWithDistanceLossOptions) {
    const call = "TripletMarginWithDistanceLoss";
    const a = parseArgs(call, [opts], TMD_SPECS);
    super(reductionOf(call, a));
    this.distance_function = distanceArg(call, a.distanceFunction) ?? new PairwiseDistance();
    this.margin = a.margin as number;
    this.swap = a.swap as boolean;
  }
  /** The distance in use (`distance_function`, camelCased). */
  get distanceFunction(): DistanceFunction {
    return this.distance_function;
  }
  /** The loss of the triplets, reduced as configured. */
  override forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    const call = "TripletMarginWithDistanceLoss.forward";
    const ts = tensors(call, [[anchor, "anchor"], [positive, "positive"], [negative, "negative"]]);
    return tmdImpl(call, ts, this.distance_function, this.margin, this.swap, this.reduction);
  }
}
