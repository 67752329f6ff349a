/**
 * `nn.init`: PyTorch 1.13's `torch.nn.init` in camelCase. Every initializer fills a tensor in
 * place without recording a gradient (it runs under `noGrad`, so a `Parameter` can be passed
 * directly) and returns it. Random ones draw from the library's generator, so `manualSeed`
 * makes them repeatable (the values differ from PyTorch's, whose generator is another).
 *
 * Arguments follow PyTorch's order and may be given positionally or in one trailing options
 * object: `kaimingUniform_(w, Math.sqrt(5))`, `kaimingUniform_(w, { a: Math.sqrt(5), mode: "fanOut" })`.
 *
 * @module
 */

import { empty, isTensor, type Tensor, tensor } from "../tensor/mod.ts";
import { noGrad } from "../autograd/grad_mode.ts";
import { add, clamp, erf, mul } from "../tensor/ops/elementwise.ts";
import { describe, fmt } from "../tensor/shape.ts";
import { parseArgs } from "./positional.ts";
import { _erfinv, _orthogonalFrom } from "./init_linalg.ts";

/**
 * The nonlinearities `calculateGain` knows, in PyTorch's spelling (the `nn.functional` name) or
 * camelCase (`"leakyRelu"`, `"convTranspose2d"`).
 */
export type Nonlinearity =
  | "linear"
  | "conv1d"
  | "conv2d"
  | "conv3d"
  | "conv_transpose1d"
  | "conv_transpose2d"
  | "conv_transpose3d"
  | "convTranspose1d"
  | "convTranspose2d"
  | "convTranspose3d"
  | "sigmoid"
  | "tanh"
  | "relu"
  | "leaky_relu"
  | "leakyRelu"
  | "selu";

/** Which fan Kaiming initialization preserves: `"fanIn"` (forward pass) or `"fanOut"` (backward). */
export type FanMode = "fanIn" | "fanOut" | "fan_in" | "fan_out";

const LINEAR_FNS = [
  "linear",
  "conv1d",
  "conv2d",
  "conv3d",
  "conv_transpose1d",
  "conv_transpose2d",
  "conv_transpose3d",
  "convTranspose1d",
  "convTranspose2d",
  "convTranspose3d",
];

function checkTensorArg<T extends Tensor>(t: T, call: string): T {
  if (!isTensor(t)) throw new TypeError(`${call}: expected tensor to be a Tensor, got ${describe(t)}`);
  t._live(call);
  return t;
}

function checkFloat(t: Tensor, call: string): void {
  if (t.dtype !== "float16" && t.dtype !== "float32" && t.dtype !== "float64") {
    throw new TypeError(`${call}: expected a floating point tensor, got ${t.dtype}`);
  }
}

function finite(v: unknown, call: string, name: string): number {
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new TypeError(`${call}: expected ${name} to be a finite number, got ${describe(v)}`);
  }
  return v;
}

/**
 * The recommended gain for a nonlinearity (PyTorch's `calculate_gain`): 1 for linear,
 * convolutions and sigmoid, 5/3 for tanh, √2 for relu, √(2 / (1 + slope²)) for leaky_relu
 * (`param` is the negative slope, default 0.01), 3/4 for selu.
 *
 * @example
 * ```ts
 * import { nn } from "../../mod.ts";
 * console.log(nn.init.calculateGain("tanh")); // 1.6666666666666667
 * console.log(nn.init.calculateGain("leaky_relu", 0.2)); // 1.3867504905630728
 * ```
 */
export function calculateGain(nonlinearity: Nonlinearity, param: number | null = null): number {
  const call = "calculateGain";
  if (typeof nonlinearity !== "string") {
    throw new TypeError(`${call}: expected nonlinearity to be a string, got ${describe(nonlinearity)}`);
  }
  if (LINEAR_FNS.includes(nonlinearity) || nonlinearity === "sigmoid") return 1;
  if (nonlinearity === "tanh") return 5.0 / 3;
  if (nonlinearity === "relu") return Math.sqrt(2.0);
  if (nonlinearity === "leaky_relu" || nonlinearity === "leakyRelu") {
    let slope = 0.01;
    if (param !== null && param !== undefined) {
      if (typeof param !== "number" || Number.isNaN(param)) {
        throw new TypeError(`${call}: negative_slope ${String(param)} not a valid number`);
      }
      slope = param;
    }
    return Math.sqrt(2.0 / (1 + slope ** 2));
  }
  if (nonlinearity === "selu") return 3.0 / 4;
  throw new TypeError(
    `${call}: Unsupported nonlinearity ${nonlinearity} (expected one of ${
      [...LINEAR_FNS, "sigmoid", "tanh", "relu", "leaky_relu", "leakyRelu", "selu"].join(", ")
    })`,
  );
}

/**
 * `[fanIn, fanOut]` of a weight of at least 2 dimensions, as PyTorch's
 * `_calculate_fan_in_and_fan_out` computes them: `shape[1]` and `shape[0]` times the product of
 * the remaining dimensions (a convolution kernel's receptive field).
 *
 * @example
 * ```ts
 * import { empty, nn } from "../../mod.ts";
 * console.log(nn.init.calculateFanInAndFanOut(empty([16, 3, 5, 5]))); // [ 75, 400 ]
 * ```
 */
export function calculateFanInAndFanOut(tensor: Tensor): [number, number] {
  return fans(tensor, "calculateFanInAndFanOut");
}

function fans(t: Tensor, call: string): [number, number] {
  checkTensorArg(t, call);
  if (t.ndim < 2) {
    throw new RangeError(
      `${call}: Fan in and fan out can not be computed for tensor with fewer than 2 dimensions, got shape ${
        fmt(t.shape)
      }`,
    );
  }
  let receptive = 1;
  for (let i = 2; i < t.ndim; i++) receptive *= t.shape[i];
  return [t.shape[1] * receptive, t.shape[0] * receptive];
}

function correctFan(t: Tensor, mode: unknown, call: string): number {
  const m = typeof mode === "string" ? mode.toLowerCase().replace("_", "") : null;
  if (m !== "fanin" && m !== "fanout") {
    throw new TypeError(
      `${call}: Mode ${String(mode)} not supported, please use one of ['fan_in', 'fan_out'] (or "fanIn", "fanOut")`,
    );
  }
  const [fanIn, fanOut] = fans(t, call);
  return m === "fanin" ? fanIn : fanOut;
}

function checkUniformRange(a: number, b: number, call: string): void {
  if (a > b) {
    throw new RangeError(`${call}: uniform_ expects to return a [from, to) range, but found from=${a} > to=${b}`);
  }
}

function checkStd(std: number, call: string): void {
  if (std < 0) throw new RangeError(`${call}: normal expects std >= 0.0, but found std ${std}`);
}

/**
 * Fills `tensor` with values drawn from the uniform distribution U(a, b) (defaults 0 and 1).
 *
 * @example
 * ```ts
 * import { empty, nn } from "../../mod.ts";
 * const w = nn.init.uniform_(empty([3, 5]), -0.1, 0.1);
 * console.log(w.abs().max().item() < 0.1); // true
 * ```
 */
export function uniform_<T extends Tensor>(tensor: T, a?: number | { a?: number; b?: number }, b?: number): T {
  const call = "uniform_";
  checkTensorArg(tensor, call);
  const o = parseArgs(call, [a, b], [
    { name: "a", kind: "number", default: 0 },
    { name: "b", kind: "number", default: 1 },
  ]);
  const lo = finite(o.a, call, "a"), hi = finite(o.b, call, "b");
  checkFloat(tensor, call);
  checkUniformRange(lo, hi, call);
  return noGrad(() => tensor.uniform_(lo, hi));
}

/**
 * Fills `tensor` with values drawn from the normal distribution N(mean, std²) (defaults 0 and 1).
 *
 * @example
 * ```ts
 * import { empty, nn } from "../../mod.ts";
 * const w = nn.init.normal_(empty([1000]), 5, 0.01);
 * console.log(Math.abs(w.mean().item() - 5) < 0.01); // true
 * ```
 */
export function normal_<T extends Tensor>(
  tensor: T,
  mean?: number | { mean?: number; std?: number },
  std?: number,
): T {
  const call = "normal_";
  checkTensorArg(tensor, call);
  const o = parseArgs(call, [mean, std], [
    { name: "mean", kind: "number", default: 0 },
    { name: "std", kind: "number", default: 1 },
  ]);
  const m = finite(o.mean, call, "mean"), s = finite(o.std, call, "std");
  checkFloat(tensor, call);
  checkStd(s, call);
  return noGrad(() => tensor.normal_(m, s));
}

/** Options of `truncNormal_`. */
export interface TruncNormalOptions {
  /** Mean of the normal distribution (default 0). */
  mean?: number;
  /** Its standard deviation (default 1). */
  std?: number;
  /** The lower cutoff (default -2). */
  a?: number;
  /** The upper cutoff (default 2). */
  b?: number;
}

/**
 * Fills `tensor` with values drawn from the normal distribution N(mean, std²) truncated to
 * [a, b] (defaults: mean 0, std 1, a -2, b 2), by PyTorch's method: uniform values between the
 * bounds' CDF values pass through the inverse normal CDF, then are clamped to [a, b]. The
 * inverse CDF is computed in float64 (see `src/nn/init_linalg.ts`) and rounded once to the tensor's dtype.
 *
 * @example
 * ```ts
 * import { empty, nn } from "../../mod.ts";
 * const w = nn.init.truncNormal_(empty([1000]), { std: 0.02, a: -0.04, b: 0.04 });
 * console.log(w.abs().max().item() <= 0.04); // true
 * ```
 */
export function truncNormal_<T extends Tensor>(
  tensor: T,
  mean?: number | TruncNormalOptions,
  std?: number,
  a?: number,
  b?: number,
): T {
  const call = "truncNormal_";
  checkTensorArg(tensor, call);
  const o = parseArgs(call, [mean, std, a, b], [
    { name: "mean", kind: "number", default: 0 },
    { name: "std", kind: "number", default: 1 },
    { name: "a", kind: "number", default: -2 },
    { name: "b", kind: "number", default: 2 },
  ]);
  const m = finite(o.mean, call, "mean"), s = finite(o.std, call, "std");
  const lo = o.a as number, hi = o.b as number;
  if (Number.isNaN(lo) || Number.isNaN(hi)) throw new TypeError(`${call}: expected a and b to be numbers`);
  checkFloat(tensor, call);
  if (!(s > 0)) throw new RangeError(`${call}: expected std > 0, got ${s}`);
  checkUniformRange(lo, hi, call);
  const normCdf = (v: number) => (1 + erfScalar(v / Math.SQRT2)) / 2;
  const l = normCdf((lo - m) / s), u = normCdf((hi - m) / s);
  return noGrad(() => {
    const y = empty(tensor.shape, { dtype: "float64" }).uniform_(2 * l - 1, 2 * u - 1);
    const v = clamp(add(mul(_erfinv(y), s * Math.SQRT2), m), lo, hi);
    return tensor.copy_(v);
  });
}

/** erf of one number through the native kernel (JavaScript has no Math.erf). */
function erfScalar(v: number): number {
  if (v === Infinity) return 1;
  if (v === -Infinity) return -1;
  return erf(tensor([v], { dtype: "float64" })).item();
}

/**
 * Fills `tensor` with `val`.
 *
 * @example
 * ```ts
 * import { empty, nn } from "../../mod.ts";
 * console.log(nn.init.constant_(empty([2]), 0.3).tolist()); // [0.30000001192092896, 0.30000001192092896]
 * ```
 */
export function constant_<T extends Tensor>(tensor: T, val: number | { val: number }): T {
  const call = "constant_";
  checkTensorArg(tensor, call);
  const o = parseArgs(call, [val], [{ name: "val", kind: "number", default: undefined }]);
  if (o.val === undefined) throw new TypeError(`${call}: missing the required argument val`);
  return noGrad(() => tensor.fill_(o.val as number));
}

/**
 * Fills `tensor` with ones.
 *
 * @example
 * ```ts
 * import { empty, nn } from "../../mod.ts";
 * console.log(nn.init.ones_(empty([2])).tolist()); // [1, 1]
 * ```
 */
export function ones_<T extends Tensor>(tensor: T): T {
  checkTensorArg(tensor, "ones_");
  return noGrad(() => tensor.fill_(1));
}

/**
 * Fills `tensor` with zeros.
 *
 * @example
 * ```ts
 * import { nn, ones } from "../../mod.ts";
 * console.log(nn.init.zeros_(ones([2])).tolist()); // [0, 0]
 * ```
 */
export function zeros_<T extends Tensor>(tensor: T): T {
  checkTensorArg(tensor, "zeros_");
  return noGrad(() => tensor.zero_());
}

/**
 * Fills the 2-d `tensor` with the identity matrix (ones on the main diagonal of a possibly
 * rectangular matrix), which preserves the identity of inputs in a Linear layer.
 *
 * @example
 * ```ts
 * import { empty, nn } from "../../mod.ts";
 * console.log(nn.init.eye_(empty([2, 3])).tolist()); // [[1, 0, 0], [0, 1, 0]]
 * ```
 */
export function eye_<T extends Tensor>(tensor: T): T {
  const call = "eye_";
  checkTensorArg(tensor, call);
  if (tensor.ndim !== 2) {
    throw new RangeError(`${call}: Only tensors with 2 dimensions are supported, got shape ${fmt(tensor.shape)}`);
  }
  const [r, c] = tensor.shape;
  const data = new Float32Array(r * c);
  for (let i = 0; i < Math.min(r, c); i++) data[i * c + i] = 1;
  return noGrad(() => tensor.copy_(fromData(data, tensor.shape)));
}

function fromData(data: Float32Array | Float64Array, shape: readonly number[]): Tensor {
  return tensor(data, { shape: [...shape] });
}

/**
 * Fills the 3-, 4- or 5-d `tensor` with the Dirac delta, so that a convolution with it keeps
 * its input's channels (as many as both sizes allow). With `groups`, dim 0 is split into
 * `groups` blocks that each get the delta.
 *
 * @example
 * ```ts
 * import { empty, nn } from "../../mod.ts";
 * console.log(nn.init.dirac_(empty([2, 2, 3])).tolist()); // [[[0, 1, 0], [0, 0, 0]], [[0, 0, 0], [0, 1, 0]]]
 * ```
 */
export function dirac_<T extends Tensor>(tensor: T, groups?: number | { groups?: number }): T {
  const call = "dirac_";
  checkTensorArg(tensor, call);
  const g = parseArgs(call, [groups], [{ name: "groups", kind: "int", default: 1 }]).groups as number;
  const nd = tensor.ndim;
  if (nd < 3 || nd > 5) {
    throw new RangeError(
      `${call}: Only tensors with 3, 4, or 5 dimensions are supported, got shape ${fmt(tensor.shape)}`,
    );
  }
  if (g < 1) throw new RangeError(`${call}: expected groups to be a positive integer, got ${g}`);
  const s = tensor.shape;
  if (s[0] % g !== 0) {
    throw new RangeError(`${call}: dim 0 must be divisible by groups, got size ${s[0]} and groups ${g}`);
  }
  const perGroup = s[0] / g;
  const minDim = Math.min(perGroup, s[1]);
  const strides: number[] = new Array(nd);
  let st = 1;
  for (let i = nd - 1; i >= 0; i--) {
    strides[i] = st;
    st *= s[i];
  }
  let centre = 0;
  for (let i = 2; i < nd; i++) centre += Math.floor(s[i] / 2) * strides[i];
  const data = new Float32Array(st);
  for (let gi = 0; gi < g; gi++) {
    for (let d = 0; d < minDim; d++) data[(gi * perGroup + d) * strides[0] + d * strides[1] + centre] = 1;
  }
  return noGrad(() => tensor.copy_(fromData(data, s)));
}

/**
 * Fills `tensor` from U(-x, x) with x = gain · √(6 / (fanIn + fanOut)) (Glorot & Bengio, 2010).
 *
 * @example
 * ```ts
 * import { empty, nn } from "../../mod.ts";
 * const w = nn.init.xavierUniform_(empty([3, 5]), nn.init.calculateGain("relu"));
 * console.log(w.abs().max().item() <= Math.sqrt(2) * Math.sqrt(6 / 8)); // true
 * ```
 */
export function xavierUniform_<T extends Tensor>(tensor: T, gain?: number | { gain?: number }): T {
  const call = "xavierUniform_";
  const bound = Math.sqrt(3.0) * xavierStd(tensor, gain, call);
  return noGrad(() => tensor.uniform_(-bound, bound));
}

/**
 * Fills `tensor` from N(0, std²) with std = gain · √(2 / (fanIn + fanOut)) (Glorot & Bengio, 2010).
 *
 * @example
 * ```ts
 * import { empty, nn } from "../../mod.ts";
 * const w = nn.init.xavierNormal_(empty([200, 300]));
 * console.log(Math.abs(w.std().item() - Math.sqrt(2 / 500)) < 0.002); // true
 * ```
 */
export function xavierNormal_<T extends Tensor>(tensor: T, gain?: number | { gain?: number }): T {
  const std = xavierStd(tensor, gain, "xavierNormal_");
  return noGrad(() => tensor.normal_(0, std));
}

function xavierStd(tensor: Tensor, gain: unknown, call: string): number {
  checkTensorArg(tensor, call);
  const g = finite(parseArgs(call, [gain], [{ name: "gain", kind: "number", default: 1 }]).gain, call, "gain");
  const [fanIn, fanOut] = fans(tensor, call);
  checkFloat(tensor, call);
  if (fanIn + fanOut === 0) {
    throw new RangeError(`${call}: float division by zero (fanIn + fanOut is 0 for shape ${fmt(tensor.shape)})`);
  }
  return g * Math.sqrt(2.0 / (fanIn + fanOut));
}

/** Options of `kaimingUniform_` and `kaimingNormal_`. */
export interface KaimingOptions {
  /** The negative slope of the rectifier after this layer (only with leaky_relu; default 0). */
  a?: number;
  /** `"fanIn"` (default) preserves the forward pass's variance, `"fanOut"` the backward's. */
  mode?: FanMode;
  /** The nonlinearity after this layer (default "leaky_relu"); see `calculateGain`. */
  nonlinearity?: Nonlinearity;
}

function kaimingStd(tensor: Tensor, args: unknown[], call: string): number | null {
  checkTensorArg(tensor, call);
  const o = parseArgs(call, args, [
    { name: "a", kind: "number", default: 0 },
    { name: "mode", kind: "string?", default: "fan_in" },
    { name: "nonlinearity", kind: "string?", default: "leaky_relu" },
  ]);
  if (tensor.shape.includes(0)) return null; // PyTorch warns "Initializing zero-element tensors is a no-op"
  const fan = correctFan(tensor, o.mode, call);
  let gain: number;
  try {
    gain = calculateGain(o.nonlinearity as Nonlinearity, o.a as number);
  } catch (e) {
    throw new TypeError(`${call}: ${(e as Error).message.replace(/^calculateGain: /, "")}`);
  }
  checkFloat(tensor, call);
  return gain / Math.sqrt(fan);
}

/**
 * Fills `tensor` from U(-bound, bound) with bound = gain · √(3 / fan) (He et al., 2015), the
 * gain from `calculateGain(nonlinearity, a)` and the fan from `mode`. Zero-element tensors are
 * left as they are.
 *
 * @example
 * ```ts
 * import { empty, nn } from "../../mod.ts";
 * const w = nn.init.kaimingUniform_(empty([4, 6]), { mode: "fanIn", nonlinearity: "relu" });
 * console.log(w.abs().max().item() <= 1); // true (bound √2 · √(3 / 6) = 1)
 * ```
 */
export function kaimingUniform_<T extends Tensor>(
  tensor: T,
  a?: number | KaimingOptions,
  mode?: FanMode,
  nonlinearity?: Nonlinearity,
): T {
  const std = kaimingStd(tensor, [a, mode, nonlinearity], "kaimingUniform_");
  if (std === null) return tensor;
  const bound = Math.sqrt(3.0) * std;
  return noGrad(() => tensor.uniform_(-bound, bound));
}

/**
 * Fills `tensor` from N(0, std²) with std = gain / √fan (He et al., 2015), the gain from
 * `calculateGain(nonlinearity, a)` and the fan from `mode`. Zero-element tensors are left as
 * they are.
 *
 * @example
 * ```ts
 * import { empty, nn } from "../../mod.ts";
 * const w = nn.init.kaimingNormal_(empty([400, 200]), { mode: "fanOut", nonlinearity: "relu" });
 * console.log(Math.abs(w.std().item() - Math.sqrt(2 / 400)) < 0.002); // true
 * ```
 */
export function kaimingNormal_<T extends Tensor>(
  tensor: T,
  a?: number | KaimingOptions,
  mode?: FanMode,
  nonlinearity?: Nonlinearity,
): T {
  const std = kaimingStd(tensor, [a, mode, nonlinearity], "kaimingNormal_");
  if (std === null) return tensor;
  return noGrad(() => tensor.normal_(0, std));
}

/**
 * Fills `tensor` (at least 2-d; dims after the first are flattened) with a (semi-)orthogonal
 * matrix times `gain` (Saxe et al., 2013): the Q factor of a standard normal matrix, with R's
 * diagonal made positive so that Q is uniformly (Haar) distributed. Rows are orthonormal when
 * there are fewer rows than columns, columns otherwise. The QR decomposition is a Householder
 * QR in TypeScript over float64 data (`src/nn/init_linalg.ts`; there is no native QR), meant for
 * weight-sized matrices.
 *
 * @example
 * ```ts
 * import { empty, nn } from "../../mod.ts";
 * const w = nn.init.orthogonal_(empty([3, 5], { dtype: "float64" }));
 * const g = w.matmul(w.t()); // the 3 x 3 identity
 * console.log(g.sub(nn.init.eye_(empty([3, 3], { dtype: "float64" }))).abs().max().item() < 1e-12); // true
 * ```
 */
export function orthogonal_<T extends Tensor>(tensor: T, gain?: number | { gain?: number }): T {
  const call = "orthogonal_";
  checkTensorArg(tensor, call);
  const g = finite(parseArgs(call, [gain], [{ name: "gain", kind: "number", default: 1 }]).gain, call, "gain");
  if (tensor.ndim < 2) {
    throw new RangeError(
      `${call}: Only tensors with 2 or more dimensions are supported, got shape ${fmt(tensor.shape)}`,
    );
  }
  checkFloat(tensor, call);
  const numel = tensor.numel();
  if (numel === 0) return tensor;
  const rows = tensor.shape[0];
  const cols = numel / rows;
  return noGrad(() => {
    const draw = empty([rows, cols], { dtype: tensor.dtype === "float64" ? "float64" : "float32" }).normal_(0, 1);
    const out = _orthogonalFrom(Float64Array.from(draw.toArray() as Float32Array | Float64Array), rows, cols);
    tensor.copy_(fromData(out, tensor.shape));
    return tensor.mul_(g);
  });
}

/**
 * Fills the 2-d `tensor` as a sparse matrix (Martens, 2010): values from N(0, std²) (default
 * std 0.01), then in each column `ceil(sparsity · rows)` rows, chosen at random, set to zero.
 *
 * @example
 * ```ts
 * import { empty, nn } from "../../mod.ts";
 * const w = nn.init.sparse_(empty([10, 4]), 0.3);
 * console.log(w.eq(0).sum().item()); // 12 (3 zeros in each of the 4 columns)
 * ```
 */
export function sparse_<T extends Tensor>(
  tensor: T,
  sparsity: number | { sparsity: number; std?: number },
  std?: number,
): T {
  const call = "sparse_";
  checkTensorArg(tensor, call);
  const o = parseArgs(call, [sparsity, std], [
    { name: "sparsity", kind: "number", default: undefined },
    { name: "std", kind: "number", default: 0.01 },
  ]);
  if (o.sparsity === undefined) throw new TypeError(`${call}: missing the required argument sparsity`);
  const sp = o.sparsity as number, s = finite(o.std, call, "std");
  if (tensor.ndim !== 2) {
    throw new RangeError(`${call}: Only tensors with 2 dimensions are supported, got shape ${fmt(tensor.shape)}`);
  }
  if (!(sp >= 0)) throw new RangeError(`${call}: expected sparsity >= 0, got ${sp}`);
  checkFloat(tensor, call);
  checkStd(s, call);
  const [rows, cols] = tensor.shape;
  const zerosPerCol = Math.min(Math.ceil(sp * rows), rows);
  return noGrad(() => {
    tensor.normal_(0, s);
    if (zerosPerCol === 0 || cols === 0) return tensor;
    // A uniformly random subset of rows per column: a partial Fisher-Yates shuffle driven by
    // uniform draws of the library's generator (PyTorch takes a prefix of torch.randperm).
    const u = empty([cols, zerosPerCol], { dtype: "float64" }).uniform_(0, 1).toArray() as Float64Array;
    const mask = new Uint8Array(rows * cols);
    const perm = new Int32Array(rows);
    for (let c = 0; c < cols; c++) {
      for (let i = 0; i < rows; i++) perm[i] = i;
      for (let i = 0; i < zerosPerCol; i++) {
        const j = i + Math.min(Math.floor(u[c * zerosPerCol + i] * (rows - i)), rows - i - 1);
        const t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
        mask[perm[i] * cols + c] = 1;
      }
    }
    return tensor.maskedFill_(fromMask(mask, rows, cols), 0);
  });
}

function fromMask(mask: Uint8Array, rows: number, cols: number): Tensor {
  return tensor(mask, { shape: [rows, cols], dtype: "bool" });
}
