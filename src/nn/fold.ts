/**
 * Sliding local blocks: `Unfold` (PyTorch's im2col) and its adjoint `Fold` (col2im), with
 * their functional twins `unfold` and `fold`.
 *
 * Both are one integer map from each column element `(c, ki, kj, l)` to a spatial position of
 * the (unpadded) image, computed here in TypeScript; positions that fall in the zero padding
 * point at one extra zero slot. `unfold` is then an `indexSelect` of the flattened spatial dim
 * and `fold` an `indexAdd` (a scatter-add, which sums overlapping blocks): each is the other's
 * backward, so both are differentiable through the existing index ops.
 *
 * @module
 */

import { type Tensor, zeros } from "../tensor/mod.ts";
import { indexAdd, indexSelect } from "../tensor/ops/indexing.ts";
import { checkTensor } from "../tensor/ops/util.ts";
import { cat, narrow, reshape, squeeze, unsqueeze } from "../tensor/ops/view.ts";
import { describe, fmt } from "../tensor/shape.ts";
import { tensor } from "../tensor/create.ts";
import { Module } from "./module.ts";
import { type ArgSpec, parseArgs } from "./positional.ts";

/** An int for both spatial dims, or `[height, width]`. */
export type IntOrPair = number | readonly number[];

/** Options of `Unfold` / `Fold` and `unfold` / `fold` (PyTorch's keyword arguments). */
export interface FoldOptions {
  /** The spacing between kernel elements (default 1). */
  dilation?: IntOrPair;
  /** Implicit zero padding on both sides of each spatial dim (default 0). */
  padding?: IntOrPair;
  /** The step of the sliding blocks (default 1). */
  stride?: IntOrPair;
}

const SPECS: ArgSpec[] = [
  { name: "dilation", kind: "any", default: 1 },
  { name: "padding", kind: "any", default: 0 },
  { name: "stride", kind: "any", default: 1 },
];

/** `[h, w]` from an int or a pair of ints (PyTorch's `_pair`). */
function pair(v: unknown, name: string, call: string): [number, number] {
  if (typeof v === "number" && Number.isInteger(v)) return [v, v];
  if (
    Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === "number" && Number.isInteger(x))
  ) return [v[0], v[1]];
  throw new TypeError(`${call}: expected ${name} to be an integer or an array of 2 integers, got ${describe(v)}`);
}

interface Window {
  kernel: [number, number];
  dilation: [number, number];
  padding: [number, number];
  stride: [number, number];
}

/** Types of the window arguments, then their values in PyTorch's order for the call. */
function window(kernelSize: unknown, rest: readonly unknown[], call: string, isFold: boolean): Window {
  const a = parseArgs(call, rest, SPECS);
  const w: Window = {
    kernel: pair(kernelSize, "kernelSize", call),
    dilation: pair(a.dilation, "dilation", call),
    padding: pair(a.padding, "padding", call),
    stride: pair(a.stride, "stride", call),
  };
  checkWindow(w, call, isFold);
  return w;
}

function checkWindow(w: Window, call: string, isFold: boolean): void {
  const [kh, kw] = w.kernel, [dh, dw] = w.dilation, [ph, pw] = w.padding, [sh, sw] = w.stride;
  const checks: [boolean, string][] = [
    [kh > 0 && kw > 0, `kernel size should be greater than zero, but got kernel_height: ${kh} kernel_width: ${kw}`],
    [dh > 0 && dw > 0, `dilation should be greater than zero, but got dilation_height: ${dh} dilation_width: ${dw}`],
    [ph >= 0 && pw >= 0, `padding should be non-negative, but got pad_height: ${ph} pad_width: ${pw}`],
    [sh > 0 && sw > 0, `stride should be greater than zero, but got stride_height: ${sh} stride_width: ${sw}`],
  ];
  // col2im checks the stride before the dilation and the padding; im2col checks it last.
  const order = isFold ? [0, 3, 1, 2] : [0, 1, 2, 3];
  for (const i of order) if (!checks[i][0]) throw new RangeError(`${call}: ${checks[i][1]}`);
}

/** Sliding blocks along one dim of `size` (PyTorch's `div_rtn`: floor division). */
function blocks(size: number, k: number, d: number, p: number, s: number): number {
  return Math.floor((size + 2 * p - d * (k - 1) - 1) / s) + 1;
}

const pairText = (v: readonly number[]) => `(${v[0]}, ${v[1]})`;

/**
 * The map from column element `(ki, kj, l)` (in that order, flattened) to a position of an
 * `h x w` image flattened; positions in the padding map to `h * w`, the extra zero slot.
 */
function positions(h: number, wd: number, nh: number, nw: number, w: Window): Tensor {
  const [kh, kw] = w.kernel, [dh, dw] = w.dilation, [ph, pw] = w.padding, [sh, sw] = w.stride;
  const L = nh * nw, pad = BigInt(h * wd);
  const map = new BigInt64Array(kh * kw * L);
  let i = 0;
  for (let ki = 0; ki < kh; ki++) {
    for (let kj = 0; kj < kw; kj++) {
      for (let bh = 0; bh < nh; bh++) {
        const r = bh * sh - ph + ki * dh;
        for (let bw = 0; bw < nw; bw++) {
          const c = bw * sw - pw + kj * dw;
          map[i++] = r >= 0 && r < h && c >= 0 && c < wd ? BigInt(r * wd + c) : pad;
        }
      }
    }
  }
  return tensor(map, { shape: [map.length] });
}

function checkFloat(x: Tensor, call: string): void {
  if (!x.isFloatingPoint()) throw new TypeError(`${call}: expected a floating point input, got dtype ${x.dtype}`);
}

function unfoldImpl(input: unknown, w: Window, call: string): Tensor {
  const x = checkTensor(input, call);
  const s = x.shape;
  const batched = x.ndim === 4;
  if ((x.ndim !== 3 && x.ndim !== 4) || s.slice(batched ? 1 : 0).some((v) => v === 0)) {
    throw new RangeError(
      `${call}: expected a 3-d (unbatched) or 4-d (batched) input (N, C, H, W) with possibly 0 batch size and other non-zero dimensions, got shape ${
        fmt(s)
      }`,
    );
  }
  const [kh, kw] = w.kernel, [dh, dw] = w.dilation, [ph, pw] = w.padding, [sh, sw] = w.stride;
  const [c, h, wd] = s.slice(batched ? 1 : 0);
  const nh = blocks(h, kh, dh, ph, sh), nw = blocks(wd, kw, dw, pw, sw);
  if (nh < 1 || nw < 1) {
    throw new RangeError(
      `${call}: given input with spatial size (${h}, ${wd}), kernel_size=${pairText(w.kernel)}, dilation=${
        pairText(w.dilation)
      }, padding=${
        pairText(w.padding)
      }, calculated shape of the array of sliding blocks as (${nh}, ${nw}), but its components must be at least one`,
    );
  }
  checkFloat(x, call);
  const n = batched ? s[0] : 1;
  if (kh * kw * nh * nw > 0x7fffffff || n * c * kh * kw * nh * nw > 0x7fffffff) {
    throw new RangeError(
      `${call}: ${kh * kw} kernel positions x ${nh * nw} blocks of ${c} channels exceed the 2^31-1 elements supported`,
    );
  }
  let flat = reshape(batched ? x : unsqueeze(x, 0), [n, c, h * wd]);
  if (ph > 0 || pw > 0) flat = cat([flat, zeros([n, c, 1], { dtype: x.dtype })], 2);
  const cols = reshape(indexSelect(flat, 2, positions(h, wd, nh, nw, w)), [n, c * kh * kw, nh * nw]);
  return batched ? cols : squeeze(cols, 0);
}

function foldImpl(input: unknown, outputSize: [number, number], w: Window, call: string): Tensor {
  const x = checkTensor(input, call);
  const s = x.shape;
  const batched = x.ndim === 3;
  if ((x.ndim !== 2 && x.ndim !== 3) || s.slice(batched ? 1 : 0).some((v) => v === 0)) {
    throw new RangeError(
      `${call}: expected a 2-d (unbatched) or 3-d (batched) input (N, C * kernel_height * kernel_width, L) with possibly 0 batch size and other non-zero dimensions, got shape ${
        fmt(s)
      }`,
    );
  }
  const [kh, kw] = w.kernel, [dh, dw] = w.dilation, [ph, pw] = w.padding, [sh, sw] = w.stride;
  const [oh, ow] = outputSize;
  const [planes, len] = s.slice(batched ? 1 : 0);
  if (planes % (kh * kw) !== 0) {
    throw new RangeError(
      `${call}: expected size of input's dimension 1 to be divisible by the product of kernel_size, but got input.size(1)=${planes} and kernel_size=${
        pairText(w.kernel)
      }`,
    );
  }
  const nh = blocks(oh, kh, dh, ph, sh), nw = blocks(ow, kw, dw, pw, sw);
  const given = `given output_size=${pairText(outputSize)}, kernel_size=${pairText(w.kernel)}, dilation=${
    pairText(w.dilation)
  }, padding=${pairText(w.padding)}, stride=${pairText(w.stride)}`;
  if (len !== nh * nw) {
    throw new RangeError(
      `${call}: ${given}, expected size of input's dimension 2 to match the calculated number of sliding blocks ${nh} * ${nw} = ${
        nh * nw
      }, but got input.size(2)=${len}`,
    );
  }
  if (nh < 1 || nw < 1) {
    throw new RangeError(
      `${call}: ${given}, calculated shape of the array of sliding blocks as (${nh}, ${nw}), which is too small (non-positive)`,
    );
  }
  if (oh < 1 || ow < 1) {
    throw new RangeError(
      `${call}: expected output spatial size to be positive, but got: output_size=${pairText(outputSize)}`,
    );
  }
  checkFloat(x, call);
  const n = batched ? s[0] : 1, c = planes / (kh * kw);
  if (Math.max(n, 1) * c * (oh * ow + 1) > 0x7fffffff) {
    throw new RangeError(
      `${call}: an output of ${n} x ${c} x ${oh} x ${ow} elements exceeds the 2^31-1 supported`,
    );
  }
  const padded = ph > 0 || pw > 0;
  // float16 sums in float32 (there is no float16 scatter-add kernel), rounded once at the end.
  const half = x.dtype === "float16";
  const src = reshape(batched ? (half ? x.float() : x) : unsqueeze(half ? x.float() : x, 0), [n, c, kh * kw * len]);
  const acc = zeros([n, c, oh * ow + (padded ? 1 : 0)], { dtype: src.dtype });
  let out = indexAdd(acc, 2, positions(oh, ow, nh, nw, w), src);
  if (padded) out = narrow(out, 2, 0, oh * ow);
  out = reshape(out, [n, c, oh, ow]);
  if (half) out = out.half();
  return batched ? out : squeeze(out, 0);
}

/**
 * Extracts sliding local blocks (PyTorch's `F.unfold`, im2col): an input (N, C, H, W), or
 * (C, H, W) unbatched, becomes (N, C * kh * kw, L) where L is the number of blocks, each
 * column holding one block (channel-major, then kernel row, then kernel column). Options
 * `{ dilation, padding, stride }` (an int or `[h, w]`), or PyTorch's positionals.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const x = tensor([[[[1, 2, 3], [4, 5, 6]]]]); // (1, 1, 2, 3)
 * const cols = nn.functional.unfold(x, [2, 2]);
 * console.log(cols.shape); // [1, 4, 2]
 * console.log(cols.tolist()); // [[[1, 2], [2, 3], [4, 5], [5, 6]]]
 * ```
 */
export function unfold(input: Tensor, kernelSize: IntOrPair, opts?: FoldOptions): Tensor;
/** `unfold(input, kernelSize, dilation, padding, stride)`, PyTorch's positional order. */
export function unfold(
  input: Tensor,
  kernelSize: IntOrPair,
  dilation?: IntOrPair,
  padding?: IntOrPair,
  stride?: IntOrPair,
): Tensor;
export function unfold(input: Tensor, kernelSize: IntOrPair, ...rest: unknown[]): Tensor {
  const call = "unfold";
  return unfoldImpl(input, window(kernelSize, rest, call, false), call);
}

/**
 * Combines sliding local blocks into an image (PyTorch's `F.fold`, col2im), the adjoint of
 * `unfold`: an input (N, C * kh * kw, L), or (C * kh * kw, L) unbatched, becomes
 * (N, C, outputSize[0], outputSize[1]); values of overlapping blocks are summed, so
 * `fold(unfold(x))` is `x` times the number of blocks covering each position.
 *
 * @example
 * ```ts
 * import { nn, ones } from "../../mod.ts";
 * const cols = ones([1, 4, 2]); // two 2x2 blocks of ones
 * console.log(nn.functional.fold(cols, [2, 3], 2).tolist()); // [[[[1, 2, 1], [1, 2, 1]]]]
 * ```
 */
export function fold(input: Tensor, outputSize: IntOrPair, kernelSize: IntOrPair, opts?: FoldOptions): Tensor;
/** `fold(input, outputSize, kernelSize, dilation, padding, stride)`, PyTorch's positional order. */
export function fold(
  input: Tensor,
  outputSize: IntOrPair,
  kernelSize: IntOrPair,
  dilation?: IntOrPair,
  padding?: IntOrPair,
  stride?: IntOrPair,
): Tensor;
export function fold(input: Tensor, outputSize: IntOrPair, kernelSize: IntOrPair, ...rest: unknown[]): Tensor {
  const call = "fold";
  const out = pair(outputSize, "outputSize", call);
  return foldImpl(input, out, window(kernelSize, rest, call, true), call);
}

/** PyTorch's repr of an int or a tuple. */
const reprOf = (v: IntOrPair) => (typeof v === "number" ? `${v}` : `(${v.join(", ")})`);

/**
 * Extracts sliding local blocks from a batched (N, C, H, W) or unbatched (C, H, W) input
 * into columns (N, C * kh * kw, L); see `nn.functional.unfold`.
 * `new nn.Unfold(kernelSize, { dilation, padding, stride })` or PyTorch's positionals.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const unfold = new nn.Unfold([2, 3]);
 * console.log(unfold.forward(randn([2, 5, 3, 4])).shape); // [2, 30, 4]
 * console.log(unfold.toString()); // Unfold(kernel_size=(2, 3), dilation=1, padding=0, stride=1)
 * ```
 */
export class Unfold extends Module {
  /** The block size. */
  kernelSize: IntOrPair;
  /** The spacing between kernel elements. */
  dilation: IntOrPair;
  /** The implicit zero padding of each spatial dim. */
  padding: IntOrPair;
  /** The step of the blocks. */
  stride: IntOrPair;

  constructor(kernelSize: IntOrPair, opts?: FoldOptions);
  constructor(kernelSize: IntOrPair, dilation?: IntOrPair, padding?: IntOrPair, stride?: IntOrPair);
  constructor(kernelSize: IntOrPair, ...rest: unknown[]) {
    super();
    window(kernelSize, rest, "Unfold", false);
    const a = parseArgs("Unfold", rest, SPECS);
    this.kernelSize = copy(kernelSize);
    this.dilation = copy(a.dilation as IntOrPair);
    this.padding = copy(a.padding as IntOrPair);
    this.stride = copy(a.stride as IntOrPair);
  }

  /** @internal the window options as stored */
  _opts(): FoldOptions {
    return { dilation: this.dilation, padding: this.padding, stride: this.stride };
  }

  /** The columns of `input`'s sliding blocks. */
  override forward(input: Tensor): Tensor {
    const call = "Unfold.forward";
    return unfoldImpl(input, window(this.kernelSize, [this._opts()], call, false), call);
  }

  override extraRepr(): string {
    return `kernel_size=${reprOf(this.kernelSize)}, dilation=${reprOf(this.dilation)}, padding=${
      reprOf(this.padding)
    }, stride=${reprOf(this.stride)}`;
  }
}

const copy = (v: IntOrPair): IntOrPair => (typeof v === "number" ? v : [...v]);

/**
 * Sums columns of sliding blocks (N, C * kh * kw, L), or (C * kh * kw, L), into an image
 * (N, C, H, W) of size `outputSize`; the adjoint of `Unfold`, see `nn.functional.fold`.
 * `new nn.Fold(outputSize, kernelSize, { dilation, padding, stride })` or PyTorch's
 * positionals.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const fold = new nn.Fold([4, 5], [2, 2]);
 * console.log(fold.forward(randn([1, 3 * 2 * 2, 12])).shape); // [1, 3, 4, 5]
 * console.log(fold.toString()); // Fold(output_size=(4, 5), kernel_size=(2, 2), dilation=1, padding=0, stride=1)
 * ```
 */
export class Fold extends Module {
  /** The spatial size of the output. */
  outputSize: IntOrPair;
  /** The block size. */
  kernelSize: IntOrPair;
  /** The spacing between kernel elements. */
  dilation: IntOrPair;
  /** The implicit zero padding of each spatial dim. */
  padding: IntOrPair;
  /** The step of the blocks. */
  stride: IntOrPair;

  constructor(outputSize: IntOrPair, kernelSize: IntOrPair, opts?: FoldOptions);
  constructor(
    outputSize: IntOrPair,
    kernelSize: IntOrPair,
    dilation?: IntOrPair,
    padding?: IntOrPair,
    stride?: IntOrPair,
  );
  constructor(outputSize: IntOrPair, kernelSize: IntOrPair, ...rest: unknown[]) {
    super();
    pair(outputSize, "outputSize", "Fold");
    window(kernelSize, rest, "Fold", true);
    const a = parseArgs("Fold", rest, SPECS);
    this.outputSize = copy(outputSize);
    this.kernelSize = copy(kernelSize);
    this.dilation = copy(a.dilation as IntOrPair);
    this.padding = copy(a.padding as IntOrPair);
    this.stride = copy(a.stride as IntOrPair);
  }

  /** @internal the window options as stored */
  _opts(): FoldOptions {
    return { dilation: this.dilation, padding: this.padding, stride: this.stride };
  }

  /** The image summed from the columns in `input`. */
  override forward(input: Tensor): Tensor {
    const call = "Fold.forward";
    const out = pair(this.outputSize, "outputSize", call);
    return foldImpl(input, out, window(this.kernelSize, [this._opts()], call, true), call);
  }

  override extraRepr(): string {
    return `output_size=${reprOf(this.outputSize)}, kernel_size=${reprOf(this.kernelSize)}, dilation=${
      reprOf(this.dilation)
    }, padding=${reprOf(this.padding)}, stride=${reprOf(this.stride)}`;
  }
}
