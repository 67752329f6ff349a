/**
 * Element types: names, sizes, TypedArray constructors, native codes and promotion.
 *
 * @module
 */

/** The element types a Tensor can hold. `float16` is storage-only: CPU ops compute in float32. */
export type DType = "float32" | "float64" | "int64" | "int32" | "uint8" | "bool" | "float16";

/** Any TypedArray a tensor's memory can be viewed as. */
export type TypedArray =
  | Float32Array
  | Float64Array
  | BigInt64Array
  | Int32Array
  | Uint8Array
  | Float16Array;

/** A constructor of one of the TypedArrays above. */
export type TypedArrayConstructor = {
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): TypedArray;
  readonly BYTES_PER_ELEMENT: number;
};

interface DTypeInfo {
  /** dt_dtype code in denotorch.h, or -1 where the library has no kernels for it. */
  code: number;
  itemsize: number;
  isFloat: boolean;
  ctor: TypedArrayConstructor;
  /** Promotion rank: the result of a binary op has the dtype of the higher rank. */
  rank: number;
}

/** Facts about each dtype. */
export const DTYPES: Readonly<Record<DType, DTypeInfo>> = {
  bool: { code: 5, itemsize: 1, isFloat: false, ctor: Uint8Array, rank: 0 },
  uint8: { code: 4, itemsize: 1, isFloat: false, ctor: Uint8Array, rank: 1 },
  int32: { code: 3, itemsize: 4, isFloat: false, ctor: Int32Array, rank: 2 },
  int64: { code: 2, itemsize: 8, isFloat: false, ctor: BigInt64Array, rank: 3 },
  float16: { code: -1, itemsize: 2, isFloat: true, ctor: Float16Array, rank: 4 },
  float32: { code: 0, itemsize: 4, isFloat: true, ctor: Float32Array, rank: 5 },
  float64: { code: 1, itemsize: 8, isFloat: true, ctor: Float64Array, rank: 6 },
};

/** True when `x` names a dtype. */
export function isDType(x: unknown): x is DType {
  return typeof x === "string" && Object.hasOwn(DTYPES, x);
}

/** True for float32, float64 and float16. */
export function isFloat(d: DType): boolean {
  return DTYPES[d].isFloat;
}

/** The dtype of a binary op's result on tensors of dtypes `a` and `b` (PyTorch's rule). */
export function promote(a: DType, b: DType): DType {
  if (a === b) return a;
  return DTYPES[a].rank >= DTYPES[b].rank ? a : b;
}

/** 0 for bool, 1 for integers, 2 for floating point: PyTorch's promotion categories. */
function category(d: DType): number {
  return d === "bool" ? 0 : DTYPES[d].isFloat ? 2 : 1;
}

/**
 * The dtype of a binary op on two tensors, PyTorch's `result_type`: dimensioned tensors decide,
 * and a zero-dim tensor only counts when its category (bool < integer < float) is higher
 * (`float32[3] + float64 0-d` is float32; `int32[3] + float64 0-d` is float64).
 */
export function resultType(
  a: { dtype: DType; shape: readonly number[] },
  b: { dtype: DType; shape: readonly number[] },
): DType {
  const aDim = a.shape.length > 0, bDim = b.shape.length > 0;
  if (aDim === bDim) return promote(a.dtype, b.dtype);
  const dim = aDim ? a.dtype : b.dtype, zero = aDim ? b.dtype : a.dtype;
  return category(zero) > category(dim) ? promote(dim, zero) : dim;
}

/**
 * The dtype of `t OP scalar`: a float scalar lifts integer and bool tensors to float32; an
 * integer scalar lifts bool to int64; otherwise the tensor's dtype wins (scalars are "weak").
 */
export function promoteScalar(t: DType, scalar: number | boolean): DType {
  if (typeof scalar === "boolean") return t;
  if (!Number.isInteger(scalar) && !isFloat(t)) return "float32";
  if (t === "bool") return Number.isInteger(scalar) ? "int64" : "float32";
  return t;
}

const INT_RANGE: Partial<Record<DType, [number, number]>> = {
  int64: [-(2 ** 63), 2 ** 63 - 1],
  int32: [-(2 ** 31), 2 ** 31 - 1],
  uint8: [0, 255],
};

/**
 * Throws PyTorch's overflow error when `value` cannot be stored in an integer `dtype` (fill_,
 * full, clamp bounds): outside the range, or not finite. As in PyTorch, a negative value fits
 * an unsigned type when its magnitude does (it wraps: -1 is 255 in uint8).
 */
export function checkScalarFits(value: number, dtype: DType, call: string): void {
  const r = INT_RANGE[dtype];
  if (r === undefined) return;
  const [lo, hi] = r;
  const ok = Number.isFinite(value) && value <= hi && (lo === 0 ? -value <= hi : value >= lo);
  if (!ok) throw new RangeError(`${call}: value ${value} cannot be converted to type ${dtype} without overflow`);
}

/** The dtype a TypedArray holds. */
export function dtypeOfArray(a: ArrayBufferView): DType {
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Float64Array) return "float64";
  if (a instanceof BigInt64Array) return "int64";
  if (a instanceof Int32Array) return "int32";
  if (a instanceof Uint8Array) return "uint8";
  if (a instanceof Float16Array) return "float16";
  throw new TypeError(
    `tensor: expected a Float32Array, Float64Array, BigInt64Array, Int32Array, Uint8Array or Float16Array, got ${a.constructor.name}`,
  );
}
