import assert from "node:assert/strict";
import { nn, ones, randn, type Tensor, tensor } from "../../mod.ts";
import { assertClose } from "../util/gradcheck.ts";
import { throwsWith } from "../util/fixture_json.ts";

const F = nn.functional;

Deno.test("Sequential from modules chains them and registers them as 0, 1, ... (PyTorch's keys)", () => {
  const a = new nn.Linear(4, 8), b = new nn.Dropout(0.5), c = new nn.Linear(8, 2);
  const seq = new nn.Sequential(a, b, c);
  assert.deepEqual(Object.keys(seq.stateDict()), ["0.weight", "0.bias", "2.weight", "2.bias"]);
  assert.equal(seq.length, 3);
  assert.equal(seq.get(0), a);
  assert.equal(seq.get(-1), c);
  assert.equal((seq as unknown as Record<string, nn.Module>)["1"], b);
  assert.deepEqual([...seq], [a, b, c]);
  seq.eval();
  const x = randn([5, 4], { requiresGrad: true });
  const y = seq.forward(x);
  const ref = F.linear(F.linear(x, a.weight, a.bias), c.weight, c.bias);
  assertClose(y.toArray() as Float32Array, ref.toArray() as Float32Array, 0, 0, "chained output");
  y.sum().backward();
  assert.deepEqual(x.grad!.shape, [5, 4]);
  assert.ok(a.weight.grad !== null && c.bias!.grad !== null);
});

Deno.test("Sequential from a Map keeps the names (PyTorch's OrderedDict form)", () => {
  const seq = new nn.Sequential(
    new Map<string, nn.Module>([["conv1", new nn.Linear(3, 3)], ["act", new nn.Identity()], [
      "fc",
      new nn.Linear(3, 1),
    ]]),
  );
  assert.deepEqual(Object.keys(seq.stateDict()), ["conv1.weight", "conv1.bias", "fc.weight", "fc.bias"]);
  assert.deepEqual([...seq.namedChildren()].map(([k]) => k), ["conv1", "act", "fc"]);
  assert.ok(seq.get(1) instanceof nn.Identity);
  assert.deepEqual(seq.forward(ones([2, 3])).shape, [2, 1]);
  const tail = seq.slice(1);
  assert.deepEqual([...tail.namedChildren()].map(([k]) => k), ["act", "fc"]);
  assert.equal(tail.get(1), seq.get(2));
  assert.equal(
    seq.toString(),
    "Sequential(\n  (conv1): Linear(in_features=3, out_features=3, bias=True)\n  (act): Identity()\n" +
      "  (fc): Linear(in_features=3, out_features=1, bias=True)\n)",
  );
});

Deno.test("Sequential append/extend and an empty Sequential as the identity", () => {
  const seq = new nn.Sequential();
  const x = ones([2]);
  assert.equal(seq.forward(x), x);
  assert.equal(seq.append(new nn.Linear(2, 3)), seq);
  seq.extend([new nn.Identity(), new nn.Linear(3, 1)]);
  assert.deepEqual([...seq.namedChildren()].map(([k]) => k), ["0", "1", "2"]);
  assert.deepEqual(seq.forward(ones([4, 2])).shape, [4, 1]);
  throwsWith(() => seq.get(3), RangeError, /^Sequential\.get: index 3 is out of range for length 3$/);
  throwsWith(() => seq.get(-4), RangeError, /^Sequential\.get: index -4 is out of range for length 3$/);
  throwsWith(() => seq.get(0.5), TypeError, /^Sequential\.get: expected an integer index, got number 0\.5$/);
  throwsWith(
    () => new nn.Sequential(new nn.Identity(), 3 as unknown as nn.Module),
    TypeError,
    /^Sequential: argument 1 is not a Module, got number 3$/,
  );
  throwsWith(
    () => new nn.Sequential(new Map([["a.b", new nn.Identity()]])),
    RangeError,
    /^Sequential\.addModule: name can't contain "\.", got "a\.b"$/,
  );
  throwsWith(
    () => seq.append(tensor([1]) as unknown as nn.Module),
    TypeError,
    /^Sequential\.append: the argument is not a Module/,
  );
});

class MyModule extends nn.Module {
  linears = new nn.ModuleList(Array.from({ length: 4 }, () => new nn.Linear(10, 10)));
  override forward(x: Tensor): Tensor {
    // The seed's example: x = linears[i // 2](x) + l(x)
    let i = 0;
    for (const l of this.linears) {
      x = this.linears.get(Math.floor(i / 2)).forward(x).add(l.forward(x));
      i++;
    }
    return x;
  }
}

Deno.test("ModuleList registers its modules (the seed's example) and behaves like a list", () => {
  const m = new MyModule();
  assert.equal([...m.parameters()].length, 8);
  assert.deepEqual(Object.keys(m.stateDict()).slice(0, 4), [
    "linears.0.weight",
    "linears.0.bias",
    "linears.1.weight",
    "linears.1.bias",
  ]);
  assert.deepEqual(m.forward(randn([3, 10])).shape, [3, 10]);
  const list = m.linears;
  assert.equal(list.length, 4);
  const extra = new nn.Linear(10, 10);
  list.append(extra);
  assert.equal(list.get(-1), extra);
  assert.equal((list as unknown as Record<string, nn.Module>)["4"], extra);
  list.insert(0, new nn.Identity());
  assert.ok(list.get(0) instanceof nn.Identity);
  assert.equal(list.get(5), extra);
  assert.equal(list.length, 6);
  list.set(0, new nn.Dropout());
  assert.ok(list.get(0) instanceof nn.Dropout);
  list.extend([new nn.Identity()]);
  assert.deepEqual([...list.namedChildren()].map(([k]) => k), ["0", "1", "2", "3", "4", "5", "6"]);
  assert.equal([...m.parameters()].length, 10);
  throwsWith(() => list.forward(ones([1])), Error, /^ModuleList\.forward: not implemented/);
  throwsWith(() => list.get(7), RangeError, /^ModuleList\.get: index 7 is out of range for length 7$/);
  throwsWith(
    () => list.append(3 as unknown as nn.Module),
    TypeError,
    /^ModuleList\.append: the argument is not a Module, got number 3$/,
  );
  throwsWith(
    () => new nn.ModuleList(5 as unknown as nn.Module[]),
    TypeError,
    /^ModuleList\.extend: expected an iterable of modules, got number 5$/,
  );
  assert.equal(new nn.ModuleList().length, 0);
});

Deno.test("ParameterList registers Parameters (wrapping plain tensors, as PyTorch 1.12+) and iterates them", () => {
  class WithParams extends nn.Module {
    params = new nn.ParameterList(Array.from({ length: 3 }, () => new nn.Parameter(randn([4, 4]))));
    override forward(x: Tensor): Tensor {
      let i = 0;
      for (const p of this.params) x = this.params.get(Math.floor(i++ / 2)).mm(x).add(p.mm(x));
      return x;
    }
  }
  const m = new WithParams();
  assert.deepEqual(Object.keys(m.stateDict()), ["params.0", "params.1", "params.2"]);
  assert.deepEqual(m.forward(randn([4, 2])).shape, [4, 2]);
  const pl = m.params;
  const t = ones([2]);
  pl.append(t);
  const wrapped = pl.get(3);
  assert.ok(wrapped instanceof nn.Parameter);
  assert.equal(wrapped.requiresGrad, true);
  pl.extend([new nn.Parameter(ones([1]))]);
  assert.equal(pl.length, 5);
  assert.equal([...m.parameters()].length, 5);
  pl.set(-1, ones([3]));
  assert.deepEqual(pl.get(4).shape, [3]);
  assert.deepEqual([...pl].map((p) => p.shape[0]), [4, 4, 4, 2, 3]);
  throwsWith(
    () => pl.append(3 as unknown as Tensor),
    TypeError,
    /^ParameterList\.append: expected a Tensor or nn\.Parameter, got number 3$/,
  );
  throwsWith(() => pl.get(5), RangeError, /^ParameterList\.get: index 5 is out of range for length 5$/);
  // Gradients reach the list's parameters.
  const a = new nn.ParameterList([ones([2])]);
  a.get(0).mul(3).sum().backward();
  assert.deepEqual(a.get(0).grad!.tolist(), [3, 3]);
});

Deno.test("Containers load state dicts by PyTorch's keys", () => {
  const src = new nn.Sequential(new nn.Linear(2, 2), new nn.ModuleList([new nn.Linear(2, 1)]));
  const dst = new nn.Sequential(new nn.Linear(2, 2), new nn.ModuleList([new nn.Linear(2, 1)]));
  assert.deepEqual(Object.keys(dst.stateDict()), ["0.weight", "0.bias", "1.0.weight", "1.0.bias"]);
  dst.loadStateDict(src.stateDict());
  const x = randn([3, 2]);
  const out = (s: nn.Sequential) => (s.get(1) as nn.ModuleList).get(0).forward(s.get(0).forward(x));
  assertClose(out(dst).toArray() as Float32Array, out(src).toArray() as Float32Array, 0, 0);
});
