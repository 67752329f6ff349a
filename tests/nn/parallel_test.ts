import assert from "node:assert/strict";
import { nn, randn, type Tensor } from "../../mod.ts";
import { assertClose } from "../util/gradcheck.ts";
import { throwsWith } from "../util/fixture_json.ts";

Deno.test("DataParallel forwards to its module on the CPU and prefixes state dict keys with module.", () => {
  const inner = new nn.Linear(4, 3);
  const dp = new nn.DataParallel(inner);
  assert.equal(dp.module, inner);
  assert.deepEqual(Object.keys(dp.stateDict()), ["module.weight", "module.bias"]);
  assert.deepEqual([...dp.namedParameters()].map(([k]) => k), ["module.weight", "module.bias"]);
  const x = randn([8, 4], { requiresGrad: true });
  const y = dp.forward(x);
  assertClose(y.toArray() as Float32Array, inner.forward(x).toArray() as Float32Array, 0, 0);
  y.sum().backward();
  assert.ok(inner.weight.grad !== null && x.grad !== null);
  assert.deepEqual(dp.deviceIds, []);
  assert.equal(dp.outputDevice, "cpu");
  assert.equal(dp.dim, 0);
  assert.equal(dp.toString(), "DataParallel(\n  (module): Linear(in_features=4, out_features=3, bias=True)\n)");
});

Deno.test("DataParallel passes every argument through and follows train/eval", () => {
  class Two extends nn.Module {
    drop = new nn.Dropout(0.5);
    override forward(a: Tensor, b: Tensor, scale: number) {
      return this.drop.forward(a).add(b).mul(scale);
    }
  }
  const dp = new nn.DataParallel(new Two(), { dim: 1, deviceIds: ["cpu"] });
  dp.eval();
  assert.equal((dp.module as Two).drop.training, false);
  const a = randn([2, 3]), b = randn([2, 3]);
  assertClose(dp.forward(a, b, 2).toArray() as Float32Array, a.add(b).mul(2).toArray() as Float32Array, 0, 0);
  assert.equal(dp.dim, 1);
});

Deno.test("A checkpoint saved from DataParallel loads into DataParallel, and its inner module's into the module", () => {
  const src = new nn.DataParallel(new nn.Linear(2, 2));
  const dst = new nn.DataParallel(new nn.Linear(2, 2));
  dst.loadStateDict(src.stateDict());
  assertClose(
    dst.module.stateDict().weight.toArray() as Float32Array,
    src.module.stateDict().weight.toArray() as Float32Array,
    0,
    0,
  );
  throwsWith(
    () => new nn.Linear(2, 2).loadStateDict(src.stateDict()),
    RangeError,
    /Missing key\(s\) in state_dict: "weight", "bias"\. /,
  );
});

Deno.test("DataParallel on CUDA devices throws the clear no-CUDA error; bad options are rejected", () => {
  const m = new nn.Linear(2, 2);
  throwsWith(
    () => new nn.DataParallel(m, { deviceIds: [0, 1, 2] }),
    Error,
    /^DataParallel: cannot use device cuda:0: this libdenotorch was built without CUDA, so DataParallel runs on the CPU only/,
  );
  throwsWith(
    () => new nn.DataParallel(m, { deviceIds: ["cuda:1"] }),
    Error,
    /^DataParallel: cannot use device cuda:1: .*without CUDA/,
  );
  throwsWith(() => new nn.DataParallel(m, { outputDevice: 0 }), Error, /^DataParallel: cannot use device cuda:0/);
  throwsWith(
    () => new nn.DataParallel(m, { deviceIds: ["tpu"] }),
    TypeError,
    /^DataParallel: expected deviceIds\[0\] to be a device index, "cuda:N" or "cpu", got "tpu"$/,
  );
  throwsWith(
    () => new nn.DataParallel(m, { dim: 0.5 }),
    TypeError,
    /^DataParallel: expected dim to be an integer, got number 0\.5$/,
  );
  throwsWith(
    () => new nn.DataParallel({} as nn.Module),
    TypeError,
    /^DataParallel: expected module to be a Module, got Object$/,
  );
  throwsWith(
    () => new nn.DataParallel(m, { deviceIds: 0 as unknown as number[] }),
    TypeError,
    /expected deviceIds to be an array, got number 0/,
  );
  throwsWith(
    () => new nn.DataParallel(m).cuda(),
    Error,
    /^DataParallel\.cuda: cannot move to cuda:0: this libdenotorch was built without CUDA/,
  );
});
