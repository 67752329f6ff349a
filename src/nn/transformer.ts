/**
 * Transformer layers, as PyTorch 1.13's `nn.Transformer*`: `TransformerEncoderLayer`,
 * `TransformerDecoderLayer`, the stacks `TransformerEncoder` / `TransformerDecoder` (deep copies
 * of one layer, like PyTorch's `_get_clones`) and the whole `Transformer`. They are built from
 * `MultiheadAttention`, `Linear`, `Dropout`, `LayerNorm` and `F.relu` / `F.gelu`, so autograd,
 * state-dict keys (`self_attn.in_proj_weight`, `layers.0.linear1.weight`, ...) and the
 * parameter order are PyTorch's.
 *
 * PyTorch 1.13 has a "fast path" for encoder layers (`torch._transformer_encoder_layer_fwd`, and
 * nested tensors in `TransformerEncoder`) that it takes only in inference (eval mode, no input or
 * parameter requiring grad, batchFirst, ...). Its values are those of the regular path computed
 * here, except that the nested-tensor path of `TransformerEncoder` (with a `srcKeyPaddingMask`)
 * writes zeros at the padded positions before the final norm; this module always computes the
 * regular path.
 *
 * @module
 */

import { type Device, isTensor, type Tensor, tensor } from "../tensor/mod.ts";
import { noGrad } from "../autograd/grad_mode.ts";
import { add } from "../tensor/ops/elementwise.ts";
import { describe, fmt } from "../tensor/shape.ts";
import { Module } from "./module.ts";
import { Parameter } from "./parameter.ts";
import { ModuleList } from "./container.ts";
import { Linear, uniformInit } from "./linear.ts";
import { Dropout } from "./dropout.ts";
import { factoryDtype, LayerNorm, type NormDType } from "./normalization.ts";
import { MultiheadAttention } from "./attention.ts";
import { relu } from "./activation.ts";
import { gelu } from "./activation_ext.ts";
import { type ArgSpec, parseArgs } from "./positional.ts";

/** The feed-forward activation: "relu", "gelu", a unary function of a tensor, or a module. */
export type TransformerActivation = "relu" | "gelu" | ((x: Tensor) => Tensor) | Module;

/** Options of `nn.TransformerEncoderLayer` / `nn.TransformerDecoderLayer` (PyTorch's keywords, camelCase). */
export interface TransformerLayerOptions {
  /** The model's feature size (required; may be given positionally). */
  dModel?: number;
  /** The number of attention heads (required; may be given positionally). */
  nhead?: number;
  /** Hidden size of the feed-forward network (default 2048). */
  dimFeedforward?: number;
  /** Dropout probability (default 0.1), in training mode only. */
  dropout?: number;
  /** The feed-forward activation (default `F.relu`). */
  activation?: TransformerActivation;
  /** The `eps` of the layer norms (default 1e-5). */
  layerNormEps?: number;
  /** Batched tensors are `(N, L, E)` rather than `(L, N, E)` (default false). */
  batchFirst?: boolean;
  /** Layer norm before attention and feed-forward (pre-LN) rather than after (default false). */
  normFirst?: boolean;
  /** The parameters' dtype, "float32" (default) or "float64" (LayerNorm has no float16). */
  dtype?: NormDType;
  /** The parameters' device (default "cpu"). */
  device?: Device;
}

/** Options of `nn.TransformerEncoder`. */
export interface TransformerEncoderOptions {
  /** A module applied to the output of the last layer (default null). */
  norm?: Module | null;
  /** PyTorch's nested-tensor fast path switch (default true); kept, it does not change values here. */
  enableNestedTensor?: boolean;
  /** PyTorch's left-aligned padding check of that fast path (default true); kept for parity. */
  maskCheck?: boolean;
}

/** Options of `nn.TransformerDecoder`. */
export interface TransformerDecoderOptions {
  /** A module applied to the output of the last layer (default null). */
  norm?: Module | null;
}

/** Options of `nn.Transformer` (PyTorch's keywords, camelCase). */
export interface TransformerOptions extends Omit<TransformerLayerOptions, "dModel" | "nhead"> {
  /** The model's feature size (default 512). */
  dModel?: number;
  /** The number of attention heads (default 8). */
  nhead?: number;
  /** Encoder layers (default 6). */
  numEncoderLayers?: number;
  /** Decoder layers (default 6). */
  numDecoderLayers?: number;
  /** A module used as the encoder instead of the default stack (`forward(src, { mask, srcKeyPaddingMask })`). */
  customEncoder?: Module | null;
  /** A module used as the decoder (`forward(tgt, memory, { tgtMask, memoryMask, ... })`). */
  customDecoder?: Module | null;
}

/** Options of `TransformerEncoderLayer.forward`. */
export interface TransformerEncoderLayerForwardOptions {
  /** `(S, S)` or `(N * nhead, S, S)` attention mask: bool/uint8 (true blocks) or float (added). */
  srcMask?: Tensor | null;
  /** `(N, S)` (`(S)` unbatched): bool (true ignores a key) or float (added). */
  srcKeyPaddingMask?: Tensor | null;
}

/** Options of `TransformerEncoder.forward`. */
export interface TransformerEncoderForwardOptions {
  /** `(S, S)` or `(N * nhead, S, S)` attention mask of every layer. */
  mask?: Tensor | null;
  /** `(N, S)` (`(S)` unbatched) key padding mask of every layer. */
  srcKeyPaddingMask?: Tensor | null;
}

/** Options of `TransformerDecoderLayer.forward` and `TransformerDecoder.forward`. */
export interface TransformerDecoderForwardOptions {
  /** `(T, T)` or `(N * nhead, T, T)` self-attention mask (e.g. `generateSquareSubsequentMask(T)`). */
  tgtMask?: Tensor | null;
  /** `(T, S)` or `(N * nhead, T, S)` mask of the attention to the memory. */
  memoryMask?: Tensor | null;
  /** `(N, T)` (`(T)` unbatched) key padding mask of the target. */
  tgtKeyPaddingMask?: Tensor | null;
  /** `(N, S)` (`(S)` unbatched) key padding mask of the memory. */
  memoryKeyPaddingMask?: Tensor | null;
}

/** Options of `Transformer.forward`. */
export interface TransformerForwardOptions extends TransformerDecoderForwardOptions {
  /** `(S, S)` or `(N * nhead, S, S)` mask of the encoder's self-attention. */
  srcMask?: Tensor | null;
  /** `(N, S)` (`(S)` unbatched) key padding mask of the source. */
  srcKeyPaddingMask?: Tensor | null;
}

const FACTORY: readonly ArgSpec[] = [
  { name: "device", kind: "any", default: undefined },
  { name: "dtype", kind: "any", default: undefined },
];
const LAYER_TAIL: readonly ArgSpec[] = [
  { name: "dimFeedforward", kind: "int", default: 2048 },
  { name: "dropout", kind: "number", default: 0.1 },
  { name: "activation", kind: "any", default: relu },
  { name: "layerNormEps", kind: "number", default: 1e-5 },
  { name: "batchFirst", kind: "boolean", default: false },
  { name: "normFirst", kind: "boolean", default: false },
  ...FACTORY,
];
const LAYER_SPECS: readonly ArgSpec[] = [
  { name: "dModel", kind: "any", default: undefined },
  { name: "nhead", kind: "any", default: undefined },
  ...LAYER_TAIL,
];
const TRANSFORMER_SPECS: readonly ArgSpec[] = [
  { name: "dModel", kind: "any", default: 512 },
  { name: "nhead", kind: "any", default: 8 },
  { name: "numEncoderLayers", kind: "any", default: 6 },
  { name: "numDecoderLayers", kind: "any", default: 6 },
  LAYER_TAIL[0],
  LAYER_TAIL[1],
  LAYER_TAIL[2],
  { name: "customEncoder", kind: "any", default: null },
  { name: "customDecoder", kind: "any", default: null },
  ...LAYER_TAIL.slice(3),
];
const mask = (name: string): ArgSpec => ({ name, kind: "tensor?", default: null });
const DECODER_FORWARD: readonly ArgSpec[] = [
  mask("tgtMask"),
  mask("memoryMask"),
  mask("tgtKeyPaddingMask"),
  mask("memoryKeyPaddingMask"),
];

/** `args` for parseArgs: a trailing Module is a value (norm, activation, custom encoder), not an options object. */
function argList(args: readonly unknown[]): unknown[] {
  const out = [...args];
  while (out.length && out[out.length - 1] === undefined) out.pop();
  if (out.length && out[out.length - 1] instanceof Module) out.push({});
  return out;
}

function positiveInt(v: unknown, call: string, name: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) {
    throw new TypeError(`${call}: expected ${name} to be a positive integer, got ${describe(v)}`);
  }
  return v;
}

function nonNegativeInt(v: unknown, call: string, name: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) {
    throw new TypeError(`${call}: expected ${name} to be a non-negative integer, got ${describe(v)}`);
  }
  return v;
}

/** PyTorch's `_get_activation_fn` plus the callable / module check. */
function activationOf(v: unknown, call: string): ((x: Tensor) => Tensor) | Module {
  if (v === "relu") return relu;
  if (v === "gelu") return gelu;
  if (typeof v === "string") {
    throw new TypeError(`${call}: activation should be relu/gelu, not ${v}`);
  }
  if (typeof v === "function" || v instanceof Module) return v as ((x: Tensor) => Tensor) | Module;
  throw new TypeError(
    `${call}: expected activation to be "relu", "gelu", a function or a Module, got ${describe(v)}`,
  );
}

function checkTensor(v: unknown, call: string, name: string): Tensor {
  if (!isTensor(v)) throw new TypeError(`${call}: expected ${name} to be a Tensor, got ${describe(v)}`);
  v._live(call);
  return v;
}

function checkKeyPadding(m: Tensor | null, call: string, name: string): void {
  if (m && m.dtype !== "bool" && !m.isFloatingPoint()) {
    throw new TypeError(
      `${call}: only bool and floating types of key_padding_mask are supported, got ${name} ${m.dtype}`,
    );
  }
}

const CHILD_CALLS =
  /^(MultiheadAttention|LayerNorm|Linear|TransformerEncoderLayer|TransformerDecoderLayer|TransformerEncoder|TransformerDecoder)\.forward: /;

/** Runs `fn`, re-raising a sublayer's error under `call` (so messages start with the caller's name). */
function under<T>(call: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    const msg = e instanceof Error ? e.message : "";
    if (!CHILD_CALLS.test(msg) || !(e instanceof TypeError || e instanceof RangeError)) throw e;
    const Cls = e instanceof TypeError ? TypeError : RangeError;
    throw new Cls(msg.replace(CHILD_CALLS, `${call}: `), { cause: e });
  }
}

function applyActivation(act: ((x: Tensor) => Tensor) | Module, x: Tensor): Tensor {
  return act instanceof Module ? act.forward(x) : act(x);
}

/** The checked (dModel, nhead, ...) arguments of a layer. */
function layerArgs(call: string, args: readonly unknown[]) {
  const a = parseArgs(call, argList(args), LAYER_SPECS);
  if (a.dModel === undefined) throw new TypeError(`${call}: missing the required argument dModel`);
  if (a.nhead === undefined) throw new TypeError(`${call}: missing the required argument nhead`);
  const dModel = positiveInt(a.dModel, call, "dModel");
  const nhead = positiveInt(a.nhead, call, "nhead");
  if (dModel % nhead !== 0) {
    throw new RangeError(`${call}: embed_dim must be divisible by num_heads, got dModel ${dModel} and nhead ${nhead}`);
  }
  const dimFeedforward = nonNegativeInt(a.dimFeedforward, call, "dimFeedforward");
  const dropout = a.dropout as number;
  if (!(dropout >= 0 && dropout <= 1)) {
    throw new RangeError(`${call}: dropout probability has to be between 0 and 1, but got ${dropout}`);
  }
  const factory = factoryDtype(a.dtype ?? "float32", a.device, call);
  return {
    dModel,
    nhead,
    dimFeedforward,
    dropout,
    activation: activationOf(a.activation, call),
    eps: a.layerNormEps as number,
    batchFirst: a.batchFirst as boolean,
    normFirst: a.normFirst as boolean,
    factory,
  };
}

// ------------------------------------------------------------------ deep copy (PyTorch's _get_clones)

const MODULE_INTERNALS = new Set([
  "_parameters",
  "_buffers",
  "_modules",
  "_nonPersistent",
  "_forwardHooks",
  "_forwardPreHooks",
  "_backwardHooks",
  "forward",
]);

function copyValue(v: unknown, memo: Map<unknown, unknown>): unknown {
  if (v === null || (typeof v !== "object")) return v; // primitives and functions are shared, as deepcopy does
  if (memo.has(v)) return memo.get(v);
  let out: unknown;
  if (v instanceof Module) return deepCopyModule(v, memo);
  if (v instanceof Parameter) {
    const p = new Parameter(noGrad(() => v.detach().clone()), v.requiresGrad);
    if (v.grad) p.grad = noGrad(() => v.grad!.clone());
    out = p;
  } else if (isTensor(v)) {
    out = noGrad(() => v.detach().clone()).requiresGrad_(v.requiresGrad && v.isLeaf);
  } else if (Array.isArray(v)) {
    const a: unknown[] = [];
    memo.set(v, a);
    for (const x of v) a.push(copyValue(x, memo));
    return a;
  } else if (v instanceof Map) {
    const m = new Map();
    memo.set(v, m);
    for (const [k, x] of v) m.set(k, copyValue(x, memo));
    return m;
  } else if (v instanceof Set) {
    const s = new Set();
    memo.set(v, s);
    for (const x of v) s.add(copyValue(x, memo));
    return s;
  } else if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    out = (v as unknown as { slice(): unknown }).slice();
  } else if (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null) {
    const o: Record<string, unknown> = Object.create(Object.getPrototypeOf(v));
    memo.set(v, o);
    for (const [k, x] of Object.entries(v)) o[k] = copyValue(x, memo);
    return o;
  } else {
    out = v; // other class instances are shared
  }
  memo.set(v, out);
  return out;
}

/**
 * @internal A deep copy of a module (PyTorch's `copy.deepcopy`): the same class, fields,
 * training flag and hooks, with parameters and buffers copied into new storage (a tensor
 * shared by two fields stays shared in the copy). The class's constructor is not run.
 */
export function deepCopyModule<M extends Module>(m: M, memo: Map<unknown, unknown> = new Map()): M {
  if (memo.has(m)) return memo.get(m) as M;
  const Ctor = m.constructor as new (...a: unknown[]) => Module;
  // Module's constructor sets up the registries and the hook-running forward for the subclass
  const copy = Reflect.construct(Module, [], Ctor) as M;
  memo.set(m, copy);
  for (const [k, p] of m._parameters) copy._parameters.set(k, p ? copyValue(p, memo) as Parameter : null);
  for (const [k, b] of m._buffers) copy._buffers.set(k, b ? copyValue(b, memo) as Tensor : null);
  for (const k of m._nonPersistent) copy._nonPersistent.add(k);
  for (const [k, c] of m._modules) copy._modules.set(k, c ? deepCopyModule(c, memo) : null);
  copy._forwardHooks.push(...m._forwardHooks);
  copy._forwardPreHooks.push(...m._forwardPreHooks);
  copy._backwardHooks.push(...m._backwardHooks);
  for (const key of Reflect.ownKeys(m)) {
    if (typeof key === "string" && MODULE_INTERNALS.has(key)) continue;
    const desc = Reflect.getOwnPropertyDescriptor(m, key)!;
    if ("value" in desc) desc.value = copyValue(desc.value as unknown, memo) as typeof desc.value;
    Reflect.defineProperty(copy, key, desc); // registered entries keep their order (Map.set of a known key)
  }
  return copy;
}

// ------------------------------------------------------------------ layers

/**
 * One encoder layer of "Attention Is All You Need", as PyTorch 1.13's
 * `nn.TransformerEncoderLayer`: self-attention then a feed-forward network
 * (`linear2(dropout(activation(linear1(x))))`), each with dropout, a residual connection and a
 * layer norm, after the block (default) or before it (`normFirst`).
 *
 * Input `(S, N, E)` (`(N, S, E)` with `batchFirst`) or unbatched `(S, E)`; the output has the
 * same shape. Accepts PyTorch's positional order
 * `(dModel, nhead, dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst)`
 * or `(dModel, nhead, { ...options })` or `({ dModel, nhead, ... })`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, batchFirst: true });
 * console.log(layer.forward(randn([3, 5, 8])).shape); // [3, 5, 8]
 * console.log(Object.keys(layer.stateDict()).slice(0, 4));
 * // ["self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight", "self_attn.out_proj.bias"]
 * ```
 */
export class TransformerEncoderLayer extends Module {
  /** Self-attention (`self_attn`, PyTorch's name). */
  declare self_attn: MultiheadAttention;
  /** Feed-forward input projection `dModel -> dimFeedforward`. */
  declare linear1: Linear;
  /** Dropout inside the feed-forward network. */
  declare dropout: Dropout;
  /** Feed-forward output projection `dimFeedforward -> dModel`. */
  declare linear2: Linear;
  /** Pre-LN (true) or post-LN (false). */
  normFirst: boolean;
  /** Norm of the attention block. */
  declare norm1: LayerNorm;
  /** Norm of the feed-forward block. */
  declare norm2: LayerNorm;
  /** Dropout of the attention output. */
  declare dropout1: Dropout;
  /** Dropout of the feed-forward output. */
  declare dropout2: Dropout;
  /** The feed-forward activation (a function, or a registered module). */
  declare activation: ((x: Tensor) => Tensor) | Module;

  /** `(dModel, nhead, options)`, PyTorch's positional order, or `({ dModel, nhead, ... })`. */
  constructor(dModel: number, nhead: number, opts?: TransformerLayerOptions);
  /** All options in one object, `dModel` and `nhead` included. */
  constructor(opts: TransformerLayerOptions);
  /** PyTorch's positional order, optionally followed by an options object for the rest. */
  constructor(dModel: number, nhead: number, ...positional: unknown[]);
  constructor(...args: unknown[]) {
    super();
    const a = layerArgs("TransformerEncoderLayer", args);
    const f = a.factory;
    this.self_attn = new MultiheadAttention(a.dModel, a.nhead, { dropout: a.dropout, batchFirst: a.batchFirst, ...f });
    this.linear1 = new Linear(a.dModel, a.dimFeedforward, f);
    this.dropout = new Dropout(a.dropout);
    this.linear2 = new Linear(a.dimFeedforward, a.dModel, f);
    this.normFirst = a.normFirst;
    this.norm1 = new LayerNorm(a.dModel, { eps: a.eps, ...f });
    this.norm2 = new LayerNorm(a.dModel, { eps: a.eps, ...f });
    this.dropout1 = new Dropout(a.dropout);
    this.dropout2 = new Dropout(a.dropout);
    this.activation = a.activation;
  }

  /**
   * Encodes `src`. Masks as `MultiheadAttention`'s `attnMask` / `keyPaddingMask`; PyTorch's
   * positional order `forward(src, srcMask, srcKeyPaddingMask)` is accepted too.
   */
  override forward(src: Tensor, opts?: TransformerEncoderLayerForwardOptions): Tensor;
  /** PyTorch's positional order: `srcMask, srcKeyPaddingMask`. */
  override forward(src: Tensor, ...positional: unknown[]): Tensor;
  override forward(src: Tensor, ...rest: unknown[]): Tensor {
    const call = "TransformerEncoderLayer.forward";
    checkTensor(src, call, "src");
    const a = parseArgs(call, rest, [mask("srcMask"), mask("srcKeyPaddingMask")]);
    const srcMask = a.srcMask as Tensor | null, kpm = a.srcKeyPaddingMask as Tensor | null;
    checkKeyPadding(kpm, call, "src_key_padding_mask");
    return under(call, () => {
      const sa = (x: Tensor) => this.dropout1.forward(attend(this.self_attn, x, x, srcMask, kpm));
      const ff = (x: Tensor) => this.dropout2.forward(this._ff(x));
      let x = src;
      if (this.normFirst) {
        x = add(x, sa(this.norm1.forward(x)));
        x = add(x, ff(this.norm2.forward(x)));
      } else {
        x = this.norm1.forward(add(x, sa(x)));
        x = this.norm2.forward(add(x, ff(x)));
      }
      return x;
    });
  }

  /** @internal the feed-forward network without its output dropout */
  _ff(x: Tensor): Tensor {
    return this.linear2.forward(this.dropout.forward(applyActivation(this.activation, this.linear1.forward(x))));
  }
}

function attend(m: MultiheadAttention, q: Tensor, kv: Tensor, attnMask: Tensor | null, kpm: Tensor | null): Tensor {
  return m.forward(q, kv, kv, { attnMask, keyPaddingMask: kpm, needWeights: false })[0];
}

/**
 * One decoder layer of "Attention Is All You Need", as PyTorch 1.13's
 * `nn.TransformerDecoderLayer`: self-attention over the target, attention to the encoder's
 * output (`memory`), then the feed-forward network, each with dropout, a residual connection
 * and a layer norm (after the block, or before it with `normFirst`).
 *
 * `tgt` is `(T, N, E)` (`(N, T, E)` with `batchFirst`) or unbatched `(T, E)`, `memory`
 * `(S, N, E)` likewise; the output has `tgt`'s shape. Constructor arguments as
 * `TransformerEncoderLayer`'s.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const layer = new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 16 });
 * const tgt = randn([4, 2, 8]), memory = randn([6, 2, 8]);
 * const mask = nn.Transformer.generateSquareSubsequentMask(4);
 * console.log(layer.forward(tgt, memory, { tgtMask: mask }).shape); // [4, 2, 8]
 * console.log(Object.keys(layer.stateDict()).includes("multihead_attn.in_proj_weight")); // true
 * ```
 */
export class TransformerDecoderLayer extends Module {
  /** Self-attention over the target (`self_attn`). */
  declare self_attn: MultiheadAttention;
  /** Attention of the target to the memory (`multihead_attn`). */
  declare multihead_attn: MultiheadAttention;
  /** Feed-forward input projection `dModel -> dimFeedforward`. */
  declare linear1: Linear;
  /** Dropout inside the feed-forward network. */
  declare dropout: Dropout;
  /** Feed-forward output projection `dimFeedforward -> dModel`. */
  declare linear2: Linear;
  /** Pre-LN (true) or post-LN (false). */
  normFirst: boolean;
  /** Norm of the self-attention block. */
  declare norm1: LayerNorm;
  /** Norm of the memory-attention block. */
  declare norm2: LayerNorm;
  /** Norm of the feed-forward block. */
  declare norm3: LayerNorm;
  /** Dropout of the self-attention output. */
  declare dropout1: Dropout;
  /** Dropout of the memory-attention output. */
  declare dropout2: Dropout;
  /** Dropout of the feed-forward output. */
  declare dropout3: Dropout;
  /** The feed-forward activation (a function, or a registered module). */
  declare activation: ((x: Tensor) => Tensor) | Module;

  /** `(dModel, nhead, options)`, PyTorch's positional order, or `({ dModel, nhead, ... })`. */
  constructor(dModel: number, nhead: number, opts?: TransformerLayerOptions);
  /** All options in one object, `dModel` and `nhead` included. */
  constructor(opts: TransformerLayerOptions);
  /** PyTorch's positional order, optionally followed by an options object for the rest. */
  constructor(dModel: number, nhead: number, ...positional: unknown[]);
  constructor(...args: unknown[]) {
    super();
    const a = layerArgs("TransformerDecoderLayer", args);
    const f = a.factory;
    const mha = () => new MultiheadAttention(a.dModel, a.nhead, { dropout: a.dropout, batchFirst: a.batchFirst, ...f });
    this.self_attn = mha();
    this.multihead_attn = mha();
    this.linear1 = new Linear(a.dModel, a.dimFeedforward, f);
    this.dropout = new Dropout(a.dropout);
    this.linear2 = new Linear(a.dimFeedforward, a.dModel, f);
    this.normFirst = a.normFirst;
    this.norm1 = new LayerNorm(a.dModel, { eps: a.eps, ...f });
    this.norm2 = new LayerNorm(a.dModel, { eps: a.eps, ...f });
    this.norm3 = new LayerNorm(a.dModel, { eps: a.eps, ...f });
    this.dropout1 = new Dropout(a.dropout);
    this.dropout2 = new Dropout(a.dropout);
    this.dropout3 = new Dropout(a.dropout);
    this.activation = a.activation;
  }

  /**
   * Decodes `tgt` attending to `memory`. PyTorch's positional order
   * `forward(tgt, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask)` is
   * accepted too.
   */
  override forward(tgt: Tensor, memory: Tensor, opts?: TransformerDecoderForwardOptions): Tensor;
  /** PyTorch's positional order: `tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask`. */
  override forward(tgt: Tensor, memory: Tensor, ...positional: unknown[]): Tensor;
  override forward(tgt: Tensor, memory: Tensor, ...rest: unknown[]): Tensor {
    const call = "TransformerDecoderLayer.forward";
    checkTensor(tgt, call, "tgt");
    checkTensor(memory, call, "memory");
    const a = parseArgs(call, rest, DECODER_FORWARD) as Record<string, Tensor | null>;
    checkKeyPadding(a.tgtKeyPaddingMask, call, "tgt_key_padding_mask");
    checkKeyPadding(a.memoryKeyPaddingMask, call, "memory_key_padding_mask");
    return under(call, () => {
      const sa = (x: Tensor) => this.dropout1.forward(attend(this.self_attn, x, x, a.tgtMask, a.tgtKeyPaddingMask));
      const mha = (x: Tensor) =>
        this.dropout2.forward(attend(this.multihead_attn, x, memory, a.memoryMask, a.memoryKeyPaddingMask));
      const ff = (x: Tensor) =>
        this.dropout3.forward(
          this.linear2.forward(this.dropout.forward(applyActivation(this.activation, this.linear1.forward(x)))),
        );
      let x = tgt;
      if (this.normFirst) {
        x = add(x, sa(this.norm1.forward(x)));
        x = add(x, mha(this.norm2.forward(x)));
        x = add(x, ff(this.norm3.forward(x)));
      } else {
        x = this.norm1.forward(add(x, sa(x)));
        x = this.norm2.forward(add(x, mha(x)));
        x = this.norm3.forward(add(x, ff(x)));
      }
      return x;
    });
  }
}

// ------------------------------------------------------------------ stacks

function stackArgs(call: string, layer: unknown, numLayers: unknown, rest: unknown[], specs: readonly ArgSpec[]) {
  if (!(layer instanceof Module)) {
    throw new TypeError(`${call}: expected the layer to be a Module, got ${describe(layer)}`);
  }
  const n = nonNegativeInt(numLayers, call, "numLayers");
  const a = parseArgs(call, argList(rest), specs);
  if (a.norm !== null && !(a.norm instanceof Module)) {
    throw new TypeError(`${call}: expected norm to be a Module or null, got ${describe(a.norm)}`);
  }
  return { layer, n, a };
}

/**
 * A stack of `numLayers` encoder layers, as PyTorch 1.13's `nn.TransformerEncoder`: the layer
 * is deep-copied `numLayers` times into `layers` (a `ModuleList`; the copies start with the
 * layer's values and are independent), applied in turn, then `norm` if given.
 * `new nn.TransformerEncoder(layer, numLayers, norm?)` or `(layer, numLayers, { norm, enableNestedTensor, maskCheck })`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16 });
 * const encoder = new nn.TransformerEncoder(layer, 2, { norm: new nn.LayerNorm(8) });
 * console.log(encoder.forward(randn([5, 3, 8])).shape); // [5, 3, 8]
 * console.log(Object.keys(encoder.stateDict()).filter((k) => k.endsWith("linear1.weight")));
 * // ["layers.0.linear1.weight", "layers.1.linear1.weight"]
 * ```
 */
export class TransformerEncoder extends Module {
  /** The deep copies of the layer. */
  declare layers: ModuleList;
  /** The number of layers. */
  numLayers: number;
  /** Applied to the last layer's output, or null. */
  declare norm: Module | null;
  /** PyTorch's fast-path switch (values do not depend on it). */
  enableNestedTensor: boolean;
  /** PyTorch's fast-path mask check (values do not depend on it). */
  maskCheck: boolean;

  /** `(encoderLayer, numLayers, norm?)` or `(encoderLayer, numLayers, { norm, enableNestedTensor, maskCheck })`. */
  constructor(encoderLayer: Module, numLayers: number, opts?: TransformerEncoderOptions);
  /** PyTorch's positional order: `norm, enableNestedTensor, maskCheck`. */
  constructor(encoderLayer: Module, numLayers: number, ...positional: unknown[]);
  constructor(encoderLayer: Module, numLayers: number, ...rest: unknown[]) {
    super();
    const { layer, n, a } = stackArgs("TransformerEncoder", encoderLayer, numLayers, rest, [
      { name: "norm", kind: "any", default: null },
      { name: "enableNestedTensor", kind: "boolean", default: true },
      { name: "maskCheck", kind: "boolean", default: true },
    ]);
    this.layers = new ModuleList(Array.from({ length: n }, () => deepCopyModule(layer)));
    this.numLayers = n;
    this.norm = a.norm as Module | null;
    this.enableNestedTensor = a.enableNestedTensor as boolean;
    this.maskCheck = a.maskCheck as boolean;
  }

  /**
   * Runs `src` through the layers (each gets `{ srcMask: mask, srcKeyPaddingMask }`), then the
   * norm. PyTorch's positional order `forward(src, mask, srcKeyPaddingMask)` is accepted too.
   */
  override forward(src: Tensor, opts?: TransformerEncoderForwardOptions): Tensor;
  /** PyTorch's positional order: `mask, srcKeyPaddingMask`. */
  override forward(src: Tensor, ...positional: unknown[]): Tensor;
  override forward(src: Tensor, ...rest: unknown[]): Tensor {
    const call = "TransformerEncoder.forward";
    checkTensor(src, call, "src");
    const a = parseArgs(call, rest, [mask("mask"), mask("srcKeyPaddingMask")]);
    const kpm = a.srcKeyPaddingMask as Tensor | null;
    checkKeyPadding(kpm, call, "src_key_padding_mask");
    if (this.layers.length === 0) {
      // PyTorch 1.13 reads self.layers[0] first and raises an IndexError
      throw new RangeError(`${call}: the encoder has no layers (numLayers is 0); PyTorch 1.13 fails here too`);
    }
    return under(call, () => {
      let out = src;
      for (const layer of this.layers) out = layer.forward(out, { srcMask: a.mask, srcKeyPaddingMask: kpm });
      return this.norm ? this.norm.forward(out) : out;
    });
  }
}

/**
 * A stack of `numLayers` decoder layers, as PyTorch 1.13's `nn.TransformerDecoder`: deep copies
 * of the layer in `layers`, applied in turn to the target (each attending to the same `memory`),
 * then `norm` if given. `new nn.TransformerDecoder(layer, numLayers, norm?)` or `{ norm }`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const layer = new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 16, batchFirst: true });
 * const decoder = new nn.TransformerDecoder(layer, 3);
 * console.log(decoder.forward(randn([2, 4, 8]), randn([2, 6, 8])).shape); // [2, 4, 8]
 * console.log(decoder.layers.length, decoder.norm); // 3 null
 * ```
 */
export class TransformerDecoder extends Module {
  /** The deep copies of the layer. */
  declare layers: ModuleList;
  /** The number of layers. */
  numLayers: number;
  /** Applied to the last layer's output, or null. */
  declare norm: Module | null;

  /** `(decoderLayer, numLayers, norm?)` or `(decoderLayer, numLayers, { norm })`. */
  constructor(decoderLayer: Module, numLayers: number, opts?: TransformerDecoderOptions);
  /** PyTorch's positional order: `norm`. */
  constructor(decoderLayer: Module, numLayers: number, ...positional: unknown[]);
  constructor(decoderLayer: Module, numLayers: number, ...rest: unknown[]) {
    super();
    const { layer, n, a } = stackArgs("TransformerDecoder", decoderLayer, numLayers, rest, [
      { name: "norm", kind: "any", default: null },
    ]);
    this.layers = new ModuleList(Array.from({ length: n }, () => deepCopyModule(layer)));
    this.numLayers = n;
    this.norm = a.norm as Module | null;
  }

  /**
   * Runs `tgt` through the layers with `memory` and the masks, then the norm. PyTorch's
   * positional order `forward(tgt, memory, tgtMask, memoryMask, tgtKeyPaddingMask,
   * memoryKeyPaddingMask)` is accepted too.
   */
  override forward(tgt: Tensor, memory: Tensor, opts?: TransformerDecoderForwardOptions): Tensor;
  /** PyTorch's positional order: `tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask`. */
  override forward(tgt: Tensor, memory: Tensor, ...positional: unknown[]): Tensor;
  override forward(tgt: Tensor, memory: Tensor, ...rest: unknown[]): Tensor {
    const call = "TransformerDecoder.forward";
    checkTensor(tgt, call, "tgt");
    checkTensor(memory, call, "memory");
    const a = parseArgs(call, rest, DECODER_FORWARD);
    return under(call, () => {
      let out = tgt;
      for (const layer of this.layers) out = layer.forward(out, memory, a);
      return this.norm ? this.norm.forward(out) : out;
    });
  }
}

// ------------------------------------------------------------------ Transformer

/**
 * The encoder-decoder model of "Attention Is All You Need", as PyTorch 1.13's
 * `nn.Transformer`: a `TransformerEncoder` of `numEncoderLayers` layers with a final
 * `LayerNorm` (`encoder`), and a `TransformerDecoder` likewise (`decoder`), or the custom
 * modules given. Every parameter with more than one dimension is re-initialised with
 * xavier-uniform, as PyTorch's `_reset_parameters` does. Options as PyTorch's keywords
 * (`dModel` 512, `nhead` 8, `numEncoderLayers` 6, `numDecoderLayers` 6, `dimFeedforward` 2048,
 * `dropout` 0.1, ...), in one object or in PyTorch's positional order.
 *
 * `forward(src, tgt, opts)` returns the decoder's output, `tgt`'s shape.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const model = new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 16 });
 * const src = randn([6, 2, 8]), tgt = randn([4, 2, 8]);
 * const out = model.forward(src, tgt, { tgtMask: nn.Transformer.generateSquareSubsequentMask(4) });
 * console.log(out.shape); // [4, 2, 8]
 * console.log(Object.keys(model.stateDict()).at(-1)); // decoder.norm.bias
 * ```
 */
export class Transformer extends Module {
  /** The encoder (a `TransformerEncoder`, or the custom encoder). */
  declare encoder: Module;
  /** The decoder (a `TransformerDecoder`, or the custom decoder). */
  declare decoder: Module;
  /** The model's feature size. */
  dModel: number;
  /** The number of attention heads. */
  nhead: number;
  /** Batched tensors are `(N, L, E)`. */
  batchFirst: boolean;

  /** Options (all have defaults), or PyTorch's positional order. */
  constructor(opts?: TransformerOptions);
  /** PyTorch's positional order, optionally followed by an options object for the rest. */
  constructor(...positional: unknown[]);
  constructor(...args: unknown[]) {
    super();
    const call = "Transformer";
    const a = parseArgs(call, argList(args), TRANSFORMER_SPECS);
    const dModel = positiveInt(a.dModel, call, "dModel");
    const nhead = positiveInt(a.nhead, call, "nhead");
    const nEnc = nonNegativeInt(a.numEncoderLayers, call, "numEncoderLayers");
    const nDec = nonNegativeInt(a.numDecoderLayers, call, "numDecoderLayers");
    for (const k of ["customEncoder", "customDecoder"]) {
      if (a[k] !== null && !(a[k] instanceof Module)) {
        throw new TypeError(`${call}: expected ${k} to be a Module or null, got ${describe(a[k])}`);
      }
    }
    const layerOpts = {
      dimFeedforward: a.dimFeedforward,
      dropout: a.dropout,
      activation: a.activation,
      layerNormEps: a.layerNormEps,
      batchFirst: a.batchFirst,
      normFirst: a.normFirst,
      dtype: a.dtype,
      device: a.device,
    } as TransformerLayerOptions;
    const named = <T>(fn: () => T): T => {
      try {
        return fn();
      } catch (e) {
        const msg = e instanceof Error ? e.message : "";
        const m = /^Transformer(En|De)coderLayer: /;
        if (!m.test(msg) || !(e instanceof TypeError || e instanceof RangeError)) throw e;
        throw new (e instanceof TypeError ? TypeError : RangeError)(msg.replace(m, `${call}: `), { cause: e });
      }
    };
    const factory = factoryDtype(a.dtype ?? "float32", a.device, call);
    if (a.customEncoder) this.encoder = a.customEncoder as Module;
    else {
      const layer = named(() => new TransformerEncoderLayer(dModel, nhead, layerOpts));
      const norm = new LayerNorm(dModel, { eps: a.layerNormEps as number, ...factory });
      this.encoder = new TransformerEncoder(layer, nEnc, norm);
    }
    if (a.customDecoder) this.decoder = a.customDecoder as Module;
    else {
      const layer = named(() => new TransformerDecoderLayer(dModel, nhead, layerOpts));
      const norm = new LayerNorm(dModel, { eps: a.layerNormEps as number, ...factory });
      this.decoder = new TransformerDecoder(layer, nDec, norm);
    }
    this._resetParameters();
    this.dModel = dModel;
    this.nhead = nhead;
    this.batchFirst = a.batchFirst as boolean;
  }

  /** PyTorch's `_reset_parameters`: xavier-uniform for every parameter with more than one dimension. */
  _resetParameters(): void {
    noGrad(() => {
      for (const p of this.parameters()) {
        if (p.ndim <= 1) continue;
        const receptive = p.shape.slice(2).reduce((x, y) => x * y, 1);
        const fanIn = p.shape[1] * receptive, fanOut = p.shape[0] * receptive;
        const bound = Math.sqrt(6 / (fanIn + fanOut));
        p.copy_(uniformInit([...p.shape], bound, p.dtype === "float64" ? "float64" : "float32", undefined));
      }
    });
  }

  /**
   * Encodes `src` and decodes `tgt` against it. `src` is `(S, N, E)` (`(N, S, E)` with
   * `batchFirst`, `(S, E)` unbatched), `tgt` `(T, N, E)` likewise; returns `(T, N, E)`.
   * PyTorch's positional order `forward(src, tgt, srcMask, tgtMask, memoryMask,
   * srcKeyPaddingMask, tgtKeyPaddingMask, memoryKeyPaddingMask)` is accepted too.
   */
  override forward(src: Tensor, tgt: Tensor, opts?: TransformerForwardOptions): Tensor;
  /** PyTorch's positional order of the six masks. */
  override forward(src: Tensor, tgt: Tensor, ...positional: unknown[]): Tensor;
  override forward(src: Tensor, tgt: Tensor, ...rest: unknown[]): Tensor {
    const call = "Transformer.forward";
    checkTensor(src, call, "src");
    checkTensor(tgt, call, "tgt");
    const a = parseArgs(call, rest, [
      mask("srcMask"),
      mask("tgtMask"),
      mask("memoryMask"),
      mask("srcKeyPaddingMask"),
      mask("tgtKeyPaddingMask"),
      mask("memoryKeyPaddingMask"),
    ]) as Record<string, Tensor | null>;
    const batched = src.ndim === 3;
    const bdim = this.batchFirst ? 0 : 1;
    if (batched && src.shape[bdim] !== tgt.shape[bdim]) {
      throw new RangeError(
        `${call}: the batch number of src and tgt must be equal, got src ${fmt(src.shape)} and tgt ${
          fmt(tgt.shape)
        } (batchFirst ${this.batchFirst})`,
      );
    }
    if (src.ndim === 0 || tgt.ndim === 0 || src.shape.at(-1) !== this.dModel || tgt.shape.at(-1) !== this.dModel) {
      throw new RangeError(
        `${call}: the feature number of src and tgt must be equal to d_model ${this.dModel}, got src ${
          fmt(src.shape)
        } and tgt ${fmt(tgt.shape)}`,
      );
    }
    return under(call, () => {
      const memory = this.encoder.forward(src, { mask: a.srcMask, srcKeyPaddingMask: a.srcKeyPaddingMask });
      return this.decoder.forward(tgt, memory, {
        tgtMask: a.tgtMask,
        memoryMask: a.memoryMask,
        tgtKeyPaddingMask: a.tgtKeyPaddingMask,
        memoryKeyPaddingMask: a.memoryKeyPaddingMask,
      });
    });
  }

  /**
   * The causal mask of `sz` positions: a float32 `(sz, sz)` tensor with `-Infinity` above the
   * diagonal and 0 elsewhere (PyTorch's `generate_square_subsequent_mask`).
   *
   * @example
   * ```ts
   * import { nn } from "../../mod.ts";
   * console.log(nn.Transformer.generateSquareSubsequentMask(3).tolist());
   * // [[0, -Infinity, -Infinity], [0, 0, -Infinity], [0, 0, 0]]
   * ```
   */
  static generateSquareSubsequentMask(sz: number, opts: { device?: Device; dtype?: NormDType } = {}): Tensor {
    const call = "Transformer.generateSquareSubsequentMask";
    const n = nonNegativeInt(sz, call, "sz");
    const a = parseArgs(call, [opts], FACTORY);
    const { dtype, device } = factoryDtype(a.dtype ?? "float32", a.device, call);
    const data = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) data[i * n + j] = -Infinity;
    return tensor(data, { shape: [n, n] }).to({ dtype, device });
  }
}
