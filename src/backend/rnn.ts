/**
 * CPU wrappers of the fused recurrent-cell kernels (native/src/cpu/rnn.c). Each call handles one
 * time step of `B` rows; callers (src/tensor/ops/rnn.ts) own the buffers, check every shape and
 * offset first, and run the GEMMs around these calls.
 *
 * @module
 */

import { check, native } from "../ffi/mod.ts";
import type { View } from "./cpu.ts";
import { bytes, floatCode } from "./marshal.ts";

/** A block of rows inside a storage: `off` is the absolute element offset of row 0, `ld` the row stride. */
export interface Rows {
  readonly view: View;
  readonly off: number;
  readonly ld: number;
}

/**
 * LSTM step: adds `bias` to `gates` and activates them in place, updates `c`, saves (c_prev, tanh c)
 * in `save`, writes h to `y` and `h`.
 */
export function lstmCellForward(
  B: number,
  H: number,
  gates: Rows,
  bias: Rows,
  c: Rows,
  save: Rows,
  y: Rows,
  h: Rows,
  call: string,
): void {
  check(
    native.dt_lstm_cell_forward(
      floatCode(gates.view, call),
      B,
      H,
      bytes(gates.view),
      gates.off,
      bytes(bias.view),
      bias.off,
      bytes(c.view),
      c.off,
      bytes(save.view),
      save.off,
      bytes(y.view),
      y.off,
      y.ld,
      bytes(h.view),
      h.off,
      h.ld,
    ),
    call,
  );
}

/** LSTM step backward: `dc` (in: grad of c_new, out: grad of c_prev); writes pre-activation grads to `dgates`. */
export function lstmCellBackward(
  B: number,
  H: number,
  gates: Rows,
  save: Rows,
  dh: Rows,
  dy: Rows | null,
  dc: Rows,
  dgates: Rows,
  call: string,
): void {
  check(
    native.dt_lstm_cell_backward(
      floatCode(gates.view, call),
      B,
      H,
      bytes(gates.view),
      gates.off,
      bytes(save.view),
      save.off,
      bytes(dh.view),
      dh.off,
      dh.ld,
      dy ? bytes(dy.view) : null,
      dy ? dy.off : 0,
      dy ? dy.ld : 0,
      bytes(dc.view),
      dc.off,
      bytes(dgates.view),
      dgates.off,
    ),
    call,
  );
}

/** GRU step: `gx` (x projection) becomes (r, z, n), `gh` gets b_hh added; h_new goes to `y` and `h`. */
export function gruCellForward(
  B: number,
  H: number,
  gx: Rows,
  bIh: Rows,
  gh: Rows,
  bHh: Rows,
  hprev: Rows,
  y: Rows,
  h: Rows,
  call: string,
): void {
  check(
    native.dt_gru_cell_forward(
      floatCode(gx.view, call),
      B,
      H,
      bytes(gx.view),
      gx.off,
      bytes(bIh.view),
      bIh.off,
      bytes(gh.view),
      gh.off,
      bytes(bHh.view),
      bHh.off,
      bytes(hprev.view),
      hprev.off,
      hprev.ld,
      bytes(y.view),
      y.off,
      y.ld,
      bytes(h.view),
      h.off,
      h.ld,
    ),
    call,
  );
}

/** GRU step backward: `dh` (+ `dy`) in, dh*z out (in place); projection grads to `dgx`, `dgh`. */
export function gruCellBackward(
  B: number,
  H: number,
  gates: Rows,
  gh: Rows,
  hprev: Rows,
  dh: Rows,
  dy: Rows | null,
  dgx: Rows,
  dgh: Rows,
  call: string,
): void {
  check(
    native.dt_gru_cell_backward(
      floatCode(gates.view, call),
      B,
      H,
      bytes(gates.view),
      gates.off,
      bytes(gh.view),
      gh.off,
      bytes(hprev.view),
      hprev.off,
      hprev.ld,
      bytes(dh.view),
      dh.off,
      dh.ld,
      dy ? bytes(dy.view) : null,
      dy ? dy.off : 0,
      dy ? dy.ld : 0,
      bytes(dgx.view),
      dgx.off,
      bytes(dgh.view),
      dgh.off,
    ),
    call,
  );
}

/** Elman step: adds `bias` to `pre` and activates it in place (tanh or relu); h_new goes to `y` and `h`. */
export function rnnCellForward(
  B: number,
  H: number,
  relu: boolean,
  pre: Rows,
  bias: Rows,
  y: Rows,
  h: Rows,
  call: string,
): void {
  check(
    native.dt_rnn_cell_forward(
      floatCode(pre.view, call),
      B,
      H,
      relu ? 1 : 0,
      bytes(pre.view),
      pre.off,
      bytes(bias.view),
      bias.off,
      bytes(y.view),
      y.off,
      y.ld,
      bytes(h.view),
      h.off,
      h.ld,
    ),
    call,
  );
}

/** Elman step backward: dpre = (dh + dy) * act'(h). */
export function rnnCellBackward(
  B: number,
  H: number,
  relu: boolean,
  act: Rows,
  dh: Rows,
  dy: Rows | null,
  dpre: Rows,
  call: string,
): void {
  check(
    native.dt_rnn_cell_backward(
      floatCode(act.view, call),
      B,
      H,
      relu ? 1 : 0,
      bytes(act.view),
      act.off,
      bytes(dh.view),
      dh.off,
      dh.ld,
      dy ? bytes(dy.view) : null,
      dy ? dy.off : 0,
      dy ? dy.ld : 0,
      bytes(dpre.view),
      dpre.off,
    ),
    call,
  );
}
