/**
 * Linear layers: `Linear` (y = x Wᵀ + b) with its functional twin `linear`, `Bilinear`
 * (y = x1ᵀ A x2 + b) with its twin `bilinear`, and `Identity`.
 *
 * @module
 */

import { type Device, empty, isTensor, type Tensor } from "../tensor/mod.ts";
import { noGrad } from "../autograd/grad_mode.ts";
import { linear2d, matmul, mm } from "../tensor/ops/linalg.ts";
import { add, mul } from "../tensor/ops/elementwise.ts";
import { sum } from "../tensor/ops/reduce.ts";
import { permute, reshape, transpose } from "../tensor/ops/view.ts";
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
    if (inFeatures * outFeatures > 0x7fffffff || Math.max(inFeatures, outFeatures) > 0x7fffffff) {
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

/** Options of `nn.Bilinear`. */
export interface BilinearOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
  /** The parameters' dtype (default float32). */
  dtype?: FloatDType;
  /** The parameters' device (default "cpu"). */
  device?: Device;
}

/** `bilinear`'s checks and computation; `call` names the public entry point in errors. */
function bilinearImpl(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | null, call: string): Tensor {
  checkTensorArg(input1, call, "input1");
  checkTensorArg(input2, call, "input2");
  checkTensorArg(weight, call, "weight");
  if (bias !== null && bias !== undefined) checkTensorArg(bias, call, "bias");
  else bias = null;
  if (weight.ndim !== 3) {
    throw new RangeError(
      `${call}: expected weight to be 3-d (out_features, in1_features, in2_features), got shape ${fmt(weight.shape)}`,
    );
  }
  if (input1.ndim === 0 || input2.ndim === 0) {
    throw new RangeError(
      `${call}: expected inputs with at least 1 dimension, got shapes ${fmt(input1.shape)} and ${fmt(input2.shape)}`,
    );
  }
  if (input1.ndim !== input2.ndim) {
    throw new RangeError(`${call}: input dimensions do not match: got ${input1.ndim} and ${input2.ndim}`);
  }
  const nd = input1.ndim;
  for (let i = 0; i < nd - 1; i++) {
    if (input1.shape[i] !== input2.shape[i]) {
      throw new RangeError(
        `${call}: input batch dimensions do not match at dim ${i}: got ${input1.shape[i]} and ${input2.shape[i]}`,
      );
    }
  }
  const [outF, in1F, in2F] = weight.shape;
  if (input1.shape[nd - 1] !== in1F) {
    throw new RangeError(
      `${call}: input1 size does not match weight size: got ${input1.shape[nd - 1]} but expected ${in1F}`,
    );
  }
  if (input2.shape[nd - 1] !== in2F) {
    throw new RangeError(
      `${call}: input2 size does not match weight size: got ${input2.shape[nd - 1]} but expected ${in2F}`,
    );
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outF)) {
    throw new RangeError(
      `${call}: bias size does not match weight size: expected shape [${outF}] (out_features), got shape ${
        fmt(bias.shape)
      }`,
    );
  }
  if (input1.dtype !== weight.dtype || input2.dtype !== weight.dtype || (bias && bias.dtype !== weight.dtype)) {
    throw new TypeError(
      `${call}: expected input1, input2, weight and bias of one dtype, got ${input1.dtype}, ${input2.dtype}, ` +
        `${weight.dtype}` + (bias ? ` and ${bias.dtype}` : ""),
    );
  }
  // y[n, o] = sum_ij x1[n, i] W[o, i, j] x2[n, j] + b[o]: one GEMM x1 @ W' with W' = W as
  // (in1, out * in2), then a product with x2 summed over in2.
  const lead = input1.shape.slice(0, -1);
  const n = lead.reduce((a, b) => a * b, 1);
  const x1 = reshape(input1, [n, in1F]), x2 = reshape(input2, [n, 1, in2F]);
  const w = reshape(permute(weight, [1, 0, 2]), [in1F, outF * in2F]);
  const t = reshape(mm(x1, w), [n, outF, in2F]);
  let y = sum(mul(t, x2), 2);
  if (bias) y = add(y, bias);
  return reshape(y, [...lead, outF]);
}

/**
 * Applies a bilinear transformation: `y = x1ᵀ A x2 + b`, i.e.
 * `y[..., o] = Σ_ij input1[..., i] weight[o, i, j] input2[..., j] + bias[o]`. `input1` has
 * shape `(*, in1_features)`, `input2` `(*, in2_features)` with the same leading dims (none
 * for one unbatched sample), `weight` `(out_features, in1_features, in2_features)`, `bias`
 * (optional) `(out_features)`; the output has shape `(*, out_features)`.
 *
 * @example
 * ```ts
 * import { nn, ones, tensor } from "../../mod.ts";
 * const w = tensor([[[1, 0], [0, 1]], [[1, 1], [1, 1]]]); // (2, 2, 2)
 * const y = nn.functional.bilinear(tensor([[1, 2]]), tensor([[3, 4]]), w, ones([2]));
 * console.log(y.tolist()); // [[12, 22]]
 * ```
 */
export function bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  return bilinearImpl(input1, input2, weight, bias, "bilinear");
}

/**
 * A bilinear layer: `y = x1ᵀ A x2 + b` with `weight` of shape
 * `(outFeatures, in1Features, in2Features)` and `bias` of shape `(outFeatures)`, both
 * initialised from U(-1/√in1Features, 1/√in1Features) as in PyTorch. Inputs
 * `(*, in1Features)` and `(*, in2Features)` with the same leading dims, output
 * `(*, outFeatures)`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const m = new nn.Bilinear(20, 30, 40);
 * console.log(m.forward(randn([128, 20]), randn([128, 30])).shape); // [128, 40]
 * console.log(m.weight.shape); // [40, 20, 30]
 * console.log(m.toString()); // Bilinear(in1_features=20, in2_features=30, out_features=40, bias=True)
 * ```
 */
export class Bilinear extends Module {
  /** The size of each first input sample. */
  in1Features: number;
  /** The size of each second input sample. */
  in2Features: number;
  /** The size of each output sample. */
  outFeatures: number;
  /** The learnable weight, shape `(outFeatures, in1Features, in2Features)`. */
  declare weight: Parameter;
  /** The learnable bias, shape `(outFeatures)`, or null with `{ bias: false }`. */
  declare bias: Parameter | null;

  /** `opts` may also be a boolean: `new nn.Bilinear(3, 4, 2, false)` (PyTorch's positional `bias`). */
  constructor(in1Features: number, in2Features: number, outFeatures: number, opts: BilinearOptions | boolean = {}) {
    super();
    const call = "Bilinear";
    this.in1Features = checkSize(in1Features, call, "in1Features");
    this.in2Features = checkSize(in2Features, call, "in2Features");
    this.outFeatures = checkSize(outFeatures, call, "outFeatures");
    if (in1Features === 0) {
      // PyTorch's reset_parameters divides by sqrt(in1_features).
      throw new RangeError(
        `${call}: expected in1Features to be positive (the init bound is 1/sqrt(in1Features)), got 0`,
      );
    }
    if (in1Features * in2Features * outFeatures > 0x7fffffff) {
      throw new RangeError(
        `${call}: a weight of ${outFeatures} x ${in1Features} x ${in2Features} elements exceeds the 2^31-1 supported`,
      );
    }
    const o = typeof opts === "boolean" ? { bias: opts } : checkOptions<BilinearOptions>(opts, call, LINEAR_KEYS);
    const dtype = checkFactory(o, call);
    const withBias = o.bias ?? true;
    if (typeof withBias !== "boolean") {
      throw new TypeError(`${call}: expected bias to be a boolean, got ${describe(withBias)}`);
    }
    const bound = 1 / Math.sqrt(in1Features);
    this.weight = new Parameter(uniformInit([outFeatures, in1Features, in2Features], bound, dtype, o.device));
    if (withBias) this.bias = new Parameter(uniformInit([outFeatures], bound, dtype, o.device));
    else this.registerParameter("bias", null);
  }

  /** Re-draws the weight and bias from U(-1/√in1Features, 1/√in1Features) (in place). */
  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.in1Features);
    noGrad(() => {
      for (const p of [this.weight, this.bias]) {
        if (p) p.copy_(empty(p.shape as number[]).uniform_(-bound, bound));
      }
    });
  }

  /** `input1` `(*, in1Features)` and `input2` `(*, in2Features)` to `(*, outFeatures)`. */
  override forward(input1: Tensor, input2: Tensor): Tensor {
    return bilinearImpl(input1, input2, this.weight, this.bias, "Bilinear.forward");
  }

  override extraRepr(): string {
    return `in1_features=${this.in1Features}, in2_features=${this.in2Features}, out_features=${this.outFeatures}, ` +
      `bias=${this.bias ? "True" : "False"}`;
  }
}
