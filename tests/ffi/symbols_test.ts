/**
 * The C header and the TypeScript mirrors must agree: every DT_API function of
 * native/include/denotorch.h is in src/ffi/symbols.ts with the same parameter count and kinds
 * (and nothing extra is there), and the header's enums match src/backend/ops.ts (names and
 * order), the Status codes of src/ffi/mod.ts and the dtype codes of src/backend/dtype.ts.
 * Parsing only: this file needs no built library.
 */
import assert from "node:assert/strict";
import { symbols } from "../../src/ffi/symbols.ts";
import * as ops from "../../src/backend/ops.ts";
import { DTYPES } from "../../src/backend/dtype.ts";

const root = new URL("../../", import.meta.url);
const headerText = Deno.readTextFileSync(new URL("native/include/denotorch.h", root));
const symbolsText = Deno.readTextFileSync(new URL("src/ffi/symbols.ts", root));

function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, " ").replace(/\/\/[^\n]*/g, " ");
}

const code = stripComments(headerText);

interface CParam {
  type: string;
  name: string;
  pointer: boolean;
}
interface CFunction {
  name: string;
  result: string;
  params: CParam[];
}

/** Every `DT_API <result> <name>(<params>);` declaration of the header. */
function parseFunctions(src: string): CFunction[] {
  const out: CFunction[] = [];
  const re = /DT_API\s+([A-Za-z_][\w\s\*]*?)\s*\b(dt_\w+)\s*\(([^)]*)\)\s*;/g;
  for (const m of src.matchAll(re)) {
    const raw = m[3].replace(/\s+/g, " ").trim();
    const params: CParam[] = raw === "" || raw === "void" ? [] : raw.split(",").map((p) => {
      const t = p.trim();
      const nm = /([A-Za-z_]\w*)\s*(\[\s*\d*\s*\])?$/.exec(t);
      assert.ok(nm, `cannot parse parameter "${t}" of ${m[2]}`);
      const type = t.slice(0, nm.index).trim();
      return { type, name: nm[1], pointer: type.includes("*") || nm[2] !== undefined };
    });
    out.push({ name: m[2], result: m[1].replace(/\s+/g, " ").trim(), params });
  }
  return out;
}

/** The FFI kinds a C parameter type may be declared as. */
function kindsFor(p: CParam, fn: string): string[] {
  if (p.pointer) return ["buffer", "pointer"];
  const base = p.type.replace(/\bconst\b/g, "").trim();
  const map: Record<string, string> = {
    int32_t: "i32",
    uint32_t: "u32",
    int64_t: "i64",
    uint64_t: "u64",
    int16_t: "i16",
    uint16_t: "u16",
    int8_t: "i8",
    uint8_t: "u8",
    double: "f64",
    float: "f32",
  };
  const k = map[base];
  assert.ok(k, `${fn}: parameter ${p.name} has a type (${p.type}) the bindings have no rule for`);
  return [k];
}

function resultKind(result: string, fn: string): string[] {
  if (result.includes("*")) return ["pointer", "buffer"];
  const map: Record<string, string> = { int32_t: "i32", uint32_t: "u32", double: "f64", void: "void", float: "f32" };
  assert.ok(map[result], `${fn}: result type ${result} has no rule`);
  return [map[result]];
}

const functions = parseFunctions(code);
type SymbolDef = { parameters: readonly string[]; result: string; optional?: boolean };
const table = symbols as unknown as Record<string, SymbolDef>;

Deno.test("the header parser finds the foundation's declarations", () => {
  // Guards the test itself: a parser that found nothing would pass everything below.
  const names = new Set(functions.map((f) => f.name));
  for (
    const n of ["dt_last_error", "dt_binary", "dt_unary_backward", "dt_gemm_batched", "dt_scatter", "dt_rand_normal"]
  ) {
    assert.ok(names.has(n), `parser missed ${n}`);
  }
  const declared = (code.match(/\bDT_API\b/g) ?? []).length;
  // "#define DT_API ..." appears twice (Windows and other platforms).
  assert.equal(functions.length, declared - 2, "every DT_API declaration must parse");
  const gemm = functions.find((f) => f.name === "dt_gemm")!;
  assert.equal(gemm.params.length, 17);
  assert.deepEqual(gemm.params.slice(6, 8).map((p) => [p.type, p.pointer]), [["double", false], ["const void*", true]]);
});

Deno.test("every DT_API function is in symbols.ts with matching parameter kinds", () => {
  const problems: string[] = [];
  for (const f of functions) {
    const s = table[f.name];
    if (!s) {
      problems.push(`${f.name}: declared in denotorch.h but missing from src/ffi/symbols.ts`);
      continue;
    }
    if (s.parameters.length !== f.params.length) {
      problems.push(`${f.name}: ${f.params.length} parameters in C, ${s.parameters.length} in symbols.ts`);
      continue;
    }
    f.params.forEach((p, i) => {
      const ok = kindsFor(p, f.name);
      if (!ok.includes(s.parameters[i])) {
        problems.push(
          `${f.name}: parameter ${i} (${p.type} ${p.name}) is "${s.parameters[i]}", expected ${ok.join("/")}`,
        );
      }
    });
    const rk = resultKind(f.result, f.name);
    if (!rk.includes(s.result)) problems.push(`${f.name}: result ${f.result} declared as "${s.result}"`);
  }
  assert.deepEqual(problems, []);
});

Deno.test("symbols.ts declares nothing the header lacks, each with its C signature comment", () => {
  const declared = new Set(functions.map((f) => f.name));
  const extra = Object.keys(table).filter((k) => !declared.has(k));
  assert.deepEqual(extra, [], "symbols without a DT_API declaration");
  const undocumented = Object.keys(table).filter((k) => {
    const at = symbolsText.indexOf(`  ${k}: {`);
    if (at < 0) return true;
    const before = symbolsText.slice(0, at).trimEnd();
    return !before.endsWith("*/");
  });
  assert.deepEqual(undocumented, [], "symbols without a /** C signature */ comment");
});

interface CEnum {
  name: string;
  members: { name: string; value: number }[];
}

function parseEnums(src: string): CEnum[] {
  const out: CEnum[] = [];
  for (const m of src.matchAll(/typedef\s+enum\s*\{([^}]*)\}\s*(\w+)\s*;/g)) {
    let next = 0;
    const members = m[1].split(",").map((x) => x.trim()).filter((x) => x !== "").map((entry) => {
      const e = /^(\w+)\s*(?:=\s*(-?\d+))?$/.exec(entry);
      assert.ok(e, `cannot parse enum entry "${entry}" of ${m[2]}`);
      const value = e[2] !== undefined ? Number(e[2]) : next;
      next = value + 1;
      return { name: e[1], value };
    });
    out.push({ name: m[2], members });
  }
  return out;
}

const enums = parseEnums(code);

/** Members in value order without the trailing _COUNT (checked to be last and equal to the count). */
function namesOf(e: CEnum): string[] {
  const last = e.members[e.members.length - 1];
  assert.ok(last.name.endsWith("_COUNT"), `${e.name} should end with a *_COUNT member`);
  const body = e.members.slice(0, -1);
  assert.equal(last.value, body.length, `${e.name}: ${last.name} = ${last.value} but there are ${body.length} members`);
  body.forEach((m, i) => assert.equal(m.value, i, `${e.name}: ${m.name} has value ${m.value}, expected ${i}`));
  return body.map((m) => m.name);
}

Deno.test("op enums match src/backend/ops.ts names and order", () => {
  const arrays = Object.entries(ops).filter(([k, v]) => k.endsWith("_NAMES") && Array.isArray(v)) as [
    string,
    readonly string[],
  ][];
  const opEnums = enums.filter((e) => e.name !== "dt_status" && e.name !== "dt_dtype");
  assert.ok(opEnums.length >= 4, `expected the four foundation op enums, found ${opEnums.map((e) => e.name)}`);
  for (const e of opEnums) {
    const names = namesOf(e);
    const match = arrays.find(([, arr]) => arr[0] === names[0]);
    assert.ok(match, `${e.name} (${names[0]}, ...) has no *_NAMES array in src/backend/ops.ts`);
    assert.deepEqual([...match[1]], names, `${e.name} vs ${match[0]}`);
  }
  // The code objects index the arrays.
  assert.equal(ops.Binary.DT_REMAINDER, ops.BINARY_NAMES.indexOf("DT_REMAINDER"));
  assert.equal(ops.Unary.DT_ERF, ops.UNARY_NAMES.indexOf("DT_ERF"));
  assert.equal(ops.Unary.DT_HARDSHRINK, ops.UNARY_NAMES.indexOf("DT_HARDSHRINK"));
  assert.equal(ops.UnaryBw.DT_BW_HARDSHRINK, ops.UNARY_BW_NAMES.indexOf("DT_BW_HARDSHRINK"));
  assert.equal(ops.Reduce.DT_RED_LOGSUMEXP, ops.REDUCE_NAMES.indexOf("DT_RED_LOGSUMEXP"));
});

Deno.test("dt_dtype codes match src/backend/dtype.ts; dt_status matches the Status table", async () => {
  const dtype = enums.find((e) => e.name === "dt_dtype")!;
  const byName: Record<string, string> = {
    DT_F32: "float32",
    DT_F64: "float64",
    DT_I64: "int64",
    DT_I32: "int32",
    DT_U8: "uint8",
    DT_BOOL: "bool",
  };
  for (const m of namesOf(dtype).map((n, i) => ({ n, i }))) {
    const d = byName[m.n];
    assert.ok(d, `dt_dtype member ${m.n} has no TypeScript dtype`);
    assert.equal(DTYPES[d as keyof typeof DTYPES].code, m.i, `${m.n}`);
  }
  // Source-level check of the Status table in src/ffi/mod.ts (importing it would load the library).
  const modText = await Deno.readTextFile(new URL("src/ffi/mod.ts", root));
  const statusBlock = /export const Status = \{([^}]*)\}/.exec(modText)![1];
  const ts = [...statusBlock.matchAll(/(\w+):\s*(\d+)/g)].map((m) => [m[1], Number(m[2])]);
  const status = enums.find((e) => e.name === "dt_status")!;
  const c = namesOf(status).map((n, i) => [n.replace(/^DT_(ERR_)?/, ""), i]);
  assert.deepEqual(ts, c);
  // Header macros that TypeScript relies on.
  assert.match(headerText, /#define DT_MAX_DIMS 16\b/);
});
