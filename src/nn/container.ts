/**
 * Containers: `Sequential` (modules chained in order), `ModuleList` and `ParameterList`
 * (indexable lists whose entries are registered under the keys "0", "1", ... as in PyTorch).
 *
 * @module
 */

import { isTensor, type Tensor } from "../tensor/mod.ts";
import { describe } from "../tensor/shape.ts";
import { Module } from "./module.ts";
import { Parameter } from "./parameter.ts";

function checkModule(m: unknown, call: string, what: string): Module {
  if (!(m instanceof Module)) throw new TypeError(`${call}: ${what} is not a Module, got ${describe(m)}`);
  return m;
}

/** Normalises a possibly negative list index; RangeError when out of range. */
function listIndex(i: unknown, length: number, call: string): number {
  if (typeof i !== "number" || !Number.isInteger(i)) {
    throw new TypeError(`${call}: expected an integer index, got ${describe(i)}`);
  }
  if (i < -length || i >= length) throw new RangeError(`${call}: index ${i} is out of range for length ${length}`);
  return i < 0 ? i + length : i;
}

/**
 * Modules run in order, each one's output feeding the next. Built from modules (registered
 * as "0", "1", ...) or from a Map of names to modules (PyTorch's OrderedDict form).
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 2));
 * console.log(model.forward(randn([3, 4])).shape); // [3, 2]
 * console.log(Object.keys(model.stateDict())); // ["0.weight", "0.bias", "2.weight", "2.bias"]
 * const named = new nn.Sequential(new Map([["fc", new nn.Linear(4, 2)], ["act", new nn.Tanh()]]));
 * console.log(Object.keys(named.stateDict())); // ["fc.weight", "fc.bias"]
 * ```
 */
export class Sequential extends Module {
  constructor(...args: Module[] | [Map<string, Module>]) {
    super();
    if (args.length === 1 && args[0] instanceof Map) {
      for (const [name, m] of args[0]) {
        if (typeof name !== "string") {
          throw new TypeError(`Sequential: expected string keys in the Map, got ${describe(name)}`);
        }
        this.addModule(name, checkModule(m, "Sequential", `the entry '${name}'`));
      }
    } else {
      (args as unknown[]).forEach((m, i) => this.addModule(String(i), checkModule(m, "Sequential", `argument ${i}`)));
    }
  }

  /** The number of modules. */
  get length(): number {
    return this._modules.size;
  }

  /** The module at position `i` (negative counts from the end). */
  get(i: number): Module {
    const k = listIndex(i, this.length, "Sequential.get");
    return [...this._modules.values()][k] as Module;
  }

  /** A new Sequential sharing the modules at positions [start, end), with their names. */
  slice(start?: number, end?: number): Sequential {
    return new Sequential(new Map([...this._modules].slice(start, end) as [string, Module][]));
  }

  /** Appends a module under the next integer key. Returns this. */
  append(module: Module): this {
    this.addModule(String(this.length), checkModule(module, "Sequential.append", "the argument"));
    return this;
  }

  /** Appends every module of `modules`. Returns this. */
  extend(modules: Iterable<Module>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  /** The modules in order. */
  *[Symbol.iterator](): Generator<Module> {
    for (const m of this._modules.values()) if (m) yield m;
  }

  /** Feeds `input` through every module in order. */
  // deno-lint-ignore no-explicit-any
  override forward(input: any): any {
    for (const m of this._modules.values()) if (m) input = m.forward(input);
    return input;
  }
}

/**
 * A list of modules, registered under "0", "1", ..., so their parameters belong to the
 * module that holds the list. Index it with `get(i)` (or `list[i]`) and iterate it.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * class MyModule extends nn.Module {
 *   linears = new nn.ModuleList(Array.from({ length: 3 }, () => new nn.Linear(10, 10)));
 *   override forward(x: any) {
 *     let i = 0;
 *     for (const l of this.linears) x = this.linears.get(Math.floor(i++ / 2)).forward(x).add(l.forward(x));
 *     return x;
 *   }
 * }
 * const m = new MyModule();
 * console.log(m.forward(randn([2, 10])).shape, [...m.parameters()].length); // [2, 10] 6
 * ```
 */
export class ModuleList extends Module {
  constructor(modules?: Iterable<Module> | null) {
    super();
    if (modules !== undefined && modules !== null) this.extend(modules);
  }

  /** The number of modules. */
  get length(): number {
    return this._modules.size;
  }

  /** The module at position `i` (negative counts from the end). */
  get(i: number): Module {
    const k = listIndex(i, this.length, "ModuleList.get");
    return this._modules.get(String(k)) as Module;
  }

  /** Replaces the module at position `i`. */
  set(i: number, module: Module): void {
    const k = listIndex(i, this.length, "ModuleList.set");
    this.addModule(String(k), checkModule(module, "ModuleList.set", "the argument"));
  }

  /** Appends a module. Returns this. */
  append(module: Module): this {
    this.addModule(String(this.length), checkModule(module, "ModuleList.append", "the argument"));
    return this;
  }

  /** Appends every module of an iterable. Returns this. */
  extend(modules: Iterable<Module>): this {
    if (modules === null || typeof (modules as Iterable<Module>)[Symbol.iterator] !== "function") {
      throw new TypeError(`ModuleList.extend: expected an iterable of modules, got ${describe(modules)}`);
    }
    for (const m of modules) this.append(m);
    return this;
  }

  /** Inserts a module before position `index` (as Python's list.insert). */
  insert(index: number, module: Module): void {
    checkModule(module, "ModuleList.insert", "the argument");
    const n = this.length;
    if (typeof index !== "number" || !Number.isInteger(index)) {
      throw new TypeError(`ModuleList.insert: expected an integer index, got ${describe(index)}`);
    }
    let at = index < 0 ? Math.max(0, index + n) : Math.min(index, n);
    const items = [...this._modules.values()] as Module[];
    items.splice(at, 0, module);
    for (at = 0; at < items.length; at++) this.addModule(String(at), items[at]);
  }

  /** The modules in order. */
  *[Symbol.iterator](): Generator<Module> {
    for (const m of this._modules.values()) if (m) yield m;
  }
}

/**
 * A list of Parameters registered under "0", "1", ... (plain tensors are wrapped into
 * Parameters, as PyTorch does). Index it with `get(i)` and iterate it.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const params = new nn.ParameterList([new nn.Parameter(randn([10, 10])), randn([10])]);
 * console.log(params.length, Object.keys(params.stateDict())); // 2 ["0", "1"]
 * console.log(params.get(1) instanceof nn.Parameter); // true
 * ```
 */
export class ParameterList extends Module {
  constructor(parameters?: Iterable<Tensor> | null) {
    super();
    if (parameters !== undefined && parameters !== null) this.extend(parameters);
  }

  /** The number of parameters. */
  get length(): number {
    return this._parameters.size;
  }

  /** The parameter at position `i` (negative counts from the end). */
  get(i: number): Parameter {
    const k = listIndex(i, this.length, "ParameterList.get");
    return this._parameters.get(String(k)) as Parameter;
  }

  /** Replaces the parameter at position `i`. */
  set(i: number, param: Tensor): void {
    const k = listIndex(i, this.length, "ParameterList.set");
    this.registerParameter(String(k), this._wrap(param, "ParameterList.set"));
  }

  /** Appends a parameter (a plain tensor is wrapped into a Parameter). Returns this. */
  append(param: Tensor): this {
    this.registerParameter(String(this.length), this._wrap(param, "ParameterList.append"));
    return this;
  }

  /** Appends every tensor of an iterable. Returns this. */
  extend(params: Iterable<Tensor>): this {
    if (params === null || typeof (params as Iterable<Tensor>)[Symbol.iterator] !== "function") {
      throw new TypeError(`ParameterList.extend: expected an iterable of tensors, got ${describe(params)}`);
    }
    for (const p of params) this.append(p);
    return this;
  }

  /** The parameters in order. */
  *[Symbol.iterator](): Generator<Parameter> {
    for (const p of this._parameters.values()) if (p) yield p;
  }

  private _wrap(p: unknown, call: string): Parameter {
    if (p instanceof Parameter) return p;
    if (isTensor(p)) return new Parameter(p);
    throw new TypeError(`${call}: expected a Tensor or nn.Parameter, got ${describe(p)}`);
  }

  override extraRepr(): string {
    return [...this._parameters].map(([k, p]) =>
      `(${k}): Parameter containing: [${p!.dtype} of size ${p!.shape.join("x")}]`
    )
      .join("\n");
  }
}
