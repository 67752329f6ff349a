/**
 * Tensor lifetime tracking for `tidy`: every tensor created while a tidy callback runs is
 * recorded in the innermost scope, and disposed when the callback returns unless it is
 * returned, kept (`keep`), or needed by the autograd graph of a returned tensor.
 *
 * @module
 */

import type { Tensor } from "./tensor.ts";

const scopes: Set<Tensor>[] = [];

/** Records a new tensor in the innermost tidy scope (called by the Tensor constructor). */
export function track(t: Tensor): void {
  if (scopes.length) scopes[scopes.length - 1].add(t);
}

/**
 * Marks a tensor as living beyond the current `tidy` scopes (parameters, gradients, buffers
 * and optimizer state do this themselves). Returns the tensor.
 *
 * @example
 * ```ts
 * import { keep, ones, tidy } from "../../mod.ts";
 * let kept;
 * tidy(() => { kept = keep(ones([2])); });
 * console.log(kept!.sum().item()); // 2
 * ```
 */
export function keep<T extends Tensor>(t: T): T {
  for (const s of scopes) s.delete(t);
  return t;
}

function collect(value: unknown, out: Set<Tensor>, seen: Set<unknown>): void {
  if (value === null || typeof value !== "object" || seen.has(value)) return;
  seen.add(value);
  if ((value as { _isTensor?: boolean })._isTensor) {
    out.add(value as Tensor);
    return;
  }
  if (Array.isArray(value)) { for (const v of value) collect(v, out, seen); }
  else if (value instanceof Map) { for (const v of value.values()) collect(v, out, seen); }
  else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collect(v, out, seen);
  } else if ("data" in value && "batchSizes" in value) collect(Object.values(value), out, seen);
}

/** Adds to `out` every tensor the graphs of `roots` still need (inputs and saved tensors). */
function graphTensors(roots: Set<Tensor>): Set<Tensor> {
  const out = new Set<Tensor>();
  const seenNodes = new Set<unknown>();
  const stack = [...roots];
  while (stack.length) {
    const t = stack.pop()!;
    const n = t.gradFn;
    if (!n || seenNodes.has(n)) continue;
    seenNodes.add(n);
    for (const x of n.inputs) {
      out.add(x);
      stack.push(x);
    }
    for (const x of n.saved) {
      out.add(x);
      stack.push(x);
    }
  }
  return out;
}

/**
 * Runs `fn` and disposes every tensor it created, except the tensors it returns (alone, or
 * in an array or plain object), tensors passed to `keep`, and tensors the autograd graph of a
 * returned tensor still needs. `fn` must be synchronous.
 *
 * @example
 * ```ts
 * import { memory, ones, tidy } from "../../mod.ts";
 * const before = memory().bytesInUse;
 * const total = tidy(() => ones([1000]).mul(2).sum().item());
 * console.log(total, memory().bytesInUse === before); // 2000 true
 * ```
 */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== "function") throw new TypeError(`tidy: expected a function, got ${typeof fn}`);
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    for (const t of scope) t.dispose();
    throw e;
  }
  scopes.pop();
  if (result instanceof Promise) {
    throw new TypeError("tidy: the callback must be synchronous; it returned a Promise");
  }
  const keepSet = new Set<Tensor>();
  collect(result, keepSet, new Set());
  const needed = graphTensors(keepSet);
  const parent = scopes.length ? scopes[scopes.length - 1] : null;
  for (const t of scope) {
    if (keepSet.has(t) || needed.has(t)) parent?.add(t);
    else t.dispose();
  }
  return result;
}
