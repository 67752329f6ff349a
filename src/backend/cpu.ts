/**
 * The CPU backend: primitives over strided views, each one FFI call into libdenotorch.
 * Callers (src/tensor) validate shapes, dtypes and indices first and allocate outputs;
 * these functions only marshal layouts and map status codes to exceptions.
 *
 * @module
 */

import { check, native } from "../ffi/mod.ts";
import type { DType } from "./dtype.ts";
import { at, bytes, code } from "./marshal.ts";
import { smallBinary, smallUnary } from "./small.ts";
import type { CpuStorage } from "./storage.ts";

/** A strided window onto a storage, the unit every primitive works on. */
export interface View {
  readonly _storage: CpuStorage;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly _offset: number;
}

const MAX_DIMS = 16;
const desc = new Int32Array(1 + MAX_DIMS + 4 * (1 + MAX_DIMS));
// Passed as bytes: Deno's fast FFI path takes Uint8Array buffers.
const descBytes = new Uint8Array(desc.buffer);

/** Fills the shared descriptor: [ndim, shape, then offset + strides per operand]. */
function describe(shape: readonly number[], v0: View, v1?: View, v2?: View, v3?: View): Uint8Array {
  const nd = shape.length;
  if (nd > MAX_DIMS) throw new RangeError(`denotorch: tensors have at most ${MAX_DIMS} dimensions, got ${nd}`);
  desc[0] = nd;
  for (let i = 0; i < nd; i++) desc[1 + i] = shape[i];
  let k = 1 + nd;
  k = put(v0, nd, k);
  if (v1 !== undefined) k = put(v1, nd, k);
  if (v2 !== undefined) k = put(v2, nd, k);
  if (v3 !== undefined) put(v3, nd, k);
  return descBytes;
}

function put(v: View, nd: number, k: number): number {
  desc[k++] = v._offset;
  const st = v.strides;
  for (let i = 0; i < nd; i++) desc[k++] = st[i];
  return k;
}

/** out = a OP b over out's shape; a and b are already broadcast (stride 0) views of it. */
export function binary(op: number, out: View, a: View, b: View, call: string): void {
  if (smallBinary(op, out, a, b)) return;
  check(
    native.dt_binary(op, code(a.dtype, call), describe(out.shape, out, a, b), bytes(out), bytes(a), bytes(b)),
    call,
  );
}

/** out = f(a; p0, p1). */
export function unary(op: number, out: View, a: View, p0: number, p1: number, call: string): void {
  if (smallUnary(op, out, a, p0)) return;
  check(native.dt_unary(op, code(a.dtype, call), describe(out.shape, out, a), bytes(out), bytes(a), p0, p1), call);
}

/** gin = gout * f'(x). */
export function unaryBackward(
  op: number,
  gin: View,
  gout: View,
  x: View,
  p0: number,
  p1: number,
  call: string,
): void {
  check(
    native.dt_unary_backward(
      op,
      code(x.dtype, call),
      describe(gin.shape, gin, gout, x),
      bytes(gin),
      bytes(gout),
      bytes(x),
      p0,
      p1,
    ),
    call,
  );
}

/** out = cond ? a : b. */
export function where(out: View, cond: View, a: View, b: View, call: string): void {
  check(
    native.dt_where(
      code(a.dtype, call),
      describe(out.shape, out, cond, a, b),
      bytes(out),
      bytes(cond),
      bytes(a),
      bytes(b),
    ),
    call,
  );
}

/** Strided copy with dtype conversion (float16 is converted in JS). */
export function copy(out: View, src: View, call: string): void {
  if (out.dtype === "float16" || src.dtype === "float16") return copyViaJs(out, src);
  check(
    native.dt_copy(code(out.dtype, call), code(src.dtype, call), describe(out.shape, out, src), bytes(out), bytes(src)),
    call,
  );
}

function copyViaJs(out: View, src: View): void {
  const n = out.shape.reduce((p, s) => p * s, 1);
  const o = out._storage.typed(out.dtype);
  const s = src._storage.typed(src.dtype);
  const nd = out.shape.length;
  const idx = new Array(nd).fill(0);
  const toBig = out.dtype === "int64";
  const fromBig = src.dtype === "int64";
  for (let i = 0; i < n; i++) {
    let so = src._offset, oo = out._offset;
    for (let d = 0; d < nd; d++) {
      so += idx[d] * src.strides[d];
      oo += idx[d] * out.strides[d];
    }
    let v: number | bigint = s[so];
    if (fromBig) v = Number(v);
    if (toBig) v = BigInt(Math.trunc(v as number));
    else if (out.dtype === "bool") v = v ? 1 : 0;
    (o as unknown as (number | bigint)[])[oo] = v;
    for (let d = nd - 1; d >= 0; d--) {
      if (++idx[d] < out.shape[d]) break;
      idx[d] = 0;
    }
  }
}

/** Reduces a contiguous [outer, n, inner] view over n into out ([outer, inner], contiguous). */
export function reduce(
  op: number,
  out: View,
  src: View,
  outer: number,
  n: number,
  inner: number,
  p0: number,
  call: string,
): void {
  check(native.dt_reduce(op, code(src.dtype, call), outer, n, inner, bytes(src), src._offset, at(out), p0), call);
}

/** Max or min over n of a contiguous [outer, n, inner] view, with int64 indices. */
export function reduceMaxMin(
  isMin: boolean,
  values: View,
  indices: View,
  src: View,
  outer: number,
  n: number,
  inner: number,
  call: string,
): void {
  check(
    native.dt_reduce_maxmin(
      isMin ? 1 : 0,
      code(src.dtype, call),
      outer,
      n,
      inner,
      bytes(src),
      src._offset,
      at(values),
      at(indices),
    ),
    call,
  );
}

/** A matrix operand for gemm: storage view, offset, leading dimension, batch stride. */
export interface MatrixOperand {
  view: View;
  offset: number;
  ld: number;
  batchStride: number;
  trans: boolean;
}

/** C[b] = alpha op(A[b]) op(B[b]) + beta C[b] for b < batch, row-major. */
export function gemm(
  batch: number,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: MatrixOperand,
  b: MatrixOperand,
  beta: number,
  c: MatrixOperand,
  call: string,
): void {
  const dt = code(c.view.dtype, call);
  if (batch === 1) {
    check(
      native.dt_gemm(
        dt,
        a.trans ? 1 : 0,
        b.trans ? 1 : 0,
        m,
        n,
        k,
        alpha,
        bytes(a.view),
        a.offset,
        a.ld,
        bytes(b.view),
        b.offset,
        b.ld,
        beta,
        bytes(c.view),
        c.offset,
        c.ld,
      ),
      call,
    );
    return;
  }
  check(
    native.dt_gemm_batched(
      dt,
      batch,
      a.trans ? 1 : 0,
      b.trans ? 1 : 0,
      m,
      n,
      k,
      alpha,
      bytes(a.view),
      a.offset,
      a.ld,
      a.batchStride,
      bytes(b.view),
      b.offset,
      b.ld,
      b.batchStride,
      beta,
      bytes(c.view),
      c.offset,
      c.ld,
      c.batchStride,
    ),
    call,
  );
}

/** out[o, j, i] = src[o, idx[j], i] (contiguous views). */
export function indexSelect(
  out: View,
  src: View,
  idx: View,
  outer: number,
  nSrc: number,
  nIdx: number,
  inner: number,
  call: string,
): void {
  check(native.dt_index_select(code(src.dtype, call), outer, nSrc, nIdx, inner, at(src), at(idx), at(out)), call);
}

/** out[o, idx[j], i] += src[o, j, i] (contiguous views). */
export function indexAdd(
  out: View,
  src: View,
  idx: View,
  outer: number,
  nOut: number,
  nIdx: number,
  inner: number,
  call: string,
): void {
  check(native.dt_index_add(code(src.dtype, call), outer, nOut, nIdx, inner, at(src), at(idx), at(out)), call);
}

/** out[o, j, i] = src[o, idx[o, j, i], i] (contiguous views). */
export function gather(
  out: View,
  src: View,
  idx: View,
  outer: number,
  nSrc: number,
  nIdx: number,
  inner: number,
  call: string,
): void {
  check(native.dt_gather(code(src.dtype, call), outer, nSrc, nIdx, inner, at(src), at(idx), at(out)), call);
}

/** out[o, idx[o, j, i], i] (+)= src[o, j, i] (contiguous views). */
export function scatter(
  accumulate: boolean,
  out: View,
  src: View,
  idx: View,
  outer: number,
  nOut: number,
  nIdx: number,
  inner: number,
  call: string,
): void {
  check(
    native.dt_scatter(code(src.dtype, call), accumulate ? 1 : 0, outer, nOut, nIdx, inner, at(src), at(idx), at(out)),
    call,
  );
}

/** Fills a contiguous view with uniform [lo, hi) or normal(mean, std) samples. */
export function random(
  kind: "uniform" | "normal",
  out: View,
  n: number,
  seed: number,
  stream: number,
  p0: number,
  p1: number,
  call: string,
): void {
  const f = kind === "uniform" ? native.dt_rand_uniform : native.dt_rand_normal;
  check(f(code(out.dtype, call), n, bytes(out), out._offset, seed >>> 0, stream >>> 0, p0, p1), call);
}

/** out[i] = keep ? scale : 0 with keep probability 1 - p (contiguous view). */
export function dropoutMask(
  out: View,
  n: number,
  seed: number,
  stream: number,
  p: number,
  scale: number,
  call: string,
): void {
  check(native.dt_dropout_mask(code(out.dtype, call), n, at(out), seed >>> 0, stream >>> 0, p, scale), call);
}

/** out = a + alpha * f(b, c) (dt_addc_op), all views of out's shape (float32/float64). */
export function addc(op: number, out: View, a: View, b: View, c: View, alpha: number, call: string): void {
  check(
    native.dt_addc(
      op,
      code(a.dtype, call),
      describe(out.shape, out, a, b, c),
      bytes(out),
      bytes(a),
      bytes(b),
      bytes(c),
      alpha,
    ),
    call,
  );
}

/** Sets the number of OpenMP (and BLAS) threads. */
export function setNumThreads(n: number): void {
  native.dt_set_num_threads(n);
}

/** The number of threads kernels use. */
export function getNumThreads(): number {
  return native.dt_get_num_threads();
}

/** Whether the library was built with a BLAS. */
export function hasBlas(): boolean {
  return native.dt_has_blas() !== 0;
}
