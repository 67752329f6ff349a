/**
 * Shape layers: `Flatten` (dims startDim..endDim into one) and `Unflatten` (one dim into a
 * shape). Their functional twins are the tensor methods `flatten` and `unflatten`-by-reshape.
 *
 * @module
 */

import type { Tensor } from "../tensor/mod.ts";
import { checkTensor } from "../tensor/ops/util.ts";
import { describe, fmt, normDim } from "../tensor/shape.ts";
import { reshape } from "../tensor/ops/view.ts";
import { Module } from "./module.ts";

/** Options of `nn.Flatten`. */
export interface FlattenOptions {
  /** First dim to flatten (default 1: the batch dim is kept). */
  startDim?: number;
  /** Last dim to flatten (default -1). */
  endDim?: number;
}

function checkInt(x: unknown, call: string, name: string): number {
  if (typeof x !== "number" || !Number.isInteger(x)) {
    throw new TypeError(`${call}: expected ${name} to be an integer, got ${describe(x)}`);
  }
  return x;
}

/**
 * Flattens a contiguous range of dims into one: `(N, C, H, W)` to `(N, C*H*W)` with the
 * defaults. `new nn.Flatten()`, `new nn.Flatten(0)`, `new nn.Flatten(1, 2)` or
 * `new nn.Flatten({ startDim, endDim })`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * console.log(new nn.Flatten().forward(randn([32, 1, 5, 5])).shape); // [32, 25]
 * console.log(new nn.Flatten(0, 2).forward(randn([32, 1, 5, 5])).shape); // [160, 5]
 * ```
 */
export class Flatten extends Module {
  /** First flattened dim. */
  startDim: number;
  /** Last flattened dim. */
  endDim: number;

  constructor(startDim: number | FlattenOptions = 1, endDim = -1) {
    super();
    const o = typeof startDim === "object" && startDim !== null ? startDim : { startDim, endDim };
    this.startDim = checkInt(o.startDim ?? 1, "Flatten", "startDim");
    this.endDim = checkInt(o.endDim ?? -1, "Flatten", "endDim");
  }

  /** Flattens dims startDim..endDim of `input`. */
  override forward(input: Tensor): Tensor {
    checkTensor(input, "Flatten.forward");
    const s = normDim(this.startDim, input.ndim, "Flatten.forward");
    const e = normDim(this.endDim, input.ndim, "Flatten.forward");
    if (s > e) {
      throw new RangeError(`Flatten.forward: startDim (${this.startDim}) cannot come after endDim (${this.endDim})`);
    }
    return input.flatten(s, e);
  }

  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

/**
 * Expands one dim into a shape: the inverse of `Flatten`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * console.log(new nn.Unflatten(1, [2, 5, 5]).forward(randn([2, 50])).shape); // [2, 2, 5, 5]
 * ```
 */
export class Unflatten extends Module {
  /** The dim that is expanded. */
  dim: number;
  /** Its new shape. */
  unflattenedSize: number[];

  constructor(dim: number, unflattenedSize: readonly number[]) {
    super();
    this.dim = checkInt(dim, "Unflatten", "dim");
    if (!Array.isArray(unflattenedSize) || unflattenedSize.some((x) => !Number.isInteger(x))) {
      throw new TypeError(
        `Unflatten: expected unflattenedSize to be an array of integers, got ${describe(unflattenedSize)}`,
      );
    }
    this.unflattenedSize = [...unflattenedSize];
  }

  /** Reshapes dim `dim` of `input` into `unflattenedSize`. */
  override forward(input: Tensor): Tensor {
    const call = "Unflatten.forward";
    checkTensor(input, call);
    const d = normDim(this.dim, input.ndim, call);
    const known = this.unflattenedSize.filter((x) => x !== -1).reduce((a, b) => a * b, 1);
    const size = input.shape[d];
    const ok = this.unflattenedSize.includes(-1) ? known > 0 && size % known === 0 : known === size;
    if (!ok) {
      throw new RangeError(
        `${call}: unflattenedSize ${fmt(this.unflattenedSize)} does not match the size ${size} of dim ${d} of shape ${
          fmt(input.shape)
        }`,
      );
    }
    // -1 is resolved from the dim's own size, so it stays defined when another dim is 0.
    const sizes = this.unflattenedSize.map((x) => (x === -1 ? size / known : x));
    return reshape(input, [...input.shape.slice(0, d), ...sizes, ...input.shape.slice(d + 1)]);
  }

  override extraRepr(): string {
    return `dim=${this.dim}, unflattened_size=(${this.unflattenedSize.join(", ")})`;
  }
}
