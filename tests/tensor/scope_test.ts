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
