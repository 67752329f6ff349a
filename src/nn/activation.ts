/**
 * Non-linear activations: ReLU, ReLU6, ELU, PReLU, LeakyReLU, Threshold, Hardtanh, Sigmoid,
 * Tanh, LogSigmoid, Softplus, Softshrink, Softsign, Tanhshrink, Softmin, Softmax, Softmax2d and
 * LogSoftmax, each beside its `nn.functional` twin. Elementwise ones run one native kernel
 * forward and one backward; the softmax family runs the native (max-shifted) softmax kernels.
 *
 * Arguments PyTorch takes positionally stay positional (`new nn.LeakyReLU(0.2)`,
 * `F.leakyRelu(x, 0.2)`), and every argument may also go into a trailing options object
 * (`new nn.LeakyReLU({ negativeSlope: 0.2, inplace: true })`).
 *
 * @module
 */

import { type DType, isTensor, type Tensor } from "../tensor/mod.ts";
import * as A from "../tensor/ops/activation.ts";
import * as E from "../tensor/ops/elementwise.ts";
import { logSoftmax as logSoftmaxOp, softmax as softmaxOp } from "../tensor/ops/softmax.ts";
import { reshape } from "../tensor/ops/view.ts";
import { sum } from "../tensor/ops/reduce.ts";
import { full } from "../tensor/create.ts";
import { checkTensor } from "../tensor/ops/util.ts";
import { describe, fmt } from "../tensor/shape.ts";
import { Module } from "./module.ts";
import { Parameter } from "./parameter.ts";
import { type ArgSpec, parseArgs } from "./positional.ts";

const INPLACE: ArgSpec = { name: "inplace", kind: "boolean", default: false };

/** Options of the activations that can overwrite their input. */
export interface InplaceOptions {
  /** Write the result into the input and return it (default false). */
  inplace?: boolean;
}
/** Options of `elu` / `nn.ELU`. */
export interface EluOptions extends InplaceOptions {
  /** The saturation value for negative inputs (default 1). */
  alpha?: number;
}
/** Options of `leakyRelu` / `nn.LeakyReLU`. */
export interface LeakyReluOptions extends InplaceOptions {
  /** The slope for negative inputs (default 0.01). */
  negativeSlope?: number;
}
/** Options of `threshold` / `nn.Threshold`. */
export interface ThresholdOptions extends InplaceOptions {
  /** Values at or below it are replaced. */
  threshold?: number;
  /** The replacement value. */
  value?: number;
}
/** Options of `hardtanh` / `nn.Hardtanh` (the seed's `minValue`/`maxValue` are accepted too). */
export interface HardtanhOptions extends InplaceOptions {
  /** The lower bound (default -1). */
  minVal?: number;
  /** The upper bound (default 1). */
  maxVal?: number;
  /** The seed's name of `minVal`. */
  minValue?: number;
  /** The seed's name of `maxVal`. */
  maxValue?: number;
}
/** Options of `softplus` / `nn.Softplus`. */
export interface SoftplusOptions {
  /** The sharpness (default 1). */
  beta?: number;
  /** Above `beta * x > threshold` the output is `x` (default 20). */
  threshold?: number;
}
/** Options of `softshrink` / `nn.Softshrink`. */
export interface SoftshrinkOptions {
  /** The shrinkage threshold, >= 0 (default 0.5). */
  lambd?: number;
}
/** Options of the softmax family. */
export interface SoftmaxOptions {
  /** The dim to normalize over; null or absent uses PyTorch's implicit choice. */
  dim?: number | null;
  /** Convert the input to this dtype first (functional forms only). */
  dtype?: DType;
}

/** Runs `op` out of place, or in place into `x` (PyTorch's `inplace=True`). */
function apply(x: Tensor, inplace: boolean, call: string, op: (src: Tensor, out?: Tensor) => Tensor): Tensor {
  checkTensor(x, call);
  return inplace ? E.inplace(x, call, op) : op(x);
}

// ------------------------------------------------------------------ functional twins

/**
 * `max(0, x)`. `F.relu(x)`, `F.relu(x, true)` or `F.relu(x, { inplace: true })`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(nn.functional.relu(tensor([-1, 2])).tolist()); // [0, 2]
 * ```
 */
export function relu(input: Tensor, inplace?: boolean | InplaceOptions): Tensor {
  const a = parseArgs("relu", [inplace], [INPLACE]);
  const ip = a.inplace;
  return apply(input, ip as boolean, "relu", (x, o) => E.relu(x, o));
}

/**
 * In-place `relu`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const x = tensor([-1, 2]);
 * nn.functional.relu_(x);
 * console.log(x.tolist()); // [0, 2]
 * ```
 */
export function relu_(input: Tensor): Tensor {
  return relu(input, true);
}

/**
 * `min(max(0, x), 6)`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(nn.functional.relu6(tensor([-1, 3, 9])).tolist()); // [0, 3, 6]
 * ```
 */
export function relu6(input: Tensor, inplace?: boolean | InplaceOptions): Tensor {
  const ip = parseArgs("relu6", [inplace], [INPLACE]).inplace;
  return apply(
    input,
    ip as boolean,
    "relu6",
    A.hardtanhOp(0, 6),
  );
}

/**
 * `x > 0 ? x : alpha * (exp(x) - 1)`. `F.elu(x, 0.7)` or `F.elu(x, { alpha: 0.7, inplace })`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(nn.functional.elu(tensor([1, 0]), 2).tolist()); // [1, 0]
 * ```
 */
export function elu(input: Tensor, alpha?: number | EluOptions, inplace?: boolean | InplaceOptions): Tensor {
  const a = parseArgs("elu", [alpha, inplace], [{ name: "alpha", kind: "number", default: 1 }, INPLACE]);
  return apply(
    input,
    a.inplace as boolean,
    "elu",
    A.eluOp(a.alpha as number),
  );
}

/**
 * In-place `elu`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const x = tensor([-1, 2]);
 * nn.functional.elu_(x);
 * console.log(x.tolist()); // [-0.632..., 2]
 * ```
 */
export function elu_(input: Tensor, alpha = 1): Tensor {
  return elu(input, alpha, true);
}

/**
 * `x > 0 ? x : negativeSlope * x`. `F.leakyRelu(x, 0.2)` or `F.leakyRelu(x, { negativeSlope, inplace })`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(nn.functional.leakyRelu(tensor([-10, 1]), 0.5).tolist()); // [-5, 1]
 * ```
 */
export function leakyRelu(
  input: Tensor,
  negativeSlope?: number | LeakyReluOptions,
  inplace?: boolean | InplaceOptions,
): Tensor {
  const a = parseArgs("leakyRelu", [negativeSlope, inplace], [
    { name: "negativeSlope", kind: "number", default: 0.01 },
    INPLACE,
  ]);
  const s = a.negativeSlope as number;
  return apply(
    input,
    a.inplace as boolean,
    "leakyRelu",
    A.leakyReluOp(s),
  );
}

/**
 * In-place `leakyRelu`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const x = tensor([-1, 2]);
 * nn.functional.leakyRelu_(x, 0.1);
 * console.log(x.tolist()); // [-0.1, 2]
 * ```
 */
export function leakyRelu_(input: Tensor, negativeSlope = 0.01): Tensor {
  return leakyRelu(input, negativeSlope, true);
}

/**
 * `x > threshold ? x : value`. `F.threshold(x, 0.1, 20)` (+ `true` or `{ inplace }`).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(nn.functional.threshold(tensor([0, 1]), 0.5, 20).tolist()); // [20, 1]
 * ```
 */
export function threshold(
  input: Tensor,
  threshold: number | ThresholdOptions,
  value?: number,
  inplace?: boolean | InplaceOptions,
): Tensor {
  const a = parseArgs("threshold", [threshold, value, inplace], [
    { name: "threshold", kind: "number", default: undefined },
    { name: "value", kind: "number", default: undefined },
    INPLACE,
  ]);
  if (a.threshold === undefined || a.value === undefined) {
    throw new TypeError("threshold: expected the arguments threshold and value (numbers)");
  }
  const th = a.threshold as number, v = a.value as number;
  return apply(
    input,
    a.inplace as boolean,
    "threshold",
    A.thresholdOp(th, v),
  );
}

/**
 * In-place `threshold`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const x = tensor([0.05, 2]);
 * nn.functional.threshold_(x, 0.1, 20);
 * console.log(x.tolist()); // [20, 2]
 * ```
 */
export function threshold_(input: Tensor, th: number, value: number): Tensor {
  return threshold(input, th, value, true);
}

const HARDTANH_SPECS: ArgSpec[] = [
  { name: "minVal", kind: "number", default: -1, aliases: ["minValue"] },
  { name: "maxVal", kind: "number", default: 1, aliases: ["maxValue"] },
  INPLACE,
];

/**
 * Clamps to `[minVal, maxVal]` (default [-1, 1]). `F.hardtanh(x, -2, 2)`; the options object
 * also takes the seed's `minValue`/`maxValue`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(nn.functional.hardtanh(tensor([-3, 0.5, 3]), -2, 2).tolist()); // [-2, 0.5, 2]
 * ```
 */
export function hardtanh(
  input: Tensor,
  minVal?: number | HardtanhOptions,
  maxVal?: number,
  inplace?: boolean | InplaceOptions,
): Tensor {
  const a = parseArgs("hardtanh", [minVal, maxVal, inplace], HARDTANH_SPECS);
  const lo = a.minVal as number, hi = a.maxVal as number;
  return apply(
    input,
    a.inplace as boolean,
    "hardtanh",
    A.hardtanhOp(lo, hi),
  );
}

/**
 * In-place `hardtanh`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const x = tensor([-3, 0.5, 3]);
 * nn.functional.hardtanh_(x);
 * console.log(x.tolist()); // [-1, 0.5, 1]
 * ```
 */
export function hardtanh_(input: Tensor, minVal = -1, maxVal = 1): Tensor {
  return hardtanh(input, minVal, maxVal, true);
}

/**
 * `1 / (1 + exp(-x))`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(nn.functional.sigmoid(tensor([0])).tolist()); // [0.5]
 * ```
 */
export function sigmoid(input: Tensor): Tensor {
  checkTensor(input, "sigmoid");
  return E.sigmoid(input);
}

/**
 * Hyperbolic tangent.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(nn.functional.tanh(tensor([0])).tolist()); // [0]
 * ```
 */
export function tanh(input: Tensor): Tensor {
  checkTensor(input, "tanh");
  return E.tanh(input);
}

/**
 * `log(1 / (1 + exp(-x)))`, computed as `min(x, 0) - log1p(exp(-|x|))` (no overflow).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(nn.functional.logsigmoid(tensor([-200])).tolist()); // [-200]
 * ```
 */
export function logsigmoid(input: Tensor): Tensor {
  return A.logSigmoidOp(checkTensor(input, "logsigmoid"));
}

/**
 * Alias of `logsigmoid` (PyTorch's `F.logsigmoid`).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(nn.functional.logSigmoid(tensor([0])).tolist()); // [-0.693...]
 * ```
 */
export const logSigmoid: (input: Tensor) => Tensor = logsigmoid;

/**
 * `log(1 + exp(beta * x)) / beta`, linear where `beta * x > threshold`.
 * `F.softplus(x, 2, 10)` or `F.softplus(x, { beta, threshold })`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(nn.functional.softplus(tensor([30])).tolist()); // [30]
 * ```
 */
export function softplus(input: Tensor, beta?: number | SoftplusOptions, threshold?: number): Tensor {
  const a = parseArgs("softplus", [beta, threshold], [
    { name: "beta", kind: "number", default: 1 },
    { name: "threshold", kind: "number", default: 20 },
  ]);
  checkTensor(input, "softplus");
  return A.softplusOp(a.beta as number, a.threshold as number)(input);
}

/**
 * `x - lambd` above `lambd`, `x + lambd` below `-lambd`, 0 between. `lambd` (default 0.5) must be >= 0.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(nn.functional.softshrink(tensor([-2, 0.1, 2]), 1).tolist()); // [-1, 0, 1]
 * ```
 */
export function softshrink(input: Tensor, lambd?: number | SoftshrinkOptions): Tensor {
  const a = parseArgs("softshrink", [lambd], [{ name: "lambd", kind: "number", default: 0.5 }]);
  const l = a.lambd as number;
  if (l < 0) throw new RangeError(`softshrink: lambda must be greater or equal to 0, but found to be ${l}.`);
  checkTensor(input, "softshrink");
  return A.softshrinkOp(l)(input);
}

/**
 * `x / (1 + |x|)`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(nn.functional.softsign(tensor([1, -3])).tolist()); // [0.5, -0.75]
 * ```
 */
export function softsign(input: Tensor): Tensor {
  return A.softsignOp(checkTensor(input, "softsign"));
}

/**
 * `x - tanh(x)`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(nn.functional.tanhshrink(tensor([0])).tolist()); // [0]
 * ```
 */
export function tanhshrink(input: Tensor): Tensor {
  checkTensor(input, "tanhshrink");
  return E.sub(input, E.tanh(input));
}

/**
 * PyTorch's implicit softmax dim when none is given (`_get_softmax_dim`, which warns):
 * 0 for 0-, 1- and 3-dimensional inputs, else 1. Pass `dim` explicitly instead.
 *
 * @example
 * ```ts
 * import { nn } from "../../mod.ts";
 * console.log(nn.functional.implicitSoftmaxDim(1), nn.functional.implicitSoftmaxDim(4)); // 0 1
 * ```
 */
export function implicitSoftmaxDim(ndim: number): number {
  return ndim === 0 || ndim === 1 || ndim === 3 ? 0 : 1;
}

const SOFTMAX_SPECS: ArgSpec[] = [
  { name: "dim", kind: "int?", default: null },
  { name: "dtype", kind: "any", default: null, keywordOnly: true },
];

function softmaxArgs(call: string, input: Tensor, args: readonly unknown[]): [Tensor, number] {
  checkTensor(input, call);
  const a = parseArgs(call, args, SOFTMAX_SPECS);
  let x = input;
  if (a.dtype !== null) {
    if (typeof a.dtype !== "string") {
      throw new TypeError(`${call}: expected dtype to be a dtype name, got ${describe(a.dtype)}`);
    }
    x = input.to(a.dtype as DType);
  }
  const dim = a.dim === null ? implicitSoftmaxDim(x.ndim) : (a.dim as number);
  return [x, dim];
}

/**
 * `exp(x) / sum(exp(x))` along `dim`, shifted by the max so large logits never overflow.
 * `F.softmax(x, 1)`, `F.softmax(x, { dim: 1, dtype: "float64" })`. Without `dim`, PyTorch's
 * implicit choice applies (dim 0 for 0-, 1- and 3-d inputs, else 1; PyTorch warns about it).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const p = nn.functional.softmax(tensor([[1000, 1000]]), 1);
 * console.log(p.tolist()); // [[0.5, 0.5]]
 * ```
 */
export function softmax(input: Tensor, dim?: number | null | SoftmaxOptions, opts?: SoftmaxOptions): Tensor {
  const [x, d] = softmaxArgs("softmax", input, [dim, opts]);
  return softmaxOp(x, d, "softmax");
}

/**
 * `softmax(-x)` along `dim` (same `dim`/`dtype` rules as `softmax`).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(nn.functional.softmin(tensor([[0, 0]]), 1).tolist()); // [[0.5, 0.5]]
 * ```
 */
export function softmin(input: Tensor, dim?: number | null | SoftmaxOptions, opts?: SoftmaxOptions): Tensor {
  const [x, d] = softmaxArgs("softmin", input, [dim, opts]);
  return softmaxOp(E.neg(x), d, "softmin");
}

/**
 * `x - logsumexp(x)` along `dim`, computed stably (same `dim`/`dtype` rules as `softmax`).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(nn.functional.logSoftmax(tensor([[0, 0]]), 1).tolist()); // [[-0.6931471824645996, -0.6931471824645996]]
 * ```
 */
export function logSoftmax(input: Tensor, dim?: number | null | SoftmaxOptions, opts?: SoftmaxOptions): Tensor {
  const [x, d] = softmaxArgs("logSoftmax", input, [dim, opts]);
  return logSoftmaxOp(x, d, "logSoftmax");
}

/**
 * `x > 0 ? x : weight * x` with a learnable slope: `weight` has one element, or one per
 * channel (dim 1 of the input).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(nn.functional.prelu(tensor([-2, 2]), tensor([0.25])).tolist()); // [-0.5, 2]
 * ```
 */
export function prelu(input: Tensor, weight: Tensor): Tensor {
  const call = "prelu";
  checkTensor(input, call);
  checkTensor(weight, call, "weight");
  const nw = weight.numel();
  const channels = input.ndim >= 2 ? input.shape[1] : 1;
  if (weight.ndim > 1) throw new RangeError(`${call}: weight must be 1-d, got shape ${fmt(weight.shape)}`);
  if (nw !== 1 && nw !== channels) {
    throw new RangeError(
      `${call}: Mismatch of parameter numbers and input channel size. Found parameter numbers = ${nw} and channel size = ${channels}.`,
    );
  }
  // one slope per channel broadcasts as [C, 1, ..., 1] against (N, C, *)
  // one shared slope broadcasts as [1] (a 0-d input takes it summed down to 0-d)
  const w = nw !== 1
    ? reshape(weight, [nw, ...new Array(input.ndim - 2).fill(1)])
    : input.ndim === 0
    ? sum(weight)
    : reshape(weight, [1]);
  return E.where(E.compare("gt", input, 0), input, E.mul(input, w));
}

// ------------------------------------------------------------------ modules

abstract class InplaceActivation extends Module {
  /** Whether forward overwrites its input. */
  inplace = false;
  /** The arguments shown in the module's repr. */
  override extraRepr(): string {
    return this.inplace ? "inplace=True" : "";
  }
}

/**
 * Applies `max(0, x)` elementwise. `new nn.ReLU()`, `new nn.ReLU(true)` or `new nn.ReLU({ inplace: true })`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(new nn.ReLU().forward(tensor([-1, 1])).tolist()); // [0, 1]
 * ```
 */
export class ReLU extends InplaceActivation {
  /** `inplace` (default false): overwrite the input; a boolean or `{ inplace }`. */
  constructor(inplace?: boolean | InplaceOptions) {
    super();
    this.inplace = parseArgs("ReLU", [inplace], [INPLACE]).inplace as boolean;
  }
  /** Applies the activation to `input` (any shape). */
  override forward(input: Tensor): Tensor {
    return relu(input, this.inplace);
  }
}

/**
 * Applies `min(max(0, x), 6)` elementwise.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(new nn.ReLU6().forward(tensor([-1, 7])).tolist()); // [0, 6]
 * ```
 */
export class ReLU6 extends InplaceActivation {
  /** `inplace` (default false): overwrite the input; a boolean or `{ inplace }`. */
  constructor(inplace?: boolean | InplaceOptions) {
    super();
    this.inplace = parseArgs("ReLU6", [inplace], [INPLACE]).inplace as boolean;
  }
  /** Applies the activation to `input` (any shape). */
  override forward(input: Tensor): Tensor {
    return relu6(input, this.inplace);
  }
}

/**
 * Applies `x > 0 ? x : alpha * (exp(x) - 1)`. `new nn.ELU()`, `new nn.ELU(0.7)`, `new nn.ELU({ alpha: 0.7 })`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(new nn.ELU({ alpha: 2 }).forward(tensor([3])).tolist()); // [3]
 * ```
 */
export class ELU extends InplaceActivation {
  /** The saturation value for negative inputs. */
  alpha: number;
  /** `alpha` (default 1) positionally or in the options, then `inplace`. */
  constructor(alpha?: number | EluOptions, inplace?: boolean | InplaceOptions) {
    super();
    const a = parseArgs("ELU", [alpha, inplace], [{ name: "alpha", kind: "number", default: 1 }, INPLACE]);
    this.alpha = a.alpha as number;
    this.inplace = a.inplace as boolean;
  }
  /** Applies the activation to `input` (any shape). */
  override forward(input: Tensor): Tensor {
    return elu(input, this.alpha, this.inplace);
  }
  /** The arguments shown in the module's repr. */
  override extraRepr(): string {
    return `alpha=${this.alpha}${this.inplace ? ", inplace=True" : ""}`;
  }
}

/**
 * Applies `x > 0 ? x : negativeSlope * x`. `new nn.LeakyReLU(0.2)` or `{ negativeSlope, inplace }`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(new nn.LeakyReLU(0.5).forward(tensor([-2])).tolist()); // [-1]
 * ```
 */
export class LeakyReLU extends InplaceActivation {
  /** The slope for negative inputs (default 0.01). */
  negativeSlope: number;
  /** `negativeSlope` (default 0.01) positionally or in the options, then `inplace`. */
  constructor(negativeSlope?: number | LeakyReluOptions, inplace?: boolean | InplaceOptions) {
    super();
    const a = parseArgs("LeakyReLU", [negativeSlope, inplace], [{
      name: "negativeSlope",
      kind: "number",
      default: 0.01,
    }, INPLACE]);
    this.negativeSlope = a.negativeSlope as number;
    this.inplace = a.inplace as boolean;
  }
  /** Applies the activation to `input` (any shape). */
  override forward(input: Tensor): Tensor {
    return leakyRelu(input, this.negativeSlope, this.inplace);
  }
  /** The arguments shown in the module's repr. */
  override extraRepr(): string {
    return `negative_slope=${this.negativeSlope}${this.inplace ? ", inplace=True" : ""}`;
  }
}

/**
 * `x > threshold ? x : value`. `new nn.Threshold(0.1, 20)` (+ `{ inplace }`).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(new nn.Threshold(0.1, 20).forward(tensor([0, 1])).tolist()); // [20, 1]
 * ```
 */
export class Threshold extends InplaceActivation {
  /** Values at or below it are replaced. */
  threshold: number;
  /** The replacement value. */
  value: number;
  /** `threshold` and `value` (both required), positionally or in the options, then `inplace`. */
  constructor(threshold: number | ThresholdOptions, value?: number, inplace?: boolean | InplaceOptions) {
    super();
    const a = parseArgs("Threshold", [threshold, value, inplace], [
      { name: "threshold", kind: "number", default: undefined },
      { name: "value", kind: "number", default: undefined },
      INPLACE,
    ]);
    if (a.threshold === undefined || a.value === undefined) {
      throw new TypeError("Threshold: expected the arguments threshold and value (numbers)");
    }
    this.threshold = a.threshold as number;
    this.value = a.value as number;
    this.inplace = a.inplace as boolean;
  }
  /** Applies the activation to `input` (any shape). */
  override forward(input: Tensor): Tensor {
    return threshold(input, this.threshold, this.value, this.inplace);
  }
  /** The arguments shown in the module's repr. */
  override extraRepr(): string {
    return `threshold=${this.threshold}, value=${this.value}${this.inplace ? ", inplace=True" : ""}`;
  }
}

/**
 * Clamps to `[minVal, maxVal]`. `new nn.Hardtanh(-2, 1.5)`, `{ minVal, maxVal }` or the seed's
 * `{ minValue, maxValue }`; `maxVal` must exceed `minVal`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(new nn.Hardtanh(-2, 1.5).forward(tensor([-3, 3])).tolist()); // [-2, 1.5]
 * ```
 */
export class Hardtanh extends InplaceActivation {
  /** The lower bound (default -1). */
  minVal: number;
  /** The upper bound (default 1). */
  maxVal: number;
  /** `minVal` (default -1) and `maxVal` (default 1), positionally or in the options, then `inplace`. */
  constructor(minVal?: number | HardtanhOptions, maxVal?: number, inplace?: boolean | InplaceOptions) {
    super();
    const a = parseArgs("Hardtanh", [minVal, maxVal, inplace], HARDTANH_SPECS);
    this.minVal = a.minVal as number;
    this.maxVal = a.maxVal as number;
    this.inplace = a.inplace as boolean;
    if (!(this.maxVal > this.minVal)) {
      throw new RangeError(`Hardtanh: expected maxVal > minVal, got minVal ${this.minVal} and maxVal ${this.maxVal}`);
    }
  }
  /** Applies the activation to `input` (any shape). */
  override forward(input: Tensor): Tensor {
    return hardtanh(input, this.minVal, this.maxVal, this.inplace);
  }
  /** The arguments shown in the module's repr. */
  override extraRepr(): string {
    return `min_val=${this.minVal}, max_val=${this.maxVal}${this.inplace ? ", inplace=True" : ""}`;
  }
}

/**
 * Applies the logistic sigmoid.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(new nn.Sigmoid().forward(tensor([0])).tolist()); // [0.5]
 * ```
 */
export class Sigmoid extends Module {
  /** The activation takes no arguments. */
  constructor() {
    super();
    parseArgs("Sigmoid", [...arguments], []);
  }
  /** Applies the activation to `input` (any shape). */
  override forward(input: Tensor): Tensor {
    return sigmoid(input);
  }
}

/**
 * Applies the hyperbolic tangent.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(new nn.Tanh().forward(tensor([0])).tolist()); // [0]
 * ```
 */
export class Tanh extends Module {
  /** The activation takes no arguments. */
  constructor() {
    super();
    parseArgs("Tanh", [...arguments], []);
  }
  /** Applies the activation to `input` (any shape). */
  override forward(input: Tensor): Tensor {
    return tanh(input);
  }
}

/**
 * Applies `log(sigmoid(x))`, computed stably.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(new nn.LogSigmoid().forward(tensor([-100])).tolist()); // [-100]
 * ```
 */
export class LogSigmoid extends Module {
  /** The activation takes no arguments. */
  constructor() {
    super();
    parseArgs("LogSigmoid", [...arguments], []);
  }
  /** Applies the activation to `input` (any shape). */
  override forward(input: Tensor): Tensor {
    return logsigmoid(input);
  }
}

/**
 * Applies `x / (1 + |x|)`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(new nn.Softsign().forward(tensor([1])).tolist()); // [0.5]
 * ```
 */
export class Softsign extends Module {
  /** The activation takes no arguments. */
  constructor() {
    super();
    parseArgs("Softsign", [...arguments], []);
  }
  /** Applies the activation to `input` (any shape). */
  override forward(input: Tensor): Tensor {
    return softsign(input);
  }
}

/**
 * Applies `x - tanh(x)`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(new nn.Tanhshrink().forward(tensor([0])).tolist()); // [0]
 * ```
 */
export class Tanhshrink extends Module {
  /** The activation takes no arguments. */
  constructor() {
    super();
    parseArgs("Tanhshrink", [...arguments], []);
  }
  /** Applies the activation to `input` (any shape). */
  override forward(input: Tensor): Tensor {
    return tanhshrink(input);
  }
}

/**
 * Applies `log(1 + exp(beta x)) / beta` (linear above `threshold`). `new nn.Softplus()`,
 * `new nn.Softplus(2, 10)` or `{ beta, threshold }`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(new nn.Softplus({ beta: 2 }).forward(tensor([50])).tolist()); // [50]
 * ```
 */
export class Softplus extends Module {
  /** The sharpness (default 1). */
  beta: number;
  /** Above `beta * x > threshold` the output is `x` (default 20). */
  threshold: number;
  /** `beta` (default 1) and `threshold` (default 20), positionally or in the options. */
  constructor(beta?: number | SoftplusOptions, threshold?: number) {
    super();
    const a = parseArgs("Softplus", [beta, threshold], [
      { name: "beta", kind: "number", default: 1 },
      { name: "threshold", kind: "number", default: 20 },
    ]);
    this.beta = a.beta as number;
    this.threshold = a.threshold as number;
  }
  /** Applies the activation to `input` (any shape). */
  override forward(input: Tensor): Tensor {
    return softplus(input, this.beta, this.threshold);
  }
  /** The arguments shown in the module's repr. */
  override extraRepr(): string {
    return `beta=${this.beta}, threshold=${this.threshold}`;
  }
}

/**
 * Soft shrinkage with `lambd` (default 0.5): `new nn.Softshrink(1.2)` or `{ lambd }`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(new nn.Softshrink(1).forward(tensor([3, 0.5])).tolist()); // [2, 0]
 * ```
 */
export class Softshrink extends Module {
  /** The shrinkage threshold. */
  lambd: number;
  /** `lambd` (default 0.5, must be >= 0), positionally or in the options. */
  constructor(lambd?: number | SoftshrinkOptions) {
    super();
    this.lambd = parseArgs("Softshrink", [lambd], [{ name: "lambd", kind: "number", default: 0.5 }]).lambd as number;
    if (this.lambd < 0) {
      throw new RangeError(`Softshrink: lambda must be greater or equal to 0, but found to be ${this.lambd}.`);
    }
  }
  /** Applies the activation to `input` (any shape). */
  override forward(input: Tensor): Tensor {
    return softshrink(input, this.lambd);
  }
  /** The arguments shown in the module's repr. */
  override extraRepr(): string {
    return `${this.lambd}`;
  }
}

abstract class SoftmaxBase extends Module {
  /** The dim the softmax runs over; null uses PyTorch's implicit choice (see `implicitSoftmaxDim`). */
  dim: number | null;
  /** @internal */
  constructor(name: string, args: unknown[]) {
    super();
    this.dim = parseArgs(name, args, [{ name: "dim", kind: "int?", default: null }]).dim as number | null;
  }
  /** The arguments shown in the module's repr. */
  override extraRepr(): string {
    return `dim=${this.dim ?? "None"}`;
  }
}

/**
 * Softmax along `dim`: `new nn.Softmax(1)` or `{ dim: 1 }`. Without `dim`, PyTorch's implicit
 * choice applies (0 for 0-, 1- and 3-d inputs, else 1).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(new nn.Softmax(1).forward(tensor([[3, 3]])).tolist()); // [[0.5, 0.5]]
 * ```
 */
export class Softmax extends SoftmaxBase {
  /** `dim` positionally or as `{ dim }`; absent or null: PyTorch's implicit dim. */
  constructor(dim?: number | null | SoftmaxOptions) {
    super("Softmax", [dim]);
  }
  /** Applies the activation to `input` (any shape). */
  override forward(input: Tensor): Tensor {
    return softmax(input, this.dim);
  }
}

/**
 * Softmin (softmax of `-x`) along `dim`: `new nn.Softmin(1)`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(new nn.Softmin(1).forward(tensor([[3, 3]])).tolist()); // [[0.5, 0.5]]
 * ```
 */
export class Softmin extends SoftmaxBase {
  /** `dim` positionally or as `{ dim }`; absent or null: PyTorch's implicit dim. */
  constructor(dim?: number | null | SoftmaxOptions) {
    super("Softmin", [dim]);
  }
  /** Applies the activation to `input` (any shape). */
  override forward(input: Tensor): Tensor {
    return softmin(input, this.dim);
  }
}

/**
 * Log-softmax along `dim`: `new nn.LogSoftmax(1)`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(new nn.LogSoftmax(1).forward(tensor([[1, 1]])).tolist()); // [[-0.6931471824645996, -0.6931471824645996]]
 * ```
 */
export class LogSoftmax extends SoftmaxBase {
  /** `dim` positionally or as `{ dim }`; absent or null: PyTorch's implicit dim. */
  constructor(dim?: number | null | SoftmaxOptions) {
    super("LogSoftmax", [dim]);
  }
  /** Applies the activation to `input` (any shape). */
  override forward(input: Tensor): Tensor {
    return logSoftmax(input, this.dim);
  }
}

/**
 * Softmax over the channels of each location: dim -3 of a (C, H, W) or (N, C, H, W) input.
 *
 * @example
 * ```ts
 * import { nn, ones } from "../../mod.ts";
 * console.log(new nn.Softmax2d().forward(ones([1, 2, 1, 1])).tolist()); // [[[[0.5]], [[0.5]]]]
 * ```
 */
export class Softmax2d extends Module {
  /** The layer takes no arguments. */
  constructor() {
    super();
    parseArgs("Softmax2d", [...arguments], []);
  }
  /** Applies the activation to `input` (any shape). */
  override forward(input: Tensor): Tensor {
    checkTensor(input, "Softmax2d.forward");
    if (input.ndim !== 3 && input.ndim !== 4) {
      throw new RangeError(
        `Softmax2d.forward: Softmax2d requires a 3D or 4D tensor as input, got shape ${fmt(input.shape)}`,
      );
    }
    return softmaxOp(input, -3, "Softmax2d.forward");
  }
}

/** Options of `nn.PReLU`. */
export interface PReLUOptions {
  /** The number of slopes: 1, or the number of input channels (default 1). */
  numParameters?: number;
  /** The initial slope (default 0.25). */
  init?: number;
  /** The parameter's dtype (default float32). */
  dtype?: "float32" | "float64";
}

/**
 * `x > 0 ? x : a * x` with a learnable slope `a` (`weight`), shared or one per channel:
 * `new nn.PReLU()`, `new nn.PReLU(4, { init: 0.1 })` or `new nn.PReLU({ numParameters: 4 })`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const m = new nn.PReLU();
 * console.log(m.forward(tensor([-4, 4])).tolist()); // [-1, 4]
 * ```
 */
export class PReLU extends Module {
  /** The number of slopes. */
  numParameters: number;
  /** The learnable slopes, shape `(numParameters)`. */
  declare weight: Parameter;
  /** `numParameters` (default 1) positionally or in the options, and `{ init, dtype }`. */
  constructor(numParameters?: number | PReLUOptions, opts?: PReLUOptions) {
    super();
    const a = parseArgs("PReLU", [numParameters, opts], [
      { name: "numParameters", kind: "int", default: 1 },
      { name: "init", kind: "number", default: 0.25, keywordOnly: false },
      { name: "dtype", kind: "any", default: "float32", keywordOnly: true },
    ]);
    const n = a.numParameters as number;
    if (n < 1) throw new RangeError(`PReLU: expected numParameters >= 1, got ${n}`);
    if (a.dtype !== "float32" && a.dtype !== "float64") {
      throw new TypeError(`PReLU: expected dtype "float32" or "float64", got ${describe(a.dtype)}`);
    }
    this.numParameters = n;
    this.weight = new Parameter(full([n], a.init as number, { dtype: a.dtype }));
  }
  /** Applies the activation to `input` (any shape). */
  override forward(input: Tensor): Tensor {
    if (!isTensor(input)) throw new TypeError(`PReLU.forward: expected input to be a Tensor, got ${describe(input)}`);
    return prelu(input, this.weight);
  }
  /** The arguments shown in the module's repr. */
  override extraRepr(): string {
    return `num_parameters=${this.numParameters}`;
  }
}
