import assert from "node:assert/strict";
import { nn, noGrad, ones, randn, type Tensor, tensor, Variable, zeros } from "../../mod.ts";
import { assertClose } from "../util/gradcheck.ts";
import { fixture, fromList, throwsWith } from "../util/fixture_json.ts";

// ------------------------------------------------------------------ registration

/** The seed's state_dict example, with Linear for its conv2. */
class SeedModel extends nn.Module {
  conv2 = new nn.Linear(1, 2);
  vari = Variable(randn([1]));
  par = new nn.Parameter(randn([1]));
  constructor() {
    super();
    this.registerBuffer("buffer", randn([2, 3]));
  }
  override forward(x: Tensor) {
    return this.conv2.forward(x);
  }
}

Deno.test("Module: Parameters and submodules register by assignment, plain tensors do not (the seed's example)", () => {
  const m = new SeedModel();
  // PyTorch prints odict_keys(['par', 'buffer', 'conv2.weight', 'conv2.bias']) for this model.
  assert.deepEqual(Object.keys(m.stateDict()), ["par", "buffer", "conv2.weight", "conv2.bias"]);
  assert.deepEqual([...m.namedParameters()].map(([k]) => k), ["par", "conv2.weight", "conv2.bias"]);
  assert.deepEqual([...m.namedBuffers()].map(([k]) => k), ["buffer"]);
  assert.deepEqual([...m.namedChildren()].map(([k]) => k), ["conv2"]);
  assert.equal(m.vari.requiresGrad, false);
  assert.ok(![...m.parameters()].includes(m.vari as nn.Parameter));
  // Reassigning a plain tensor to a new field still does not register it.
  (m as unknown as { state: Tensor }).state = ones([2]);
  assert.equal(Object.keys(m.stateDict()).includes("state"), false);
});

Deno.test("Module: addModule, registerParameter and registerBuffer (persistent or not)", () => {
  const m = new nn.Module();
  m.addModule("conv", new nn.Linear(2, 2));
  m.registerParameter("scale", new nn.Parameter(ones([1])));
  m.registerParameter("unused", null);
  m.registerBuffer("running", zeros([3]));
  m.registerBuffer("scratch", zeros([2]), false);
  m.registerBuffer("empty", null);
  const fields = m as unknown as Record<string, unknown>;
  assert.ok(fields.conv instanceof nn.Linear);
  assert.ok(fields.scale instanceof nn.Parameter);
  assert.equal(fields.unused, null);
  assert.deepEqual(Object.keys(m.stateDict()), ["scale", "running", "conv.weight", "conv.bias"]);
  // A non-persistent buffer is a buffer (iterators, conversion) but not part of the state dict.
  assert.deepEqual([...m.namedBuffers()].map(([k]) => k), ["running", "scratch"]);
  // Assigning a tensor to a registered buffer name replaces the buffer.
  const next = ones([3]);
  fields.running = next;
  assert.equal(m.stateDict().running.sum().item(), 3);
  // Re-registering a buffer as persistent puts it in the state dict.
  m.registerBuffer("scratch", ones([2]), true);
  assert.deepEqual(Object.keys(m.stateDict()), ["scale", "running", "scratch", "conv.weight", "conv.bias"]);
  // Assigning a Parameter over a buffer turns it into a parameter.
  fields.running = new nn.Parameter(ones([3]));
  assert.deepEqual([...m.namedParameters()].map(([k]) => k), ["scale", "running", "conv.weight", "conv.bias"]);
  assert.deepEqual([...m.namedBuffers()].map(([k]) => k), ["scratch"]);
  // delete unregisters.
  delete fields.conv;
  assert.deepEqual([...m.children()], []);
  // A parameter slot set to null is kept out of the state dict, and null reserves the name.
  fields.scale = null;
  assert.deepEqual([...m.namedParameters()].map(([k]) => k), ["running"]);
});

Deno.test("Module registration rejects bad names and values with PyTorch's rules", () => {
  const m = new nn.Linear(2, 2);
  const f = m as unknown as Record<string, unknown>;
  throwsWith(
    () => (f.weight = ones([2, 2])),
    TypeError,
    /^Linear: cannot assign a float32 tensor of shape \[2, 2\] as parameter 'weight' \(nn\.Parameter or null expected\)$/,
  );
  throwsWith(
    () => m.registerParameter("w2", ones([2]) as nn.Parameter),
    TypeError,
    /^Linear\.registerParameter: cannot assign a float32 tensor of shape \[2\] object to parameter 'w2' \(nn\.Parameter or null required\)$/,
  );
  throwsWith(
    () => m.registerParameter("a.b", null),
    RangeError,
    /^Linear\.registerParameter: name can't contain "\.", got "a\.b"$/,
  );
  throwsWith(() => m.registerBuffer("", null), RangeError, /^Linear\.registerBuffer: name can't be empty$/);
  throwsWith(
    () => m.registerBuffer("weight", ones([1])),
    RangeError,
    /^Linear\.registerBuffer: attribute 'weight' already exists$/,
  );
  throwsWith(
    () => m.registerBuffer("forward", ones([1])),
    RangeError,
    /^Linear\.registerBuffer: attribute 'forward' already exists$/,
  );
  throwsWith(() => m.registerParameter("inFeatures", null), RangeError, /attribute 'inFeatures' already exists/);
  throwsWith(
    () => m.addModule("bias", new nn.Identity()),
    RangeError,
    /^Linear\.addModule: attribute 'bias' already exists$/,
  );
  throwsWith(
    () => m.registerBuffer("buf", [1, 2] as unknown as Tensor),
    TypeError,
    /^Linear\.registerBuffer: cannot assign \[1,2\] as buffer 'buf' \(Tensor or null required\)$/,
  );
  throwsWith(
    () => m.addModule("sub", {} as nn.Module),
    TypeError,
    /^Linear\.addModule: Object is not a Module subclass$/,
  );
  m.registerBuffer("buf", ones([1]));
  throwsWith(
    () => (f.buf = 3),
    TypeError,
    /^Linear: cannot assign number 3 as buffer 'buf' \(Tensor or null expected\)$/,
  );
  const parent = new nn.Module();
  parent.addModule("child", new nn.Identity());
  throwsWith(
    () => ((parent as unknown as Record<string, unknown>).child = 1),
    TypeError,
    /^Module: cannot assign number 1 as child module 'child' \(Module or null expected\)$/,
  );
});

// ------------------------------------------------------------------ iteration

class Shared extends nn.Module {
  constructor() {
    super();
    const sub = new nn.Linear(2, 2);
    this.addModule("conv", sub);
    this.addModule("conv1", sub);
  }
}

Deno.test("Module iterators are generators and yield a shared module (and its parameters) once", () => {
  const m = new Shared();
  const it = m.modules();
  assert.equal(typeof it.next, "function");
  assert.equal(typeof it[Symbol.iterator], "function");
  assert.equal([...m.modules()].length, 2);
  assert.deepEqual([...m.namedModules()].map(([k]) => k), ["", "conv"]);
  assert.deepEqual([...m.namedChildren()].map(([k]) => k), ["conv"]);
  assert.equal([...m.children()].length, 1);
  assert.deepEqual([...m.namedParameters()].map(([k]) => k), ["conv.weight", "conv.bias"]);
  assert.equal([...m.parameters()].length, 2);
  // The state dict lists the shared module under both names, as PyTorch's does.
  assert.deepEqual(Object.keys(m.stateDict()), ["conv.weight", "conv.bias", "conv1.weight", "conv1.bias"]);
  // Non-recursive parameters and prefixes.
  const outer = new nn.Sequential(new nn.Linear(1, 1));
  outer.registerParameter("p", new nn.Parameter(ones([1])));
  assert.deepEqual([...outer.namedParameters("net", false)].map(([k]) => k), ["net.p"]);
  assert.deepEqual([...outer.namedParameters("net")].map(([k]) => k), ["net.p", "net.0.weight", "net.0.bias"]);
  // A parameter shared by two modules is yielded once.
  const a = new nn.Linear(2, 2), b = new nn.Linear(2, 2);
  b.weight = a.weight;
  assert.equal([...new nn.Sequential(a, b).parameters()].length, 3);
});

// ------------------------------------------------------------------ forward hooks

Deno.test("Forward pre-hooks and forward hooks run around forward, may replace values, and are removable", () => {
  const m = new nn.Linear(2, 2);
  const log: string[] = [];
  const pre = m.registerForwardPreHook((mod, input) => {
    assert.equal(mod, m);
    log.push(`pre ${(input[0] as Tensor).shape}`);
    return (input[0] as Tensor).mul(0);
  });
  const post = m.registerForwardHook((_mod, input, output) => {
    log.push(`post ${(input[0] as Tensor).sum().item()}`);
    return (output as Tensor).add(1);
  });
  const y = m.forward(ones([3, 2]));
  assert.deepEqual(log, ["pre 3,2", "post 0"]);
  // pre-hook zeroed the input, so y = bias + 1
  const bias = Array.from(m.bias!.toArray() as Float32Array);
  assertClose(y.toArray() as Float32Array, [0, 1, 2].flatMap(() => bias.map((v) => v + 1)), 1e-6, 0, "hooked output");
  pre.remove();
  pre.remove(); // idempotent
  post.remove();
  const x = randn([3, 2]);
  const plain = m.forward(x);
  assertClose(
    plain.toArray() as Float32Array,
    nn.functional.linear(x, m.weight, m.bias).toArray() as Float32Array,
    0,
    0,
  );
  assert.equal(log.length, 2);
  // A pre-hook returning an array replaces the whole argument list; null/undefined change nothing.
  const two = new (class extends nn.Module {
    override forward(a: Tensor, b: Tensor) {
      return a.sub(b);
    }
  })();
  two.registerForwardPreHook((_m, [a, b]) => [b, a]);
  two.registerForwardHook(() => null);
  assert.deepEqual(two.forward(tensor([1]), tensor([5])).tolist(), [4]);
  throwsWith(
    () => m.registerForwardHook(3 as never),
    TypeError,
    /^Linear\.registerForwardHook: expected a function, got number 3$/,
  );
});

// ------------------------------------------------------------------ backward hooks

interface HookCall {
  gradInput: (number[] | null)[];
  gradOutput: (number[] | null)[];
}

function checkCalls(got: HookCall[], want: HookCall[]): void {
  assert.equal(got.length, want.length, "number of hook calls");
  got.forEach((c, k) => {
    assert.equal(c.gradInput.length, want[k].gradInput.length);
    c.gradInput.forEach((g, i) => {
      const w = want[k].gradInput[i];
      if (w === null) assert.equal(g, null, `gradInput[${i}] should be null`);
      else assertClose(g!, w, 1e-5, 1e-4, `gradInput[${i}]`);
    });
    c.gradOutput.forEach((g, i) => assertClose(g!, want[k].gradOutput[i]!, 1e-5, 1e-4, `gradOutput[${i}]`));
  });
}

function record(calls: HookCall[], scales: (number | null)[] | null) {
  return (_m: nn.Module, gin: (Tensor | null)[], gout: (Tensor | null)[]) => {
    calls.push({
      gradInput: gin.map((g) => (g ? Array.from(g.toArray() as Float32Array) : null)),
      gradOutput: gout.map((g) => (g ? Array.from(g.toArray() as Float32Array) : null)),
    });
    return scales ? gin.map((g, i) => (g && scales[i] !== null ? g.mul(scales[i]!) : g)) : undefined;
  };
}

Deno.test("Backward hook on a Linear sees PyTorch's grad_input / grad_output (register_full_backward_hook)", () => {
  const c = fixture("module", "backward_hook_linear");
  for (const variant of ["plain", "scaled", "noInputGrad"]) {
    const want = c[variant];
    const m = new nn.Linear(3, 2);
    m.loadStateDict({ weight: fromList(c.weight, [2, 3]), bias: fromList(c.bias, [2]) });
    const calls: HookCall[] = [];
    const h = m.registerBackwardHook(record(calls, variant === "scaled" ? [2] : null));
    const x = fromList(c.x, [4, 3], "float32", variant !== "noInputGrad");
    const y = m.forward(x);
    assertClose(y.toArray() as Float32Array, want.y, 1e-5, 1e-4, "output");
    y.backward(fromList(c.gout, [4, 2]));
    checkCalls(calls, want.calls);
    if (want.inputGrads[0] === null) assert.equal(x.grad, null);
    else assertClose(x.grad!.toArray() as Float32Array, want.inputGrads[0], 1e-5, 1e-4, `${variant}: x.grad`);
    assertClose(m.weight.grad!.toArray() as Float32Array, want.paramGrads.weight, 1e-5, 1e-4, "weight grad");
    assertClose(m.bias!.grad!.toArray() as Float32Array, want.paramGrads.bias, 1e-5, 1e-4, "bias grad");
    // Removed: the next backward does not call it.
    h.remove();
    m.zeroGrad();
    m.forward(fromList(c.x, [4, 3], "float32", true)).sum().backward();
    assert.equal(calls.length, 1);
  }
});

class Two extends nn.Module {
  lin = new nn.Linear(3, 2);
  override forward(a: Tensor, b: Tensor, c: number) {
    return this.lin.forward(a).mul(b).add(c);
  }
}

Deno.test("Backward hook with two tensor inputs runs once with both gradients, as PyTorch's", () => {
  const c = fixture("module", "backward_hook_two_inputs");
  const cases: [string, boolean, boolean, (number | null)[] | null][] = [
    ["plain", true, true, null],
    ["scaled", true, true, [2, 3, null]],
    ["onlySecond", false, true, null],
  ];
  for (const [variant, ga, gb, scales] of cases) {
    const want = c[variant];
    const m = new Two();
    m.loadStateDict({ "lin.weight": fromList(c.weight, [2, 3]), "lin.bias": fromList(c.bias, [2]) });
    const calls: HookCall[] = [];
    m.registerBackwardHook(record(calls, scales));
    const a = fromList(c.a, [4, 3], "float32", ga), b = fromList(c.b, [4, 2], "float32", gb);
    const y = m.forward(a, b, c.c);
    y.backward(fromList(c.gout, [4, 2]));
    checkCalls(calls, want.calls);
    if (ga) assertClose(a.grad!.toArray() as Float32Array, want.inputGrads[0], 1e-5, 1e-4, `${variant}: a.grad`);
    else assert.equal(a.grad, null);
    assertClose(b.grad!.toArray() as Float32Array, want.inputGrads[1], 1e-5, 1e-4, `${variant}: b.grad`);
    assertClose(m.lin.weight.grad!.toArray() as Float32Array, want.paramGrads["lin.weight"], 1e-5, 1e-4);
  }
});

Deno.test("Backward hooks: bad return length is an error; noGrad forward does not arm them", () => {
  const m = new nn.Linear(2, 2);
  m.registerBackwardHook(() => [null, null]);
  const y = m.forward(randn([1, 2], { requiresGrad: true }));
  throwsWith(
    () => y.sum().backward(),
    RangeError,
    /^Linear: backward hook returned an invalid number of grad_input, got 2, but expected 1$/,
  );
  const z = noGrad(() => m.forward(randn([1, 2], { requiresGrad: true })));
  assert.equal(z.requiresGrad, false);
});

// ------------------------------------------------------------------ modes

Deno.test("train/eval recurse through children's train() and return the module", () => {
  const calls: boolean[] = [];
  class Custom extends nn.Module {
    override train(mode = true): this {
      calls.push(mode);
      return super.train(mode);
    }
  }
  const inner = new Custom();
  const net = new nn.Sequential(new nn.Linear(2, 2), new nn.Sequential(inner, new nn.Dropout()));
  assert.equal(net.eval(), net);
  assert.ok([...net.modules()].every((m) => m.training === false));
  assert.deepEqual(calls, [false]);
  net.train();
  assert.ok([...net.modules()].every((m) => m.training === true));
  assert.deepEqual(calls, [false, true]);
  throwsWith(
    () => net.train("yes" as unknown as boolean),
    TypeError,
    /^Sequential\.train: expected a boolean, got "yes"$/,
  );
});

Deno.test("zeroGrad sets gradients to null (or zeros them with setToNone = false)", () => {
  const m = new nn.Linear(3, 2);
  m.forward(randn([4, 3])).sum().backward();
  assert.ok(m.weight.grad !== null);
  m.zeroGrad(false);
  assert.equal(m.weight.grad!.abs().sum().item(), 0);
  assert.equal(m.bias!.grad!.abs().sum().item(), 0);
  m.zeroGrad();
  assert.equal(m.weight.grad, null);
  assert.equal(m.bias!.grad, null);
});

Deno.test("apply visits children first, then the module itself (PyTorch's order)", () => {
  const a = new nn.Linear(1, 1), b = new nn.Identity();
  const inner = new nn.Sequential(b);
  const net = new nn.Sequential(a, inner);
  const seen: nn.Module[] = [];
  assert.equal(net.apply((m) => seen.push(m)), net);
  assert.deepEqual(seen, [a, b, inner, net]);
  // The usual use: re-initialise every Linear.
  net.apply((m) => {
    if (m instanceof nn.Linear) noGrad(() => m.weight.fill_(0.5));
  });
  assert.equal(a.weight.item(), 0.5);
});

// ------------------------------------------------------------------ conversion

class WithBuffers extends nn.Module {
  lin = new nn.Linear(2, 2);
  constructor() {
    super();
    this.registerBuffer("count", tensor(new BigInt64Array([3n])));
    this.registerBuffer("avg", zeros([2]));
  }
}

Deno.test("double/float/half/to convert floating point parameters, buffers and grads in place", () => {
  const m = new WithBuffers();
  const w = m.lin.weight;
  const before = Array.from(w.toArray() as Float32Array);
  m.lin.forward(ones([1, 2])).sum().backward();
  assert.equal(m.double(), m);
  assert.equal(m.lin.weight, w, "the parameter object is kept (optimizers hold it)");
  assert.equal(w.dtype, "float64");
  assert.equal(w.grad!.dtype, "float64");
  assert.equal(w.requiresGrad, true);
  assert.equal(m.stateDict().avg.dtype, "float64");
  assert.equal(m.stateDict().count.dtype, "int64");
  assertClose(w.toArray() as Float64Array, before, 0, 0, "values kept");
  m.half();
  assert.equal(w.dtype, "float16");
  assert.equal(m.stateDict().count.dtype, "int64");
  m.float();
  assert.equal(w.dtype, "float32");
  m.to("float64");
  assert.equal(w.dtype, "float64");
  assert.equal(m.stateDict().count.dtype, "int64");
  m.to({ dtype: "float32", device: "cpu" });
  assert.equal(w.dtype, "float32");
  m.to(zeros([1], { dtype: "float64" }));
  assert.equal(w.dtype, "float64");
  assert.equal(m.cpu(), m);
  assert.equal(m.to("cpu"), m);
  throwsWith(
    () => m.to("int64"),
    TypeError,
    /^WithBuffers\.to: nn\.Module\.to only accepts floating point dtypes, but got desired dtype=int64$/,
  );
  throwsWith(
    () => m.to("gpu" as "cpu"),
    TypeError,
    /^WithBuffers\.to: unknown device "gpu"; expected "cpu" or "cuda:N"$/,
  );
  throwsWith(() => m.to(5 as unknown as "cpu"), TypeError, /^WithBuffers\.to: expected a dtype, a device/);
});

Deno.test("cuda() throws a clear error in this CPU-only build, even for a module without tensors", () => {
  const m = new nn.Linear(2, 2);
  throwsWith(
    () => m.cuda(),
    Error,
    /^Linear\.cuda: cannot move to cuda:0: this libdenotorch was built without CUDA\. Rebuild with/,
  );
  throwsWith(
    () => new nn.Identity().cuda(1),
    Error,
    /^Identity\.cuda: cannot move to cuda:1: this libdenotorch was built without CUDA/,
  );
  throwsWith(
    () => m.to("cuda:0"),
    Error,
    /^Linear\.to: cannot move to cuda:0: this libdenotorch was built without CUDA/,
  );
  throwsWith(
    () => m.cuda(-1),
    TypeError,
    /^Linear\.cuda: expected a device index \(0, 1, \.\.\.\) or "cuda:N", got number -1$/,
  );
  assert.equal(m.weight.device, "cpu");
  assert.equal(m.weight.dtype, "float32");
});

// ------------------------------------------------------------------ state dicts

Deno.test("stateDict values are detached and share storage with the module", () => {
  const m = new nn.Linear(2, 2);
  const sd = m.stateDict();
  assert.equal(sd.weight.requiresGrad, false);
  noGrad(() => sd.weight.fill_(2));
  assert.equal(m.weight.sum().item(), 8);
  assert.deepEqual(Object.keys(new nn.Module().stateDict()), []);
  // Nested keys use PyTorch's dotted names and registration order.
  const net = new nn.Sequential(
    new Map<string, nn.Module>([["enc", new WithBuffers()], ["head", new nn.Linear(2, 1)]]),
  );
  assert.deepEqual(Object.keys(net.stateDict()), [
    "enc.count",
    "enc.avg",
    "enc.lin.weight",
    "enc.lin.bias",
    "head.weight",
    "head.bias",
  ]);
});

Deno.test("loadStateDict copies (converting dtypes) from a record or a Map, keeping tensor identity", () => {
  const src = new nn.Linear(3, 2), dst = new nn.Linear(3, 2);
  const w = dst.weight;
  const r = dst.loadStateDict(src.stateDict());
  assert.deepEqual(r, { missingKeys: [], unexpectedKeys: [] });
  assert.equal(dst.weight, w);
  assertClose(w.toArray() as Float32Array, src.weight.toArray() as Float32Array, 0, 0);
  const w64 = randn([2, 3]).double();
  dst.loadStateDict(new Map([["weight", w64], ["bias", tensor(new BigInt64Array([1n, 2n]))]]));
  assert.equal(dst.weight.dtype, "float32");
  assertClose(dst.weight.toArray() as Float32Array, w64.toArray() as Float64Array, 1e-7, 1e-6);
  assert.deepEqual(dst.bias!.tolist(), [1, 2]);
  // Buffers load too, into the same tensor.
  const b = new WithBuffers();
  b.loadStateDict({ ...b.stateDict(), count: tensor(new BigInt64Array([7n])), avg: ones([2]) });
  assert.equal(b.stateDict().count.item(), 7);
  assert.equal(b.stateDict().avg.sum().item(), 2);
});

Deno.test("A strict loadStateDict names every missing key, unexpected key and shape mismatch (PyTorch's message)", () => {
  const m = new nn.Sequential(new nn.Linear(2, 3), new nn.Linear(3, 1));
  const w0 = Array.from(m.get(0).stateDict().weight.toArray() as Float32Array);
  const sd = { "0.weight": zeros([3, 3]), extra: zeros([1]), "foo.bar": zeros([2]), "1.bias": zeros([2]) };
  // The message PyTorch 1.13 gives for the same call (shapes printed as [3, 3] instead of torch.Size([3, 3])).
  const expected = "Sequential.loadStateDict: Error(s) in loading state_dict for Sequential:\n" +
    '\tMissing key(s) in state_dict: "0.bias", "1.weight". \n' +
    '\tUnexpected key(s) in state_dict: "extra", "foo.bar". \n' +
    "\tsize mismatch for 0.weight: copying a param with shape [3, 3] from checkpoint, the shape in current model is [3, 2].\n" +
    "\tsize mismatch for 1.bias: copying a param with shape [2] from checkpoint, the shape in current model is [1].";
  assert.throws(() => m.loadStateDict(sd), (e: unknown) => {
    assert.ok(e instanceof RangeError);
    assert.equal((e as Error).message, expected);
    return true;
  });
  // Shape mismatches are errors without strict too; nothing was copied.
  assert.throws(() => m.loadStateDict(sd, { strict: false }), (e: unknown) => {
    assert.equal(
      (e as Error).message,
      "Sequential.loadStateDict: Error(s) in loading state_dict for Sequential:\n" +
        "\tsize mismatch for 0.weight: copying a param with shape [3, 3] from checkpoint, the shape in current model is [3, 2].\n" +
        "\tsize mismatch for 1.bias: copying a param with shape [2] from checkpoint, the shape in current model is [1].",
    );
    return true;
  });
  assertClose(m.get(0).stateDict().weight.toArray() as Float32Array, w0, 0, 0, "unchanged after a failed load");
  // Non-strict without mismatches loads what matches and reports the rest, like _IncompatibleKeys.
  const r = m.loadStateDict({ "0.weight": ones([3, 2]).double(), x: zeros([1]) }, { strict: false });
  assert.deepEqual(r, { missingKeys: ["0.bias", "1.weight", "1.bias"], unexpectedKeys: ["x"] });
  assert.equal(m.get(0).stateDict().weight.sum().item(), 6);
  // Only missing keys, or only unexpected ones.
  throwsWith(
    () => new nn.Linear(1, 1).loadStateDict({ weight: ones([1, 1]) }),
    RangeError,
    /^Linear\.loadStateDict: Error\(s\) in loading state_dict for Linear:\n\tMissing key\(s\) in state_dict: "bias"\. $/,
  );
  throwsWith(
    () => m.loadStateDict(7 as never),
    TypeError,
    /^Sequential\.loadStateDict: expected a record or Map of tensors, got number 7$/,
  );
  throwsWith(
    () => new nn.Linear(1, 1).loadStateDict({ weight: [1] as never, bias: ones([1]) }),
    TypeError,
    /^Linear\.loadStateDict: expected the value of 'weight' to be a Tensor, got \[1\]$/,
  );
  // Non-persistent buffers are not expected, and are reported as unexpected when given.
  const np = new nn.Module();
  np.registerBuffer("tmp", zeros([1]), false);
  throwsWith(() => np.loadStateDict({ tmp: ones([1]) }), RangeError, /Unexpected key\(s\) in state_dict: "tmp"\. $/);
});

// ------------------------------------------------------------------ Parameter and Variable

Deno.test("Parameter shares storage and requires grad by default; Variable keeps the seed's code working", () => {
  const t = ones([2]);
  const p = new nn.Parameter(t);
  assert.equal(p.requiresGrad, true);
  assert.equal(p.isLeaf, true);
  noGrad(() => p.fill_(3));
  assert.deepEqual(t.tolist(), [3, 3]);
  assert.equal(new nn.Parameter(ones([1]), false).requiresGrad, false);
  assert.match(p.toString(), /^Parameter containing:\ntensor\(/);
  throwsWith(() => new nn.Parameter([1] as never), TypeError, /^Parameter: expected a Tensor, got \[1\]$/);
  throwsWith(
    () => new nn.Parameter(tensor(new BigInt64Array([1n]))),
    TypeError,
    /only floating point tensors can require gradients, got int64/,
  );
  assert.ok(new nn.Parameter(tensor(new BigInt64Array([1n])), false) instanceof nn.Parameter);
  const v = Variable(ones([2]), { requiresGrad: true });
  assert.equal(v.requiresGrad, true);
  assert.equal(v instanceof nn.Parameter, false);
  // Parameter of a non-leaf is a leaf sharing its values.
  const x = ones([2], { requiresGrad: true }).mul(2);
  const q = new nn.Parameter(x);
  assert.equal(q.isLeaf, true);
  assert.deepEqual(q.tolist(), [2, 2]);
});

Deno.test("toString prints the module tree like PyTorch's repr", () => {
  const net = new nn.Sequential(new nn.Linear(2, 3), new nn.Sequential(new nn.Dropout(0.2)));
  assert.equal(
    net.toString(),
    "Sequential(\n  (0): Linear(in_features=2, out_features=3, bias=True)\n  (1): Sequential(\n    (0): Dropout(p=0.2, inplace=False)\n  )\n)",
  );
});
