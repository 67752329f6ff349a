/**
 * In-place update primitives shared by the optimizers (internal; not exported from mod.ts).
 *
 * The optimizers run under `noGrad`, so these write straight into their targets: `axpy`
 * updates a contiguous tensor in one native pass with no temporary, and the other helpers
 * reuse one scratch buffer per parameter instead of the two or three temporaries that
 * chaining the generic in-place methods (`addcmul_`, `addcdiv_`, `add_` with `alpha`) costs.
 * Every helper falls back to the generic tensor ops for layouts the fast path does not cover.
 *
 * @module
 */

import * as cpu from "../backend/cpu.ts";
import { Binary } from "../backend/ops.ts";
import { promote } from "../backend/dtype.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { keep } from "../tensor/scope.ts";
import { sameShape } from "../tensor/shape.ts";
import * as E from "../tensor/ops/elementwise.ts";
import { clone } from "../tensor/ops/convert.ts";
import { empty } from "../tensor/ops/util.ts";

function fastPair(a: Tensor, b: Tensor): boolean {
  return a.device === "cpu" && b.device === "cpu" && a.dtype === b.dtype &&
    (a.dtype === "float32" || a.dtype === "float64") && sameShape(a.shape, b.shape) && a.isContiguous() &&
    b.isContiguous();
}

/** Stores `r` into `out` when an op could not write there itself, and frees `r`. */
function into(out: Tensor, r: Tensor): void {
  if (r === out) return;
  out.copy_(r);
  r.dispose();
}

/** `a += alpha * b` in place (one native pass on the fast path). */
export function axpy(a: Tensor, b: Tensor, alpha: number): void {
  if (alpha === 0) return;
  if (fastPair(a, b)) {
    cpu.axpy(a, b, a.numel(), alpha, "optimizer step");
    a._bumpVersion();
  } else {
    a.add_(b, alpha);
  }
}

/** `a *= s` in place. */
export function scale(a: Tensor, s: number): void {
  if (s !== 1) a.mul_(s);
}

/** `out = x * x`, into `out` when given (a scratch buffer), else a new tensor. */
export function square(x: Tensor, out?: Tensor): Tensor {
  if (out === undefined) return E.square(x);
  into(out, E.mul(x, x, out));
  return out;
}

/** `out = a / b` into `out`. */
export function divInto(out: Tensor, a: Tensor, b: Tensor): Tensor {
  into(out, E.div(a, b, out));
  return out;
}

/** `out = a * b` into `out`. */
export function mulInto(out: Tensor, a: Tensor, b: Tensor): Tensor {
  into(out, E.mul(a, b, out));
  return out;
}

/** `out = sqrt(x)` into `out`. */
export function sqrtInto(out: Tensor, x: Tensor): Tensor {
  into(out, E.sqrt(x, out));
  return out;
}

/** `out = x + s` into `out`. */
export function addScalarInto(out: Tensor, x: Tensor, s: number): Tensor {
  into(out, E.add(x, s, 1, out));
  return out;
}

/** `out = x * s` into `out`. */
export function mulScalarInto(out: Tensor, x: Tensor, s: number): Tensor {
  into(out, E.mul(x, s, out));
  return out;
}

/** `out = a - b` into `out`. */
export function subInto(out: Tensor, a: Tensor, b: Tensor): Tensor {
  into(out, E.sub(a, b, 1, out));
  return out;
}

/** `a = max(a, b)` elementwise in place (NaN propagates, as `torch.maximum`). */
export function maximumInPlace(a: Tensor, b: Tensor): void {
  if (fastPair(a, b)) {
    E.binaryCore(Binary.DT_MAXIMUM, a, b, a.dtype, "optimizer step", a.dtype, a);
    a._bumpVersion();
  } else {
    a.copy_(E.maximum(a, b));
  }
}

/** A zero-filled state buffer shaped like `p`, kept out of `tidy` scopes. */
export function zerosState(p: Tensor): Tensor {
  return keep(empty(p.shape, p.dtype));
}

/** A detached copy of `t` kept out of `tidy` scopes. */
export function cloneState(t: Tensor): Tensor {
  return keep(clone(t));
}

/** A new tensor `x + s * y`, built in one allocation when the dtypes and shapes agree. */
export function plusScaled(x: Tensor, y: Tensor, s: number): Tensor {
  const t = E.mul(y, s);
  if (promote(t.dtype, x.dtype) === t.dtype && sameShape(t.shape, x.shape)) return E.add(t, x, 1, t);
  const r = E.add(x, t);
  t.dispose();
  return r;
}

/**
 * The gradient an update uses: `grad`, negated for `maximize`, plus `weightDecay * param`.
 * Returns the tensor and whether it is a temporary the caller owns (and may overwrite).
 */
export function effectiveGrad(
  p: Tensor,
  grad: Tensor,
  weightDecay: number,
  maximize: boolean,
): [Tensor, boolean] {
  let g = grad;
  let owned = false;
  if (maximize) {
    g = E.neg(grad);
    owned = true;
  }
  if (weightDecay !== 0) {
    if (owned) axpy(g, p, weightDecay);
    else {
      g = plusScaled(grad, p, weightDecay);
      owned = true;
    }
  }
  return [g, owned];
}
