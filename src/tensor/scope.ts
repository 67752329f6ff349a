/**
 * Tensor lifetime tracking for `tidy`: every tensor created while a tidy callback runs is
 * recorded in the innermost scope, and disposed when the callback returns unless it is
 * returned, kept (`keep`), or needed by the autograd graph of a returned tensor.
 *
 * @module
 */

import type { Tensor } from "./tensor.ts";

/**
 * The open tidy scopes, innermost last. A scope lists the tensors created while it was the
 * innermost; a tensor belongs to the scope its `_scope` names (keep() and promotion change
 * that field instead of searching lists), so entries whose `_scope` differs are skipped.
 * A tensor that belongs to a scope is disposed or promoted when the scope ends, so it needs
 * no finalizer until it escapes the outermost one (`_escape`): temporaries never register.
 */
const scopes: Tensor[][] = [];

/**
 * Records a new tensor in the innermost tidy scope (called by the Tensor constructor).
 * Returns false when no scope is open (the tensor must then register its finalizer itself).
 */
export function track(t: Tensor): boolean {
  const n = scopes.length;
  if (n === 0) return false;
  const s = scopes[n - 1];
  s.push(t);
  t._scope = s;
  return true;
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
  if (t._scope !== null) t._escape();
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
  const scope: Tensor[] = [];
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    for (const t of scope) if (t._scope === scope) t.dispose();
    throw e;
  }
  scopes.pop();
  if (result instanceof Promise) {
    // The async continuation may still use them: they live on as if created outside tidy.
    for (const t of scope) if (t._scope === scope) t._escape();
    throw new TypeError("tidy: the callback must be synchronous; it returned a Promise");
  }
  const keepSet = new Set<Tensor>();
  collect(result, keepSet, new Set());
  if (keepSet.size === 0) {
    // Nothing returned: every tensor of the scope goes (the common training-step case).
    for (const t of scope) if (t._scope === scope) t.dispose();
    return result;
  }
  const needed = graphTensors(keepSet);
  const parent = scopes.length ? scopes[scopes.length - 1] : null;
  for (const t of scope) {
    if (t._scope !== scope) continue;
    if (keepSet.has(t) || needed.has(t)) {
      if (parent !== null) {
        parent.push(t);
        t._scope = parent;
      } else t._escape();
    } else t.dispose();
  }
  return result;
}
