/**
 * Linear layers: `Linear` (y = x Wᵀ + b) with its functional twin `linear`, and `Identity`.
 *
 * @module
 */

import { type Device, empty, isTensor, type Tensor } from "../tensor/mod.ts";
import { noGrad } from "../autograd/grad_mode.ts";
import { linear2d, matmul } from "../tensor/ops/linalg.ts";
import { add } from "../tensor/ops/elementwise.ts";
import { reshape, transpose } from "../tensor/ops/view.ts";
import { describe, fmt } from "../tensor/shape.ts";
import { Module } from "./module.ts";
import { Parameter } from "./parameter.ts";

/** Floating point dtypes a layer's parameters may have. */
export type FloatDType = "float16" | "float32" | "float64";

/** Options of `nn.Linear`. */
export interface LinearOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
  /** The parameters' dtype (default float32). */
  dtype?: FloatDType;
  /** The parameters' device (default "cpu"). */
  device?: Device;
}

const LINEAR_KEYS: readonly string[] = ["bias", "dtype", "device"];

function checkTensorArg(x: unknown, call: string, name: string): Tensor {
  if (!isTensor(x)) throw new TypeError(`${call}: expected ${name} to be a Tensor, got ${describe(x)}`);
  x._live(call);
  return x;
}

/** @internal a non-negative integer size argument */
export function checkSize(x: unknown, call: string, name: string): number {
  if (typeof x !== "number" || !Number.isInteger(x) || x < 0) {
    throw new TypeError(`${call}: expected ${name} to be a non-negative integer, got ${describe(x)}`);
  }
  return x;
}

/** @internal validates the dtype/device options of a layer's parameters */
export function checkFactory(opts: { dtype?: unknown; device?: unknown }, call: string): FloatDType {
  const dt = opts.dtype ?? "float32";
  if (dt !== "float16" && dt !== "float32" && dt !== "float64") {
    throw new TypeError(`${call}: expected dtype to be "float16", "float32" or "float64", got ${describe(opts.dtype)}`);
  }
  if (opts.device !== undefined && typeof opts.device !== "string") {
    throw new TypeError(`${call}: expected device to be "cpu" or "cuda:N", got ${describe(opts.device)}`);
  }
  return dt;
}

/**
 * @internal an options object (undefined becomes {}). With `keys`, any other key is a
 * TypeError naming it; without, PyTorch's snake_case spellings (`ceil_mode`) are refused with
 * the camelCase name to use, since every option of this API is camelCase.
 */
export function checkOptions<T extends object>(opts: unknown, call: string, keys?: readonly string[]): T {
  if (opts === undefined) return {} as T;
  if (opts === null || typeof opts !== "object" || Array.isArray(opts) || isTensor(opts)) {
    throw new TypeError(`${call}: expected an options object, got ${describe(opts)}`);
  }
  checkOptionKeys(opts as Record<string, unknown>, call, keys);
  return opts as T;
}

/** @internal TypeError for an unknown (or snake_case) option key; see `checkOptions`. */
export function checkOptionKeys(opts: Record<string, unknown>, call: string, keys?: readonly string[]): void {
  for (const k of Object.keys(opts)) {
    // snake_case inside a key (a leading underscore, as in PyTorch's `_weight`, is kept)
    const camel = k.replace(/([a-zA-Z0-9])_+([a-zA-Z0-9])/g, (_m, a: string, c: string) => a + c.toUpperCase());
    if (keys ? keys.includes(k) : camel === k) continue;
    const hint = camel !== k ? ` (options are camelCase: did you mean "${camel}"?)` : "";
    throw new TypeError(`${call}: unknown option "${k}"${hint}${keys ? `; expected ${keys.join(", ")}` : ""}`);
  }
}

/** @internal a tensor of `shape` drawn from U(-bound, bound) in `dtype` on `device` */
export function uniformInit(
  shape: number[],
  bound: number,
  dtype: FloatDType,
  device: Device | undefined,
): Tensor {
  return noGrad(() => {
    const t = empty(shape, { dtype: dtype === "float16" ? "float32" : dtype }).uniform_(-bound, bound);
    return t.to({ dtype, device });
  });
}

/**
 * Applies a linear transformation: `y = x Wᵀ + b`. `weight` has shape
 * `(out_features, in_features)`, `bias` (optional) `(out_features)`; `input` has shape
 * `(*, in_features)`. A 2-d input is one GEMM with the bias folded in (`addmm`); other ranks
 * are folded to 2-d when their layout allows it, else go through `matmul`.
 *
 * @example
 * ```ts
 * import { nn, ones, tensor } from "../../mod.ts";
 * const w = tensor([[1, 2], [3, 4], [5, 6]]);
 * const y = nn.functional.linear(ones([1, 2]), w, tensor([1, 1, 1]));
 * console.log(y.tolist()); // [[4, 8, 12]]
 * ```
 */
export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  const call = "linear";
  checkTensorArg(input, call, "input");
  checkTensorArg(weight, call, "weight");
  if (bias !== null && bias !== undefined) checkTensorArg(bias, call, "bias");
  if (weight.ndim !== 2) {
    throw new RangeError(
      `${call}: expected weight to be 2-d (out_features, in_features), got shape ${fmt(weight.shape)}`,
    );
  }
  const [outF, inF] = weight.shape;
  if (bias && !(bias.ndim === 1 && bias.shape[0] === outF) && bias.ndim !== 0) {
    throw new RangeError(`${call}: expected bias of shape [${outF}] (out_features), got shape ${fmt(bias.shape)}`);
  }
  if (input.ndim === 0 || input.shape[input.ndim - 1] !== inF) {
    throw new RangeError(
      `${call}: expected input with last dimension ${inF} (in_features), got shape ${fmt(input.shape)}`,
    );
  }
  if (input.dtype !== weight.dtype || (bias && bias.dtype !== weight.dtype)) {
    throw new TypeError(
      `${call}: expected input, weight and bias of one dtype, got ${input.dtype}, ${weight.dtype}` +
        (bias ? ` and ${bias.dtype}` : ""),
    );
  }
  if (input.ndim === 2) return linear2d(input, weight, bias ?? null);
  if (input.ndim > 2 && input.isContiguous()) {
    const lead = input.shape.slice(0, -1);
    const x2 = reshape(input, [lead.reduce((a, b) => a * b, 1), inF]);
    return reshape(linear2d(x2, weight, bias ?? null), [...lead, outF]);
  }
  const y = matmul(input, transpose(weight, 0, 1));
  return bias ? add(y, bias) : y;
}

/**
 * A fully connected layer: `y = x Wᵀ + b` with `weight` of shape `(outFeatures, inFeatures)`
 * and `bias` of shape `(outFeatures)`, both initialised from U(-1/√inFeatures, 1/√inFeatures)
 * as in PyTorch. Input `(*, inFeatures)`, output `(*, outFeatures)`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const m = new nn.Linear(20, 30);
 * console.log(m.forward(randn([128, 20])).shape); // [128, 30]
 * console.log(Object.keys(m.stateDict())); // ["weight", "bias"]
 * const noBias = new nn.Linear(20, 30, { bias: false });
 * console.log(noBias.bias); // null
 * ```
 */
export class Linear extends Module {
  /** The size of each input sample. */
  inFeatures: number;
  /** The size of each output sample. */
  outFeatures: number;
  /** The learnable weight, shape `(outFeatures, inFeatures)`. */
  declare weight: Parameter;
  /** The learnable bias, shape `(outFeatures)`, or null with `{ bias: false }`. */
  declare bias: Parameter | null;

  /** `opts` may also be a boolean: `new nn.Linear(4, 2, false)` (PyTorch's positional `bias`). */
  constructor(inFeatures: number, outFeatures: number, opts: LinearOptions | boolean = {}) {
    super();
    const call = "Linear";
    this.inFeatures = checkSize(inFeatures, call, "inFeatures");
    this.outFeatures = checkSize(outFeatures, call, "outFeatures");
    if (inFeatures * outFeatures > 0x7fffffff) {
      throw new RangeError(
        `${call}: a weight of ${outFeatures} x ${inFeatures} elements exceeds the 2^31-1 supported`,
      );
    }
    const o = typeof opts === "boolean" ? { bias: opts } : checkOptions<LinearOptions>(opts, call, LINEAR_KEYS);
    const dtype = checkFactory(o, call);
    const withBias = o.bias ?? true;
    if (typeof withBias !== "boolean") {
      throw new TypeError(`${call}: expected bias to be a boolean, got ${describe(withBias)}`);
    }
    const bound = inFeatures > 0 ? 1 / Math.sqrt(inFeatures) : 0;
    this.weight = new Parameter(uniformInit([outFeatures, inFeatures], bound, dtype, o.device));
    if (withBias) this.bias = new Parameter(uniformInit([outFeatures], bound, dtype, o.device));
    else this.registerParameter("bias", null);
  }

  /** Re-draws the weight and bias from PyTorch's default distribution (in place). */
  resetParameters(): void {
    const bound = this.inFeatures > 0 ? 1 / Math.sqrt(this.inFeatures) : 0;
    noGrad(() => {
      for (const p of [this.weight, this.bias]) {
        if (p) p.copy_(empty(p.shape as number[]).uniform_(-bound, bound));
      }
    });
  }

  /** `input` of shape `(*, inFeatures)` to `(*, outFeatures)`. */
  override forward(input: Tensor): Tensor {
    const call = "Linear.forward";
    checkTensorArg(input, call, "input");
    if (input.ndim === 0 || input.shape[input.ndim - 1] !== this.inFeatures) {
      throw new RangeError(
        `${call}: expected input with last dimension ${this.inFeatures} (in_features), got shape ${fmt(input.shape)}`,
      );
    }
    return linear(input, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.bias ? "True" : "False"}`;
  }
}

/**
 * A placeholder that returns its input unchanged (arguments to the constructor are ignored,
 * as in PyTorch).
 *
 * @example
 * ```ts
 * import { nn, ones } from "../../mod.ts";
 * const x = ones([2]);
 * console.log(new nn.Identity().forward(x) === x); // true
 * ```
 */
export class Identity extends Module {
  constructor(..._args: unknown[]) {
    super();
  }

  /** Returns `input`. */
  override forward<T>(input: T): T {
    return input;
  }
}
