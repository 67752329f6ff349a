/**
 * Shape and stride arithmetic, and the argument checks shared by all ops. Pure functions:
 * nothing here touches memory.
 *
 * @module
 */

/** Row-major (C-contiguous) strides of a shape. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** The number of elements of a shape. */
export function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

/** Formats a shape as `[2, 3]`. */
export function fmt(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** True when two shapes are equal. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Validates a shape given by a user: an array of non-negative integers. */
export function checkShape(shape: unknown, call: string): number[] {
  if (!Array.isArray(shape)) throw new TypeError(`${call}: expected a shape array, got ${describe(shape)}`);
  for (const d of shape) {
    if (typeof d !== "number" || !Number.isInteger(d) || d < 0) {
      throw new RangeError(`${call}: expected a shape of non-negative integers, got ${fmtAny(shape)}`);
    }
    if (d > 0x7fffffff) throw new RangeError(`${call}: a dimension of ${d} exceeds 2^31-1, got shape ${fmtAny(shape)}`);
  }
  if (shape.length > 16) throw new RangeError(`${call}: at most 16 dimensions are supported, got ${shape.length}`);
  if (numelOf(shape) > 0x7fffffff) {
    throw new RangeError(`${call}: at most 2^31-1 elements are supported, got ${numelOf(shape)}`);
  }
  return shape.slice();
}

/** Wraps a possibly negative dim into [0, ndim); RangeError when out of range. */
export function normDim(dim: number, ndim: number, call: string): number {
  if (typeof dim !== "number" || !Number.isInteger(dim)) {
    throw new TypeError(`${call}: expected an integer dim, got ${describe(dim)}`);
  }
  const n = Math.max(ndim, 1);
  if (dim < -n || dim >= n) {
    throw new RangeError(
      `${call}: dim ${dim} is out of range for a tensor of ${ndim} dimensions (expected ${-n} to ${n - 1})`,
    );
  }
  return dim < 0 ? dim + n : dim;
}

/** Broadcasts two shapes (NumPy rules); RangeError naming both when incompatible. */
export function broadcastShapes(a: readonly number[], b: readonly number[], call: string): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const x = i < n - a.length ? 1 : a[i - (n - a.length)];
    const y = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (x !== y && x !== 1 && y !== 1) {
      throw new RangeError(
        `${call}: shapes ${fmt(a)} and ${fmt(b)} cannot be broadcast together (dimension ${i}: ${x} vs ${y})`,
      );
    }
    out[i] = x === 1 ? y : x;
  }
  return out;
}

/** Strides that view `shape`/`strides` as the larger broadcast shape `to` (0 on expanded dims). */
export function broadcastStrides(
  shape: readonly number[],
  strides: readonly number[],
  to: readonly number[],
): number[] {
  const out = new Array<number>(to.length).fill(0);
  const lead = to.length - shape.length;
  for (let i = 0; i < shape.length; i++) out[lead + i] = shape[i] === 1 && to[lead + i] !== 1 ? 0 : strides[i];
  return out;
}

/** True when a layout is row-major contiguous (size-1 dims may have any stride). */
export function isContiguousLayout(shape: readonly number[], strides: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] === 1) continue;
    if (strides[i] !== expected) return false;
    expected *= shape[i];
  }
  return true;
}

/** Resolves a `view`/`reshape` target that may contain one -1. */
export function inferShape(target: readonly number[], numel: number, from: readonly number[], call: string): number[] {
  let infer = -1;
  let known = 1;
  for (let i = 0; i < target.length; i++) {
    const d = target[i];
    if (d === -1) {
      if (infer >= 0) throw new RangeError(`${call}: only one dimension can be -1, got ${fmt(target)}`);
      infer = i;
    } else if (typeof d !== "number" || !Number.isInteger(d) || d < 0) {
      throw new RangeError(`${call}: invalid shape ${fmtAny(target)}`);
    } else known *= d;
  }
  const out = target.slice();
  if (infer >= 0) {
    if (known === 0 || numel % known !== 0) {
      throw new RangeError(`${call}: shape ${fmt(target)} is invalid for input of size ${numel} (shape ${fmt(from)})`);
    }
    out[infer] = numel / known;
  } else if (known !== numel) {
    throw new RangeError(`${call}: shape ${fmt(target)} is invalid for input of size ${numel} (shape ${fmt(from)})`);
  }
  return out;
}

/**
 * Strides for viewing a (possibly non-contiguous) layout as `newShape` without a copy, or
 * null when that is impossible (PyTorch's computeStride).
 */
export function viewStrides(
  shape: readonly number[],
  strides: readonly number[],
  newShape: readonly number[],
): number[] | null {
  const numel = numelOf(shape);
  // Empty tensors and 0-d tensors (one element, no dims to walk) view as any valid shape.
  if (numel === 0 || shape.length === 0) return contiguousStrides(newShape);
  const out = new Array<number>(newShape.length);
  let viewD = newShape.length - 1;
  let chunkBase = strides[strides.length - 1] ?? 1;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    tensorNumel *= shape[d];
    if (d === 0 || (shape[d - 1] !== 1 && strides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        out[viewD] = viewNumel * chunkBase;
        viewNumel *= newShape[viewD];
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = strides[d - 1];
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  if (viewD !== -1) return null;
  return out;
}

/** A short description of any value for error messages. */
export function describe(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  if (typeof v === "object" && "shape" in (v as object) && "dtype" in (v as object)) {
    const t = v as { shape: number[]; dtype: string };
    return `a ${t.dtype} tensor of shape ${fmt(t.shape)}`;
  }
  if (Array.isArray(v)) return fmtAny(v);
  if (typeof v === "object") return (v as object).constructor?.name ?? "object";
  if (typeof v === "string") return JSON.stringify(v);
  return `${typeof v} ${String(v)}`;
}

function fmtAny(v: unknown): string {
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}
