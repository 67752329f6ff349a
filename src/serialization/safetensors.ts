/**
 * Reading and writing state dicts in the safetensors format
 * (https://huggingface.co/docs/safetensors): an 8-byte little-endian header length, a JSON
 * header `{"name": {"dtype", "shape", "data_offsets"}, "__metadata__": {...}}` padded with
 * spaces to a multiple of 8 bytes, then the tensors' bytes back to back.
 *
 * `serialize` writes what the reference implementation writes (tensors ordered by dtype, then
 * by name; the same header text and padding), so its output is deterministic. `deserialize`
 * checks every header field and the byte layout before it copies anything, and names the
 * problem and the values in its errors.
 *
 * @module
 */

import type { DType } from "../backend/dtype.ts";
import { DTYPES } from "../backend/dtype.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { describe, fmt, numelOf } from "../tensor/shape.ts";
import { empty } from "../tensor/ops/util.ts";

/** The largest header accepted, as in the reference implementation (100 MB). */
export const MAX_HEADER_SIZE = 100_000_000;

/** Options of `serialize` and `save`. */
export interface SafetensorsOptions {
  /** String-to-string metadata stored under `__metadata__` (e.g. `{ format: "pt" }`). */
  metadata?: Record<string, string>;
}

/** The safetensors dtypes denotorch writes, with their order rank in the reference writer. */
const WRITE: Partial<Record<DType, { name: string; rank: number }>> = {
  int64: { name: "I64", rank: 9 },
  float64: { name: "F64", rank: 8 },
  float32: { name: "F32", rank: 7 },
  int32: { name: "I32", rank: 6 },
  float16: { name: "F16", rank: 4 },
  uint8: { name: "U8", rank: 1 },
  bool: { name: "BOOL", rank: 0 },
};

/** The safetensors dtypes denotorch reads: the denotorch dtype and the stored element size. */
const READ: Record<string, { dtype: DType; size: number }> = {
  F64: { dtype: "float64", size: 8 },
  F32: { dtype: "float32", size: 4 },
  F16: { dtype: "float16", size: 2 },
  BF16: { dtype: "float32", size: 2 }, // widened to float32 on load
  I64: { dtype: "int64", size: 8 },
  I32: { dtype: "int32", size: 4 },
  U8: { dtype: "uint8", size: 1 },
  BOOL: { dtype: "bool", size: 1 },
};

/** Dtypes of the format that denotorch has no tensor type for. */
const UNSUPPORTED = new Set([
  "I8",
  "I16",
  "U16",
  "U32",
  "U64",
  "C64",
  "F4",
  "F6_E2M3",
  "F6_E3M2",
  "F8_E5M2",
  "F8_E4M3",
  "F8_E8M0",
]);

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function checkHost(call: string): void {
  if (!LITTLE_ENDIAN) throw new Error(`${call}: safetensors needs a little-endian host`);
}

/** Compares strings by Unicode code point (the byte order of their UTF-8), as Rust does. */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!, y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

function isTensor(x: unknown): x is Tensor {
  return x !== null && typeof x === "object" && (x as { _isTensor?: boolean })._isTensor === true;
}

/** Copies a tensor's elements, in row-major order, into `out` at byte `at`. */
function writeTensor(t: Tensor, out: Uint8Array, at: number): void {
  const c = t.device === "cpu" && t.isContiguous() ? t : t.cpu().contiguous();
  const size = DTYPES[c.dtype].itemsize;
  out.set(c._storage.bytes!.subarray(c._offset * size, (c._offset + c.numel()) * size), at);
  if (c !== t) c.dispose();
}

/**
 * Encodes tensors (a state dict) as safetensors bytes. The output is a pure function of the
 * names, dtypes, shapes, values and metadata: tensors are laid out by dtype (largest first,
 * the reference writer's order) then by name, metadata keys are sorted.
 *
 * @example
 * ```ts
 * import { deserialize, serialize, tensor } from "../../mod.ts";
 * const bytes = serialize({ w: tensor([[1, 2], [3, 4]]), step: tensor(new BigInt64Array([7n])) });
 * const back = deserialize(bytes);
 * console.log(back.w.tolist(), back.step.dtype); // [[1, 2], [3, 4]] int64
 * ```
 */
export function serialize(
  record: Record<string, Tensor> | Map<string, Tensor>,
  opts: SafetensorsOptions = {},
): Uint8Array {
  return encode(record, opts, "serialize");
}

function encode(record: unknown, opts: SafetensorsOptions, call: string): Uint8Array {
  checkHost(call);
  if (record === null || typeof record !== "object" || Array.isArray(record) || isTensor(record)) {
    throw new TypeError(`${call}: expected a record or Map of tensors, got ${describe(record)}`);
  }
  if (opts === null || typeof opts !== "object") {
    throw new TypeError(`${call}: expected an options object, got ${describe(opts)}`);
  }
  const entries = record instanceof Map ? [...record.entries()] : Object.entries(record);
  const items: { name: string; tensor: Tensor; code: string; rank: number }[] = [];
  for (const [name, t] of entries) {
    if (typeof name !== "string") throw new TypeError(`${call}: expected string keys, got ${describe(name)}`);
    if (name === "__metadata__") {
      throw new RangeError(`${call}: "__metadata__" is reserved for metadata and cannot name a tensor`);
    }
    if (!isTensor(t)) {
      throw new TypeError(`${call}: expected the value of "${name}" to be a Tensor, got ${describe(t)}`);
    }
    t._live(call);
    const w = WRITE[t.dtype];
    if (w === undefined) {
      throw new TypeError(`${call}: tensor "${name}" has dtype ${t.dtype}, which safetensors can't store`);
    }
    items.push({ name, tensor: t, code: w.name, rank: w.rank });
  }
  items.sort((a, b) => b.rank - a.rank || compareCodePoints(a.name, b.name));

  let header = "{";
  const meta = opts.metadata;
  if (meta !== undefined) {
    if (meta === null || typeof meta !== "object" || Array.isArray(meta)) {
      throw new TypeError(`${call}: expected metadata to be a record of strings, got ${describe(meta)}`);
    }
    const keys = Object.keys(meta).sort(compareCodePoints);
    for (const k of keys) {
      if (typeof meta[k] !== "string") {
        throw new TypeError(`${call}: expected metadata values to be strings, got ${describe(meta[k])} for "${k}"`);
      }
    }
    header += `"__metadata__":{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(meta[k])}`).join(",")}}`;
    if (items.length) header += ",";
  }
  const starts: number[] = [];
  let offset = 0;
  items.forEach((it, i) => {
    starts.push(offset);
    const end = offset + it.tensor.numel() * DTYPES[it.tensor.dtype].itemsize;
    header += `${i ? "," : ""}${JSON.stringify(it.name)}:{"dtype":"${it.code}","shape":[${
      it.tensor.shape.join(",")
    }],"data_offsets":[${offset},${end}]}`;
    offset = end;
  });
  header += "}";
  const text = new TextEncoder().encode(header);
  const n = Math.ceil(text.byteLength / 8) * 8;
  const out = new Uint8Array(8 + n + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  out.set(text, 8);
  out.fill(0x20, 8 + text.byteLength, 8 + n);
  items.forEach((it, i) => writeTensor(it.tensor, out, 8 + n + starts[i]));
  return out;
}

/** One tensor's entry in a parsed header. */
interface Entry {
  name: string;
  code: string;
  shape: number[];
  begin: number;
  end: number;
}

/** Parsed, validated header: the entries in data order, the metadata, and where the data starts. */
interface Header {
  entries: Entry[];
  metadata: Record<string, string> | null;
  dataStart: number;
}

/**
 * Finds a repeated key in any object of valid JSON text (JSON.parse keeps the last one
 * silently). Keys are compared after unescaping, so `"a"` and `"\u0061"` collide.
 */
function findDuplicateKey(text: string): string | null {
  const stack: { keys: Set<string> | null; expectKey: boolean }[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x7b) stack.push({ keys: new Set(), expectKey: true }); // {
    else if (ch === 0x5b) stack.push({ keys: null, expectKey: false }); // [
    else if (ch === 0x7d || ch === 0x5d) stack.pop(); // } ]
    else if (ch === 0x2c) { // ,
      const top = stack[stack.length - 1];
      if (top?.keys) top.expectKey = true;
    } else if (ch === 0x22) { // "
      let j = i + 1;
      let escaped = false;
      while (j < text.length) {
        const c = text.charCodeAt(j);
        if (c === 0x5c) {
          escaped = true;
          j += 2;
          continue;
        }
        if (c === 0x22) break;
        j++;
      }
      const top = stack[stack.length - 1];
      if (top?.keys && top.expectKey) {
        const raw = text.slice(i + 1, j);
        const key = escaped ? JSON.parse(text.slice(i, j + 1)) as string : raw;
        if (top.keys.has(key)) return key;
        top.keys.add(key);
        top.expectKey = false;
      }
      i = j;
    }
  }
  return null;
}

function isNonNegInt(x: unknown): x is number {
  return typeof x === "number" && Number.isSafeInteger(x) && x >= 0;
}

function parseHeader(bytes: Uint8Array, call: string): Header {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`${call}: expected the file's bytes as a Uint8Array, got ${describe(bytes)}`);
  }
  if (bytes.byteLength < 8) {
    throw new RangeError(`${call}: the data is ${bytes.byteLength} bytes long, too short for the 8-byte header length`);
  }
  const n64 = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER_SIZE)) {
    throw new RangeError(`${call}: the header length ${n64} exceeds the limit of ${MAX_HEADER_SIZE} bytes`);
  }
  const n = Number(n64);
  if (8 + n > bytes.byteLength) {
    throw new RangeError(
      `${call}: the header length ${n} runs past the end of the data (${bytes.byteLength} bytes, header ends at byte ${
        8 + n
      })`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    throw new TypeError(`${call}: the header is not valid UTF-8`);
  }
  if (text[0] !== "{") {
    throw new TypeError(
      `${call}: the header must be a JSON object starting with "{", got ${JSON.stringify(text.slice(0, 20))}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new TypeError(`${call}: the header is not valid JSON: ${(e as Error).message}`);
  }
  const dup = findDuplicateKey(text);
  if (dup !== null) throw new TypeError(`${call}: the header has the key ${JSON.stringify(dup)} more than once`);
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new TypeError(`${call}: the header must be a JSON object, got ${describe(json)}`);
  }

  let metadata: Record<string, string> | null = null;
  const entries: Entry[] = [];
  for (const [name, info] of Object.entries(json as Record<string, unknown>)) {
    const what = `tensor ${JSON.stringify(name)}`;
    if (name === "__metadata__") {
      if (info === null || typeof info !== "object" || Array.isArray(info)) {
        throw new TypeError(`${call}: __metadata__ must be an object of strings, got ${describe(info)}`);
      }
      for (const [k, v] of Object.entries(info)) {
        if (typeof v !== "string") {
          throw new TypeError(
            `${call}: __metadata__ values must be strings, got ${describe(v)} for ${JSON.stringify(k)}`,
          );
        }
      }
      metadata = info as Record<string, string>;
      continue;
    }
    if (info === null || typeof info !== "object" || Array.isArray(info)) {
      throw new TypeError(`${call}: ${what}: expected {dtype, shape, data_offsets}, got ${describe(info)}`);
    }
    const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
    if (typeof dtype !== "string") {
      throw new TypeError(`${call}: ${what}: expected dtype to be a string, got ${describe(dtype)}`);
    }
    if (!Object.hasOwn(READ, dtype)) {
      if (UNSUPPORTED.has(dtype)) {
        throw new TypeError(
          `${call}: ${what} has dtype ${dtype}, which denotorch does not support (supported: ${
            Object.keys(READ).join(", ")
          })`,
        );
      }
      throw new TypeError(`${call}: ${what} has an unknown dtype ${JSON.stringify(dtype)}`);
    }
    if (!Array.isArray(shape) || !shape.every(isNonNegInt)) {
      throw new TypeError(
        `${call}: ${what}: expected shape to be an array of non-negative integers, got ${describe(shape)}`,
      );
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegInt) || offsets[0] > offsets[1]) {
      throw new TypeError(
        `${call}: ${what}: expected data_offsets to be [begin, end] with 0 <= begin <= end, got ${describe(offsets)}`,
      );
    }
    const numel = numelOf(shape);
    const need = numel * READ[dtype].size;
    if (numel > 0x7fffffff) {
      throw new RangeError(`${call}: ${what}: shape ${fmt(shape)} has ${numel} elements; at most 2^31-1 are supported`);
    }
    if (offsets[1] - offsets[0] !== need) {
      throw new RangeError(
        `${call}: ${what} of dtype ${dtype} and shape ${fmt(shape)} needs ${need} bytes, but its data_offsets [${
          offsets[0]
        }, ${offsets[1]}] span ${offsets[1] - offsets[0]}`,
      );
    }
    entries.push({ name, code: dtype, shape, begin: offsets[0], end: offsets[1] });
  }

  const dataStart = 8 + n;
  const dataLength = bytes.byteLength - dataStart;
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  let prev: Entry | null = null;
  for (const e of entries) {
    const what = `tensor ${JSON.stringify(e.name)}`;
    if (e.end > dataLength) {
      throw new RangeError(
        `${call}: ${what} has data_offsets [${e.begin}, ${e.end}], past the end of the ${dataLength}-byte data section`,
      );
    }
    if (e.begin < pos) {
      throw new RangeError(
        `${call}: ${what} starts at byte ${e.begin}, overlapping tensor ${
          JSON.stringify(prev!.name)
        } which ends at byte ${pos}`,
      );
    }
    if (e.begin > pos) {
      throw new RangeError(
        `${call}: ${what} starts at byte ${e.begin}, leaving a gap of ${e.begin - pos} bytes after ${
          prev ? `tensor ${JSON.stringify(prev.name)}` : "the header"
        } (which ends at byte ${pos})`,
      );
    }
    pos = e.end;
    prev = e;
  }
  if (pos !== dataLength) {
    throw new RangeError(
      `${call}: ${
        dataLength - pos
      } trailing bytes after the last tensor's data (the tensors cover ${pos} of ${dataLength} bytes)`,
    );
  }
  return { entries, metadata, dataStart };
}

function materialize(bytes: Uint8Array, h: Header, call: string): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const e of h.entries) {
    const { dtype } = READ[e.code];
    const src = bytes.subarray(h.dataStart + e.begin, h.dataStart + e.end);
    const t = empty(e.shape, dtype);
    const dst = t._storage.bytes!;
    if (e.code === "BF16") {
      // bfloat16 is the top half of a float32: widen by shifting the 16 bits up.
      const wide = new Uint16Array(dst.buffer, dst.byteOffset, src.byteLength);
      for (let i = 0; i < src.byteLength / 2; i++) {
        wide[2 * i] = 0;
        wide[2 * i + 1] = src[2 * i] | (src[2 * i + 1] << 8);
      }
    } else {
      dst.set(src);
    }
    if (e.code === "BOOL") {
      const bad = src.findIndex((b) => b > 1);
      if (bad >= 0) {
        throw new RangeError(
          `${call}: tensor ${JSON.stringify(e.name)} of dtype BOOL holds the byte ${
            src[bad]
          } at element ${bad}; expected 0 or 1`,
        );
      }
    }
    out[e.name] = t;
  }
  return out;
}

/**
 * Decodes safetensors bytes into CPU tensors, by name. The header is validated first: its
 * length, UTF-8 and JSON, duplicate keys, dtypes, shapes, and that the tensors' byte ranges
 * tile the data section exactly (no overlap, gap, overrun or trailing bytes). BF16 tensors
 * load as float32.
 *
 * @example
 * ```ts
 * import { deserialize, serialize, tensor } from "../../mod.ts";
 * const back = deserialize(serialize({ "fc.bias": tensor([0.5, -1]) }));
 * console.log(Object.keys(back), back["fc.bias"].tolist()); // ["fc.bias"] [0.5, -1]
 * ```
 */
export function deserialize(bytes: Uint8Array): Record<string, Tensor> {
  checkHost("deserialize");
  return materialize(bytes, parseHeader(bytes, "deserialize"), "deserialize");
}

/**
 * The `__metadata__` of safetensors data (bytes, or a file path), or null when it has none.
 * The header is validated as by `deserialize`; no tensor is created.
 *
 * @example
 * ```ts
 * import { readMetadata, serialize, tensor } from "../../mod.ts";
 * const bytes = serialize({ w: tensor([1]) }, { metadata: { format: "pt" } });
 * console.log(readMetadata(bytes)); // { format: "pt" }
 * ```
 */
export function readMetadata(source: Uint8Array | string): Record<string, string> | null {
  if (typeof source === "string") return parseHeader(Deno.readFileSync(source), `readMetadata("${source}")`).metadata;
  return parseHeader(source, "readMetadata").metadata;
}

/**
 * Writes a state dict (a record or Map of tensors) to `path` in the safetensors format, which
 * `safetensors.torch.load_file` reads into PyTorch. Needs write permission for `path`.
 *
 * @example
 * ```ts
 * import { load, save, tensor } from "../../mod.ts";
 * const path = Deno.makeTempFileSync({ suffix: ".safetensors" });
 * save({ weight: tensor([[1, 2]]), bias: tensor([0]) }, path);
 * console.log(load(path).weight.tolist()); // [[1, 2]]
 * Deno.removeSync(path);
 * ```
 */
export function save(
  record: Record<string, Tensor> | Map<string, Tensor>,
  path: string | URL,
  opts: SafetensorsOptions = {},
): void {
  if (typeof path !== "string" && !(path instanceof URL)) {
    throw new TypeError(`save: expected path to be a string or URL, got ${describe(path)}`);
  }
  Deno.writeFileSync(path, encode(record, opts, "save"));
}

/**
 * Reads a safetensors file (for example one written by `safetensors.torch.save_file`) into CPU
 * tensors by name, ready for `module.loadStateDict`. Malformed files are rejected with an error
 * that names the problem (see `deserialize`).
 *
 * @example
 * ```ts
 * import { load, save, zeros } from "../../mod.ts";
 * const path = Deno.makeTempFileSync({ suffix: ".safetensors" });
 * save({ running_mean: zeros([3]) }, path);
 * console.log(load(path).running_mean.shape); // [3]
 * Deno.removeSync(path);
 * ```
 */
export function load(path: string | URL): Record<string, Tensor> {
  if (typeof path !== "string" && !(path instanceof URL)) {
    throw new TypeError(`load: expected path to be a string or URL, got ${describe(path)}`);
  }
  checkHost("load");
  const bytes = Deno.readFileSync(path);
  const call = `load("${path}")`;
  return materialize(bytes, parseHeader(bytes, call), call);
}
