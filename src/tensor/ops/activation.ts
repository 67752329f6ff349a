/**
 * Elementwise activation ops: one native kernel forward and one backward each, the building
 * blocks of src/nn/activation.ts. Each factory takes the activation's parameters and returns
 * an op that writes into `out` when one is given (PyTorch's `inplace=True`).
 *
 * @module
 */

import { Unary, UnaryBw } from "../../backend/ops.ts";
import type { Tensor } from "../tensor.ts";
import { floatUnary } from "./elementwise.ts";

/** An elementwise activation: `src` in, a new tensor (or `out`, when given) out. */
export type ActivationOp = (src: Tensor, out?: Tensor) => Tensor;

function op(name: string, fwd: number, bwd: number, p0 = 0, p1 = 0): ActivationOp {
  return (src, out) => floatUnary(name, fwd, bwd, src, p0, p1, false, out);
}

/** Clamps into [lo, hi] (gradient 1 strictly inside). */
export const hardtanhOp = (lo: number, hi: number): ActivationOp =>
  op("HardtanhBackward", Unary.DT_HARDTANH, UnaryBw.DT_BW_HARDTANH, lo, hi);
/** `x > 0 ? x : alpha * (exp(x) - 1)`. */
export const eluOp = (alpha: number): ActivationOp => op("EluBackward", Unary.DT_ELU, UnaryBw.DT_BW_ELU, alpha);
/** `x > 0 ? x : slope * x`. */
export const leakyReluOp = (slope: number): ActivationOp =>
  op("LeakyReluBackward", Unary.DT_LEAKY_RELU, UnaryBw.DT_BW_LEAKY_RELU, slope);
/** `x <= threshold ? value : x`. */
export const thresholdOp = (threshold: number, value: number): ActivationOp =>
  op("ThresholdBackward", Unary.DT_THRESHOLD, UnaryBw.DT_BW_THRESHOLD, threshold, value);
/** Stable `log(sigmoid(x))`. */
export const logSigmoidOp: ActivationOp = op("LogSigmoidBackward", Unary.DT_LOG_SIGMOID, UnaryBw.DT_BW_LOG_SIGMOID);
/** `log1p(exp(beta * x)) / beta`, linear where `beta * x > threshold`. */
export const softplusOp = (beta: number, threshold: number): ActivationOp =>
  op("SoftplusBackward", Unary.DT_SOFTPLUS, UnaryBw.DT_BW_SOFTPLUS, beta, threshold);
/** Shrinks toward 0 by `lambd`, 0 inside [-lambd, lambd]. */
export const softshrinkOp = (lambd: number): ActivationOp =>
  op("SoftshrinkBackward", Unary.DT_SOFTSHRINK, UnaryBw.DT_BW_SOFTSHRINK, lambd);
/** `x / (1 + |x|)`. */
export const softsignOp: ActivationOp = op("SoftsignBackward", Unary.DT_SOFTSIGN, UnaryBw.DT_BW_SOFTSIGN);
/** Exact GELU, `x * Φ(x)` (with erf). */
export const geluOp: ActivationOp = op("GeluBackward", Unary.DT_GELU, UnaryBw.DT_BW_GELU);
/** GELU's tanh approximation. */
export const geluTanhOp: ActivationOp = op("GeluBackward", Unary.DT_GELU_TANH, UnaryBw.DT_BW_GELU_TANH);
/** `x * sigmoid(x)`. */
export const siluOp: ActivationOp = op("SiluBackward", Unary.DT_SILU, UnaryBw.DT_BW_SILU);
/** `x * tanh(softplus(x))`. */
export const mishOp: ActivationOp = op("MishBackward", Unary.DT_MISH, UnaryBw.DT_BW_MISH);
/** `x * relu6(x + 3) / 6`. */
export const hardswishOp: ActivationOp = op("HardswishBackward", Unary.DT_HARDSWISH, UnaryBw.DT_BW_HARDSWISH);
/** `relu6(x + 3) / 6`. */
export const hardsigmoidOp: ActivationOp = op("HardsigmoidBackward", Unary.DT_HARDSIGMOID, UnaryBw.DT_BW_HARDSIGMOID);
/** `x > 0 ? x : alpha * (exp(x / alpha) - 1)` (alpha != 0). */
export const celuOp = (alpha: number): ActivationOp => op("EluBackward", Unary.DT_CELU, UnaryBw.DT_BW_CELU, alpha);
/** `scale * (x > 0 ? x : alpha * (exp(x) - 1))` with PyTorch's fixed alpha and scale. */
export const seluOp: ActivationOp = op("EluBackward", Unary.DT_SELU, UnaryBw.DT_BW_SELU);
/** `|x| <= lambd ? 0 : x`. */
export const hardshrinkOp = (lambd: number): ActivationOp =>
  op("HardshrinkBackward", Unary.DT_HARDSHRINK, UnaryBw.DT_BW_HARDSHRINK, lambd);
