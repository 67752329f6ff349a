/**
 * Padding layers: `ConstantPad1d/2d/3d`, `ZeroPad2d`, `ReflectionPad1d/2d/3d` and
 * `ReplicationPad1d/2d/3d`, and their functional form `pad` (PyTorch's `F.pad`), over the
 * rank-generic op of src/tensor/ops/pad.ts. Convolutions use it for their `paddingMode`.
 *
 * @module
 */

import type { Tensor } from "../tensor/mod.ts";
import { pad as padOp, type PadMode } from "../tensor/ops/pad.ts";
import { describe } from "../tensor/shape.ts";
import { checkOptions } from "./linear.ts";
import { Module } from "./module.ts";

export type { PadMode } from "../tensor/ops/pad.ts";

/** Options of `pad`. */
export interface PadOptions {
  /** How to fill: "constant" (default), "reflect", "replicate" or "circular". */
  mode?: PadMode;
  /** The fill value of mode "constant" (default 0). */
  value?: number;
}

/**
 * Pads the trailing dims of `input`, as PyTorch's `F.pad`: `pad` lists `[left, right]` of the
 * last dim, then `[top, bottom]` of the one before, and so on; negative values crop. The mode
 * and value come as an options object or, as in PyTorch, positionally.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const x = tensor([[[1, 2, 3]]]);
 * console.log(nn.functional.pad(x, [2, 1], "reflect").tolist()); // [[[3, 2, 1, 2, 3, 2]]]
 * console.log(nn.functional.pad(x, [1, 0], { value: 9 }).tolist()); // [[[9, 1, 2, 3]]]
 * ```
 */
export function pad(input: Tensor, pad: readonly number[], mode?: PadMode | PadOptions, value?: number): Tensor {
  const call = "pad";
  if (mode !== undefined && typeof mode === "object") {
    if (value !== undefined) throw new TypeError(`${call}: give the value in the options object`);
    const o = checkOptions<PadOptions>(mode, call, ["mode", "value"]);
    return padOp(input, pad, o.mode ?? "constant", o.value ?? 0, call);
  }
  return padOp(input, pad, mode ?? "constant", value ?? 0, call);
}

/** `[p, p]` repeated for `dims` dims, or a full list of 2 x `dims` sizes (PyTorch's order). */
function padding(p: number | readonly number[], dims: number, call: string): number[] {
  if (typeof p === "number" && Number.isInteger(p)) return new Array<number>(2 * dims).fill(p);
  if (
    !Array.isArray(p) || p.length !== 2 * dims || p.some((v) => typeof v !== "number" || !Number.isInteger(v))
  ) {
    throw new TypeError(`${call}: expected padding to be an integer or ${2 * dims} integers, got ${describe(p)}`);
  }
  return p.slice();
}

/** The padding layers' shared body: a mode, its per-side sizes and (constant mode) a value. */
abstract class PadNd extends Module {
  /** `[left, right, top, bottom, front, back]`, as many pairs as the layer pads dims. */
  padding: number[];
  /** @internal */
  readonly mode: PadMode;
  /** @internal */
  readonly value: number;

  constructor(dims: number, mode: PadMode, p: number | readonly number[], value: number) {
    super();
    const call = new.target.name;
    this.padding = padding(p, dims, call);
    if (typeof value !== "number") {
      throw new TypeError(`${call}: expected value to be a number, got ${describe(value)}`);
    }
    this.mode = mode;
    this.value = value;
  }

  /** Pads `input`'s trailing dims. */
  override forward(input: Tensor): Tensor {
    return padOp(input, this.padding, this.mode, this.value, `${this.constructor.name}.forward`);
  }

  override extraRepr(): string {
    const p = `(${this.padding.join(", ")})`;
    return this.mode === "constant" ? `padding=${p}, value=${this.value}` : p;
  }
}

/**
 * Pads the last dim with a constant.
 *
 * @example
 * ```ts
 * import { nn, ones } from "../../mod.ts";
 * console.log(new nn.ConstantPad1d([1, 2], 3.5).forward(ones([1, 2])).tolist()); // [[3.5, 1, 1, 3.5, 3.5]]
 * ```
 */
export class ConstantPad1d extends PadNd {
  constructor(padding: number | readonly number[], value: number) {
    super(1, "constant", padding, value);
  }
}

/**
 * Pads the last two dims with a constant.
 *
 * @example
 * ```ts
 * import { nn, ones } from "../../mod.ts";
 * console.log(new nn.ConstantPad2d(1, 0).forward(ones([1, 1, 1])).shape); // [1, 3, 3]
 * ```
 */
export class ConstantPad2d extends PadNd {
  constructor(padding: number | readonly number[], value: number) {
    super(2, "constant", padding, value);
  }
}

/**
 * Pads the last three dims with a constant.
 *
 * @example
 * ```ts
 * import { nn, ones } from "../../mod.ts";
 * console.log(new nn.ConstantPad3d([1, 0, 0, 0, 0, 1], 2).forward(ones([1, 1, 1, 1])).shape); // [1, 2, 1, 2]
 * ```
 */
export class ConstantPad3d extends PadNd {
  constructor(padding: number | readonly number[], value: number) {
    super(3, "constant", padding, value);
  }
}

/**
 * Pads the last two dims with zeros.
 *
 * @example
 * ```ts
 * import { nn, ones } from "../../mod.ts";
 * console.log(new nn.ZeroPad2d([1, 0, 0, 0]).forward(ones([1, 1, 2])).tolist()); // [[[0, 1, 1]]]
 * ```
 */
export class ZeroPad2d extends PadNd {
  constructor(padding: number | readonly number[]) {
    super(2, "constant", padding, 0);
  }
}

/**
 * Pads the last dim of a 2-d or 3-d input with its reflection (the edge is not repeated).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(new nn.ReflectionPad1d(2).forward(tensor([[0, 1, 2, 3]])).tolist()); // [[2, 1, 0, 1, 2, 3, 2, 1]]
 * ```
 */
export class ReflectionPad1d extends PadNd {
  constructor(padding: number | readonly number[]) {
    super(1, "reflect", padding, 0);
  }
}

/**
 * Pads the last two dims of a 3-d or 4-d input with their reflection.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * console.log(new nn.ReflectionPad2d([1, 1, 2, 0]).forward(randn([1, 3, 3])).shape); // [1, 5, 5]
 * ```
 */
export class ReflectionPad2d extends PadNd {
  constructor(padding: number | readonly number[]) {
    super(2, "reflect", padding, 0);
  }
}

/**
 * Pads the last three dims of a 4-d or 5-d input with their reflection.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * console.log(new nn.ReflectionPad3d(1).forward(randn([1, 2, 2, 2])).shape); // [1, 4, 4, 4]
 * ```
 */
export class ReflectionPad3d extends PadNd {
  constructor(padding: number | readonly number[]) {
    super(3, "reflect", padding, 0);
  }
}

/**
 * Pads the last dim of a 2-d or 3-d input by repeating its edge values.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(new nn.ReplicationPad1d([1, 2]).forward(tensor([[5, 6]])).tolist()); // [[5, 5, 6, 6, 6]]
 * ```
 */
export class ReplicationPad1d extends PadNd {
  constructor(padding: number | readonly number[]) {
    super(1, "replicate", padding, 0);
  }
}

/**
 * Pads the last two dims of a 3-d or 4-d input by repeating their edge values.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * console.log(new nn.ReplicationPad2d(2).forward(randn([1, 1, 2, 2])).shape); // [1, 1, 6, 6]
 * ```
 */
export class ReplicationPad2d extends PadNd {
  constructor(padding: number | readonly number[]) {
    super(2, "replicate", padding, 0);
  }
}

/**
 * Pads the last three dims of a 4-d or 5-d input by repeating their edge values.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * console.log(new nn.ReplicationPad3d([1, 0, 1, 0, 1, 0]).forward(randn([1, 1, 1, 1])).shape); // [1, 2, 2, 2]
 * ```
 */
export class ReplicationPad3d extends PadNd {
  constructor(padding: number | readonly number[]) {
    super(3, "replicate", padding, 0);
  }
}
