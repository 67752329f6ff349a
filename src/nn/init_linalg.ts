/**
 * The numerical helpers of `nn.init` (src/nn/init.ts) that have no native op: `erfinv` for
 * `truncNormal_` (composed of tensor ops) and the QR decomposition behind `orthogonal_`
 * (plain TypeScript over float64 data: initializers only factor small matrices).
 *
 * @module
 */

import type { Tensor } from "../tensor/mod.ts";
import { add, erf, exp, log, mul, neg, sqrt, sub, where } from "../tensor/ops/elementwise.ts";

/**
 * `erfinv` of a float64 tensor with values in [-1, 1], from tensor ops (there is no native
 * erfinv): Giles' single-precision approximation as the starting point, then Newton steps on
 * the native `erf` (quadratic convergence; ±1 give ±∞).
 * @internal
 */
export function _erfinv(y: Tensor): Tensor {
  const w = neg(log(mul(add(neg(y), 1), add(y, 1))));
  const lowW = sub(w, 2.5);
  let p: Tensor = add(mul(lowW, 2.81022636e-08), 3.43273939e-07);
  for (
    const c of [-3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941]
  ) p = add(mul(p, lowW), c);
  const highW = sub(sqrt(w), 3);
  let q: Tensor = add(mul(highW, -0.000200214257), 0.000100950558);
  for (
    const c of [0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682]
  ) q = add(mul(q, highW), c);
  const edge = y.abs().ge(1);
  let x = where(edge, 0, mul(where(w.lt(5), p, q), y));
  for (let i = 0; i < 3; i++) {
    // x -= (erf(x) - y) / (2/√π · exp(-x²))
    const step = mul(sub(erf(x), y), mul(exp(mul(x, x)), Math.sqrt(Math.PI) / 2));
    x = sub(x, step);
  }
  return where(edge, mul(y.sign(), Infinity), x);
}

/**
 * The reduced QR decomposition of the row-major `m x n` matrix `a` (m >= n) by Householder
 * reflections, normalized so that R has a non-negative diagonal: returns Q (m x n, row-major)
 * times `sign(diag(R))`, which is what PyTorch's `orthogonal_` computes from `torch.linalg.qr`
 * (that product does not depend on the QR algorithm). Plain TypeScript over float64 data:
 * there is no native QR, and initializers only factor small matrices.
 * @internal
 */
export function _qrSigned(a: Float64Array, m: number, n: number): Float64Array {
  const r = Float64Array.from(a);
  const vs: Float64Array[] = [];
  const signs = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let norm = 0;
    for (let i = j; i < m; i++) norm += r[i * n + j] ** 2;
    norm = Math.sqrt(norm);
    const x0 = r[j * n + j];
    const alpha = x0 >= 0 ? -norm : norm; // R[j][j], of opposite sign to x0 for stability
    const v = new Float64Array(m - j);
    for (let i = j; i < m; i++) v[i - j] = r[i * n + j];
    v[0] -= alpha;
    let vn = 0;
    for (let i = 0; i < v.length; i++) vn += v[i] * v[i];
    if (vn > 0) {
      for (let k = j; k < n; k++) {
        let dot = 0;
        for (let i = j; i < m; i++) dot += v[i - j] * r[i * n + k];
        const f = (2 * dot) / vn;
        for (let i = j; i < m; i++) r[i * n + k] -= f * v[i - j];
      }
    }
    vs.push(v);
    signs[j] = Math.sign(vn > 0 ? alpha : x0);
  }
  // Q = H_0 H_1 ... H_{n-1} applied to the first n columns of the identity.
  const q = new Float64Array(m * n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  for (let j = n - 1; j >= 0; j--) {
    const v = vs[j];
    let vn = 0;
    for (let i = 0; i < v.length; i++) vn += v[i] * v[i];
    if (vn === 0) continue;
    for (let k = 0; k < n; k++) {
      let dot = 0;
      for (let i = j; i < m; i++) dot += v[i - j] * q[i * n + k];
      const f = (2 * dot) / vn;
      for (let i = j; i < m; i++) q[i * n + k] -= f * v[i - j];
    }
  }
  for (let i = 0; i < m; i++) for (let k = 0; k < n; k++) q[i * n + k] *= signs[k];
  return q;
}

/**
 * The semi-orthogonal `rows x cols` matrix (row-major) that `orthogonal_` makes of the normal
 * draws `flat`, in PyTorch's steps: transpose a wide matrix, take Q of its QR with R's diagonal
 * made positive, transpose back.
 * @internal
 */
export function _orthogonalFrom(flat: Float64Array, rows: number, cols: number): Float64Array {
  const wide = rows < cols;
  const [m, n] = wide ? [cols, rows] : [rows, cols];
  const q = _qrSigned(wide ? transposed(flat, rows, cols) : flat, m, n);
  return wide ? transposed(q, m, n) : q;
}

function transposed(a: Float64Array, r: number, c: number): Float64Array {
  const t = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) t[j * r + i] = a[i * c + j];
  return t;
}
