/**
 * Memory: dispose, `using`, tidy, memory() accounting, create/dispose cycles, and a
 * training-like loop that never disposes running in flat memory (in a child process).
 */
import assert from "node:assert/strict";
import { keep, memory, ones, randn, type Tensor, tensor, tidy, where, zeros } from "../../mod.ts";

const USE_AFTER_DISPOSE = /the tensor was disposed and cannot be used/;

Deno.test("dispose is idempotent and frees the bytes once", () => {
  const before = memory();
  const t = zeros([100]);
  assert.equal(memory().bytesInUse - before.bytesInUse, 400);
  assert.equal(memory().liveTensors - before.liveTensors, 1);
  t.dispose();
  t.dispose();
  t.dispose();
  assert.equal(t.isDisposed, true);
  assert.deepEqual(memory(), before);
});

Deno.test("views share storage: bytes leave memory() only with the last view", () => {
  const before = memory().bytesInUse;
  const t = zeros([4, 8], { dtype: "float64" });
  const v = t.view(32);
  const s = t.narrow(1, 2, 3);
  assert.equal(memory().bytesInUse - before, 256);
  t.dispose();
  assert.equal(memory().bytesInUse - before, 256);
  assert.equal(tidy(() => v.sum().item()), 0); // still usable
  v.dispose();
  s.dispose();
  assert.equal(memory().bytesInUse, before);
});

Deno.test("any use after dispose throws, as self and as argument", () => {
  const t = tensor([[1, 2], [3, 4]]);
  const other = ones([2, 2]);
  t.dispose();
  const uses: [string, () => unknown][] = [
    ["item", () => t.item()],
    ["toArray", () => t.toArray()],
    ["typedArray", () => t.typedArray()],
    ["tolist", () => t.tolist()],
    ["add", () => t.add(1)],
    ["add as argument", () => other.add(t)],
    ["mul", () => t.mul(other)],
    ["exp", () => t.exp()],
    ["sum", () => t.sum()],
    ["max dim", () => t.max(0)],
    ["matmul", () => t.matmul(other)],
    ["matmul as argument", () => other.matmul(t)],
    ["view", () => t.view(4)],
    ["transpose", () => t.transpose(0, 1)],
    ["clone", () => t.clone()],
    ["to", () => t.to("float64")],
    ["detach", () => t.detach()],
    ["fill_", () => t.fill_(1)],
    ["add_", () => t.add_(1)],
    ["copy_ into", () => t.copy_(other)],
    ["copy_ from", () => other.copy_(t)],
    ["indexSelect", () => t.indexSelect(0, tensor(new BigInt64Array([0n])))],
    ["backward", () => t.backward()],
  ];
  for (const [name, f] of uses) {
    assert.throws(f, USE_AFTER_DISPOSE, `${name} after dispose should throw`);
  }
  assert.equal(String(t), "tensor(<disposed>)");
  other.dispose();
});

Deno.test("a disposed tensor that stays reachable holds no memory", () => {
  const before = memory().bytesInUse;
  const a = zeros([1000]);
  const b = a.view(10, 100);
  const shared = b._storage;
  a.dispose(); // b still uses the storage
  assert.equal(memory().bytesInUse - before, 4000);
  // The disposed handle let go of the storage: if b were collected (not disposed), nothing
  // reachable from a would keep the 4000 bytes alive.
  assert.notEqual(a._storage, shared);
  assert.equal(a._storage.bytes, null);
  assert.notEqual(shared.bytes, null);
  b.dispose();
  assert.equal(memory().bytesInUse, before);
  assert.equal(shared.bytes, null);
});

Deno.test("using disposes at the end of the block (Symbol.dispose)", () => {
  const before = memory();
  let escaped: Tensor;
  {
    using t = randn([64]);
    escaped = t;
    assert.equal(memory().liveTensors - before.liveTensors, 1);
    assert.equal(t.numel(), 64);
  }
  assert.equal(escaped.isDisposed, true);
  assert.deepEqual(memory(), before);
  assert.throws(() => escaped.sum(), USE_AFTER_DISPOSE);
});

Deno.test("tidy keeps returned tensors (alone, array, object) and disposes the rest", () => {
  const before = memory();
  const x = ones([3]);
  const one = tidy(() => x.mul(2).add(1));
  assert.deepEqual(one.tolist(), [3, 3, 3]);
  let inner: Tensor | null = null;
  const arr = tidy(() => {
    inner = x.mul(5);
    return [inner.add(1), x.sub(1)];
  });
  assert.equal(inner!.isDisposed, true);
  assert.deepEqual(arr.map((t) => t.tolist()), [[6, 6, 6], [0, 0, 0]]);
  const obj = tidy(() => ({ a: x.neg(), nested: { b: x.mul(3) }, n: 4 }));
  assert.deepEqual(obj.a.tolist(), [-1, -1, -1]);
  assert.deepEqual(obj.nested.b.tolist(), [3, 3, 3]);
  assert.equal(obj.n, 4);
  // The input created outside stays alive.
  assert.equal(x.isDisposed, false);
  for (const t of [one, ...arr, obj.a, obj.nested.b, x]) t.dispose();
  assert.deepEqual(memory(), before);
});

Deno.test("tidy: a number result disposes everything; keep() survives", () => {
  const before = memory();
  let kept: Tensor | null = null;
  const total = tidy(() => {
    kept = keep(ones([10]));
    return ones([1000]).mul(2).sum().item();
  });
  assert.equal(total, 2000);
  assert.equal(memory().liveTensors - before.liveTensors, 1);
  assert.equal(tidy(() => kept!.sum().item()), 10);
  kept!.dispose();
  assert.deepEqual(memory(), before);
});

Deno.test("nested tidy: inner results move to the outer scope and die with it", () => {
  const before = memory();
  let fromInner: Tensor | null = null;
  let innerTemp: Tensor | null = null;
  const out = tidy(() => {
    fromInner = tidy(() => {
      innerTemp = ones([4]).mul(3);
      return innerTemp.add(1);
    });
    assert.equal(innerTemp!.isDisposed, true);
    assert.equal(fromInner.isDisposed, false);
    return fromInner.sum();
  });
  assert.equal(fromInner!.isDisposed, true, "the inner result was only a temporary of the outer scope");
  assert.equal(out.item(), 16);
  out.dispose();
  assert.deepEqual(memory(), before);
});

Deno.test("tidy disposes its tensors when the callback throws", () => {
  const before = memory();
  assert.throws(() =>
    tidy(() => {
      ones([5]).mul(2);
      throw new Error("boom");
    }), /boom/);
  assert.deepEqual(memory(), before);
  assert.throws(() => tidy(42 as unknown as () => void), TypeError);
});

Deno.test("tidy keeps what the returned tensor's graph needs: backward after tidy works", () => {
  const w = tensor([1, 2, 3], { requiresGrad: true, dtype: "float64" });
  const before = memory();
  const loss = tidy(() => {
    const h = w.mul(w); // saved by the graph
    const junk = ones([100]).add(1); // not needed
    void junk;
    return h.exp().sum();
  });
  loss.backward();
  const expected = [1, 2, 3].map((v) => 2 * v * Math.exp(v * v));
  (w.grad!.toArray() as Float64Array).forEach((g, i) => assert.ok(Math.abs(g - expected[i]) < 1e-9 * expected[i]));
  // Only loss, the kept graph intermediates and the grad remain; the 100-element junk is gone.
  assert.ok(memory().bytesInUse - before.bytesInUse < 400, `bytes ${memory().bytesInUse - before.bytesInUse}`);
});

Deno.test("backward through a disposed saved tensor fails with a clear error", () => {
  const w = tensor([1, 2], { requiresGrad: true });
  const h = w.mul(2);
  const y = h.mul(h).sum();
  h.dispose();
  assert.throws(() => y.backward(), /saved by MulBackward was disposed/);
});

Deno.test("memory() reports bytes and tensors per dtype; unknown devices throw", () => {
  const before = memory();
  const ts = [
    zeros([10], { dtype: "float32" }),
    zeros([10], { dtype: "float64" }),
    zeros([10], { dtype: "int64" }),
    zeros([10], { dtype: "int32" }),
    zeros([10], { dtype: "uint8" }),
    zeros([10], { dtype: "bool" }),
  ];
  assert.deepEqual(memory("cpu"), {
    bytesInUse: before.bytesInUse + 40 + 80 + 80 + 40 + 10 + 10,
    liveTensors: before.liveTensors + 6,
  });
  ts.forEach((t) => t.dispose());
  assert.deepEqual(memory(), before);
  assert.throws(() => memory("tpu"), /memory: unknown device "tpu"/);
});

Deno.test("10,000 create/dispose cycles leave memory() where it was", () => {
  const x = randn([32]);
  const before = memory();
  for (let i = 0; i < 10_000; i++) {
    const a = x.mul(2);
    const b = a.add(x);
    a.dispose();
    b.dispose();
  }
  for (let i = 0; i < 1000; i++) tidy(() => x.mul(3).exp().sum().item());
  for (let i = 0; i < 1000; i++) tidy(() => x.mul(3).exp().sum()).dispose();
  assert.deepEqual(memory(), before);
  x.dispose();
});

Deno.test("a loop that never disposes runs in flat memory (GC reclaims 1 MB tensors)", async () => {
  const child = new URL("./gc_loop_child.ts", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-ffi", "--allow-env", child, "1500", "3000"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const err = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, `child failed (code ${out.code}): ${text} ${err}`);
  const r = JSON.parse(text.trim().split("\n").pop()!);
  // 3000 iterations x 3 MB of fresh tensors: without collection that is ~9 GB.
  assert.ok(r.peakMb < 1500, `peak RSS ${r.peakMb} MB`);
  // Once the event loop turned, the collected tensors left the accounting.
  assert.ok(r.after.bytesInUse < 300e6, `bytesInUse after the loop: ${r.after.bytesInUse}`);
  assert.ok(r.after.liveTensors < 1000, `liveTensors after the loop: ${r.after.liveTensors}`);
});

Deno.test("where with scalar operands, maskedFill(_) and pow_ leave no temporaries behind outside tidy", () => {
  const x = tensor([1, 2, 3]), m = tensor([1, 0, 1], { dtype: "bool" });
  const before = memory().liveTensors;
  const checks: [string, () => void][] = [
    ["where(tensor, number)", () => where(m, x, 0).dispose()],
    ["where(number, number)", () => where(m, 1.5, 2).dispose()],
    ["maskedFill", () => x.maskedFill(m, 7).dispose()],
    ["maskedFill_", () => void x.maskedFill_(m, 5)],
    ["pow_", () => void x.pow_(2)],
  ];
  for (const [name, f] of checks) {
    f();
    assert.equal(memory().liveTensors, before, `${name} left tensors alive`);
  }
  assert.deepEqual(x.tolist(), [25, 4, 25]);
});
