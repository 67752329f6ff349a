/**
 * `nn.UninitializedParameter` and `nn.UninitializedBuffer`: the tensors a lazy module
 * (lazy.ts) holds until its first input tells their shape, and `isLazy`.
 *
 * @module
 */

import { type DType, empty, type Tensor, Tensor as TensorClass } from "../tensor/mod.ts";
import { noGrad } from "../autograd/grad_mode.ts";
import { describe } from "../tensor/shape.ts";
import { Parameter } from "./parameter.ts";
import { isOptions } from "./positional.ts";

/** Options of `nn.UninitializedParameter` / `nn.UninitializedBuffer`: the dtype (and device) to materialize with. */
export interface UninitializedOptions {
  /** The dtype the tensor materializes with (default float32). */
  dtype?: DType;
  /** The device (only "cpu" in this build). */
  device?: string;
}

function shapeError(this: Tensor): never {
  const what = this instanceof UninitializedParameter ? "UninitializedParameter" : "UninitializedBuffer";
  throw new RangeError(
    `${what}: can't access the shape of an uninitialized parameter or buffer (it is unknown until the lazy ` +
      "module's first forward or loadStateDict); call forward with a dummy batch to initialize the parameters " +
      "before using them",
  );
}

/** Hides the shape behind a throwing accessor (the base constructor stored it as a data property). */
function hideShape(t: Tensor): void {
  Object.defineProperty(t, "shape", { get: shapeError, configurable: true, enumerable: false });
}

function factory(opts: unknown, call: string): DType {
  if (opts === undefined) return "float32";
  if (!isOptions(opts)) {
    throw new TypeError(`${call}: expected an options object { dtype, device }, got ${describe(opts)}`);
  }
  for (const k of Object.keys(opts)) {
    if (k !== "dtype" && k !== "device") {
      throw new TypeError(`${call}: unknown option "${k}"; expected dtype, device`);
    }
  }
  const dt = (opts.dtype ?? "float32") as DType;
  if (typeof dt !== "string") throw new TypeError(`${call}: expected dtype to be a dtype name, got ${describe(dt)}`);
  if (opts.device !== undefined && opts.device !== "cpu") empty([0]).to(opts.device as "cpu");
  return dt;
}

/** The dtype that `Tensor.to(target)` would give a tensor of `dtype` (device errors included). */
function convertedDType(dtype: DType, target: unknown): DType {
  return noGrad(() => {
    const probe = empty([0], { dtype });
    const out = probe.to(target as DType);
    const dt = out.dtype;
    if (out !== probe) out.dispose();
    probe.dispose();
    return dt;
  });
}

/** Makes `t` (an uninitialized tensor) an ordinary tensor of `proto` with fresh memory of `shape`. */
function materializeInPlace(t: Tensor, proto: object, shape: unknown, opts: unknown, call: string): void {
  if (!Array.isArray(shape) || shape.some((d) => typeof d !== "number" || !Number.isInteger(d) || d < 0)) {
    throw new TypeError(`${call}: expected shape to be an array of non-negative integers, got ${describe(shape)}`);
  }
  factory(opts, call);
  const dtype = (opts as UninitializedOptions | undefined)?.dtype ?? t.dtype;
  const data = empty(shape, { dtype });
  delete (t as { shape?: unknown }).shape;
  Object.setPrototypeOf(t, proto);
  t._setData(data);
  data.dispose();
}

/**
 * A parameter whose shape is not known yet: what a lazy module holds until its first forward.
 * It is an `nn.Parameter` (modules register it, `parameters()` yields it, optimizers accept
 * it), but its shape is unknown, so any use of it in math throws. Only dtype conversions
 * (`to`, `double`, ...) and `materialize` are allowed. `materialize(shape)` turns it, in place,
 * into an ordinary `nn.Parameter`.
 *
 * @example
 * ```ts
 * import { nn } from "../../mod.ts";
 * const p = new nn.UninitializedParameter();
 * console.log(p instanceof nn.Parameter, nn.isLazy(p)); // true true
 * p.materialize([2, 3]);
 * console.log(p.shape, p instanceof nn.UninitializedParameter); // [2, 3] false
 * ```
 */
export class UninitializedParameter extends Parameter {
  /** `requiresGrad` (default true), then the dtype to materialize with. */
  constructor(requiresGrad = true, opts?: UninitializedOptions) {
    const call = "UninitializedParameter";
    if (typeof requiresGrad !== "boolean") {
      throw new TypeError(`${call}: expected requiresGrad to be a boolean, got ${describe(requiresGrad)}`);
    }
    const dtype = factory(opts, call);
    super(empty([0], { dtype }), requiresGrad);
    hideShape(this);
  }

  /** Gives the parameter `shape` (and optionally another dtype), turning it into an `nn.Parameter` in place. */
  materialize(shape: number[], opts?: UninitializedOptions): void {
    materializeInPlace(this, Parameter.prototype, shape, opts, "UninitializedParameter.materialize");
  }

  /** @internal returns itself: PyTorch keeps uninitialized tensors undetached in state dicts. */
  override detach(): Tensor {
    return this;
  }

  /** A new uninitialized parameter of the converted dtype, or this one when nothing changes. */
  override to(target: DType | "cpu" | Tensor | { dtype?: DType; device?: "cpu" }): Tensor {
    const dt = convertedDType(this.dtype, target);
    return dt === this.dtype ? this : new UninitializedParameter(this.requiresGrad, { dtype: dt });
  }
  /** As float32 (still uninitialized). */
  override float(): Tensor {
    return this.to("float32");
  }
  /** As float64 (still uninitialized). */
  override double(): Tensor {
    return this.to("float64");
  }
  /** As float16 (still uninitialized). */
  override half(): Tensor {
    return this.to("float16");
  }
  /** This parameter. */
  override cpu(): Tensor {
    return this;
  }

  /** @internal Module dtype conversion: adopts the dtype of another uninitialized tensor. */
  override _setData(src: Tensor): void {
    adoptDType(this, src, "UninitializedParameter");
  }

  override toString(): string {
    return "<UninitializedParameter>";
  }
}

/**
 * A buffer whose shape is not known yet (lazy BatchNorm's `running_mean` / `running_var`).
 * `materialize(shape)` turns it, in place, into an ordinary tensor.
 *
 * @example
 * ```ts
 * import { nn } from "../../mod.ts";
 * const b = new nn.UninitializedBuffer();
 * console.log(nn.isLazy(b), b.requiresGrad); // true false
 * b.materialize([4]);
 * console.log(b.shape, nn.isLazy(b)); // [4] false
 * ```
 */
export class UninitializedBuffer extends TensorClass {
  /** `requiresGrad` (default false), then the dtype to materialize with. */
  constructor(requiresGrad = false, opts?: UninitializedOptions) {
    const call = "UninitializedBuffer";
    if (typeof requiresGrad !== "boolean") {
      throw new TypeError(`${call}: expected requiresGrad to be a boolean, got ${describe(requiresGrad)}`);
    }
    const dtype = factory(opts, call);
    const data = empty([0], { dtype });
    super(data._storage, [0], [1], 0, dtype);
    data.dispose();
    if (requiresGrad) this.requiresGrad_(true);
    hideShape(this);
  }

  /** Gives the buffer `shape` (and optionally another dtype), turning it into an ordinary tensor in place. */
  materialize(shape: number[], opts?: UninitializedOptions): void {
    materializeInPlace(this, TensorClass.prototype, shape, opts, "UninitializedBuffer.materialize");
  }

  /** @internal returns itself, as for UninitializedParameter. */
  override detach(): Tensor {
    return this;
  }

  /** A new uninitialized buffer of the converted dtype, or this one when nothing changes. */
  override to(target: DType | "cpu" | Tensor | { dtype?: DType; device?: "cpu" }): Tensor {
    const dt = convertedDType(this.dtype, target);
    return dt === this.dtype ? this : new UninitializedBuffer(this.requiresGrad, { dtype: dt });
  }
  /** As float32 (still uninitialized). */
  override float(): Tensor {
    return this.to("float32");
  }
  /** As float64 (still uninitialized). */
  override double(): Tensor {
    return this.to("float64");
  }
  /** As float16 (still uninitialized). */
  override half(): Tensor {
    return this.to("float16");
  }
  /** This buffer. */
  override cpu(): Tensor {
    return this;
  }

  /** @internal Module dtype conversion: adopts the dtype of another uninitialized tensor. */
  override _setData(src: Tensor): void {
    adoptDType(this, src, "UninitializedBuffer");
  }

  override toString(): string {
    return "<UninitializedBuffer>";
  }
}

function adoptDType(t: Tensor, src: Tensor, name: string): void {
  if (!isLazy(src)) {
    throw new TypeError(`${name}: cannot set the data of an uninitialized tensor; use materialize(shape)`);
  }
  (t as { dtype: DType }).dtype = src.dtype;
}

/**
 * True for an `nn.UninitializedParameter` or `nn.UninitializedBuffer` (PyTorch's
 * `torch.nn.parameter.is_lazy`).
 *
 * @example
 * ```ts
 * import { nn } from "../../mod.ts";
 * const m = new nn.LazyLinear(3);
 * console.log(nn.isLazy(m.weight)); // true
 * ```
 */
export function isLazy(t: unknown): t is UninitializedParameter | UninitializedBuffer {
  return t instanceof UninitializedParameter || t instanceof UninitializedBuffer;
}
