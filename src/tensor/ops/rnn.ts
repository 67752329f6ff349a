/**
 * The recurrent layer op: one layer of an RNN, LSTM or GRU (every direction of it) over a packed
 * batch, recorded as ONE autograd node.
 *
 * Forward: the input projection of all time steps is one GEMM (x[N, I] @ W_ih^T, biases folded
 * in); each time step is one GEMM (h_prev @ W_hh^T for the whole active batch) plus one fused
 * native cell kernel (src/backend/rnn.ts) that applies the gate nonlinearities and saves what the
 * backward needs. Backward: the node's closure walks the time steps in reverse, calling the fused
 * cell-backward kernel and one GEMM per step for the recurrent gradient; the weight, bias and input
 * gradients are then single GEMMs / column sums over all N rows.
 *
 * Packed layout: rows of x are time-major, step t holding `batchSizes[t]` rows (non-increasing, so
 * the active rows of a step are always the first ones). Padded input is the special case of equal
 * batch sizes. States of rows that are not active in a step are simply left untouched, which makes
 * finished (forward) or not-yet-started (reverse) sequences come out right without masks.
 *
 * @module
 */

import * as cpu from "../../backend/cpu.ts";
import * as rnn from "../../backend/rnn.ts";
import { Binary, Unary } from "../../backend/ops.ts";
import { isGradEnabled } from "../../autograd/grad_mode.ts";
import { record } from "../../autograd/node.ts";
import { fmt } from "../shape.ts";
import type { Tensor } from "../tensor.ts";
import { contiguousRaw, empty } from "./util.ts";
import { narrow, view } from "./view.ts";

/** The cell type of a recurrent layer (PyTorch's mode names). */
export type RnnMode = "RNN_TANH" | "RNN_RELU" | "LSTM" | "GRU";

/** The parameters of one direction of one layer (PyTorch's shapes). */
export interface RnnDirectionWeights {
  /** [G*H, I] */
  wIh: Tensor;
  /** [G*H, Hout] */
  wHh: Tensor;
  /** [G*H] or null */
  bIh: Tensor | null;
  /** [G*H] or null */
  bHh: Tensor | null;
  /** LSTM projection [Hout, H] or null */
  wHr: Tensor | null;
}

const GATES: Record<RnnMode, number> = { RNN_TANH: 1, RNN_RELU: 1, LSTM: 4, GRU: 3 };
const NODE_NAMES: Record<RnnMode, string> = {
  RNN_TANH: "RNNTanhBackward",
  RNN_RELU: "RNNReluBackward",
  LSTM: "LSTMBackward",
  GRU: "GRUBackward",
};

/** A [r, c] block of `t` starting `off` elements after t's first element, rows `ld` apart. */
function block(t: Tensor, off: number, r: number, c: number, ld: number): cpu.View {
  return { _storage: t._storage, dtype: t.dtype, shape: [r, c], strides: [ld, 1], _offset: t._offset + off };
}

function rows(t: Tensor, off: number, ld: number): rnn.Rows {
  return { view: t, off: t._offset + off, ld };
}

function mat(t: Tensor, off: number, ld: number, trans = false): cpu.MatrixOperand {
  return { view: t, offset: t._offset + off, ld: Math.max(1, ld), batchStride: 0, trans };
}

/** C = alpha op(A) op(B) + beta C (one native GEMM). */
function gemm(
  m: number,
  n: number,
  k: number,
  a: cpu.MatrixOperand,
  b: cpu.MatrixOperand,
  beta: number,
  c: cpu.MatrixOperand,
  call: string,
): void {
  if (m === 0 || n === 0) return;
  cpu.gemm(1, m, n, k, 1, a, b, beta, c, call);
}

/** Column sums of a contiguous [n, width] tensor: ones[1, n] @ t (a GEMV, faster than a strided reduction). */
function colSum(t: Tensor, n: number, width: number, call: string): Tensor {
  const out = empty([width], t.dtype);
  if (n === 0 || width === 0) return out;
  const ones = empty([n], t.dtype);
  cpu.unary(Unary.DT_FILL, ones, ones, 1, 0, call);
  gemm(1, width, n, mat(ones, 0, n), mat(t, 0, width), 0, mat(out, 0, width), call);
  return out;
}

/**
 * Runs one recurrent layer over a packed batch.
 *
 * - `x`: [N, I] rows in packed time-major order; `batchSizes`: rows per step (sum N, non-increasing).
 * - `h0`: [D, B, Hout] with B = batchSizes[0]; `c0`: [D, B, H] for LSTM (else null).
 * - `dirs`: one weight set per direction (D = 1 or 2; direction 1 runs backwards in time).
 *
 * Returns `[output [N, D*Hout], hN [D, B, Hout], cN [D, B, H] | null]`; gradients flow to x, h0,
 * c0 and every weight through one node.
 *
 * @example
 * ```ts
 * import { randn, zeros } from "../../../mod.ts";
 * import { rnnLayer } from "./rnn.ts";
 * const w = { wIh: randn([8, 3]), wHh: randn([8, 2]), bIh: null, bHh: null, wHr: null };
 * const [out, hN] = rnnLayer("LSTM", randn([6, 3]), [2, 2, 2], zeros([1, 2, 2]), zeros([1, 2, 2]), [w], "lstm");
 * console.log(out.shape, hN.shape); // [6, 2] [1, 2, 2]
 * ```
 */
export function rnnLayer(
  mode: RnnMode,
  x: Tensor,
  batchSizes: readonly number[],
  h0: Tensor,
  c0: Tensor | null,
  dirs: readonly RnnDirectionWeights[],
  call: string,
): [Tensor, Tensor, Tensor | null] {
  const G = GATES[mode];
  const D = dirs.length;
  const lstm = mode === "LSTM", gru = mode === "GRU", relu = mode === "RNN_RELU";
  const dtype = x.dtype;
  if (dtype !== "float32" && dtype !== "float64") {
    throw new TypeError(`${call}: expected a float32 or float64 input, got ${dtype}`);
  }
  if (x.ndim !== 2) throw new RangeError(`${call}: expected packed input rows [N, I], got shape ${fmt(x.shape)}`);
  const N = x.shape[0], I = x.shape[1];
  const T = batchSizes.length;
  const B = h0.shape[1];
  const GH = dirs[0].wIh.shape[0];
  const H = GH / G;
  const Hout = dirs[0].wHr ? dirs[0].wHr.shape[0] : H;
  const DH = D * Hout;
  // Cheap re-checks of what the caller validated (a mistake here would read out of bounds).
  let total = 0, prev = Infinity;
  for (const b of batchSizes) {
    if (!Number.isInteger(b) || b <= 0 || b > prev) {
      throw new RangeError(`${call}: batch sizes must be positive and non-increasing, got ${fmt(batchSizes)}`);
    }
    prev = b;
    total += b;
  }
  if (total !== N || (T > 0 && batchSizes[0] !== B)) {
    throw new RangeError(
      `${call}: batch sizes ${fmt(batchSizes)} do not fit input rows ${N} and batch ${B}`,
    );
  }
  if ((D !== 1 && D !== 2) || h0.ndim !== 3 || h0.shape[0] !== D || h0.shape[2] !== Hout) {
    throw new RangeError(`${call}: expected h0 of shape ${fmt([D, B, Hout])}, got ${fmt(h0.shape)}`);
  }
  if (lstm && (c0 === null || c0.ndim !== 3 || c0.shape[0] !== D || c0.shape[1] !== B || c0.shape[2] !== H)) {
    throw new RangeError(`${call}: expected c0 of shape ${fmt([D, B, H])}, got ${c0 ? fmt(c0.shape) : "null"}`);
  }
  for (const w of dirs) {
    const bad = (t: Tensor | null, shape: number[]) =>
      t !== null && (t.dtype !== dtype || t.ndim !== shape.length || t.shape.some((s, i) => s !== shape[i]));
    if (
      bad(w.wIh, [GH, I]) || bad(w.wHh, [GH, Hout]) || bad(w.bIh, [GH]) || bad(w.bHh, [GH]) ||
      bad(w.wHr, [Hout, H]) || (w.wHr === null) !== (Hout === H && dirs[0].wHr === null) ||
      (w.bIh === null) !== (w.bHh === null)
    ) {
      throw new RangeError(`${call}: inconsistent ${dtype} weights for input size ${I} and hidden size ${H}`);
    }
  }
  const offs: number[] = [];
  for (let t = 0, o = 0; t < T; t++) {
    offs.push(o);
    o += batchSizes[t];
  }

  const xc = contiguousRaw(x, call);
  const W = dirs.map((w) => ({
    wIh: contiguousRaw(w.wIh, call),
    wHh: contiguousRaw(w.wHh, call),
    bIh: w.bIh && contiguousRaw(w.bIh, call),
    bHh: w.bHh && contiguousRaw(w.bHh, call),
    wHr: w.wHr && contiguousRaw(w.wHr, call),
  }));

  // Y = [output (N x D*Hout) | hN (D x B x Hout) | cN (D x B x H)]: the node's single output.
  const yLen = N * DH, hLen = D * B * Hout, cLen = lstm ? D * B * H : 0;
  const Y = empty([yLen + hLen + cLen], dtype);
  if (hLen > 0) cpu.copy(view(narrow(Y, 0, yLen, hLen), [D, B, Hout]), h0, call);
  if (lstm && cLen > 0) cpu.copy(view(narrow(Y, 0, yLen + hLen, cLen), [D, B, H]), c0!, call);

  interface Saved {
    gates: Tensor;
    gh: Tensor | null;
    hprev: Tensor;
    csave: Tensor | null;
    hraw: Tensor | null;
  }
  const saved: Saved[] = [];
  for (let d = 0; d < D; d++) {
    const w = W[d];
    // The kernels add the biases: RNN/LSTM take b_ih + b_hh, GRU both apart (zeros without bias).
    let bIh = w.bIh, bHh = w.bHh;
    if (bIh === null || bHh === null) bIh = bHh = empty([GH], dtype);
    let bias = bIh;
    if (!gru && w.bIh && w.bHh) {
      bias = empty([GH], dtype);
      cpu.binary(Binary.DT_ADD, bias, bIh, bHh, call);
    }
    const bRows = rows(bias, 0, GH), bIhRows = rows(bIh, 0, GH), bHhRows = rows(bHh, 0, GH);
    const gates = empty([N, GH], dtype);
    gemm(N, GH, I, mat(xc, 0, I), mat(w.wIh, 0, I, true), 0, mat(gates, 0, GH), call);
    const gh = gru ? empty([N, GH], dtype) : null;
    const hprev = empty([N, Hout], dtype);
    const csave = lstm ? empty([N, 2 * H], dtype) : null;
    const hraw = w.wHr ? empty([N, H], dtype) : null;
    const hs = yLen + d * B * Hout, cs = yLen + hLen + d * B * H;
    const hState = rows(Y, hs, Hout);
    for (let s = 0; s < T; s++) {
      const t = d === 0 ? s : T - 1 - s;
      const bs = batchSizes[t], o = offs[t];
      cpu.copy(block(hprev, o * Hout, bs, Hout, Hout), block(Y, hs, bs, Hout, Hout), call);
      const yRows = rows(Y, o * DH + d * Hout, DH);
      // GRU keeps h @ W_hh^T apart (its n gate needs it alone); the others add it onto x @ W_ih^T.
      const target = gru ? gh! : gates, beta = gru ? 0 : 1;
      gemm(bs, GH, Hout, mat(hprev, o * Hout, Hout), mat(w.wHh, 0, Hout, true), beta, mat(target, o * GH, GH), call);
      if (gru) {
        const g = rows(gates, o * GH, GH), hh = rows(gh!, o * GH, GH), hp = rows(hprev, o * Hout, Hout);
        rnn.gruCellForward(bs, H, g, bIhRows, hh, bHhRows, hp, yRows, hState, call);
      } else if (lstm) {
        const cRows = rows(Y, cs, H), sv = rows(csave!, o * 2 * H, 2 * H), g = rows(gates, o * GH, GH);
        if (hraw === null) rnn.lstmCellForward(bs, H, g, bRows, cRows, sv, yRows, hState, call);
        else {
          const hr = rows(hraw, o * H, H);
          rnn.lstmCellForward(bs, H, g, bRows, cRows, sv, hr, hr, call);
          gemm(bs, Hout, H, mat(hraw, o * H, H), mat(w.wHr!, 0, H, true), 0, mat(Y, o * DH + d * Hout, DH), call);
          cpu.copy(block(Y, hs, bs, Hout, Hout), block(Y, o * DH + d * Hout, bs, Hout, DH), call);
        }
      } else {
        rnn.rnnCellForward(bs, H, relu, rows(gates, o * GH, GH), bRows, yRows, hState, call);
      }
    }
    saved.push({ gates, gh, hprev, csave, hraw });
  }

  const inputs: Tensor[] = [x, h0];
  if (lstm) inputs.push(c0!);
  for (const w of dirs) {
    inputs.push(w.wIh, w.wHh);
    if (w.bIh && w.bHh) inputs.push(w.bIh, w.bHh);
    if (w.wHr) inputs.push(w.wHr);
  }
  if (isGradEnabled() && inputs.some((t) => t.requiresGrad)) {
    const keepAlive: Tensor[] = [...inputs];
    for (const s of saved) {
      for (const t of [s.gates, s.gh, s.hprev, s.csave, s.hraw]) if (t) keepAlive.push(t);
    }
    record(NODE_NAMES[mode], Y, inputs, (gY) => {
      const g = contiguousRaw(gY, call);
      const dx = x.requiresGrad ? empty([N, I], dtype) : null;
      const dh0 = empty([D, B, Hout], dtype);
      if (hLen > 0) cpu.copy(dh0, view(narrow(g, 0, yLen, hLen), [D, B, Hout]), call);
      const dc0 = lstm ? empty([D, B, H], dtype) : null;
      if (dc0 && cLen > 0) cpu.copy(dc0, view(narrow(g, 0, yLen + hLen, cLen), [D, B, H]), call);
      const grads: (Tensor | null)[] = [dx, h0.requiresGrad ? dh0 : null];
      if (lstm) grads.push(c0!.requiresGrad ? dc0 : null);
      for (let d = 0; d < D; d++) {
        const w = W[d], sv = saved[d], orig = dirs[d];
        const dG = empty([N, GH], dtype);
        const dGH = gru ? empty([N, GH], dtype) : null;
        const dhp = w.wHr ? empty([N, Hout], dtype) : null;
        const dhr = w.wHr ? empty([B, H], dtype) : null;
        const dhs = rows(dh0, d * B * Hout, Hout);
        const dcs = dc0 ? rows(dc0, d * B * H, H) : null;
        for (let s = T - 1; s >= 0; s--) {
          const t = d === 0 ? s : T - 1 - s;
          const bs = batchSizes[t], o = offs[t];
          const dy = rows(g, o * DH + d * Hout, DH);
          const gRows = rows(sv.gates, o * GH, GH), dgRows = rows(dG, o * GH, GH);
          if (gru) {
            rnn.gruCellBackward(
              bs,
              H,
              gRows,
              rows(sv.gh!, o * GH, GH),
              rows(sv.hprev, o * Hout, Hout),
              dhs,
              dy,
              dgRows,
              rows(dGH!, o * GH, GH),
              call,
            );
            gemm(bs, Hout, GH, mat(dGH!, o * GH, GH), mat(w.wHh, 0, Hout), 1, mat(dh0, d * B * Hout, Hout), call);
            continue;
          }
          if (lstm) {
            const cs = rows(sv.csave!, o * 2 * H, 2 * H);
            if (dhp === null) rnn.lstmCellBackward(bs, H, gRows, cs, dhs, dy, dcs!, dgRows, call);
            else {
              const p = block(dhp, o * Hout, bs, Hout, Hout);
              cpu.binary(
                Binary.DT_ADD,
                p,
                block(dh0, d * B * Hout, bs, Hout, Hout),
                block(g, o * DH + d * Hout, bs, Hout, DH),
                call,
              );
              gemm(bs, H, Hout, mat(dhp, o * Hout, Hout), mat(w.wHr!, 0, H), 0, mat(dhr!, 0, H), call);
              rnn.lstmCellBackward(bs, H, gRows, cs, rows(dhr!, 0, H), null, dcs!, dgRows, call);
            }
          } else {
            rnn.rnnCellBackward(bs, H, relu, gRows, dhs, dy, dgRows, call);
          }
          gemm(bs, Hout, GH, mat(dG, o * GH, GH), mat(w.wHh, 0, Hout), 0, mat(dh0, d * B * Hout, Hout), call);
        }
        const dHid = dGH ?? dG;
        if (dx) gemm(N, I, GH, mat(dG, 0, GH), mat(w.wIh, 0, I), d > 0 ? 1 : 0, mat(dx, 0, I), call);
        const weightGrad = (p: Tensor, make: () => Tensor) => (p.requiresGrad ? make() : null);
        grads.push(weightGrad(orig.wIh, () => {
          const r = empty([GH, I], dtype);
          gemm(GH, I, N, mat(dG, 0, GH, true), mat(xc, 0, I), 0, mat(r, 0, I), call);
          return r;
        }));
        grads.push(weightGrad(orig.wHh, () => {
          const r = empty([GH, Hout], dtype);
          gemm(GH, Hout, N, mat(dHid, 0, GH, true), mat(sv.hprev, 0, Hout), 0, mat(r, 0, Hout), call);
          return r;
        }));
        if (orig.bIh && orig.bHh) {
          // Both biases of RNN/LSTM get the same gradient: sum once, copy for the second.
          const gIh = orig.bIh.requiresGrad || (!gru && orig.bHh.requiresGrad) ? colSum(dG, N, GH, call) : null;
          grads.push(orig.bIh.requiresGrad ? gIh : null);
          let gHh: Tensor | null = null;
          if (orig.bHh.requiresGrad) {
            if (gru) gHh = colSum(dHid, N, GH, call);
            else {
              gHh = empty([GH], dtype);
              cpu.copy(gHh, gIh!, call);
            }
          }
          grads.push(gHh);
        }
        if (orig.wHr) {
          grads.push(weightGrad(orig.wHr, () => {
            const r = empty([Hout, H], dtype);
            gemm(Hout, H, N, mat(dhp!, 0, Hout, true), mat(sv.hraw!, 0, H), 0, mat(r, 0, H), call);
            return r;
          }));
        }
      }
      return grads;
    }, keepAlive);
  }
  const out = view(narrow(Y, 0, 0, yLen), [N, DH]);
  const hN = view(narrow(Y, 0, yLen, hLen), [D, B, Hout]);
  const cN = lstm ? view(narrow(Y, 0, yLen + hLen, cLen), [D, B, H]) : null;
  return [out, hN, cN];
}
