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

/** A row block's (storage bytes, offset of row 0), for kernels that know its row stride. */
function rows(r: Rows): [Uint8Array, number] {
  return [bytes(r.view), r.off];
}

/** A row block's (storage bytes, offset of row 0, row stride). */
function rowsLd(r: Rows): [Uint8Array, number, number] {
  return [bytes(r.view), r.off, r.ld];
}

/** `rowsLd` of an optional block: (null, 0, 0) when absent. */
function optRowsLd(r: Rows | null): [Uint8Array | null, number, number] {
  return r === null ? [null, 0, 0] : rowsLd(r);
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
      ...rows(gates),
      ...rows(bias),
      ...rows(c),
      ...rows(save),
      ...rowsLd(y),
      ...rowsLd(h),
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
      ...rows(gates),
      ...rows(save),
      ...rowsLd(dh),
      ...optRowsLd(dy),
      ...rows(dc),
      ...rows(dgates),
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
      ...rows(gx),
      ...rows(bIh),
      ...rows(gh),
      ...rows(bHh),
      ...rowsLd(hprev),
      ...rowsLd(y),
      ...rowsLd(h),
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
      ...rows(gates),
      ...rows(gh),
      ...rowsLd(hprev),
      ...rowsLd(dh),
      ...optRowsLd(dy),
      ...rows(dgx),
      ...rows(dgh),
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
      ...rows(pre),
      ...rows(bias),
      ...rowsLd(y),
      ...rowsLd(h),
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
      ...rows(act),
      ...rowsLd(dh),
      ...optRowsLd(dy),
      ...rows(dpre),
    ),
    call,
  );
}
