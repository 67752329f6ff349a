import assert from "node:assert/strict";
import { nn, randn, type Tensor } from "../../mod.ts";
import { assertClose, gradcheck, randomDouble } from "../util/gradcheck.ts";
import { throwsWith } from "../util/fixture_json.ts";

Deno.test("Flatten keeps the batch dim by default and accepts startDim/endDim positionally or as options", () => {
  const x = randn([32, 1, 5, 5]);
  assert.deepEqual(new nn.Flatten().forward(x).shape, [32, 25]);
  assert.deepEqual(new nn.Flatten(0, 2).forward(x).shape, [160, 5]);
  assert.deepEqual(new nn.Flatten({ startDim: 2 }).forward(x).shape, [32, 1, 25]);
  assert.deepEqual(new nn.Flatten(-3, -2).forward(x).shape, [32, 5, 5]);
  const y = new nn.Flatten().forward(x);
  assertClose(y.toArray() as Float32Array, x.toArray() as Float32Array, 0, 0, "same values in the same order");
  assert.equal(new nn.Flatten().toString(), "Flatten(start_dim=1, end_dim=-1)");
  gradcheck((t: Tensor) => new nn.Flatten().forward(t.transpose(1, 2)), [randomDouble([2, 3, 2], 1)]);
});

Deno.test("Unflatten reverses Flatten", () => {
  const x = randn([2, 50]);
  const y = new nn.Unflatten(1, [2, 5, 5]).forward(x);
  assert.deepEqual(y.shape, [2, 2, 5, 5]);
  assert.deepEqual(new nn.Flatten().forward(y).shape, [2, 50]);
  assert.deepEqual(new nn.Unflatten(-1, [5, -1]).forward(x).shape, [2, 5, 10]);
  throwsWith(
    () => new nn.Unflatten(1, [3, 5]).forward(x),
    RangeError,
    /^Unflatten\.forward: unflattenedSize \[3, 5\] does not match the size 50 of dim 1 of shape \[2, 50\]$/,
  );
});

Deno.test("Flatten validates its dims", () => {
  throwsWith(() => new nn.Flatten(1.5), TypeError, /^Flatten: expected startDim to be an integer, got number 1\.5$/);
  throwsWith(
    () => new nn.Flatten(2, 1).forward(randn([2, 3, 4])),
    RangeError,
    /^Flatten\.forward: startDim \(2\) cannot come after endDim \(1\)$/,
  );
  throwsWith(() => new nn.Flatten(5).forward(randn([2, 3])), RangeError, /Flatten\.forward/);
  // As in PyTorch, a 1-d input has no dim 1 to start from.
  throwsWith(() => new nn.Flatten().forward(randn([4])), RangeError, /Flatten\.forward/);
});
