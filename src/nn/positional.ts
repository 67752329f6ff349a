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
  /** The option key (camelCase PyTorch name). */
  name: string;
  /** What values it takes. */
  kind: ArgKind;
  /** Its value when not given. */
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
  let np = args.length;
  while (np > 0 && args[np - 1] === undefined) np--;
  let opts: Record<string, unknown> | null = null;
  if (np > 0 && isOptions(args[np - 1])) opts = args[--np] as Record<string, unknown>;
  while (np > 0 && args[np - 1] === undefined) np--;
  let positional = 0;
  for (const s of specs) if (!s.keywordOnly) positional++;
  if (np > positional) {
    const names = specs.filter((s) => !s.keywordOnly).map((s) => s.name);
    throw new TypeError(
      `${call}: takes at most ${positional} positional argument(s) (${names.join(", ")}), got ${np}`,
    );
  }
  const out: Record<string, unknown> = {};
  let pi = 0;
  for (const s of specs) {
    let from: string | null = null;
    let v: unknown;
    if (!s.keywordOnly) {
      if (pi < np && args[pi] !== undefined) {
        v = args[pi];
        from = s.name;
      }
      pi++;
    }
    if (opts !== null) {
      for (const key of s.aliases ? [s.name, ...s.aliases] : [s.name]) {
        if (opts[key] === undefined) continue;
        if (from !== null) throw new TypeError(`${call}: got multiple values for ${s.name} (${from} and ${key})`);
        v = opts[key];
        from = key;
      }
    }
    out[s.name] = from === null ? s.default : checkKind(call, s, v);
  }
  if (opts !== null) {
    for (const k of Object.keys(opts)) {
      if (!specs.some((s) => s.name === k || (s.aliases?.includes(k) ?? false))) {
        const known = specs.flatMap((s) => [s.name, ...(s.aliases ?? [])]);
        throw new TypeError(`${call}: unknown option "${k}" (expected ${known.join(", ")})`);
      }
    }
  }
  return out;
}
