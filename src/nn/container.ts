/**
 * Containers: `Sequential` (modules chained in order), `ModuleList` and `ParameterList`
 * (indexable lists whose entries are registered under the keys "0", "1", ... as in PyTorch),
 * and `ModuleDict` and `ParameterDict` (ordered dicts whose entries are registered under
 * their keys).
 *
 * @module
 */

import { isTensor, type Tensor } from "../tensor/mod.ts";
import { describe } from "../tensor/shape.ts";
import { Module, torchTypename } from "./module.ts";
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
  /** Modules to chain (registered as "0", "1", ...), or one Map of names to modules. */
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
  /** The modules to hold, in order (none by default). */
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
  /** The parameters to hold, in order (plain tensors are wrapped into Parameters). */
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

  /** A Parameter as is, a plain tensor wrapped into one. */
  private _wrap(p: unknown, call: string): Parameter {
    if (p instanceof Parameter) return p;
    if (isTensor(p)) return new Parameter(p);
    throw new TypeError(`${call}: expected a Tensor or nn.Parameter, got ${describe(p)}`);
  }

  /** One `(i): Parameter containing: [...]` line per parameter, as PyTorch 1.13. */
  override extraRepr(): string {
    // PyTorch 1.13's ParameterList.extra_repr prints the dtype as `torch.float32`.
    return [...this._parameters].map(([k, p]) =>
      `  (${k}): Parameter containing: [torch.${p!.dtype} of size ${p!.shape.join("x")}]`
    )
      .join("\n");
  }
}

/** What the dict containers accept: a record, a Map, another dict container, or [key, value] pairs. */
export type DictInit<V> = Record<string, V> | Map<string, V> | Iterable<readonly [string, V]>;

/**
 * The [key, value] pairs of an update argument, in PyTorch's order: a Map, a ModuleDict or a
 * ParameterDict in its order, a plain record in its order (`sortRecord`: sorted by key, as
 * 1.13's ParameterDict.update sorts a plain dict), any other iterable as [key, value] pairs.
 */
function dictPairs(arg: unknown, call: string, sortRecord: boolean): [unknown, unknown][] {
  if (arg instanceof Map) return [...arg];
  if (arg instanceof ModuleDict || arg instanceof ParameterDict) return arg.items();
  const isIterable = arg !== null && arg !== undefined &&
    typeof (arg as Iterable<unknown>)[Symbol.iterator] === "function";
  if (!isIterable) {
    const proto = arg !== null && typeof arg === "object" ? Object.getPrototypeOf(arg) : undefined;
    if (proto === Object.prototype || proto === null) {
      const entries = Object.entries(arg as Record<string, unknown>);
      return sortRecord ? entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : entries;
    }
    throw new TypeError(`${call}: should be called with an iterable of key/value pairs, but got ${describe(arg)}`);
  }
  const out: [unknown, unknown][] = [];
  let j = 0;
  for (const item of arg as Iterable<unknown>) {
    if (item === null || item === undefined || typeof (item as Iterable<unknown>)[Symbol.iterator] !== "function") {
      throw new TypeError(`${call}: sequence element #${j} should be Iterable; is ${describe(item)}`);
    }
    const pair = [...(item as Iterable<unknown>)];
    if (pair.length !== 2) {
      throw new RangeError(`${call}: sequence element #${j} has length ${pair.length}; 2 is required`);
    }
    out.push([pair[0], pair[1]]);
    j++;
  }
  return out;
}

/** PyTorch's register_* checks on a dict key, under the dict's method name. */
function checkKey(owner: Module, key: unknown, registry: Map<string, unknown>, call: string, what: string): string {
  if (typeof key !== "string") {
    throw new TypeError(`${call}: ${what} name should be a string, got ${describe(key)}`);
  }
  if (key.includes(".")) throw new RangeError(`${call}: ${what} name can't contain ".", got: ${key}`);
  if (key === "") throw new RangeError(`${call}: ${what} name can't be empty string ""`);
  if (!registry.has(key) && key in owner && (owner as unknown as Record<string, unknown>)[key] !== undefined) {
    throw new RangeError(`${call}: attribute '${key}' already exists`);
  }
  return key;
}

/**
 * An ordered dict of modules (PyTorch's `nn.ModuleDict`): each module is registered under its
 * key, so its parameters belong to the module that holds the dict and the state dict keys are
 * `<key>.<param>`. Built from a Map or [key, module] pairs (in order) or a record; `get`
 * throws for a missing key as Python's `dict[key]` does; iteration yields the keys, as in
 * Python (use `items()` for pairs).
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const heads = new nn.ModuleDict({ cls: new nn.Linear(4, 3), reg: new nn.Linear(4, 1) });
 * heads.set("act", new nn.ReLU());
 * console.log(heads.keys(), heads.size); // ["cls", "reg", "act"] 3
 * console.log(Object.keys(heads.stateDict())); // ["cls.weight", "cls.bias", "reg.weight", "reg.bias"]
 * console.log(heads.get("cls").forward(randn([2, 4])).shape); // [2, 3]
 * ```
 */
export class ModuleDict extends Module {
  /** The [key, module] entries to register (a Map, pairs, a record or a ModuleDict). */
  constructor(modules?: DictInit<Module> | ModuleDict | null) {
    super();
    if (modules !== undefined && modules !== null) this._update(modules, "ModuleDict");
  }

  /** The module under `key` (RangeError when there is none, like Python's KeyError). */
  get(key: string): Module {
    if (!this._modules.has(key)) throw new RangeError(`ModuleDict.get: no module under the key ${describe(key)}`);
    return this._modules.get(key) as Module;
  }

  /** Registers `module` under `key` (replacing the module there, keeping its position). */
  set(key: string, module: Module): void {
    this._set(key, module, "ModuleDict.set");
  }

  /** @internal */
  _set(key: unknown, module: unknown, call: string): void {
    const k = checkKey(this, key, this._modules, call, "module");
    if (!(module instanceof Module)) throw new TypeError(`${call}: ${describe(module)} is not a Module subclass`);
    this.addModule(k, module);
  }

  /** Whether a module is registered under `key`. */
  has(key: string): boolean {
    return this._modules.has(key);
  }

  /** Removes the module under `key` (RangeError when there is none). */
  delete(key: string): void {
    if (!this._modules.has(key)) throw new RangeError(`ModuleDict.delete: no module under the key ${describe(key)}`);
    delete (this as unknown as Record<string, unknown>)[key];
  }

  /** Removes the module under `key` and returns it (RangeError when there is none). */
  pop(key: string): Module {
    if (!this._modules.has(key)) throw new RangeError(`ModuleDict.pop: no module under the key ${describe(key)}`);
    const m = this._modules.get(key) as Module;
    this.delete(key);
    return m;
  }

  /** Removes every module. */
  clear(): void {
    for (const k of [...this._modules.keys()]) this.delete(k);
  }

  /** The keys, in order. */
  keys(): string[] {
    return [...this._modules.keys()];
  }

  /** The modules, in order. */
  values(): Module[] {
    return [...this._modules.values()] as Module[];
  }

  /** The [key, module] pairs, in order. */
  items(): [string, Module][] {
    return [...this._modules] as [string, Module][];
  }

  /**
   * Registers every [key, module] of a Map, a ModuleDict, a record or an iterable of pairs,
   * replacing modules under existing keys.
   */
  update(modules: DictInit<Module> | ModuleDict): void {
    this._update(modules, "ModuleDict.update");
  }

  /** `update`, with errors named `call`. */
  private _update(modules: unknown, call: string): void {
    for (const [k, m] of dictPairs(modules, call, false)) this._set(k, m, call);
  }

  /** The number of modules. */
  get size(): number {
    return this._modules.size;
  }

  /** The number of modules (Python's `len`). */
  get length(): number {
    return this._modules.size;
  }

  /** The keys, as iterating a Python dict gives. */
  *[Symbol.iterator](): Generator<string> {
    yield* [...this._modules.keys()];
  }
}

/**
 * An ordered dict of Parameters (PyTorch 1.13's `nn.ParameterDict`): each value is registered
 * as a parameter under its key (a plain tensor is wrapped into a Parameter; null reserves the
 * key), so the state dict keys are the dict's keys. A record argument is taken in sorted key
 * order, as 1.13 sorts a plain dict; a Map or [key, value] pairs keep their order. `get`
 * returns a default for a missing key, like Python's `dict.get`; iteration yields the keys.
 *
 * @example
 * ```ts
 * import { nn, ones, zeros } from "../../mod.ts";
 * const p = new nn.ParameterDict({ scale: ones([3]), shift: zeros([3]) });
 * console.log(p.keys(), p.get("scale") instanceof nn.Parameter); // ["scale", "shift"] true
 * p.setdefault("gain", ones([1]));
 * console.log(Object.keys(p.stateDict())); // ["scale", "shift", "gain"]
 * ```
 */
export class ParameterDict extends Module {
  /** The [key, tensor] entries to register (a record is taken in sorted key order). */
  constructor(parameters?: DictInit<Tensor | null> | ParameterDict | null) {
    super();
    if (parameters !== undefined && parameters !== null) this._update(parameters, "ParameterDict");
  }

  /** The parameter under `key`, or `defaultValue` (null) when there is none. */
  get(key: string, defaultValue: Parameter | null = null): Parameter | null {
    return this._parameters.has(key) ? this._parameters.get(key) as Parameter | null : defaultValue;
  }

  /** Registers `value` under `key` (a plain tensor is wrapped into a Parameter; null reserves the key). */
  set(key: string, value: Tensor | null): void {
    this._set(key, value, "ParameterDict.set");
  }

  /** @internal */
  _set(key: unknown, value: unknown, call: string): void {
    if (typeof key !== "string") {
      throw new TypeError(
        `${call}: a ParameterDict key must be a string, got ${describe(key)}`,
      );
    }
    checkKey(this, key, this._parameters, call, "parameter");
    let p: Parameter | null;
    if (value === null) p = null;
    else if (value instanceof Parameter) p = value;
    else if (isTensor(value)) p = new Parameter(value);
    else throw new TypeError(`${call}: expected a Tensor, an nn.Parameter or null, got ${describe(value)}`);
    this.registerParameter(key, p);
  }

  /** Whether `key` is in the dict. */
  has(key: string): boolean {
    return this._parameters.has(key);
  }

  /** Removes `key` (RangeError when it is not in the dict). */
  delete(key: string): void {
    if (!this._parameters.has(key)) {
      throw new RangeError(`ParameterDict.delete: no parameter under the key ${describe(key)}`);
    }
    delete (this as unknown as Record<string, unknown>)[key];
  }

  /** Removes `key` and returns its value (RangeError when it is not in the dict). */
  pop(key: string): Parameter | null {
    if (!this._parameters.has(key)) {
      throw new RangeError(`ParameterDict.pop: no parameter under the key ${describe(key)}`);
    }
    const p = this._parameters.get(key) as Parameter | null;
    this.delete(key);
    return p;
  }

  /** Removes the last [key, value] pair and returns it (RangeError when the dict is empty). */
  popitem(): [string, Parameter | null] {
    const keys = this.keys();
    if (!keys.length) throw new RangeError("ParameterDict.popitem: popitem(): dictionary is empty");
    const k = keys[keys.length - 1];
    return [k, this.pop(k)];
  }

  /** The value under `key`; when there is none, `value` is set first (and returned as stored). */
  setdefault(key: string, value: Tensor | null = null): Parameter | null {
    if (!this._parameters.has(key)) this._set(key, value, "ParameterDict.setdefault");
    return this._parameters.get(key) as Parameter | null;
  }

  /** Removes every entry. */
  clear(): void {
    for (const k of this.keys()) this.delete(k);
  }

  /** A new ParameterDict holding the same Parameters under the same keys. */
  copy(): ParameterDict {
    return new ParameterDict(new Map(this._parameters));
  }

  /** A new ParameterDict with every key of `keys` set to `value` (null by default). */
  fromkeys(keys: Iterable<string>, value: Tensor | null = null): ParameterDict {
    if (keys === null || typeof (keys as Iterable<string>)[Symbol.iterator] !== "function") {
      throw new TypeError(`ParameterDict.fromkeys: expected an iterable of keys, got ${describe(keys)}`);
    }
    return new ParameterDict([...keys].map((k) => [k, value] as [string, Tensor | null]));
  }

  /** The keys, in order. */
  keys(): string[] {
    return [...this._parameters.keys()];
  }

  /** The values, in order. */
  values(): (Parameter | null)[] {
    return [...this._parameters.values()];
  }

  /** The [key, value] pairs, in order. */
  items(): [string, Parameter | null][] {
    return [...this._parameters];
  }

  /**
   * Sets every [key, value] of a Map, a ParameterDict, an iterable of pairs (in their order)
   * or a record (in sorted key order, as PyTorch 1.13 takes a plain dict).
   */
  update(parameters: DictInit<Tensor | null> | ParameterDict): void {
    this._update(parameters, "ParameterDict.update");
  }

  /** `update`, with errors named `call`. */
  private _update(parameters: unknown, call: string): void {
    for (const [k, v] of dictPairs(parameters, call, true)) this._set(k, v, call);
  }

  /** The number of entries. */
  get size(): number {
    return this._parameters.size;
  }

  /** The number of entries (Python's `len`). */
  get length(): number {
    return this._parameters.size;
  }

  /** The keys, as iterating a Python dict gives. */
  *[Symbol.iterator](): Generator<string> {
    yield* this.keys();
  }

  /** A ParameterDict is not callable (PyTorch raises "ParameterDict should not be called."). */
  override forward(..._args: unknown[]): never {
    throw new TypeError("ParameterDict.forward: ParameterDict should not be called.");
  }

  /** One line per entry, as PyTorch 1.13's ParameterDict.extra_repr (`torch.FloatTensor` type names). */
  override extraRepr(): string {
    return [...this._parameters].map(([k, p]) =>
      p
        ? `  (${k}): Parameter containing: [${torchTypename(p)} of size ${p.shape.join("x")}]`
        : `  (${k}): Object of type: NoneType`
    ).join("\n");
  }
}
