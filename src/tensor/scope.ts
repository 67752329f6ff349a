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
const scopes: Scope[] = [];

/**
 * The tensors one tidy callback created (or that inner scopes promoted to it), in `items[0..n)`.
 * Finished scopes are reused with their capacity: a fresh array grown by a thousand pushes a
 * step cost every tiny op about 26 bytes of reallocation.
 */
export class Scope {
  /** The tracked tensors; slots at and past `n` are null. */
  items: (Tensor | null)[] = [];
  /** How many slots are in use. */
  n = 0;
  /** Records `t` in this scope. */
  add(t: Tensor): void {
    this.items[this.n++] = t;
    t._scope = this;
  }
}

/** Finished scopes kept for reuse (a few, and only those whose list stayed moderate). */
const spare: Scope[] = [];
const MAX_SPARE = 16;
const MAX_SPARE_ITEMS = 1 << 16;

/** Empties a finished scope and keeps it for the next tidy. */
function recycle(scope: Scope): void {
  scope.items.fill(null, 0, scope.n);
  scope.n = 0;
  if (spare.length < MAX_SPARE && scope.items.length <= MAX_SPARE_ITEMS) spare.push(scope);
}

/**
 * Records a new tensor in the innermost tidy scope (called by the Tensor constructor).
 * Returns false when no scope is open (the tensor must then register its finalizer itself).
 */
export function track(t: Tensor): boolean {
  const k = scopes.length;
  if (k === 0) return false;
  scopes[k - 1].add(t);
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
  const scope = spare.pop() ?? new Scope();
  scopes.push(scope);
  const items = scope.items;
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    for (let i = 0; i < scope.n; i++) if (items[i]!._scope === scope) items[i]!.dispose();
    recycle(scope);
    throw e;
  }
  scopes.pop();
  if (result instanceof Promise) {
    // The async continuation may still use them: they live on as if created outside tidy.
    for (let i = 0; i < scope.n; i++) if (items[i]!._scope === scope) items[i]!._escape();
    recycle(scope);
    throw new TypeError("tidy: the callback must be synchronous; it returned a Promise");
  }
  const keepSet = new Set<Tensor>();
  collect(result, keepSet, new Set());
  if (keepSet.size === 0) {
    // Nothing returned: every tensor of the scope goes (the common training-step case).
    for (let i = 0; i < scope.n; i++) if (items[i]!._scope === scope) items[i]!.dispose();
    recycle(scope);
    return result;
  }
  const needed = graphTensors(keepSet);
  const parent = scopes.length ? scopes[scopes.length - 1] : null;
  for (let i = 0; i < scope.n; i++) {
    const t = items[i]!;
    if (t._scope !== scope) continue;
    if (keepSet.has(t) || needed.has(t)) {
      if (parent !== null) parent.add(t);
      else t._escape();
    } else t.dispose();
  }
  recycle(scope);
  return result;
}
