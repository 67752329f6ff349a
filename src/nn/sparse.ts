/**
 * Sparse layers: `Embedding` (a lookup table of learnable rows) and its functional twin
 * `embedding`.
 *
 * `sparse: true` is accepted for compatibility, but the weight's gradient is always a dense
 * tensor (denotorch has no sparse tensors); it is exactly the dense form of PyTorch's sparse
 * gradient, so optimizers give the same results as PyTorch's dense-gradient path.
 *
 * @module
 */

import { type Device, isTensor, randn, type Tensor } from "../tensor/mod.ts";
import { noGrad } from "../autograd/grad_mode.ts";
import { embedding as embeddingOp, embeddingRenorm_ } from "../tensor/ops/embedding.ts";
import { describe, fmt } from "../tensor/shape.ts";
import { Module } from "./module.ts";
import { Parameter } from "./parameter.ts";
import { checkFactory, checkOptions, checkSize, type FloatDType } from "./linear.ts";

/** Options of `F.embedding`. */
export interface EmbeddingFnOptions {
  /** Row whose gradient is always zero (negative counts from the end). */
  paddingIdx?: number | null;
  /** Renormalise looked-up rows whose norm exceeds this, in place, before the lookup. */
  maxNorm?: number | null;
  /** The p of the p-norm for `maxNorm` (default 2). */
  normType?: number;
  /** Divide each row's gradient by its index's frequency in the batch. */
  scaleGradByFreq?: boolean;
  /** Accepted for compatibility; the gradient is dense. */
  sparse?: boolean;
}

/** Options of `nn.Embedding`. */
export interface EmbeddingOptions extends EmbeddingFnOptions {
  /** An initial weight of shape (numEmbeddings, embeddingDim), used as is (shared, not copied). */
  _weight?: Tensor | null;
  /** Freeze the weight (requiresGrad false); only with `_weight`. */
  _freeze?: boolean;
  /** The weight's dtype (default float32). */
  dtype?: FloatDType;
  /** The weight's device (default "cpu"). */
  device?: Device;
}

/** Options of `nn.Embedding.fromPretrained`. */
export interface FromPretrainedOptions extends EmbeddingFnOptions {
  /** Keep the weight fixed: it does not require grad (default true). */
  freeze?: boolean;
}

interface Checked {
  paddingIdx: number | null;
  maxNorm: number | null;
  normType: number;
  scaleGradByFreq: boolean;
  sparse: boolean;
}

function checkEmbeddingOpts(o: EmbeddingFnOptions, num: number, call: string): Checked {
  let pad = o.paddingIdx ?? null;
  if (pad !== null) {
    if (typeof pad !== "number" || !Number.isInteger(pad)) {
      throw new TypeError(`${call}: expected paddingIdx to be an integer or null, got ${describe(pad)}`);
    }
    if (pad >= num || pad < -num) {
      throw new RangeError(`${call}: paddingIdx must be within numEmbeddings (${num}), got ${pad}`);
    }
    if (pad < 0) pad += num;
  }
  const maxNorm = o.maxNorm ?? null;
  if (maxNorm !== null && (typeof maxNorm !== "number" || Number.isNaN(maxNorm))) {
    throw new TypeError(`${call}: expected maxNorm to be a number or null, got ${describe(maxNorm)}`);
  }
  const normType = o.normType ?? 2;
  if (typeof normType !== "number" || Number.isNaN(normType)) {
    throw new TypeError(`${call}: expected normType to be a number, got ${describe(normType)}`);
  }
  const scaleGradByFreq = o.scaleGradByFreq ?? false, sparse = o.sparse ?? false;
  if (typeof scaleGradByFreq !== "boolean") {
    throw new TypeError(`${call}: expected scaleGradByFreq to be a boolean, got ${describe(scaleGradByFreq)}`);
  }
  if (typeof sparse !== "boolean") {
    throw new TypeError(`${call}: expected sparse to be a boolean, got ${describe(sparse)}`);
  }
  return { paddingIdx: pad, maxNorm, normType, scaleGradByFreq, sparse };
}

function checkIndices(input: unknown, call: string): Tensor {
  if (!isTensor(input)) {
    throw new TypeError(`${call}: expected input to be a Tensor of indices, got ${describe(input)}`);
  }
  input._live(call);
  if (input.dtype !== "int64" && input.dtype !== "int32") {
    throw new TypeError(`${call}: expected input to be an int64 or int32 tensor of indices, got dtype ${input.dtype}`);
  }
  return input;
}

function lookup(input: Tensor, weight: Tensor, o: Checked): Tensor {
  if (o.maxNorm !== null) {
    const maxNorm = o.maxNorm;
    noGrad(() => embeddingRenorm_(weight, input, maxNorm, o.normType));
  }
  return embeddingOp(weight, input, o.paddingIdx, o.scaleGradByFreq);
}

/**
 * Looks up rows of `weight` (num_embeddings, embedding_dim) for an integer tensor `input` of
 * any shape; the result has shape `[...input.shape, embedding_dim]`. See `nn.Embedding` for
 * the options. With `maxNorm`, the looked-up rows of `weight` are renormalised in place first.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const w = tensor([[0, 0], [1, 2], [3, 4]]);
 * const idx = tensor(new BigInt64Array([2n, 1n]));
 * console.log(nn.functional.embedding(idx, w).tolist()); // [[3, 4], [1, 2]]
 * ```
 */
export function embedding(input: Tensor, weight: Tensor, opts: EmbeddingFnOptions = {}): Tensor {
  const call = "embedding";
  checkIndices(input, call);
  if (!isTensor(weight)) throw new TypeError(`${call}: expected weight to be a Tensor, got ${describe(weight)}`);
  weight._live(call);
  if (weight.ndim !== 2) {
    throw new RangeError(
      `${call}: expected weight to be 2-d (num_embeddings, embedding_dim), got shape ${fmt(weight.shape)}`,
    );
  }
  const o = checkEmbeddingOpts(checkOptions<EmbeddingFnOptions>(opts, call), weight.shape[0], call);
  return lookup(input, weight, o);
}

/**
 * A lookup table of `numEmbeddings` learnable vectors of size `embeddingDim`, initialised
 * from N(0, 1). The input is an int64 (or int32) tensor of indices of any shape; the output
 * adds a last dimension of `embeddingDim`.
 *
 * Options: `paddingIdx` (that row starts at zero and never receives a gradient), `maxNorm` /
 * `normType` (looked-up rows whose norm exceeds `maxNorm` are rescaled in place, as
 * PyTorch's `embedding_renorm_`), `scaleGradByFreq`, and `sparse` (accepted; the gradient is
 * dense).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const emb = new nn.Embedding(10, 3, { paddingIdx: 0 });
 * const input = tensor(new BigInt64Array([0n, 2n, 0n, 5n]), { shape: [1, 4] });
 * const out = emb.forward(input);
 * console.log(out.shape); // [1, 4, 3]
 * console.log(out.select(1, 0).tolist()); // [[0, 0, 0]]
 * ```
 */
export class Embedding extends Module {
  /** The size of the dictionary. */
  numEmbeddings: number;
  /** The size of each embedding vector. */
  embeddingDim: number;
  /** The padding row (normalised to be non-negative), or null. */
  paddingIdx: number | null;
  /** The renormalisation threshold, or null. */
  maxNorm: number | null;
  /** The p of the renormalisation norm. */
  normType: number;
  /** Whether gradients are scaled by inverse batch frequency. */
  scaleGradByFreq: boolean;
  /** Accepted for compatibility; gradients are dense. */
  sparse: boolean;
  /** The learnable table, shape (numEmbeddings, embeddingDim). */
  declare weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, opts: EmbeddingOptions = {}) {
    super();
    const call = "Embedding";
    this.numEmbeddings = checkSize(numEmbeddings, call, "numEmbeddings");
    this.embeddingDim = checkSize(embeddingDim, call, "embeddingDim");
    const o = checkOptions<EmbeddingOptions>(opts, call);
    const c = checkEmbeddingOpts(o, numEmbeddings, call);
    this.paddingIdx = c.paddingIdx;
    this.maxNorm = c.maxNorm;
    this.normType = c.normType;
    this.scaleGradByFreq = c.scaleGradByFreq;
    this.sparse = c.sparse;
    const dtype = checkFactory(o, call);
    const w = o._weight ?? null;
    if (w !== null) {
      if (!isTensor(w)) throw new TypeError(`${call}: expected _weight to be a Tensor, got ${describe(w)}`);
      if (w.ndim !== 2 || w.shape[0] !== numEmbeddings || w.shape[1] !== embeddingDim) {
        throw new RangeError(
          `${call}: shape of weight does not match numEmbeddings and embeddingDim: expected [${numEmbeddings}, ${embeddingDim}], got ${
            fmt(w.shape)
          }`,
        );
      }
      this.weight = new Parameter(w, !(o._freeze ?? false));
    } else {
      const init = noGrad(() => {
        const t = randn([numEmbeddings, embeddingDim]);
        if (this.paddingIdx !== null) t.narrow(0, this.paddingIdx, 1).fill_(0);
        return t.to({ dtype, device: o.device });
      });
      this.weight = new Parameter(init);
    }
  }

  /**
   * An Embedding whose weight is `embeddings` (2-d; shared, not copied). With `freeze`
   * (the default) the weight does not require grad.
   *
   * @example
   * ```ts
   * import { nn, tensor } from "../../mod.ts";
   * const emb = nn.Embedding.fromPretrained(tensor([[1, 2.3, 3], [4, 5.1, 6.3]]));
   * console.log(emb.forward(tensor(new BigInt64Array([1n]))).tolist()); // [[4, 5.099999904632568, 6.300000190734863]]
   * console.log(emb.weight.requiresGrad); // false
   * ```
   */
  static fromPretrained(embeddings: Tensor, opts: FromPretrainedOptions = {}): Embedding {
    const call = "Embedding.fromPretrained";
    if (!isTensor(embeddings)) {
      throw new TypeError(`${call}: expected embeddings to be a Tensor, got ${describe(embeddings)}`);
    }
    if (embeddings.ndim !== 2) {
      throw new RangeError(
        `${call}: embeddings parameter is expected to be 2-dimensional, got shape ${fmt(embeddings.shape)}`,
      );
    }
    const o = checkOptions<FromPretrainedOptions>(opts, call);
    const freeze = o.freeze ?? true;
    if (typeof freeze !== "boolean") {
      throw new TypeError(`${call}: expected freeze to be a boolean, got ${describe(freeze)}`);
    }
    const { freeze: _f, ...rest } = o;
    return new Embedding(embeddings.shape[0], embeddings.shape[1], { ...rest, _weight: embeddings, _freeze: freeze });
  }

  /** Looks up the rows for an integer tensor of indices. */
  override forward(input: Tensor): Tensor {
    checkIndices(input, "Embedding.forward");
    return lookup(input, this.weight, this);
  }

  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    if (this.maxNorm !== null) s += `, max_norm=${this.maxNorm}`;
    if (this.normType !== 2) s += `, norm_type=${this.normType}`;
    if (this.scaleGradByFreq) s += `, scale_grad_by_freq=True`;
    if (this.sparse) s += ", sparse=True";
    return s;
  }
}
