/**
 * Modern activations: GELU (exact and tanh), SiLU, Mish, Hardswish, Hardsigmoid, CELU, SELU,
 * GLU, Hardshrink and RReLU, each beside its `nn.functional` twin. The elementwise ones run one native
 * kernel forward and one backward in PyTorch 1.13's formulas (`native/src/cpu/unary.c`); GLU is
 * a composition (`a * sigmoid(b)` over the two halves of a dim), and so are RReLU in training
 * (`x * slope` with slopes drawn from the library's RNG) and `gumbelSoftmax`.
 *
 * Like PyTorch, they take floating point input only (integer and bool tensors are a TypeError);
 * float16 is computed in float32 and rounded back (PyTorch 1.13's CPU kernels refuse Half).
 * Arguments PyTorch takes positionally stay positional (`new nn.CELU(0.5)`, `F.glu(x, 1)`), and
 * every argument may also go into a trailing options object (`new nn.SiLU({ inplace: true })`).
 *
 * @module
 */

import { ones, rand, type Tensor, zeros } from "../tensor/mod.ts";
import { noGrad } from "../autograd/grad_mode.ts";
import * as A from "../tensor/ops/activation.ts";
import * as E from "../tensor/ops/elementwise.ts";
import { maxDim } from "../tensor/ops/reduce.ts";
import { scatter } from "../tensor/ops/indexing.ts";
import { softmax } from "../tensor/ops/softmax.ts";
import { narrow } from "../tensor/ops/view.ts";
import { checkTensor } from "../tensor/ops/util.ts";
import { describe, fmt, normDim } from "../tensor/shape.ts";
import type { InplaceOptions } from "./activation.ts";
import { Module } from "./module.ts";
import { type ArgSpec, parseArgs } from "./positional.ts";

const INPLACE: ArgSpec = { name: "inplace", kind: "boolean", default: false };

/** GELU's two forms: exact (`"none"`, with erf) or the tanh approximation. */
export type GeluApproximate = "none" | "tanh";

/** Options of `gelu` / `nn.GELU`. */
export interface GeluOptions {
  /** `"none"` (default): `x * Φ(x)` with erf; `"tanh"`: PyTorch's tanh approximation. */
  approximate?: GeluApproximate;
}
/** Options of `celu` / `nn.CELU`. */
export interface CeluOptions extends InplaceOptions {
  /** The saturation value for negative inputs, not 0 (default 1). */
  alpha?: number;
}
/** Options of `glu` / `nn.GLU`. */
export interface GluOptions {
  /** The dim that is split in half (default -1). */
  dim?: number;
}
/** Options of `hardshrink` / `nn.Hardshrink`. */
export interface HardshrinkOptions {
  /** Values with `|x| <= lambd` become 0 (default 0.5). */
  lambd?: number;
}

/** A Python float's repr (`1.0`, `0.5`, `1e-05`), as PyTorch's `extra_repr` prints floats. */
function pyFloat(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
  const [mant, expText] = v.toExponential().split("e");
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    return `${mant}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  const s = String(v);
  return s.includes(".") ? s : `${s}.0`;
}

/** Checks a float input (PyTorch's kernels have no integer versions). */
function floatInput(x: unknown, call: string): Tensor {
  const t = checkTensor(x, call);
  if (!t.isFloatingPoint()) {
    throw new TypeError(`${call}: expected a floating point input, got dtype ${t.dtype}`);
  }
  return t;
}

/** Runs `op` out of place, or in place into `x` (PyTorch's `inplace=True`). */
function run(x: unknown, inplace: boolean, call: string, op: A.ActivationOp): Tensor {
  const t = floatInput(x, call);
  return inplace ? E.inplace(t, call, op) : op(t);
}

function geluApproximate(v: unknown, call: string): GeluApproximate {
  if (typeof v !== "string") throw new TypeError(`${call}: expected approximate to be a string, got ${describe(v)}`);
  if (v !== "none" && v !== "tanh") {
    throw new RangeError(`${call}: approximate argument must be either "none" or "tanh", got ${describe(v)}`);
  }
  return v;
}

function celuAlpha(alpha: number, call: string): number {
  if (alpha === 0) throw new RangeError(`${call}: alpha cannot be 0 for CELU (it divides by alpha), got 0`);
  return alpha;
}

function gluImpl(input: unknown, dim: number, call: string): Tensor {
  const x = floatInput(input, call);
  if (x.ndim === 0) {
    throw new RangeError(`${call}: glu does not support scalars (0-d input) because halving size must be even`);
  }
  const d = normDim(dim, x.ndim, call);
  const n = x.shape[d];
  if (n % 2 !== 0) {
    throw new RangeError(
      `${call}: Halving dimension must be even, but dimension ${d} is size ${n} (input shape ${fmt(x.shape)})`,
    );
  }
  const h = n / 2;
  return E.mul(narrow(x, d, 0, h), E.sigmoid(narrow(x, d, h, h)));
}

// ------------------------------------------------------------------ functional twins

/**
 * Gaussian error linear unit, `x * Φ(x)` with `Φ` the standard normal CDF (exact, with erf), or
 * PyTorch's tanh approximation with `{ approximate: "tanh" }` (keyword-only, as in PyTorch).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const F = nn.functional;
 * console.log(F.gelu(tensor([0, 1], { dtype: "float64" })).tolist()); // [0, 0.841344746068543]
 * console.log(F.gelu(tensor([-100, 100]), { approximate: "tanh" }).tolist()); // [-0, 100]
 * ```
 */
export function gelu(input: Tensor, opts?: GeluOptions): Tensor {
  const a = parseArgs("gelu", [opts], [{ name: "approximate", kind: "any", default: "none", keywordOnly: true }]);
  const approx = geluApproximate(a.approximate, "gelu");
  return run(input, false, "gelu", approx === "tanh" ? A.geluTanhOp : A.geluOp);
}

/**
 * Sigmoid linear unit (swish), `x * sigmoid(x)`. `F.silu(x)`, `F.silu(x, true)` or `{ inplace }`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(nn.functional.silu(tensor([0, 100])).tolist()); // [0, 100]
 * ```
 */
export function silu(input: Tensor, inplace?: boolean | InplaceOptions): Tensor {
  const a = parseArgs("silu", [inplace], [INPLACE]);
  return run(input, a.inplace as boolean, "silu", A.siluOp);
}

/**
 * Mish, `x * tanh(softplus(x))`. `F.mish(x)`, `F.mish(x, true)` or `{ inplace }`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(nn.functional.mish(tensor([0, 50])).tolist()); // [0, 50]
 * ```
 */
export function mish(input: Tensor, inplace?: boolean | InplaceOptions): Tensor {
  const a = parseArgs("mish", [inplace], [INPLACE]);
  return run(input, a.inplace as boolean, "mish", A.mishOp);
}

/**
 * Hard swish, `x * relu6(x + 3) / 6`: 0 up to -3, `x` from 3. Its gradient is `x / 3 + 0.5` on
 * [-3, 3) (so -0.5 at -3) and 1 from 3 on, as PyTorch's vectorized kernel computes it.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(nn.functional.hardswish(tensor([-4, 0, 1.5, 4])).tolist()); // [-0, 0, 1.125, 4]
 * ```
 */
export function hardswish(input: Tensor, inplace?: boolean | InplaceOptions): Tensor {
  const a = parseArgs("hardswish", [inplace], [INPLACE]);
  return run(input, a.inplace as boolean, "hardswish", A.hardswishOp);
}

/**
 * Hard sigmoid, `relu6(x + 3) / 6`; its gradient is 1/6 strictly inside (-3, 3), else 0.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(nn.functional.hardsigmoid(tensor([-4, 0, 1.5, 4])).tolist()); // [0, 0.5, 0.75, 1]
 * ```
 */
export function hardsigmoid(input: Tensor, inplace?: boolean | InplaceOptions): Tensor {
  const a = parseArgs("hardsigmoid", [inplace], [INPLACE]);
  return run(input, a.inplace as boolean, "hardsigmoid", A.hardsigmoidOp);
}

/**
 * Continuously differentiable ELU, `x > 0 ? x : alpha * (exp(x / alpha) - 1)` with `alpha != 0`
 * (default 1). `F.celu(x, 0.5)`, `F.celu(x, 0.5, true)` or `{ alpha, inplace }`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(nn.functional.celu(tensor([2, -1000]), 0.5).tolist()); // [2, -0.5]
 * ```
 */
export function celu(input: Tensor, alpha?: number | CeluOptions, inplace?: boolean | InplaceOptions): Tensor {
  const a = parseArgs("celu", [alpha, inplace], [{ name: "alpha", kind: "number", default: 1 }, INPLACE]);
  const al = celuAlpha(a.alpha as number, "celu");
  return run(input, a.inplace as boolean, "celu", A.celuOp(al));
}

/**
 * In-place `celu`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const x = tensor([3, -1000]);
 * nn.functional.celu_(x, 2);
 * console.log(x.tolist()); // [3, -2]
 * ```
 */
export function celu_(input: Tensor, alpha = 1): Tensor {
  return celu(input, alpha, true);
}

/**
 * Scaled ELU, `scale * (x > 0 ? x : alpha * (exp(x) - 1))` with PyTorch's constants
 * `alpha = 1.6732632423543772`, `scale = 1.0507009873554805`. `F.selu(x)`, `F.selu(x, true)`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(nn.functional.selu(tensor([0, 1], { dtype: "float64" })).tolist()); // [0, 1.0507009873554805]
 * ```
 */
export function selu(input: Tensor, inplace?: boolean | InplaceOptions): Tensor {
  const a = parseArgs("selu", [inplace], [INPLACE]);
  return run(input, a.inplace as boolean, "selu", A.seluOp);
}

/**
 * In-place `selu`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const x = tensor([2], { dtype: "float64" });
 * nn.functional.selu_(x);
 * console.log(x.tolist()); // [2.101401974710961]
 * ```
 */
export function selu_(input: Tensor): Tensor {
  return selu(input, true);
}

/**
 * Gated linear unit: splits `dim` (default -1, which must have an even size) into halves `a`
 * and `b` and returns `a * sigmoid(b)`. `F.glu(x, 1)` or `F.glu(x, { dim: 1 })`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(nn.functional.glu(tensor([[4, 0]])).tolist()); // [[2]]
 * ```
 */
export function glu(input: Tensor, dim?: number | GluOptions): Tensor {
  const a = parseArgs("glu", [dim], [{ name: "dim", kind: "int", default: -1 }]);
  return gluImpl(input, a.dim as number, "glu");
}

/**
 * Hard shrinkage: `x`, or 0 where `-lambd <= x <= lambd` (default `lambd` 0.5).
 * `F.hardshrink(x, 1)` or `F.hardshrink(x, { lambd: 1 })`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(nn.functional.hardshrink(tensor([-2, 0.5, 0.7]), 0.5).tolist()); // [-2, 0, 0.699999988079071]
 * ```
 */
export function hardshrink(input: Tensor, lambd?: number | HardshrinkOptions): Tensor {
  const a = parseArgs("hardshrink", [lambd], [{ name: "lambd", kind: "number", default: 0.5 }]);
  return run(input, false, "hardshrink", A.hardshrinkOp(a.lambd as number));
}

// ------------------------------------------------------------------ modules

abstract class InplaceAct extends Module {
  /** Whether forward overwrites its input. */
  inplace = false;
  /** @internal */
  constructor(call: string, inplace: unknown) {
    super();
    this.inplace = parseArgs(call, [inplace], [INPLACE]).inplace as boolean;
  }
  /** The arguments shown in the module's repr. */
  override extraRepr(): string {
    return this.inplace ? "inplace=True" : "";
  }
}

/**
 * Applies GELU elementwise: `new nn.GELU()` (exact, with erf), `new nn.GELU("tanh")` or
 * `new nn.GELU({ approximate: "tanh" })`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const m = new nn.GELU("tanh");
 * console.log(m.toString()); // GELU(approximate='tanh')
 * console.log(m.forward(tensor([0])).tolist()); // [0]
 * ```
 */
export class GELU extends Module {
  /** `"none"` (exact) or `"tanh"`. */
  approximate: GeluApproximate;
  /** `approximate` (default `"none"`) positionally or in the options. */
  constructor(approximate?: GeluApproximate | GeluOptions) {
    super();
    const a = parseArgs("GELU", [approximate], [{ name: "approximate", kind: "any", default: "none" }]);
    this.approximate = geluApproximate(a.approximate, "GELU");
  }
  /** Applies the activation to `input` (any shape, floating point). */
  override forward(input: Tensor): Tensor {
    return run(input, false, "GELU.forward", this.approximate === "tanh" ? A.geluTanhOp : A.geluOp);
  }
  /** The arguments shown in the module's repr. */
  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/**
 * Applies `x * sigmoid(x)` elementwise. `new nn.SiLU()`, `new nn.SiLU(true)` or `{ inplace }`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(new nn.SiLU().forward(tensor([0])).tolist()); // [0]
 * ```
 */
export class SiLU extends InplaceAct {
  /** `inplace` (default false): overwrite the input; a boolean or `{ inplace }`. */
  constructor(inplace?: boolean | InplaceOptions) {
    super("SiLU", inplace);
  }
  /** Applies the activation to `input` (any shape, floating point). */
  override forward(input: Tensor): Tensor {
    return run(input, this.inplace, "SiLU.forward", A.siluOp);
  }
}

/**
 * Applies `x * tanh(softplus(x))` elementwise. `new nn.Mish()`, `new nn.Mish(true)` or `{ inplace }`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(new nn.Mish().forward(tensor([0])).tolist()); // [0]
 * ```
 */
export class Mish extends InplaceAct {
  /** `inplace` (default false): overwrite the input; a boolean or `{ inplace }`. */
  constructor(inplace?: boolean | InplaceOptions) {
    super("Mish", inplace);
  }
  /** Applies the activation to `input` (any shape, floating point). */
  override forward(input: Tensor): Tensor {
    return run(input, this.inplace, "Mish.forward", A.mishOp);
  }
}

/**
 * Applies `x * relu6(x + 3) / 6` elementwise. `new nn.Hardswish()`, `new nn.Hardswish(true)`.
 * Its repr shows no arguments, like PyTorch's.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(new nn.Hardswish().forward(tensor([-3, 3])).tolist()); // [-0, 3]
 * ```
 */
export class Hardswish extends InplaceAct {
  /** `inplace` (default false): overwrite the input; a boolean or `{ inplace }`. */
  constructor(inplace?: boolean | InplaceOptions) {
    super("Hardswish", inplace);
  }
  /** Applies the activation to `input` (any shape, floating point). */
  override forward(input: Tensor): Tensor {
    return run(input, this.inplace, "Hardswish.forward", A.hardswishOp);
  }
  /** PyTorch's Hardswish has no extra_repr. */
  override extraRepr(): string {
    return "";
  }
}

/**
 * Applies `relu6(x + 3) / 6` elementwise. `new nn.Hardsigmoid()`, `new nn.Hardsigmoid(true)`.
 * Its repr shows no arguments, like PyTorch's.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(new nn.Hardsigmoid().forward(tensor([-3, 0, 3])).tolist()); // [0, 0.5, 1]
 * ```
 */
export class Hardsigmoid extends InplaceAct {
  /** `inplace` (default false): overwrite the input; a boolean or `{ inplace }`. */
  constructor(inplace?: boolean | InplaceOptions) {
    super("Hardsigmoid", inplace);
  }
  /** Applies the activation to `input` (any shape, floating point). */
  override forward(input: Tensor): Tensor {
    return run(input, this.inplace, "Hardsigmoid.forward", A.hardsigmoidOp);
  }
  /** PyTorch's Hardsigmoid has no extra_repr. */
  override extraRepr(): string {
    return "";
  }
}

/**
 * Applies `x > 0 ? x : alpha * (exp(x / alpha) - 1)` elementwise. `new nn.CELU()`,
 * `new nn.CELU(0.5)`, `new nn.CELU(0.5, true)` or `{ alpha, inplace }`; `alpha` must not be 0.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const m = new nn.CELU(0.5);
 * console.log(m.toString()); // CELU(alpha=0.5)
 * console.log(m.forward(tensor([1, -1000])).tolist()); // [1, -0.5]
 * ```
 */
export class CELU extends Module {
  /** The saturation value for negative inputs. */
  alpha: number;
  /** Whether forward overwrites its input. */
  inplace: boolean;
  /** `alpha` (default 1) positionally or in the options, then `inplace`. */
  constructor(alpha?: number | CeluOptions, inplace?: boolean | InplaceOptions) {
    super();
    const a = parseArgs("CELU", [alpha, inplace], [{ name: "alpha", kind: "number", default: 1 }, INPLACE]);
    this.alpha = celuAlpha(a.alpha as number, "CELU");
    this.inplace = a.inplace as boolean;
  }
  /** Applies the activation to `input` (any shape, floating point). */
  override forward(input: Tensor): Tensor {
    return run(input, this.inplace, "CELU.forward", A.celuOp(celuAlpha(this.alpha, "CELU.forward")));
  }
  /** The arguments shown in the module's repr. */
  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}${this.inplace ? ", inplace=True" : ""}`;
  }
}

/**
 * Applies SELU elementwise, `scale * (x > 0 ? x : alpha * (exp(x) - 1))` with PyTorch's fixed
 * `alpha` and `scale`. `new nn.SELU()`, `new nn.SELU(true)` or `{ inplace }`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(new nn.SELU().forward(tensor([0])).tolist()); // [0]
 * ```
 */
export class SELU extends InplaceAct {
  /** `inplace` (default false): overwrite the input; a boolean or `{ inplace }`. */
  constructor(inplace?: boolean | InplaceOptions) {
    super("SELU", inplace);
  }
  /** Applies the activation to `input` (any shape, floating point). */
  override forward(input: Tensor): Tensor {
    return run(input, this.inplace, "SELU.forward", A.seluOp);
  }
}

/**
 * Gated linear unit over `dim` (default -1): `a * sigmoid(b)` for the halves `a`, `b` of that
 * dim. `new nn.GLU()`, `new nn.GLU(1)` or `{ dim: 1 }`.
 *
 * @example
 * ```ts
 * import { nn, ones } from "../../mod.ts";
 * console.log(new nn.GLU(1).forward(ones([2, 6, 3])).shape); // [2, 3, 3]
 * ```
 */
export class GLU extends Module {
  /** The dim that is split in half. */
  dim: number;
  /** `dim` (default -1) positionally or as `{ dim }`. */
  constructor(dim?: number | GluOptions) {
    super();
    this.dim = parseArgs("GLU", [dim], [{ name: "dim", kind: "int", default: -1 }]).dim as number;
  }
  /** Applies the gate to `input` (at least 1-d, an even size along `dim`). */
  override forward(input: Tensor): Tensor {
    return gluImpl(input, this.dim, "GLU.forward");
  }
  /** The arguments shown in the module's repr. */
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/**
 * Hard shrinkage with `lambd` (default 0.5): `new nn.Hardshrink()`, `new nn.Hardshrink(1)` or
 * `{ lambd: 1 }`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const m = new nn.Hardshrink(1);
 * console.log(m.toString()); // Hardshrink(1.0)
 * console.log(m.forward(tensor([-2, 1, 3])).tolist()); // [-2, 0, 3]
 * ```
 */
export class Hardshrink extends Module {
  /** The shrinkage threshold. */
  lambd: number;
  /** `lambd` (default 0.5) positionally or in the options. */
  constructor(lambd?: number | HardshrinkOptions) {
    super();
    this.lambd = parseArgs("Hardshrink", [lambd], [{ name: "lambd", kind: "number", default: 0.5 }]).lambd as number;
  }
  /** Applies the activation to `input` (any shape, floating point). */
  override forward(input: Tensor): Tensor {
    return run(input, false, "Hardshrink.forward", A.hardshrinkOp(this.lambd));
  }
  /** The arguments shown in the module's repr. */
  override extraRepr(): string {
    return pyFloat(this.lambd);
  }
}

/** Options of `rrelu` / `nn.RReLU`. */
export interface RreluOptions extends InplaceOptions {
  /** The lower bound of the random negative slope (default 1/8). */
  lower?: number;
  /** The upper bound of the random negative slope (default 1/3). */
  upper?: number;
  /** Draw random slopes (functional only; default false: the fixed slope `(lower + upper) / 2`). */
  training?: boolean;
}

const RRELU_BOUNDS: ArgSpec[] = [
  { name: "lower", kind: "number", default: 1 / 8 },
  { name: "upper", kind: "number", default: 1 / 3 },
];

function rreluImpl(x: unknown, lower: number, upper: number, training: boolean, inplace: boolean, call: string) {
  const t = floatInput(x, call);
  if (!(lower <= upper)) {
    throw new RangeError(
      `${call}: Lower bound should be less than or equal to the upper bound, got lower ${lower} and upper ${upper}`,
    );
  }
  if (!training) return run(t, inplace, call, A.leakyReluOp((lower + upper) / 2));
  // PyTorch: a slope uniform in [lower, upper] for every x <= 0, slope 1 elsewhere; the
  // gradient is the slope used (the slopes are constants of the graph).
  const slope = noGrad(() => {
    const r = rand([...t.shape], { dtype: t.dtype === "float64" ? "float64" : "float32" }).mul(upper - lower).add(
      lower,
    );
    return E.where(t.gt(0), 1, t.dtype === r.dtype ? r : r.to(t.dtype));
  });
  return inplace ? E.inplace(t, call, (src, out) => E.mul(src, slope, out)) : E.mul(t, slope);
}

/**
 * Randomized leaky ReLU (PyTorch's `F.rrelu`): `x >= 0 ? x : a * x`. With `training` the slope
 * `a` is drawn uniformly from `[lower, upper]` for every element (from the library's RNG, so
 * `manualSeed` repeats it), otherwise `a = (lower + upper) / 2`; the gradient is the slope used.
 * `F.rrelu(x, lower, upper, training, inplace)` or `{ lower, upper, training, inplace }`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(nn.functional.rrelu(tensor([-4, 2]), 0.25, 0.75).tolist()); // [-2, 2]
 * const y = nn.functional.rrelu(tensor([-1, -1, 3]), { training: true });
 * console.log(Array.from(y.toArray() as Float32Array).every((v) => v >= -1 / 3 && v <= 3)); // true
 * ```
 */
export function rrelu(
  input: Tensor,
  lower?: number | RreluOptions,
  upper?: number,
  training?: boolean,
  inplace?: boolean,
): Tensor {
  const a = parseArgs("rrelu", [lower, upper, training, inplace], [
    ...RRELU_BOUNDS,
    { name: "training", kind: "boolean", default: false },
    INPLACE,
  ]);
  return rreluImpl(input, a.lower as number, a.upper as number, a.training as boolean, a.inplace as boolean, "rrelu");
}

/**
 * In-place `rrelu`: `F.rrelu_(x, lower, upper, training)`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const x = tensor([-8, 1]);
 * nn.functional.rrelu_(x, 0.25, 0.25);
 * console.log(x.tolist()); // [-2, 1]
 * ```
 */
export function rrelu_(input: Tensor, lower = 1 / 8, upper = 1 / 3, training = false): Tensor {
  return rrelu(input, lower, upper, training, true);
}

/**
 * Randomized leaky ReLU as a module (PyTorch's `nn.RReLU`): random negative slopes in
 * `[lower, upper]` in training mode, the fixed slope `(lower + upper) / 2` in eval mode.
 * `new nn.RReLU()`, `new nn.RReLU(0.1, 0.3)` or `{ lower, upper, inplace }`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const m = new nn.RReLU(0.1, 0.3);
 * console.log(m.toString()); // RReLU(lower=0.1, upper=0.3)
 * m.eval();
 * console.log(m.forward(tensor([-10, 5])).tolist()); // [-2, 5]
 * ```
 */
export class RReLU extends Module {
  /** The lower bound of the random slope. */
  lower: number;
  /** The upper bound of the random slope. */
  upper: number;
  /** Whether forward overwrites its input. */
  inplace: boolean;
  /** `lower` (1/8), `upper` (1/3), `inplace` (false), positionally or in the options. */
  constructor(lower?: number | Omit<RreluOptions, "training">, upper?: number, inplace?: boolean) {
    super();
    const a = parseArgs("RReLU", [lower, upper, inplace], [...RRELU_BOUNDS, INPLACE]);
    this.lower = a.lower as number;
    this.upper = a.upper as number;
    this.inplace = a.inplace as boolean;
  }
  /** Applies the activation to `input` (random slopes when the module is training). */
  override forward(input: Tensor): Tensor {
    return rreluImpl(input, this.lower, this.upper, this.training, this.inplace, "RReLU.forward");
  }
  /** The arguments shown in the module's repr. */
  override extraRepr(): string {
    const f = (v: number) => (Number.isInteger(v) ? String(v) : pyFloat(v));
    return `lower=${f(this.lower)}, upper=${f(this.upper)}${this.inplace ? ", inplace=True" : ""}`;
  }
}

/** Options of `gumbelSoftmax`. */
export interface GumbelSoftmaxOptions {
  /** The temperature, > 0 (default 1). */
  tau?: number;
  /** Return one-hot samples with the soft samples' gradient (straight-through; default false). */
  hard?: boolean;
  /** Unused, as in PyTorch (kept for its positional order; default 1e-10). */
  eps?: number;
  /** The dim of the categories (default -1). */
  dim?: number;
}

/**
 * Samples from the Gumbel-softmax distribution (PyTorch's `F.gumbel_softmax`):
 * `softmax((logits + g) / tau, dim)` with Gumbel noise `g = -log(Exp(1))` from the library's
 * RNG. With `hard`, the result is the one-hot of the sample's argmax whose gradient is the
 * soft sample's (`yHard - ySoft.detach() + ySoft`). `F.gumbelSoftmax(logits, { tau, hard, dim })`
 * or PyTorch's positionals `(logits, tau, hard, eps, dim)`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const y = nn.functional.gumbelSoftmax(tensor([[1, 2, 3]]), { hard: true });
 * console.log(y.sum().item(), Array.from(y.toArray() as Float32Array).filter((v) => v === 1).length); // 1 1
 * ```
 */
export function gumbelSoftmax(
  logits: Tensor,
  tau?: number | GumbelSoftmaxOptions,
  hard?: boolean,
  eps?: number,
  dim?: number,
): Tensor {
  const call = "gumbelSoftmax";
  const a = parseArgs(call, [tau, hard, eps, dim], [
    { name: "tau", kind: "number", default: 1 },
    { name: "hard", kind: "boolean", default: false },
    { name: "eps", kind: "number", default: 1e-10 },
    { name: "dim", kind: "int", default: -1 },
  ]);
  const t = floatInput(logits, call);
  const d = normDim(a.dim as number, Math.max(t.ndim, 1), call);
  const gumbels = noGrad(() => {
    const u = rand([...t.shape], { dtype: t.dtype === "float64" ? "float64" : "float32" });
    const g = u.log().neg().log().neg(); // -log(Exp(1)) with Exp(1) = -log(U)
    return g.dtype === t.dtype ? g : g.to(t.dtype);
  });
  const ySoft = softmax(E.div(E.add(t, gumbels), a.tau as number), d, call);
  if (!a.hard) return ySoft;
  if (t.ndim > 0 && t.shape[d] === 0) {
    throw new RangeError(
      `${call}: hard samples take the max over dim ${d}, expected it to have non-zero size, got shape ${fmt(t.shape)}`,
    );
  }
  const yHard = noGrad(() => {
    // a 0-d sample's one-hot is 1, as PyTorch's max/scatter_ give for a scalar
    if (t.ndim === 0) return ones([], { dtype: t.dtype });
    const [, index] = maxDim(ySoft.detach(), d, true, false);
    return scatter(zeros([...t.shape], { dtype: t.dtype }), d, index, 1, false);
  });
  return E.add(E.sub(yHard, ySoft.detach()), ySoft);
}
