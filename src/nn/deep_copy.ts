/**
 * A deep copy of a module, as Python's `copy.deepcopy` makes one: PyTorch's `_get_clones`
 * (TransformerEncoder / TransformerDecoder) builds its layer stacks with it.
 *
 * @module
 */

import { isTensor, type Tensor } from "../tensor/mod.ts";
import { noGrad } from "../autograd/grad_mode.ts";
import { Module } from "./module.ts";
import { Parameter } from "./parameter.ts";

const MODULE_INTERNALS = new Set([
  "_parameters",
  "_buffers",
  "_modules",
  "_nonPersistent",
  "_forwardHooks",
  "_forwardPreHooks",
  "_backwardHooks",
  "forward",
]);

function copyValue(v: unknown, memo: Map<unknown, unknown>): unknown {
  if (v === null || (typeof v !== "object")) return v; // primitives and functions are shared, as deepcopy does
  if (memo.has(v)) return memo.get(v);
  let out: unknown;
  if (v instanceof Module) return deepCopyModule(v, memo);
  if (v instanceof Parameter) {
    const p = new Parameter(noGrad(() => v.detach().clone()), v.requiresGrad);
    if (v.grad) p.grad = noGrad(() => v.grad!.clone());
    out = p;
  } else if (isTensor(v)) {
    out = noGrad(() => v.detach().clone()).requiresGrad_(v.requiresGrad && v.isLeaf);
  } else if (Array.isArray(v)) {
    const a: unknown[] = [];
    memo.set(v, a);
    for (const x of v) a.push(copyValue(x, memo));
    return a;
  } else if (v instanceof Map) {
    const m = new Map();
    memo.set(v, m);
    for (const [k, x] of v) m.set(k, copyValue(x, memo));
    return m;
  } else if (v instanceof Set) {
    const s = new Set();
    memo.set(v, s);
    for (const x of v) s.add(copyValue(x, memo));
    return s;
  } else if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    out = (v as unknown as { slice(): unknown }).slice();
  } else if (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null) {
    const o: Record<string, unknown> = Object.create(Object.getPrototypeOf(v));
    memo.set(v, o);
    for (const [k, x] of Object.entries(v)) o[k] = copyValue(x, memo);
    return o;
  } else {
    out = v; // other class instances are shared
  }
  memo.set(v, out);
  return out;
}

/**
 * @internal A deep copy of a module (PyTorch's `copy.deepcopy`): the same class, fields,
 * training flag and hooks, with parameters and buffers copied into new storage (a tensor
 * shared by two fields stays shared in the copy). The class's constructor is not run.
 */
export function deepCopyModule<M extends Module>(m: M, memo: Map<unknown, unknown> = new Map()): M {
  if (memo.has(m)) return memo.get(m) as M;
  const Ctor = m.constructor as new (...a: unknown[]) => Module;
  // Module's constructor sets up the registries and the hook-running forward for the subclass
  const copy = Reflect.construct(Module, [], Ctor) as M;
  memo.set(m, copy);
  for (const [k, p] of m._parameters) copy._parameters.set(k, p ? copyValue(p, memo) as Parameter : null);
  for (const [k, b] of m._buffers) copy._buffers.set(k, b ? copyValue(b, memo) as Tensor : null);
  for (const k of m._nonPersistent) copy._nonPersistent.add(k);
  for (const [k, c] of m._modules) copy._modules.set(k, c ? deepCopyModule(c, memo) : null);
  copy._forwardHooks.push(...m._forwardHooks);
  copy._forwardPreHooks.push(...m._forwardPreHooks);
  copy._backwardHooks.push(...m._backwardHooks);
  for (const key of Reflect.ownKeys(m)) {
    if (typeof key === "string" && MODULE_INTERNALS.has(key)) continue;
    const desc = Reflect.getOwnPropertyDescriptor(m, key)!;
    if ("value" in desc) desc.value = copyValue(desc.value as unknown, memo) as typeof desc.value;
    Reflect.defineProperty(copy, key, desc); // registered entries keep their order (Map.set of a known key)
  }
  return copy;
}
