/**
 * Argument parsing for calls whose PyTorch arguments may come positionally, in a trailing
 * options object, or both: `new nn.LeakyReLU(0.2)`, `new nn.LeakyReLU({ negativeSlope: 0.2 })`,
 * `F.leakyRelu(x, 0.2, { inplace: true })`. Used by the activation, normalization, loss and
 * distance families.
 *
 * @module
 */

import { isTensor } from "../tensor/mod.ts";
import { describe } from "../tensor/shape.ts";

/** The kind of value an argument takes. */
export type ArgKind =
  | "number"
  | "boolean"
  | "boolean?"
  | "int"
  | "int?"
  | "number?"
  | "tensor?"
  | "string?"
  | "any";

/** One argument: its name, kind, default and other accepted option keys. */
export interface ArgSpec {
  name: string;
  kind: ArgKind;
  default: unknown;
  /** Other option keys meaning the same (e.g. the seed's `minValue` for `minVal`). */
  aliases?: readonly string[];
  /** Taken only from the options object, never positionally. */
  keywordOnly?: boolean;
}

/** True for a plain options object (not a tensor, array or null). */
export function isOptions(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !isTensor(v);
}

function checkKind(call: string, spec: ArgSpec, v: unknown): unknown {
  const bad = (what: string) => new TypeError(`${call}: expected ${spec.name} to be ${what}, got ${describe(v)}`);
  switch (spec.kind) {
    case "number":
      if (typeof v !== "number" || Number.isNaN(v)) throw bad("a number");
      return v;
    case "number?":
      if (v === null) return null;
      if (typeof v !== "number" || Number.isNaN(v)) throw bad("a number or null");
      return v;
    case "int":
      if (typeof v !== "number" || !Number.isInteger(v)) throw bad("an integer");
      return v;
    case "int?":
      if (v === null) return null;
      if (typeof v !== "number" || !Number.isInteger(v)) throw bad("an integer or null");
      return v;
    case "boolean":
      if (typeof v !== "boolean") throw bad("a boolean");
      return v;
    case "boolean?":
      if (v === null) return null;
      if (typeof v !== "boolean") throw bad("a boolean or null");
      return v;
    case "tensor?":
      if (v === null) return null;
      if (!isTensor(v)) throw bad("a Tensor or null");
      v._live(call);
      return v;
    case "string?":
      if (v === null) return null;
      if (typeof v !== "string") throw bad("a string");
      return v;
    default:
      return v;
  }
}

/**
 * Resolves `args` (positional values, optionally followed by one options object) against
 * `specs`. Unknown option keys and values given twice are TypeErrors naming `call`.
 */
export function parseArgs(call: string, args: readonly unknown[], specs: readonly ArgSpec[]): Record<string, unknown> {
  let positional = args;
  let opts: Record<string, unknown> = {};
  if (args.length > 0 && isOptions(args[args.length - 1])) {
    opts = args[args.length - 1] as Record<string, unknown>;
    positional = args.slice(0, -1);
  }
  while (positional.length > 0 && positional[positional.length - 1] === undefined) {
    positional = positional.slice(0, -1);
  }
  const byPosition = specs.filter((s) => !s.keywordOnly);
  if (positional.length > byPosition.length) {
    throw new TypeError(
      `${call}: takes at most ${byPosition.length} positional argument(s) (${
        byPosition.map((s) => s.name).join(", ")
      }), got ${positional.length}`,
    );
  }
  const known = new Map<string, ArgSpec>();
  for (const s of specs) {
    known.set(s.name, s);
    for (const a of s.aliases ?? []) known.set(a, s);
  }
  for (const k of Object.keys(opts)) {
    if (!known.has(k)) {
      throw new TypeError(`${call}: unknown option "${k}" (expected ${[...known.keys()].join(", ")})`);
    }
  }
  const out: Record<string, unknown> = {};
  specs.forEach((s) => {
    const i = byPosition.indexOf(s);
    const given: [string, unknown][] = [];
    if (i >= 0 && i < positional.length && positional[i] !== undefined) given.push([s.name, positional[i]]);
    for (const key of [s.name, ...(s.aliases ?? [])]) {
      if (opts[key] !== undefined) given.push([key, opts[key]]);
    }
    if (given.length > 1) {
      throw new TypeError(`${call}: got multiple values for ${s.name} (${given.map(([k]) => k).join(" and ")})`);
    }
    out[s.name] = given.length ? checkKind(call, s, given[0][1]) : s.default;
  });
  return out;
}
