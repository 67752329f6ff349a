/**
 * Sparse layers: `Embedding` (a lookup table of learnable rows) and `EmbeddingBag` (sums,
 * means or maxima of bags of rows), with their functional twins `embedding` and
 * `embeddingBag`; `oneHot` (PyTorch's `F.one_hot`, another of its sparse functions) lives in
 * one_hot.ts and is re-exported here.
 *
 * `sparse: true` is accepted for compatibility, but the weight's gradient is always a dense
 * tensor (denotorch has no sparse tensors); it is exactly the dense form of PyTorch's sparse
 * gradient, so optimizers give the same results as PyTorch's dense-gradient path.
 *
 * `embeddingBag` composes differentiable ops: the bags are worked out in TypeScript from the
 * indices and offsets (padding entries dropped), the rows are one embedding lookup, a bag sum
 * is an `indexAdd` of rows into their bags (a mean divides by the bag sizes), and a bag
 * maximum is a `gather` of the weight at each bag's per-column argmax rows, so the gradient
 * reaches exactly those rows, as PyTorch's does.
 *
 * @module
 */

import { type Device, isTensor, randn, type Tensor, tensor, zeros } from "../tensor/mod.ts";
import { noGrad } from "../autograd/grad_mode.ts";
import { embedding as embeddingOp, embeddingRenorm_ } from "../tensor/ops/embedding.ts";
import { describe, fmt, sameShape } from "../tensor/shape.ts";
import { div, mul, where } from "../tensor/ops/elementwise.ts";
import { gather, indexAdd, indexSelect } from "../tensor/ops/indexing.ts";
import { reshape, unsqueeze } from "../tensor/ops/view.ts";
import { type ArgSpec, parseArgs } from "./positional.ts";
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

function checkWeight(weight: Tensor, call: string): void {
  if (!isTensor(weight)) throw new TypeError(`${call}: expected weight to be a Tensor, got ${describe(weight)}`);
  weight._live(call);
  if (weight.ndim !== 2) {
    throw new RangeError(
      `${call}: expected weight to be 2-d (num_embeddings, embedding_dim), got shape ${fmt(weight.shape)}`,
    );
  }
}

function lookup(input: Tensor, weight: Tensor, o: Checked): Tensor {
  if (o.maxNorm !== null) {
    const maxNorm = o.maxNorm;
    noGrad(() => embeddingRenorm_(weight, input, maxNorm, o.normType));
  }
  return embeddingOp(weight, input, o.paddingIdx, o.scaleGradByFreq);
}

/** The weight of an Embedding / EmbeddingBag: `_weight` as is, or N(0, 1) with a zero padding row. */
function makeWeight(num: number, dim: number, paddingIdx: number | null, o: EmbeddingOptions, call: string): Parameter {
  const dtype = checkFactory(o, call);
  const w = o._weight ?? null;
  if (w !== null) {
    if (!isTensor(w)) throw new TypeError(`${call}: expected _weight to be a Tensor, got ${describe(w)}`);
    if (w.ndim !== 2 || w.shape[0] !== num || w.shape[1] !== dim) {
      throw new RangeError(
        `${call}: shape of weight does not match numEmbeddings and embeddingDim: expected [${num}, ${dim}], got ${
          fmt(w.shape)
        }`,
      );
    }
    return new Parameter(w, !(o._freeze ?? false));
  }
  const init = noGrad(() => {
    const t = randn([num, dim]);
    if (paddingIdx !== null) t.narrow(0, paddingIdx, 1).fill_(0);
    return t.to({ dtype, device: o.device });
  });
  return new Parameter(init);
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
  checkWeight(weight, call);
  const o = checkEmbeddingOpts(checkOptions<EmbeddingFnOptions>(opts, call), weight.shape[0], call);
  return lookup(input, weight, o);
}

/**
 * The checks `fromPretrained` shares: a 2-d tensor of embeddings, known options and a boolean
 * `freeze` (default true). Returns the other options and `freeze`.
 */
function pretrained<O extends { freeze?: boolean }>(
  embeddings: Tensor,
  opts: O,
  call: string,
): { rest: Omit<O, "freeze">; freeze: boolean } {
  if (!isTensor(embeddings)) {
    throw new TypeError(`${call}: expected embeddings to be a Tensor, got ${describe(embeddings)}`);
  }
  if (embeddings.ndim !== 2) {
    throw new RangeError(
      `${call}: embeddings parameter is expected to be 2-dimensional, got shape ${fmt(embeddings.shape)}`,
    );
  }
  const o = checkOptions<O>(opts, call);
  const freeze = o.freeze ?? true;
  if (typeof freeze !== "boolean") {
    throw new TypeError(`${call}: expected freeze to be a boolean, got ${describe(freeze)}`);
  }
  const { freeze: _f, ...rest } = o;
  return { rest, freeze };
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
    if (numEmbeddings * embeddingDim > 0x7fffffff) {
      throw new RangeError(
        `${call}: a weight of ${numEmbeddings} x ${embeddingDim} elements exceeds the 2^31-1 supported`,
      );
    }
    const o = checkOptions<EmbeddingOptions>(opts, call);
    const c = checkEmbeddingOpts(o, numEmbeddings, call);
    this.paddingIdx = c.paddingIdx;
    this.maxNorm = c.maxNorm;
    this.normType = c.normType;
    this.scaleGradByFreq = c.scaleGradByFreq;
    this.sparse = c.sparse;
    this.weight = makeWeight(numEmbeddings, embeddingDim, this.paddingIdx, o, call);
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
    const { rest, freeze } = pretrained<FromPretrainedOptions>(embeddings, opts, "Embedding.fromPretrained");
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

/** How `EmbeddingBag` reduces each bag. */
export type EmbeddingBagMode = "sum" | "mean" | "max";

const BAG_MODES: readonly EmbeddingBagMode[] = ["sum", "mean", "max"];

/** The options `EmbeddingBag` adds to `Embedding`'s. */
export interface EmbeddingBagModeOptions {
  /** "sum", "mean" (default) or "max". */
  mode?: EmbeddingBagMode;
  /** `offsets` has one more entry than there are bags: the end of the last bag. */
  includeLastOffset?: boolean;
}

/** Options of `F.embeddingBag` (PyTorch's keyword arguments after `offsets`). */
export interface EmbeddingBagFnOptions extends EmbeddingFnOptions, EmbeddingBagModeOptions {
  /** The start of each bag in a 1-d input (int64 or int32); null for a 2-d input. */
  offsets?: Tensor | null;
  /** A weight per index (same shape as the input, the weight's dtype); mode "sum" only. */
  perSampleWeights?: Tensor | null;
}

/** Options of `nn.EmbeddingBag`. */
export interface EmbeddingBagOptions extends EmbeddingOptions, EmbeddingBagModeOptions {}

/** Options of `nn.EmbeddingBag.fromPretrained`. */
export interface EmbeddingBagFromPretrainedOptions extends FromPretrainedOptions, EmbeddingBagModeOptions {}

interface BagChecked extends Checked {
  mode: EmbeddingBagMode;
  includeLastOffset: boolean;
}

function checkBagOpts(o: EmbeddingBagOptions, num: number, call: string): BagChecked {
  const c = checkEmbeddingOpts(o, num, call);
  const mode = o.mode ?? "mean", ilo = o.includeLastOffset ?? false;
  if (!BAG_MODES.includes(mode)) {
    throw new TypeError(`${call}: expected mode to be one of "sum", "mean" or "max", got ${describe(mode)}`);
  }
  if (typeof ilo !== "boolean") {
    throw new TypeError(`${call}: expected includeLastOffset to be a boolean, got ${describe(ilo)}`);
  }
  if (mode === "max" && c.scaleGradByFreq) {
    throw new TypeError(`${call}: max mode does not support scaling the gradient by the frequency (scaleGradByFreq)`);
  }
  if (mode === "max" && c.sparse) throw new TypeError(`${call}: max mode does not support sparse weights`);
  return { ...c, mode, includeLastOffset: ilo };
}

/** The values of an int64 or int32 tensor as numbers. */
const ints = (t: Tensor): number[] => Array.from(t.toArray() as ArrayLike<number | bigint>, Number);

/** Shapes, dtypes and values of the arguments, checked before anything is read or changed. */
function bagShapes(
  input: Tensor,
  weight: Tensor,
  offsets: Tensor | null,
  psw: Tensor | null,
  o: BagChecked,
  call: string,
): { idx: number[]; starts: number[]; ends: number[] } {
  if (psw !== null) {
    if (!sameShape(psw.shape, input.shape)) {
      throw new RangeError(
        `${call}: perSampleWeights must have the same shape as the input ${fmt(input.shape)}, got ${fmt(psw.shape)}`,
      );
    }
    if (o.mode !== "sum") {
      throw new TypeError(`${call}: perSampleWeights is only supported for mode "sum", got mode "${o.mode}"`);
    }
    if (psw.dtype !== weight.dtype) {
      throw new TypeError(
        `${call}: expected perSampleWeights to have the weight's dtype ${weight.dtype}, got ${psw.dtype}`,
      );
    }
  }
  const idx = ints(input);
  let offs: number[];
  if (input.ndim === 2) {
    if (offsets !== null) {
      throw new TypeError(
        `${call}: if input is 2-d, offsets has to be null, as input is treated as a mini-batch of fixed length bags; got a Tensor`,
      );
    }
    const [b, n] = input.shape;
    if (n === 0) {
      throw new RangeError(`${call}: a 2-d input needs bags of non-zero length, got shape ${fmt(input.shape)}`);
    }
    offs = Array.from({ length: b }, (_, i) => i * n);
  } else if (input.ndim === 1) {
    if (offsets === null) throw new TypeError(`${call}: a 1-d input needs offsets (a 1-d tensor), got null`);
    if (offsets.ndim !== 1) {
      throw new RangeError(`${call}: offsets has to be a 1-d tensor, got shape ${fmt(offsets.shape)}`);
    }
    if (offsets.dtype !== "int64" && offsets.dtype !== "int32") {
      throw new TypeError(`${call}: expected offsets to be an int64 or int32 tensor, got dtype ${offsets.dtype}`);
    }
    offs = ints(offsets);
  } else {
    throw new RangeError(`${call}: input has to be a 1-d or 2-d tensor, got shape ${fmt(input.shape)}`);
  }
  const n = idx.length;
  if (o.includeLastOffset && offs.length < 1) {
    throw new RangeError(`${call}: with includeLastOffset, offsets needs at least 1 entry, got 0`);
  }
  if (offs.length > 0 && offs[0] !== 0) {
    throw new RangeError(`${call}: offsets[0] has to be 0 (the first bag starts at position 0), got ${offs[0]}`);
  }
  for (let i = 1; i < offs.length; i++) {
    if (offs[i] < offs[i - 1]) {
      throw new RangeError(
        `${call}: offsets must be non-decreasing, got offsets[${i}] = ${offs[i]} after ${offs[i - 1]}`,
      );
    }
  }
  if (offs.length > 0 && offs[offs.length - 1] > n) {
    throw new RangeError(
      `${call}: offsets[-1] can not be greater than the input's length ${n}, got ${offs[offs.length - 1]}`,
    );
  }
  const num = weight.shape[0];
  for (const v of idx) {
    if (v < 0 || v >= num) {
      throw new RangeError(`${call}: expected every index to be >= 0 and < num_embeddings (${num}), got ${v}`);
    }
  }
  const bags = o.includeLastOffset ? offs.length - 1 : offs.length;
  const starts = offs.slice(0, bags);
  const ends = starts.map((_, b) => (b + 1 < offs.length ? offs[b + 1] : n));
  return { idx, starts, ends };
}

const longs = (v: number[]): Tensor => tensor(BigInt64Array.from(v, BigInt), { shape: [v.length] });

function bag(
  input: Tensor,
  weight: Tensor,
  offsets: Tensor | null,
  psw: Tensor | null,
  o: BagChecked,
  call: string,
): Tensor {
  checkIndices(input, call);
  checkWeight(weight, call);
  if (!weight.isFloatingPoint()) {
    throw new TypeError(`${call}: expected a floating point weight, got dtype ${weight.dtype}`);
  }
  const { idx, starts, ends } = bagShapes(input, weight, offsets, psw, o, call);
  if (o.maxNorm !== null) {
    const maxNorm = o.maxNorm;
    noGrad(() => embeddingRenorm_(weight, input, maxNorm, o.normType));
  }
  // The entries that count: inside a bag and not the padding row.
  const pos: number[] = [], words: number[] = [], bagOf: number[] = [];
  const sizes = starts.map((s, b) => {
    const before = pos.length;
    for (let i = s; i < ends[b]; i++) {
      if (idx[i] === o.paddingIdx) continue;
      pos.push(i);
      words.push(idx[i]);
      bagOf.push(b);
    }
    return pos.length - before;
  });
  const nb = starts.length, dim = weight.shape[1];
  const wordsT = longs(words);
  if (o.mode === "max" && pos.length > 0) return bagMax(weight, wordsT, words, bagOf, sizes);
  // float16 sums in float32 (there is no float16 scatter-add kernel), rounded once at the end.
  const half = weight.dtype === "float16", dt = half ? "float32" : weight.dtype;
  let rows = embeddingOp(weight, wordsT, null, o.scaleGradByFreq).to(dt);
  if (psw !== null) rows = mul(rows, unsqueeze(indexSelect(reshape(psw, [-1]), 0, longs(pos)), 1).to(dt));
  let out = indexAdd(zeros([nb, dim], { dtype: dt }), 0, longs(bagOf), rows);
  if (o.mode === "mean") {
    out = div(out, tensor(Float64Array.from(sizes, (c) => Math.max(c, 1)), { shape: [nb, 1] }).to(dt));
  }
  return half ? out.half() : out;
}

/**
 * Each bag's column-wise maximum: the first row (in bag order) holding it wins ties, as
 * PyTorch's kernel does (`>` against the running maximum). Empty bags give zeros.
 */
function bagMax(weight: Tensor, wordsT: Tensor, words: number[], bagOf: number[], sizes: number[]): Tensor {
  const dim = weight.shape[1], nb = sizes.length;
  const vals = noGrad(() => indexSelect(weight.detach(), 0, wordsT).toArray()) as ArrayLike<number>;
  const best = new BigInt64Array(nb * dim);
  const cur = new Float64Array(nb * dim);
  const seen = new Uint8Array(nb);
  for (let k = 0; k < words.length; k++) {
    const b = bagOf[k], first = seen[b] === 0;
    seen[b] = 1;
    for (let d = 0; d < dim; d++) {
      const v = Number(vals[k * dim + d]);
      if (first || v > cur[b * dim + d]) {
        cur[b * dim + d] = v;
        best[b * dim + d] = BigInt(words[k]);
      }
    }
  }
  const out = gather(weight, 0, tensor(best, { shape: [nb, dim] }));
  if (sizes.every((c) => c > 0)) return out;
  const nonEmpty = tensor(Uint8Array.from(sizes, (c) => (c > 0 ? 1 : 0)), { shape: [nb, 1], dtype: "bool" });
  return where(nonEmpty, out, 0);
}

const BAG_SPECS: ArgSpec[] = [
  { name: "offsets", kind: "tensor?", default: null },
  { name: "maxNorm", kind: "any", default: undefined },
  { name: "normType", kind: "any", default: undefined },
  { name: "scaleGradByFreq", kind: "any", default: undefined },
  { name: "mode", kind: "any", default: undefined },
  { name: "sparse", kind: "any", default: undefined },
  { name: "perSampleWeights", kind: "tensor?", default: null },
  { name: "includeLastOffset", kind: "any", default: undefined },
  { name: "paddingIdx", kind: "any", default: undefined },
];

/**
 * Sums, means or maxima of bags of rows of `weight` (num_embeddings, embedding_dim), without
 * building the rows of every index: a 2-d `input` (B, N) holds B bags of N indices; a 1-d
 * `input` is the concatenation of bags starting at `offsets` (empty bags give zeros). The
 * result is (B, embedding_dim). See `nn.EmbeddingBag` for the options; `offsets` comes third
 * or in the options, and PyTorch's positional order is accepted too.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const w = tensor([[0, 0], [1, 2], [3, 4], [5, 6]]);
 * const idx = tensor(new BigInt64Array([1n, 2n, 3n, 3n]));
 * const offsets = tensor(new BigInt64Array([0n, 2n, 2n]));
 * console.log(nn.functional.embeddingBag(idx, w, offsets, { mode: "sum" }).tolist()); // [[4, 6], [0, 0], [10, 12]]
 * ```
 */
export function embeddingBag(input: Tensor, weight: Tensor, opts?: EmbeddingBagFnOptions): Tensor;
/** `embeddingBag(input, weight, offsets, opts?)`. */
export function embeddingBag(
  input: Tensor,
  weight: Tensor,
  offsets: Tensor | null | undefined,
  opts?: Omit<EmbeddingBagFnOptions, "offsets">,
): Tensor;
/** PyTorch's positional order. */
export function embeddingBag(
  input: Tensor,
  weight: Tensor,
  offsets?: Tensor | null,
  maxNorm?: number | null,
  normType?: number,
  scaleGradByFreq?: boolean,
  mode?: EmbeddingBagMode,
  sparse?: boolean,
  perSampleWeights?: Tensor | null,
  includeLastOffset?: boolean,
  paddingIdx?: number | null,
): Tensor;
export function embeddingBag(input: Tensor, weight: Tensor, ...rest: unknown[]): Tensor {
  const call = "embeddingBag";
  const a = parseArgs(call, rest, BAG_SPECS);
  const { offsets, perSampleWeights, ...opts } = a;
  checkIndices(input, call);
  if (!isTensor(weight)) throw new TypeError(`${call}: expected weight to be a Tensor, got ${describe(weight)}`);
  weight._live(call);
  const num = weight.ndim > 0 ? weight.shape[0] : 0;
  const o = checkBagOpts(opts as EmbeddingBagOptions, num, call);
  return bag(input, weight, offsets as Tensor | null, perSampleWeights as Tensor | null, o, call);
}

/**
 * Computes sums, means or maxima of bags of embeddings (PyTorch's `nn.EmbeddingBag`), with
 * a learnable weight (numEmbeddings, embeddingDim) initialised from N(0, 1).
 * `forward(input, offsets?, perSampleWeights?)`: a 2-d input (B, N) is B bags of N indices;
 * a 1-d input needs `offsets`, the start of each bag (with `includeLastOffset`, one more
 * entry: the end of the last bag). The output is (B, embeddingDim).
 *
 * Options: `mode` ("sum", "mean" (default) or "max": column-wise maxima, whose gradient goes
 * to the rows holding them), `paddingIdx` (that row starts at zero, is left out of every bag,
 * including a mean's count, and gets no gradient), `maxNorm` / `normType` (looked-up rows are
 * renormalised in place), `scaleGradByFreq`, `sparse` (accepted; the gradient is dense),
 * `includeLastOffset`, `dtype`, `device`. `perSampleWeights` (mode "sum" only) scale each
 * index's row.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const bag = new nn.EmbeddingBag(10, 3, { mode: "sum" });
 * const input = tensor(new BigInt64Array([1n, 2n, 4n, 5n, 4n, 3n, 2n, 9n]));
 * const offsets = tensor(new BigInt64Array([0n, 4n]));
 * console.log(bag.forward(input, offsets).shape); // [2, 3]
 * console.log(bag.toString()); // EmbeddingBag(10, 3, mode=sum)
 * ```
 */
export class EmbeddingBag extends Module {
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
  /** How each bag is reduced. */
  mode: EmbeddingBagMode;
  /** Accepted for compatibility; gradients are dense. */
  sparse: boolean;
  /** Whether offsets end with the end of the last bag. */
  includeLastOffset: boolean;
  /** The learnable table, shape (numEmbeddings, embeddingDim). */
  declare weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, opts: EmbeddingBagOptions = {}) {
    super();
    const call = "EmbeddingBag";
    this.numEmbeddings = checkSize(numEmbeddings, call, "numEmbeddings");
    this.embeddingDim = checkSize(embeddingDim, call, "embeddingDim");
    if (numEmbeddings * embeddingDim > 0x7fffffff) {
      throw new RangeError(
        `${call}: a weight of ${numEmbeddings} x ${embeddingDim} elements exceeds the 2^31-1 supported`,
      );
    }
    const o = checkOptions<EmbeddingBagOptions>(opts, call);
    const c = checkBagOpts(o, numEmbeddings, call);
    this.paddingIdx = c.paddingIdx;
    this.maxNorm = c.maxNorm;
    this.normType = c.normType;
    this.scaleGradByFreq = c.scaleGradByFreq;
    this.mode = c.mode;
    this.sparse = c.sparse;
    this.includeLastOffset = c.includeLastOffset;
    this.weight = makeWeight(numEmbeddings, embeddingDim, this.paddingIdx, o, call);
  }

  /**
   * An EmbeddingBag whose weight is `embeddings` (2-d; shared, not copied). With `freeze`
   * (the default) the weight does not require grad.
   *
   * @example
   * ```ts
   * import { nn, tensor } from "../../mod.ts";
   * const bag = nn.EmbeddingBag.fromPretrained(tensor([[1, 2.5, 3], [4, 5.5, 6]]));
   * console.log(bag.forward(tensor(new BigInt64Array([1n, 0n]), { shape: [1, 2] })).tolist()); // [[2.5, 4, 4.5]]
   * console.log(bag.weight.requiresGrad); // false
   * ```
   */
  static fromPretrained(embeddings: Tensor, opts: EmbeddingBagFromPretrainedOptions = {}): EmbeddingBag {
    const { rest, freeze } = pretrained<EmbeddingBagFromPretrainedOptions>(
      embeddings,
      opts,
      "EmbeddingBag.fromPretrained",
    );
    return new EmbeddingBag(embeddings.shape[0], embeddings.shape[1], {
      ...rest,
      _weight: embeddings,
      _freeze: freeze,
    });
  }

  /** The reduced bags of `input` (2-d, or 1-d with `offsets`), optionally weighted per index. */
  override forward(input: Tensor, offsets?: Tensor | null, perSampleWeights?: Tensor | null): Tensor {
    const call = "EmbeddingBag.forward";
    const a = parseArgs(call, [offsets, perSampleWeights], [BAG_SPECS[0], BAG_SPECS[6]]);
    checkIndices(input, call);
    const o = checkBagOpts(this, this.numEmbeddings, call);
    return bag(input, this.weight, a.offsets as Tensor | null, a.perSampleWeights as Tensor | null, o, call);
  }

  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.maxNorm !== null) s += `, max_norm=${this.maxNorm}`;
    if (this.normType !== 2) s += `, norm_type=${this.normType}`;
    if (this.scaleGradByFreq) s += `, scale_grad_by_freq=True`;
    s += `, mode=${this.mode}`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    return s;
  }
}

export { oneHot } from "./one_hot.ts";
