/**
 * nn.Module: the base of every layer. Submodules, Parameters and buffers register by being
 * assigned to fields (a Proxy plays the part of PyTorch's `__setattr__`), and calling
 * `forward` runs the hooks around the subclass's implementation.
 *
 * Subclasses must not use `#private` fields: the instance is a Proxy.
 *
 * @module
 */

import {
  type Device,
  type DType,
  empty,
  isTensor,
  keep,
  type RemovableHandle,
  type Tensor,
  zeros,
} from "../tensor/mod.ts";
import { isGradEnabled, noGrad } from "../autograd/grad_mode.ts";
import { record } from "../autograd/node.ts";
import { describe, fmt, sameShape } from "../tensor/shape.ts";
import { Parameter } from "./parameter.ts";

/** A forward pre-hook: may return replacement inputs (an array, or one value). */
export type ForwardPreHook = (module: Module, input: unknown[]) => unknown;
/** A forward hook: may return a replacement output. */
export type ForwardHook = (module: Module, input: unknown[], output: unknown) => unknown;
/** A backward hook: sees gradients w.r.t. the module's inputs and outputs; may return new input gradients. */
export type BackwardHook = (
  module: Module,
  gradInput: (Tensor | null)[],
  gradOutput: (Tensor | null)[],
) => (Tensor | null)[] | void | undefined;

/**
 * @internal A hook a module may define to adapt itself before a parent's `loadStateDict` reads
 * its shapes: `get` looks up a key of the loaded dict, `prefix` is this module's key prefix.
 */
export type BeforeLoad = (get: (key: string) => unknown, prefix: string) => void;

/** What `loadStateDict` reports. */
export interface LoadResult {
  /** Keys of this module's state dict that the loaded dict lacks. */
  missingKeys: string[];
  /** Keys of the loaded dict that name nothing in this module. */
  unexpectedKeys: string[];
}

/**
 * A hook run after `loadStateDict` (PyTorch's `register_load_state_dict_post_hook`): it sees the
 * module it was registered on and the shared missing/unexpected key lists, which it may edit
 * in place (before `strict` checks them). It must not return a value.
 */
export type LoadStateDictPostHook = (module: Module, incompatibleKeys: LoadResult) => void;

/** The state dict key suffix of a module's extra state (PyTorch's `_EXTRA_STATE_KEY_SUFFIX`). */
const EXTRA_STATE = "_extra_state";

const TYPENAMES: Record<string, string> = {
  bool: "BoolTensor",
  uint8: "ByteTensor",
  int32: "IntTensor",
  int64: "LongTensor",
  float16: "HalfTensor",
  float32: "FloatTensor",
  float64: "DoubleTensor",
};

/** @internal PyTorch's `torch.typename` of a CPU tensor, e.g. `torch.FloatTensor`. */
export function torchTypename(t: Tensor): string {
  return `torch.${TYPENAMES[t.dtype] ?? t.dtype}`;
}

const INTERNAL = new Set([
  "training",
  "_parameters",
  "_buffers",
  "_modules",
  "_nonPersistent",
  "_forwardHooks",
  "_forwardPreHooks",
  "_backwardHooks",
  "_loadStateDictPostHooks",
  "forward",
]);

function handle<T>(list: T[], fn: T): RemovableHandle {
  list.push(fn);
  return {
    remove() {
      const i = list.indexOf(fn);
      if (i >= 0) list.splice(i, 1);
    },
  };
}

const DTYPE_NAMES = new Set(["bool", "uint8", "int32", "int64", "float16", "float32", "float64"]);
const isDType = (x: unknown): x is DType => typeof x === "string" && DTYPE_NAMES.has(x);

function isModule(v: unknown): v is Module {
  return v instanceof Module;
}

const setTrap: ProxyHandler<Module> = {
  set(target, key, value) {
    if (typeof key === "string" && !INTERNAL.has(key)) target._register(key, value);
    return Reflect.set(target, key, value);
  },
  defineProperty(target, key, desc) {
    if (typeof key === "string" && !INTERNAL.has(key) && "value" in desc) target._register(key, desc.value);
    return Reflect.defineProperty(target, key, desc);
  },
  deleteProperty(target, key) {
    if (typeof key === "string") {
      target._parameters.delete(key);
      target._buffers.delete(key);
      target._modules.delete(key);
      target._nonPersistent.delete(key);
    }
    return Reflect.deleteProperty(target, key);
  },
};

/**
 * The base class of all layers. Subclass it, assign layers and Parameters to fields, and
 * implement `forward`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * class Model extends nn.Module {
 *   fc1 = new nn.Linear(4, 8);
 *   fc2 = new nn.Linear(8, 2);
 *   override forward(x: any) {
 *     return this.fc2.forward(nn.functional.relu(this.fc1.forward(x)));
 *   }
 * }
 * const m = new Model();
 * console.log(Object.keys(m.stateDict())); // ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
 * console.log(m.forward(randn([3, 4])).shape); // [3, 2]
 * ```
 */
export class Module {
  /** True in training mode (the default), false after `eval()`. */
  training = true;
  /** @internal */
  _parameters!: Map<string, Parameter | null>;
  /** @internal */
  _buffers!: Map<string, Tensor | null>;
  /** @internal */
  _modules!: Map<string, Module | null>;
  /** @internal */
  _nonPersistent!: Set<string>;
  /** @internal */
  _forwardHooks!: ForwardHook[];
  /** @internal */
  _forwardPreHooks!: ForwardPreHook[];
  /** @internal */
  _backwardHooks!: BackwardHook[];
  /** @internal */
  _loadStateDictPostHooks!: LoadStateDictPostHook[];

  constructor() {
    const hidden = (key: string, value: unknown) =>
      Object.defineProperty(this, key, { value, writable: true, enumerable: false, configurable: true });
    hidden("_parameters", new Map());
    hidden("_buffers", new Map());
    hidden("_modules", new Map());
    hidden("_nonPersistent", new Set());
    hidden("_forwardHooks", []);
    hidden("_forwardPreHooks", []);
    hidden("_backwardHooks", []);
    hidden("_loadStateDictPostHooks", []);
    const impl = (this as unknown as { forward: (...a: unknown[]) => unknown }).forward;
    const proxy = new Proxy(this, setTrap);
    hidden("forward", (...args: unknown[]) => proxy._call(impl, args));
    return proxy;
  }

  /**
   * The computation, implemented by subclasses. Calling it on an instance runs the forward
   * pre-hooks, this implementation, the forward hooks, and arms the backward hooks: it is
   * the equivalent of PyTorch's `module(x)`.
   */
  // deno-lint-ignore no-explicit-any
  forward(..._args: any[]): any {
    throw new Error(`${this.constructor.name}.forward: not implemented; subclasses of nn.Module must define forward()`);
  }

  /** @internal registers a value assigned to a field */
  _register(name: string, value: unknown): void {
    if (value instanceof Parameter) {
      this._buffers.delete(name);
      this._nonPersistent.delete(name);
      this._modules.delete(name);
      this._parameters.set(name, keep(value));
    } else if (isModule(value)) {
      this._parameters.delete(name);
      this._buffers.delete(name);
      this._nonPersistent.delete(name);
      this._modules.set(name, value);
    } else if (this._parameters.has(name)) {
      if (value !== null && value !== undefined) {
        throw new TypeError(
          `${this.constructor.name}: cannot assign ${
            describe(value)
          } as parameter '${name}' (nn.Parameter or null expected)`,
        );
      }
      this._parameters.set(name, null);
    } else if (this._buffers.has(name)) {
      if (value !== null && value !== undefined && !isTensor(value)) {
        throw new TypeError(
          `${this.constructor.name}: cannot assign ${describe(value)} as buffer '${name}' (Tensor or null expected)`,
        );
      }
      this._buffers.set(name, value ? keep(value as Tensor) : null);
    } else if (this._modules.has(name)) {
      if (value !== null && value !== undefined) {
        throw new TypeError(
          `${this.constructor.name}: cannot assign ${
            describe(value)
          } as child module '${name}' (Module or null expected)`,
        );
      }
      this._modules.set(name, null);
    }
  }

  /** @internal runs hooks around `impl` */
  _call(impl: (...a: unknown[]) => unknown, args: unknown[]): unknown {
    for (const h of [...this._forwardPreHooks]) {
      const r = h(this, args);
      if (r !== undefined && r !== null) args = Array.isArray(r) ? r : [r];
    }
    const armed = this._backwardHooks.length > 0 && isGradEnabled() ? this._armBackwardHooks(args) : null;
    if (armed) args = armed.args;
    let out = impl.apply(this, args);
    for (const h of [...this._forwardHooks]) {
      const r = h(this, args, out);
      if (r !== undefined && r !== null) out = r;
    }
    return armed ? armed.wrapOutput(out) : out;
  }

  /**
   * Routes the gradients of one call's inputs and outputs through the backward hooks, like
   * PyTorch's `register_full_backward_hook`: the tensor inputs that require grad are joined
   * by one gate node, so the hooks run once, after the gradients of all of them are known,
   * and a returned gradInput replaces the gradient of every input.
   */
  private _armBackwardHooks(args: unknown[]) {
    const hooks = [...this._backwardHooks];
    // deno-lint-ignore no-this-alias
    const module: Module = this;
    const name = this.constructor.name;
    const inputIdx: number[] = [];
    args.forEach((a, i) => {
      if (isTensor(a) && a.requiresGrad) inputIdx.push(i);
    });
    let gradIn: (Tensor | null)[] = args.map(() => null);
    let gradOut: (Tensor | null)[] = [];
    const fire = (): (Tensor | null)[] => {
      let gi = gradIn;
      for (const h of hooks) {
        const r = h(module, gi, gradOut);
        if (r === undefined || r === null) continue;
        if (!Array.isArray(r) || r.length !== gi.length) {
          throw new RangeError(
            `${name}: backward hook returned an invalid number of grad_input, got ${
              Array.isArray(r) ? r.length : describe(r)
            }, but expected ${gi.length}`,
          );
        }
        gi = [...r];
      }
      gradIn = args.map(() => null);
      return gi;
    };
    let newArgs = args;
    if (inputIdx.length > 0) {
      const inputs = inputIdx.map((i) => args[i] as Tensor);
      // The gate's (empty) output is the one input of every alias below: its backward runs
      // once all aliases have stored their gradients.
      const gate = record("BackwardHookFunctionBackward", zeros([0]), inputs, () => {
        // As in PyTorch, tensor inputs that do not require grad see a zero gradient.
        args.forEach((a, i) => {
          if (isTensor(a) && !inputIdx.includes(i)) gradIn[i] = zeros(a.shape as number[], { dtype: a.dtype });
        });
        const gi = fire();
        return inputIdx.map((i) => gi[i] ?? null);
      });
      newArgs = args.map((a, i) => {
        if (!inputIdx.includes(i)) return a;
        return record("BackwardHookFunctionBackward", (a as Tensor).detach(), [gate], (g) => {
          gradIn[i] = g;
          return [zeros([0])];
        });
      });
    }
    const wrapOutput = (out: unknown): unknown => {
      const outs = Array.isArray(out) ? out : [out];
      const tensorIdx = outs.map((o, i) => (isTensor(o) && o.requiresGrad ? i : -1)).filter((i) => i >= 0);
      if (tensorIdx.length === 0) return out;
      gradOut = outs.map(() => null);
      let pendingOut = tensorIdx.length;
      const wrapped = outs.map((o, i) => {
        if (!tensorIdx.includes(i)) return o;
        const t = o as Tensor;
        return record("BackwardHookFunctionBackward", t.detach(), [t], (g) => {
          gradOut[i] = g;
          if (--pendingOut === 0) {
            pendingOut = tensorIdx.length;
            // Without inputs that require grad, the hooks run once the output gradients are known.
            if (inputIdx.length === 0) fire();
          }
          return [g];
        });
      });
      return Array.isArray(out) ? wrapped : wrapped[0];
    };
    return { args: newArgs, wrapOutput };
  }

  // ------------------------------------------------------------------ registration

  /** Adds a child module under `name` (same as assigning it to a field). */
  addModule(name: string, module: Module | null): void {
    this._checkName(name, "addModule");
    if (module !== null && !isModule(module)) {
      throw new TypeError(`${this.constructor.name}.addModule: ${describe(module)} is not a Module subclass`);
    }
    this._checkFree(name, this._modules, "addModule");
    if (module === null) this._modules.set(name, null);
    (this as Record<string, unknown>)[name] = module;
  }

  /** Adds a parameter under `name` (null reserves the name, like `bias=None`). */
  registerParameter(name: string, param: Parameter | null): void {
    this._checkName(name, "registerParameter");
    if (param !== null && !(param instanceof Parameter)) {
      throw new TypeError(
        `${this.constructor.name}.registerParameter: cannot assign ${
          describe(param)
        } object to parameter '${name}' (nn.Parameter or null required)`,
      );
    }
    this._checkFree(name, this._parameters, "registerParameter");
    if (param === null) this._parameters.set(name, null);
    (this as Record<string, unknown>)[name] = param;
  }

  /**
   * Adds a buffer: state that is not a parameter (e.g. BatchNorm's `running_mean`). A
   * persistent buffer is part of the state dict.
   */
  registerBuffer(name: string, tensor: Tensor | null, persistent = true): void {
    this._checkName(name, "registerBuffer");
    if (tensor !== null && !isTensor(tensor)) {
      throw new TypeError(
        `${this.constructor.name}.registerBuffer: cannot assign ${
          describe(tensor)
        } as buffer '${name}' (Tensor or null required)`,
      );
    }
    this._checkFree(name, this._buffers, "registerBuffer");
    this._buffers.set(name, tensor ? keep(tensor) : null);
    if (persistent) this._nonPersistent.delete(name);
    else this._nonPersistent.add(name);
    Reflect.set(this, name, tensor);
  }

  /** The same as `addModule` (PyTorch's `register_module`). */
  registerModule(name: string, module: Module | null): void {
    this.addModule(name, module);
  }

  /** PyTorch's rule: a name may be re-registered in its own table, but not shadow another attribute. */
  private _checkFree(name: string, own: Map<string, unknown>, call: string): void {
    // A field declared without a value (`bias!: Parameter | null`) holds undefined: it is free.
    if (!own.has(name) && name in this && (this as Record<string, unknown>)[name] !== undefined) {
      throw new RangeError(`${this.constructor.name}.${call}: attribute '${name}' already exists`);
    }
  }

  /** A registration name must be a non-empty string without dots. */
  private _checkName(name: string, call: string): void {
    if (typeof name !== "string") {
      throw new TypeError(`${this.constructor.name}.${call}: name should be a string, got ${describe(name)}`);
    }
    if (name.includes(".")) {
      throw new RangeError(`${this.constructor.name}.${call}: name can't contain ".", got "${name}"`);
    }
    if (name === "") throw new RangeError(`${this.constructor.name}.${call}: name can't be empty`);
  }

  // ------------------------------------------------------------------ lookup by dotted path

  /**
   * The submodule at a dotted path such as `"encoder.layers.0"` (`""` is this module), with
   * PyTorch's errors: a RangeError when a step names nothing, a TypeError when it names
   * something that is not a module.
   *
   * @example
   * ```ts
   * import { nn } from "../../mod.ts";
   * const net = new nn.Sequential(new nn.Linear(2, 3), new nn.Sequential(new nn.ReLU()));
   * console.log(net.getSubmodule("1.0").constructor.name); // ReLU
   * console.log(net.getParameter("0.bias").shape); // [3]
   * ```
   */
  getSubmodule(target: string): Module {
    return this._submodule(target, "getSubmodule");
  }

  /** The Parameter at a dotted path such as `"fc.weight"` (PyTorch's `get_parameter`). */
  getParameter(target: string): Parameter {
    const [mod, name] = this._leaf(target, "getParameter");
    const p = this._attr(mod, name, "getParameter");
    if (!(p instanceof Parameter)) {
      throw new TypeError(`${this.constructor.name}.getParameter: \`${name}\` is not an nn.Parameter`);
    }
    return p;
  }

  /** The buffer at a dotted path such as `"bn.running_mean"` (null for a buffer registered as null). */
  getBuffer(target: string): Tensor | null {
    const [mod, name] = this._leaf(target, "getBuffer");
    const b = this._attr(mod, name, "getBuffer");
    if (!mod._buffers.has(name)) throw new TypeError(`${this.constructor.name}.getBuffer: \`${name}\` is not a buffer`);
    return b as Tensor | null;
  }

  /** `getSubmodule`, with errors named `call`. */
  private _submodule(target: string, call: string): Module {
    if (typeof target !== "string") {
      throw new TypeError(`${this.constructor.name}.${call}: expected a string target, got ${describe(target)}`);
    }
    if (target === "") return this;
    // deno-lint-ignore no-this-alias
    let mod: Module = this;
    for (const item of target.split(".")) {
      const v = this._attr(mod, item, call);
      if (!isModule(v)) throw new TypeError(`${this.constructor.name}.${call}: \`${item}\` is not an nn.Module`);
      mod = v;
    }
    return mod;
  }

  /** Python's `target.rpartition(".")`: the owning module and the last name. */
  private _leaf(target: string, call: string): [Module, string] {
    if (typeof target !== "string") {
      throw new TypeError(`${this.constructor.name}.${call}: expected a string target, got ${describe(target)}`);
    }
    const dot = target.lastIndexOf(".");
    return [this._submodule(dot < 0 ? "" : target.slice(0, dot), call), target.slice(dot + 1)];
  }

  /** Python's `getattr(mod, name)` after a `hasattr` check. */
  private _attr(mod: Module, name: string, call: string): unknown {
    if (mod._modules.has(name)) return mod._modules.get(name);
    if (mod._parameters.has(name)) return mod._parameters.get(name);
    if (mod._buffers.has(name)) return mod._buffers.get(name);
    if (name === "" || !(name in mod)) {
      throw new RangeError(`${this.constructor.name}.${call}: ${mod.constructor.name} has no attribute \`${name}\``);
    }
    return (mod as unknown as Record<string, unknown>)[name];
  }

  // ------------------------------------------------------------------ iteration

  /** Immediate children, each once. */
  *children(): Generator<Module> {
    for (const [, m] of this.namedChildren()) yield m;
  }

  /** Immediate children with their names, each module once. */
  *namedChildren(): Generator<[string, Module]> {
    const seen = new Set<Module>();
    for (const [name, m] of this._modules) {
      if (m && !seen.has(m)) {
        seen.add(m);
        yield [name, m];
      }
    }
  }

  /** This module and all descendants, each once. */
  *modules(): Generator<Module> {
    for (const [, m] of this.namedModules()) yield m;
  }

  /** This module and all descendants with dotted names, each once. */
  *namedModules(memo: Set<Module> = new Set(), prefix = ""): Generator<[string, Module]> {
    if (memo.has(this)) return;
    memo.add(this);
    yield [prefix, this];
    for (const [name, m] of this._modules) {
      if (!m) continue;
      yield* m.namedModules(memo, prefix ? `${prefix}.${name}` : name);
    }
  }

  /** All parameters (recursively by default), each once. */
  *parameters(recurse = true): Generator<Parameter> {
    for (const [, p] of this.namedParameters("", recurse)) yield p;
  }

  /** All parameters with dotted names, each once. */
  *namedParameters(prefix = "", recurse = true): Generator<[string, Parameter]> {
    yield* namedEntries(this, (m) => m._parameters, prefix, recurse);
  }

  /** All buffers (recursively by default). */
  *buffers(recurse = true): Generator<Tensor> {
    for (const [, b] of this.namedBuffers("", recurse)) yield b;
  }

  /** All buffers with dotted names. */
  *namedBuffers(prefix = "", recurse = true): Generator<[string, Tensor]> {
    yield* namedEntries(this, (m) => m._buffers, prefix, recurse);
  }

  // ------------------------------------------------------------------ state

  /**
   * Parameters and persistent buffers by PyTorch's keys, in registration order: each
   * module's own parameters, then its buffers, then its children's. Values are detached
   * tensors sharing storage with the module.
   */
  stateDict(prefix = ""): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    this._saveTo(out, prefix);
    return out;
  }

  /** Writes this module's entries and then its children's under `prefix`. */
  private _saveTo(out: Record<string, Tensor>, prefix: string): void {
    for (const [name, p] of this._parameters) if (p) out[prefix + name] = p.detach();
    for (const [name, b] of this._buffers) if (b && !this._nonPersistent.has(name)) out[prefix + name] = b.detach();
    if (this._hasExtraState("get")) out[prefix + EXTRA_STATE] = this.getExtraState() as Tensor;
    for (const [name, m] of this._modules) if (m) m._saveTo(out, `${prefix}${name}.`);
  }

  /** Whether a subclass overrides `getExtraState` / `setExtraState` (PyTorch's test). */
  private _hasExtraState(which: "get" | "set"): boolean {
    return which === "get"
      ? this.getExtraState !== Module.prototype.getExtraState
      : this.setExtraState !== Module.prototype.setExtraState;
  }

  /**
   * Extra state to save in the state dict under `_extra_state`. Override it (and
   * `setExtraState`) in a subclass to save state that is not a parameter or buffer; as in
   * PyTorch, the key exists exactly when a subclass overrides this method. The base class
   * throws.
   *
   * @example
   * ```ts
   * import { nn } from "../../mod.ts";
   * class Counter extends nn.Module {
   *   count = 0;
   *   override getExtraState() {
   *     return { count: this.count };
   *   }
   *   override setExtraState(state: any) {
   *     this.count = state.count;
   *   }
   * }
   * const a = new Counter(), b = new Counter();
   * a.count = 5;
   * console.log(Object.keys(a.stateDict())); // ["_extra_state"]
   * b.loadStateDict(a.stateDict());
   * console.log(b.count); // 5
   * ```
   */
  getExtraState(): unknown {
    throw new TypeError(
      `${this.constructor.name}.getExtraState: not implemented; a subclass that saves extra state overrides getExtraState`,
    );
  }

  /** Restores what `getExtraState` returned (called by `loadStateDict`); the base class throws. */
  setExtraState(_state: unknown): void {
    throw new TypeError(
      `${this.constructor.name}.setExtraState: not implemented; a subclass that loads extra state overrides setExtraState`,
    );
  }

  /**
   * Copies parameters and persistent buffers from a state dict (a record or a Map) into this
   * module and its descendants, converting dtypes. Keys are PyTorch's (see `stateDict`).
   *
   * With `strict` (the default) a missing or unexpected key is an error; a shape mismatch is
   * an error in both modes. The error names every problem, in PyTorch's words and order
   * (missing keys, unexpected keys, then size mismatches). After a shape mismatch nothing is
   * copied; otherwise the matching values are copied (and `setExtraState` called) before the
   * post hooks run and before `strict` is checked, as in PyTorch.
   * Returns the keys that were missing and unexpected (relevant when `strict` is false).
   *
   * Hooks registered with `registerLoadStateDictPostHook` run per module, children first,
   * with the lists as far as PyTorch's traversal has filled them; they may edit them in place.
   *
   * @example
   * ```ts
   * import { nn } from "../../mod.ts";
   * const a = new nn.Linear(2, 3), b = new nn.Linear(2, 3);
   * b.loadStateDict(a.stateDict());
   * console.log(b.weight.toArray().join() === a.weight.toArray().join()); // true
   * const r = b.loadStateDict({ weight: a.weight }, { strict: false });
   * console.log(r.missingKeys); // ["bias"]
   * ```
   */
  loadStateDict(
    stateDict: Record<string, Tensor> | Map<string, Tensor>,
    opts: { strict?: boolean } = {},
  ): LoadResult {
    const call = `${this.constructor.name}.loadStateDict`;
    if (!stateDict || typeof stateDict !== "object" || isTensor(stateDict)) {
      throw new TypeError(`${call}: expected a record or Map of tensors, got ${describe(stateDict)}`);
    }
    if (opts === null || typeof opts !== "object") {
      throw new TypeError(`${call}: expected an options object { strict }, got ${describe(opts)}`);
    }
    const strict = opts.strict ?? true;
    if (typeof strict !== "boolean") {
      throw new TypeError(`${call}: expected strict to be a boolean, got ${describe(strict)}`);
    }
    const entries: Map<string, unknown> = stateDict instanceof Map
      ? new Map(stateDict)
      : new Map(Object.entries(stateDict));
    // Each submodule may first adapt itself to what is loaded (PyTorch's _load_from_state_dict
    // hooks: a lazy module materializes its parameters with the loaded shapes).
    for (const [name, m] of this.namedModules()) {
      if (m !== this) (m as { _beforeLoad?: BeforeLoad })._beforeLoad?.((k) => entries.get(k), name ? `${name}.` : "");
    }
    const own = this.stateDict();
    const ownKeys = Object.keys(own).filter((k) => !isExtraKey(k));
    const mismatched: string[] = [];
    for (const k of ownKeys) {
      if (!entries.has(k)) continue;
      const v = entries.get(k);
      if (!isTensor(v)) {
        throw new TypeError(`${call}: expected the value of '${k}' to be a Tensor, got ${describe(v)}`);
      }
      v._live(call);
      if (!sameShape(v.shape, own[k].shape)) {
        mismatched.push(
          `size mismatch for ${k}: copying a param with shape ${
            fmt(v.shape)
          } from checkpoint, the shape in current model is ${fmt(own[k].shape)}.`,
        );
      }
    }
    // The state dict's values share storage with the parameters and buffers: copying into
    // them writes the module's tensors (and keeps their identity, so optimizers stay valid).
    if (!mismatched.length) {
      noGrad(() => {
        for (const k of ownKeys) if (entries.has(k)) own[k].copy_(entries.get(k) as Tensor);
      });
    }
    // PyTorch's recursive load(): each module adds its own missing and unexpected keys, its
    // children follow, then its post hooks see (and may edit) the lists built so far.
    const result: LoadResult = { missingKeys: [], unexpectedKeys: [] };
    const ownSet = new Set(Object.keys(own));
    const load = (m: Module, prefix: string, keys: string[]) => {
      const local = new Set<string>();
      for (const k of ownSet) {
        const rest = k.slice(prefix.length);
        if (k.startsWith(prefix) && !rest.includes(".") && rest !== EXTRA_STATE) local.add(rest);
      }
      for (const name of local) if (!entries.has(prefix + name)) result.missingKeys.push(prefix + name);
      const extraKey = prefix + EXTRA_STATE;
      if (m._hasExtraState("set")) {
        if (entries.has(extraKey)) {
          if (!mismatched.length) m.setExtraState(entries.get(extraKey));
        } else result.missingKeys.push(extraKey);
      } else if (entries.has(extraKey)) result.unexpectedKeys.push(extraKey);
      for (const k of keys) {
        if (k === extraKey) continue;
        const first = k.slice(prefix.length).split(".", 1)[0];
        if (!m._modules.has(first) && !local.has(first)) result.unexpectedKeys.push(k);
      }
      for (const [name, child] of m._modules) {
        if (!child) continue;
        const p = `${prefix}${name}.`;
        load(child, p, keys.filter((k) => k.startsWith(p)));
      }
      for (const hook of [...m._loadStateDictPostHooks]) {
        const out = hook(m, result);
        if (out !== undefined) {
          throw new TypeError(
            `${call}: hooks registered with registerLoadStateDictPostHook are not expected to return new values; ` +
              "edit incompatibleKeys in place instead",
          );
        }
      }
    };
    load(this, "", [...entries.keys()]);
    const problems: string[] = [];
    if (strict && result.missingKeys.length) {
      problems.push(`Missing key(s) in state_dict: ${result.missingKeys.map((k) => `"${k}"`).join(", ")}. `);
    }
    if (strict && result.unexpectedKeys.length) {
      problems.push(`Unexpected key(s) in state_dict: ${result.unexpectedKeys.map((k) => `"${k}"`).join(", ")}. `);
    }
    problems.push(...mismatched);
    if (problems.length) {
      throw new RangeError(
        `${call}: Error(s) in loading state_dict for ${this.constructor.name}:\n\t${problems.join("\n\t")}`,
      );
    }
    return result;
  }

  /**
   * Registers `hook(module, incompatibleKeys)`, run after `loadStateDict` has loaded this
   * module and its children (PyTorch's `register_load_state_dict_post_hook`). The hook may
   * edit `incompatibleKeys.missingKeys` / `unexpectedKeys` in place, before `strict` checks
   * them; returning a value is an error.
   *
   * @example
   * ```ts
   * import { nn } from "../../mod.ts";
   * const lin = new nn.Linear(2, 2);
   * lin.registerLoadStateDictPostHook((_m, keys) => {
   *   keys.missingKeys.splice(0, keys.missingKeys.length); // tolerate missing keys
   * });
   * console.log(lin.loadStateDict({ weight: lin.weight }).missingKeys); // []
   * ```
   */
  registerLoadStateDictPostHook(hook: LoadStateDictPostHook): RemovableHandle {
    if (typeof hook !== "function") {
      throw new TypeError(
        `${this.constructor.name}.registerLoadStateDictPostHook: expected a function, got ${describe(hook)}`,
      );
    }
    return handle(this._loadStateDictPostHooks, hook);
  }

  // ------------------------------------------------------------------ modes and conversion

  /** Sets training mode (recursively). */
  train(mode = true): this {
    if (typeof mode !== "boolean") {
      throw new TypeError(`${this.constructor.name}.train: expected a boolean, got ${describe(mode)}`);
    }
    this.training = mode;
    for (const m of this.children()) m.train(mode);
    return this;
  }

  /** Sets evaluation mode (recursively): Dropout passes through, BatchNorm uses running stats. */
  eval(): this {
    return this.train(false);
  }

  /** Clears the gradients of all parameters (sets them to null, as PyTorch 2 does). */
  zeroGrad(setToNone = true): void {
    for (const p of this.parameters()) {
      if (setToNone) p.grad = null;
      else if (p._grad) noGrad(() => p._grad!.zero_());
    }
  }

  /** Calls `fn` on every submodule (children first) and on this module. */
  apply(fn: (m: Module) => void): this {
    for (const m of this.children()) m.apply(fn);
    fn(this);
    return this;
  }

  /** @internal converts every parameter and buffer in place (identity is kept). */
  _convert(fn: (t: Tensor) => Tensor): this {
    noGrad(() => {
      for (const m of this.modules()) {
        for (const [, p] of m._parameters) {
          if (!p) continue;
          const c = fn(p.detach());
          if (c._storage !== p._storage || c.dtype !== p.dtype) p._setData(c);
          if (p._grad) {
            const g = fn(p._grad);
            if (g !== p._grad) p._grad._setData(g);
          }
        }
        for (const [name, b] of m._buffers) {
          if (!b) continue;
          const c = fn(b);
          if (c !== b) b._setData(c);
          m._buffers.set(name, b);
        }
      }
    });
    return this;
  }

  /** Converts floating point parameters and buffers to float64. */
  double(): this {
    return this._convert((t) => (t.isFloatingPoint() ? t.to("float64") : t));
  }

  /** Converts floating point parameters and buffers to float32. */
  float(): this {
    return this._convert((t) => (t.isFloatingPoint() ? t.to("float32") : t));
  }

  /** Converts floating point parameters and buffers to float16 (CPU ops compute in float32). */
  half(): this {
    return this._convert((t) => (t.isFloatingPoint() ? t.to("float16") : t));
  }

  /**
   * bfloat16 is not a dtype of denotorch (safetensors files holding bfloat16 are widened to
   * float32 on load), so this throws a TypeError; use `float()` or `half()`.
   */
  bfloat16(): this {
    throw new TypeError(
      `${this.constructor.name}.bfloat16: denotorch has no bfloat16 dtype; use float() (float32) or half() (float16)`,
    );
  }

  /**
   * Casts every parameter and buffer, integer ones included, to `dtype` (PyTorch's
   * `Module.type`). A Parameter that requires grad must stay floating point.
   *
   * @example
   * ```ts
   * import { nn } from "../../mod.ts";
   * const bn = new nn.BatchNorm1d(2).type("float64");
   * console.log(bn.getParameter("weight").dtype, bn.getBuffer("num_batches_tracked")!.dtype); // float64 float64
   * ```
   */
  type(dtype: DType): this {
    const call = `${this.constructor.name}.type`;
    if (!isDType(dtype)) throw new TypeError(`${call}: unknown dtype ${describe(dtype)}`);
    if (!dtype.startsWith("float")) {
      for (const m of this.modules()) {
        for (const [, p] of m._parameters) {
          if (p && p.requiresGrad) {
            throw new TypeError(
              `${call}: data set to a tensor that requires gradients must be floating point or complex dtype, got ${dtype}`,
            );
          }
        }
      }
    }
    return this._convertNamed(call, (t) => t.to(dtype));
  }

  /** Sets `requiresGrad` of every parameter (recursively), e.g. `requiresGrad_(false)` to freeze. */
  requiresGrad_(requiresGrad = true): this {
    if (typeof requiresGrad !== "boolean") {
      throw new TypeError(`${this.constructor.name}.requiresGrad_: expected a boolean, got ${describe(requiresGrad)}`);
    }
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }

  /**
   * Returns this: CPU tensors are already in memory other workers can be handed (PyTorch's
   * `share_memory` moves storage to shared memory for multiprocessing).
   */
  shareMemory(): this {
    return this;
  }

  /**
   * Replaces every parameter, gradient and buffer with a new uninitialized tensor of the same
   * shape and dtype on `device` (PyTorch's `to_empty`), keeping the Parameter and buffer
   * objects. denotorch's uninitialized tensors hold zeros.
   *
   * @example
   * ```ts
   * import { nn } from "../../mod.ts";
   * const lin = new nn.Linear(2, 3);
   * const w = lin.weight;
   * lin.toEmpty();
   * console.log(lin.weight === w, lin.weight.shape); // true [3, 2]
   * ```
   */
  toEmpty(opts: { device?: Device } = {}): this {
    const call = `${this.constructor.name}.toEmpty`;
    if (opts === null || typeof opts !== "object") {
      throw new TypeError(`${call}: expected an options object { device }, got ${describe(opts)}`);
    }
    for (const k of Object.keys(opts)) {
      if (k !== "device") throw new TypeError(`${call}: unknown option '${k}' (expected device)`);
    }
    const device = opts.device ?? "cpu";
    if (typeof device !== "string" || !/^(cpu|cuda(:\d+)?)$/.test(device)) {
      throw new TypeError(`${call}: unknown device ${describe(device)}; expected "cpu" or "cuda:N"`);
    }
    return this._convertNamed(call, (t) => empty(t.shape, { dtype: t.dtype }).to(device), device);
  }

  /** Moves parameters and buffers to the CPU. */
  cpu(): this {
    return this._convertNamed(`${this.constructor.name}.cpu`, (t) => t.cpu());
  }

  /**
   * Moves parameters and buffers to a CUDA device. This build of libdenotorch has no CUDA
   * backend, so a module holding tensors throws an error that says so.
   */
  cuda(device: number | string = 0): this {
    const call = `${this.constructor.name}.cuda`;
    const dev = typeof device === "number" ? `cuda:${device}` : device;
    if (typeof dev !== "string" || !/^cuda(:\d+)?$/.test(dev) || (typeof device === "number" && !(device >= 0))) {
      throw new TypeError(`${call}: expected a device index (0, 1, ...) or "cuda:N", got ${describe(device)}`);
    }
    // Probe with an empty tensor, so that a module without tensors fails the same way.
    return this._convertNamed(call, (t) => t.to(dev as Device), dev as Device);
  }

  /**
   * Converts floating point parameters and buffers to a dtype and/or moves everything to a
   * device: `to("float64")`, `to("cpu")`, `to({ dtype, device })`, or `to(tensor)` (its dtype
   * and device). As in PyTorch, integer tensors keep their dtype and only a floating point
   * dtype is accepted.
   */
  to(target: DType | Device | Tensor | { dtype?: DType; device?: Device }): this {
    const call = `${this.constructor.name}.to`;
    let dtype: DType | undefined, device: Device | undefined;
    if (typeof target === "string") {
      if (isDType(target)) dtype = target;
      else device = target as Device;
    } else if (isTensor(target)) {
      dtype = target.dtype;
      device = target.device;
    } else if (target && typeof target === "object") {
      dtype = target.dtype;
      device = target.device;
      if (dtype !== undefined && !isDType(dtype)) throw new TypeError(`${call}: unknown dtype ${describe(dtype)}`);
    } else {
      throw new TypeError(
        `${call}: expected a dtype, a device, a tensor or { dtype, device }, got ${describe(target)}`,
      );
    }
    if (dtype !== undefined && !isDType(dtype)) throw new TypeError(`${call}: unknown dtype ${describe(dtype)}`);
    if (dtype !== undefined && !dtype.startsWith("float")) {
      throw new TypeError(`${call}: nn.Module.to only accepts floating point dtypes, but got desired dtype=${dtype}`);
    }
    if (device !== undefined && (typeof device !== "string" || !/^(cpu|cuda(:\d+)?)$/.test(device))) {
      throw new TypeError(`${call}: unknown device ${describe(device)}; expected "cpu" or "cuda:N"`);
    }
    return this._convertNamed(call, (x) => {
      const want = dtype !== undefined && x.isFloatingPoint() ? dtype : undefined;
      return x.to({ dtype: want, device });
    }, device);
  }

  /** `_convert`, with conversion errors (such as a missing CUDA build) re-raised under `call`. */
  private _convertNamed(call: string, fn: (t: Tensor) => Tensor, probe?: Device): this {
    try {
      if (probe !== undefined && probe !== "cpu") zeros([0]).to(probe);
      return this._convert(fn);
    } catch (e) {
      const msg = (e as Error).message ?? String(e);
      const Cls = e instanceof TypeError ? TypeError : e instanceof RangeError ? RangeError : Error;
      throw new Cls(`${call}: ${msg.replace(/^Tensor\.to: /, "")}`, { cause: e });
    }
  }

  // ------------------------------------------------------------------ hooks

  /** `fn(module, input, output)` after every forward; a returned value replaces the output. */
  registerForwardHook(fn: ForwardHook): RemovableHandle {
    if (typeof fn !== "function") {
      throw new TypeError(`${this.constructor.name}.registerForwardHook: expected a function, got ${describe(fn)}`);
    }
    return handle(this._forwardHooks, fn);
  }

  /**
   * `fn(module, input)` before every forward; a returned value replaces the input (an array
   * replaces the argument list, any other value becomes the single argument).
   */
  registerForwardPreHook(fn: ForwardPreHook): RemovableHandle {
    if (typeof fn !== "function") {
      throw new TypeError(`${this.constructor.name}.registerForwardPreHook: expected a function, got ${describe(fn)}`);
    }
    return handle(this._forwardPreHooks, fn);
  }

  /**
   * `fn(module, gradInput, gradOutput)` once per backward pass, when the gradients w.r.t. the
   * module's inputs have been computed (PyTorch's `register_full_backward_hook` semantics).
   * `gradInput` has one entry per positional input (null for inputs that are not tensors; a
   * zero tensor for tensor inputs that do not require grad while another input does, as in
   * PyTorch); `gradOutput` one per output. A returned array of the same length
   * replaces gradInput. When no input requires grad, the hook runs once the output gradients
   * are known, with an all-null gradInput.
   *
   * @example
   * ```ts
   * import { nn, randn } from "../../mod.ts";
   * const lin = new nn.Linear(3, 2);
   * const h = lin.registerBackwardHook((_m, gin, gout) => {
   *   console.log(gin[0]!.shape, gout[0]!.shape); // [4, 3] [4, 2]
   * });
   * lin.forward(randn([4, 3], { requiresGrad: true })).sum().backward();
   * h.remove();
   * ```
   */
  registerBackwardHook(fn: BackwardHook): RemovableHandle {
    if (typeof fn !== "function") {
      throw new TypeError(`${this.constructor.name}.registerBackwardHook: expected a function, got ${describe(fn)}`);
    }
    return handle(this._backwardHooks, fn);
  }

  /** The same as `registerBackwardHook` (PyTorch's modern name). */
  registerFullBackwardHook(fn: BackwardHook): RemovableHandle {
    return this.registerBackwardHook(fn);
  }

  // ------------------------------------------------------------------ printing

  /** Extra text inside the module's repr, e.g. `in_features=4, out_features=2`. */
  extraRepr(): string {
    return "";
  }

  /**
   * PyTorch-style repr (`Module.__repr__`): the extra repr lines, then the children
   * (`None` for a child slot registered as null), indented.
   */
  toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra ? extra.split("\n") : [];
    const childLines: string[] = [];
    for (const [name, m] of this._modules) {
      const sub = m ? m.toString().split("\n").join("\n  ") : "None";
      childLines.push(`(${name}): ${sub}`);
    }
    const lines = [...extraLines, ...childLines];
    let main = `${this.constructor.name}(`;
    if (lines.length) {
      if (extraLines.length === 1 && !childLines.length) main += extraLines[0];
      else main += `\n  ${lines.join("\n  ")}\n`;
    }
    return `${main})`;
  }

  /** For console.log in Deno. */
  [Symbol.for("Deno.customInspect")](): string {
    return this.toString();
  }
}

/** Whether a state dict key is some module's `_extra_state`. */
function isExtraKey(k: string): boolean {
  return k === EXTRA_STATE || k.endsWith(`.${EXTRA_STATE}`);
}

/**
 * The (dotted name, tensor) entries of one registry (parameters or buffers) of `root` and, with
 * `recurse`, of its submodules; each tensor once, null slots skipped.
 */
function* namedEntries<T extends Tensor>(
  root: Module,
  registry: (m: Module) => Map<string, T | null>,
  prefix: string,
  recurse: boolean,
): Generator<[string, T]> {
  const seen = new Set<Tensor>();
  const mods: [string, Module][] = recurse ? [...root.namedModules(new Set(), prefix)] : [[prefix, root]];
  for (const [mp, m] of mods) {
    for (const [name, t] of registry(m)) {
      if (!t || seen.has(t)) continue;
      seen.add(t);
      yield [mp ? `${mp}.${name}` : name, t];
    }
  }
}
