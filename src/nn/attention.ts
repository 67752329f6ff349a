/**
 * Multi-head attention: `MultiheadAttention`, PyTorch 1.13's `nn.MultiheadAttention`, and
 * `multiHeadAttentionForward` (PyTorch's `F.multi_head_attention_forward`, which the module
 * calls), composed of differentiable tensor ops
 * (linear projections, batched products, softmax, masks as additive `-inf`).
 *
 * @module
 */

import { empty, isTensor, type Tensor, zeros } from "../tensor/mod.ts";
import { noGrad } from "../autograd/grad_mode.ts";
import { bmm } from "../tensor/ops/linalg.ts";
import { add, compare, div, logical, where } from "../tensor/ops/elementwise.ts";
import { maskedFill } from "../tensor/ops/indexing.ts";
import { sum } from "../tensor/ops/reduce.ts";
import { softmax } from "../tensor/ops/softmax.ts";
import { dropout as dropoutOp } from "../tensor/ops/dropout.ts";
import { cat, chunk, expand, narrow, repeat, reshape, squeeze, transpose, unsqueeze } from "../tensor/ops/view.ts";
import { to } from "../tensor/ops/convert.ts";
import { describe, fmt } from "../tensor/shape.ts";
import { Module } from "./module.ts";
import { Parameter } from "./parameter.ts";
import { checkFactory, type FloatDType, Linear, linear, uniformInit } from "./linear.ts";
import { type ArgSpec, parseArgs } from "./positional.ts";
import type { Device } from "../tensor/mod.ts";

/** Options of `nn.MultiheadAttention` (PyTorch's keyword arguments, camelCase). */
export interface MultiheadAttentionOptions {
  /** Dropout probability on the attention weights, in training only (default 0). */
  dropout?: number;
  /** Learn biases of the input and output projections (default true). */
  bias?: boolean;
  /** Learn `bias_k` and `bias_v`, appended to the keys and values as one more source position (default false). */
  addBiasKv?: boolean;
  /** Append a zero key and value (one more source position) after projection (default false). */
  addZeroAttn?: boolean;
  /** Features of the keys (default, or null: `embedDim`). */
  kdim?: number | null;
  /** Features of the values (default, or null: `embedDim`). */
  vdim?: number | null;
  /** Batched inputs and output are `(N, L, E)` rather than `(L, N, E)` (default false). */
  batchFirst?: boolean;
  /** The parameters' dtype (default float32). */
  dtype?: FloatDType;
  /** The parameters' device (default "cpu"). */
  device?: Device;
}

/** Options of `MultiheadAttention.forward` (PyTorch's keyword arguments, camelCase). */
export interface MultiheadAttentionForwardOptions {
  /**
   * `(N, S)` (`(S)` for unbatched input): bool, true marks a key position to ignore; or float,
   * added to the attention logits.
   */
  keyPaddingMask?: Tensor | null;
  /** Return the attention weights (default true); false returns null in their place. */
  needWeights?: boolean;
  /**
   * `(L, S)` or `(N * numHeads, L, S)`: bool (or uint8), true marks a pair that may not
   * attend; or float, added to the attention logits.
   */
  attnMask?: Tensor | null;
  /** Average the returned weights over the heads (default true), else return them per head. */
  averageAttnWeights?: boolean;
}

const CTOR_SPECS: readonly ArgSpec[] = [
  { name: "dropout", kind: "number", default: 0 },
  { name: "bias", kind: "boolean", default: true },
  { name: "addBiasKv", kind: "boolean", default: false },
  { name: "addZeroAttn", kind: "boolean", default: false },
  { name: "kdim", kind: "int?", default: null },
  { name: "vdim", kind: "int?", default: null },
  { name: "batchFirst", kind: "boolean", default: false },
  { name: "device", kind: "any", default: undefined },
  { name: "dtype", kind: "any", default: undefined },
];

const FORWARD_SPECS: readonly ArgSpec[] = [
  { name: "keyPaddingMask", kind: "tensor?", default: null },
  { name: "needWeights", kind: "boolean", default: true },
  { name: "attnMask", kind: "tensor?", default: null },
  { name: "averageAttnWeights", kind: "boolean", default: true },
];

function positiveInt(v: unknown, call: string, name: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) {
    throw new TypeError(`${call}: expected ${name} to be a positive integer, got ${describe(v)}`);
  }
  return v;
}

/** PyTorch's xavier_uniform_ / xavier_normal_ (gain 1) for a tensor of `shape`. */
function xavier(shape: number[], kind: "uniform" | "normal", dtype: FloatDType, device: Device | undefined): Tensor {
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  const fanIn = shape[1] * receptive, fanOut = shape[0] * receptive;
  const std = Math.sqrt(2 / (fanIn + fanOut));
  if (kind === "uniform") return uniformInit(shape, Math.sqrt(3) * std, dtype, device);
  return noGrad(() => {
    const t = empty(shape, { dtype: dtype === "float16" ? "float32" : dtype }).normal_(0, std);
    return t.to({ dtype, device });
  });
}

/** `t` with one more entry (zero / false) at the end of its last dim (PyTorch's `pad(t, (0, 1))`). */
function padLast(t: Tensor): Tensor {
  return cat([t, zeros([...t.shape.slice(0, -1), 1], { dtype: t.dtype })], -1);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

/** PyTorch names the output projection's class so; it is an `nn.Linear`. */
class NonDynamicallyQuantizableLinear extends Linear {}

/** @internal Everything `multiHeadAttentionForward` takes, after the positional parsing. */
interface MhaParams {
  E: number;
  H: number;
  kdim: number;
  vdim: number;
  inW: Tensor | null;
  qW: Tensor | null;
  kW: Tensor | null;
  vW: Tensor | null;
  inB: Tensor | null;
  biasK: Tensor | null;
  biasV: Tensor | null;
  addZeroAttn: boolean;
  dropoutP: number;
  outW: Tensor;
  outB: Tensor | null;
  staticK: Tensor | null;
  staticV: Tensor | null;
  kpm: Tensor | null;
  needWeights: boolean;
  attnMask: Tensor | null;
  average: boolean;
}

/** Checks a static key/value `(N * numHeads, S, headDim)`. */
function staticKv(call: string, t: Tensor, name: string, nh: number, hd: number, dtype: string): Tensor {
  if (t.ndim !== 3) {
    throw new RangeError(`${call}: expected ${name} to be 3-D (bsz * num_heads, S, head_dim), got ${t.ndim}-D`);
  }
  if (t.shape[0] !== nh) throw new RangeError(`${call}: expecting ${name}.size(0) of ${nh}, but got ${t.shape[0]}`);
  if (t.shape[2] !== hd) throw new RangeError(`${call}: expecting ${name}.size(2) of ${hd}, but got ${t.shape[2]}`);
  if (t.dtype !== dtype) throw new TypeError(`${call}: expected ${name} of dtype ${dtype}, got ${t.dtype}`);
  return t;
}

/** @internal The computation of PyTorch's `F.multi_head_attention_forward` (batchFirst for the module). */
function mhaImpl(
  call: string,
  query: Tensor,
  key: Tensor,
  value: Tensor,
  batchFirst: boolean,
  P: MhaParams,
): [Tensor, Tensor | null] {
  let kpm = P.kpm;
  let mask = P.attnMask;
  const H = P.H, E = P.E, hd = Math.floor(E / H);
  // PyTorch's _mha_shape_check
  let batched: boolean;
  if (query.ndim === 3) {
    batched = true;
    if (key.ndim !== 3 || value.ndim !== 3) {
      throw new RangeError(
        `${call}: for batched (3-D) query, expected key and value to be 3-D but found ${key.ndim}-D and ` +
          `${value.ndim}-D tensors respectively`,
      );
    }
    if (kpm && kpm.ndim !== 2) {
      throw new RangeError(
        `${call}: for batched (3-D) query, expected key_padding_mask to be null or 2-D but found a ${kpm.ndim}-D tensor`,
      );
    }
  } else if (query.ndim === 2) {
    batched = false;
    if (key.ndim !== 2 || value.ndim !== 2) {
      throw new RangeError(
        `${call}: for unbatched (2-D) query, expected key and value to be 2-D but found ${key.ndim}-D and ` +
          `${value.ndim}-D tensors respectively`,
      );
    }
    if (kpm && kpm.ndim !== 1) {
      throw new RangeError(
        `${call}: for unbatched (2-D) query, expected key_padding_mask to be null or 1-D but found a ${kpm.ndim}-D tensor`,
      );
    }
  } else {
    throw new RangeError(
      `${call}: query should be unbatched 2D or batched 3D tensor but received ${query.ndim}-D query tensor`,
    );
  }
  if (mask && mask.ndim !== 2 && mask.ndim !== 3) {
    throw new RangeError(
      `${call}: expected attn_mask to be null, 2-D or 3-D but found a ${mask.ndim}-D tensor`,
    );
  }
  if (kpm && kpm.dtype !== "bool" && !kpm.isFloatingPoint()) {
    throw new TypeError(`${call}: only bool and floating types of key_padding_mask are supported, got ${kpm.dtype}`);
  }
  if (mask && mask.dtype !== "bool" && mask.dtype !== "uint8" && !mask.isFloatingPoint()) {
    throw new TypeError(`${call}: only float, byte, and bool types are supported for attn_mask, not ${mask.dtype}`);
  }

  let q = query, k = key, v = value;
  if (batchFirst && batched) {
    // keep the identities (self-attention / shared key-value) that select the packed paths
    const kv = k === v, qk = q === k;
    q = transpose(q, 1, 0);
    k = qk ? q : transpose(k, 1, 0);
    v = kv ? k : transpose(v, 1, 0);
  }
  if (!batched) {
    const kv = k === v, qk = q === k;
    q = unsqueeze(q, 1);
    k = qk ? q : unsqueeze(k, 1);
    v = kv ? k : unsqueeze(v, 1);
    if (kpm) kpm = unsqueeze(kpm, 0);
  }
  const [L, N] = q.shape;
  let S = k.shape[0];
  if (q.shape[2] !== E) {
    throw new RangeError(`${call}: was expecting embedding dimension of ${E}, but got ${q.shape[2]}`);
  }
  if (k.shape[2] !== P.kdim || v.shape[2] !== P.vdim) {
    throw new RangeError(
      `${call}: expected key and value with ${P.kdim} and ${P.vdim} features (kdim, vdim), got shapes ` +
        `${fmt(key.shape)} and ${fmt(value.shape)}`,
    );
  }
  if (k.shape[0] !== v.shape[0] || k.shape[1] !== N || v.shape[1] !== N) {
    throw new RangeError(
      `${call}: expected key and value of one sequence length and the query's batch size ${N}, got shapes ` +
        `${fmt(key.shape)} and ${fmt(value.shape)} for query ${fmt(query.shape)}`,
    );
  }
  const wRef = (P.inW ?? P.qW)!;
  if (q.dtype !== wRef.dtype || k.dtype !== wRef.dtype || v.dtype !== wRef.dtype) {
    throw new TypeError(
      `${call}: expected query, key and value of the parameters' dtype ${wRef.dtype}, got ${q.dtype}, ` +
        `${k.dtype} and ${v.dtype}`,
    );
  }
  if (mask) {
    if (mask.dtype === "uint8") mask = compare("ne", mask, 0);
    if (mask.ndim === 2) {
      if (!sameShape(mask.shape, [L, S])) {
        throw new RangeError(
          `${call}: the shape of the 2D attn_mask is ${fmt(mask.shape)}, but should be ${fmt([L, S])}`,
        );
      }
      mask = unsqueeze(mask, 0);
    } else if (!sameShape(mask.shape, [N * H, L, S])) {
      throw new RangeError(
        `${call}: the shape of the 3D attn_mask is ${fmt(mask.shape)}, but should be ${fmt([N * H, L, S])}`,
      );
    }
  }

  // in-projection (PyTorch's _in_projection_packed / _in_projection)
  const b = P.inB;
  const part = (t: Tensor | null, i: number, n = 1) => (t ? narrow(t, 0, i * E, n * E) : null);
  let pq: Tensor, pk: Tensor, pv: Tensor;
  if (P.inW) {
    const w = P.inW;
    if (k === v && q === k) [pq, pk, pv] = chunk(linear(q, w, b), 3, -1);
    else if (k === v) {
      pq = linear(q, part(w, 0)!, part(b, 0));
      [pk, pv] = chunk(linear(k, part(w, 1, 2)!, part(b, 1, 2)), 2, -1);
    } else {
      pq = linear(q, part(w, 0)!, part(b, 0));
      pk = linear(k, part(w, 1)!, part(b, 1));
      pv = linear(v, part(w, 2)!, part(b, 2));
    }
  } else {
    pq = linear(q, P.qW!, part(b, 0));
    pk = linear(k, P.kW!, part(b, 1));
    pv = linear(v, P.vW!, part(b, 2));
  }

  // PyTorch checks the key padding mask against the final source length (static keys'
  // length, plus the bias and zero-attention positions that pad the mask with it)
  const sk = P.staticK ? staticKv(call, P.staticK, "static_k", N * H, hd, wRef.dtype) : null;
  const sv = P.staticV ? staticKv(call, P.staticV, "static_v", N * H, hd, wRef.dtype) : null;
  const S0 = sk ? sk.shape[1] : S;
  if (kpm && !sameShape(kpm.shape, [N, S0])) {
    throw new RangeError(
      `${call}: expected key_padding_mask of shape ${batched ? fmt([N, S0]) : fmt([S0])}, got ${
        fmt(P.kpm ? P.kpm.shape : [])
      }`,
    );
  }
  if (P.biasK && P.biasV) {
    if (P.staticK) throw new RangeError(`${call}: bias cannot be added to static key.`);
    if (P.staticV) throw new RangeError(`${call}: bias cannot be added to static value.`);
    pk = cat([pk, repeat(P.biasK, [1, N, 1])]);
    pv = cat([pv, repeat(P.biasV, [1, N, 1])]);
    if (mask) mask = padLast(mask);
    if (kpm) kpm = padLast(kpm);
  }
  // (L, N, E) -> (N * H, L, headDim)
  pq = transpose(reshape(pq, [L, N * H, hd]), 0, 1);
  pk = sk ?? transpose(reshape(pk, [pk.shape[0], N * H, hd]), 0, 1);
  pv = sv ?? transpose(reshape(pv, [pv.shape[0], N * H, hd]), 0, 1);
  if (pk.shape[1] !== pv.shape[1]) {
    throw new RangeError(
      `${call}: expected keys and values of one source length, got ${pk.shape[1]} and ${pv.shape[1]} ` +
        `(static_k / static_v replace the projected key / value)`,
    );
  }
  if (P.addZeroAttn) {
    pk = cat([pk, zeros([N * H, 1, hd], { dtype: pk.dtype })], 1);
    pv = cat([pv, zeros([N * H, 1, hd], { dtype: pv.dtype })], 1);
    if (mask) mask = padLast(mask);
    if (kpm) kpm = padLast(kpm);
  }
  S = pk.shape[1];

  // merge the key padding mask into the attention mask
  if (kpm) {
    kpm = reshape(expand(reshape(kpm, [N, 1, 1, S]), [N, H, 1, S]), [N * H, 1, S]);
    if (!mask) mask = kpm;
    else if (mask.dtype === "bool") mask = logical("or", mask, kpm.dtype === "bool" ? kpm : compare("ne", kpm, 0));
    else {
      if (kpm.dtype !== "bool") {
        throw new TypeError(
          `${call}: a float key_padding_mask cannot be combined with a float attn_mask (PyTorch's masked_fill ` +
            `needs a bool mask); pass a bool key_padding_mask, or add it to attn_mask yourself`,
        );
      }
      mask = where(kpm, -Infinity, mask);
    }
  }
  if (mask && mask.dtype === "bool") mask = maskedFill(zeros(mask.shape, { dtype: pq.dtype }), mask, -Infinity);
  else if (mask && mask.dtype !== pq.dtype) mask = to(mask, pq.dtype);

  const p = P.dropoutP;
  let w = bmm(div(pq, Math.sqrt(hd)), transpose(pk, 1, 2));
  if (mask) w = add(mask, w);
  w = softmax(w, -1);
  if (p > 0) w = dropoutOp(w, p, true, { call });
  let out = reshape(transpose(bmm(w, pv), 0, 1), [L * N, E]);
  out = reshape(linear(out, P.outW, P.outB), [L, N, E]);

  let weights: Tensor | null = null;
  if (P.needWeights) {
    weights = reshape(w, [N, H, L, S]);
    if (P.average) weights = div(sum(weights, 1), H);
    if (!batched) weights = squeeze(weights, 0);
  }
  if (!batched) out = squeeze(out, 1);
  else if (batchFirst) out = transpose(out, 1, 0);
  return [out, weights];
}

/** Options of `F.multiHeadAttentionForward` (PyTorch's keyword arguments, camelCase). */
export interface MultiHeadAttentionForwardFnOptions extends MultiheadAttentionForwardOptions {
  /** Apply dropout with `dropoutP` (default true, as in PyTorch). */
  training?: boolean;
  /** Project with `qProjWeight`/`kProjWeight`/`vProjWeight` instead of `inProjWeight` (default false). */
  useSeparateProjWeight?: boolean;
  /** `(E, E)` query projection (with `useSeparateProjWeight`). */
  qProjWeight?: Tensor | null;
  /** `(E, kdim)` key projection (with `useSeparateProjWeight`). */
  kProjWeight?: Tensor | null;
  /** `(E, vdim)` value projection (with `useSeparateProjWeight`). */
  vProjWeight?: Tensor | null;
  /** Already projected keys `(N * numHeads, S, headDim)`, used instead of projecting `key`. */
  staticK?: Tensor | null;
  /** Already projected values `(N * numHeads, S, headDim)`, used instead of projecting `value`. */
  staticV?: Tensor | null;
}

const FN_SPECS: readonly ArgSpec[] = [
  { name: "training", kind: "boolean", default: true },
  { name: "keyPaddingMask", kind: "tensor?", default: null },
  { name: "needWeights", kind: "boolean", default: true },
  { name: "attnMask", kind: "tensor?", default: null },
  { name: "useSeparateProjWeight", kind: "boolean", default: false },
  { name: "qProjWeight", kind: "tensor?", default: null },
  { name: "kProjWeight", kind: "tensor?", default: null },
  { name: "vProjWeight", kind: "tensor?", default: null },
  { name: "staticK", kind: "tensor?", default: null },
  { name: "staticV", kind: "tensor?", default: null },
  { name: "averageAttnWeights", kind: "boolean", default: true },
];

function optTensor(v: unknown, call: string, name: string): Tensor | null {
  if (v === null || v === undefined) return null;
  if (!isTensor(v)) throw new TypeError(`${call}: expected ${name} to be a Tensor or null, got ${describe(v)}`);
  v._live(call);
  return v;
}

/**
 * PyTorch 1.13's `F.multi_head_attention_forward`: the computation of `nn.MultiheadAttention`
 * (which calls it) on explicit parameters. `query` `(L, N, E)`, `key` `(S, N, kdim)`, `value`
 * `(S, N, vdim)` or unbatched `(L, E)`, `(S, kdim)`, `(S, vdim)`; returns `[attnOutput, attnWeights]`
 * as `MultiheadAttention.forward` (no `batchFirst` here). `training` defaults to true, as in
 * PyTorch, so pass `{ training: false }` or `dropoutP = 0` for a deterministic result.
 * `staticK` / `staticV` `(N * numHeads, S, headDim)` replace the projected keys / values (no
 * `biasK`/`biasV` then). The rest of PyTorch's keyword arguments go into the options object.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const E = 4, H = 2;
 * const x = randn([3, 1, E]); // (L, N, E)
 * const [out, w] = nn.functional.multiHeadAttentionForward(
 *   x, x, x, E, H, randn([3 * E, E]), null, null, null, false, 0, randn([E, E]), null,
 * );
 * console.log(out.shape, w!.shape); // [3, 1, 4] [1, 3, 3]
 * ```
 */
export function multiHeadAttentionForward(
  query: Tensor,
  key: Tensor,
  value: Tensor,
  embedDimToCheck: number,
  numHeads: number,
  inProjWeight: Tensor | null,
  inProjBias: Tensor | null,
  biasK: Tensor | null,
  biasV: Tensor | null,
  addZeroAttn: boolean,
  dropoutP: number,
  outProjWeight: Tensor,
  outProjBias: Tensor | null,
  opts?: MultiHeadAttentionForwardFnOptions,
): [Tensor, Tensor | null] {
  const call = "multiHeadAttentionForward";
  for (
    const [t, name] of [[query, "query"], [key, "key"], [value, "value"], [outProjWeight, "outProjWeight"]] as const
  ) {
    if (!isTensor(t)) throw new TypeError(`${call}: expected ${name} to be a Tensor, got ${describe(t)}`);
    t._live(call);
  }
  const E = positiveInt(embedDimToCheck, call, "embedDimToCheck");
  const H = positiveInt(numHeads, call, "numHeads");
  if (Math.floor(E / H) * H !== E) throw new RangeError(`${call}: embed_dim ${E} not divisible by num_heads ${H}`);
  if (typeof addZeroAttn !== "boolean") {
    throw new TypeError(`${call}: expected addZeroAttn to be a boolean, got ${describe(addZeroAttn)}`);
  }
  if (typeof dropoutP !== "number" || !(dropoutP >= 0 && dropoutP <= 1)) {
    throw new RangeError(
      `${call}: dropout probability has to be between 0 and 1, but got ${
        typeof dropoutP === "number" ? dropoutP : describe(dropoutP)
      }`,
    );
  }
  const a = parseArgs(call, opts === undefined ? [] : [opts], FN_SPECS);
  const inW = optTensor(inProjWeight, call, "inProjWeight");
  const sep = a.useSeparateProjWeight as boolean;
  const qW = a.qProjWeight as Tensor | null, kW = a.kProjWeight as Tensor | null, vW = a.vProjWeight as Tensor | null;
  if (sep) {
    for (const [t, name] of [[qW, "qProjWeight"], [kW, "kProjWeight"], [vW, "vProjWeight"]] as const) {
      if (!t) throw new TypeError(`${call}: useSeparateProjWeight is true but ${name} is null`);
      if (t.ndim !== 2) throw new RangeError(`${call}: expected ${name} to be 2-D, got shape ${fmt(t.shape)}`);
    }
  } else if (!inW) throw new TypeError(`${call}: expected inProjWeight (or useSeparateProjWeight with q/k/v weights)`);
  // the functional (unlike the module) still takes a uint8 key padding mask, as bool (PyTorch warns)
  let fnKpm = a.keyPaddingMask as Tensor | null;
  if (fnKpm && fnKpm.dtype === "uint8") fnKpm = compare("ne", fnKpm, 0);
  if ((biasK === null) !== (biasV === null)) {
    throw new TypeError(`${call}: expected biasK and biasV both null or both tensors`);
  }
  return mhaImpl(call, query, key, value, false, {
    E,
    H,
    kdim: sep ? kW!.shape[1] : E,
    vdim: sep ? vW!.shape[1] : E,
    inW: sep ? null : inW,
    qW: sep ? qW : null,
    kW: sep ? kW : null,
    vW: sep ? vW : null,
    inB: optTensor(inProjBias, call, "inProjBias"),
    biasK: optTensor(biasK, call, "biasK"),
    biasV: optTensor(biasV, call, "biasV"),
    addZeroAttn,
    dropoutP: a.training ? dropoutP : 0,
    outW: outProjWeight,
    outB: optTensor(outProjBias, call, "outProjBias"),
    staticK: a.staticK as Tensor | null,
    staticV: a.staticV as Tensor | null,
    kpm: fnKpm,
    needWeights: a.needWeights as boolean,
    attnMask: a.attnMask as Tensor | null,
    average: a.averageAttnWeights as boolean,
  });
}

/**
 * Multi-head attention ("Attention Is All You Need"), as PyTorch 1.13's
 * `nn.MultiheadAttention`: queries, keys and values are projected (`in_proj_weight`, or
 * `q_proj_weight`/`k_proj_weight`/`v_proj_weight` when `kdim` or `vdim` differ from
 * `embedDim`), split into `numHeads` heads of `embedDim / numHeads` features, attend with
 * `softmax(q kᵀ / √headDim + mask)`, and the heads' outputs are joined by `out_proj`.
 *
 * Inputs are `(L, N, E)` (`(N, L, E)` with `batchFirst`) or unbatched `(L, E)`; `forward`
 * returns `[attnOutput, attnWeights]`, the weights `(N, L, S)` averaged over the heads,
 * `(N, numHeads, L, S)` with `averageAttnWeights: false`, or null with `needWeights: false`.
 * A row whose every key is masked gives NaN, as in PyTorch. Parameters are initialised as in
 * PyTorch (xavier-uniform projection weights, zero biases, xavier-normal `bias_k`/`bias_v`)
 * and the state-dict keys are PyTorch's.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const mha = new nn.MultiheadAttention(8, 2, { batchFirst: true });
 * const x = randn([3, 5, 8]); // (N, L, E)
 * const [out, weights] = mha.forward(x, x, x);
 * console.log(out.shape, weights!.shape); // [3, 5, 8] [3, 5, 5]
 * console.log(Object.keys(mha.stateDict())); // ["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"]
 * const [, perHead] = mha.forward(x, x, x, { averageAttnWeights: false });
 * console.log(perHead!.shape); // [3, 2, 5, 5]
 * ```
 */
export class MultiheadAttention extends Module {
  /** The model's feature size E (the queries' and the output's last dim). */
  embedDim: number;
  /** The keys' feature size. */
  kdim: number;
  /** The values' feature size. */
  vdim: number;
  /** Number of heads. */
  numHeads: number;
  /** Dropout probability on the attention weights (training only). */
  dropout: number;
  /** Batched tensors are `(N, L, E)`. */
  batchFirst: boolean;
  /** `embedDim / numHeads`. */
  headDim: number;
  /** Whether a zero key and value are appended. */
  addZeroAttn: boolean;
  /** True when `kdim === vdim === embedDim`: one packed `in_proj_weight`. */
  readonly _qkvSameEmbedDim: boolean;
  /** The packed q/k/v projection `(3 * embedDim, embedDim)`, or null when kdim/vdim differ. */
  declare in_proj_weight: Parameter | null;
  /** The query projection `(embedDim, embedDim)` when kdim/vdim differ, else null. */
  declare q_proj_weight: Parameter | null;
  /** The key projection `(embedDim, kdim)` when kdim/vdim differ, else null. */
  declare k_proj_weight: Parameter | null;
  /** The value projection `(embedDim, vdim)` when kdim/vdim differ, else null. */
  declare v_proj_weight: Parameter | null;
  /** The packed q/k/v projection bias `(3 * embedDim)`, or null with `{ bias: false }`. */
  declare in_proj_bias: Parameter | null;
  /** The output projection (PyTorch's `NonDynamicallyQuantizableLinear`, an `nn.Linear`). */
  declare out_proj: Linear;
  /** The key bias `(1, 1, embedDim)` appended to the keys with `addBiasKv`, else null. */
  declare bias_k: Parameter | null;
  /** The value bias `(1, 1, embedDim)` appended to the values with `addBiasKv`, else null. */
  declare bias_v: Parameter | null;

  /**
   * PyTorch's positional order is accepted too:
   * `new nn.MultiheadAttention(embedDim, numHeads, dropout, bias, addBiasKv, addZeroAttn, kdim, vdim, batchFirst)`.
   */
  constructor(embedDim: number, numHeads: number, opts?: MultiheadAttentionOptions);
  /** PyTorch's positional order, optionally followed by an options object for the rest. */
  constructor(embedDim: number, numHeads: number, ...positional: unknown[]);
  constructor(embedDim: number, numHeads: number, ...rest: unknown[]) {
    super();
    const call = "MultiheadAttention";
    const E = positiveInt(embedDim, call, "embedDim");
    const H = positiveInt(numHeads, call, "numHeads");
    const a = parseArgs(call, rest, CTOR_SPECS);
    // in_proj_weight (3E, E), or q/k/v_proj_weight (E, E|kdim|vdim)
    for (const [rows, d, name] of [[3 * E, E, "embedDim"], [E, a.kdim, "kdim"], [E, a.vdim, "vdim"]] as const) {
      if (typeof d === "number" && rows * d > 0x7fffffff) {
        throw new RangeError(`${call}: a projection of ${rows} x ${d} (${name}) exceeds the 2^31-1 elements supported`);
      }
    }
    const dtype = checkFactory({ dtype: a.dtype, device: a.device }, call);
    const device = a.device as Device | undefined;
    const p = a.dropout as number;
    if (!(p >= 0 && p <= 1)) {
      throw new RangeError(`${call}: dropout probability has to be between 0 and 1, but got ${p}`);
    }
    this.embedDim = E;
    this.kdim = a.kdim === null ? E : positiveInt(a.kdim, call, "kdim");
    this.vdim = a.vdim === null ? E : positiveInt(a.vdim, call, "vdim");
    this._qkvSameEmbedDim = this.kdim === E && this.vdim === E;
    this.numHeads = H;
    this.dropout = p;
    this.batchFirst = a.batchFirst as boolean;
    this.headDim = Math.floor(E / H);
    if (this.headDim * H !== E) {
      throw new RangeError(`${call}: embed_dim must be divisible by num_heads, got embedDim ${E} and numHeads ${H}`);
    }
    if (!this._qkvSameEmbedDim) {
      this.q_proj_weight = new Parameter(xavier([E, E], "uniform", dtype, device));
      this.k_proj_weight = new Parameter(xavier([E, this.kdim], "uniform", dtype, device));
      this.v_proj_weight = new Parameter(xavier([E, this.vdim], "uniform", dtype, device));
      this.registerParameter("in_proj_weight", null);
    } else {
      this.in_proj_weight = new Parameter(xavier([3 * E, E], "uniform", dtype, device));
      this.registerParameter("q_proj_weight", null);
      this.registerParameter("k_proj_weight", null);
      this.registerParameter("v_proj_weight", null);
    }
    const bias = a.bias as boolean;
    if (bias) this.in_proj_bias = new Parameter(zeros([3 * E], { dtype, device }));
    else this.registerParameter("in_proj_bias", null);
    this.out_proj = new NonDynamicallyQuantizableLinear(E, E, { bias, dtype, device });
    if (bias) noGrad(() => this.out_proj.bias!.zero_());
    if (a.addBiasKv) {
      this.bias_k = new Parameter(xavier([1, 1, E], "normal", dtype, device));
      this.bias_v = new Parameter(xavier([1, 1, E], "normal", dtype, device));
    } else {
      this.bias_k = null;
      this.bias_v = null;
    }
    this.addZeroAttn = a.addZeroAttn as boolean;
  }

  /**
   * Attends `query` `(L, N, E)` to `key` `(S, N, kdim)` / `value` `(S, N, vdim)` (`(N, L, E)`
   * etc. with `batchFirst`; `(L, E)`, `(S, kdim)`, `(S, vdim)` unbatched). Returns
   * `[attnOutput, attnWeights]`: the output `(L, N, E)` (`(N, L, E)` with `batchFirst`,
   * `(L, E)` unbatched) and the weights (see the class) or null. PyTorch's positional order
   * is accepted too: `forward(q, k, v, keyPaddingMask, needWeights, attnMask, averageAttnWeights)`.
   */
  override forward(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    opts?: MultiheadAttentionForwardOptions,
  ): [Tensor, Tensor | null];
  /** PyTorch's positional order: `keyPaddingMask, needWeights, attnMask, averageAttnWeights`. */
  override forward(query: Tensor, key: Tensor, value: Tensor, ...positional: unknown[]): [Tensor, Tensor | null];
  override forward(query: Tensor, key: Tensor, value: Tensor, ...rest: unknown[]): [Tensor, Tensor | null] {
    const call = "MultiheadAttention.forward";
    for (const [t, name] of [[query, "query"], [key, "key"], [value, "value"]] as const) {
      if (!isTensor(t)) throw new TypeError(`${call}: expected ${name} to be a Tensor, got ${describe(t)}`);
      t._live(call);
    }
    const a = parseArgs(call, rest, FORWARD_SPECS);
    return mhaImpl(call, query, key, value, this.batchFirst, {
      E: this.embedDim,
      H: this.numHeads,
      kdim: this.kdim,
      vdim: this.vdim,
      inW: this.in_proj_weight,
      qW: this.q_proj_weight,
      kW: this.k_proj_weight,
      vW: this.v_proj_weight,
      inB: this.in_proj_bias,
      biasK: this.bias_k,
      biasV: this.bias_v,
      addZeroAttn: this.addZeroAttn,
      dropoutP: this.training ? this.dropout : 0,
      outW: this.out_proj.weight,
      outB: this.out_proj.bias,
      staticK: null,
      staticV: null,
      kpm: a.keyPaddingMask as Tensor | null,
      needWeights: a.needWeights as boolean,
      attnMask: a.attnMask as Tensor | null,
      average: a.averageAttnWeights as boolean,
    });
  }
}
