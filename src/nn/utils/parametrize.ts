/**
 * `nn.utils.parametrize` (PyTorch 1.13): a parameter or buffer of a module is replaced by the
 * output of a chain of parametrization modules applied to an unconstrained `original`.
 * Reading `module[name]` evaluates the chain; assigning to it runs the `rightInverse`s.
 *
 * @module
 */

import { isTensor, type Tensor } from "../../tensor/mod.ts";
import { noGrad } from "../../autograd/grad_mode.ts";
import { describe, fmt, sameShape } from "../../tensor/shape.ts";
import { Module } from "../module.ts";
import { ModuleList } from "../container.ts";
import { Parameter } from "../parameter.ts";
import { checkOptions } from "../linear.ts";
import { checkModule } from "./weight_norm.ts";

/** A parametrization: an nn.Module whose `forward` maps the original tensor(s) to the value. */
export interface Parametrization extends Module {
  /** Optional: maps a value back to the original tensor (or tensors, for the first parametrization). */
  rightInverse?(value: Tensor): Tensor | Tensor[];
}

let cacheDepth = 0;
const cache = new Map<ParametrizationList, Tensor>();

/**
 * Runs `fn` with the parametrization cache on (PyTorch's `with parametrize.cached():`): each
 * parametrized tensor is computed once, the first time it is read, and reused until `fn`
 * returns (or, for an async `fn`, until its promise settles). Returns what `fn` returns.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../../mod.ts";
 * class Doubled extends nn.Module {
 *   override forward(x: any) {
 *     return x.mul(2);
 *   }
 * }
 * const m = nn.utils.parametrize.registerParametrization(new nn.Linear(3, 3), "weight", new Doubled());
 * const same = nn.utils.parametrize.cached(() => m.weight === m.weight);
 * console.log(same, m.weight === m.weight); // true false
 * console.log(nn.utils.parametrize.cached(() => m.forward(randn([2, 3])).shape)); // [2, 3]
 * ```
 */
export function cached<T>(fn: () => T): T {
  if (typeof fn !== "function") throw new TypeError(`cached: expected a function, got ${describe(fn)}`);
  cacheDepth++;
  let out: T;
  try {
    out = fn();
  } catch (e) {
    leave();
    throw e;
  }
  const then = (out as { then?: unknown })?.then;
  if (typeof then === "function") {
    return (out as unknown as Promise<unknown>).finally(leave) as T;
  }
  leave();
  return out;
}

function leave(): void {
  if (--cacheDepth === 0) cache.clear();
}

const isSequence = (v: unknown): v is unknown[] => Array.isArray(v);
const typeName = (v: unknown) =>
  v === null ? "null" : v === undefined ? "undefined" : (v as object).constructor?.name ?? typeof v;

function registerParameterOrBuffer(m: Module, name: string, x: Tensor): void {
  if (x instanceof Parameter) m.registerParameter(name, x);
  else m.registerBuffer(name, x);
}

/**
 * The chain of parametrizations of one tensor, `module.parametrizations[name]` (PyTorch's
 * `ParametrizationList`): it holds the unconstrained tensor as `original` (a Parameter when
 * the parametrized tensor was one, otherwise a buffer), or `original0`, `original1`, ... when
 * the first parametrization's `rightInverse` returns several tensors. Created by
 * `registerParametrization`, not by users.
 *
 * @example
 * ```ts
 * import { nn } from "../../../mod.ts";
 * class Neg extends nn.Module {
 *   override forward(x: any) {
 *     return x.neg();
 *   }
 * }
 * const m = nn.utils.parametrize.registerParametrization(new nn.Linear(2, 2), "weight", new Neg());
 * const list = m.parametrizations.weight;
 * console.log(list instanceof nn.utils.parametrize.ParametrizationList, list.length); // true 1
 * ```
 */
export class ParametrizationList extends ModuleList {
  /** The unconstrained tensor (when `rightInverse` gives one tensor). */
  declare original: Tensor;
  /** Whether the shape/dtype consistency checks are off. */
  unsafe: boolean;
  /** True when the originals are one tensor, `original`. */
  isTensor: boolean;
  /** How many originals there are. */
  ntensors: number;

  /** Holds `modules` and registers `original` (after the `rightInverse`s) under this list; see the class. */
  constructor(modules: Module[], original: Tensor, unsafe = false) {
    super(modules);
    this.unsafe = unsafe;
    const call = "registerParametrization";
    const originalShape = [...original.shape], originalDtype = original.dtype;
    let next: unknown = original;
    noGrad(() => {
      for (const m of [...this].reverse()) {
        const ri = (m as Parametrization).rightInverse;
        if (typeof ri === "function") next = ri.call(m, next as Tensor);
      }
    });
    if (!isTensor(next) && !isSequence(next)) {
      throw new TypeError(
        `${call}: 'rightInverse' must return a Tensor or an array of tensors, got ${describe(next)}`,
      );
    }
    this.isTensor = isTensor(next);
    this.ntensors = isTensor(next) ? 1 : (next as unknown[]).length;
    if (isTensor(next)) {
      if (next.dtype !== original.dtype) {
        throw new TypeError(
          `${call}: When \`rightInverse\` outputs one tensor, it may not change the dtype.\n` +
            `original.dtype: ${original.dtype}\nrightInverse(original).dtype: ${next.dtype}`,
        );
      }
      // `original` keeps its identity (so an optimizer holding it stays valid), with the new values.
      if (next !== original) noGrad(() => original._setData(next as Tensor));
      registerParameterOrBuffer(this, "original", original);
    } else {
      (next as unknown[]).forEach((x, i) => {
        if (!isTensor(x)) {
          throw new TypeError(
            `${call}: 'rightInverse' must return a Tensor or an array of tensors, got element ${i} of type ${
              typeName(x)
            }`,
          );
        }
        let t: Tensor = x;
        if (original instanceof Parameter) t = new Parameter(x, original.requiresGrad);
        else t.requiresGrad_(original.requiresGrad);
        registerParameterOrBuffer(this, `original${i}`, t);
      });
    }
    if (!unsafe) {
      const z: unknown = this.forward();
      if (!isTensor(z)) throw new TypeError(`${call}: A parametrization must return a tensor, got ${typeName(z)}`);
      if (z.dtype !== originalDtype) {
        throw new TypeError(
          `${call}: Registering a parametrization may not change the dtype of the tensor, unless \`unsafe\` flag is ` +
            `enabled.\nunparametrized dtype: ${originalDtype}\nparametrized dtype: ${z.dtype}`,
        );
      }
      if (!sameShape(z.shape, originalShape)) {
        throw new RangeError(
          `${call}: Registering a parametrization may not change the shape of the tensor, unless \`unsafe\` flag is ` +
            `enabled.\nunparametrized shape: ${fmt(originalShape)}\nparametrized shape: ${fmt(z.shape)}`,
        );
      }
    }
  }

  /** The originals, in order. */
  private _originals(): Tensor[] {
    const r = this as unknown as Record<string, Tensor>;
    return this.isTensor ? [r.original] : Array.from({ length: this.ntensors }, (_, i) => r[`original${i}`]);
  }

  /**
   * Stores `value` into the originals: the `rightInverse`s run from the last parametrization
   * to the first (each must define one), and the result replaces `original` (keeping its
   * identity) or `original0`, `original1`, ....
   */
  rightInverse(value: Tensor): void {
    const call = "ParametrizationList.rightInverse";
    noGrad(() => {
      let v: unknown = value;
      for (const m of [...this].reverse()) {
        const ri = (m as Parametrization).rightInverse;
        if (typeof ri !== "function") {
          throw new TypeError(`${call}: parametrization ${m.constructor.name} does not implement rightInverse`);
        }
        v = ri.call(m, v as Tensor);
      }
      const originals = this._originals();
      if (this.isTensor) {
        if (!isTensor(v)) throw new TypeError(`${call}: \`rightInverse\` should return a tensor, got ${typeName(v)}`);
        if (v.dtype !== originals[0].dtype) {
          throw new TypeError(
            `${call}: The tensor returned by \`rightInverse\` has dtype ${v.dtype} while \`original\` has dtype ${
              originals[0].dtype
            }`,
          );
        }
        originals[0]._setData(v);
      } else {
        if (!isSequence(v)) {
          throw new TypeError(`${call}: 'rightInverse' must return an array of tensors, got ${typeName(v)}`);
        }
        if (v.length !== this.ntensors) {
          throw new RangeError(
            `${call}: 'rightInverse' must return an array of tensors of length ${this.ntensors}, got ${v.length}`,
          );
        }
        v.forEach((t, i) => {
          if (!isTensor(t)) {
            throw new TypeError(
              `${call}: \`rightInverse\` must return tensors, got element ${i} of type ${typeName(t)}`,
            );
          }
          if (t.dtype !== originals[i].dtype) {
            throw new TypeError(
              `${call}: Tensor ${i} returned by \`rightInverse\` has dtype ${t.dtype} while \`original${i}\` has ` +
                `dtype ${originals[i].dtype}`,
            );
          }
          originals[i]._setData(t);
        });
      }
    });
  }

  /** The parametrized value: the first parametrization applied to the originals, then the others in order. */
  // deno-lint-ignore no-explicit-any
  override forward(): any {
    const mods = [...this];
    let x = mods[0].forward(...this._originals());
    for (let i = 1; i < mods.length; i++) x = mods[i].forward(x);
    return x;
  }
}

/**
 * `module.parametrizations`: the ParametrizationList of each parametrized tensor, by name
 * (`module.parametrizations.weight`), like PyTorch's ModuleDict.
 */
export class ModuleDict extends Module {
  /** The names, in registration order. */
  keys(): string[] {
    return [...this._modules.keys()];
  }
  /** The number of entries. */
  get length(): number {
    return this._modules.size;
  }
  /** The list of `name`, or undefined. */
  get(name: string): ParametrizationList | undefined {
    return (this._modules.get(name) ?? undefined) as ParametrizationList | undefined;
  }
  /** Whether `name` has an entry. */
  has(name: string): boolean {
    return this._modules.has(name);
  }
}

/** A module with parametrizations: `module.parametrizations.<name>` is the name's ParametrizationList. */
export type Parametrized<M extends Module> = M & {
  parametrizations: ModuleDict & Record<string, ParametrizationList>;
};

/** Options of `registerParametrization`. */
export interface RegisterParametrizationOptions {
  /** Skip the checks that the parametrization keeps the tensor's shape and dtype (default false). */
  unsafe?: boolean;
}

const BASE = new WeakMap<object, object>(); // Parametrized class prototype -> the original prototype

/** The class each parametrized module gets (as PyTorch's `Parametrized<Class>`), one per module. */
function injectClass(module: Module): object {
  const proto = Object.getPrototypeOf(module);
  const Base = proto.constructor as new () => Module;
  const name = `Parametrized${Base.name}`;
  const Cls = { [name]: class extends Base {} }[name];
  BASE.set(Cls.prototype, proto);
  Object.setPrototypeOf(module, Cls.prototype);
  return Cls.prototype;
}

function parametrizationsOf(m: Module): ModuleDict | null {
  const p = (m as unknown as Record<string, unknown>).parametrizations;
  return p instanceof ModuleDict ? p : null;
}

function injectProperty(module: Module, tensorName: string): void {
  Object.defineProperty(Object.getPrototypeOf(module), tensorName, {
    configurable: true,
    enumerable: false,
    get(this: Module): Tensor {
      const list = parametrizationsOf(this)!.get(tensorName)!;
      if (cacheDepth === 0) return list.forward();
      let t = cache.get(list);
      if (t === undefined) {
        t = list.forward() as Tensor;
        cache.set(list, t);
      }
      return t;
    },
    set(this: Module, value: unknown) {
      // The module's Proxy has already registered a Parameter or Module under this name: undo that.
      if (value instanceof Parameter || value instanceof Module) {
        this._parameters.delete(tensorName);
        this._modules.delete(tensorName);
        throw new RangeError(
          `${this.constructor.name}: attribute '${tensorName}' already exists (it is parametrized; assign a Tensor)`,
        );
      }
      if (!isTensor(value)) {
        throw new TypeError(
          `${this.constructor.name}: cannot assign ${describe(value)} to parametrized '${tensorName}'`,
        );
      }
      parametrizationsOf(this)!.get(tensorName)!.rightInverse(value);
    },
  });
}

/** True when `module` has a parametrization (on `tensorName`, when given). */
export function isParametrized(module: Module, tensorName?: string): boolean {
  const p = parametrizationsOf(module);
  if (p === null) return false;
  return tensorName === undefined ? p.length > 0 : p.has(tensorName);
}

/**
 * Registers a parametrization of the parameter or buffer `tensorName` of `module` (PyTorch's
 * `register_parametrization`). Reading `module[tensorName]` then returns
 * `parametrization.forward(original)`; the original tensor moves to
 * `module.parametrizations[tensorName].original` (same object, so optimizers keep working;
 * state-dict key `parametrizations.<name>.original`). A `rightInverse(value)` method on the
 * parametrization sets the original's initial value, and makes `module[tensorName] = value`
 * work; when it returns an array of tensors they become `original0`, `original1`, ....
 * Registering again on the same name chains the parametrizations (`original` stays the
 * first one's input). Unless `unsafe`, the shape and dtype must be kept. The module's class
 * becomes `Parametrized<Class>`, as in PyTorch. Returns the module.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../../mod.ts";
 * class Doubled extends nn.Module {
 *   override forward(x: any) {
 *     return x.mul(2);
 *   }
 *   rightInverse(a: any) {
 *     return a.div(2);
 *   }
 * }
 * const m = nn.utils.parametrize.registerParametrization(new nn.Linear(2, 2), "weight", new Doubled());
 * (m as any).weight = tensor([[2, 4], [6, 8]]); // runs Doubled.rightInverse
 * console.log(m.weight.tolist(), m.parametrizations.weight.original.tolist()); // [[2, 4], [6, 8]] [[1, 2], [3, 4]]
 * console.log(Object.keys(m.stateDict())); // ["bias", "parametrizations.weight.original"]
 * ```
 */
export function registerParametrization<M extends Module>(
  module: M,
  tensorName: string,
  parametrization: Module,
  opts?: RegisterParametrizationOptions,
): Parametrized<M> {
  const call = "registerParametrization";
  checkModule(module, call);
  if (typeof tensorName !== "string") {
    throw new TypeError(`${call}: expected tensorName to be a string, got ${describe(tensorName)}`);
  }
  if (!(parametrization instanceof Module)) {
    throw new TypeError(`${call}: expected the parametrization to be an nn.Module, got ${describe(parametrization)}`);
  }
  const { unsafe = false } = checkOptions<RegisterParametrizationOptions>(opts, call, ["unsafe"]);
  if (typeof unsafe !== "boolean") {
    throw new TypeError(`${call}: expected unsafe to be a boolean, got ${describe(unsafe)}`);
  }
  parametrization.train(module.training);
  const r = module as unknown as Record<string, Tensor>;
  if (isParametrized(module, tensorName)) {
    if (!unsafe) checkChained(r[tensorName], parametrization as Parametrization, tensorName, call);
    const list = parametrizationsOf(module)!.get(tensorName)!;
    list.append(parametrization);
    list.unsafe ||= unsafe;
  } else if (module._parameters.has(tensorName) || module._buffers.has(tensorName)) {
    const original = r[tensorName] as Tensor | null;
    if (original === null || original === undefined) {
      throw new RangeError(`${call}: ${module.constructor.name}'s '${tensorName}' is null`);
    }
    const list = new ParametrizationList([parametrization], original, unsafe);
    delete r[tensorName];
    if (!isParametrized(module)) {
      injectClass(module);
      (module as unknown as Record<string, Module>).parametrizations = new ModuleDict();
    }
    injectProperty(module, tensorName);
    parametrizationsOf(module)!.addModule(tensorName, list);
  } else {
    throw new RangeError(
      `${call}: Module '${module.constructor.name}' does not have a parameter, a buffer, or a parametrized element ` +
        `with name '${tensorName}'`,
    );
  }
  return module as Parametrized<M>;
}

/** The checks of a parametrization added to a chain: it must keep the tensor's shape and dtype. */
function checkChained(y: Tensor, p: Parametrization, name: string, call: string): void {
  const x: unknown = p.forward(y);
  if (!isTensor(x)) throw new TypeError(`${call}: A parametrization must return a tensor, got ${typeName(x)}`);
  const what = (kind: string, a: string, b: string, label: string) =>
    `${call}: Registering a parametrization may not change the ${kind} of the tensor, unless the \`unsafe\` ` +
    `flag is enabled.\nmodule.${name}.${kind}: ${a}\n${label}: ${b}`;
  if (x.dtype !== y.dtype) {
    throw new TypeError(what("dtype", y.dtype, x.dtype, `parametrization(module.${name}).dtype`));
  }
  if (!sameShape(x.shape, y.shape)) {
    throw new RangeError(what("shape", fmt(y.shape), fmt(x.shape), `parametrization(module.${name}).shape`));
  }
  if (typeof p.rightInverse !== "function") return;
  const z: unknown = p.rightInverse(x);
  if (!isTensor(z)) {
    throw new TypeError(`${call}: parametrization.rightInverse must return a tensor, got ${typeName(z)}`);
  }
  const inv = (kind: string, a: string, b: string) =>
    `${call}: The tensor returned by parametrization.rightInverse must have the same ${kind} as module.${name}, ` +
    `unless the \`unsafe\` flag is enabled.\nmodule.${name}.${kind}: ${a}\nreturned ${kind}: ${b}`;
  if (z.dtype !== y.dtype) throw new TypeError(inv("dtype", y.dtype, z.dtype));
  if (!sameShape(z.shape, y.shape)) throw new RangeError(inv("shape", fmt(y.shape), fmt(z.shape)));
}

/** Options of `removeParametrizations`. */
export interface RemoveParametrizationsOptions {
  /** Keep the current parametrized value (default true) instead of the unparametrized `original`. */
  leaveParametrized?: boolean;
}

/**
 * Removes the parametrizations of `tensorName` (PyTorch's `remove_parametrizations`). With
 * `leaveParametrized` (the default) the tensor keeps its current parametrized value, written
 * into the `original` object (so an optimizer holding it stays valid); otherwise it goes back
 * to `original` (possible only with a single original tensor). The tensor is registered as a
 * parameter or buffer again, as it was, and the class goes back once nothing is parametrized.
 * Returns the module.
 *
 * @example
 * ```ts
 * import { nn } from "../../../mod.ts";
 * class Neg extends nn.Module {
 *   override forward(x: any) {
 *     return x.neg();
 *   }
 * }
 * const P = nn.utils.parametrize;
 * const m = P.registerParametrization(new nn.Linear(2, 2), "weight", new Neg());
 * P.removeParametrizations(m, "weight");
 * console.log(P.isParametrized(m), m.constructor.name, Object.keys(m.stateDict())); // false Linear ["bias", "weight"]
 * ```
 */
export function removeParametrizations<M extends Module>(
  module: M,
  tensorName: string,
  opts?: RemoveParametrizationsOptions,
): M {
  const call = "removeParametrizations";
  checkModule(module, call);
  const { leaveParametrized = true } = checkOptions<RemoveParametrizationsOptions>(opts, call, [
    "leaveParametrized",
  ]);
  if (typeof leaveParametrized !== "boolean") {
    throw new TypeError(`${call}: expected leaveParametrized to be a boolean, got ${describe(leaveParametrized)}`);
  }
  if (!isParametrized(module, tensorName)) {
    throw new RangeError(
      `${call}: Module ${module.constructor.name} does not have a parametrization on ${String(tensorName)}`,
    );
  }
  const dict = parametrizationsOf(module)!;
  const list = dict.get(tensorName)!;
  const r = module as unknown as Record<string, Tensor>;
  let original: Tensor;
  if (list.isTensor) {
    original = list.original;
    if (leaveParametrized) {
      const t = noGrad(() => r[tensorName]);
      if (t !== original) noGrad(() => original._setData(t.detach()));
    }
  } else {
    if (!leaveParametrized) {
      throw new RangeError(
        `${call}: Cannot leave unparametrized (\`leaveParametrized: false\`) a tensor that is parametrized in ` +
          "terms of a sequence of tensors.",
      );
    }
    const t = r[tensorName];
    original = t.requiresGrad ? new Parameter(t) : t;
  }
  Reflect.deleteProperty(Object.getPrototypeOf(module), tensorName);
  delete (dict as unknown as Record<string, unknown>)[tensorName];
  registerParameterOrBuffer(module, tensorName, original);
  if (!isParametrized(module)) {
    delete (module as unknown as Record<string, unknown>).parametrizations;
    const base = BASE.get(Object.getPrototypeOf(module));
    if (base) Object.setPrototypeOf(module, base);
  }
  return module;
}

/** The module's class before parametrizations were registered (its own class otherwise). */
export function typeBeforeParametrizations(module: Module): new (...args: never[]) => Module {
  checkModule(module, "typeBeforeParametrizations");
  const proto = Object.getPrototypeOf(module);
  return (BASE.get(proto) ?? proto).constructor;
}
