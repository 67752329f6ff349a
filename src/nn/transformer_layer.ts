/**
 * The Transformer's layers, as PyTorch 1.13's `nn.TransformerEncoderLayer` and
 * `nn.TransformerDecoderLayer` (re-exported by `transformer.ts`, with the stacks and the whole
 * `nn.Transformer`), and the argument helpers the family shares. See `transformer.ts`.
 *
 * @module
 */

import { type Device, isTensor, type Tensor } from "../tensor/mod.ts";
import { add } from "../tensor/ops/elementwise.ts";
import { describe } from "../tensor/shape.ts";
import { Module } from "./module.ts";
import { Linear } from "./linear.ts";
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

/** Options of `TransformerEncoderLayer.forward`. */
export interface TransformerEncoderLayerForwardOptions {
  /** `(S, S)` or `(N * nhead, S, S)` attention mask: bool/uint8 (true blocks) or float (added). */
  srcMask?: Tensor | null;
  /** `(N, S)` (`(S)` unbatched): bool (true ignores a key) or float (added). */
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

/** @internal */
export const FACTORY: readonly ArgSpec[] = [
  { name: "device", kind: "any", default: undefined },
  { name: "dtype", kind: "any", default: undefined },
];
/** @internal */
export const LAYER_TAIL: readonly ArgSpec[] = [
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
/** @internal */
export const mask = (name: string): ArgSpec => ({ name, kind: "tensor?", default: null });
/** @internal */
export const DECODER_FORWARD: readonly ArgSpec[] = [
  mask("tgtMask"),
  mask("memoryMask"),
  mask("tgtKeyPaddingMask"),
  mask("memoryKeyPaddingMask"),
];

/** @internal `args` for parseArgs: a trailing Module is a value (norm, activation, custom encoder), not an options object. */
export function argList(args: readonly unknown[]): unknown[] {
  const out = [...args];
  while (out.length && out[out.length - 1] === undefined) out.pop();
  if (out.length && out[out.length - 1] instanceof Module) out.push({});
  return out;
}

/** @internal */
export function positiveInt(v: unknown, call: string, name: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) {
    throw new TypeError(`${call}: expected ${name} to be a positive integer, got ${describe(v)}`);
  }
  return v;
}

/** @internal */
export function nonNegativeInt(v: unknown, call: string, name: string): number {
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

/** @internal */
export function checkTensor(v: unknown, call: string, name: string): Tensor {
  if (!isTensor(v)) throw new TypeError(`${call}: expected ${name} to be a Tensor, got ${describe(v)}`);
  v._live(call);
  return v;
}

/** @internal */
export function checkKeyPadding(m: Tensor | null, call: string, name: string): void {
  if (m && m.dtype !== "bool" && !m.isFloatingPoint()) {
    throw new TypeError(
      `${call}: only bool and floating types of key_padding_mask are supported, got ${name} ${m.dtype}`,
    );
  }
}

const CHILD_CALLS =
  /^(MultiheadAttention|LayerNorm|Linear|TransformerEncoderLayer|TransformerDecoderLayer|TransformerEncoder|TransformerDecoder)\.forward: /;

/** @internal Runs `fn`, re-raising a sublayer's error under `call` (so messages start with the caller's name). */
export function under<T>(call: string, fn: () => T): T {
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
