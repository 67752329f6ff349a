import assert from "node:assert/strict";
import { manualSeed, nn, randn, type Tensor, zeros } from "../../mod.ts";
import { assertClose, gradcheck, randomDouble } from "../util/gradcheck.ts";
import { fixture, fromList, throwsWith } from "../util/fixture_json.ts";

const F = nn.functional;
const R = nn.utils.rnn;

interface Rec {
  shape: number[];
  data: number[];
}
const T = (r: Rec, dtype: "float32" | "float64", requiresGrad = false) =>
  fromList(r.data, r.shape, dtype, requiresGrad);

// ------------------------------------------------------------------------------ PyTorch fixtures

const cases = fixture("rnn", "cases");

for (const c of cases.modules) {
  Deno.test(`nn.${c.module} matches PyTorch (outputs and all gradients): ${c.name}`, () => {
    const dt = c.dtype as "float32" | "float64";
    const tol = dt === "float64" ? [1e-10, 1e-8] : [2e-5, 1e-4];
    // deno-lint-ignore no-explicit-any
    const Cls = (nn as any)[c.module];
    const m = Object.keys(c.options).length ? new Cls(...c.args, c.options) : new Cls(...c.args);
    if (dt === "float64") m.double();
    const sd: Record<string, Tensor> = {};
    for (const [k, v] of Object.entries<Rec>(c.state)) sd[k] = T(v, dt);
    m.loadStateDict(sd);
    const x = T(c.input, dt, true);
    const states = c.states.map((s: Rec) => T(s, dt, true));
    const hx = states.length === 0 ? undefined : states.length === 2 ? states : states[0];
    const isCell = c.module.endsWith("Cell");
    let outs: Tensor[];
    if (isCell) {
      const r = m.forward(x, hx);
      outs = Array.isArray(r) ? r : [r];
    } else {
      const input = c.lengths
        ? R.packPaddedSequence(x, c.lengths, { batchFirst: c.options.batchFirst, enforceSorted: c.enforceSorted })
        : x;
      const [o, h] = m.forward(input, hx);
      const out = c.lengths ? R.padPackedSequence(o, { batchFirst: c.options.batchFirst })[0] : o;
      outs = [out, ...(Array.isArray(h) ? h : [h])];
    }
    assert.equal(outs.length, c.outputs.length);
    outs.forEach((o, i) => {
      assert.deepEqual(o.shape, c.outputs[i].shape, `output ${i} shape`);
      assertClose(o.toArray(), c.outputs[i].data, tol[0], tol[1], `output ${i}`);
    });
    const gouts = c.gradOutputs.map((g: Rec) => T(g, dt));
    let loss = outs[0].mul(gouts[0]).sum();
    for (let i = 1; i < outs.length; i++) loss = loss.add(outs[i].mul(gouts[i]).sum());
    loss.backward();
    assertClose(x.grad!.toArray(), c.gradInput, tol[0], tol[1], "grad of input");
    states.forEach((s: Tensor, i: number) =>
      assertClose(s.grad!.toArray(), c.gradStates[i], tol[0], tol[1], `grad of state ${i}`)
    );
    const params = new Map<string, Tensor>(m.namedParameters());
    for (const [k, g] of Object.entries<number[]>(c.gradParams)) {
      assertClose(params.get(k)!.grad!.toArray(), g, tol[0], tol[1], `grad of ${k}`);
    }
  });
}

Deno.test("state dict keys, order and shapes are PyTorch's (bidirectional, projections)", () => {
  const lstm = new nn.LSTM(3, 5, 2, { projSize: 2, bidirectional: true });
  assert.deepEqual(Object.keys(lstm.stateDict()), cases.extra.lstmStateKeys);
  const gru = new nn.GRU(3, 4, 2, { bidirectional: true });
  const shapes = Object.fromEntries(Object.entries(gru.stateDict()).map(([k, v]) => [k, [...v.shape]]));
  assert.deepEqual(shapes, cases.extra.gruStateShapes);
  const cell = new nn.LSTMCell(3, 4, { bias: false });
  assert.deepEqual(Object.keys(cell.stateDict()), ["weight_ih", "weight_hh"]);
  assert.equal(cell.bias_ih, null);
});

Deno.test("parameters are initialized uniformly in ±1/sqrt(hiddenSize)", () => {
  manualSeed(3);
  for (const m of [new nn.LSTM(6, 16, 2), new nn.GRUCell(6, 16), new nn.RNN(6, 16, { bidirectional: true })]) {
    let lo = Infinity, hi = -Infinity;
    for (const p of m.parameters()) {
      for (const v of p.toArray() as Float32Array) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    assert.ok(lo >= -0.25 && hi <= 0.25, `range [${lo}, ${hi}]`);
    assert.ok(lo < -0.2 && hi > 0.2, `range [${lo}, ${hi}] should fill ±0.25`);
  }
});

// ------------------------------------------------------------------------------ gradchecks (float64)

Deno.test("gradcheck: RNNCell (tanh and relu), LSTMCell, GRUCell w.r.t. input, state and weights", () => {
  const x = randomDouble([2, 3], 1), h = randomDouble([2, 4], 2), c = randomDouble([2, 4], 3);
  const w = (G: number, s: number) => [
    randomDouble([G * 4, 3], s),
    randomDouble([G * 4, 4], s + 1),
    randomDouble([G * 4], s + 2),
    randomDouble([G * 4], s + 3),
  ];
  const [a, b, bi, bh] = w(1, 10);
  gradcheck((x, h, a, b, bi, bh) => F.rnnTanhCell(x, h, a, b, bi, bh), [x, h, a, b, bi, bh]);
  // relu: keep pre-activations away from the kink at 0 by shifting the bias
  const shift = randomDouble([4], 4, 0.5, 1.5);
  gradcheck((x, h, a, b, bi, bh) => F.rnnReluCell(x, h, a, b, bi.add(shift), bh), [x, h, a, b, bi, bh]);
  const [la, lb, lbi, lbh] = w(4, 20);
  gradcheck((x, h, c, a, b, bi, bh) => F.lstmCell(x, [h, c], a, b, bi, bh), [x, h, c, la, lb, lbi, lbh]);
  const [ga, gb, gbi, gbh] = w(3, 30);
  gradcheck((x, h, a, b, bi, bh) => F.gruCell(x, h, a, b, bi, bh), [x, h, ga, gb, gbi, gbh]);
});

function flatWeights(m: nn.RNNBase, seed: number): Tensor[] {
  return m.flatWeights.map((p, i) => randomDouble([...p.shape], seed + i, -0.8, 0.8));
}

Deno.test("gradcheck: 2-layer bidirectional LSTM and GRU (tiny sizes), all inputs and weights", () => {
  const x = randomDouble([3, 2, 2], 1);
  const h0 = randomDouble([4, 2, 2], 2), c0 = randomDouble([4, 2, 2], 3);
  const lw = flatWeights(new nn.LSTM(2, 2, 2, { bidirectional: true }), 100);
  gradcheck((x, h, c, ...ws) => {
    const [o, [hn, cn]] = F.lstm(x, [h, c], ws, { numLayers: 2, bidirectional: true });
    return [o, hn, cn];
  }, [x, h0, c0, ...lw]);
  const gw = flatWeights(new nn.GRU(2, 2, 2, { bidirectional: true }), 200);
  const xb = randomDouble([2, 3, 2], 4); // batch first: B = 2, T = 3
  gradcheck((x, h, ...ws) => {
    const [o, hn] = F.gru(x, h, ws, { numLayers: 2, bidirectional: true, batchFirst: true });
    return [o, hn];
  }, [xb, h0, ...gw]);
});

Deno.test("gradcheck: LSTM with projections and a packed batch of unsorted lengths", () => {
  const x = randomDouble([4, 3, 2], 5);
  const h0 = randomDouble([2, 3, 1], 6), c0 = randomDouble([2, 3, 3], 7);
  const ws = flatWeights(new nn.LSTM(2, 3, 1, { projSize: 1, bidirectional: true }), 300);
  gradcheck((x, h, c, ...w) => {
    const packed = R.packPaddedSequence(x, [2, 4, 1], { enforceSorted: false });
    const [o, [hn, cn]] = F.lstm(packed, [h, c], w, { bidirectional: true });
    const [padded] = R.padPackedSequence(o);
    return [padded, hn, cn];
  }, [x, h0, c0, ...ws]);
});

// ------------------------------------------------------------------------------ structure and behaviour

function graphNodes(t: Tensor): string[] {
  const seen = new Set<unknown>(), names: string[] = [];
  const stack = [t.gradFn];
  while (stack.length) {
    const n = stack.pop();
    if (!n || seen.has(n)) continue;
    seen.add(n);
    names.push(n.name);
    for (const i of n.inputs) stack.push(i.gradFn);
  }
  return names;
}

Deno.test("a layer's whole time loop is one autograd node, however long the sequence", () => {
  const m = new nn.LSTM(4, 8, 2);
  const count = (steps: number) => {
    const [out, [hN, cN]] = m.forward(randn([steps, 3, 4], { requiresGrad: true }));
    return graphNodes(out.sum().add(hN.sum()).add(cN.sum()));
  };
  const long = count(50), short = count(2);
  assert.equal(long.filter((n) => n === "LSTMBackward").length, 2, long.join(", "));
  assert.equal(long.length, short.length, `${long.length} nodes: ${long.join(", ")}`);
  const [, h] = new nn.GRU(4, 8, { bidirectional: true }).forward(randn([30, 2, 4]), randn([2, 2, 8]));
  assert.deepEqual(graphNodes(h).filter((n) => n.endsWith("Backward") && n.includes("GRU")), ["GRUBackward"]);
});

Deno.test("padded input equals the same batch packed with full lengths; batchFirst equals the transpose", () => {
  manualSeed(11);
  const m = new nn.GRU(3, 5, 2, { bidirectional: true });
  const x = randn([6, 4, 3]);
  const [o1, h1] = m.forward(x);
  const [o2, h2] = m.forward(R.packPaddedSequence(x, [6, 6, 6, 6]));
  assertClose(o1.toArray(), R.padPackedSequence(o2)[0].toArray(), 1e-6, 1e-5, "output");
  assertClose(h1.toArray(), h2.toArray(), 1e-6, 1e-5, "hN");
  const mb = new nn.GRU(3, 5, 2, { bidirectional: true, batchFirst: true });
  mb.loadStateDict(m.stateDict());
  const [o3, h3] = mb.forward(x.transpose(0, 1));
  assert.deepEqual(o3.shape, [4, 6, 10]);
  assertClose(o3.transpose(0, 1).toArray(), o1.toArray(), 1e-6, 1e-5, "batchFirst output");
  assertClose(h3.toArray(), h1.toArray(), 1e-6, 1e-5, "batchFirst hN");
});

Deno.test("a packed sequence's hN holds each sequence's last step (original order when unsorted)", () => {
  manualSeed(12);
  const m = new nn.LSTM(2, 3);
  const x = randn([4, 3, 2]);
  const lengths = [2, 4, 1];
  const [o, [hN, cN]] = m.forward(R.packPaddedSequence(x, lengths, { enforceSorted: false }));
  assert.ok(o instanceof nn.PackedSequence);
  const [padded] = R.padPackedSequence(o);
  lengths.forEach((L, b) => {
    const last = padded.select(0, L - 1).select(0, b).toArray();
    assertClose(hN.select(1, b).reshape([3]).toArray(), last, 1e-6, 1e-5, `hN of sequence ${b}`);
    // running the sequence alone gives the same final states
    const [, [h1, c1]] = m.forward(x.narrow(0, 0, L).narrow(1, b, 1));
    assertClose(h1.toArray(), hN.select(1, b).toArray(), 1e-6, 1e-5, `alone hN ${b}`);
    assertClose(c1.toArray(), cN.select(1, b).toArray(), 1e-6, 1e-5, `alone cN ${b}`);
  });
  // padded positions of the output are zero
  assert.deepEqual([...padded.select(0, 3).select(0, 0).toArray()], [0, 0, 0]);
});

Deno.test("dropout acts between layers in training only", () => {
  manualSeed(5);
  const m = new nn.LSTM(3, 4, 2, { dropout: 1 });
  const x = randn([5, 2, 3]);
  m.eval();
  const [a] = m.forward(x), [b] = m.forward(x);
  assert.deepEqual(a.toArray(), b.toArray());
  m.train();
  // p = 1 zeroes layer 1's input: the output no longer depends on x
  const [c] = m.forward(x), [d] = m.forward(randn([5, 2, 3]));
  assertClose(c.toArray(), d.toArray(), 0, 0, "dropout p=1");
  assert.notDeepEqual(a.toArray(), c.toArray());
});

Deno.test("unbatched input gives unbatched outputs; missing states default to zeros", () => {
  const m = new nn.GRU(3, 4, 2);
  const x = randn([5, 3]);
  const [o, h] = m.forward(x);
  assert.deepEqual(o.shape, [5, 4]);
  assert.deepEqual(h.shape, [2, 4]);
  const [o2] = m.forward(x, zeros([2, 4]));
  assert.deepEqual(o.toArray(), o2.toArray());
  const [h1, c1] = new nn.LSTMCell(3, 4).forward(randn([3]));
  assert.deepEqual([h1.shape, c1.shape], [[4], [4]]);
});

Deno.test("float64 modules run in float64 and positional/options constructors agree", () => {
  const m = new nn.RNN(3, 4, 2, { nonlinearity: "relu", dtype: "float64" });
  assert.equal(m.forward(randn([2, 1, 3]).double())[0].dtype, "float64");
  const a = new nn.LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, batchFirst: true });
  const b = new nn.LSTM(3, 4, { numLayers: 2, batchFirst: true });
  assert.deepEqual([a.inputSize, a.hiddenSize, a.numLayers, a.batchFirst], [3, 4, 2, true]);
  assert.deepEqual(Object.keys(a.stateDict()), Object.keys(b.stateDict()));
  assert.equal(String(new nn.GRU(3, 4, 2, { bidirectional: true })), "GRU(3, 4, numLayers=2, bidirectional=true)");
});

// ------------------------------------------------------------------------------ errors

Deno.test("bad inputs throw clear errors naming the call, expected and actual values", () => {
  const lstm = new nn.LSTM(10, 20, 2);
  throwsWith(
    () => lstm.forward(randn([5, 3, 7])),
    RangeError,
    /^LSTM\.forward: input\.size\(-1\) must be equal to input_size\. Expected 10, got 7$/,
  );
  throwsWith(
    () => lstm.forward(randn([5, 3, 10]), [randn([2, 2, 20]), randn([2, 3, 20])]),
    RangeError,
    /^LSTM\.forward: Expected hidden\[0\] size \(2, 3, 20\), got \[2, 2, 20\]$/,
  );
  throwsWith(
    () => lstm.forward(randn([5, 3, 10]), [randn([2, 3, 20]), randn([2, 3, 19])]),
    RangeError,
    /^LSTM\.forward: Expected hidden\[1\] size \(2, 3, 20\), got \[2, 3, 19\]$/,
  );
  throwsWith(
    () => lstm.forward(randn([5, 10]), [randn([2, 3, 20]), randn([2, 3, 20])]),
    RangeError,
    /For unbatched 2-D input, hx and cx should also be 2-D but got \(3-D, 3-D\) tensors/,
  );
  throwsWith(() => lstm.forward(randn([5, 3, 10]), randn([2, 3, 20]) as never), TypeError, /\[h0, c0\]/);
  throwsWith(() => lstm.forward(randn([2, 5, 3, 10])), RangeError, /2 \(unbatched\) or 3 dimensions.*\[2, 5, 3, 10\]/);
  throwsWith(() => lstm.forward(randn([5, 3, 10]).double()), TypeError, /dtype float32.*got float64/);
  const gru = new nn.GRU(4, 6);
  throwsWith(
    () => gru.forward(randn([5, 3, 4]), randn([1, 2, 6])),
    RangeError,
    /^GRU\.forward: Expected hidden size \(1, 3, 6\), got \[1, 2, 6\]$/,
  );
  throwsWith(
    () => gru.forward(randn([5, 4]), randn([1, 3, 6])),
    RangeError,
    /For unbatched 2-D input, hx should also be 2-D but got 3-D tensor/,
  );
  const cell = new nn.GRUCell(4, 6);
  throwsWith(
    () => cell.forward(randn([3, 5])),
    RangeError,
    /^GRUCell\.forward: input has inconsistent input_size: got 5 expected 4$/,
  );
  throwsWith(
    () => cell.forward(randn([3, 4]), randn([2, 6])),
    RangeError,
    /Input batch size 3 doesn't match hidden0 batch size 2/,
  );
  throwsWith(
    () => new nn.LSTMCell(4, 6).forward(randn([3, 4]), [randn([3, 6]), randn([3, 7])]),
    RangeError,
    /hidden1 has inconsistent hidden_size: got 7, expected 6/,
  );
  throwsWith(
    () => new nn.LSTMCell(4, 6).forward(randn([3, 3, 4])),
    RangeError,
    /LSTMCell: Expected input to be 1-D or 2-D but received 3-D tensor/,
  );
});

Deno.test("bad constructor options throw", () => {
  throwsWith(() => new nn.RNN(4, 6, { nonlinearity: "foo" as "tanh" }), RangeError, /Unknown nonlinearity 'foo'/);
  throwsWith(() => new nn.LSTM(4, 6, { dropout: 1.5 }), RangeError, /dropout should be a number in range \[0, 1\]/);
  throwsWith(() => new nn.LSTM(4, 6, { projSize: 6 }), RangeError, /projSize has to be smaller than hiddenSize/);
  throwsWith(() => new nn.GRU(4, 6, { projSize: 2 } as never), RangeError, /only supported for LSTM/);
  throwsWith(() => new nn.LSTM(4, 6, 0), RangeError, /numLayers must be at least 1, got 0/);
  throwsWith(() => new nn.LSTM(4, 0), RangeError, /hiddenSize must be at least 1, got 0/);
  throwsWith(() => new nn.LSTM(4, 2.5), TypeError, /expected hiddenSize to be an integer, got number 2\.5/);
});

Deno.test("an empty batch runs through RNN/LSTM/GRU with PyTorch's shapes and zero gradients", () => {
  // PyTorch 1.13: LSTM(3, 4, 2, bidirectional) on [5, 0, 3] gives output [5, 0, 8], h/c [4, 0, 4].
  const lstm = new nn.LSTM(3, 4, 2, { bidirectional: true });
  const [out, [h, c]] = lstm.forward(randn([5, 0, 3]));
  assert.deepEqual([out.shape, h.shape, c.shape], [[5, 0, 8], [4, 0, 4], [4, 0, 4]]);
  out.sum().backward();
  const w = new Map(lstm.namedParameters()).get("weight_ih_l0")!;
  assert.equal(w.grad!.abs().sum().item(), 0);
  const gru = new nn.GRU(3, 4, { batchFirst: true });
  const [o2, h2] = gru.forward(randn([0, 5, 3]));
  assert.deepEqual([o2.shape, h2.shape], [[0, 5, 4], [1, 0, 4]]);
  const rnn = new nn.RNN(3, 4);
  const [o3, h3] = rnn.forward(randn([2, 0, 3]), randn([1, 0, 4]));
  assert.deepEqual([o3.shape, h3.shape], [[2, 0, 4], [1, 0, 4]]);
});
