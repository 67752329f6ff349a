/**
 * `nn.utils.rnn`: packed sequences for the recurrent layers: `PackedSequence`,
 * `packPaddedSequence`, `padPackedSequence`, `padSequence` and `packSequence`, with PyTorch's
 * semantics (time-major packed rows, `batchSizes` per step, optional sorting permutations).
 *
 * Packing and unpacking are one `indexSelect` each, so gradients flow through both.
 *
 * @module
 */

import { cat, full, isTensor, stack, type Tensor, tensor } from "../../tensor/mod.ts";
import { describe, fmt } from "../../tensor/shape.ts";

/** Options of `packPaddedSequence`. */
export interface PackPaddedOptions {
  /** Input is [B, T, *] instead of [T, B, *]. Default false. */
  batchFirst?: boolean;
  /** Require lengths sorted in decreasing order (else they are sorted here). Default true. */
  enforceSorted?: boolean;
}

/** Options of `padPackedSequence`. */
export interface PadPackedOptions {
  /** Return [B, T, *] instead of [T, B, *]. Default false. */
  batchFirst?: boolean;
  /** The value of padded positions. Default 0. */
  paddingValue?: number;
  /** Pad to this many steps (at least the longest sequence). */
  totalLength?: number;
}

function int64(values: readonly number[]): Tensor {
  return tensor(BigInt64Array.from(values, (v) => BigInt(v)), { shape: [values.length] });
}

function toNumbers(t: Tensor): number[] {
  return Array.from(t.toArray() as ArrayLike<number | bigint>, (v) => Number(v));
}

function checkBool(v: unknown, call: string, name: string, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== "boolean") throw new TypeError(`${call}: expected ${name} to be a boolean, got ${describe(v)}`);
  return v;
}

function checkIndexTensor(v: unknown, call: string, name: string): Tensor | null {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return int64(v as number[]);
  if (!isTensor(v)) throw new TypeError(`${call}: expected ${name} to be an int64 Tensor or null, got ${describe(v)}`);
  return v.dtype === "int64" ? v : v.to("int64");
}

/**
 * A batch of variable-length sequences packed time-major: step t holds `batchSizes[t]` rows of
 * `data`, one per sequence still running (sequences sorted by decreasing length). When the batch
 * was sorted, `sortedIndices[i]` is the original position of sorted row i and `unsortedIndices`
 * its inverse. Every recurrent module accepts one and returns one.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../../mod.ts";
 * const packed = nn.utils.rnn.packPaddedSequence(randn([5, 3, 2]), [5, 3, 2]);
 * console.log(packed.data.shape, packed.batchSizes.tolist()); // [10, 2] [3, 3, 2, 1, 1]
 * ```
 */
export class PackedSequence {
  /** The packed rows [N, *]. */
  readonly data: Tensor;
  /** Rows per time step (int64, 1-d, non-increasing). */
  readonly batchSizes: Tensor;
  /** Original batch position of each sorted row, or null when the batch was already sorted. */
  readonly sortedIndices: Tensor | null;
  /** The inverse permutation of `sortedIndices`, or null. */
  readonly unsortedIndices: Tensor | null;
  /** @internal cached batch sizes as numbers */
  readonly _sizes: readonly number[];

  /** Wraps already packed `data` and its `batchSizes` (validated); usually made by `packPaddedSequence`. */
  constructor(
    data: Tensor,
    batchSizes: Tensor | readonly number[],
    sortedIndices: Tensor | null = null,
    unsortedIndices: Tensor | null = null,
  ) {
    const call = "PackedSequence";
    if (!isTensor(data)) throw new TypeError(`${call}: expected data to be a Tensor, got ${describe(data)}`);
    let sizes: number[];
    if (Array.isArray(batchSizes)) sizes = [...batchSizes];
    else if (isTensor(batchSizes)) sizes = toNumbers(batchSizes);
    else throw new TypeError(`${call}: expected batchSizes to be a Tensor or number[], got ${describe(batchSizes)}`);
    let total = 0;
    for (let t = 0; t < sizes.length; t++) {
      const b = sizes[t];
      if (!Number.isInteger(b) || b <= 0 || (t > 0 && b > sizes[t - 1])) {
        throw new RangeError(`${call}: batchSizes must be positive and non-increasing, got ${fmt(sizes)}`);
      }
      total += b;
    }
    if (data.ndim < 1 || data.shape[0] !== total) {
      throw new RangeError(
        `${call}: data has ${data.ndim ? data.shape[0] : 0} rows but batchSizes ${fmt(sizes)} sum to ${total}`,
      );
    }
    this.data = data;
    this.batchSizes = isTensor(batchSizes) && batchSizes.dtype === "int64" ? batchSizes : int64(sizes);
    this._sizes = sizes;
    const sorted = checkIndexTensor(sortedIndices, call, "sortedIndices");
    let unsorted = checkIndexTensor(unsortedIndices, call, "unsortedIndices");
    const B = sizes.length ? sizes[0] : 0;
    if (sorted !== null) {
      const s = toNumbers(sorted);
      if (s.length !== B || new Set(s).size !== B || s.some((v) => !(v >= 0 && v < B))) {
        throw new RangeError(`${call}: sortedIndices must be a permutation of 0..${B - 1}, got ${fmt(s)}`);
      }
      if (unsorted === null) {
        const inv = new Array<number>(B);
        s.forEach((v, i) => (inv[v] = i));
        unsorted = int64(inv);
      }
    }
    this.sortedIndices = sorted;
    this.unsortedIndices = unsorted;
  }

  /** The packed sequence with `data` converted (dtype or device); indices are kept. */
  to(target: Parameters<Tensor["to"]>[0]): PackedSequence {
    const d = this.data.to(target);
    return d === this.data ? this : new PackedSequence(d, this.batchSizes, this.sortedIndices, this.unsortedIndices);
  }

  /** Whether the batch was sorted by this package (PyTorch's `is_sorted`-style helper). */
  get isSorted(): boolean {
    return this.sortedIndices === null;
  }
}

/**
 * True for a PackedSequence (also across module copies).
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../../mod.ts";
 * const packed = nn.utils.rnn.packPaddedSequence(randn([3, 2, 4]), [3, 1]);
 * console.log(nn.utils.rnn.isPackedSequence(packed), nn.utils.rnn.isPackedSequence(randn([2]))); // true false
 * ```
 */
export function isPackedSequence(x: unknown): x is PackedSequence {
  return x instanceof PackedSequence ||
    (x !== null && typeof x === "object" && "data" in x && "batchSizes" in x && "_sizes" in x);
}

function lengthsOf(lengths: unknown, call: string): number[] {
  let out: number[];
  if (isTensor(lengths)) {
    if (lengths.ndim !== 1) {
      throw new RangeError(`${call}: expected lengths to be a 1-d tensor, got shape ${fmt(lengths.shape)}`);
    }
    out = toNumbers(lengths);
  } else if (Array.isArray(lengths)) out = lengths.map((v) => (typeof v === "bigint" ? Number(v) : v));
  else throw new TypeError(`${call}: expected lengths to be a number[] or an int64 Tensor, got ${describe(lengths)}`);
  for (const v of out) {
    if (typeof v !== "number" || !Number.isInteger(v)) {
      throw new TypeError(`${call}: expected lengths to hold integers, got ${describe(v)}`);
    }
  }
  return out;
}

/**
 * Packs a padded batch of variable-length sequences (`[T, B, *]`, or `[B, T, *]` with
 * `batchFirst`) given each sequence's length. With `enforceSorted` (the default) the lengths must
 * be sorted in decreasing order; pass `enforceSorted: false` to have them sorted here (the
 * permutation is kept in the result and undone by `padPackedSequence` and the RNN modules).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../../mod.ts";
 * const x = tensor([[4, 5, 0], [1, 2, 3]]); // [B=2, T=3]: lengths 2 and 3
 * const p = nn.utils.rnn.packPaddedSequence(x, [2, 3], { batchFirst: true, enforceSorted: false });
 * console.log(p.data.tolist(), p.batchSizes.tolist()); // [1, 4, 2, 5, 3] [2, 2, 1]
 * ```
 */
export function packPaddedSequence(
  input: Tensor,
  lengths: readonly number[] | Tensor,
  opts: PackPaddedOptions = {},
): PackedSequence {
  const call = "packPaddedSequence";
  if (!isTensor(input)) throw new TypeError(`${call}: expected input to be a Tensor, got ${describe(input)}`);
  const batchFirst = checkBool(opts.batchFirst, call, "batchFirst", false);
  const enforceSorted = checkBool(opts.enforceSorted, call, "enforceSorted", true);
  if (input.ndim < 2) {
    throw new RangeError(`${call}: expected input with at least 2 dimensions (T, B, *), got shape ${fmt(input.shape)}`);
  }
  const lens = lengthsOf(lengths, call);
  const B = input.shape[batchFirst ? 0 : 1], T = input.shape[batchFirst ? 1 : 0];
  if (lens.length !== B) {
    throw new RangeError(
      `${call}: Expected \`len(lengths)\` to be equal to batch_size, but got ${lens.length} (batch_size=${B})`,
    );
  }
  if (input.numel() === 0) throw new RangeError(`${call}: Cannot pack empty tensors (input shape ${fmt(input.shape)})`);
  let order = lens.map((_, i) => i);
  if (!enforceSorted) order = order.sort((a, b) => lens[b] - lens[a]); // stable, like torch.sort here
  const sortedLens = order.map((i) => lens[i]);
  if (sortedLens[B - 1] <= 0) {
    throw new RangeError(
      `${call}: Length of all samples has to be greater than 0, but found an element in 'lengths' that is <= 0`,
    );
  }
  for (let i = 1; i < B; i++) {
    if (sortedLens[i] > sortedLens[i - 1]) {
      throw new RangeError(
        `${call}: \`lengths\` array must be sorted in decreasing order when \`enforceSorted\` is true. You can pass ` +
          "`enforceSorted: false` to packPaddedSequence and/or packSequence to sidestep this requirement if you do " +
          "not need ONNX exportability.",
      );
    }
  }
  if (sortedLens[0] > T) {
    throw new RangeError(
      `${call}: found a length of ${sortedLens[0]} in 'lengths', longer than the input's ${T} time steps ` +
        `(input shape ${fmt(input.shape)}, batchFirst ${batchFirst})`,
    );
  }
  const batchSizes: number[] = [];
  const idx: number[] = [];
  for (let t = 0; t < sortedLens[0]; t++) {
    let bs = 0;
    while (bs < B && sortedLens[bs] > t) {
      idx.push(batchFirst ? order[bs] * T + t : t * B + order[bs]);
      bs++;
    }
    batchSizes.push(bs);
  }
  const rest = input.shape.slice(2);
  const flat = input.reshape([T * B, ...rest]);
  const data = flat.indexSelect(0, int64(idx));
  const sorted = enforceSorted ? null : int64(order);
  return new PackedSequence(data, batchSizes, sorted, null);
}

/**
 * Unpacks a PackedSequence into a padded tensor `[T, B, *]` (or `[B, T, *]` with `batchFirst`),
 * in the batch's original order, and returns it with the lengths (int64).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../../mod.ts";
 * const p = nn.utils.rnn.packPaddedSequence(tensor([[1, 2], [3, 0]]), [2, 1]);
 * const [padded, lengths] = nn.utils.rnn.padPackedSequence(p, { paddingValue: -1 });
 * console.log(padded.tolist(), lengths.tolist()); // [[1, 2], [3, -1]] [2, 1]
 * ```
 */
export function padPackedSequence(sequence: PackedSequence, opts: PadPackedOptions = {}): [Tensor, Tensor] {
  const call = "padPackedSequence";
  if (!isPackedSequence(sequence)) {
    throw new TypeError(`${call}: expected a PackedSequence, got ${describe(sequence)}`);
  }
  const batchFirst = checkBool(opts.batchFirst, call, "batchFirst", false);
  const paddingValue = opts.paddingValue ?? 0;
  if (typeof paddingValue !== "number") {
    throw new TypeError(`${call}: expected paddingValue to be a number, got ${describe(paddingValue)}`);
  }
  const sizes = sequence._sizes;
  const T = sizes.length, B = T ? sizes[0] : 0;
  let Tout = T;
  if (opts.totalLength !== undefined && opts.totalLength !== null) {
    const tl = opts.totalLength;
    if (typeof tl !== "number" || !Number.isInteger(tl)) {
      throw new TypeError(`${call}: expected totalLength to be an integer, got ${describe(tl)}`);
    }
    if (tl < T) {
      throw new RangeError(
        `${call}: Expected totalLength to be at least the length of the longest sequence in input, but got ` +
          `totalLength=${tl} and max sequence length being ${T}`,
      );
    }
    Tout = tl;
  }
  const data = sequence.data;
  const N = data.shape[0];
  const rest = data.shape.slice(1);
  // sorted row b has length lenSorted[b]; original position j sits at sorted row unsorted[j]
  const lenSorted = new Array<number>(B).fill(0);
  const offs: number[] = [];
  for (let t = 0, o = 0; t < T; t++) {
    offs.push(o);
    o += sizes[t];
    for (let b = 0; b < sizes[t]; b++) lenSorted[b]++;
  }
  const unsorted = sequence.unsortedIndices ? toNumbers(sequence.unsortedIndices) : lenSorted.map((_, i) => i);
  const idx: number[] = [];
  const outer = batchFirst ? B : Tout, inner = batchFirst ? Tout : B;
  for (let a = 0; a < outer; a++) {
    for (let c = 0; c < inner; c++) {
      const t = batchFirst ? c : a, j = batchFirst ? a : c;
      const b = unsorted[j];
      idx.push(t < lenSorted[b] ? offs[t] + b : N);
    }
  }
  const pad = full([1, ...rest], paddingValue, { dtype: data.dtype });
  const src = cat([data, pad], 0);
  const padded = src.indexSelect(0, int64(idx)).reshape([outer, inner, ...rest]);
  return [padded, int64(unsorted.map((b) => lenSorted[b]))];
}

/**
 * Pads a list of sequences `[L_i, *]` to the longest: `[T, B, *]` (or `[B, T, *]` with `batchFirst`).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../../mod.ts";
 * const p = nn.utils.rnn.padSequence([tensor([1, 2, 3]), tensor([4])], { batchFirst: true });
 * console.log(p.tolist()); // [[1, 2, 3], [4, 0, 0]]
 * ```
 */
export function padSequence(
  sequences: readonly Tensor[],
  opts: { batchFirst?: boolean; paddingValue?: number } = {},
): Tensor {
  const call = "padSequence";
  if (!Array.isArray(sequences) || sequences.length === 0) {
    throw new TypeError(`${call}: expected a non-empty array of tensors, got ${describe(sequences)}`);
  }
  const batchFirst = checkBool(opts.batchFirst, call, "batchFirst", false);
  const paddingValue = opts.paddingValue ?? 0;
  sequences.forEach((s, i) => {
    if (!isTensor(s)) throw new TypeError(`${call}: expected sequences[${i}] to be a Tensor, got ${describe(s)}`);
    if (s.ndim < 1) throw new RangeError(`${call}: sequences[${i}] must have at least 1 dimension, got a scalar`);
  });
  const rest = sequences[0].shape.slice(1);
  for (const s of sequences) {
    if (s.ndim !== rest.length + 1 || s.shape.slice(1).some((d: number, k: number) => d !== rest[k])) {
      throw new RangeError(
        `${call}: trailing dimensions must match: ${fmt(sequences[0].shape)} and ${fmt(s.shape)}`,
      );
    }
  }
  const maxLen = Math.max(...sequences.map((s) => s.shape[0]));
  const padded = sequences.map((s) =>
    s.shape[0] === maxLen ? s : cat([s, full([maxLen - s.shape[0], ...rest], paddingValue, { dtype: s.dtype })], 0)
  );
  return stack(padded, batchFirst ? 0 : 1);
}

/**
 * Packs a list of sequences `[L_i, *]` (sorted by decreasing length unless `enforceSorted: false`).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../../mod.ts";
 * const p = nn.utils.rnn.packSequence([tensor([4]), tensor([1, 2, 3])], { enforceSorted: false });
 * console.log(p.data.tolist(), p.batchSizes.tolist()); // [1, 4, 2, 3] [2, 1, 1]
 * ```
 */
export function packSequence(sequences: readonly Tensor[], opts: { enforceSorted?: boolean } = {}): PackedSequence {
  const padded = padSequence(sequences);
  return packPaddedSequence(padded, sequences.map((s) => s.shape[0]), { enforceSorted: opts.enforceSorted });
}
