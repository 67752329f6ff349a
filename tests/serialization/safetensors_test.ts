import assert from "node:assert/strict";
import { deserialize, load, nn, readMetadata, save, serialize, type Tensor, tensor } from "../../mod.ts";
import { denotorchModel, dtypeRecord, INPUT } from "../../tools/fixtures/make_denotorch_safetensors.ts";

const dir = new URL("../fixtures/safetensors/", import.meta.url);
const fixture = (name: string) => new URL(name, dir);
const readJson = (name: string) => JSON.parse(Deno.readTextFileSync(fixture(name)));

interface Described {
  dtype: string;
  shape: number[];
  values: (number | string)[];
}

/** A tensor's values as PyTorch's side describes them (int64 as strings, bool as 0/1). */
function values(t: Tensor): (number | string)[] {
  return Array.from(t.toArray() as ArrayLike<number | bigint>, (v) => typeof v === "bigint" ? String(v) : Number(v));
}

function assertDescribed(name: string, t: Tensor, want: Described): void {
  assert.equal(t.dtype, want.dtype === "bfloat16" ? "float32" : want.dtype, `${name}: dtype`);
  assert.deepEqual([...t.shape], want.shape, `${name}: shape`);
  assert.deepEqual(values(t), want.values, `${name}: values`);
}

function assertAllClose(what: string, got: number[][], want: number[][], atol = 1e-6): void {
  assert.equal(got.length, want.length);
  got.forEach((row, i) =>
    row.forEach((v, j) => {
      if (!(Math.abs(v - want[i][j]) <= atol)) assert.fail(`${what}[${i}][${j}] is ${v}, expected ${want[i][j]}`);
    })
  );
}

const newModel = () => new nn.Sequential(new nn.Linear(4, 8), new nn.Linear(8, 3));

// ------------------------------------------------------------------ PyTorch -> denotorch

Deno.test("load reads a PyTorch save_file state dict into the matching denotorch model", () => {
  const sd = load(fixture("torch_model.safetensors"));
  assert.deepEqual(Object.keys(sd).sort(), ["0.bias", "0.weight", "1.bias", "1.weight"]);
  const m = newModel();
  assert.deepEqual(m.loadStateDict(sd), { missingKeys: [], unexpectedKeys: [] });
  const { input, output } = readJson("torch_model.json");
  const y = m.forward(tensor(input));
  assertAllClose("output", y.tolist() as number[][], output);
});

Deno.test("load reads every dtype PyTorch writes, and the metadata", () => {
  const want = readJson("torch_dtypes.json");
  const sd = load(fixture("torch_dtypes.safetensors"));
  assert.deepEqual(Object.keys(sd).sort(), Object.keys(want.tensors).sort());
  for (const [name, d] of Object.entries<Described>(want.tensors)) assertDescribed(name, sd[name], d);
  assert.deepEqual(readMetadata(fixture("torch_dtypes.safetensors").pathname), want.metadata);
  assert.equal(readMetadata(Deno.readFileSync(fixture("torch_model.safetensors"))), null);
  // Loaded tensors are ordinary, writable, contiguous CPU tensors.
  const t = sd.running_mean;
  assert.equal(t.isContiguous(), true);
  t.add_(1);
  assert.equal(t.device, "cpu");
});

Deno.test("BF16 tensors load as float32 with the same values", () => {
  const want = readJson("torch_dtypes.json").bf16;
  const sd = load(fixture("torch_bf16.safetensors"));
  assertDescribed("bf", sd.bf, want.bf);
});

Deno.test("serialize writes what the reference writer writes, byte for byte", () => {
  for (
    const [name, metadata] of [["torch_model.safetensors", undefined], ["torch_dtypes.safetensors", { format: "pt" }]]
  ) {
    const bytes = Deno.readFileSync(fixture(name as string));
    const again = serialize(deserialize(bytes), metadata ? { metadata: metadata as Record<string, string> } : {});
    assert.deepEqual(again, bytes, name as string);
  }
});

// ------------------------------------------------------------------ denotorch -> PyTorch

Deno.test("the committed denotorch files regenerate byte for byte (serialize is deterministic)", () => {
  const model = serialize(denotorchModel().stateDict(), { metadata: { format: "pt" } });
  assert.deepEqual(model, Deno.readFileSync(fixture("denotorch_model.safetensors")));
  const dtypes = serialize(dtypeRecord());
  assert.deepEqual(dtypes, Deno.readFileSync(fixture("denotorch_dtypes.safetensors")));
  // Key order and padding: the header is sorted by dtype then name and padded with spaces to 8 bytes.
  const n = Number(new DataView(dtypes.buffer).getBigUint64(0, true));
  assert.equal(n % 8, 0);
  const header = new TextDecoder().decode(dtypes.subarray(8, 8 + n));
  assert.match(
    header,
    /^\{"i64":.*"transposed\.weight":.*"f64":.*"scalar":.*"empty":.*"f32":.*"i32":.*"f16":.*"u8":.*"mask":.*\} *$/,
  );
});

Deno.test("PyTorch's load_file reads denotorch's files: same values, same model output", () => {
  const seen = readJson("denotorch_model.json");
  assert.equal(seen.resaved_identical, true);
  const model = denotorchModel();
  const sd = model.stateDict();
  assert.deepEqual(Object.keys(seen.tensors).sort(), Object.keys(sd).sort());
  for (const [name, d] of Object.entries<Described>(seen.tensors)) assertDescribed(name, sd[name], d);
  const y = model.forward(tensor(INPUT));
  assertAllClose("output", y.tolist() as number[][], seen.output);

  const seenDtypes = readJson("denotorch_dtypes.json");
  assert.equal(seenDtypes.resaved_identical, true);
  const rec = dtypeRecord();
  assert.deepEqual(Object.keys(seenDtypes.tensors).sort(), Object.keys(rec).sort());
  for (const [name, d] of Object.entries<Described>(seenDtypes.tensors)) assertDescribed(name, rec[name], d);
});

// ------------------------------------------------------------------ round trips

Deno.test("save and load round-trip every dtype through a file", () => {
  const path = Deno.makeTempFileSync({ suffix: ".safetensors" });
  try {
    const rec = dtypeRecord();
    save(new Map(Object.entries(rec)), path, { metadata: { step: "3", "é": "x" } });
    const back = load(path);
    assert.deepEqual(Object.keys(back).sort(), Object.keys(rec).sort());
    for (const [k, t] of Object.entries(rec)) {
      assert.equal(back[k].dtype, t.dtype, k);
      assert.deepEqual([...back[k].shape], [...t.shape], k);
      assert.deepEqual(values(back[k]), values(t), k);
    }
    assert.deepEqual(readMetadata(path), { step: "3", "é": "x" });
  } finally {
    Deno.removeSync(path);
  }
});

Deno.test("a trained model's state dict survives save/load and gives the same outputs", () => {
  const path = Deno.makeTempFileSync({ suffix: ".safetensors" });
  try {
    const a = denotorchModel();
    save(a.stateDict(), path);
    const b = newModel();
    b.loadStateDict(load(path));
    const x = tensor(INPUT);
    assert.deepEqual(b.forward(x).tolist(), a.forward(x).tolist());
  } finally {
    Deno.removeSync(path);
  }
});

Deno.test("deserialize copies: later changes to the bytes do not reach the tensors", () => {
  const bytes = serialize({ w: tensor([1, 2]) });
  const t = deserialize(bytes).w;
  bytes.fill(0, bytes.length - 8);
  assert.deepEqual(t.tolist(), [1, 2]);
  assert.equal(Object.keys(deserialize(serialize({}))).length, 0); // an empty state dict is valid
});

// ------------------------------------------------------------------ malformed files

/** Bytes of a file with the given header text and data, and optionally a forged header length. */
function file(header: string | object, data: number | number[] = 0, n?: bigint): Uint8Array {
  const text = new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  const body = typeof data === "number" ? new Uint8Array(data) : Uint8Array.from(data);
  const out = new Uint8Array(8 + text.length + body.length);
  new DataView(out.buffer).setBigUint64(0, n ?? BigInt(text.length), true);
  out.set(text, 8);
  out.set(body, 8 + text.length);
  return out;
}

const f32 = (begin: number, end: number, shape = [(end - begin) / 4]) => ({
  dtype: "F32",
  shape,
  data_offsets: [begin, end],
});

function rejects(bytes: Uint8Array, Cls: ErrorConstructor, re: RegExp): void {
  assert.throws(() => deserialize(bytes), (e: unknown) => {
    assert.ok(e instanceof Cls, `expected a ${Cls.name}, got ${e}`);
    assert.match((e as Error).message, re);
    return true;
  });
}

Deno.test("deserialize accepts a well-formed hand-made file (the helper makes valid files)", () => {
  const sd = deserialize(file({ a: f32(0, 8), b: f32(8, 12), __metadata__: { k: "v" } }, 12));
  assert.deepEqual(Object.keys(sd), ["a", "b"]);
  assert.deepEqual([...sd.a.shape], [2]);
});

Deno.test("deserialize rejects a header length that is too large or runs past the end", () => {
  rejects(
    new Uint8Array(5),
    RangeError,
    /^deserialize: the data is 5 bytes long, too short for the 8-byte header length$/,
  );
  rejects(
    file({}, 0, 100_000_001n),
    RangeError,
    /^deserialize: the header length 100000001 exceeds the limit of 100000000 bytes$/,
  );
  rejects(file({}, 0, 2n ** 64n - 1n), RangeError, /header length 18446744073709551615 exceeds the limit/);
  rejects(
    file({ a: f32(0, 4) }, 4, 1000n),
    RangeError,
    /^deserialize: the header length 1000 runs past the end of the data \(66 bytes, header ends at byte 1008\)$/,
  );
});

Deno.test("deserialize rejects a header that is not UTF-8 JSON object text", () => {
  const bad = file("{}");
  bad[8 + 1] = 0xff;
  rejects(bad, TypeError, /^deserialize: the header is not valid UTF-8$/);
  rejects(file('{"a": {'), TypeError, /^deserialize: the header is not valid JSON: /);
  rejects(file("[1, 2]"), TypeError, /the header must be a JSON object starting with "\{", got "\[1, 2\]"/);
  rejects(file(' {"a": 1}'), TypeError, /must be a JSON object starting with "\{"/);
});

Deno.test("deserialize rejects duplicate keys that JSON.parse would silently merge", () => {
  const a = JSON.stringify(f32(0, 4));
  rejects(file(`{"a":${a},"a":${a}}`, 4), TypeError, /^deserialize: the header has the key "a" more than once$/);
  rejects(file(`{"a":${a},"\\u0061":${a}}`, 4), TypeError, /the header has the key "a" more than once/);
  rejects(
    file(`{"a":{"dtype":"F32","dtype":"F64","shape":[1],"data_offsets":[0,4]}}`, 4),
    TypeError,
    /the header has the key "dtype" more than once/,
  );
  rejects(file(`{"__metadata__":{"k":"1","k":"2"}}`), TypeError, /the header has the key "k" more than once/);
  // Keys equal to values elsewhere, or in different objects, are fine.
  deserialize(
    file(
      `{"F32":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[],"data_offsets":[4,8]}}`,
      8,
    ),
  );
});

Deno.test("deserialize rejects unknown and unsupported dtypes and bad shapes or offsets", () => {
  rejects(
    file({ a: { dtype: "F99", shape: [1], data_offsets: [0, 4] } }, 4),
    TypeError,
    /^deserialize: tensor "a" has an unknown dtype "F99"$/,
  );
  rejects(
    file({ a: { dtype: "I16", shape: [2], data_offsets: [0, 4] } }, 4),
    TypeError,
    /tensor "a" has dtype I16, which denotorch does not support \(supported: F64, F32, F16, BF16, I64, I32, U8, BOOL\)/,
  );
  rejects(
    file({ a: { dtype: 5, shape: [1], data_offsets: [0, 4] } }, 4),
    TypeError,
    /tensor "a": expected dtype to be a string, got number 5/,
  );
  rejects(
    file({ a: f32(0, 4, [-1]) }, 4),
    TypeError,
    /tensor "a": expected shape to be an array of non-negative integers, got \[-1\]/,
  );
  rejects(file({ a: f32(0, 4, [1.5]) }, 4), TypeError, /expected shape to be an array of non-negative integers/);
  rejects(
    file({ a: { dtype: "F32", shape: [1], data_offsets: [4, 0] } }, 4),
    TypeError,
    /tensor "a": expected data_offsets to be \[begin, end\] with 0 <= begin <= end, got \[4,0\]/,
  );
  rejects(file({ a: [1, 2] }), TypeError, /tensor "a": expected \{dtype, shape, data_offsets\}, got \[1,2\]/);
  rejects(file({ __metadata__: { k: 1 } }), TypeError, /__metadata__ values must be strings, got number 1 for "k"/);
  rejects(file({ __metadata__: "pt" }), TypeError, /__metadata__ must be an object of strings, got "pt"/);
});

Deno.test("deserialize rejects a byte count that does not match the shape", () => {
  rejects(
    file({ a: f32(0, 20, [2, 3]) }, 20),
    RangeError,
    /^deserialize: tensor "a" of dtype F32 and shape \[2, 3\] needs 24 bytes, but its data_offsets \[0, 20\] span 20$/,
  );
});

Deno.test("deserialize rejects offsets that overlap, leave gaps or run out of range, and trailing bytes", () => {
  rejects(
    file({ a: f32(0, 8), b: f32(4, 12) }, 12),
    RangeError,
    /^deserialize: tensor "b" starts at byte 4, overlapping tensor "a" which ends at byte 8$/,
  );
  rejects(
    file({ a: f32(0, 8), b: f32(12, 16) }, 16),
    RangeError,
    /^deserialize: tensor "b" starts at byte 12, leaving a gap of 4 bytes after tensor "a" \(which ends at byte 8\)$/,
  );
  rejects(
    file({ a: f32(4, 8) }, 8),
    RangeError,
    /tensor "a" starts at byte 4, leaving a gap of 4 bytes after the header/,
  );
  rejects(
    file({ a: f32(0, 8), b: f32(8, 16) }, 12),
    RangeError,
    /^deserialize: tensor "b" has data_offsets \[8, 16\], past the end of the 12-byte data section$/,
  );
  rejects(
    file({ a: f32(0, 8) }, 11),
    RangeError,
    /^deserialize: 3 trailing bytes after the last tensor's data \(the tensors cover 8 of 11 bytes\)$/,
  );
  rejects(file({}, 1), RangeError, /1 trailing bytes after the last tensor's data \(the tensors cover 0 of 1 bytes\)/);
});

Deno.test("deserialize rejects BOOL bytes other than 0 and 1; load names the file", () => {
  rejects(
    file({ m: { dtype: "BOOL", shape: [3], data_offsets: [0, 3] } }, [1, 0, 2]),
    RangeError,
    /tensor "m" of dtype BOOL holds the byte 2 at element 2; expected 0 or 1/,
  );
  const path = Deno.makeTempFileSync({ suffix: ".safetensors" });
  try {
    Deno.writeFileSync(path, file({ a: f32(0, 8) }, 4));
    assert.throws(() => load(path), (e: unknown) => {
      assert.ok(e instanceof RangeError);
      assert.equal(
        (e as Error).message,
        `load("${path}"): tensor "a" has data_offsets [0, 8], past the end of the 4-byte data section`,
      );
      return true;
    });
  } finally {
    Deno.removeSync(path);
  }
});

Deno.test("serialize and save reject what they can't write", () => {
  const throwsWith = (fn: () => unknown, Cls: ErrorConstructor, re: RegExp) =>
    assert.throws(fn, (e: unknown) => e instanceof Cls && re.test((e as Error).message));
  throwsWith(
    () => serialize({ a: [1, 2] } as never),
    TypeError,
    /^serialize: expected the value of "a" to be a Tensor, got \[1,2\]$/,
  );
  throwsWith(() => serialize({ __metadata__: tensor([1]) }), RangeError, /"__metadata__" is reserved/);
  throwsWith(
    () => serialize(tensor([1]) as never),
    TypeError,
    /expected a record or Map of tensors, got a float32 tensor/,
  );
  throwsWith(
    () => serialize({ a: tensor([1]) }, { metadata: { v: 2 } as never }),
    TypeError,
    /expected metadata values to be strings, got number 2 for "v"/,
  );
  const gone = tensor([1]);
  gone.dispose();
  throwsWith(() => serialize({ gone }), Error, /the tensor was disposed/);
  throwsWith(() => save({}, 5 as never), TypeError, /^save: expected path to be a string or URL, got number 5$/);
  throwsWith(() => deserialize("abc" as never), TypeError, /expected the file's bytes as a Uint8Array, got "abc"/);
});
