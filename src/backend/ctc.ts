/**
 * CPU wrappers of the CTC loss kernels (native/src/cpu/ctc.c). The caller
 * (src/tensor/ops/ctc.ts) validates every shape, length and label first, packs the targets
 * padded [n, s] and allocates every output.
 *
 * @module
 */

import { check, native } from "../ffi/mod.ts";
import type { View } from "./cpu.ts";
import { at, floatCode } from "./marshal.ts";

/** The CTC kernels, or an Error naming the rebuild when the loaded library predates them. */
function kernels(call: string) {
  const fwd = native.dt_ctc_forward, bwd = native.dt_ctc_backward;
  if (fwd === null || bwd === null) {
    throw new Error(
      `${call}: the loaded libdenotorch has no CTC kernels (it was built before native/src/cpu/ctc.c); ` +
        "rebuild it with `deno task build`",
    );
  }
  return { fwd, bwd };
}

/** What both CTC kernels read: contiguous log-probabilities [t, n, c] and int64 targets / lengths. */
export interface CtcOperands {
  t: number;
  n: number;
  c: number;
  /** The padded target width (targets are [n, s]). */
  s: number;
  blank: number;
  logp: View;
  targets: View;
  inputLengths: View;
  targetLengths: View;
}

/** Per-sample negative log likelihood `nll` [n] and the forward variables `logAlpha` [n, t, 2 s + 1]. */
export function ctcForward(a: CtcOperands, nll: View, logAlpha: View, call: string): void {
  check(
    kernels(call).fwd(
      floatCode(a.logp, call),
      a.t,
      a.n,
      a.c,
      a.s,
      a.blank,
      at(a.logp),
      at(a.targets),
      at(a.inputLengths),
      at(a.targetLengths),
      at(nll),
      at(logAlpha),
    ),
    call,
  );
}

/** grad [t, n, c] (overwritten) from the per-sample output gradient `gout` [n]; see dt_ctc_backward. */
export function ctcBackward(
  a: CtcOperands,
  zeroInfinity: boolean,
  nll: View,
  logAlpha: View,
  gout: View,
  grad: View,
  call: string,
): void {
  check(
    kernels(call).bwd(
      floatCode(a.logp, call),
      a.t,
      a.n,
      a.c,
      a.s,
      a.blank,
      zeroInfinity ? 1 : 0,
      at(a.logp),
      at(a.targets),
      at(a.inputLengths),
      at(a.targetLengths),
      at(nll),
      at(logAlpha),
      at(gout),
      at(grad),
    ),
    call,
  );
}
