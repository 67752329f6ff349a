/**
 * The Tensor: a strided view of a storage, with autograd metadata. The arithmetic lives in
 * src/tensor/ops (each op's backward beside its forward); methods here are thin delegates.
 *
 * @module
 */

import { type DType, DTYPES, type TypedArray } from "../backend/dtype.ts";
import { countTensor, type CpuStorage, releaseCell, RELEASED_STORAGE, type StorageCell } from "../backend/storage.ts";
import type { GradHook, Node } from "../autograd/node.ts";
import { type BackwardOptions, runBackward } from "../autograd/engine.ts";
import { isGradEnabled } from "../autograd/grad_mode.ts";
import { keep, type Scope, track } from "./scope.ts";
import { fmt, isContiguousLayout, normDim, numelOf, sameShape } from "./shape.ts";
import * as E from "./ops/elementwise.ts";
import * as R from "./ops/reduce.ts";
import * as V from "./ops/view.ts";
import * as L from "./ops/linalg.ts";
import * as I from "./ops/indexing.ts";
import * as C from "./ops/convert.ts";

/** Where a tensor lives: the CPU, or a CUDA device. */
export type Device = "cpu" | `cuda:${number}`;

/** A value usable where a tensor operand is expected: a Tensor or a scalar. */
export type Scalar = number | boolean;

/** Nested arrays of numbers as `tolist()` returns them. */
export type NestedArray = number | boolean | bigint | NestedArray[];

/** A handle returned by `register*Hook`; `remove()` unregisters the hook. */
export interface RemovableHandle {
  /** Removes the hook. Idempotent. */
  remove(): void;
}

/** A tensor's gradient bookkeeping (`Tensor._leaf`): only leaves and hooked tensors need it. */
interface LeafState {
  grad: Tensor | null;
  shared: boolean;
  hooks: GradHook[] | null;
}

// Holds the storage's accounting cell, never the storage: see StorageCell in storage.ts.
const finalizer = new FinalizationRegistry<StorageCell>((cell) => {
  releaseCell(cell);
  countTensor(-1);
});

/**
 * A multi-dimensional array with autograd.
 *
 * @example
 * ```ts
 * import { tensor } from "../../mod.ts";
 * const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * const y = x.mul(x).sum();
 * y.backward();
 * console.log(x.grad!.tolist()); // [[2, 4], [6, 8]]
 * ```
 */
export class Tensor {
  // Every slot here is paid by every tensor, temporaries included (V8 copies the live ones at
  // each young-generation GC), so state that only some tensors use lives elsewhere: the
  // marker on the prototype, gradient bookkeeping in `_leaf` (created on first use).

  /** @internal marks tensors for duck-typed checks across module copies */
  get _isTensor(): true {
    return true;
  }
  /** @internal */
  declare _storage: CpuStorage;
  /** The size of each dimension. */
  declare readonly shape: readonly number[];
  /** @internal */
  declare readonly _strides: readonly number[];
  /** @internal element offset into the storage */
  declare readonly _offset: number;
  /** The element type. */
  declare readonly dtype: DType;
  /** @internal */
  declare _requiresGrad: boolean;
  /** @internal the accumulated gradient and gradient hooks, for the tensors that have them */
  declare _leaf: LeafState | null;
  /** @internal */
  get _grad(): Tensor | null {
    return this._leaf === null ? null : this._leaf.grad;
  }
  set _grad(g: Tensor | null) {
    if (this._leaf !== null) this._leaf.grad = g;
    else if (g !== null) this._leaf = { grad: g, shared: false, hooks: null };
  }
  /**
   * @internal True once `.grad` was handed to user code (the public getter) or assigned by it.
   * Until then the engine's gradient is held by this tensor alone, and resetting `.grad`
   * (`p.grad = null`, `zeroGrad()`) disposes it at once, as PyTorch frees an unreferenced grad.
   */
  get _gradShared(): boolean {
    return this._leaf !== null && this._leaf.shared;
  }
  set _gradShared(shared: boolean) {
    if (this._leaf !== null) this._leaf.shared = shared;
    else if (shared) this._leaf = { grad: null, shared, hooks: null };
  }
  /** @internal */
  declare _gradFn: Node | null;
  /** @internal */
  get _hooks(): GradHook[] | null {
    return this._leaf === null ? null : this._leaf.hooks;
  }
  set _hooks(hooks: GradHook[] | null) {
    if (this._leaf !== null) this._leaf.hooks = hooks;
    else if (hooks !== null) this._leaf = { grad: null, shared: false, hooks };
  }
  /** @internal true once disposed: a disposed tensor points at the released storage */
  get _disposed(): boolean {
    return this._storage === RELEASED_STORAGE;
  }
  /**
   * @internal The tensor this one is a view of (set by the view ops, null otherwise): an
   * in-place op on the view while recording gradients rewrites the base's history too.
   */
  declare _base: Tensor | null;
  /** @internal The tidy scope this tensor belongs to (scope.ts), or null. */
  declare _scope: Scope | null;
  /**
   * @internal Whether the finalizer backstop is registered: a live tensor outside every tidy
   * scope (made outside one, or escaped). Derived, so it costs each tensor no slot.
   */
  get _registered(): boolean {
    return this._scope === null && this._storage !== RELEASED_STORAGE;
  }

  /** @internal Use the factories (`tensor`, `zeros`, ...) instead. */
  constructor(storage: CpuStorage, shape: readonly number[], strides: readonly number[], offset: number, dtype: DType) {
    // Every field is assigned here, in one order (one hidden class), rather than by field
    // initializers, which V8's mid tier runs as a separate function: about 2.5x the cost.
    this._storage = storage;
    this.shape = shape;
    this._strides = strides;
    this._offset = offset;
    this.dtype = dtype;
    this._requiresGrad = false;
    this._leaf = null;
    this._gradFn = null;
    this._base = null;
    this._scope = null;
    storage.retain();
    countTensor(1);
    // Inside tidy the scope disposes or promotes the tensor, so the finalizer (a measurable
    // cost per op) is registered only once the tensor escapes the outermost scope.
    if (!track(this)) finalizer.register(this, storage.cell, this);
  }

  /** @internal Leaves tidy's care (kept, or returned from the outermost scope): the GC backstop takes over. */
  _escape(): void {
    if (this._scope === null) return; // registered already (or disposed)
    this._scope = null;
    if (this._storage !== RELEASED_STORAGE) finalizer.register(this, this._storage.cell, this);
  }

  // ------------------------------------------------------------------ metadata

  /** The device: "cpu", or "cuda:N" for CUDA tensors. */
  get device(): Device {
    return "cpu";
  }
  /** The number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }
  /** The strides, in elements. */
  get strides(): readonly number[] {
    return this._strides;
  }
  /** The number of elements. */
  numel(): number {
    return numelOf(this.shape);
  }
  /** The shape, or the size of one dimension. */
  size(): number[];
  /** The size of dimension `dim` (negative counts from the end). */
  size(dim: number): number;
  size(dim?: number): number[] | number {
    if (dim === undefined) return this.shape.slice();
    return this.shape[normDim(dim, this.ndim, "Tensor.size")];
  }
  /** The strides, or the stride of one dimension. */
  stride(dim?: number): number[] | number {
    if (dim === undefined) return this._strides.slice();
    return this._strides[normDim(dim, this.ndim, "Tensor.stride")];
  }
  /** The number of dimensions (PyTorch's `dim()`). */
  dim(): number {
    return this.shape.length;
  }
  /** True when the layout is row-major contiguous. */
  isContiguous(): boolean {
    return isContiguousLayout(this.shape, this._strides);
  }
  /** True for float16/32/64. */
  isFloatingPoint(): boolean {
    return DTYPES[this.dtype].isFloat;
  }
  /** True after `dispose()`. */
  get isDisposed(): boolean {
    return this._disposed;
  }

  // ------------------------------------------------------------------ autograd

  /** Whether gradients flow to this tensor. */
  get requiresGrad(): boolean {
    return this._requiresGrad;
  }
  set requiresGrad(flag: boolean) {
    this.requiresGrad_(flag);
  }
  /** The accumulated gradient, or null. Assignable (shape-checked). */
  get grad(): Tensor | null {
    if (this._grad !== null) this._gradShared = true;
    return this._grad;
  }
  set grad(g: Tensor | null) {
    if (g !== null) {
      if (!(g instanceof Tensor)) throw new TypeError(`Tensor.grad: expected a Tensor or null, got ${typeof g}`);
      if (!sameShape(g.shape, this.shape)) {
        throw new RangeError(
          `Tensor.grad: assigned grad has shape ${fmt(g.shape)} but the tensor has shape ${fmt(this.shape)}`,
        );
      }
      keep(g);
    }
    const old = this._grad;
    if (old !== null && old !== g && !this._gradShared) old.dispose();
    this._grad = g;
    this._gradShared = g !== null;
  }
  /** The node that created this tensor, or null for leaves. */
  get gradFn(): Node | null {
    return this._gradFn;
  }
  /** True for tensors not created by a recorded op. */
  get isLeaf(): boolean {
    return this._gradFn === null;
  }
  /** Sets `requiresGrad` in place (leaves only) and returns this. */
  requiresGrad_(flag = true): this {
    if (!flag && this._gradFn !== null) {
      throw new RangeError(
        "Tensor.requiresGrad_: you can only change requiresGrad of leaf tensors; use detach() for a non-leaf",
      );
    }
    if (flag && !this.isFloatingPoint()) {
      throw new TypeError(`Tensor.requiresGrad_: only floating point tensors can require gradients, got ${this.dtype}`);
    }
    this._requiresGrad = flag;
    return this;
  }
  /** @internal */
  _setGradFn(node: Node): void {
    this._gradFn = node;
    this._requiresGrad = true;
    if (this._hooks) node.hooks = this._hooks;
  }
  /**
   * @internal Makes this tensor alias `src`'s storage, layout and dtype, keeping its identity
   * (Module.to and friends convert parameters this way, so optimizers keep their references).
   */
  _setData(src: Tensor): void {
    this._live("Tensor._setData");
    src._live("Tensor._setData");
    src._storage.retain();
    this._storage.release();
    if (this._registered) finalizer.unregister(this);
    this._storage = src._storage;
    const self = this as { shape: readonly number[]; _strides: readonly number[]; _offset: number; dtype: DType };
    self.shape = src.shape;
    self._strides = src._strides;
    self._offset = src._offset;
    self.dtype = src.dtype;
    if (this._registered) finalizer.register(this, this._storage.cell, this);
  }
  /** @internal storage version, bumped by in-place writes */
  _version(): number {
    return this._storage.version;
  }
  /** @internal */
  _bumpVersion(): void {
    this._storage.version++;
  }
  /** @internal adds a gradient into `.grad` (autograd engine) */
  _accumulateGrad(g: Tensor, mayOwn = false, createGraph = false): void {
    if (createGraph) {
      // As PyTorch's AccumulateGrad in grad mode: `.grad` keeps the graph (a differentiable
      // clone of the first gradient), and later gradients are added out of place.
      this._grad = keep(this._grad === null ? g.clone() : this._grad.add(g));
      this._gradShared = true; // part of a graph the caller may hold: never disposed on reset
      return;
    }
    if (this._grad === null) {
      // Taking `g` itself (no copy) is only safe when nothing else holds it: the engine says
      // so (not a user's seed, not routed twice, not seen by a hook) and no view shares it.
      const owned = mayOwn && g.isContiguous() && g._offset === 0 && g._storage.users() === 1 &&
        g._storage.byteLength === g.numel() * DTYPES[g.dtype].itemsize && g.gradFn === null;
      this._grad = keep(owned ? g : g.clone());
      this._gradShared = false;
    } else {
      this._grad.add_(g);
    }
  }

  /**
   * Computes the gradient of this tensor with respect to the graph leaves.
   * `gradient` defaults to 1 for a one-element tensor. `{ createGraph: true }` records the
   * backward pass, so `.grad` requires grad and can be differentiated again.
   */
  backward(gradient?: Tensor, opts: BackwardOptions = {}): void {
    this._live("Tensor.backward");
    if (!this._requiresGrad) {
      throw new Error("Tensor.backward: element 0 of tensors does not require grad and does not have a gradFn");
    }
    if (gradient === undefined) {
      if (this.numel() !== 1) {
        throw new RangeError(
          `Tensor.backward: grad can be implicitly created only for scalar outputs, got shape ${fmt(this.shape)}`,
        );
      }
      gradient = C.fullLike(this, 1);
    }
    runBackward([this], [gradient], opts);
  }

  /**
   * Registers a hook called with this tensor's gradient; it may return a replacement.
   */
  registerHook(fn: GradHook): RemovableHandle {
    if (!this._requiresGrad) {
      throw new Error("Tensor.registerHook: cannot register a hook on a tensor that doesn't require gradient");
    }
    if (this._hooks === null) {
      this._hooks = [];
      if (this._gradFn) this._gradFn.hooks = this._hooks;
    }
    const hooks = this._hooks;
    hooks.push(fn);
    return {
      remove() {
        const i = hooks.indexOf(fn);
        if (i >= 0) hooks.splice(i, 1);
      },
    };
  }

  /** A tensor sharing storage, cut off from the graph. */
  detach(): Tensor {
    this._live("Tensor.detach");
    return new Tensor(this._storage, this.shape, this._strides, this._offset, this.dtype);
  }
  /** Detaches this tensor from the graph in place. */
  detach_(): this {
    this._gradFn = null;
    this._requiresGrad = false;
    return this;
  }
  /** A detached tensor sharing storage (PyTorch's `.data`). */
  get data(): Tensor {
    return this.detach();
  }
  /**
   * Makes this tensor use `t`'s memory, shape and dtype, keeping its identity and autograd
   * flags (PyTorch's `p.data = t`: no copy, allowed on leaves that require grad).
   */
  set data(t: Tensor) {
    this._live("Tensor.data");
    if (!(t instanceof Tensor)) throw new TypeError(`Tensor.data: expected a Tensor, got ${typeof t}`);
    if (this._requiresGrad && !t.isFloatingPoint()) {
      throw new TypeError(`Tensor.data: a tensor that requires grad needs floating point data, got ${t.dtype}`);
    }
    this._setData(t);
  }

  // ------------------------------------------------------------------ memory

  /** @internal throws when the tensor was disposed */
  _live(call: string): void {
    if (this._storage === RELEASED_STORAGE) throw new Error(`${call}: the tensor was disposed and cannot be used`);
  }
  /** Frees this tensor's hold on its storage. Idempotent; any later use throws. */
  dispose(): void {
    const storage = this._storage;
    if (storage === RELEASED_STORAGE) return;
    if (this._scope === null) finalizer.unregister(this); // it was registered
    storage.release();
    // Drop the reference too, so a disposed tensor that is still reachable keeps no memory.
    this._storage = RELEASED_STORAGE;
    countTensor(-1);
    this._gradFn = null;
  }
  /** For `using t = ...`. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  // ------------------------------------------------------------------ data access

  /** A copy of the elements, in row-major order, as a TypedArray of the dtype. */
  toArray(): TypedArray {
    this._live("Tensor.toArray");
    const c = this.isContiguous() ? this : this.contiguous();
    const n = c.numel();
    const view = c._storage.typed(c.dtype, c._offset, n);
    return view.slice() as TypedArray;
  }
  /**
   * A zero-copy TypedArray over this tensor's own memory: writes through it change the
   * tensor. Throws for non-contiguous tensors (call `.contiguous()` first).
   */
  typedArray(): TypedArray {
    this._live("Tensor.typedArray");
    if (!this.isContiguous()) {
      throw new TypeError(
        `Tensor.typedArray: the tensor is not contiguous (shape ${fmt(this.shape)}, strides ${
          fmt(this._strides)
        }); call .contiguous() first`,
      );
    }
    // User code may keep this view: the memory must never be reused for another tensor.
    this._storage.expose();
    return this._storage.typed(this.dtype, this._offset, this.numel());
  }
  /** The value of a one-element tensor. */
  item(): number {
    this._live("Tensor.item");
    if (this.numel() !== 1) {
      throw new RangeError(`Tensor.item: a tensor with ${this.numel()} elements cannot be converted to a number`);
    }
    const v = this._storage.typed(this.dtype, this._offset, 1)[0];
    return typeof v === "bigint" ? Number(v) : v;
  }
  /** The elements as nested arrays (numbers; booleans for bool tensors). */
  tolist(): NestedArray {
    const flat = this.toArray();
    const isBool = this.dtype === "bool";
    const conv = (v: number | bigint): number | boolean => typeof v === "bigint" ? Number(v) : isBool ? v !== 0 : v;
    if (this.ndim === 0) return conv(flat[0]);
    let k = 0;
    const build = (d: number): NestedArray[] => {
      const out: NestedArray[] = [];
      for (let i = 0; i < this.shape[d]; i++) out.push(d === this.ndim - 1 ? conv(flat[k++]) : build(d + 1));
      return out;
    };
    return build(0);
  }
  /** A readable summary: `tensor([1, 2], dtype=float32)`. */
  toString(): string {
    if (this._disposed) return "tensor(<disposed>)";
    const body = this.numel() <= 100 ? JSON.stringify(this.tolist()) : `<${this.numel()} elements>`;
    return `tensor(${body}, shape=${fmt(this.shape)}, dtype=${this.dtype}${
      this._requiresGrad ? ", requiresGrad" : ""
    })`;
  }
  /** For console.log in Deno. */
  [Symbol.for("Deno.customInspect")](): string {
    return this.toString();
  }

  // ------------------------------------------------------------------ conversion

  /** Converts to a dtype and/or device; returns this when nothing changes. */
  to(target: DType | Device | Tensor | { dtype?: DType; device?: Device }): Tensor {
    return C.to(this, target);
  }
  /** This tensor on the CPU (this tensor itself when it is there already). */
  cpu(): Tensor {
    return C.to(this, "cpu");
  }
  /** This tensor on a CUDA device. Throws a clear error without a CUDA build. */
  cuda(device = 0): Tensor {
    return C.to(this, `cuda:${device}`);
  }
  /** As float32. */
  float(): Tensor {
    return C.to(this, "float32");
  }
  /** As float64. */
  double(): Tensor {
    return C.to(this, "float64");
  }
  /** As float16 (storage only on the CPU: ops compute in float32). */
  half(): Tensor {
    return C.to(this, "float16");
  }
  /** As int64. */
  long(): Tensor {
    return C.to(this, "int64");
  }
  /** As int32. */
  int(): Tensor {
    return C.to(this, "int32");
  }
  /** As bool. */
  bool(): Tensor {
    return C.to(this, "bool");
  }
  /** A contiguous copy (differentiable). */
  clone(): Tensor {
    return C.clone(this);
  }
  /** This tensor if contiguous, else a contiguous copy. */
  contiguous(): Tensor {
    return this.isContiguous() ? this : C.clone(this);
  }

  // ------------------------------------------------------------------ elementwise

  /** `this + alpha * other`, broadcasting. */
  add(other: Tensor | Scalar, alpha?: number): Tensor {
    return E.add(this, other, alpha);
  }
  /** `this - alpha * other`, broadcasting. */
  sub(other: Tensor | Scalar, alpha?: number): Tensor {
    return E.sub(this, other, alpha);
  }
  /** `this * other`, broadcasting. */
  mul(other: Tensor | Scalar): Tensor {
    return E.mul(this, other);
  }
  /** `this / other` (true division), broadcasting. */
  div(other: Tensor | Scalar): Tensor {
    return E.div(this, other);
  }
  /** `this ** exponent`. */
  pow(exponent: Tensor | Scalar): Tensor {
    return E.pow(this, exponent);
  }
  /** Elementwise maximum (propagates NaN). */
  maximum(other: Tensor): Tensor {
    return E.maximum(this, other);
  }
  /** Elementwise minimum (propagates NaN). */
  minimum(other: Tensor): Tensor {
    return E.minimum(this, other);
  }
  /** Python-style remainder (sign of the divisor). */
  remainder(other: Tensor | Scalar): Tensor {
    return E.remainder(this, other);
  }
  /** C-style fmod (sign of the dividend). */
  fmod(other: Tensor | Scalar): Tensor {
    return E.fmod(this, other);
  }
  /** `atan2(this, other)`. */
  atan2(other: Tensor): Tensor {
    return E.atan2(this, other);
  }
  /** `-this`. */
  neg(): Tensor {
    return E.neg(this);
  }
  /** |this|. */
  abs(): Tensor {
    return E.abs(this);
  }
  /** e^this. */
  exp(): Tensor {
    return E.exp(this);
  }
  /** Natural logarithm. */
  log(): Tensor {
    return E.log(this);
  }
  /** log(1 + this). */
  log1p(): Tensor {
    return E.log1p(this);
  }
  /** e^this - 1. */
  expm1(): Tensor {
    return E.expm1(this);
  }
  /** Square root. */
  sqrt(): Tensor {
    return E.sqrt(this);
  }
  /** 1 / sqrt(this). */
  rsqrt(): Tensor {
    return E.rsqrt(this);
  }
  /** Sine. */
  sin(): Tensor {
    return E.sin(this);
  }
  /** Cosine. */
  cos(): Tensor {
    return E.cos(this);
  }
  /** Hyperbolic tangent. */
  tanh(): Tensor {
    return E.tanh(this);
  }
  /** Logistic sigmoid. */
  sigmoid(): Tensor {
    return E.sigmoid(this);
  }
  /** max(this, 0). */
  relu(): Tensor {
    return E.relu(this);
  }
  /** Error function. */
  erf(): Tensor {
    return E.erf(this);
  }
  /** 1 / this. */
  reciprocal(): Tensor {
    return E.reciprocal(this);
  }
  /** this * this. */
  square(): Tensor {
    return E.square(this);
  }
  /** -1, 0 or 1 (not differentiable: zero gradient). */
  sign(): Tensor {
    return E.sign(this);
  }
  /** Rounds down. */
  floor(): Tensor {
    return E.floor(this);
  }
  /** Rounds up. */
  ceil(): Tensor {
    return E.ceil(this);
  }
  /** Rounds half to even. */
  round(): Tensor {
    return E.round(this);
  }
  /** Rounds toward zero. */
  trunc(): Tensor {
    return E.trunc(this);
  }
  /** Clamps into [min, max]; either bound may be omitted (null/undefined). */
  clamp(min?: number | null, max?: number | null): Tensor {
    return E.clamp(this, min, max);
  }
  /** Elementwise `==`, as a bool tensor. */
  eq(other: Tensor | Scalar): Tensor {
    return E.compare("eq", this, other);
  }
  /** Elementwise `!=`. */
  ne(other: Tensor | Scalar): Tensor {
    return E.compare("ne", this, other);
  }
  /** Elementwise `<`. */
  lt(other: Tensor | Scalar): Tensor {
    return E.compare("lt", this, other);
  }
  /** Elementwise `<=`. */
  le(other: Tensor | Scalar): Tensor {
    return E.compare("le", this, other);
  }
  /** Elementwise `>`. */
  gt(other: Tensor | Scalar): Tensor {
    return E.compare("gt", this, other);
  }
  /** Elementwise `>=`. */
  ge(other: Tensor | Scalar): Tensor {
    return E.compare("ge", this, other);
  }
  /** Elementwise logical and (bool result). */
  logicalAnd(other: Tensor): Tensor {
    return E.logical("and", this, other);
  }
  /** Elementwise logical or (bool result). */
  logicalOr(other: Tensor): Tensor {
    return E.logical("or", this, other);
  }
  /** Elementwise logical not (bool result). */
  logicalNot(): Tensor {
    return E.logicalNot(this);
  }
  /** Elementwise NaN test (bool result). */
  isnan(): Tensor {
    return E.isnan(this);
  }
  /** Where `mask` is true, `value`; elsewhere this tensor. */
  maskedFill(mask: Tensor, value: number): Tensor {
    return I.maskedFill(this, mask, value);
  }

  // ------------------------------------------------------------------ in place

  /** In-place `this += alpha * other`. */
  add_(other: Tensor | Scalar, alpha?: number): this {
    return E.inplace(this, "Tensor.add_", (x, o) => E.add(x, other, alpha, o), [other]);
  }
  /** In-place `this -= alpha * other`. */
  sub_(other: Tensor | Scalar, alpha?: number): this {
    return E.inplace(this, "Tensor.sub_", (x, o) => E.sub(x, other, alpha, o), [other]);
  }
  /** In-place `this *= other`. */
  mul_(other: Tensor | Scalar): this {
    return E.inplace(this, "Tensor.mul_", (x, o) => E.mul(x, other, o), [other]);
  }
  /** In-place `this /= other`. */
  div_(other: Tensor | Scalar): this {
    return E.inplace(this, "Tensor.div_", (x, o) => E.div(x, other, o), [other]);
  }
  /** In-place power. */
  pow_(exponent: Tensor | Scalar): this {
    return E.inplace(this, "Tensor.pow_", (x) => E.pow(x, exponent), [exponent], true);
  }
  /** In-place clamp. */
  clamp_(min?: number | null, max?: number | null): this {
    return E.inplace(this, "Tensor.clamp_", (x, o) => E.clamp(x, min, max, o), []);
  }
  /** In-place negation. */
  neg_(): this {
    return E.inplace(this, "Tensor.neg_", (x, o) => E.neg(x, o), []);
  }
  /** In-place ReLU. */
  relu_(): this {
    return E.inplace(this, "Tensor.relu_", (x, o) => E.relu(x, o), []);
  }
  /** In-place sqrt. */
  sqrt_(): this {
    return E.inplace(this, "Tensor.sqrt_", (x, o) => E.sqrt(x, o), []);
  }
  /** In-place exp. */
  exp_(): this {
    return E.inplace(this, "Tensor.exp_", (x, o) => E.exp(x, o), []);
  }
  /** In-place `this += value * t1 * t2`. */
  addcmul_(t1: Tensor, t2: Tensor, value = 1): this {
    return E.inplace(this, "Tensor.addcmul_", (x, o) => E.addcmul(x, t1, t2, value, o), [t1, t2]);
  }
  /** In-place `this += value * t1 / t2`. */
  addcdiv_(t1: Tensor, t2: Tensor, value = 1): this {
    return E.inplace(this, "Tensor.addcdiv_", (x, o) => E.addcdiv(x, t1, t2, value, o), [t1, t2]);
  }
  /** In-place masked fill. */
  maskedFill_(mask: Tensor, value: number): this {
    return E.inplace(this, "Tensor.maskedFill_", (x) => I.maskedFill(x, mask, value), [], true);
  }
  /** Sets every element to 0. */
  zero_(): this {
    return C.fill_(this, 0, "Tensor.zero_");
  }
  /** Sets every element to `value`. */
  fill_(value: number): this {
    return C.fill_(this, value, "Tensor.fill_");
  }
  /** Copies `src` (broadcast, converted) into this tensor. */
  copy_(src: Tensor): this {
    return C.copy_(this, src);
  }
  /** Fills with uniform samples in [low, high). */
  uniform_(low = 0, high = 1): this {
    return C.random_(this, "uniform", low, high, "Tensor.uniform_");
  }
  /** Fills with normal samples. */
  normal_(mean = 0, std = 1): this {
    return C.random_(this, "normal", mean, std, "Tensor.normal_");
  }

  // ------------------------------------------------------------------ reductions

  /** Sum over all elements, or over `dim` (a number or an array). */
  sum(dim?: number | readonly number[], keepdim = false): Tensor {
    return R.sum(this, dim, keepdim);
  }
  /** Mean over all elements or over `dim`. */
  mean(dim?: number | readonly number[], keepdim = false): Tensor {
    return R.mean(this, dim, keepdim);
  }
  /** Product over all elements or over one `dim`. */
  prod(dim?: number, keepdim = false): Tensor {
    return R.prod(this, dim, keepdim);
  }
  /** Max of all elements; with `dim`, `[values, indices]`. */
  max(): Tensor;
  /** Max along `dim`: `[values, indices]`. */
  max(dim: number, keepdim?: boolean): [Tensor, Tensor];
  max(dim?: number, keepdim = false): Tensor | [Tensor, Tensor] {
    return dim === undefined ? R.maxAll(this, false) : R.maxDim(this, dim, keepdim, false);
  }
  /** Min of all elements; with `dim`, `[values, indices]`. */
  min(): Tensor;
  /** Min along `dim`: `[values, indices]`. */
  min(dim: number, keepdim?: boolean): [Tensor, Tensor];
  min(dim?: number, keepdim = false): Tensor | [Tensor, Tensor] {
    return dim === undefined ? R.maxAll(this, true) : R.maxDim(this, dim, keepdim, true);
  }
  /** Index of the max (flattened, or along `dim`), int64. */
  argmax(dim?: number, keepdim = false): Tensor {
    return R.argExtreme(this, dim, keepdim, false);
  }
  /** Index of the min (flattened, or along `dim`), int64. */
  argmin(dim?: number, keepdim = false): Tensor {
    return R.argExtreme(this, dim, keepdim, true);
  }
  /** p-norm over all elements or `dim` (p may be Infinity). */
  norm(p: number = 2, dim?: number | readonly number[], keepdim = false): Tensor {
    return R.norm(this, p, dim, keepdim);
  }
  /** Variance (unbiased by default, PyTorch's `correction` = 1). */
  var(dim?: number | readonly number[], opts: { unbiased?: boolean; keepdim?: boolean } = {}): Tensor {
    return R.variance(this, dim, opts.unbiased ?? true, opts.keepdim ?? false);
  }
  /** Standard deviation (unbiased by default). */
  std(dim?: number | readonly number[], opts: { unbiased?: boolean; keepdim?: boolean } = {}): Tensor {
    return R.std(this, dim, opts.unbiased ?? true, opts.keepdim ?? false);
  }
  /** log(sum(exp(x))) over `dim`, computed stably. */
  logsumexp(dim: number | readonly number[], keepdim = false): Tensor {
    return R.logsumexp(this, dim, keepdim);
  }
  /** True if any element is nonzero (bool tensor). */
  any(dim?: number, keepdim = false): Tensor {
    return R.anyAll(this, dim, keepdim, false);
  }
  /** True if all elements are nonzero (bool tensor). */
  all(dim?: number, keepdim = false): Tensor {
    return R.anyAll(this, dim, keepdim, true);
  }

  // ------------------------------------------------------------------ views and shape

  /** A view with a new shape (one entry may be -1); throws when a copy would be needed. */
  view(...shape: (number | readonly number[])[]): Tensor {
    return V.view(this, V.shapeArg(shape, "Tensor.view"), "Tensor.view");
  }
  /** A view when possible, else a copy, with a new shape. */
  reshape(...shape: (number | readonly number[])[]): Tensor {
    return V.reshape(this, V.shapeArg(shape, "reshape"));
  }
  /** Reorders dimensions. */
  permute(...dims: (number | readonly number[])[]): Tensor {
    return V.permute(this, V.shapeArg(dims, "permute"));
  }
  /** Swaps two dimensions. */
  transpose(dim0: number, dim1: number): Tensor {
    return V.transpose(this, dim0, dim1);
  }
  /** The transpose of a 2-d tensor (a 0/1-d tensor is returned as is). */
  t(): Tensor {
    if (this.ndim > 2) {
      throw new RangeError(`t: expected a tensor with at most 2 dimensions, got shape [${this.shape.join(", ")}]`);
    }
    return this.ndim < 2 ? this : V.transpose(this, 0, 1);
  }
  /** Removes size-1 dimensions (all, or `dim`). */
  squeeze(dim?: number): Tensor {
    return V.squeeze(this, dim);
  }
  /** Inserts a size-1 dimension at `dim`. */
  unsqueeze(dim: number): Tensor {
    return V.unsqueeze(this, dim);
  }
  /** Broadcasts size-1 dimensions to `shape` without copying (-1 keeps a size). */
  expand(...shape: (number | readonly number[])[]): Tensor {
    return V.expand(this, V.shapeArg(shape, "expand"));
  }
  /** Expands to another tensor's shape. */
  expandAs(other: Tensor): Tensor {
    return V.expand(this, other.shape);
  }
  /** A view as another tensor's shape. */
  viewAs(other: Tensor): Tensor {
    return V.view(this, other.shape, "Tensor.viewAs");
  }
  /** A view of `length` entries of `dim` starting at `start`. */
  narrow(dim: number, start: number, length: number): Tensor {
    return V.narrow(this, dim, start, length);
  }
  /** The slice at `index` of `dim`, with that dimension removed. */
  select(dim: number, index: number): Tensor {
    return V.select(this, dim, index);
  }
  /** Flattens dims `startDim..endDim` into one. */
  flatten(startDim = 0, endDim = -1): Tensor {
    return V.flatten(this, startDim, endDim);
  }
  /** Splits into pieces of `size` (or the given sizes) along `dim`. */
  split(size: number | readonly number[], dim = 0): Tensor[] {
    return V.split(this, size, dim);
  }
  /** Splits into `chunks` nearly equal pieces along `dim`. */
  chunk(chunks: number, dim = 0): Tensor[] {
    return V.chunk(this, chunks, dim);
  }
  /** The slices along `dim`, each with that dimension removed. */
  unbind(dim = 0): Tensor[] {
    return V.unbind(this, dim);
  }
  /** Repeats the tensor along each dimension. */
  repeat(...reps: (number | readonly number[])[]): Tensor {
    return V.repeat(this, V.shapeArg(reps, "repeat"));
  }

  // ------------------------------------------------------------------ linear algebra

  /** Matrix product with PyTorch's broadcasting rules (1-d, 2-d and batched). */
  matmul(other: Tensor): Tensor {
    return L.matmul(this, other);
  }
  /** 2-d matrix product. */
  mm(other: Tensor): Tensor {
    return L.mm(this, other);
  }
  /** Batched 3-d matrix product. */
  bmm(other: Tensor): Tensor {
    return L.bmm(this, other);
  }
  /** Dot product of two 1-d tensors. */
  dot(other: Tensor): Tensor {
    return L.dot(this, other);
  }

  // ------------------------------------------------------------------ indexing

  /** Selects entries along `dim` by an int64 index tensor. */
  indexSelect(dim: number, index: Tensor): Tensor {
    return I.indexSelect(this, dim, index);
  }
  /** Gathers along `dim` with an int64 index tensor of the output's shape. */
  gather(dim: number, index: Tensor): Tensor {
    return I.gather(this, dim, index);
  }
  /** A copy with `src` scattered into positions `index` along `dim`. */
  scatter(dim: number, index: Tensor, src: Tensor | number): Tensor {
    return I.scatter(this, dim, index, src, false);
  }
  /** A copy with `src` added into positions `index` along `dim`. */
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor {
    return I.scatter(this, dim, index, src, true);
  }
  /** A copy with `src` rows added at `index` along `dim`. */
  indexAdd(dim: number, index: Tensor, src: Tensor): Tensor {
    return I.indexAdd(this, dim, index, src);
  }
}

/**
 * True when `x` is a Tensor.
 *
 * @example
 * ```ts
 * import { isTensor, zeros } from "../../mod.ts";
 * console.log(isTensor(zeros([2])), isTensor([0, 0])); // true false
 * ```
 */
export function isTensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}

/** Internal constructor access for ops in this folder. */
export function makeTensor(
  storage: CpuStorage,
  shape: readonly number[],
  strides: readonly number[],
  offset: number,
  dtype: DType,
): Tensor {
  return new Tensor(storage, shape, strides, offset, dtype);
}

/** Whether ops currently record graphs (re-exported for ops). */
export { isGradEnabled };
