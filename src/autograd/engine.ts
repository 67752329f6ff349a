/**
 * The backward pass: walks the graph from the outputs in topological order, runs each
 * node's backward once all of its output gradient has arrived, accumulates leaf gradients
 * into `.grad`, and frees the graph unless `retainGraph` is set.
 *
 * @module
 */

import { setGradEnabled } from "./grad_mode.ts";
import { type BackwardFn, type Node, record } from "./node.ts";
import type { Tensor } from "../tensor/tensor.ts";

/** Options of a backward pass. */
export interface BackwardOptions {
  /** Keep the graph so backward can run through it again (defaults to `createGraph`). */
  retainGraph?: boolean;
  /**
   * Record the backward pass itself, so the gradients it returns (or accumulates into
   * `.grad`) require grad and can be differentiated again (PyTorch's `create_graph=True`).
   */
  createGraph?: boolean;
}

/**
 * With `createGraph`, runs the backward of a node that is not marked twice-differentiable
 * without recording, and gives each gradient it returns a node that throws when a second
 * backward reaches it: a native backward kernel has no derivative of its own, and silently
 * treating its gradient as a constant would give wrong higher-order derivatives.
 */
function runOnceOnly(node: Node, backward: BackwardFn, g: Tensor): readonly (Tensor | null | undefined)[] {
  setGradEnabled(false);
  let outs: readonly (Tensor | null | undefined)[];
  try {
    outs = backward(g);
  } finally {
    setGradEnabled(true);
  }
  // The gradient depends on the incoming gradient and (in general) on the op's inputs.
  const deps = [g, ...node.inputs].filter((t) => t.requiresGrad);
  if (deps.length === 0) return outs;
  const name = node.name;
  const fail = (): never => {
    throw new Error(
      `backward: ${name} is not differentiable twice in denotorch (its backward is a native kernel); ` +
        "the gradient it computed cannot be differentiated again",
    );
  };
  return outs.map((o) => (o ? record(`${name}Backward`, o.detach(), deps, fail) : o));
}

/** Runs gradient hooks; every tensor a hook saw or returned goes into `seen` (it may be kept). */
function runHooks(hooks: ((g: Tensor) => Tensor | void | undefined)[] | null, g: Tensor, seen: Set<Tensor>): Tensor {
  if (hooks === null || hooks.length === 0) return g;
  for (const h of hooks) {
    seen.add(g);
    const r = h(g);
    if (r !== undefined && r !== null) g = r as Tensor;
  }
  seen.add(g);
  return g;
}

function checkGradShape(t: Tensor, g: Tensor, call: string): void {
  const a = t.shape, b = g.shape;
  if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
    throw new RangeError(
      `${call}: gradient of shape [${b.join(", ")}] does not match tensor of shape [${a.join(", ")}]`,
    );
  }
}

/**
 * Runs backward from `roots` with the given output gradients. With `capture`, gradients of
 * those tensors are collected and returned instead of accumulated into leaves (autograd.grad).
 */
export function runBackward(
  roots: readonly Tensor[],
  grads: readonly Tensor[],
  opts: BackwardOptions,
  capture?: readonly Tensor[],
): (Tensor | null)[] | undefined {
  const create = opts.createGraph ?? false;
  const retain = opts.retainGraph ?? create;
  const captured = capture ? new Map<Tensor, Tensor | null>(capture.map((t) => [t, null])) : null;
  const captureNode = new Map<Node, Tensor>();
  if (capture) { for (const t of capture) if (t.gradFn) captureNode.set(t.gradFn, t); }

  // 1. Discover reachable nodes and count incoming edges.
  const deps = new Map<Node, number>();
  const stack: Node[] = [];
  for (const r of roots) {
    if (r.gradFn && !deps.has(r.gradFn)) {
      deps.set(r.gradFn, 0);
      stack.push(r.gradFn);
    }
  }
  while (stack.length) {
    const n = stack.pop()!;
    for (const f of n.inputFns) {
      if (!f) continue;
      const d = deps.get(f);
      if (d === undefined) {
        deps.set(f, 1);
        stack.push(f);
      } else deps.set(f, d + 1);
    }
  }

  const pending = new Map<Node, Tensor>();
  // Gradient tensors a leaf must not adopt as its .grad without a copy: the caller's seeds,
  // tensors a hook saw, and tensors one backward returned for several inputs.
  const shared = new Set<Tensor>(grads);
  const accumulate = (map: Map<Node, Tensor>, n: Node, g: Tensor) => {
    const prev = map.get(n);
    map.set(n, prev === undefined ? g : prev.add(g));
  };
  const toLeaf = (t: Tensor, g: Tensor) => {
    if (captured) {
      if (captured.has(t)) {
        const prev = captured.get(t);
        captured.set(t, prev ? prev.add(g) : g);
      }
      return;
    }
    const h = runHooks(t._hooks, g, shared);
    t._accumulateGrad(h, !shared.has(h), create);
  };

  // With createGraph the backward closures run in grad mode: the ops they call record a graph.
  const prevMode = setGradEnabled(create);
  try {
    for (let i = 0; i < roots.length; i++) {
      const r = roots[i];
      checkGradShape(r, grads[i], "backward");
      if (r.gradFn) accumulate(pending, r.gradFn, grads[i]);
      else if (r.requiresGrad) toLeaf(r, grads[i]);
    }
    const ready: Node[] = [];
    for (const [n, d] of deps) if (d === 0) ready.push(n);
    while (ready.length) {
      const node = ready.pop()!;
      let g = pending.get(node);
      pending.delete(node);
      const outputs = g === undefined ? null : (() => {
        g = runHooks(node.hooks, g!, shared);
        const cap = captureNode.get(node);
        if (cap && captured) captured.set(cap, captured.get(cap) ? captured.get(cap)!.add(g) : g);
        if (node.backward === null) {
          throw new Error(
            `backward: trying to backward through the graph a second time (through ${node.name}); ` +
              "its saved tensors were freed. Pass { retainGraph: true } to the first backward.",
          );
        }
        checkVersions(node);
        return create && !node.twice ? runOnceOnly(node, node.backward, g!) : node.backward(g);
      })();
      if (outputs) {
        for (let i = 0; i < outputs.length; i++) {
          const o = outputs[i];
          if (o && outputs.indexOf(o) !== i) shared.add(o);
        }
      }
      for (let i = 0; i < node.inputs.length; i++) {
        const inp = node.inputs[i];
        const gi = outputs?.[i];
        const f = node.inputFns[i];
        if (gi && node.inputNeeds[i]) {
          if (f) accumulate(pending, f, gi);
          else toLeaf(inp, gi);
        }
        if (f) {
          const d = deps.get(f)! - 1;
          deps.set(f, d);
          if (d === 0) ready.push(f);
        }
      }
      if (!retain) {
        node.backward = null;
        node.saved = [];
      }
    }
  } finally {
    setGradEnabled(prevMode);
  }
  return captured ? capture!.map((t) => captured.get(t) ?? null) : undefined;
}

function checkVersions(node: Node): void {
  const all = node.saved;
  for (let i = 0; i < all.length; i++) {
    if (all[i]._disposed) {
      throw new Error(
        `backward: a tensor of shape [${all[i].shape.join(", ")}] saved by ${node.name} was disposed; ` +
          "keep the tensors a graph needs alive until its backward has run",
      );
    }
    if (all[i]._version() !== node.versions[i]) {
      throw new Error(
        `backward: one of the tensors needed for gradient computation has been modified by an in-place operation ` +
          `(a tensor of shape [${all[i].shape.join(", ")}] saved by ${node.name} is at version ${all[i]._version()}; ` +
          `expected version ${node.versions[i]})`,
      );
    }
  }
}
