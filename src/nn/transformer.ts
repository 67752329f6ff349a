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

import { type Device, type Tensor, tensor } from "../tensor/mod.ts";
import { noGrad } from "../autograd/grad_mode.ts";
import { describe, fmt } from "../tensor/shape.ts";
import { Module } from "./module.ts";
import { ModuleList } from "./container.ts";
import { uniformInit } from "./linear.ts";
import { factoryDtype, LayerNorm, type NormDType } from "./normalization.ts";
import { type ArgSpec, parseArgs } from "./positional.ts";
import { deepCopyModule } from "./deep_copy.ts";
import {
  argList,
  checkKeyPadding,
  checkTensor,
  DECODER_FORWARD,
  FACTORY,
  LAYER_TAIL,
  mask,
  nonNegativeInt,
  positiveInt,
  type TransformerDecoderForwardOptions,
  TransformerDecoderLayer,
  TransformerEncoderLayer,
  type TransformerLayerOptions,
  under,
} from "./transformer_layer.ts";

export {
  type TransformerActivation,
  type TransformerDecoderForwardOptions,
  TransformerDecoderLayer,
  TransformerEncoderLayer,
  type TransformerEncoderLayerForwardOptions,
  type TransformerLayerOptions,
} from "./transformer_layer.ts";

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

/** Options of `TransformerEncoder.forward`. */
export interface TransformerEncoderForwardOptions {
  /** `(S, S)` or `(N * nhead, S, S)` attention mask of every layer. */
  mask?: Tensor | null;
  /** `(N, S)` (`(S)` unbatched) key padding mask of every layer. */
  srcKeyPaddingMask?: Tensor | null;
}

/** Options of `Transformer.forward`. */
export interface TransformerForwardOptions extends TransformerDecoderForwardOptions {
  /** `(S, S)` or `(N * nhead, S, S)` mask of the encoder's self-attention. */
  srcMask?: Tensor | null;
  /** `(N, S)` (`(S)` unbatched) key padding mask of the source. */
  srcKeyPaddingMask?: Tensor | null;
}

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
