/**
 * The fuzzer's child process (run by fuzz_test.ts): feeds random valid and invalid
 * arguments, shapes and dtypes to the public API, case by case, from a fixed seed.
 *
 *   deno run --allow-read --allow-ffi --allow-env tests/fuzz/child.ts <seed> <cases> [--verbose]
 *
 * Each case is a call with a set of names it may report errors under. For every case:
 * - a thrown value must be a TypeError, RangeError or Error whose message names the call
 *   (one of its names) and is not an internal failure ("Cannot read properties of
 *   undefined", "x is not a function", "Invalid typed array length", ...);
 * - a case marked `mustThrow` (a wrong type, an unknown option, an index out of range) must
 *   throw;
 * - a valid case must succeed with the output shape(s) PyTorch's formulas give.
 * The process itself must survive every case (the parent checks the exit status): native code
 * must never read or write out of range, whatever the input.
 *
 * Prints one JSON line: `{ cases, ok, threw, violations: [...] }`.
 *
 * @module
 */
import * as dt from "../../mod.ts";
import type { Tensor } from "../../mod.ts";

const { nn } = dt;
const F = nn.functional;
// deno-lint-ignore no-explicit-any
type Any = any;

// ---------------------------------------------------------------- random numbers
class Rng {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0;
  }
  /** Uniform in [0, 1) (mulberry32). */
  next(): number {
    let t = (this.#s = (this.#s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  bool(p = 0.5): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)];
  }
  shape(rank: number, lo = 1, hi = 4): number[] {
    return Array.from({ length: rank }, () => this.int(lo, hi));
  }
}

// ---------------------------------------------------------------- cases
interface Case {
  /** Names the error message may use for this call (matched case-insensitively). */
  names: string[];
  run: () => unknown;
  /** Expected output shape(s) for a valid call; undefined when the case is not known valid. */
  expect?: number[] | (number[] | null)[];
  /** The call must throw. */
  mustThrow?: boolean;
  /** A short description printed with a violation. */
  desc: string;
}

type Gen = (r: Rng) => Case;

const FLOATS = ["float32", "float64"] as const;
function T(r: Rng, shape: number[], dtype: string = r.bool(0.85) ? "float32" : "float64"): Tensor {
  if (dtype === "int64") return dt.randint(0, 3, shape, { dtype: "int64" });
  if (dtype === "bool") return dt.randn(shape).gt(0);
  if (dtype === "int32" || dtype === "uint8") return dt.randint(0, 3, shape, { dtype: dtype as Any });
  return dt.randn(shape, { dtype: dtype as Any });
}

/** A value of the wrong kind where a number or a tensor is expected. */
const JUNK: readonly unknown[] = ["3", null, {}, [], true, () => 1, Symbol.iterator, 10n];
/** Numbers that are wrong for a size, count or index. */
const BAD_SIZES: readonly number[] = [-1, -7, 1.5, NaN, Infinity, 2 ** 31, 1e12];

function shapeStr(s: readonly number[]): string {
  return `[${s.join(", ")}]`;
}

/** Each family of calls: a generator of valid cases and invalid mutations. */
const gens: { name: string; weight: number; gen: Gen }[] = [];
function family(name: string, weight: number, gen: Gen) {
  gens.push({ name, weight, gen });
}

// ---------------------------------------------------------------- factories
family("factories", 4, (r) => {
  const which = r.pick(["zeros", "ones", "randn", "rand", "empty", "full", "arange", "eye", "randint", "linspace"]);
  const shape = r.shape(r.int(0, 3), 0, 4);
  const mode = r.int(0, 3);
  const dtype = r.pick(["float32", "float64", "int64", "int32", "uint8", "bool"]);
  const fns: Record<string, (s: Any, o?: Any) => Tensor> = {
    zeros: dt.zeros,
    ones: dt.ones,
    randn: dt.randn,
    rand: dt.rand,
    empty: dt.empty,
  };
  if (mode === 0) {
    // valid
    if (which in fns) {
      const floatOnly = which === "randn" || which === "rand";
      const d = floatOnly ? r.pick(FLOATS) : dtype;
      return {
        names: [which],
        desc: `${which}(${shapeStr(shape)}, ${d})`,
        run: () => fns[which](shape, { dtype: d }),
        expect: shape,
      };
    }
    if (which === "full") return { names: [which], desc: "full", run: () => dt.full(shape, 2.5), expect: shape };
    if (which === "arange") {
      const n = r.int(0, 9);
      return { names: [which], desc: `arange(${n})`, run: () => dt.arange(n), expect: [n] };
    }
    if (which === "eye") {
      const n = r.int(0, 4), m = r.int(0, 4);
      return { names: [which], desc: `eye(${n}, ${m})`, run: () => dt.eye(n, m), expect: [n, m] };
    }
    if (which === "randint") {
      return {
        names: [which],
        desc: "randint",
        run: () => dt.randint(0, 5, shape),
        expect: shape,
      };
    }
    const steps = r.int(0, 6);
    return { names: [which], desc: `linspace ${steps}`, run: () => dt.linspace(0, 1, steps), expect: [steps] };
  }
  // invalid: a bad size, a junk shape, an unknown dtype or option
  const bad = mode === 1
    ? [...shape, r.pick(BAD_SIZES)]
    : mode === 2
    ? r.pick(JUNK.filter((j) => !Array.isArray(j)))
    : shape;
  const opts = mode === 3
    ? r.pick([{ dtype: "float16x" }, { requires_grad: true }, { device: "tpu" }, { shape: 3 }])
    : {};
  const call = which in fns
    ? () => fns[which](bad, opts)
    : which === "full"
    ? () => dt.full(bad as Any, 1, opts)
    : which === "arange"
    ? r.pick([() => dt.arange(NaN), () =>
      dt.arange(0, 1, 0), () =>
      dt.arange(0, 2 ** 40), () =>
      dt.arange("x" as Any), () =>
      dt.arange(5, 0, 1)])
    : which === "eye"
    ? () =>
      dt.eye(r.pick(BAD_SIZES) as Any, undefined, opts)
    : which === "randint"
    ? () => dt.randint(5, 0, bad as Any, opts)
    : () => dt.linspace(0, 1, r.pick(BAD_SIZES) as Any, opts);
  return {
    names: [which, "emptyTensor"],
    desc: `${which}(${String(bad)}, ${JSON.stringify(opts)})`,
    run: call,
    mustThrow: true,
  };
});

family("tensor()", 2, (r) => {
  const mode = r.int(0, 4);
  const cases: [unknown, Any][] = [
    [[[1, 2], [3]], {}], // ragged
    [[1, "a"], {}],
    [new Float32Array(6), { shape: [4, 2] }],
    [new Float32Array(6), { shape: [-2, -3] }],
    [[1, 2], { dtype: "complex64" }],
    [[1, 2], { requiresGrad: "yes" }],
    [[1, 2], { requires_grad: true }],
    [{ length: 3 }, {}],
    [undefined, {}],
  ];
  if (mode === 0) {
    const s = r.shape(r.int(0, 3), 0, 3);
    const n = s.reduce((a, b) => a * b, 1);
    return {
      names: ["tensor"],
      desc: `tensor(Float64Array(${n}), ${shapeStr(s)})`,
      run: () => dt.tensor(new Float64Array(n), { shape: s }),
      expect: s,
    };
  }
  const [data, opts] = r.pick(cases);
  return {
    names: ["tensor"],
    desc: `tensor(${String(data)}, ${JSON.stringify(opts)})`,
    run: () => dt.tensor(data as Any, opts),
    mustThrow: true,
  };
});

// ---------------------------------------------------------------- tensor ops
family("views", 6, (r) => {
  const rank = r.int(0, 4);
  const s = r.shape(rank, 0, 4);
  const x = T(r, s);
  const d = rank ? r.int(-rank, rank - 1) : 0;
  const nd = rank ? (d < 0 ? d + rank : d) : 0;
  const op = r.pick([
    "view",
    "reshape",
    "transpose",
    "permute",
    "squeeze",
    "unsqueeze",
    "narrow",
    "select",
    "flatten",
    "expand",
    "split",
    "chunk",
    "unbind",
    "repeat",
    "t",
  ]);
  const valid = r.bool(0.6);
  const names = [op, `Tensor.${op}`];
  if (!valid) {
    const badDim = r.pick([Math.max(rank, 1) + r.int(0, 2), -Math.max(rank, 1) - 1 - r.int(0, 2), 1.5, NaN, "0", null]);
    const run: Record<string, () => unknown> = {
      view: () => x.view(...[r.pick(BAD_SIZES.filter((b) => b !== -1)), 3] as Any),
      reshape: () => x.reshape(r.pick([[-1, -1], [r.pick(BAD_SIZES.filter((b) => b !== -1))], ["3"]]) as Any),
      transpose: () => x.transpose(badDim as Any, 0),
      permute: () => x.permute(...(rank >= 2 ? Array(rank).fill(0) : [1, 1]) as Any),
      squeeze: () => x.squeeze(badDim as Any),
      unsqueeze: () => x.unsqueeze((rank + 2) as Any),
      narrow: () => x.narrow(rank ? nd : 0, r.pick([-100, 100, 1.5]), 1),
      select: () => x.select(rank ? nd : 0, rank ? s[nd] + r.int(0, 3) : 0),
      flatten: () => x.flatten(badDim as Any),
      expand: () => x.expand(...[r.pick(BAD_SIZES), ...s] as Any),
      split: () => x.split(r.pick([0, -1, 1.5, "2"]) as Any, rank ? nd : 0),
      chunk: () => x.chunk(r.pick([0, -1, 1.5]) as Any, rank ? nd : 0),
      unbind: () => x.unbind(badDim as Any),
      repeat: () => x.repeat(...[-1, 2] as Any),
      t: () => T(r, [2, 2, 2]).t(),
    };
    return { names, desc: `${op} invalid on ${shapeStr(s)}`, run: run[op], mustThrow: true };
  }
  const numel = s.reduce((a, b) => a * b, 1);
  switch (op) {
    case "view":
    case "reshape":
      return {
        names,
        desc: `${op}(-1) ${shapeStr(s)}`,
        run: () => (op === "view" ? x.view(-1) : x.reshape([numel])),
        expect: [numel],
      };
    case "transpose": {
      if (rank === 0) return { names, desc: "transpose 0-d", run: () => x.transpose(0, -1), expect: [] };
      const e = [...s];
      const d2 = r.int(0, rank - 1);
      [e[nd], e[d2]] = [e[d2], e[nd]];
      return { names, desc: `transpose(${d}, ${d2}) ${shapeStr(s)}`, run: () => x.transpose(d, d2), expect: e };
    }
    case "permute": {
      const p = [...Array(rank).keys()].sort(() => r.next() - 0.5);
      return { names, desc: `permute(${p}) ${shapeStr(s)}`, run: () => x.permute(...p), expect: p.map((i) => s[i]) };
    }
    case "squeeze":
      return { names, desc: `squeeze() ${shapeStr(s)}`, run: () => x.squeeze(), expect: s.filter((v) => v !== 1) };
    case "unsqueeze": {
      const u = r.int(-rank - 1, rank);
      const e = [...s];
      e.splice(u < 0 ? u + rank + 1 : u, 0, 1);
      return { names, desc: `unsqueeze(${u}) ${shapeStr(s)}`, run: () => x.unsqueeze(u), expect: e };
    }
    case "narrow": {
      if (!rank) return { names, desc: "narrow 0-d", run: () => x.narrow(0, 0, 1), mustThrow: true };
      const st = r.int(0, s[nd]);
      const len = r.int(0, s[nd] - st);
      const e = [...s];
      e[nd] = len;
      return { names, desc: `narrow(${d}, ${st}, ${len}) ${shapeStr(s)}`, run: () => x.narrow(d, st, len), expect: e };
    }
    case "select": {
      if (!rank || s[nd] === 0) {
        return {
          names,
          desc: "select empty",
          run: () => x.select(rank ? nd : 0, 0),
          mustThrow: true,
        };
      }
      const i = r.int(-s[nd], s[nd] - 1);
      return {
        names,
        desc: `select(${d}, ${i}) ${shapeStr(s)}`,
        run: () => x.select(d, i),
        expect: s.filter((_, k) => k !== nd),
      };
    }
    case "flatten":
      return {
        names,
        desc: `flatten(1) ${shapeStr(s)}`,
        run: () => x.flatten(rank > 1 ? 1 : 0),
        expect: rank > 1 ? [s[0], numel / s[0] || s.slice(1).reduce((a, b) => a * b, 1)] : [numel],
      };
    case "expand": {
      const e = s.map((v) => (v === 1 ? r.int(1, 3) : v));
      return { names, desc: `expand(${e}) ${shapeStr(s)}`, run: () => x.expand(...e), expect: e };
    }
    case "split": {
      if (!rank) return { names, desc: "split 0-d", run: () => x.split(1, 0), mustThrow: true };
      const k = r.int(1, 3);
      const parts: number[][] = [];
      for (let st = 0; st < s[nd] || (st === 0 && s[nd] === 0); st += k) {
        parts.push(s.map((v, i) => (i === nd ? Math.min(k, s[nd] - st) : v)));
        if (s[nd] === 0) break;
      }
      return { names, desc: `split(${k}, ${d}) ${shapeStr(s)}`, run: () => x.split(k, d), expect: parts };
    }
    case "unbind": {
      if (!rank) return { names, desc: "unbind 0-d", run: () => x.unbind(0), mustThrow: true };
      const one = s.filter((_, i) => i !== nd);
      return {
        names,
        desc: `unbind(${d}) ${shapeStr(s)}`,
        run: () => x.unbind(d),
        expect: Array.from({ length: s[nd] }, () => one),
      };
    }
    case "chunk":
    case "repeat": {
      const reps = [...s.map(() => r.int(1, 2)), r.int(1, 2)];
      return {
        names,
        desc: `repeat(${reps}) ${shapeStr(s)}`,
        run: () => x.repeat(...reps),
        expect: [reps[0], ...s.map((v, i) => v * reps[i + 1])],
      };
    }
    default:
      return { names, desc: "t", run: () => T(r, [2, 3]).t(), expect: [3, 2] };
  }
});

family("elementwise", 5, (r) => {
  const s = r.shape(r.int(0, 3), 0, 3);
  const x = T(r, s, r.pick(["float32", "float64", "int64", "int32", "bool"]));
  const op = r.pick([
    "add",
    "sub",
    "mul",
    "div",
    "pow",
    "maximum",
    "minimum",
    "remainder",
    "eq",
    "lt",
    "clamp",
    "maskedFill",
    "addcmul_",
    "exp",
    "log",
    "sqrt",
    "abs",
    "sigmoid",
    "tanh",
    "neg",
  ]);
  const names = [op, `Tensor.${op}`, op.replace("_", "")];
  const unary = ["exp", "log", "sqrt", "abs", "sigmoid", "tanh", "neg"];
  if (unary.includes(op)) {
    const ok = x.dtype.startsWith("float") || (x.dtype !== "bool" && op !== "neg") || op === "abs";
    return {
      names,
      desc: `${op} ${x.dtype}`,
      run: () => (x as Any)[op](),
      expect: ok ? s : undefined,
      mustThrow: x.dtype === "bool" && op === "neg",
    };
  }
  const valid = r.bool(0.5);
  if (valid) {
    const s2 = s.slice(r.int(0, s.length)).map((v) => (r.bool(0.3) ? 1 : v));
    const y = T(r, s2);
    if (op === "clamp") return { names, desc: "clamp", run: () => x.clamp(-1, 1), expect: s };
    if (op === "maskedFill") return { names, desc: "maskedFill", run: () => x.maskedFill(y.gt(0), 0), expect: s };
    if (op === "addcmul_") {
      return {
        names,
        desc: "addcmul_",
        run: () => T(r, s).addcmul_(T(r, s), T(r, s), 0.5),
        expect: s,
      };
    }
    return { names, desc: `${op} ${shapeStr(s)} ${shapeStr(s2)}`, run: () => (x as Any)[op](y), expect: s };
  }
  // A shape that cannot broadcast with s needs a dim of s that is not 1.
  const clash = s.some((v) => v !== 1) ? [T(r, s.map((v) => (v === 1 ? 1 : v + 2)))] : [];
  const other = r.pick<unknown>([...clash, ...JUNK.filter((j) => !(op === "clamp" && j === null)), undefined]);
  const mustThrow = !(other === true) && !(typeof other === "bigint");
  return {
    names,
    desc: `${op} ${shapeStr(s)} with ${other instanceof dt.Tensor ? shapeStr(other.shape) : String(other)}`,
    run: () => (op === "clamp"
      ? x.clamp(other as Any, 1)
      : op === "maskedFill"
      ? x.maskedFill(other as Any, 0)
      : (x as Any)[op.replace("_", "")]?.(other) ?? (x as Any)[op](other, other)),
    mustThrow: mustThrow && other !== undefined,
  };
});

family("reductions", 4, (r) => {
  const rank = r.int(0, 3);
  const s = r.shape(rank, 0, 3);
  const x = T(r, s);
  const op = r.pick(["sum", "mean", "max", "min", "argmax", "prod", "var", "std", "norm", "logsumexp", "any", "all"]);
  const names = [op, `Tensor.${op}`];
  if (r.bool(0.3)) {
    const bad = r.pick<unknown>([rank + 1, -rank - 2, 1.5, "0", {}]);
    if (op === "norm") {
      return {
        names,
        desc: `norm(2, ${String(bad)}) on ${shapeStr(s)}`,
        run: () => x.norm(2, bad as Any),
        mustThrow: true,
      };
    }
    return { names, desc: `${op}(${String(bad)}) on ${shapeStr(s)}`, run: () => (x as Any)[op](bad), mustThrow: true };
  }
  if (op === "any" || op === "all") return { names, desc: op, run: () => (x.gt(0) as Any)[op](), expect: [] };
  const empty = s.includes(0);
  const noIdentity = op === "max" || op === "min" || op === "argmax";
  if (rank === 0 || r.bool(0.3)) {
    return {
      names,
      desc: `${op}() ${shapeStr(s)}`,
      run: () => (x as Any)[op](),
      expect: empty && noIdentity ? undefined : [],
      mustThrow: empty && noIdentity,
    };
  }
  const d = r.int(-rank, rank - 1);
  const nd = d < 0 ? d + rank : d;
  const keep = r.bool();
  const e = keep ? s.map((v, i) => (i === nd ? 1 : v)) : s.filter((_, i) => i !== nd);
  // max/min over an empty dim has no identity: PyTorch refuses it.
  const emptyNoIdentity = (op === "max" || op === "min" || op === "argmax") && s[nd] === 0;
  if (emptyNoIdentity) {
    return {
      names,
      desc: `${op}(${d}) of an empty dim`,
      run: () => (x as Any)[op](d, keep),
      mustThrow: true,
    };
  }
  const run = op === "norm"
    ? () => x.norm(2, d, keep)
    : op === "var" || op === "std"
    ? () => (x as Any)[op](d, { keepdim: keep })
    : () => (x as Any)[op](d, keep);
  const expect = op === "max" || op === "min" ? [e, e] : e;
  return { names, desc: `${op}(${d}, ${keep}) ${shapeStr(s)}`, run, expect: expect as Any };
});

family("linalg", 3, (r) => {
  const op = r.pick(["matmul", "mm", "bmm", "dot"]);
  const names = [op, "matmul", "mm", "bmm"];
  const m = r.int(0, 3), k = r.int(0, 3), n = r.int(0, 3), b = r.int(1, 2);
  const valid = r.bool(0.6);
  const k2 = valid ? k : k + r.int(1, 2);
  if (op === "mm") {
    return {
      names,
      desc: `mm ${m}x${k} ${k2}x${n}`,
      run: () => dt.mm(T(r, [m, k], "float32"), T(r, [k2, n], "float32")),
      expect: valid ? [m, n] : undefined,
      mustThrow: !valid,
    };
  }
  if (op === "bmm") {
    return {
      names,
      desc: "bmm",
      run: () => dt.bmm(T(r, [b, m, k], "float32"), T(r, [b, k2, n], "float32")),
      expect: valid ? [b, m, n] : undefined,
      mustThrow: !valid,
    };
  }
  if (op === "dot") {
    return {
      names: [...names, "dot"],
      desc: "dot",
      run: () => dt.dot(T(r, [k], "float32"), T(r, [k2], "float32")),
      expect: valid ? [] : undefined,
      mustThrow: !valid,
    };
  }
  const ra = r.int(1, 4), rb = r.int(1, 4);
  const a = [...r.shape(Math.max(0, ra - 2), 1, 2), ...(ra >= 2 ? [m] : []), k];
  const bs = [...r.shape(Math.max(0, rb - 2), 1, 2), k2, ...(rb >= 2 ? [n] : [])];
  let expect: number[] | undefined;
  if (valid) {
    const ba = a.slice(0, -2), bb = bs.slice(0, -2);
    const L = Math.max(ba.length, bb.length);
    const batch: number[] = [];
    let ok = true;
    for (let i = 0; i < L; i++) {
      const x = ba[ba.length - L + i] ?? 1, y = bb[bb.length - L + i] ?? 1;
      if (x !== y && x !== 1 && y !== 1) ok = false;
      batch.push(Math.max(x, y));
    }
    if (ok) expect = [...batch, ...(ra >= 2 ? [m] : []), ...(rb >= 2 ? [n] : [])];
  }
  return {
    names,
    desc: `matmul ${shapeStr(a)} ${shapeStr(bs)}`,
    run: () => dt.matmul(T(r, a, "float32"), T(r, bs, "float32")),
    expect,
    mustThrow: !valid,
  };
});

family("indexing", 4, (r) => {
  const s = r.shape(r.int(1, 3), 1, 4);
  const x = T(r, s);
  const d = r.int(0, s.length - 1);
  const op = r.pick(["indexSelect", "gather", "scatter", "scatterAdd", "indexAdd", "cat", "stack", "where"]);
  const names = [op, `Tensor.${op}`];
  const valid = r.bool(0.5);
  const hi = valid ? s[d] - 1 : s[d] + r.int(0, 5);
  const lo = valid ? 0 : r.pick([-s[d] - 3, 0]);
  const idx = (shape: number[]) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const v = BigInt64Array.from({ length: n }, () => BigInt(r.int(lo, hi)));
    if (!valid && n > 0) v[r.int(0, n - 1)] = BigInt(r.pick([hi + 1, -s[d] - 1, 2 ** 40]));
    return dt.tensor(v, { shape });
  };
  switch (op) {
    case "indexSelect": {
      const k = r.int(valid ? 0 : 1, 4);
      const e = [...s];
      e[d] = k;
      return {
        names,
        desc: `indexSelect d${d} ${shapeStr(s)}`,
        run: () => x.indexSelect(d, idx([k])),
        expect: valid ? e : undefined,
        mustThrow: !valid,
      };
    }
    case "gather": {
      const is = s.map((v, i) => (i === d ? r.int(valid ? 0 : 1, 3) : r.int(valid ? 0 : 1, v)));
      return {
        names,
        desc: `gather d${d} ${shapeStr(s)} ${shapeStr(is)}`,
        run: () => x.gather(d, idx(is)),
        expect: valid ? is : undefined,
        mustThrow: !valid,
      };
    }
    case "scatter":
    case "scatterAdd": {
      const is = s.map((v) => r.int(valid ? 0 : 1, v));
      const src = T(r, s, x.dtype);
      return {
        names,
        desc: `${op} d${d} ${shapeStr(s)} ${shapeStr(is)}`,
        run: () => (x as Any)[op](d, idx(is), src),
        expect: valid ? s : undefined,
        mustThrow: !valid,
      };
    }
    case "indexAdd": {
      const k = r.int(valid ? 0 : 1, 3);
      const ss = s.map((v, i) => (i === d ? k : v));
      return {
        names,
        desc: `indexAdd d${d}`,
        run: () => x.indexAdd(d, idx([k]), T(r, ss, x.dtype)),
        expect: valid ? s : undefined,
        mustThrow: !valid,
      };
    }
    case "cat": {
      const k = r.int(0, 3);
      const s2 = s.map((v, i) => (i === d ? k : valid ? v : v + 1));
      const e = s.map((v, i) => (i === d ? v + k : v));
      const other: unknown = valid
        ? T(r, s2)
        : r.pick<unknown>([...(s.length > 1 ? [T(r, s2)] : []), null, 3, [T(r, s)]]);
      return {
        names,
        desc: `cat d${d} ${shapeStr(s)} ${shapeStr(s2)}`,
        run: () => dt.cat([x, other as Tensor], d),
        expect: valid ? e : undefined,
        mustThrow: !valid,
      };
    }
    case "stack": {
      const d2 = r.int(0, s.length);
      const e = [...s];
      e.splice(d2, 0, 2);
      return {
        names,
        desc: `stack d${d2}`,
        run: () => dt.stack([x, valid ? T(r, s) : T(r, [...s, 2])], d2),
        expect: valid ? e : undefined,
        mustThrow: !valid,
      };
    }
    default:
      return {
        names,
        desc: "where",
        run: () => dt.where(x.gt(0), x, valid ? 0 : (T(r, s.map((v) => (v === 1 ? 1 : v + 2))) as Any)),
        expect: valid ? s : undefined,
        mustThrow: !valid && s.some((v) => v !== 1),
      };
  }
});

// ---------------------------------------------------------------- nn: elementwise layers
const ACTS: [string, string, unknown[]][] = [
  ["ReLU", "relu", []],
  ["ReLU6", "relu6", []],
  ["ELU", "elu", [1.0]],
  ["LeakyReLU", "leakyRelu", [0.2]],
  ["Threshold", "threshold", [0.1, 20]],
  ["Hardtanh", "hardtanh", [-2, 1.5]],
  ["Sigmoid", "sigmoid", []],
  ["Tanh", "tanh", []],
  ["LogSigmoid", "logsigmoid", []],
  ["Softplus", "softplus", [2, 10]],
  ["Softshrink", "softshrink", [0.3]],
  ["Softsign", "softsign", []],
  ["Tanhshrink", "tanhshrink", []],
  ["PReLU", "prelu", []],
];
family("activations", 6, (r) => {
  const [cls, fn, args] = r.pick(ACTS);
  const s = r.shape(r.int(0, 4), 0, 3);
  const mode = r.int(0, 5);
  const names = [cls, fn];
  if (mode <= 2) {
    const x = T(r, s);
    if (cls === "PReLU") {
      const c = s.length >= 2 && s[1] > 0 ? s[1] : 1;
      return {
        names,
        desc: `PReLU(${c}) ${shapeStr(s)}`,
        run: () => new nn.PReLU({ numParameters: c, dtype: x.dtype as Any }).forward(x),
        expect: s,
      };
    }
    if (mode === 0) {
      return {
        names,
        desc: `${cls}(${args}) ${shapeStr(s)}`,
        run: () => new (nn as Any)[cls](...args).forward(x),
        expect: s,
      };
    }
    return { names, desc: `F.${fn}(${args}) ${shapeStr(s)}`, run: () => (F as Any)[fn](x, ...args), expect: s };
  }
  if (mode === 3) {
    // an unknown option key (often PyTorch's snake_case spelling)
    const key = r.pick(["inplace_", "negative_slope", "min_val", "lambd_", "num_parameters", "beta_", "foo"]);
    return { names, desc: `${cls}({ ${key} })`, run: () => new (nn as Any)[cls]({ [key]: 1 }), mustThrow: true };
  }
  if (mode === 4) {
    const bad = r.pick(JUNK);
    return {
      names,
      desc: `${cls}.forward(${String(bad)})`,
      run: () => new (nn as Any)[cls](...args).forward(bad),
      mustThrow: true,
    };
  }
  const x = T(r, s, r.pick(["int64", "bool"]));
  return {
    names,
    desc: `F.${fn} of ${x.dtype}`,
    run: () => (F as Any)[fn](x, ...args),
    mustThrow: fn !== "relu" && fn !== "relu6" && fn !== "hardtanh" && fn !== "threshold" ? undefined : undefined,
  };
});

family("softmax", 3, (r) => {
  const rank = r.int(1, 4);
  const s = r.shape(rank, 0, 3);
  const [cls, fn] = r.pick([["Softmax", "softmax"], ["LogSoftmax", "logSoftmax"], ["Softmin", "softmin"]]);
  const valid = r.bool(0.7);
  const d = valid ? r.int(-rank, rank - 1) : r.pick([rank, -rank - 1, 1.5]);
  if (r.bool()) {
    return {
      names: [cls, fn],
      desc: `${cls}(${d}) ${shapeStr(s)}`,
      run: () => new (nn as Any)[cls](d).forward(T(r, s)),
      expect: valid ? s : undefined,
      mustThrow: !valid,
    };
  }
  return {
    names: [cls, fn],
    desc: `F.${fn}(${d}) ${shapeStr(s)}`,
    run: () => (F as Any)[fn](T(r, s), d),
    expect: valid ? s : undefined,
    mustThrow: !valid,
  };
});

// ---------------------------------------------------------------- nn: linear, embedding, flatten, dropout
family("linear", 4, (r) => {
  const inF = r.int(0, 5), outF = r.int(0, 5);
  const lead = r.shape(r.int(0, 2), 0, 3);
  const valid = r.bool(0.6);
  if (valid) {
    const bias = r.bool();
    if (r.bool()) {
      return {
        names: ["Linear"],
        desc: `Linear(${inF}, ${outF}) on ${shapeStr([...lead, inF])}`,
        run: () => new nn.Linear(inF, outF, { bias }).forward(T(r, [...lead, inF], "float32")),
        expect: [...lead, outF],
      };
    }
    return {
      names: ["linear"],
      desc: "F.linear",
      run: () =>
        F.linear(
          T(r, [...lead, inF], "float32"),
          T(r, [outF, inF], "float32"),
          bias ? T(r, [outF], "float32") : undefined,
        ),
      expect: [...lead, outF],
    };
  }
  const kind = r.int(0, 3);
  if (kind === 0) {
    return {
      names: ["Linear"],
      desc: "Linear bad sizes",
      run: () => new nn.Linear(r.pick(BAD_SIZES) as Any, r.pick([3, ...JUNK]) as Any),
      mustThrow: true,
    };
  }
  if (kind === 1) {
    return {
      names: ["Linear"],
      desc: "Linear wrong in-features",
      run: () => new nn.Linear(inF, outF).forward(T(r, [...lead, inF + 1], "float32")),
      mustThrow: true,
    };
  }
  if (kind === 2) {
    return {
      names: ["Linear"],
      desc: "Linear float64 input into float32 weights",
      run: () => new nn.Linear(inF, outF).forward(T(r, [...lead, inF], "float64")),
      mustThrow: true,
    };
  }
  return {
    names: ["Linear"],
    desc: "Linear { in_features }",
    run: () => new nn.Linear(3, 4, { in_features: 3 } as Any),
    mustThrow: true,
  };
});

family("embedding", 3, (r) => {
  const num = r.int(1, 6), dim = r.int(1, 4);
  const s = r.shape(r.int(0, 3), 0, 3);
  const n = s.reduce((a, b) => a * b, 1);
  const valid = r.bool(0.5);
  const ids = BigInt64Array.from({ length: n }, () => BigInt(r.int(0, num - 1)));
  if (!valid && n > 0) ids[r.int(0, n - 1)] = BigInt(r.pick([num, -1, -num - 1, 2 ** 33]));
  const idx = dt.tensor(ids, { shape: s });
  const pad = r.bool(0.3) ? r.int(-num, num - 1) : undefined;
  if (r.bool(0.15)) {
    return {
      names: ["Embedding"],
      desc: "Embedding bad paddingIdx",
      run: () => new nn.Embedding(num, dim, { paddingIdx: num + r.int(0, 2) }),
      mustThrow: true,
    };
  }
  if (r.bool(0.1)) {
    return {
      names: ["Embedding"],
      desc: "Embedding float ids",
      run: () => new nn.Embedding(num, dim).forward(T(r, s, "float32")),
      mustThrow: true,
    };
  }
  return {
    names: ["Embedding", "embedding"],
    desc: `Embedding(${num}, ${dim}, pad ${pad}) ids ${shapeStr(s)} ${valid ? "" : "out of range"}`,
    run: () => new nn.Embedding(num, dim, { paddingIdx: pad }).forward(idx),
    expect: valid || n === 0 ? [...s, dim] : undefined,
    mustThrow: !valid && n > 0,
  };
});

family("flatten/dropout", 3, (r) => {
  const s = r.shape(r.int(1, 4), 0, 3);
  const x = T(r, s);
  const which = r.pick(["Flatten", "Unflatten", "Dropout", "Dropout2d", "Dropout3d", "Identity"]);
  if (which === "Flatten") {
    const e = [s[0], s.slice(1).reduce((a, b) => a * b, 1)];
    return {
      names: ["Flatten"],
      desc: `Flatten ${shapeStr(s)}`,
      run: () => new nn.Flatten().forward(x),
      expect: s.length >= 2 ? e : undefined,
      mustThrow: s.length < 2,
    };
  }
  if (which === "Unflatten") {
    const ok = s[0] % 2 === 0 && s[0] > 0;
    return {
      names: ["Unflatten"],
      desc: `Unflatten(0, [2, -1]) ${shapeStr(s)}`,
      run: () => new nn.Unflatten(0, [2, -1]).forward(x),
      expect: ok ? [2, s[0] / 2, ...s.slice(1)] : undefined,
      mustThrow: !ok && s[0] !== 0,
    };
  }
  if (which === "Identity") {
    return {
      names: ["Identity"],
      desc: "Identity",
      run: () => new nn.Identity().forward(x),
      expect: s,
    };
  }
  const p = r.pick([0, 0.3, 1, -0.1, 1.5, NaN]);
  const validP = p >= 0 && p <= 1;
  const need = which === "Dropout2d" ? [3, 4] : which === "Dropout3d" ? [4, 5] : null;
  const rankOk = need === null || need.includes(s.length);
  return {
    names: [which, which.toLowerCase().replace("dropout", "dropout")],
    desc: `${which}(${p}) ${shapeStr(s)}`,
    run: () => new (nn as Any)[which](p).forward(x),
    expect: validP && rankOk ? s : undefined,
    mustThrow: !validP ? true : undefined,
  };
});

// ---------------------------------------------------------------- nn: convolution and pooling
function convOut(L: number, k: number, s: number, p: number, d: number): number {
  return Math.floor((L + 2 * p - d * (k - 1) - 1) / s) + 1;
}
function poolOut(L: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  const num = L + 2 * p - d * (k - 1) - 1;
  let o = (ceil ? Math.ceil(num / s) : Math.floor(num / s)) + 1;
  if (ceil && (o - 1) * s >= L + p) o--;
  return o;
}

family("conv", 5, (r) => {
  const nd = r.int(1, 3);
  const transposed = r.bool(0.35);
  const cls = `Conv${transposed ? "Transpose" : ""}${nd}d`;
  const fn = `conv${transposed ? "Transpose" : ""}${nd}d`;
  const groups = r.pick([1, 1, 2]);
  const cin = groups * r.int(1, 2), cout = groups * r.int(1, 2);
  const k = r.shape(nd, 1, 3),
    st = r.shape(nd, 1, 2),
    pd = k.map((v) => r.int(0, Math.floor(v / 2))),
    dl = r.shape(nd, 1, 2);
  const sp = k.map((v, i) => dl[i] * (v - 1) + 1 + r.int(0, 3));
  const n = r.int(0, 2);
  const valid = r.bool(0.6);
  if (valid) {
    const x = T(r, [n, cin, ...sp], "float32");
    const outPad = transposed ? st.map((s, i) => (s > 1 || dl[i] > 1 ? r.int(0, Math.max(s, dl[i]) - 1) : 0)) : [];
    const so = sp.map((L, i) =>
      transposed
        ? (L - 1) * st[i] - 2 * pd[i] + dl[i] * (k[i] - 1) + outPad[i] + 1
        : convOut(L, k[i], st[i], pd[i], dl[i])
    );
    const opts: Any = { stride: st, padding: pd, dilation: dl, groups };
    if (transposed) opts.outputPadding = outPad;
    const batched = r.bool(0.85) || n === 0;
    const input = batched ? x : x.select(0, 0);
    return {
      names: [cls, fn],
      desc: `${cls}(${cin}, ${cout}, ${k}) ${JSON.stringify(opts)} on ${shapeStr(input.shape as number[])}`,
      run: () => new (nn as Any)[cls](cin, cout, k, opts).forward(input),
      expect: batched ? [n, cout, ...so] : [cout, ...so],
    };
  }
  const kind = r.int(0, 6);
  const x = T(r, [Math.max(n, 1), cin, ...sp], "float32");
  switch (kind) {
    case 0:
      return {
        names: [cls],
        desc: `${cls} bad kernel`,
        run: () => new (nn as Any)[cls](cin, cout, r.pick([0, -1, 1.5, [1, 2, 3, 4], "3"])),
        mustThrow: true,
      };
    case 1:
      return {
        names: [cls],
        desc: `${cls} groups ${cin + 1}`,
        run: () => new (nn as Any)[cls](cin, cout + 1, 1, { groups: cin + 1 }),
        mustThrow: true,
      };
    case 2:
      return {
        names: [cls],
        desc: `${cls} wrong channels`,
        run: () => new (nn as Any)[cls](cin + 1, cout, k).forward(x),
        mustThrow: true,
      };
    case 3:
      return {
        names: [cls],
        desc: `${cls} wrong rank`,
        run: () => new (nn as Any)[cls](cin, cout, k).forward(T(r, [2, cin, ...sp, 2, 2], "float32")),
        mustThrow: true,
      };
    case 4:
      return {
        names: [cls],
        desc: `${cls} unknown option`,
        run: () => new (nn as Any)[cls](cin, cout, k, { padding_mode: "zeros" }),
        mustThrow: true,
      };
    case 5:
      return {
        names: [cls],
        desc: `${cls} kernel larger than input`,
        run: () => new (nn as Any)[cls](cin, cout, sp.map((v) => v + 3)).forward(x),
        mustThrow: !transposed,
      };
    default:
      return {
        names: [cls],
        desc: `${cls} bad stride/padding`,
        run: () => new (nn as Any)[cls](cin, cout, k, { stride: r.pick([0, -1, 1.5]), padding: r.pick([-1, 2.5]) }),
        mustThrow: true,
      };
  }
});

family("pooling", 6, (r) => {
  const nd = r.int(1, 3);
  const kind = r.pick(["Max", "Avg", "LP", "AdaptiveMax", "AdaptiveAvg"]);
  if ((kind === "LP" && nd === 3)) return { names: ["skip"], desc: "skip", run: () => 0 };
  const cls = kind === "LP" ? `LPPool${nd}d` : `${kind}Pool${nd}d`;
  const c = r.int(1, 3), n = r.int(0, 2);
  const k = r.shape(nd, 1, 3);
  const st = k.map((v) => r.int(1, v + 1));
  const pd = k.map((v) => r.int(0, Math.floor(v / 2)));
  const dl = kind === "Max" ? r.shape(nd, 1, 2) : k.map(() => 1);
  const sp = k.map((v, i) => dl[i] * (v - 1) + 1 + r.int(0, 4));
  const ceil = r.bool(0.3);
  const batched = r.bool(0.8) || n === 0;
  const inShape = batched ? [n, c, ...sp] : [c, ...sp];
  const x = T(r, inShape, "float32");
  const lead = inShape.slice(0, inShape.length - nd);
  const valid = r.bool(0.65);
  if (kind.startsWith("Adaptive")) {
    const os = sp.map(() => r.int(1, 4));
    if (!valid) {
      const bad = r.pick<unknown>([[-1, 2, 2].slice(0, nd), [1, 2, 3, 4], "2", [1.5, 1, 1].slice(0, nd)]);
      return {
        names: [cls],
        desc: `${cls}(${JSON.stringify(bad)})`,
        run: () => new (nn as Any)[cls](bad).forward(x),
        mustThrow: true,
      };
    }
    const out = [...lead, ...os];
    return {
      names: [cls],
      desc: `${cls}(${os}) on ${shapeStr(inShape)}`,
      run: () => new (nn as Any)[cls](os).forward(x),
      expect: kind === "AdaptiveMax" && r.bool(0) ? [out, out] : out,
    };
  }
  if (!valid) {
    const which = r.int(0, 3);
    if (which === 0) {
      return {
        names: [cls],
        desc: `${cls} padding > kernel/2`,
        run: () =>
          new (nn as Any)[cls](...(kind === "LP" ? [2] : []), k, { padding: k.map((v) => Math.floor(v / 2) + 1) })
            .forward(x),
        mustThrow: kind !== "LP",
      };
    }
    if (which === 1) {
      return {
        names: [cls],
        desc: `${cls} wrong rank`,
        run: () => new (nn as Any)[cls](...(kind === "LP" ? [2] : []), k).forward(T(r, [2], "float32")),
        mustThrow: true,
      };
    }
    if (which === 2) {
      return {
        names: [cls],
        desc: `${cls} ceil_mode`,
        run: () => new (nn as Any)[cls](...(kind === "LP" ? [2] : []), k, { ceil_mode: true }),
        mustThrow: true,
      };
    }
    return {
      names: [cls],
      desc: `${cls} kernel 0`,
      run: () => new (nn as Any)[cls](...(kind === "LP" ? [2] : []), k.map(() => 0)),
      mustThrow: true,
    };
  }
  const opts: Any = { stride: st, ceilMode: ceil };
  if (kind !== "LP") opts.padding = pd;
  if (kind === "Max") opts.dilation = dl;
  const pads = kind === "LP" ? k.map(() => 0) : pd;
  const so = sp.map((L, i) => poolOut(L, k[i], st[i], pads[i], dl[i], ceil));
  if (so.some((v) => v <= 0)) {
    return {
      names: [cls],
      desc: `${cls} output too small`,
      run: () => new (nn as Any)[cls](...(kind === "LP" ? [2] : []), k, opts).forward(x),
      mustThrow: true,
    };
  }
  const retIdx = kind === "Max" && r.bool(0.3);
  if (retIdx) opts.returnIndices = true;
  const out = [...lead, ...so];
  return {
    names: [cls],
    desc: `${cls}(${k}) ${JSON.stringify(opts)} on ${shapeStr(inShape)}`,
    run: () => new (nn as Any)[cls](...(kind === "LP" ? [2] : []), k, opts).forward(x),
    expect: retIdx ? [out, out] : out,
  };
});

family("unpool", 2, (r) => {
  const nd = r.int(1, 3);
  const cls = `MaxUnpool${nd}d`;
  const k = r.shape(nd, 1, 3);
  const sp = k.map((v) => v + r.int(0, 3));
  const pool = new (nn as Any)[`MaxPool${nd}d`](k, { returnIndices: true });
  const [y, idx] = pool.forward(T(r, [1, 2, ...sp], "float32"));
  const valid = r.bool(0.5);
  const so = (y.shape as number[]).slice(2).map((L, i) => (L - 1) * k[i] + k[i]);
  // Indices point into the pooled input; unpooling to the default size only holds them when
  // the input was a multiple of the kernel, else PyTorch wants the original size.
  const fits = sp.every((v, i) => v === so[i]);
  if (valid && fits) {
    return {
      names: [cls],
      desc: `${cls}(${k})`,
      run: () => new (nn as Any)[cls](k).forward(y, idx),
      expect: [1, 2, ...so],
    };
  }
  if (valid) {
    return {
      names: [cls],
      desc: `${cls}(${k}) outputSize`,
      run: () => new (nn as Any)[cls](k).forward(y, idx, sp),
      expect: [1, 2, ...sp],
    };
  }
  const bad = idx.add(r.pick([1000, -1000]));
  return {
    names: [cls],
    desc: `${cls} indices out of range`,
    run: () => new (nn as Any)[cls](k).forward(y, bad),
    mustThrow: true,
  };
});

family("batchnorm", 4, (r) => {
  const nd = r.int(1, 3);
  const cls = `BatchNorm${nd}d`;
  const c = r.int(1, 3);
  const rank = nd === 1 ? r.pick([2, 3]) : nd + 2;
  const n = r.int(1, 3);
  const sp = r.shape(rank - 2, 1, 3);
  const shape = [n, c, ...sp];
  const valid = r.bool(0.6);
  if (valid) {
    const track = r.bool();
    const one = n * sp.reduce((a, b) => a * b, 1) === 1;
    const training = r.bool(0.7);
    const bn = new (nn as Any)[cls](c, { momentum: r.pick([0.1, null]), affine: r.bool(), trackRunningStats: track });
    if (!training) bn.eval();
    // PyTorch normalizes with batch statistics in training, and in eval without running stats;
    // those need more than one value per channel.
    const batchStats = training || !track;
    return {
      names: [cls, "batchNorm"],
      desc: `${cls}(${c}) ${training ? "train" : "eval"} track ${track} ${shapeStr(shape)}`,
      run: () => bn.forward(T(r, shape, "float32")),
      expect: batchStats && one ? undefined : shape,
      mustThrow: batchStats && one,
    };
  }
  const kind = r.int(0, 3);
  if (kind === 0) {
    return {
      names: [cls],
      desc: `${cls} wrong channels`,
      run: () => new (nn as Any)[cls](c + 1).forward(T(r, shape, "float32")),
      mustThrow: true,
    };
  }
  if (kind === 1) {
    return {
      names: [cls],
      desc: `${cls} wrong rank`,
      run: () => new (nn as Any)[cls](c).forward(T(r, [c], "float32")),
      mustThrow: true,
    };
  }
  if (kind === 2) {
    return {
      names: [cls],
      desc: `${cls} eps/momentum`,
      run: () => new (nn as Any)[cls](c, { eps: r.pick(["1e-5", NaN, null]) }),
      mustThrow: true,
    };
  }
  return {
    names: [cls],
    desc: `${cls} track_running_stats`,
    run: () => new (nn as Any)[cls](c, { track_running_stats: false }),
    mustThrow: true,
  };
});

// ---------------------------------------------------------------- nn: recurrent
family("rnn", 3, (r) => {
  const cls = r.pick(["RNN", "LSTM", "GRU"]);
  const inS = r.int(1, 3), h = r.int(1, 3), layers = r.int(1, 2), bi = r.bool(), bf = r.bool();
  const t = r.int(1, 3), n = r.int(1, 2);
  const valid = r.bool(0.6);
  const m = () => new (nn as Any)[cls](inS, h, { numLayers: layers, bidirectional: bi, batchFirst: bf });
  const D = bi ? 2 : 1;
  if (valid) {
    const x = T(r, bf ? [n, t, inS] : [t, n, inS], "float32");
    const out = bf ? [n, t, D * h] : [t, n, D * h];
    const hs = [D * layers, n, h];
    return {
      names: [cls],
      desc: `${cls}(${inS}, ${h}, L${layers}, bi ${bi}, bf ${bf})`,
      run: () => m().forward(x),
      expect: [out, cls === "LSTM" ? null : hs],
    };
  }
  const kind = r.int(0, 3);
  if (kind === 0) {
    return {
      names: [cls],
      desc: `${cls} wrong input size`,
      run: () => m().forward(T(r, [t, n, inS + 1], "float32")),
      mustThrow: true,
    };
  }
  if (kind === 1) {
    return {
      names: [cls],
      desc: `${cls} wrong h0`,
      run: () =>
        m().forward(
          T(r, [t, n, inS], "float32"),
          cls === "LSTM" ? [T(r, [9, n, h], "float32"), T(r, [9, n, h], "float32")] : T(r, [9, n, h], "float32"),
        ),
      mustThrow: true,
    };
  }
  if (kind === 2) {
    return {
      names: [cls],
      desc: `${cls} bad sizes`,
      run: () => new (nn as Any)[cls](r.pick(BAD_SIZES), h),
      mustThrow: true,
    };
  }
  return {
    names: [cls],
    desc: `${cls} dropout 2`,
    run: () => new (nn as Any)[cls](inS, h, { dropout: 2 }),
    mustThrow: true,
  };
});

family("rnn cells", 2, (r) => {
  const cls = r.pick(["RNNCell", "LSTMCell", "GRUCell"]);
  const inS = r.int(1, 3), h = r.int(1, 3), n = r.int(0, 2);
  const valid = r.bool(0.6);
  if (valid) {
    return {
      names: [cls],
      desc: `${cls}(${inS}, ${h}) N ${n}`,
      run: () => new (nn as Any)[cls](inS, h).forward(T(r, [n, inS], "float32")),
      expect: (cls === "LSTMCell" ? [[n, h], [n, h]] : [n, h]) as Any,
    };
  }
  return {
    names: [cls],
    desc: `${cls} wrong input`,
    run: () => new (nn as Any)[cls](inS, h).forward(T(r, [n, inS + 1], "float32")),
    mustThrow: true,
  };
});

// ---------------------------------------------------------------- nn: losses
family("losses", 6, (r) => {
  const which = r.pick([
    "L1Loss",
    "MSELoss",
    "SmoothL1Loss",
    "BCELoss",
    "BCEWithLogitsLoss",
    "KLDivLoss",
    "SoftMarginLoss",
    "CrossEntropyLoss",
    "NLLLoss",
    "MultiMarginLoss",
    "MultiLabelMarginLoss",
    "MultiLabelSoftMarginLoss",
    "HingeEmbeddingLoss",
    "MarginRankingLoss",
    "CosineEmbeddingLoss",
  ]);
  const reduction = r.pick(["none", "mean", "sum"]);
  const n = r.int(0, 3), c = r.int(1, 4);
  const valid = r.bool(0.6);
  const red = (none: number[]) => (reduction === "none" ? none : []);
  const mk = (...a: unknown[]) => new (nn as Any)[which](...a);
  if (!valid) {
    const kind = r.int(0, 2);
    if (kind === 0) {
      return {
        names: [which],
        desc: `${which} reduction 'avg'`,
        run: () => mk({ reduction: "avg" }),
        mustThrow: true,
      };
    }
    if (kind === 1) {
      return {
        names: [which],
        desc: `${which} size_average`,
        run: () => mk({ size_average: false }),
        mustThrow: true,
      };
    }
    if (which === "CrossEntropyLoss" || which === "NLLLoss" || which === "MultiMarginLoss") {
      const tgt = dt.tensor(
        BigInt64Array.from({ length: Math.max(n, 1) }, () => BigInt(r.pick([c, -1, c + 5, -100 - c]))),
      );
      const x = T(r, [Math.max(n, 1), c], "float32");
      return {
        names: [which, "crossEntropy", "nllLoss", "multiMarginLoss"],
        desc: `${which} target out of range`,
        run: () => mk().forward(x, tgt),
        mustThrow: true,
      };
    }
    return {
      names: [which],
      desc: `${which} shape mismatch`,
      run: () => mk().forward(T(r, [n + 1, c + 1], "float32"), T(r, [n + 2, c + 3], "float32")),
      mustThrow: true,
    };
  }
  const x = T(r, [n, c], "float32");
  const y = T(r, [n, c], "float32");
  const cls = dt.tensor(BigInt64Array.from({ length: n }, () => BigInt(r.int(0, c - 1))));
  switch (which) {
    case "BCELoss":
      return {
        names: [which],
        desc: which,
        run: () => mk({ reduction }).forward(x.sigmoid(), y.sigmoid()),
        expect: red([n, c]),
      };
    case "CrossEntropyLoss":
    case "NLLLoss":
      return {
        names: [which],
        desc: `${which} N ${n} C ${c} ${reduction}`,
        run: () => mk({ reduction }).forward(x, cls),
        expect: red([n]),
      };
    case "MultiMarginLoss":
      return { names: [which], desc: which, run: () => mk({ reduction }).forward(x, cls), expect: red([n]) };
    case "MultiLabelMarginLoss": {
      const t = dt.tensor(BigInt64Array.from({ length: n * c }, () => BigInt(r.int(-1, c - 1))), { shape: [n, c] });
      return { names: [which], desc: which, run: () => mk({ reduction }).forward(x, t), expect: red([n]) };
    }
    case "MultiLabelSoftMarginLoss":
      return {
        names: [which],
        desc: which,
        run: () => mk({ reduction }).forward(x, y.gt(0).to("float32")),
        expect: red([n]),
      };
    case "MarginRankingLoss":
      return {
        names: [which],
        desc: which,
        run: () => mk({ reduction }).forward(T(r, [n], "float32"), T(r, [n], "float32"), T(r, [n], "float32").sign()),
        expect: red([n]),
      };
    case "CosineEmbeddingLoss":
      return {
        names: [which],
        desc: which,
        run: () => mk({ reduction }).forward(x, y, T(r, [n], "float32").sign()),
        expect: red([n]),
      };
    case "HingeEmbeddingLoss":
      return { names: [which], desc: which, run: () => mk({ reduction }).forward(x, y.sign()), expect: red([n, c]) };
    case "KLDivLoss":
      return { names: [which], desc: which, run: () => mk({ reduction }).forward(x, y.exp()), expect: red([n, c]) };
    default:
      return {
        names: [which],
        desc: `${which} ${reduction}`,
        run: () => mk({ reduction }).forward(x, y),
        expect: red([n, c]),
      };
  }
});

// ---------------------------------------------------------------- nn: vision, distance
family("vision", 3, (r) => {
  const which = r.pick([
    "PixelShuffle",
    "PixelUnshuffle",
    "UpsamplingNearest2d",
    "UpsamplingBilinear2d",
    "Upsample",
    "PairwiseDistance",
    "cosineSimilarity",
  ]);
  const f = r.int(1, 3), n = r.int(0, 2);
  const valid = r.bool(0.6);
  if (which === "PixelShuffle") {
    const c = r.int(1, 2) * f * f + (valid ? 0 : 1);
    return {
      names: [which, "pixelShuffle"],
      desc: `PixelShuffle(${f}) C ${c}`,
      run: () => new nn.PixelShuffle(f).forward(T(r, [n, c, 2, 3], "float32")),
      expect: valid ? [n, c / (f * f), 2 * f, 3 * f] : undefined,
      mustThrow: !valid && f > 1,
    };
  }
  if (which === "PixelUnshuffle") {
    const h = 2 * f + (valid ? 0 : 1);
    return {
      names: [which, "pixelUnshuffle"],
      desc: `PixelUnshuffle(${f}) H ${h}`,
      run: () => new nn.PixelUnshuffle(f).forward(T(r, [n, 1, h, f], "float32")),
      expect: valid ? [n, f * f, h / f, 1] : undefined,
      mustThrow: !valid && f > 1,
    };
  }
  if (which === "PairwiseDistance" || which === "cosineSimilarity") {
    const d = r.int(2, 4);
    const run = which === "PairwiseDistance"
      ? () => new nn.PairwiseDistance().forward(T(r, [n, d], "float32"), T(r, [n, valid ? d : d + 1], "float32"))
      : () => F.cosineSimilarity(T(r, [n, d], "float32"), T(r, [n, valid ? d : d + 1], "float32"));
    return { names: [which], desc: `${which} ${n}x${d}`, run, expect: valid ? [n] : undefined, mustThrow: !valid };
  }
  const h = r.int(1, 3), w = r.int(1, 3);
  if (!valid) {
    return {
      names: [which, "interpolate", "upsample"],
      desc: `${which} bad scale`,
      run: () =>
        new (nn as Any)[which]({ scaleFactor: r.pick([0, -1, NaN, "2"]) }).forward(T(r, [1, 1, h, w], "float32")),
      mustThrow: true,
    };
  }
  return {
    names: [which],
    desc: `${which}(${f}) on ${h}x${w}`,
    run: () => new (nn as Any)[which]({ scaleFactor: f }).forward(T(r, [n, 2, h, w], "float32")),
    expect: [n, 2, h * f, w * f],
  };
});

// ---------------------------------------------------------------- optimizers, utils, serialization
family("optim", 3, (r) => {
  const which = r.pick(["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax"]);
  const p = new nn.Parameter(dt.randn([3]));
  const valid = r.bool(0.4);
  if (valid) {
    return {
      names: [which],
      desc: `${which} step`,
      run: () => {
        const opt = new (dt.optim as Any)[which]([p], { lr: 0.01 });
        p.sum().backward();
        opt.step();
        opt.zeroGrad();
        return p;
      },
      expect: [3],
    };
  }
  const bad = r.pick<[string, unknown]>([
    ["lr", -1],
    ["lr", "0.1"],
    ["lr", NaN],
    ["weight_decay", 0.1],
    ["weightDecay", -1],
    ["betas", [0.9]],
    ["betas", [1.5, 0.9]],
    ["momentum", -0.5],
    ["eps", -1],
    ["foo", 1],
    ["alpha", -1],
    ["rho", 2],
  ]);
  const relevant = bad[0] === "lr" || bad[0] === "weight_decay" || bad[0] === "weightDecay" || bad[0] === "foo" ||
    bad[0] === "eps" ||
    (bad[0] === "betas" && /Adam/.test(which)) || (bad[0] === "momentum" && (which === "SGD" || which === "RMSprop")) ||
    (bad[0] === "alpha" && which === "RMSprop") || (bad[0] === "rho" && which === "Adadelta");
  return {
    names: [which],
    desc: `${which}({ ${bad[0]}: ${JSON.stringify(bad[1])} })`,
    run: () =>
      new (dt.optim as Any)[which](r.bool(0.8) ? [p] : r.pick<unknown>([[], [3], null, "p"]), { [bad[0]]: bad[1] }),
    mustThrow: relevant || undefined,
  };
});

family("utils", 2, (r) => {
  const which = r.pick(["clipGradNorm", "clipGradValue", "packPaddedSequence", "padPackedSequence"]);
  if (which === "clipGradNorm" || which === "clipGradValue") {
    const p = new nn.Parameter(dt.randn([4]));
    p.grad = dt.randn([4]);
    const arg = r.pick<unknown>([1, 0, -1, NaN, "2", Infinity]);
    const valid = typeof arg === "number" && !Number.isNaN(arg) && (which === "clipGradValue" || arg >= 0);
    return {
      names: [which],
      desc: `${which}(${String(arg)})`,
      run: () => (nn.utils as Any)[which]([p], arg),
      mustThrow: typeof arg !== "number" || Number.isNaN(arg) ? true : undefined,
      expect: undefined,
      ...(valid ? {} : {}),
    };
  }
  const t = r.int(1, 4), n = r.int(1, 3), f = r.int(1, 3);
  const lengths = Array.from({ length: n }, () => r.int(1, t)).sort((a, b) => b - a);
  const valid = r.bool(0.6);
  if (!valid) lengths[r.int(0, n - 1)] = r.pick([0, t + 1, -1, 1.5]);
  if (which === "packPaddedSequence") {
    return {
      names: [which],
      desc: `packPaddedSequence lengths ${lengths}`,
      run: () => nn.utils.rnn.packPaddedSequence(T(r, [t, n, f], "float32"), lengths).data,
      expect: valid ? [lengths.reduce((a, b) => a + b, 0), f] : undefined,
      mustThrow: !valid,
    };
  }
  if (!valid) {
    return {
      names: [which, "PackedSequence"],
      desc: "padPackedSequence of a tensor",
      run: () => nn.utils.rnn.padPackedSequence(T(r, [t, n, f]) as Any),
      mustThrow: true,
    };
  }
  const packed = nn.utils.rnn.packPaddedSequence(T(r, [t, n, f], "float32"), lengths, { enforceSorted: true });
  return {
    names: [which],
    desc: "padPackedSequence",
    run: () => nn.utils.rnn.padPackedSequence(packed)[0],
    expect: [lengths[0], n, f],
  };
});

const validSafetensors = dt.serialize({ a: dt.randn([2, 3]), b: dt.tensor(new BigInt64Array([1n, 2n])) });
family("safetensors", 3, (r) => {
  const kind = r.int(0, 4);
  let bytes: Uint8Array;
  if (kind === 0) bytes = Uint8Array.from({ length: r.int(0, 40) }, () => r.int(0, 255));
  else if (kind === 1) bytes = validSafetensors.slice(0, r.int(0, validSafetensors.length - 1));
  else {
    bytes = validSafetensors.slice();
    const hdrLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + hdrLen));
    const mutated = kind === 2
      ? text.replace(
        /"data_offsets":\[(\d+),(\d+)\]/,
        (_m, a, b) => `"data_offsets":[${a},${Number(b) + r.pick([4, 400, -4])}]`,
      )
      : kind === 3
      ? text.replace(/"shape":\[[^\]]*\]/, `"shape":[${r.pick(["-1,3", "2,300", "2.5", '"2"'])}]`)
      : text.replace(/"dtype":"F32"/, `"dtype":"${r.pick(["F31", "C64", "", "I64"])}"`);
    const enc = new TextEncoder().encode(mutated.padEnd(hdrLen, " ").slice(0, hdrLen));
    bytes.set(enc, 8);
  }
  const ok = kind >= 2 && bytes.every((b, i) => b === validSafetensors[i]);
  return {
    names: ["deserialize", "safetensors"],
    desc: `deserialize(kind ${kind}, ${bytes.length} bytes)`,
    run: () => dt.deserialize(bytes),
    mustThrow: !ok,
  };
});

family("module api", 2, (r) => {
  const lin = new nn.Linear(3, 2);
  const which = r.int(0, 5);
  switch (which) {
    case 0:
      return {
        names: ["loadStateDict"],
        desc: "loadStateDict wrong shape",
        run: () => lin.loadStateDict({ weight: dt.zeros([3, 3]), bias: dt.zeros([2]) }),
        mustThrow: true,
      };
    case 1:
      return {
        names: ["loadStateDict"],
        desc: "loadStateDict missing key",
        run: () => lin.loadStateDict({ weight: dt.zeros([2, 3]) }),
        mustThrow: true,
      };
    case 2:
      return {
        names: ["registerBuffer"],
        desc: "registerBuffer bad name",
        run: () => lin.registerBuffer(r.pick(["", "a.b", 3]) as Any, dt.zeros([1])),
        mustThrow: true,
      };
    case 3:
      return {
        names: ["Sequential"],
        desc: "Sequential of junk",
        run: () => new nn.Sequential(r.pick(JUNK) as Any),
        mustThrow: true,
      };
    case 4:
      return {
        names: ["addModule"],
        desc: "addModule junk",
        run: () => lin.addModule("x", r.pick(JUNK.filter((v) => v !== null)) as Any),
        mustThrow: true,
      };
    default:
      return {
        names: ["Parameter"],
        desc: "Parameter of junk",
        run: () => new nn.Parameter(r.pick(JUNK) as Any),
        mustThrow: true,
      };
  }
});

// ---------------------------------------------------------------- today's families (round 3)
const prod = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);
const I64 = (vals: number[], shape?: number[]) =>
  dt.tensor(BigInt64Array.from(vals.map((v) => BigInt(v))), { shape: shape ?? [vals.length] });

family("pad", 4, (r) => {
  const n = r.int(1, 3);
  const mode = r.pick(["constant", "reflect", "replicate", "circular"] as const);
  // PyTorch 1.13: constant pads any rank >= n; reflect/replicate take (C, *) or (N, C, *); circular only (N, C, *)
  const rank = mode === "constant" ? r.int(n, n + 2) : mode === "circular" ? n + 2 : n + r.int(1, 2);
  const s = r.shape(rank, 2, 4);
  // an empty batch is fine in every mode (PyTorch 1.13)
  if (rank === n + 2 && r.bool(0.15)) s[0] = 0;
  const lim = (d: number) => mode === "reflect" ? d - 1 : mode === "circular" ? d : 3;
  const pads: number[] = [];
  for (let i = 0; i < n; i++) {
    const d = s[rank - 1 - i];
    // constant padding may be negative (a crop) while the dim stays >= 1
    const lo = mode === "constant" && r.bool(0.3) ? -1 : 0;
    const a = r.int(lo, lim(d));
    pads.push(a, r.int(Math.max(lo, 1 - d - a), lim(d)));
  }
  const out = s.map((d, j) => {
    const i = rank - 1 - j;
    return i < n ? d + pads[2 * i] + pads[2 * i + 1] : d;
  });
  const kind = r.int(0, 9);
  const layer = mode === "reflect" ? "ReflectionPad" : mode === "replicate" ? "ReplicationPad" : "ConstantPad";
  const cls = `${layer}${n}d`;
  if (kind <= 3) {
    const x = T(r, s);
    return {
      names: ["pad"],
      desc: `F.pad(${shapeStr(s)}, ${pads}, ${mode})`,
      run: () => F.pad(x, pads, mode),
      expect: out,
    };
  }
  if (kind <= 5 && mode !== "circular" && rank >= n + 1 && rank <= n + 2) {
    const x = T(r, s);
    const args = mode === "constant" ? [pads, 0.5] : [pads];
    return {
      names: [cls],
      desc: `${cls}(${pads}) on ${shapeStr(s)}`,
      run: () => new (nn as Any)[cls](...args).forward(x),
      expect: out,
    };
  }
  const x = T(r, s);
  switch (kind) {
    case 6: // reflect padding as large as the dim
      return {
        names: ["pad"],
        desc: `F.pad reflect too large on ${shapeStr(s)}`,
        run: () => F.pad(x, [s[rank - 1], 0], "reflect"),
        mustThrow: true,
      };
    case 7: // odd length, too long, junk
      return {
        names: ["pad"],
        desc: "F.pad bad pad list",
        run: () => F.pad(x, r.pick([[1], [1, 1, 1], Array(2 * rank + 2).fill(1), [1.5, 0], ["1", 1], JUNK[1]]) as Any),
        mustThrow: true,
      };
    case 8:
      return {
        names: ["pad"],
        desc: "F.pad bad mode/option",
        run: () => F.pad(x, [1, 1], r.pick(["wrap", "zeros", { mode: "reflect", foo: 1 }, 3]) as Any),
        mustThrow: true,
      };
    default: // reflect/replicate of a rank it does not support
      return {
        names: ["pad", `ReflectionPad${n}d`],
        desc: `${cls} on rank ${n}`,
        run: () => new (nn as Any)[`ReflectionPad${n}d`](1).forward(T(r, r.shape(n, 3, 4))),
        mustThrow: true,
      };
  }
});

family("conv paddingMode", 3, (r) => {
  const nd = r.int(1, 3);
  const cls = `Conv${nd}d`;
  const paddingMode = r.pick(["reflect", "replicate", "circular", "zeros"]);
  const cin = r.int(1, 2), cout = r.int(1, 2);
  const k = r.shape(nd, 1, 3), st = r.shape(nd, 1, 2);
  const sp = r.shape(nd, 3, 5);
  const pd = k.map((v) => r.int(0, Math.floor(v / 2) + 1));
  const n = r.int(0, 2);
  const kind = r.int(0, 5);
  if (kind <= 2) {
    const x = T(r, [n, cin, ...sp], "float32");
    const batched = kind !== 2 || n === 0;
    const input = batched ? x : x.select(0, 0);
    const so = sp.map((L, i) => convOut(L, k[i], st[i], pd[i], 1));
    return {
      names: [cls],
      desc: `${cls}(${cin}, ${cout}, ${k}, padding ${pd}, ${paddingMode}) on ${shapeStr(input.shape as number[])}`,
      run: () => new (nn as Any)[cls](cin, cout, k, { stride: st, padding: pd, paddingMode }).forward(input),
      expect: batched ? [n, cout, ...so] : [cout, ...so],
    };
  }
  if (kind === 3) {
    // padding "same" keeps the size at stride 1, in every mode
    return {
      names: [cls],
      desc: `${cls} same ${paddingMode}`,
      run: () =>
        new (nn as Any)[cls](cin, cout, k, { padding: "same", paddingMode }).forward(T(r, [1, cin, ...sp], "float32")),
      expect: [1, cout, ...sp],
    };
  }
  if (kind === 4) {
    return {
      names: [`ConvTranspose${nd}d`],
      desc: `ConvTranspose${nd}d paddingMode ${paddingMode}`,
      run: () => new (nn as Any)[`ConvTranspose${nd}d`](cin, cout, k, { paddingMode }),
      mustThrow: paddingMode !== "zeros",
    };
  }
  return {
    names: [cls],
    desc: `${cls} paddingMode junk`,
    run: () => new (nn as Any)[cls](cin, cout, k, { paddingMode: r.pick(["wrap", "Reflect", 1, "none"]) }),
    mustThrow: true,
  };
});

family("norms", 5, (r) => {
  const kind = r.int(0, 13);
  const N = r.int(0, 3), C = r.int(1, 4);
  switch (kind) {
    case 0:
    case 1: {
      const s = [N, ...r.shape(r.int(1, 3), 1, 4)];
      const m = r.int(1, s.length - 1);
      const ns = s.slice(s.length - m);
      const x = T(r, s);
      return kind === 0
        ? {
          names: ["LayerNorm"],
          desc: `LayerNorm(${ns}) on ${shapeStr(s)}`,
          run: () => new nn.LayerNorm(ns, { elementwiseAffine: r.bool(), dtype: x.dtype as Any }).forward(x),
          expect: s,
        }
        : { names: ["layerNorm"], desc: `F.layerNorm(${ns})`, run: () => F.layerNorm(x, ns), expect: s };
    }
    case 2:
      return {
        names: ["LayerNorm", "layerNorm"],
        desc: "LayerNorm trailing shape mismatch",
        run: () => new nn.LayerNorm([C + 1]).forward(T(r, [2, C], "float32")),
        mustThrow: true,
      };
    case 3: {
      const g = r.pick([1, 2]), ch = g * r.int(1, 2);
      const s = [N, ch, ...r.shape(r.int(0, 2), 1, 3)];
      const x = T(r, s);
      // PyTorch refuses a single value per group in training (F.group_norm's _verify_batch_size)
      const single = (N * ch) / g * prod(s.slice(2)) === 1;
      return r.bool()
        ? {
          names: ["GroupNorm"],
          desc: `GroupNorm(${g}, ${ch}) on ${shapeStr(s)}`,
          run: () => new nn.GroupNorm(g, ch, { dtype: x.dtype as Any }).forward(x),
          expect: single ? undefined : s,
          mustThrow: single,
        }
        : {
          names: ["groupNorm"],
          desc: `F.groupNorm(${g}) ${shapeStr(s)}`,
          run: () => F.groupNorm(x, g),
          expect: single ? undefined : s,
          mustThrow: single,
        };
    }
    case 4:
      return {
        names: ["GroupNorm"],
        desc: "GroupNorm groups not dividing channels",
        run: () => new nn.GroupNorm(r.pick([3, 0, -1, 1.5]), 4),
        mustThrow: true,
      };
    case 5:
    case 6: {
      const nd = r.int(1, 3);
      const s = [C, ...r.shape(nd, 2, 3)];
      const batched = r.bool(0.7);
      const full = batched ? [N, ...s] : s;
      const cls = `InstanceNorm${nd}d`;
      const opts = { affine: r.bool(), trackRunningStats: r.bool() };
      return {
        names: [cls],
        desc: `${cls}(${C}, ${JSON.stringify(opts)}) on ${shapeStr(full)}`,
        run: () => new (nn as Any)[cls](C, opts).forward(T(r, full, "float32")),
        expect: full,
      };
    }
    case 7: {
      const nd = r.int(1, 3);
      return {
        names: [`InstanceNorm${nd}d`],
        desc: `InstanceNorm${nd}d wrong rank`,
        run: () =>
          new (nn as Any)[`InstanceNorm${nd}d`](C).forward(T(r, r.shape(r.pick([nd, nd + 3]), 2, 3), "float32")),
        mustThrow: true,
      };
    }
    case 8: {
      const s = [N, C, ...r.shape(r.int(1, 3), 1, 3)];
      const size = r.int(1, 4);
      return r.bool()
        ? {
          names: ["LocalResponseNorm"],
          desc: `LocalResponseNorm(${size}) ${shapeStr(s)}`,
          run: () => new nn.LocalResponseNorm(size).forward(T(r, s)),
          expect: s,
        }
        : {
          names: ["localResponseNorm"],
          desc: `F.localResponseNorm(${size}) ${shapeStr(s)}`,
          run: () => F.localResponseNorm(T(r, s), size),
          expect: s,
        };
    }
    case 9:
      return {
        names: ["LocalResponseNorm", "localResponseNorm"],
        desc: "LocalResponseNorm on 2-d / bad size",
        run: () =>
          r.bool()
            ? new nn.LocalResponseNorm(2).forward(T(r, [2, 3]))
            : new nn.LocalResponseNorm(r.pick([0, -2, 1.5, "2"]) as Any),
        mustThrow: true,
      };
    case 10: {
      const s = [r.int(1, 2), C, r.int(1, 3), r.int(1, 3)];
      const size = r.int(2, 3);
      const rank4 = r.bool(0.7);
      return {
        names: ["CrossMapLRN2d"],
        desc: `CrossMapLRN2d(${size}) ${rank4 ? shapeStr(s) : "3-d"}`,
        run: () => new nn.CrossMapLRN2d(size).forward(rank4 ? T(r, s, "float32") : T(r, s.slice(1), "float32")),
        expect: rank4 ? s : undefined,
        mustThrow: !rank4,
      };
    }
    case 11:
    case 12: {
      const rank = r.int(1, 3);
      const s = r.shape(rank, 0, 3);
      const valid = kind === 11;
      const dim = valid ? r.int(-rank, rank - 1) : r.pick([rank, -rank - 1]);
      const p = r.pick([1, 2, 3, Infinity]);
      return {
        names: ["normalize"],
        desc: `F.normalize(${shapeStr(s)}, p ${p}, dim ${dim})`,
        run: () => F.normalize(T(r, s), { p, dim }),
        expect: valid ? s : undefined,
        mustThrow: !valid,
      };
    }
    default: {
      const cls = r.pick(["LayerNorm", "GroupNorm", "LocalResponseNorm", "InstanceNorm2d"]);
      const args = cls === "GroupNorm" ? [1, 2] : [2];
      return {
        names: [cls],
        desc: `${cls} unknown option`,
        run: () => new (nn as Any)[cls](...args, r.pick([{ elementwise_affine: false }, { eps: "1" }, { foo: 1 }])),
        mustThrow: true,
      };
    }
  }
});

const ACTS_EXT: [string, string, unknown[]][] = [
  ["GELU", "gelu", []],
  ["GELU", "gelu", [{ approximate: "tanh" }]],
  ["SiLU", "silu", []],
  ["Mish", "mish", []],
  ["Hardswish", "hardswish", []],
  ["Hardsigmoid", "hardsigmoid", []],
  ["CELU", "celu", [0.7]],
  ["SELU", "selu", []],
  ["Hardshrink", "hardshrink", [0.3]],
  ["RReLU", "rrelu", []],
];

family("activations ext", 4, (r) => {
  const mode = r.int(0, 7);
  const s = r.shape(r.int(0, 4), 0, 3);
  if (mode <= 2) {
    const [cls, fn, args] = r.pick(ACTS_EXT);
    const x = T(r, s);
    return mode === 0
      ? {
        names: [cls],
        desc: `${cls}(${JSON.stringify(args)}) ${shapeStr(s)}`,
        run: () => new (nn as Any)[cls](...args).forward(x),
        expect: s,
      }
      : { names: [fn], desc: `F.${fn} ${shapeStr(s)}`, run: () => (F as Any)[fn](x, ...args), expect: s };
  }
  if (mode === 3) {
    // GLU halves the dim; an odd size is refused
    const rank = r.int(1, 3);
    const sh = r.shape(rank, 1, 3);
    const dim = r.int(-rank, rank - 1);
    const d = (dim + rank) % rank;
    const even = r.bool(0.7);
    sh[d] = even ? 2 * r.int(0, 2) : 2 * r.int(0, 1) + 1;
    const out = sh.map((v, i) => (i === d ? v / 2 : v));
    return {
      names: ["GLU", "glu"],
      desc: `GLU(${dim}) ${shapeStr(sh)}`,
      run: () => (r.bool() ? new nn.GLU(dim).forward(T(r, sh)) : F.glu(T(r, sh), dim)),
      expect: even ? out : undefined,
      mustThrow: !even,
    };
  }
  if (mode === 4) {
    const rank = r.int(0, 3); // a 0-d sample is 1 (PyTorch's max/scatter_ of a scalar)
    const sh = r.shape(rank, 1, 4);
    const hard = r.bool();
    return {
      names: ["gumbelSoftmax"],
      desc: `gumbelSoftmax ${shapeStr(sh)} hard ${hard}`,
      run: () => F.gumbelSoftmax(T(r, sh), { tau: r.pick([0.5, 1, 2]), hard, dim: -1 }),
      expect: sh,
    };
  }
  if (mode === 5) {
    return {
      names: ["gumbelSoftmax"],
      desc: "gumbelSoftmax bad dim/option",
      run: () => F.gumbelSoftmax(T(r, [2, 3]), r.pick([{ dim: 2 }, { tau: "1" }, { foo: 1 }, { hard: 1 }]) as Any),
      mustThrow: true,
    };
  }
  if (mode === 6) {
    const [cls] = r.pick(ACTS_EXT);
    const key = r.pick(["inplace_", "approx", "alpha_", "lambd_", "foo", "lower_"]);
    return { names: [cls], desc: `${cls}({ ${key} })`, run: () => new (nn as Any)[cls]({ [key]: 1 }), mustThrow: true };
  }
  const [cls, fn, args] = r.pick(ACTS_EXT);
  const bad = r.pick(JUNK);
  return {
    names: [cls, fn],
    desc: `${cls}.forward(${String(bad)})`,
    run: () => (r.bool() ? new (nn as Any)[cls](...args).forward(bad) : (F as Any)[fn](bad, ...args)),
    mustThrow: true,
  };
});

family("losses ext", 5, (r) => {
  const kind = r.int(0, 11);
  const reduction: Any = r.pick(["mean", "sum", "none"]);
  const red = (s: number[]) => (reduction === "none" ? s : []);
  const s = r.shape(r.int(0, 3), 0, 3);
  switch (kind) {
    case 0:
    case 1: {
      const [cls, fn] = r.pick([["HuberLoss", "huberLoss"], ["PoissonNLLLoss", "poissonNllLoss"]]);
      const x = T(r, s, "float64"), y = T(r, s, "float64").abs();
      return kind === 0
        ? {
          names: [cls],
          desc: `${cls}(${reduction}) ${shapeStr(s)}`,
          run: () => new (nn as Any)[cls]({ reduction }).forward(x, y),
          expect: red(s),
        }
        : {
          names: [fn],
          desc: `F.${fn}(${reduction}) ${shapeStr(s)}`,
          run: () => (F as Any)[fn](x, y, { reduction }),
          expect: red(s),
        };
    }
    case 2: {
      const sh = [r.int(1, 3), r.int(1, 3)];
      const vs = r.bool() ? sh : [sh[0], 1];
      return {
        names: ["GaussianNLLLoss"],
        desc: `GaussianNLLLoss(${reduction}) ${shapeStr(sh)} var ${shapeStr(vs)}`,
        run: () => new nn.GaussianNLLLoss({ reduction }).forward(T(r, sh), T(r, sh), T(r, vs).abs().add(0.1)),
        expect: red(sh),
      };
    }
    case 3: {
      const [cls, fn] = r.pick([["HuberLoss", "huberLoss"], ["GaussianNLLLoss", "gaussianNllLoss"]]);
      return {
        names: [cls, fn],
        desc: `${cls} bad option/shape`,
        run: () =>
          r.pick([
            () => new (nn as Any)[cls]({ reduction: "avg" }),
            () => new (nn as Any)[cls]({ size_average: true }),
            () =>
              fn === "huberLoss"
                ? F.huberLoss(T(r, [2]), T(r, [2]), { delta: r.pick([0, -1]) })
                : F.gaussianNllLoss(T(r, [2, 3]), T(r, [2, 3]), T(r, [3, 3])),
          ])(),
        mustThrow: true,
      };
    }
    case 4: {
      const N = r.int(0, 3), D = r.int(1, 4);
      const batched = r.bool(0.8);
      const sh = batched ? [N, D] : [D];
      const fn = r.pick(["tripletMarginLoss", "tripletMarginWithDistanceLoss"]);
      return {
        names: [fn],
        desc: `F.${fn}(${reduction}) ${shapeStr(sh)}`,
        run: () => (F as Any)[fn](T(r, sh, "float64"), T(r, sh, "float64"), T(r, sh, "float64"), { reduction }),
        expect: reduction === "none" ? (batched ? [N] : []) : [],
      };
    }
    case 5:
      return {
        names: ["tripletMarginLoss", "TripletMarginLoss"],
        desc: "triplet mismatched shapes / bad margin",
        run: () =>
          r.bool()
            ? F.tripletMarginLoss(T(r, [2, 3]), T(r, [2, 4]), T(r, [2, 3]))
            : new nn.TripletMarginLoss({ margin: 1, swap: "yes" as Any }),
        mustThrow: true,
      };
    case 6:
    case 7: {
      const Tn = r.int(1, 5), N = r.int(1, 3), C = r.int(2, 4), S = r.int(1, 3);
      const tl = Array.from({ length: N }, () => r.int(0, Math.min(S, Tn)));
      const targets = I64(Array.from({ length: N * S }, () => r.int(1, C - 1)), [N, S]);
      const lp = F.logSoftmax(T(r, [Tn, N, C], "float64"), 2);
      const il = Array(N).fill(Tn);
      if (kind === 6) {
        return {
          names: ["CTCLoss", "ctcLoss"],
          desc: `CTCLoss(${reduction}) T ${Tn} N ${N} C ${C} S ${S} tl ${tl}`,
          run: () => new nn.CTCLoss({ reduction, zeroInfinity: r.bool() }).forward(lp, targets, il, tl),
          expect: red([N]),
        };
      }
      const badLens = r.pick([
        [il.map((v) => v + 1), tl],
        [il, tl.map(() => S + 1)],
        [il.slice(1), tl],
        [il, tl.map(() => -1)],
      ]);
      return {
        names: ["ctcLoss"],
        desc: `ctcLoss bad lengths ${JSON.stringify(badLens)}`,
        run: () => F.ctcLoss(lp, targets, badLens[0], badLens[1]),
        mustThrow: true,
      };
    }
    case 8:
      return {
        names: ["ctcLoss"],
        desc: "ctcLoss blank out of range / target out of range",
        run: () =>
          r.bool()
            ? F.ctcLoss(F.logSoftmax(T(r, [3, 1, 3]), 2), I64([1], [1, 1]), [3], [1], { blank: r.pick([3, -1]) })
            : F.ctcLoss(F.logSoftmax(T(r, [3, 1, 3]), 2), I64([r.pick([3, -1])], [1, 1]), [3], [1]),
        mustThrow: true,
      };
    default: {
      const inF = r.int(2, 5), nC = r.int(4, 12);
      const cut = [r.int(1, nC - 2)];
      if (r.bool() && cut[0] + 1 < nC - 1) cut.push(r.int(cut[0] + 1, nC - 2));
      const N = r.int(1, 4);
      if (kind === 9) {
        return {
          names: ["AdaptiveLogSoftmaxWithLoss"],
          desc: `AdaptiveLogSoftmaxWithLoss(${inF}, ${nC}, ${cut}) N ${N}`,
          run: () => {
            const m = new nn.AdaptiveLogSoftmaxWithLoss(inF, nC, cut, { divValue: r.pick([2, 4]) });
            const { output, loss } = m.forward(
              T(r, [N, inF], "float32"),
              I64(Array.from({ length: N }, () => r.int(0, nC - 1))),
            );
            return [output, loss, m.logProb(T(r, [N, inF], "float32")), m.predict(T(r, [N, inF], "float32"))];
          },
          expect: [[N], [], [N, nC], [N]],
        };
      }
      return {
        names: ["AdaptiveLogSoftmaxWithLoss"],
        desc: "AdaptiveLogSoftmaxWithLoss bad cutoffs / target",
        run: () =>
          r.pick([
            () => new nn.AdaptiveLogSoftmaxWithLoss(inF, nC, [nC]),
            () => new nn.AdaptiveLogSoftmaxWithLoss(inF, nC, [2, 1]),
            () => new nn.AdaptiveLogSoftmaxWithLoss(inF, nC, []),
            () => new nn.AdaptiveLogSoftmaxWithLoss(inF, nC, cut).forward(T(r, [1, inF], "float32"), I64([nC])),
            () => new nn.AdaptiveLogSoftmaxWithLoss(inF, nC, cut).forward(T(r, [2, inF + 1], "float32"), I64([0, 0])),
          ])(),
        mustThrow: true,
      };
    }
  }
});

family("attention", 3, (r) => {
  const H = r.pick([1, 2]), E = H * r.int(1, 3);
  const L = r.int(1, 3), S = r.int(1, 3), N = r.int(1, 2);
  const kind = r.int(0, 9);
  if (kind <= 1) {
    const batchFirst = r.bool();
    const batched = r.bool(0.8);
    const qs = batched ? (batchFirst ? [N, L, E] : [L, N, E]) : [L, E];
    const ks = batched ? (batchFirst ? [N, S, E] : [S, N, E]) : [S, E];
    const average = r.bool(0.7);
    const w = batched ? (average ? [N, L, S] : [N, H, L, S]) : (average ? [L, S] : [H, L, S]);
    return {
      names: ["MultiheadAttention"],
      desc: `MultiheadAttention(${E}, ${H}, batchFirst ${batchFirst}) q ${shapeStr(qs)} k ${shapeStr(ks)}`,
      run: () => {
        const m = new nn.MultiheadAttention(E, H, { batchFirst, addBiasKv: false });
        const k = T(r, ks, "float32");
        return m.forward(T(r, qs, "float32"), k, k, { averageAttnWeights: average });
      },
      expect: [qs, w],
    };
  }
  if (kind === 2) {
    return {
      names: ["multiHeadAttentionForward"],
      desc: `F.multiHeadAttentionForward E ${E} H ${H} L ${L} S ${S} N ${N}`,
      run: () => {
        const q = T(r, [L, N, E], "float32"), k = T(r, [S, N, E], "float32");
        return F.multiHeadAttentionForward(
          q,
          k,
          k,
          E,
          H,
          T(r, [3 * E, E], "float32"),
          null,
          null,
          null,
          false,
          0,
          T(r, [E, E], "float32"),
          null,
        );
      },
      expect: [[L, N, E], [N, L, S]],
    };
  }
  if (kind === 3) {
    return {
      names: ["MultiheadAttention", "multiHeadAttentionForward"],
      desc: "MultiheadAttention bad heads / mismatched embed dim / bad mask",
      run: () =>
        r.pick([
          () => new nn.MultiheadAttention(3, 2),
          () => new nn.MultiheadAttention(E, 0),
          () =>
            new nn.MultiheadAttention(E, H).forward(
              T(r, [L, N, E + 1], "float32"),
              T(r, [S, N, E + 1], "float32"),
              T(r, [S, N, E + 1], "float32"),
            ),
          () =>
            new nn.MultiheadAttention(E, H).forward(
              T(r, [L, N, E], "float32"),
              T(r, [S, N, E], "float32"),
              T(r, [S, N, E], "float32"),
              { attnMask: dt.zeros([L + 1, S]) },
            ),
          () =>
            new nn.MultiheadAttention(E, H).forward(
              T(r, [L, N, E], "float32"),
              T(r, [S, N, E], "float32"),
              T(r, [S, N, E], "float32"),
              { keyPaddingMask: dt.zeros([N, S + 1]).gt(0) },
            ),
          () => new nn.MultiheadAttention(E, H, { batch_first: true } as Any),
        ])(),
      mustThrow: true,
    };
  }
  const batchFirst = r.bool(0.3);
  const normFirst = r.bool();
  const opts = { dimFeedforward: r.int(1, 6), dropout: r.pick([0, 0.1]), batchFirst, normFirst };
  const xs = batchFirst ? [N, L, E] : [L, N, E];
  const ms = batchFirst ? [N, S, E] : [S, N, E];
  if (kind === 4) {
    return {
      names: ["TransformerEncoderLayer"],
      desc: `TransformerEncoderLayer(${E}, ${H}, ${JSON.stringify(opts)}) ${shapeStr(xs)}`,
      run: () => new nn.TransformerEncoderLayer(E, H, opts).forward(T(r, xs, "float32")),
      expect: xs,
    };
  }
  if (kind === 5) {
    return {
      names: ["TransformerDecoderLayer"],
      desc: `TransformerDecoderLayer(${E}, ${H}, ${JSON.stringify(opts)}) ${shapeStr(xs)} mem ${shapeStr(ms)}`,
      run: () => new nn.TransformerDecoderLayer(E, H, opts).forward(T(r, xs, "float32"), T(r, ms, "float32")),
      expect: xs,
    };
  }
  if (kind === 7) {
    const layers = { numEncoderLayers: r.int(1, 2), numDecoderLayers: r.int(1, 2) };
    return {
      names: ["Transformer"],
      desc: `Transformer(${E}, ${H}, ${JSON.stringify({ ...opts, ...layers })}) src ${shapeStr(ms)} tgt ${
        shapeStr(xs)
      }`,
      run: () =>
        new nn.Transformer({ dModel: E, nhead: H, ...opts, ...layers }).forward(
          T(r, ms, "float32"),
          T(r, xs, "float32"),
        ),
      expect: xs,
    };
  }
  if (kind === 8) {
    // keys and values of other widths (kdim/vdim), with a key padding mask
    const kd = r.int(1, 3), vd = r.int(1, 3);
    return {
      names: ["MultiheadAttention"],
      desc: `MultiheadAttention(${E}, ${H}, kdim ${kd}, vdim ${vd}) L ${L} S ${S} N ${N}`,
      run: () =>
        new nn.MultiheadAttention(E, H, { kdim: kd, vdim: vd }).forward(
          T(r, [L, N, E], "float32"),
          T(r, [S, N, kd], "float32"),
          T(r, [S, N, vd], "float32"),
          { keyPaddingMask: dt.zeros([N, S]).gt(0) },
        ),
      expect: [[L, N, E], [N, L, S]],
    };
  }
  return {
    names: ["TransformerEncoderLayer", "TransformerDecoderLayer", "TransformerEncoder"],
    desc: "Transformer layer bad args",
    run: () =>
      r.pick([
        () => new nn.TransformerEncoderLayer(3, 2),
        () => new nn.TransformerEncoderLayer(E, H, { activation: "tanh" as Any }),
        () => new nn.TransformerEncoderLayer(E, H, { dim_feedforward: 4 } as Any),
        () => new nn.TransformerEncoderLayer(E, H).forward(T(r, [L, N, E + 1], "float32")),
        () => new nn.TransformerDecoderLayer(E, H).forward(T(r, [L, N, E], "float32"), T(r, [S, N, E + 1], "float32")),
        () => new nn.TransformerEncoder(new nn.TransformerEncoderLayer(E, H), r.pick([-1, 1.5])),
      ])(),
    mustThrow: true,
  };
});

family("fold", 3, (r) => {
  const C = r.int(1, 3), N = r.int(0, 2);
  const k = r.shape(2, 1, 3), st = r.shape(2, 1, 2), dl = r.shape(2, 1, 2);
  const pd = k.map((v) => r.int(0, Math.floor(v / 2)));
  const sp = k.map((v, i) => dl[i] * (v - 1) + 1 + r.int(0, 3));
  const blocks = sp.map((L, i) => convOut(L, k[i], st[i], pd[i], dl[i]));
  const Lb = prod(blocks), ck = C * prod(k);
  const opts = { dilation: dl, padding: pd, stride: st };
  const kind = r.int(0, 5);
  const batched = r.bool(0.8);
  if (kind <= 1) {
    const s = batched ? [N, C, ...sp] : [C, ...sp];
    return {
      names: ["Unfold", "unfold"],
      desc: `Unfold(${k}, ${JSON.stringify(opts)}) on ${shapeStr(s)}`,
      run: () => (kind ? F.unfold(T(r, s), k, opts) : new nn.Unfold(k, opts).forward(T(r, s))),
      expect: batched ? [N, ck, Lb] : [ck, Lb],
    };
  }
  if (kind <= 3) {
    const s = batched ? [N, ck, Lb] : [ck, Lb];
    return {
      names: ["Fold", "fold"],
      desc: `Fold(${sp}, ${k}, ${JSON.stringify(opts)}) on ${shapeStr(s)}`,
      run: () => (kind === 3 ? F.fold(T(r, s), sp, k, opts) : new nn.Fold(sp, k, opts).forward(T(r, s))),
      expect: batched ? [N, C, ...sp] : [C, ...sp],
    };
  }
  if (kind === 4) {
    return {
      names: ["Fold", "fold"],
      desc: `Fold wrong block count / channels`,
      run: () =>
        r.bool() ? new nn.Fold(sp, k, opts).forward(T(r, [1, ck, Lb + 1])) : new nn.Fold(sp, k, opts).forward(
          T(r, [1, ck + (prod(k) > 1 ? 1 : 0) + (prod(k) === 1 ? 0 : 0), Lb + (prod(k) === 1 ? 1 : 0)]),
        ),
      mustThrow: true,
    };
  }
  return {
    names: ["Unfold", "unfold"],
    desc: "Unfold bad kernel / rank / option",
    run: () =>
      r.pick([
        () => new nn.Unfold(r.pick([0, -1, 1.5, [1, 2, 3]]) as Any),
        () => new nn.Unfold(2).forward(T(r, [2, 3, 3, 3, 3])),
        () => new nn.Unfold(sp.map((v) => v + 2)).forward(T(r, [1, C, ...sp])),
        () => new nn.Unfold(2, { kernel_size: 2 } as Any),
      ])(),
    mustThrow: true,
  };
});

family("embbag/bilinear/oneHot", 4, (r) => {
  const kind = r.int(0, 8);
  const num = r.int(1, 5), dim = r.int(1, 4);
  switch (kind) {
    case 0:
    case 1: {
      const mode: Any = r.pick(["sum", "mean", "max"]);
      const B = r.int(0, 3), L = r.int(1, 3);
      const idx = Array.from({ length: B * L }, () => r.int(0, num - 1));
      if (kind === 0 || B === 0) {
        return {
          names: ["EmbeddingBag"],
          desc: `EmbeddingBag(${num}, ${dim}, ${mode}) on [${B}, ${L}]`,
          run: () => new nn.EmbeddingBag(num, dim, { mode }).forward(I64(idx, [B, L])),
          expect: [B, dim],
        };
      }
      const nb = r.int(1, 3);
      const offs = [0, ...Array.from({ length: nb - 1 }, () => r.int(0, idx.length))].sort((a, b) => a - b);
      return {
        names: ["embeddingBag"],
        desc: `F.embeddingBag(${mode}) 1-d ${idx.length} offsets ${offs}`,
        run: () => F.embeddingBag(I64(idx), T(r, [num, dim]), { offsets: I64(offs), mode }),
        expect: [nb, dim],
      };
    }
    case 2:
      return {
        names: ["EmbeddingBag", "embeddingBag"],
        desc: "EmbeddingBag bad index / offsets / mode",
        run: () =>
          r.pick([
            () => new nn.EmbeddingBag(num, dim).forward(I64([num], [1, 1])),
            () => new nn.EmbeddingBag(num, dim).forward(I64([-1], [1, 1])),
            () => new nn.EmbeddingBag(num, dim).forward(I64([0, 0]), I64([1, 0])),
            () => new nn.EmbeddingBag(num, dim).forward(I64([0, 0])),
            () => new nn.EmbeddingBag(num, dim, { mode: "median" as Any }),
            () => new nn.EmbeddingBag(num, dim).forward(T(r, [2, 2])),
            () => new nn.EmbeddingBag(num, dim, { mode: "max" }).forward(I64([0, 0], [1, 2]), null, T(r, [1, 2])),
          ])(),
        mustThrow: true,
      };
    case 3:
    case 4: {
      const i1 = r.int(1, 3), i2 = r.int(1, 3), o = r.int(0, 3);
      const lead = r.shape(r.int(0, 2), 0, 3);
      const x1 = T(r, [...lead, i1], "float32"), x2 = T(r, [...lead, i2], "float32");
      return kind === 3
        ? {
          names: ["Bilinear"],
          desc: `Bilinear(${i1}, ${i2}, ${o}) lead ${shapeStr(lead)}`,
          run: () => new nn.Bilinear(i1, i2, o, { bias: r.bool() }).forward(x1, x2),
          expect: [...lead, o],
        }
        : {
          names: ["bilinear", "Bilinear"],
          desc: "Bilinear mismatched features / leading dims",
          run: () =>
            r.bool()
              ? new nn.Bilinear(i1 + 1, i2, o).forward(x1, x2)
              : F.bilinear(T(r, [2, i1]), T(r, [3, i2]), T(r, [o, i1, i2])),
          mustThrow: true,
        };
    }
    case 5:
    case 6: {
      const s = r.shape(r.int(0, 3), 0, 3);
      const nc = r.int(1, 4);
      const vals = Array.from({ length: prod(s) }, () => r.int(0, nc - 1));
      const auto = r.bool() && vals.length > 0;
      return {
        names: ["oneHot"],
        desc: `oneHot(${shapeStr(s)}, ${auto ? -1 : nc})`,
        run: () => F.oneHot(I64(vals, s), auto ? -1 : nc),
        expect: [...s, auto ? Math.max(...vals) + 1 : nc],
      };
    }
    default:
      return {
        names: ["oneHot"],
        desc: "oneHot bad class / dtype / count",
        run: () =>
          r.pick([
            () => F.oneHot(I64([3]), 3),
            () => F.oneHot(I64([-1]), 3),
            () => F.oneHot(T(r, [2], "float32"), 3),
            () => F.oneHot(I64([0]), r.pick([1.5, -2, "3"]) as Any),
            () => F.oneHot(I64([], [0]), -1),
          ])(),
        mustThrow: true,
      };
  }
});

family("alpha dropout/grid/pdist", 4, (r) => {
  const kind = r.int(0, 9);
  switch (kind) {
    case 0: {
      const s = r.shape(r.int(kind === 0 ? 0 : 2, 4), 0, 3);
      const p = r.pick([0, 0.3, 0.5, 1]);
      const [cls, fn] = r.pick([["AlphaDropout", "alphaDropout"], ["Dropout1d", "dropout1d"]]);
      const sh = fn === "dropout1d" ? r.shape(r.int(2, 3), 0, 3) : s;
      return {
        names: [cls, fn],
        desc: `${cls}(${p}) ${shapeStr(sh)}`,
        run: () => (r.bool()
          ? new (nn as Any)[cls](p).forward(T(r, sh))
          : (F as Any)[fn](T(r, sh), { p, training: r.bool() })),
        expect: sh,
      };
    }
    case 1: {
      const s = r.shape(r.int(2, 4), 0, 3);
      const p = r.pick([0, 0.3, 1]);
      return {
        names: ["FeatureAlphaDropout", "featureAlphaDropout"],
        desc: `FeatureAlphaDropout(${p}) ${shapeStr(s)}`,
        run: () =>
          new nn.FeatureAlphaDropout(p).forward(T(r, s)),
        expect: s,
      };
    }
    case 2:
      return {
        names: ["AlphaDropout", "alphaDropout", "FeatureAlphaDropout", "featureAlphaDropout"],
        desc: "alpha dropout bad p / option",
        run: () =>
          r.pick([
            () => new nn.AlphaDropout(r.pick([-0.1, 1.5, NaN, "0.5"]) as Any),
            () => new nn.AlphaDropout({ p: 0.5, foo: 1 } as Any),
            () => F.alphaDropout(T(r, [2]), { p: 0.5, foo: 1 } as Any),
            () => F.featureAlphaDropout(T(r, [2, 2]), r.pick([2, -1])),
          ])(),
        mustThrow: true,
      };
    case 3:
    case 4: {
      const three = r.bool(0.3);
      const N = r.int(0, 2), C = r.int(1, 2);
      const si = r.shape(three ? 3 : 2, 1, 3), so = r.shape(three ? 3 : 2, 1, 3);
      const dtype = r.pick(FLOATS);
      const mode = r.pick(three ? ["bilinear", "nearest"] : ["bilinear", "nearest", "bicubic"]);
      const opts = { mode, paddingMode: r.pick(["zeros", "border", "reflection"]), alignCorners: r.bool() };
      return {
        names: ["gridSample"],
        desc: `gridSample ${shapeStr([N, C, ...si])} grid ${shapeStr([N, ...so])} ${JSON.stringify(opts)}`,
        run: () => F.gridSample(T(r, [N, C, ...si], dtype), T(r, [N, ...so, three ? 3 : 2], dtype), opts as Any),
        expect: [N, C, ...so],
      };
    }
    case 5: {
      const three = r.bool(0.3);
      const N = r.int(1, 2), C = r.int(1, 2); // PyTorch refuses N = 0 ("Expected non-zero, positive output size")
      const so = r.shape(three ? 3 : 2, 1, 3);
      return {
        names: ["affineGrid"],
        desc: `affineGrid ${three ? "3-d" : "2-d"} ${shapeStr([N, C, ...so])}`,
        run: () => F.affineGrid(T(r, three ? [N, 3, 4] : [N, 2, 3]), [N, C, ...so], { alignCorners: r.bool() }),
        expect: [N, ...so, three ? 3 : 2],
      };
    }
    case 6:
      return {
        names: ["gridSample", "affineGrid"],
        desc: "gridSample/affineGrid mismatched shapes / modes",
        run: () =>
          r.pick([
            () => F.gridSample(T(r, [1, 1, 2, 2], "float32"), T(r, [2, 2, 2, 2], "float32")),
            () => F.gridSample(T(r, [1, 1, 2, 2], "float32"), T(r, [1, 2, 2, 3], "float32")),
            () => F.gridSample(T(r, [1, 1, 2, 2, 2], "float32"), T(r, [1, 2, 2, 2, 3], "float32"), { mode: "bicubic" }),
            () => F.gridSample(T(r, [1, 1, 2, 2], "float32"), T(r, [1, 2, 2, 2], "float32"), { mode: "area" as Any }),
            () =>
              F.gridSample(
                T(r, [1, 1, 2, 2], "float32"),
                T(r, [1, 2, 2, 2], "float32"),
                { padding_mode: "zeros" } as Any,
              ),
            () => F.affineGrid(T(r, [1, 2, 3]), [2, 1, 3, 3]),
            () => F.affineGrid(T(r, [1, 2, 4]), [1, 1, 3, 3]),
            () => F.affineGrid(T(r, [1, 2, 3]), [1, 1, 3]),
          ])(),
        mustThrow: true,
      };
    case 7:
    case 8: {
      const n = r.int(0, 5), m = r.int(0, 3);
      const p = r.pick([0, 1, 2, 3, Infinity]);
      return {
        names: ["pdist"],
        desc: `pdist([${n}, ${m}], ${p})`,
        run: () => F.pdist(T(r, [n, m], kind === 7 ? "float32" : "float64"), p),
        expect: [(n * (n - 1)) / 2],
      };
    }
    default:
      return {
        names: ["pdist"],
        desc: "pdist bad rank / p / dtype",
        run: () =>
          r.pick([
            () => F.pdist(T(r, [3])),
            () => F.pdist(T(r, [2, 2, 2])),
            () => F.pdist(T(r, [3, 2]), -1),
            () => F.pdist(T(r, [3, 2], "int64")),
            () => F.pdist(T(r, [3, 2]), { q: 2 } as Any),
          ])(),
        mustThrow: true,
      };
  }
});

const INITS = [
  "uniform_",
  "normal_",
  "truncNormal_",
  "ones_",
  "zeros_",
  "xavierUniform_",
  "xavierNormal_",
  "kaimingUniform_",
  "kaimingNormal_",
  "orthogonal_",
  "eye_",
  "dirac_",
  "sparse_",
] as const;

family("lazy/init", 4, (r) => {
  const kind = r.int(0, 6);
  if (kind === 0) {
    const out = r.int(1, 3), inF = r.int(1, 4);
    const lead = r.shape(r.int(0, 2), 1, 3);
    return {
      names: ["LazyLinear"],
      desc: `LazyLinear(${out}) on ${shapeStr([...lead, inF])}`,
      run: () => {
        const m = new nn.LazyLinear(out);
        const y = m.forward(T(r, [...lead, inF], "float32"));
        return [y, m.weight];
      },
      expect: [[...lead, out], [out, inF]],
    };
  }
  if (kind === 1) {
    const nd = r.int(1, 3), cin = r.int(1, 2), cout = r.int(1, 2);
    const transposed = r.bool(0.3);
    const cls = `LazyConv${transposed ? "Transpose" : ""}${nd}d`;
    const sp = r.shape(nd, 2, 4);
    const so = sp.map((L) => (transposed ? L + 1 : L - 1));
    return {
      names: [cls],
      desc: `${cls}(${cout}, 2) on ${shapeStr([1, cin, ...sp])}`,
      run: () => new (nn as Any)[cls](cout, 2).forward(T(r, [1, cin, ...sp], "float32")),
      expect: [1, cout, ...so],
    };
  }
  if (kind === 2) {
    const cls = r.pick(["LazyBatchNorm1d", "LazyInstanceNorm2d", "LazyLinear"]);
    return {
      names: [cls, "UninitializedParameter", "lazy"],
      desc: `${cls} uninitialized use / bad input`,
      run: () =>
        r.pick([
          () => (new (nn as Any)[cls](cls === "LazyLinear" ? 2 : undefined) as Any).weight.shape[0].toFixed(),
          () => new (nn as Any)[cls](cls === "LazyLinear" ? 2 : undefined).forward(r.pick(JUNK)),
          () => new nn.LazyLinear(r.pick([-1, 1.5, "2"]) as Any),
        ])(),
      mustThrow: true,
    };
  }
  const fn = r.pick(INITS);
  const s = r.shape(r.int(0, 5), 0, 3);
  const rank = s.length;
  const needs2 = ["xavierUniform_", "xavierNormal_", "kaimingUniform_", "kaimingNormal_", "orthogonal_"].includes(fn);
  // PyTorch 1.13: kaiming_* return a zero-element tensor untouched before computing fans (a warning, no error)
  const ok = fn === "eye_" || fn === "sparse_"
    ? rank === 2
    : fn === "dirac_"
    ? rank >= 3 && rank <= 5
    : needs2
    ? rank >= 2 || (fn.startsWith("kaiming") && prod(s) === 0)
    : true;
  // xavier's std divides by fanIn + fanOut: PyTorch's ZeroDivisionError when both are 0
  const xavierZero = fn.startsWith("xavier") && rank >= 2 && (s[0] + s[1]) * prod(s.slice(2)) === 0;
  if (kind <= 5) {
    return {
      names: [fn],
      desc: `init.${fn}(${shapeStr(s)})`,
      run: () => {
        const t = dt.empty(s);
        return fn === "sparse_" ? nn.init.sparse_(t, 0.5) : (nn.init as Any)[fn](t);
      },
      expect: ok && !xavierZero ? s : undefined,
      mustThrow: !ok || xavierZero,
    };
  }
  return {
    names: [fn],
    desc: `init.${fn} junk`,
    run: () => (nn.init as Any)[fn](r.pick(JUNK), ...(fn === "sparse_" ? [0.5] : [])),
    mustThrow: true,
  };
});

family("huge sizes ext", 2, (r) => {
  // sizes whose results pass 2^31-1 elements (or overflow int32) must be refused by name, before any
  // allocation or native call
  const big = r.pick([2 ** 31, 2 ** 33, 2 ** 40]);
  const cases: [string[], string, () => unknown][] = [
    [["pad"], "F.pad by a huge amount", () => F.pad(T(r, [1, 2], "float32"), [big, 0])],
    [["pad"], "F.pad replicate by a huge amount", () => F.pad(T(r, [1, 1, 2], "float32"), [0, big], "replicate")],
    [["unfold"], "F.unfold with huge padding", () => F.unfold(T(r, [1, 1, 3, 3], "float32"), 2, { padding: big })],
    [
      ["fold"],
      "F.fold to a huge output",
      () => F.fold(T(r, [1, 1, 1], "float32"), [big, 2 ** 16], 1, { stride: [big, 2 ** 16] }),
    ],
    [["affineGrid"], "affineGrid of a huge size", () => F.affineGrid(T(r, [1, 2, 3], "float32"), [1, 1, big, 2 ** 16])],
    [["pdist"], "pdist of 2^17 rows", () => F.pdist(T(r, [2 ** 17, 1], "float32"))],
    [
      ["localResponseNorm"],
      "localResponseNorm of a huge window",
      () => F.localResponseNorm(T(r, [1, 2, 3], "float32"), 2 ** 31),
    ],
    [["LayerNorm"], "LayerNorm of a huge shape", () => new nn.LayerNorm([big, 2])],
    [["GroupNorm"], "GroupNorm of huge channels", () => new nn.GroupNorm(1, big)],
    [["InstanceNorm2d"], "InstanceNorm2d of huge features", () => new nn.InstanceNorm2d(big, { affine: true })],
    [["MultiheadAttention"], "MultiheadAttention of a huge width", () => new nn.MultiheadAttention(2 ** 16, 1)],
    [["MultiheadAttention"], "MultiheadAttention of a huge kdim", () => new nn.MultiheadAttention(2, 1, { kdim: big })],
    [["EmbeddingBag"], "EmbeddingBag of a huge table", () => new nn.EmbeddingBag(big, 2)],
    [["Embedding"], "Embedding of a huge table", () => new nn.Embedding(2 ** 16, 2 ** 16)],
    [["LazyLinear"], "LazyLinear of huge outFeatures", () => new nn.LazyLinear(big)],
    [["LazyLinear"], "LazyLinear materialized huge", () => new nn.LazyLinear(2 ** 16).forward(T(r, [1, 2 ** 16]))],
  ];
  const [names, desc, run] = r.pick(cases);
  return { names, desc: `${desc} (${big})`, run, mustThrow: true };
});

// ---------------------------------------------------------------- the loop
const INTERNAL = [
  /Cannot read propert/i,
  /Cannot set propert/i,
  /is not a function/,
  /is not iterable/,
  /is not a constructor/,
  /undefined is not/,
  /Invalid array length/,
  /Invalid typed array length/,
  /Array buffer allocation failed/,
  /Maximum call stack/,
  /Cannot convert .* to a BigInt/,
  /Cannot mix BigInt/,
  /Cannot convert a Symbol/,
  /out of memory/i,
  /Offset is outside the bounds/,
  /Start offset .* is outside/,
  /byte length of .* should be a multiple/,
];

function shapesOf(v: unknown): unknown {
  if (v instanceof dt.Tensor) return [...v.shape];
  if (Array.isArray(v)) return v.map(shapesOf);
  if (v && typeof v === "object" && "data" in (v as object)) return shapesOf((v as { data: unknown }).data);
  return null;
}

function matches(expect: unknown, got: unknown): boolean {
  if (expect === null) return true;
  if (Array.isArray(expect) && expect.every((e) => typeof e === "number")) {
    return Array.isArray(got) && got.length === expect.length && got.every((g, i) => g === expect[i]);
  }
  if (Array.isArray(expect)) return Array.isArray(got) && expect.every((e, i) => matches(e, got[i]));
  return false;
}

const seed = Number(Deno.args[0] ?? 1);
const count = Number(Deno.args[1] ?? 1000);
const verbose = Deno.args.includes("--verbose");
const rng = new Rng(seed);
dt.manualSeed(seed);
const total = gens.reduce((a, g) => a + g.weight, 0);
const violations: { family: string; desc: string; problem: string }[] = [];
let ok = 0, threw = 0;
const byFamily: Record<string, number> = {};
const msByFamily: Record<string, number> = {};
const slowest: { ms: number; desc: string }[] = [];

function noteTime(name: string, desc: string, t0: number) {
  const ms = performance.now() - t0;
  msByFamily[name] = (msByFamily[name] ?? 0) + ms;
  if (ms > 50) slowest.push({ ms: Math.round(ms), desc: `[${name}] ${desc}` });
}

for (let i = 0; i < count; i++) {
  let u = rng.next() * total;
  const fam = gens.find((g) => (u -= g.weight) < 0) ?? gens[gens.length - 1];
  byFamily[fam.name] = (byFamily[fam.name] ?? 0) + 1;
  let c: Case;
  try {
    c = fam.gen(rng);
  } catch (e) {
    violations.push({
      family: fam.name,
      desc: "case generation",
      problem: `generator threw: ${(e as Error)?.stack ?? e}`,
    });
    continue;
  }
  const report = (problem: string) => {
    violations.push({ family: fam.name, desc: c.desc, problem });
    if (verbose) console.error(`[${fam.name}] ${c.desc}: ${problem}`);
  };
  let result: unknown;
  const t0 = performance.now();
  try {
    result = dt.tidy(() => {
      const v = c.run();
      return { shapes: shapesOf(v) } as Any;
    });
  } catch (e) {
    noteTime(fam.name, c.desc, t0);
    threw++;
    if (!(e instanceof Error)) {
      report(`threw a non-Error: ${String(e)}`);
      continue;
    }
    if (!(e instanceof TypeError || e instanceof RangeError) && e.constructor !== Error) {
      report(`threw ${e.constructor.name}: ${e.message}`);
      continue;
    }
    if (INTERNAL.some((p) => p.test(e.message))) {
      report(`internal error: ${e.constructor.name}: ${e.message}`);
      continue;
    }
    const msg = e.message.toLowerCase();
    if (!c.names.some((n) => msg.includes(n.toLowerCase()))) {
      report(`message does not name the call (${c.names.join("/")}): ${e.constructor.name}: ${e.message}`);
      continue;
    }
    if (c.expect !== undefined) report(`valid call threw ${e.constructor.name}: ${e.message}`);
    continue;
  }
  noteTime(fam.name, c.desc, t0);
  if (c.mustThrow) {
    report(`accepted invalid input (returned ${JSON.stringify((result as Any)?.shapes)})`);
    continue;
  }
  if (c.expect !== undefined && !matches(c.expect, (result as Any).shapes)) {
    report(`shape ${JSON.stringify((result as Any).shapes)}, PyTorch gives ${JSON.stringify(c.expect)}`);
    continue;
  }
  ok++;
}

slowest.sort((a, b) => b.ms - a.ms);
const ms = Object.fromEntries(Object.entries(msByFamily).map(([k, v]) => [k, Math.round(v)]));
console.log(JSON.stringify({ seed, cases: count, ok, threw, byFamily, ms, slowest: slowest.slice(0, 10), violations }));
