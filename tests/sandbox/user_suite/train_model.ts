/**
 * A user's own test file, run by tests/sandbox/sandbox_test.ts with `deno test
 * --sanitize-ops --sanitize-resources`: it imports denotorch and trains models inside tests.
 * The native library is opened once at module scope, so no test sees a resource or an
 * async op it did not start. (Named without `_test` so the project's own `deno test tests/`
 * does not pick it up a second time.)
 */
import assert from "node:assert/strict";
import { manualSeed, nn, optim, randn, type Tensor, tensor, tidy } from "../../../mod.ts";

const F = nn.functional;

Deno.test("a linear model learns y = 2x + 1", () => {
  manualSeed(1);
  const x = randn([64, 1]);
  const y = x.mul(2).add(1);
  const model = new nn.Linear(1, 1);
  const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
  for (let i = 0; i < 200; i++) {
    tidy(() => {
      opt.zeroGrad();
      F.mseLoss(model.forward(x), y).backward();
      opt.step();
    });
  }
  assert.ok(Math.abs(model.weight.item() - 2) < 1e-3, `weight ${model.weight.item()}`);
  assert.ok(Math.abs(model.bias!.item() - 1) < 1e-3, `bias ${model.bias!.item()}`);
});

Deno.test("a small CNN trains without tidy (the collector frees the temporaries)", async () => {
  manualSeed(2);
  const model = new nn.Sequential(
    new nn.Conv2d(1, 4, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(4 * 4 * 4, 3),
  );
  const opt = new optim.Adam(model.parameters(), { lr: 0.01 });
  const x = randn([12, 1, 8, 8]);
  const target = tensor(new BigInt64Array([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2].map(BigInt)));
  let first = 0, last = 0;
  for (let i = 0; i < 60; i++) {
    opt.zeroGrad();
    const loss = F.crossEntropy(model.forward(x) as Tensor, target);
    loss.backward();
    opt.step();
    if (i === 0) first = loss.item();
    last = loss.item();
  }
  assert.ok(last < first * 0.5, `loss ${first} -> ${last}`);
  // An async test that awaits between steps is just as clean.
  await new Promise((r) => setTimeout(r, 1));
});

Deno.test("an LSTM step with a packed batch", () => {
  const lstm = new nn.LSTM(3, 5, { batchFirst: true });
  const packed = nn.utils.rnn.packPaddedSequence(randn([2, 4, 3]), [4, 2], { batchFirst: true });
  const [out] = lstm.forward(packed);
  const [padded, lengths] = nn.utils.rnn.padPackedSequence(out as nn.utils.rnn.PackedSequence, { batchFirst: true });
  assert.deepEqual(padded.shape, [2, 4, 5]);
  assert.deepEqual(lengths.tolist(), [4, 2]);
  padded.sum().backward();
  const named = new Map(lstm.namedParameters());
  assert.deepEqual(named.get("weight_ih_l0")!.grad!.shape, [20, 3]);
});
