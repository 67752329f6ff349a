/**
 * tidy/keep bookkeeping (src/tensor/scope.ts): tensors created inside a scope carry no
 * finalizer until they escape the outermost scope (returned or kept); nested scopes promote
 * results to their parent; a Promise result is refused and its tensors live on.
 */
import assert from "node:assert/strict";
import { keep, memory, ones, type Tensor, tidy } from "../../mod.ts";

Deno.test("temporaries inside tidy register no finalizer; escaping tensors do", () => {
  const outside = ones([2]);
  assert.equal(outside._registered, true, "a tensor created outside tidy has the GC backstop");
  let temp: Tensor | null = null, kept: Tensor | null = null;
  const out = tidy(() => {
    temp = outside.mul(2);
    kept = keep(outside.mul(3));
    assert.equal(temp._registered, false);
    assert.equal(kept._registered, true, "keep() hands the tensor to the GC backstop at once");
    return temp.add(1);
  });
  assert.equal(temp!.isDisposed, true);
  assert.equal(out._registered, true, "returned from the outermost scope");
  assert.equal(out._scope, null);
  assert.deepEqual(out.tolist(), [3, 3]);
  for (const t of [outside, kept!, out]) t.dispose();
  assert.equal(out._registered, false, "dispose unregisters");
});

Deno.test("nested tidy: a result promoted to the outer scope registers only when it leaves that one", () => {
  const before = memory();
  let inner: Tensor | null = null;
  const out = tidy(() => {
    inner = tidy(() => ones([3]).mul(2));
    assert.equal(inner._registered, false, "still owned by the outer scope");
    assert.notEqual(inner._scope, null);
    return inner.sum();
  });
  assert.equal(inner!.isDisposed, true);
  assert.equal(out._registered, true);
  assert.equal(out.item(), 6);
  out.dispose();
  assert.deepEqual(memory(), before);
});

Deno.test("a tidy callback returning a Promise throws, and the tensors it made live on", () => {
  let made: Tensor | null = null;
  assert.throws(
    () =>
      tidy(() => {
        made = ones([2]);
        return Promise.resolve(1);
      }),
    /tidy: the callback must be synchronous; it returned a Promise/,
  );
  assert.equal(made!.isDisposed, false);
  assert.equal(made!._registered, true, "an async continuation may still use it; the GC backstop owns it");
  made!.dispose();
});

Deno.test("finished scopes are reused: earlier tensors keep their state, later scopes dispose only their own", () => {
  const before = memory().liveTensors;
  let kept: Tensor | null = null, early: Tensor | null = null, thrown: Tensor | null = null;
  const returned = tidy(() => {
    kept = keep(ones([2]));
    early = ones([3]);
    early.dispose(); // disposed by hand inside the scope: the scope's end must not mind
    return tidy(() => ones([4]).mul(2)); // promoted from the inner scope, then escapes the outer
  });
  assert.throws(() =>
    tidy(() => {
      thrown = ones([5]);
      throw new Error("boom");
    }), /boom/);
  assert.equal(thrown!.isDisposed, true, "a throwing callback's tensors are disposed");
  // The same two scope objects serve these calls; nothing from the first calls is touched.
  for (let i = 0; i < 3; i++) {
    tidy(() => {
      ones([6]);
      tidy(() => ones([7]).add(1));
    });
  }
  assert.equal(kept!.isDisposed, false);
  assert.equal(kept!._registered, true);
  assert.equal(returned.isDisposed, false);
  assert.equal(returned._registered, true);
  assert.deepEqual(returned.tolist(), [2, 2, 2, 2]);
  assert.equal(early!.isDisposed, true);
  assert.equal(memory().liveTensors, before + 2, "only the kept and the returned tensor are alive");
  // keep() on a disposed tensor whose old scope is being reused changes nothing.
  tidy(() => {
    keep(early!);
    ones([8]);
  });
  assert.equal(early!.isDisposed, true);
  assert.equal(memory().liveTensors, before + 2);
  kept!.dispose();
  returned.dispose();
});
