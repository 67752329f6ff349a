/**
 * ModuleDict, ParameterDict and the Module methods of PyTorch 1.13 that came with them
 * (getSubmodule / getParameter / getBuffer, extra state, load post hooks, type, toEmpty, ...),
 * against tests/fixtures/containers/cases.json (tools/fixtures/containers.py).
 */
import assert from "node:assert/strict";
import { nn, ones, randn, type Tensor, zeros } from "../../mod.ts";
import { fixture, throwsWith } from "../util/fixture_json.ts";

// deno-lint-ignore no-explicit-any
type Any = any;
const fx = fixture("containers", "cases");

function build(name: string): nn.Module {
  switch (name) {
    case "moduledict":
      return new nn.ModuleDict({ fc: new nn.Linear(2, 3), act: new nn.ReLU(), bn: new nn.BatchNorm1d(3) });
    case "moduledict_pairs":
      return new nn.ModuleDict([["z", new nn.Linear(1, 1)], ["a", new nn.Tanh()]]);
    case "moduledict_empty":
      return new nn.ModuleDict();
    case "parameterdict":
      return new nn.ParameterDict({ b: new nn.Parameter(zeros([2, 3])), a: ones([4]) });
    case "parameterdict_ordered":
      return new nn.ParameterDict(new Map([["b", zeros([2])], ["a", ones([1, 2, 3], { dtype: "float64" })]]));
    case "parameterdict_empty":
      return new nn.ParameterDict();
    case "nested": {
      const outer = new nn.Module() as Any;
      outer.blocks = new nn.ModuleDict({
        enc: new nn.Sequential(new nn.Linear(2, 2), new nn.BatchNorm1d(2)),
        head: new nn.ModuleList([new nn.Linear(2, 1)]),
      });
      outer.scale = new nn.ParameterDict({ s: ones([1]) });
      outer.registerBuffer("steps", zeros([1]));
      outer.none_child = null;
      outer.addModule("absent", null);
      return outer;
    }
  }
  throw new Error(name);
}

function checkProbe(m: nn.Module, call: "getSubmodule" | "getParameter" | "getBuffer", target: string, want: Any) {
  const root = m.constructor.name;
  if (want.error !== undefined) {
    const cls = /has no attribute/.test(want.error) ? RangeError : TypeError;
    const esc = want.error.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    throwsWith(() => m[call](target), cls, new RegExp(`^${root}\\.${call}: ${esc}$`));
  } else if (want.module !== undefined) {
    assert.equal((m[call](target) as nn.Module).constructor.name, want.module, `${call}(${target})`);
  } else {
    const t = m[call](target) as Tensor;
    assert.equal(t instanceof nn.Parameter, want.parameter !== undefined, `${call}(${target}) is a Parameter`);
    assert.deepEqual(t.shape, want.parameter ?? want.tensor, `${call}(${target}) shape`);
  }
}

for (const c of fx.cases) {
  Deno.test(`containers match PyTorch: ${c.name} (state dict keys, repr, parameter names, dotted lookups)`, () => {
    const m = build(c.name);
    assert.deepEqual(Object.keys(m.stateDict()), c.keys);
    assert.equal(m.toString(), c.repr);
    assert.deepEqual([...m.namedParameters()].map(([n]) => n), c.params);
    for (const p of c.probes) {
      checkProbe(m, "getSubmodule", p.target, p.submodule);
      checkProbe(m, "getParameter", p.target, p.parameter);
      checkProbe(m, "getBuffer", p.target, p.buffer);
    }
  });
}

class Extra extends nn.Module {
  l = new nn.Linear(1, 1);
  state: Any = { n: 1 };
  override getExtraState() {
    return this.state;
  }
  override setExtraState(state: Any) {
    this.state = state;
  }
}

for (const c of fx.loads) {
  Deno.test(`loadStateDict matches PyTorch: ${c.name} (extra state, post hooks see PyTorch's partial lists)`, () => {
    const m = new nn.Sequential(new nn.Linear(2, 2), new nn.Sequential(new nn.Linear(2, 1)), new Extra());
    const full = m.stateDict() as Record<string, unknown>;
    assert.deepEqual(Object.keys(full), c.stateKeys);
    const sd = new Map<string, unknown>();
    for (const k of c.keys) {
      sd.set(k, k.endsWith("_extra_state") ? { n: 7 } : k in full ? (full[k] as Tensor).clone() : zeros([1]));
    }
    const log: Any[] = [];
    for (const [name, mod] of m.namedModules()) {
      mod.registerLoadStateDictPostHook((_mod, inc) => {
        assert.equal(_mod, mod);
        log.push({ module: name, missing: [...inc.missingKeys], unexpected: [...inc.unexpectedKeys] });
        if (c.clear && name === "") {
          inc.missingKeys.length = 0;
          inc.unexpectedKeys.length = 0;
        }
      });
    }
    const load = () => m.loadStateDict(sd as Map<string, Tensor>, { strict: c.strict });
    if (c.error !== undefined) {
      const esc = c.error.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      throwsWith(load, RangeError, new RegExp(`^Sequential\\.loadStateDict: ${esc}$`));
    } else {
      const r = load();
      assert.deepEqual(r, { missingKeys: c.result.missing, unexpectedKeys: c.result.unexpected });
      assert.deepEqual((m.get(2) as Extra).state, c.extra);
    }
    assert.deepEqual(log, c.log);
  });
}

Deno.test("ModuleDict: dict methods, registration and PyTorch's errors", () => {
  const fc = new nn.Linear(2, 2), act = new nn.ReLU();
  const d = new nn.ModuleDict(new Map<string, nn.Module>([["fc", fc], ["act", act]]));
  assert.deepEqual(d.keys(), ["fc", "act"]);
  assert.deepEqual([...d], ["fc", "act"]);
  assert.deepEqual(d.values(), [fc, act]);
  assert.deepEqual(d.items(), [["fc", fc], ["act", act]]);
  assert.equal(d.get("fc"), fc);
  assert.equal((d as Any).fc, fc);
  assert.ok(d.has("act") && !d.has("nope"));
  assert.equal(d.size, 2);
  assert.equal(d.length, 2);
  // Replacing keeps the position, as a Python dict does.
  const fc2 = new nn.Linear(2, 3);
  d.set("fc", fc2);
  assert.deepEqual(Object.keys(d.stateDict()), ["fc.weight", "fc.bias"]);
  assert.equal(d.stateDict()["fc.weight"].shape[0], 3);
  assert.equal(d.pop("act"), act);
  assert.ok(!d.has("act") && (d as Any).act === undefined);
  d.update([["b", new nn.Tanh()], ["a", new nn.Sigmoid()]]);
  d.update(new nn.ModuleDict({ c: new nn.Identity() }));
  assert.deepEqual(d.keys(), ["fc", "b", "a", "c"]);
  d.delete("b");
  assert.deepEqual(d.keys(), ["fc", "a", "c"]);
  assert.equal([...d.parameters()].length, 2);
  d.clear();
  assert.equal(d.size, 0);
  assert.deepEqual(d.stateDict(), {});
  // In a parent module the keys are prefixed.
  const parent = new nn.Module() as Any;
  parent.heads = new nn.ModuleDict({ x: new nn.Linear(1, 1) });
  assert.deepEqual(Object.keys(parent.stateDict()), ["heads.x.weight", "heads.x.bias"]);

  throwsWith(() => d.get("zz"), RangeError, /^ModuleDict\.get: no module under the key "zz"$/);
  throwsWith(() => d.pop("zz"), RangeError, /^ModuleDict\.pop: no module under the key "zz"$/);
  throwsWith(() => d.delete("zz"), RangeError, /^ModuleDict\.delete: no module under the key "zz"$/);
  throwsWith(() => d.set("keys", new nn.ReLU()), RangeError, /^ModuleDict\.set: attribute 'keys' already exists$/);
  throwsWith(
    () => d.set("training", new nn.ReLU()),
    RangeError,
    /^ModuleDict\.set: attribute 'training' already exists$/,
  );
  throwsWith(
    () => d.set("a.b", new nn.ReLU()),
    RangeError,
    /^ModuleDict\.set: module name can't contain "\.", got: a\.b$/,
  );
  throwsWith(() => d.set("", new nn.ReLU()), RangeError, /^ModuleDict\.set: module name can't be empty string ""$/);
  throwsWith(() => d.set("q", 3 as Any), TypeError, /^ModuleDict\.set: number 3 is not a Module subclass$/);
  throwsWith(
    () => d.set(1 as Any, new nn.ReLU()),
    TypeError,
    /^ModuleDict\.set: module name should be a string, got number 1$/,
  );
  throwsWith(
    () => new nn.ModuleDict(3 as Any),
    TypeError,
    /^ModuleDict: should be called with an iterable of key\/value pairs, but got number 3$/,
  );
  throwsWith(
    () => new nn.ModuleDict([["a"]] as Any),
    RangeError,
    /^ModuleDict: sequence element #0 has length 1; 2 is required$/,
  );
  throwsWith(
    () => d.update([3] as Any),
    TypeError,
    /^ModuleDict\.update: sequence element #0 should be Iterable; is number 3$/,
  );
});

Deno.test("ParameterDict: wraps tensors, sorts records (1.13), dict methods and errors", () => {
  const w = randn([2, 2]);
  const p = new nn.ParameterDict({ w, b: zeros([2]) });
  assert.deepEqual(p.keys(), ["b", "w"]);
  assert.ok(p.get("w") instanceof nn.Parameter);
  assert.ok(p.get("w")!.requiresGrad);
  assert.equal(p.get("nope"), null);
  const dflt = new nn.Parameter(ones([1]));
  assert.equal(p.get("nope", dflt), dflt);
  const given = new nn.Parameter(ones([3]));
  p.set("g", given);
  assert.equal(p.get("g"), given);
  assert.equal(p.setdefault("g", zeros([1])), given);
  const s = p.setdefault("s", zeros([5]))!;
  assert.deepEqual(s.shape, [5]);
  assert.equal(p.setdefault("n"), null);
  assert.deepEqual(p.keys(), ["b", "w", "g", "s", "n"]);
  assert.deepEqual(Object.keys(p.stateDict()), ["b", "w", "g", "s"]);
  assert.equal([...p.parameters()].length, 4);
  assert.equal(
    p.toString(),
    "ParameterDict(\n" +
      "    (b): Parameter containing: [torch.FloatTensor of size 2]\n" +
      "    (w): Parameter containing: [torch.FloatTensor of size 2x2]\n" +
      "    (g): Parameter containing: [torch.FloatTensor of size 3]\n" +
      "    (s): Parameter containing: [torch.FloatTensor of size 5]\n" +
      "    (n): Object of type: NoneType\n)",
  );
  const c = p.copy();
  assert.deepEqual(c.keys(), p.keys());
  assert.equal(c.get("g"), given);
  assert.deepEqual(p.popitem(), ["n", null]);
  assert.equal(p.pop("s"), s);
  p.delete("b");
  assert.deepEqual([...p], ["w", "g"]);
  assert.equal(p.size, 2);
  assert.equal(p.length, 2);
  assert.deepEqual(p.items().map(([k]) => k), ["w", "g"]);
  assert.deepEqual(p.values(), [p.get("w"), given]);
  p.update(new Map([["z", ones([1])], ["y", ones([1])]]));
  assert.deepEqual(p.keys(), ["w", "g", "z", "y"]);
  p.update({ q: ones([1]), a: ones([1]) });
  assert.deepEqual(p.keys(), ["w", "g", "z", "y", "a", "q"]);
  const f = p.fromkeys(["k1", "k2"], ones([2]));
  assert.deepEqual(Object.keys(f.stateDict()), ["k1", "k2"]);
  assert.notEqual(f.get("k1"), f.get("k2"));
  assert.deepEqual(p.fromkeys(["u"]).items(), [["u", null]]);
  p.clear();
  assert.equal(p.size, 0);
  assert.equal(new nn.ParameterDict().toString(), "ParameterDict()");

  throwsWith(() => p.pop("zz"), RangeError, /^ParameterDict\.pop: no parameter under the key "zz"$/);
  throwsWith(() => p.popitem(), RangeError, /^ParameterDict\.popitem: popitem\(\): dictionary is empty$/);
  throwsWith(
    () => p.set(1 as Any, ones([1])),
    TypeError,
    /^ParameterDict\.set: a ParameterDict key must be a string, got number 1$/,
  );
  throwsWith(
    () => p.set("x", 3 as Any),
    TypeError,
    /^ParameterDict\.set: expected a Tensor, an nn\.Parameter or null, got number 3$/,
  );
  throwsWith(() => p.set("keys", ones([1])), RangeError, /^ParameterDict\.set: attribute 'keys' already exists$/);
  throwsWith(
    () => p.set("a.b", ones([1])),
    RangeError,
    /^ParameterDict\.set: parameter name can't contain "\.", got: a\.b$/,
  );
  throwsWith(
    () => new nn.ParameterDict([["a"]] as Any),
    RangeError,
    /^ParameterDict: sequence element #0 has length 1; 2 is required$/,
  );
  throwsWith(() => p.forward(ones([1])), TypeError, /^ParameterDict\.forward: ParameterDict should not be called\.$/);
});

Deno.test("ParameterList repr is PyTorch 1.13's (torch.float32 dtype names, indented lines)", () => {
  assert.equal(
    new nn.ParameterList([ones([2]), ones([2, 3], { dtype: "float64" })]).toString(),
    "ParameterList(\n    (0): Parameter containing: [torch.float32 of size 2]\n" +
      "    (1): Parameter containing: [torch.float64 of size 2x3]\n)",
  );
  assert.equal(
    new nn.ParameterList([ones([2])]).toString(),
    "ParameterList(  (0): Parameter containing: [torch.float32 of size 2])",
  );
});

Deno.test("Module: registerModule, requiresGrad_, type, shareMemory, bfloat16, toEmpty", () => {
  const m = new nn.Module() as Any;
  const lin = new nn.Linear(2, 2);
  m.registerModule("lin", lin);
  assert.equal(m.getSubmodule("lin"), lin);
  assert.equal(m.requiresGrad_(false), m);
  assert.ok([...m.parameters()].every((p: Tensor) => !p.requiresGrad));
  m.requiresGrad_();
  assert.ok([...m.parameters()].every((p: Tensor) => p.requiresGrad));
  throwsWith(() => m.requiresGrad_(1), TypeError, /^Module\.requiresGrad_: expected a boolean, got number 1$/);

  const bn = new nn.BatchNorm1d(2);
  const w = bn.weight;
  bn.type("float64");
  assert.equal(bn.weight, w);
  assert.deepEqual(Object.values(bn.stateDict()).map((t) => t.dtype), Array(5).fill("float64"));
  throwsWith(
    () => new nn.Linear(1, 1).type("int64"),
    TypeError,
    /^Linear\.type: data set to a tensor that requires gradients must be floating point or complex dtype, got int64$/,
  );
  throwsWith(() => bn.type("bfloat16" as Any), TypeError, /^BatchNorm1d\.type: unknown dtype "bfloat16"$/);
  assert.equal(bn.shareMemory(), bn);
  throwsWith(() => bn.bfloat16(), TypeError, /^BatchNorm1d\.bfloat16: denotorch has no bfloat16 dtype/);

  const l2 = new nn.Linear(3, 2);
  const weight = l2.weight, bias = l2.bias;
  l2.weight.grad = ones([2, 3]);
  assert.equal(l2.toEmpty(), l2);
  assert.equal(l2.weight, weight);
  assert.equal(l2.bias, bias);
  assert.deepEqual(l2.weight.shape, [2, 3]);
  assert.equal(l2.weight.dtype, "float32");
  assert.ok(l2.weight.requiresGrad);
  assert.deepEqual(l2.weight.grad!.shape, [2, 3]);
  const bn2 = new nn.BatchNorm1d(3);
  const rm = bn2.getBuffer("running_mean");
  bn2.toEmpty({ device: "cpu" });
  assert.equal(bn2.getBuffer("running_mean"), rm);
  assert.equal(bn2.getBuffer("num_batches_tracked")!.dtype, "int64");
  throwsWith(
    () => l2.toEmpty({ dev: "cpu" } as Any),
    TypeError,
    /^Linear\.toEmpty: unknown option 'dev' \(expected device\)$/,
  );
  throwsWith(() => l2.toEmpty({ device: "tpu" } as Any), TypeError, /^Linear\.toEmpty: unknown device "tpu"/);
});

Deno.test("Module: extra state only when a subclass overrides getExtraState; load post hooks", () => {
  const lin = new nn.Linear(1, 1);
  assert.ok(!("_extra_state" in lin.stateDict()));
  throwsWith(() => lin.getExtraState(), TypeError, /^Linear\.getExtraState: not implemented/);
  throwsWith(() => lin.setExtraState({}), TypeError, /^Linear\.setExtraState: not implemented/);
  // A module without setExtraState reports a loaded _extra_state as unexpected.
  const r = lin.loadStateDict({ ...lin.stateDict(), _extra_state: 1 as Any }, { strict: false });
  assert.deepEqual(r, { missingKeys: [], unexpectedKeys: ["_extra_state"] });
  // A hook sees the loaded values and must not return a value.
  const a = new nn.Linear(2, 2), b = new nn.Linear(2, 2);
  let seen = -1;
  const h = b.registerLoadStateDictPostHook((mod) => {
    seen = (mod as nn.Linear).weight.sum().item() as number;
  });
  b.loadStateDict(a.stateDict());
  assert.equal(seen, a.weight.sum().item());
  h.remove();
  seen = -1;
  b.loadStateDict(a.stateDict());
  assert.equal(seen, -1);
  b.registerLoadStateDictPostHook(() => 1 as Any);
  throwsWith(
    () => b.loadStateDict(a.stateDict()),
    TypeError,
    /^Linear\.loadStateDict: hooks registered with registerLoadStateDictPostHook are not expected to return new values/,
  );
  throwsWith(
    () => b.registerLoadStateDictPostHook(3 as Any),
    TypeError,
    /^Linear\.registerLoadStateDictPostHook: expected a function, got number 3$/,
  );
});

Deno.test("Module repr follows Module.__repr__: one extra line inline, several lines or children indented", () => {
  class WithExtra extends nn.Module {
    l = new nn.Linear(1, 1);
    override extraRepr() {
      return "k=1";
    }
  }
  // PyTorch 1.13: "WithExtra(\n  k=1\n  (l): Linear(...)\n)".
  assert.equal(
    new WithExtra().toString(),
    "WithExtra(\n  k=1\n  (l): Linear(in_features=1, out_features=1, bias=True)\n)",
  );
  class TwoLines extends nn.Module {
    override extraRepr() {
      return "a\nb";
    }
  }
  assert.equal(new TwoLines().toString(), "TwoLines(\n  a\n  b\n)");
});

Deno.test("loadStateDict: with strict, matching values are copied before the missing-key error (as PyTorch)", () => {
  const lin = new nn.Linear(2, 2);
  throwsWith(
    () => lin.loadStateDict({ weight: ones([2, 2]) }),
    RangeError,
    /^Linear\.loadStateDict: Error\(s\) in loading state_dict for Linear:\n\tMissing key\(s\) in state_dict: "bias"\. $/,
  );
  assert.equal(lin.weight.sum().item(), 4);
});

Deno.test("ModuleDict and ParameterDict deep-copy (TransformerEncoder's _get_clones path) and keep hooks", async () => {
  const { deepCopyModule } = await import("../../src/nn/deep_copy.ts");
  const d = new nn.ModuleDict({ a: new nn.Linear(1, 1) });
  let calls = 0;
  d.registerLoadStateDictPostHook(() => {
    calls++;
  });
  const c = deepCopyModule(d);
  assert.ok(c instanceof nn.ModuleDict);
  assert.deepEqual(c.keys(), ["a"]);
  assert.notEqual(c.get("a"), d.get("a"));
  c.loadStateDict(d.stateDict());
  assert.equal(calls, 1);
  const p = deepCopyModule(new nn.ParameterDict({ x: ones([2]) }));
  assert.deepEqual(p.keys(), ["x"]);
  assert.ok(p.get("x") instanceof nn.Parameter);
});
