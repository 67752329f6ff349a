/**
 * Tensor factories: from data, constant fills, ranges and random samples.
 *
 * @module
 */

import * as cpu from "../backend/cpu.ts";
import { checkScalarFits, type DType, dtypeOfArray, DTYPES, isDType, isFloat } from "../backend/dtype.ts";
import { Unary } from "../backend/ops.ts";
import { checkShape, describe } from "./shape.ts";
import type { Device, Tensor } from "./tensor.ts";
import { castRaw, emptyRaw, zerosRaw } from "./ops/util.ts";
import { noCuda, random_ } from "./ops/convert.ts";

/** Options shared by the factories. */
export interface TensorOptions {
  /** The element type (default: from the data, or float32). */
  dtype?: DType;
  /** Whether gradients flow to the new tensor (a leaf). */
  requiresGrad?: boolean;
  /** "cpu" (default) or "cuda:N". */
  device?: Device;
}

/** Options of `tensor()`: the factory options plus an explicit shape for flat data. */
export interface FromDataOptions extends TensorOptions {
  /** The shape of the new tensor; the data's length must match it. */
  shape?: readonly number[];
}

function finish(t: Tensor, opts: TensorOptions, call: string): Tensor {
  if (opts.device !== undefined && opts.device !== "cpu") {
    if (typeof opts.device === "string" && /^cuda(:\d+)?$/.test(opts.device)) throw noCuda(call, opts.device);
    throw new TypeError(`${call}: unknown device ${describe(opts.device)}; expected "cpu" or "cuda:N"`);
  }
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

const OPTION_KEYS: readonly string[] = ["dtype", "requiresGrad", "device"];

function checkOpts(opts: unknown, call: string): TensorOptions {
  if (opts === undefined) return {};
  if (opts === null || typeof opts !== "object") {
    throw new TypeError(`${call}: expected an options object, got ${describe(opts)}`);
  }
  const o = opts as TensorOptions;
  for (const k of Object.keys(o)) {
    if (!OPTION_KEYS.includes(k) && !(k === "shape" && call === "tensor")) {
      const camel = k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
      const hint = camel !== k && (OPTION_KEYS.includes(camel) || camel === "shape")
        ? ` (did you mean "${camel}"?)`
        : "";
      const known = call === "tensor" ? [...OPTION_KEYS, "shape"] : OPTION_KEYS;
      throw new TypeError(`${call}: unknown option "${k}"${hint}; expected ${known.join(", ")}`);
    }
  }
  if (o.requiresGrad !== undefined && typeof o.requiresGrad !== "boolean") {
    throw new TypeError(`${call}: expected requiresGrad to be a boolean, got ${describe(o.requiresGrad)}`);
  }
  if (o.dtype !== undefined && !isDType(o.dtype)) {
    throw new TypeError(
      `${call}: unknown dtype ${describe(o.dtype)}; expected one of ${Object.keys(DTYPES).join(", ")}`,
    );
  }
  return o;
}

function nestedShape(data: unknown): number[] {
  const shape: number[] = [];
  let cur = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0];
  }
  return shape;
}

function flattenNested(data: unknown, shape: number[], call: string): (number | boolean | bigint)[] {
  const out: (number | boolean | bigint)[] = [];
  const walk = (x: unknown, d: number) => {
    if (d === shape.length) {
      if (typeof x !== "number" && typeof x !== "boolean" && typeof x !== "bigint") {
        throw new TypeError(`${call}: expected numbers, bigints or booleans in the data, got ${describe(x)}`);
      }
      out.push(x);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[d]) {
      throw new RangeError(`${call}: the nested arrays are not rectangular: expected length ${shape[d]} at depth ${d}`);
    }
    for (const v of x) walk(v, d + 1);
  };
  walk(data, 0);
  return out;
}

/**
 * Creates a tensor from a TypedArray (its dtype follows the array) or nested arrays of numbers
 * (float32 unless `dtype` says otherwise), bigints (int64, exact over the whole int64 range:
 * JavaScript's integers, as Python ints give PyTorch int64) or booleans (bool). Bigints mixed
 * with numbers give float32. The data is copied.
 *
 * @example
 * ```ts
 * import { tensor } from "../../mod.ts";
 * const a = tensor(new Float64Array([1, 2, 3, 4]), { shape: [2, 2] });
 * console.log(a.dtype, a.shape); // float64 [2, 2]
 * const b = tensor([[1, 2], [3, 4]]);
 * console.log(b.dtype); // float32
 * ```
 */
export function tensor(
  data: ArrayBufferView | number | boolean | bigint | readonly unknown[],
  opts?: FromDataOptions,
): Tensor {
  const call = "tensor";
  const o = checkOpts(opts, call) as FromDataOptions;
  let t: Tensor;
  if (ArrayBuffer.isView(data)) {
    const src = data as ArrayBufferView;
    const dt = dtypeOfArray(src);
    const n = src.byteLength / DTYPES[dt].itemsize;
    const shape = o.shape !== undefined ? checkShape(o.shape, call) : [n];
    const want = shape.reduce((a, b) => a * b, 1);
    if (want !== n) {
      throw new RangeError(`tensor: shape [${shape.join(", ")}] needs ${want} elements, but the data has ${n}`);
    }
    t = emptyRaw(shape, dt);
    new Uint8Array(t._storage.bytes!.buffer, t._storage.bytes!.byteOffset, src.byteLength).set(
      new Uint8Array(src.buffer, src.byteOffset, src.byteLength),
    );
    if (o.dtype && o.dtype !== dt) t = castRaw(t, o.dtype, call);
  } else if (typeof data === "number" || typeof data === "boolean" || typeof data === "bigint" || Array.isArray(data)) {
    const shape0 = nestedShape(data);
    const flat = flattenNested(data, shape0, call);
    const shape = o.shape !== undefined ? checkShape(o.shape, call) : shape0;
    if (shape.reduce((a, b) => a * b, 1) !== flat.length) {
      throw new RangeError(`tensor: shape [${shape.join(", ")}] does not match the ${flat.length} values given`);
    }
    const allBool = flat.length > 0 && flat.every((v) => typeof v === "boolean");
    const anyBig = flat.some((v) => typeof v === "bigint");
    const integral = anyBig && flat.every((v) => typeof v !== "number");
    const dt: DType = o.dtype ?? (allBool ? "bool" : integral ? "int64" : "float32");
    if (dt === "int64" && anyBig) return finish(int64From(flat, shape, call), o, call);
    const f64 = emptyRaw(shape, "float64");
    // An internal view (not typedArray(), which would pin the memory as exposed).
    const view = f64._storage.typed("float64", 0, flat.length) as Float64Array;
    for (let i = 0; i < flat.length; i++) view[i] = Number(flat[i]);
    t = castRaw(f64, dt, call);
  } else {
    throw new TypeError(`tensor: expected a TypedArray, a number, a bigint or nested arrays, got ${describe(data)}`);
  }
  return finish(t, o, call);
}

/**
 * An int64 tensor written exactly from bigints (and integral numbers or booleans beside them);
 * a bigint outside the int64 range is an error, as Python's "Overflow when unpacking long".
 */
function int64From(flat: readonly (number | boolean | bigint)[], shape: number[], call: string): Tensor {
  const t = emptyRaw(shape, "int64");
  const view = t._storage.typed("int64", 0, flat.length) as BigInt64Array;
  for (let i = 0; i < flat.length; i++) {
    const v = flat[i];
    if (typeof v === "bigint") {
      if (v !== BigInt.asIntN(64, v)) {
        throw new RangeError(`${call}: ${v} is out of the int64 range [-2^63, 2^63 - 1]`);
      }
      view[i] = v;
    } else view[i] = BigInt(Math.trunc(Number(v)));
  }
  return t;
}

function filled(shape: readonly number[], value: number, opts: TensorOptions | undefined, call: string): Tensor {
  const o = checkOpts(opts, call);
  const s = checkShape(shape, call);
  const dt = o.dtype ?? "float32";
  checkScalarFits(value, dt, call);
  const t = zerosRaw(s, dt === "float16" ? "float32" : dt);
  if (value !== 0) cpu.unary(Unary.DT_FILL, t, t, value, 0, call);
  return finish(dt === "float16" ? castRaw(t, dt, call) : t, o, call);
}

/**
 * A tensor of zeros.
 *
 * @example
 * ```ts
 * import { zeros } from "../../mod.ts";
 * console.log(zeros([2, 3]).sum().item()); // 0
 * ```
 */
export function zeros(shape: readonly number[], opts?: TensorOptions): Tensor {
  return filled(shape, 0, opts, "zeros");
}

/**
 * A tensor of ones.
 *
 * @example
 * ```ts
 * import { ones } from "../../mod.ts";
 * console.log(ones([2, 3]).sum().item()); // 6
 * ```
 */
export function ones(shape: readonly number[], opts?: TensorOptions): Tensor {
  return filled(shape, 1, opts, "ones");
}

/**
 * A tensor filled with `value`.
 *
 * @example
 * ```ts
 * import { full } from "../../mod.ts";
 * console.log(full([2], 7).tolist()); // [7, 7]
 * ```
 */
export function full(shape: readonly number[], value: number, opts?: TensorOptions): Tensor {
  if (typeof value !== "number" && typeof value !== "boolean") {
    throw new TypeError(`full: expected a number fill value, got ${describe(value)}`);
  }
  return filled(shape, Number(value), opts, "full");
}

/**
 * An uninitialized tensor (zero-filled here, since memory comes from fresh ArrayBuffers).
 *
 * @example
 * ```ts
 * import { empty } from "../../mod.ts";
 * console.log(empty([4]).shape); // [4]
 * ```
 */
export function emptyTensor(shape: readonly number[], opts?: TensorOptions): Tensor {
  return filled(shape, 0, opts, "empty");
}

function randomFactory(
  kind: "uniform" | "normal",
  shape: readonly number[],
  opts: TensorOptions | undefined,
  call: string,
) {
  const o = checkOpts(opts, call);
  const dt = o.dtype ?? "float32";
  if (!isFloat(dt) || dt === "float16") throw new TypeError(`${call}: expected a float32 or float64 dtype, got ${dt}`);
  const t = emptyRaw(checkShape(shape, call), dt);
  random_(t, kind, kind === "uniform" ? 0 : 0, 1, call);
  return finish(t, o, call);
}

/**
 * Samples from the standard normal distribution (repeatable after `manualSeed`).
 *
 * @example
 * ```ts
 * import { manualSeed, randn } from "../../mod.ts";
 * manualSeed(0);
 * console.log(randn([2, 3]).shape); // [2, 3]
 * ```
 */
export function randn(shape: readonly number[], opts?: TensorOptions): Tensor {
  return randomFactory("normal", shape, opts, "randn");
}

/**
 * Samples uniformly from [0, 1).
 *
 * @example
 * ```ts
 * import { rand } from "../../mod.ts";
 * const u = rand([100]);
 * console.log(u.min().item() >= 0 && u.max().item() < 1); // true
 * ```
 */
export function rand(shape: readonly number[], opts?: TensorOptions): Tensor {
  return randomFactory("uniform", shape, opts, "rand");
}

/**
 * Values from `start` to `end` (exclusive) by `step`; `arange(n)` counts 0..n-1. Integer
 * arguments give int64, as in PyTorch, unless `dtype` is given.
 *
 * @example
 * ```ts
 * import { arange } from "../../mod.ts";
 * console.log(arange(4).tolist()); // [0, 1, 2, 3]
 * console.log(arange(0, 1, 0.25).tolist()); // [0, 0.25, 0.5, 0.75]
 * ```
 */
export function arange(
  start: number,
  end?: number | TensorOptions,
  step: number | TensorOptions = 1,
  opts?: TensorOptions,
): Tensor {
  if (end !== null && typeof end === "object") {
    // arange(end, { dtype })
    opts = end;
    end = undefined;
  }
  if (step !== null && typeof step === "object") {
    opts = step;
    step = 1;
  }
  if (end === undefined) {
    end = start;
    start = 0;
  }
  for (const [k, v] of [["start", start], ["end", end], ["step", step]] as const) {
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new TypeError(`arange: expected ${k} to be a finite number, got ${describe(v)}`);
    }
  }
  if (step === 0) throw new RangeError("arange: step must be nonzero");
  if ((end - start) / step < 0) {
    throw new RangeError(
      `arange: upper bound and larger bound inconsistent with step sign (start ${start}, end ${end}, step ${step})`,
    );
  }
  const o = checkOpts(opts, "arange");
  const n = Math.max(0, Math.ceil((end - start) / step));
  if (n > 0x7fffffff) throw new RangeError(`arange: at most 2^31-1 elements are supported, got ${n}`);
  const allInt = Number.isInteger(start) && Number.isInteger(end) && Number.isInteger(step);
  const dt: DType = o.dtype ?? (allInt ? "int64" : "float32");
  const f = emptyRaw([n], "float64");
  const v = f._storage.typed("float64", 0, n) as Float64Array;
  for (let i = 0; i < n; i++) v[i] = start + i * step;
  return finish(castRaw(f, dt, "arange"), o, "arange");
}

/**
 * `steps` evenly spaced values from `start` to `end` inclusive.
 *
 * @example
 * ```ts
 * import { linspace } from "../../mod.ts";
 * console.log(linspace(0, 1, 3).tolist()); // [0, 0.5, 1]
 * ```
 */
export function linspace(start: number, end: number, steps: number, opts?: TensorOptions): Tensor {
  for (const [k, v] of [["start", start], ["end", end]] as const) {
    if (typeof v !== "number" || Number.isNaN(v)) {
      throw new TypeError(`linspace: expected ${k} to be a number, got ${describe(v)}`);
    }
  }
  if (typeof steps !== "number" || !Number.isInteger(steps)) {
    throw new TypeError(`linspace: expected steps to be an integer, got ${describe(steps)}`);
  }
  if (steps < 0) throw new RangeError(`linspace: expected steps >= 0, got ${steps}`);
  if (steps > 0x7fffffff) throw new RangeError(`linspace: at most 2^31-1 elements are supported, got ${steps}`);
  const o = checkOpts(opts, "linspace");
  const f = emptyRaw([steps], "float64");
  const v = f._storage.typed("float64", 0, steps) as Float64Array;
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  for (let i = 0; i < steps; i++) v[i] = i < steps / 2 ? start + i * step : end - (steps - 1 - i) * step;
  return finish(castRaw(f, o.dtype ?? "float32", "linspace"), o, "linspace");
}

/**
 * The n x m identity matrix.
 *
 * @example
 * ```ts
 * import { eye } from "../../mod.ts";
 * console.log(eye(2).tolist()); // [[1, 0], [0, 1]]
 * ```
 */
export function eye(n: number, m: number = n, opts?: TensorOptions): Tensor {
  const o = checkOpts(opts, "eye");
  const t = zerosRaw(checkShape([n, m], "eye"), "float64");
  const v = t._storage.typed("float64", 0, n * m) as Float64Array;
  for (let i = 0; i < Math.min(n, m); i++) v[i * m + i] = 1;
  return finish(castRaw(t, o.dtype ?? "float32", "eye"), o, "eye");
}

/**
 * Zeros with the shape (and by default dtype) of `t`.
 *
 * @example
 * ```ts
 * import { ones, zerosLike } from "../../mod.ts";
 * console.log(zerosLike(ones([2])).tolist()); // [0, 0]
 * ```
 */
export function zerosLike(t: Tensor, opts?: TensorOptions): Tensor {
  return zeros(t.shape, { dtype: t.dtype, ...opts });
}

/**
 * Ones with the shape (and by default dtype) of `t`.
 *
 * @example
 * ```ts
 * import { onesLike, zeros } from "../../mod.ts";
 * console.log(onesLike(zeros([2])).tolist()); // [1, 1]
 * ```
 */
export function onesLike(t: Tensor, opts?: TensorOptions): Tensor {
  return ones(t.shape, { dtype: t.dtype, ...opts });
}

/**
 * Random integers in [low, high).
 *
 * @example
 * ```ts
 * import { randint } from "../../mod.ts";
 * const r = randint(0, 10, [5]);
 * console.log(r.dtype, r.shape); // int64 [5]
 * ```
 */
export function randint(low: number, high: number, shape: readonly number[], opts?: TensorOptions): Tensor {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new RangeError(`randint: expected integers low < high, got ${low} and ${high}`);
  }
  const o = checkOpts(opts, "randint");
  const u = emptyRaw(checkShape(shape, "randint"), "float64");
  random_(u, "uniform", low, high, "randint");
  const f = castRaw(u.floor(), o.dtype ?? "int64", "randint");
  return finish(f, o, "randint");
}

/**
 * Wraps a tensor as the seed's `Variable`: returns the tensor itself (or a detached alias
 * when `requiresGrad` changes), since every Tensor takes part in autograd.
 *
 * @example
 * ```ts
 * import { ones, Variable } from "../../mod.ts";
 * const v = Variable(ones([2]), { requiresGrad: true });
 * console.log(v.requiresGrad); // true
 * ```
 */
export function Variable(t: Tensor, opts: { requiresGrad?: boolean } = {}): Tensor {
  if (!t || !(t as { _isTensor?: boolean })._isTensor) {
    throw new TypeError(`Variable: expected a Tensor, got ${describe(t)}`);
  }
  if (opts.requiresGrad === undefined || opts.requiresGrad === t.requiresGrad) return t;
  return t.detach().requiresGrad_(opts.requiresGrad);
}
