/**
 * nn.utils.parametersToVector / vectorToParameters (src/nn/utils/convert.ts), held to what
 * PyTorch 1.13's parameters_to_vector / vector_to_parameters do (checked by hand with torch
 * 1.13: order, dtype promotion, gradient flow, shared memory, the errors).
 */
import assert from "node:assert/strict";
import { arange, nn, tensor, zeros } from "../../mod.ts";
import { throwsWith } from "../util/fixture_json.ts";

const U = nn.utils;

function model() {
  const m = new nn.Sequential(new nn.Linear(3, 2), new nn.ReLU(), new nn.Linear(2, 1, { bias: false }));
  let k = 0;
  for (const p of m.parameters()) {
    const n = p.numel();
    p.data = arange(k, k + n, 1, { dtype: "float32" }).reshape([...p.shape]);
    k += n;
  }
  return m;
}

Deno.test("parametersToVector concatenates the flattened parameters in order", () => {
  const m = model();
  const v = U.parametersToVector(m.parameters());
  assert.deepEqual(v.shape, [10]);
  assert.deepEqual(v.tolist(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(v.dtype, "float32");
  // a single tensor, and a plain array
  assert.deepEqual(U.parametersToVector(tensor([[1, 2], [3, 4]])).tolist(), [1, 2, 3, 4]);
  assert.deepEqual(U.parametersToVector([tensor([1]), tensor([[2, 3]])]).tolist(), [1, 2, 3]);
});

Deno.test("parametersToVector promotes dtypes as torch.cat does, and is differentiable", () => {
  const a = new nn.Parameter(zeros([2, 3]));
  const b = new nn.Parameter(zeros([2], { dtype: "float64" }));
  assert.equal(U.parametersToVector([a, b]).dtype, "float64");
  const x = new nn.Parameter(tensor([1, 2]));
  const w = new nn.Parameter(tensor([[1, 1], [1, 1]]));
  const y = U.parametersToVector([x, w]).mul(tensor([3, 4, 1, 2, 3, 4])).sum();
  y.backward();
  assert.deepEqual(x.grad!.tolist(), [3, 4]);
  assert.deepEqual(w.grad!.tolist(), [[1, 2], [3, 4]]);
});

Deno.test("vectorToParameters gives each parameter its slice of vec, sharing vec's memory", () => {
  const m = model();
  const vec = arange(100, 110, 1, { dtype: "float32" });
  U.vectorToParameters(vec, m.parameters());
  const [w1, b1, w2] = [...m.parameters()];
  assert.deepEqual(w1.tolist(), [[100, 101, 102], [103, 104, 105]]);
  assert.deepEqual(b1.tolist(), [106, 107]);
  assert.deepEqual(w2.tolist(), [[108, 109]]);
  assert.ok(w1 instanceof nn.Parameter && w1.requiresGrad && w1.isLeaf, "parameters keep their identity");
  assert.deepEqual(Object.keys(m.stateDict()), ["0.weight", "0.bias", "2.weight"]);
  // like PyTorch's `param.data = vec[...]`: no copy
  vec.fill_(1);
  assert.deepEqual(b1.tolist(), [1, 1]);
  // the round trip, and the model still trains
  assert.deepEqual(U.parametersToVector(m.parameters()).tolist(), new Array(10).fill(1));
  m.forward(zeros([4, 3])).sum().backward();
  assert.deepEqual(w2.grad!.shape, [1, 2]);
  // a longer vec is fine (the rest is unused); a float64 vec makes float64 parameters
  const p = new nn.Parameter(zeros([2]));
  U.vectorToParameters(tensor(new Float64Array([5, 6, 7])), [p]);
  assert.equal(p.dtype, "float64");
  assert.deepEqual(p.tolist(), [5, 6]);
  // vec itself may require grad: nothing is recorded
  const g = tensor([1, 2], { requiresGrad: true });
  U.vectorToParameters(g, [p]);
  assert.equal(p.gradFn, null);
  assert.ok(p.isLeaf);
});

Deno.test("parametersToVector / vectorToParameters reject what PyTorch rejects", () => {
  const a = new nn.Parameter(zeros([2, 3]));
  throwsWith(() => U.parametersToVector([]), RangeError, /^parametersToVector: expected a non-empty list/);
  throwsWith(
    () => U.parametersToVector([a.t()]),
    RangeError,
    /^parametersToVector: view size is not compatible .* shape \[3, 2\] is not contiguous/,
  );
  throwsWith(
    () => U.parametersToVector(5 as never),
    TypeError,
    /^parametersToVector: expected a Tensor or an iterable/,
  );
  throwsWith(() => U.parametersToVector([a, 1] as never), TypeError, /^parametersToVector: expected parameters\[1\]/);
  throwsWith(
    () => U.vectorToParameters([1, 2] as never, [a]),
    TypeError,
    /^vectorToParameters: expected vec to be a Tensor/,
  );
  throwsWith(
    () => U.vectorToParameters(zeros([3]), [a]),
    RangeError,
    /^vectorToParameters: expected vec with at least 6 elements \(the parameters' total\), got shape \[3\]/,
  );
  throwsWith(
    () => U.vectorToParameters(tensor(new BigInt64Array(6)), [a]),
    TypeError,
    /^vectorToParameters: parameters that require grad need a floating point vec, got int64/,
  );
  throwsWith(() => U.vectorToParameters(zeros([2, 3]), [a]), RangeError, /^vectorToParameters: expected vec to be 1-d/);
  assert.deepEqual(a.shape, [2, 3], "a rejected call changes nothing");
});
