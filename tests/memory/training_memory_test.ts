/**
 * Memory over long training (issue 8): 10,000 optimizer steps of a tiny model leave
 * `memory().bytesInUse` flat, both with `tidy` (exactly: every temporary is disposed at once)
 * and with neither `tidy` nor `dispose` (in a child process: the garbage collector reclaims the
 * temporaries, and `memory()` catches up between event-loop turns).
 */
import assert from "node:assert/strict";
import { manualSeed, memory, nn, optim, randn, type Tensor, tensor, tidy } from "../../mod.ts";

const F = nn.functional;

Deno.test("10,000 training steps inside tidy leave memory() exactly where it was", () => {
  manualSeed(4);
  const model = new nn.Sequential(new nn.Linear(8, 16), new nn.ReLU(), new nn.Linear(16, 3));
  const opt = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
  const x = randn([32, 8]);
  const y = tensor(BigInt64Array.from({ length: 32 }, (_, i) => BigInt(i % 3)));
  const step = () =>
    tidy(() => {
      opt.zeroGrad();
      const loss = F.crossEntropy(model.forward(x) as Tensor, y);
      loss.backward();
      opt.step();
      return loss.item();
    });
  // The first steps create the gradients and the momentum buffers (kept on purpose).
  const first = step();
  step();
  const base = memory();
  const samples: number[] = [];
  let last = first;
  for (let i = 1; i <= 10_000; i++) {
    last = step();
    if (i % 1000 === 0) {
      samples.push(memory().bytesInUse);
      assert.deepEqual(memory(), base, `memory() moved at step ${i}`);
    }
  }
  assert.equal(samples.length, 10);
  assert.ok(last < first, `the model trained: loss ${first} -> ${last}`);
});

Deno.test("10,000 steps with neither tidy nor dispose stay flat (garbage collected, child process)", async () => {
  const child = new URL("./training_child.ts", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--v8-flags=--expose-gc", "--allow-read", "--allow-ffi", "--allow-env", child, "10000"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const err = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, `child failed (code ${out.code}, signal ${out.signal}): ${text} ${err}`);
  const r = JSON.parse(text.trim().split("\n").pop()!);
  assert.equal(r.settled.length, 10);
  // After a collection a sample holds the model, its gradients, Adam's state and the last
  // step's loss with its graph (a few of those may be held a little longer by V8, so a later
  // sample can be lower, never higher). Any leak would grow by at least one tensor per step,
  // i.e. 1000 per sample.
  const first = r.settled[0];
  for (const s of r.settled) {
    assert.ok(s.bytesInUse <= first.bytesInUse, `bytesInUse at step ${s.step}: ${JSON.stringify(r.settled)}`);
    assert.ok(s.liveTensors <= first.liveTensors, `liveTensors at step ${s.step}: ${JSON.stringify(r.settled)}`);
  }
  // The model (4 parameters), their gradients and Adam's two moments: 12 tensors at least.
  assert.ok(first.liveTensors >= 12 && first.liveTensors < 60, JSON.stringify(first));
  // Without a forced collection the counts trail the collector but stay bounded: far below the
  // ~10,000 x 20 tensors the loop made.
  for (const s of r.natural) assert.ok(s.liveTensors < 50_000, `natural sample ${JSON.stringify(s)}`);
  assert.ok(r.peakRssMb < 1000, `peak RSS ${r.peakRssMb} MB`);
  assert.ok(Number.isFinite(r.lastLoss) && r.lastLoss < 1.2, `loss ${r.lastLoss}`);
});

Deno.test("zeroGrad frees a gradient only the parameter held; one user code read stays alive", () => {
  const lin = new nn.Linear(4, 2);
  const x = randn([3, 4]);
  const opt = new optim.SGD(lin.parameters(), { lr: 0.1 });
  tidy(() => lin.forward(x).sum().backward());
  const before = memory();
  opt.zeroGrad();
  // Weight [2, 4] and bias [2] gradients, never read by user code: freed at once.
  assert.deepEqual(memory(), { bytesInUse: before.bytesInUse - 40, liveTensors: before.liveTensors - 2 });
  tidy(() => lin.forward(x).sum().backward());
  const seen = lin.weight.grad!; // user code holds it now
  lin.zeroGrad();
  assert.equal(lin.weight.grad, null);
  assert.equal(seen.isDisposed, false);
  const colSums = x.sum(0).tolist() as number[];
  (seen.tolist() as number[][]).flat().forEach((v, i) => assert.ok(Math.abs(v - colSums[i % 4]) < 1e-5));
  // Assigning null by hand frees an unseen gradient the same way.
  tidy(() => lin.forward(x).sum().backward());
  const mid = memory();
  lin.bias!.grad = null;
  assert.deepEqual(memory(), { bytesInUse: mid.bytesInUse - 8, liveTensors: mid.liveTensors - 1 });
});
