/**
 * CPU wrappers of the layer kernels of native/src/cpu/softmax.c, batchnorm.c and loss.c: one
 * FFI call each, over contiguous views. Callers (src/tensor/ops/{softmax,batchnorm,loss}.ts)
 * validate shapes, dtypes and class indices first and allocate every output.
 *
 * @module
 */

import { check, native } from "../ffi/mod.ts";
import type { View } from "./cpu.ts";
import { at, floatCode, opt } from "./marshal.ts";

/** out = (log_)softmax(x) over n of contiguous [outer, n, inner] views. */
export function softmax(isLog: boolean, out: View, x: View, outer: number, n: number, inner: number, call: string) {
  check(native.dt_softmax(floatCode(x, call), isLog ? 1 : 0, outer, n, inner, at(x), at(out)), call);
}

/** gin from gout and the forward output y (contiguous [outer, n, inner]). */
export function softmaxBackward(
  isLog: boolean,
  gin: View,
  gout: View,
  y: View,
  outer: number,
  n: number,
  inner: number,
  call: string,
): void {
  check(
    native.dt_softmax_backward(floatCode(y, call), isLog ? 1 : 0, outer, n, inner, at(gout), at(y), at(gin)),
    call,
  );
}

/** Fused batch-norm forward over contiguous [n, c, s]; see dt_batchnorm_forward. */
export function batchNormForward(
  training: boolean,
  n: number,
  c: number,
  s: number,
  x: View,
  weight: View | null,
  bias: View | null,
  runningMean: View | null,
  runningVar: View | null,
  momentum: number,
  eps: number,
  saveMean: View,
  saveInvstd: View,
  out: View,
  call: string,
): void {
  check(
    native.dt_batchnorm_forward(
      floatCode(x, call),
      training ? 1 : 0,
      n,
      c,
      s,
      at(x),
      opt(weight),
      opt(bias),
      opt(runningMean),
      opt(runningVar),
      momentum,
      eps,
      at(saveMean),
      at(saveInvstd),
      at(out),
    ),
    call,
  );
}

/** Fused batch-norm backward; null outputs are skipped. */
export function batchNormBackward(
  training: boolean,
  n: number,
  c: number,
  s: number,
  gout: View,
  x: View,
  weight: View | null,
  saveMean: View,
  saveInvstd: View,
  gin: View | null,
  gweight: View | null,
  gbias: View | null,
  call: string,
): void {
  check(
    native.dt_batchnorm_backward(
      floatCode(x, call),
      training ? 1 : 0,
      n,
      c,
      s,
      at(gout),
      at(x),
      opt(weight),
      at(saveMean),
      at(saveInvstd),
      opt(gin),
      opt(gweight),
      opt(gbias),
    ),
    call,
  );
}

/** Reduction codes of the loss kernels (PyTorch's Reduction enum). */
export const REDUCTION = { none: 0, mean: 1, sum: 2 } as const;

/**
 * What both NLL kernels read: log-probabilities `logp` [n, c, s], int64 class indices `target`
 * [n, s], optional class weights [c], the ignored index and a `REDUCTION` code.
 */
export interface NllOperands {
  n: number;
  c: number;
  s: number;
  logp: View;
  target: View;
  weight: View | null;
  ignoreIndex: number;
  reduction: number;
}

/** NLL forward: the loss into `out` and the summed target weight into `totalWeight`; see dt_nll_forward. */
export function nllForward(a: NllOperands, out: View, totalWeight: View, call: string): void {
  check(
    native.dt_nll_forward(
      floatCode(a.logp, call),
      a.n,
      a.c,
      a.s,
      at(a.logp),
      at(a.target),
      opt(a.weight),
      a.ignoreIndex,
      a.reduction,
      at(out),
      at(totalWeight),
    ),
    call,
  );
}

/** NLL backward (fused with log_softmax's when `softmax`); see dt_nll_backward. */
export function nllBackward(
  softmax: boolean,
  a: NllOperands,
  gout: View,
  totalWeight: View,
  gin: View,
  call: string,
): void {
  check(
    native.dt_nll_backward(
      floatCode(a.logp, call),
      softmax ? 1 : 0,
      a.n,
      a.c,
      a.s,
      at(a.logp),
      at(a.target),
      opt(a.weight),
      a.ignoreIndex,
      a.reduction,
      at(gout),
      at(totalWeight),
      at(gin),
    ),
    call,
  );
}
