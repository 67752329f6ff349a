import assert from "node:assert/strict";
import { nn, ones, type Tensor, tensor, zeros } from "../../../mod.ts";
import { assertClose } from "../../util/gradcheck.ts";
import { fixture, fromList, throwsWith } from "../../util/fixture_json.ts";

interface ClipCase {
  dtype: "float32" | "float64";
  shapes: number[][];
  maxNorm: number;
  normType: number | "inf" | "-inf";
  grads: (number[] | null)[];
  total: number;
  clipped: (number[] | null)[];
}

const decode = (p: ClipCase["normType"]) => (p === "inf" ? Infinity : p === "-inf" ? -Infinity : p);

for (const c of fixture("clip_grad", "cases").cases as ClipCase[]) {
  Deno.test(`clipGradNorm matches torch.nn.utils.clip_grad_norm_: ${c.dtype}, p=${c.normType}, max=${c.maxNorm}`, () => {
    const tol = c.dtype === "float64" ? [1e-12, 1e-10] : [1e-6, 1e-5];
    const params = c.shapes.map((s, i) => {
      const p = new nn.Parameter(zeros(s, { dtype: c.dtype }));
      if (c.grads[i]) p.grad = fromList(c.grads[i]!, s, c.dtype);
      return p;
    });
    const total = nn.utils.clipGradNorm(params, c.maxNorm, decode(c.normType));
    assert.equal(typeof total, "number");
    assert.ok(Math.abs(total - c.total) <= tol[0] + tol[1] * Math.abs(c.total), `total ${total} vs ${c.total}`);
    params.forEach((p, i) => {
      if (c.clipped[i] === null) assert.equal(p.grad, null);
      else assertClose(p.grad!.toArray() as Float32Array, c.clipped[i]!, tol[0], tol[1], `grad ${i}`);
    });
  });
}

Deno.test("clipGradNorm: PyTorch's rule coef = maxNorm / (total + 1e-6), applied only below 1", () => {
  const p = new nn.Parameter(zeros([2], { dtype: "float64" }));
  p.grad = tensor(new Float64Array([3, 4]));
  assert.equal(nn.utils.clipGradNorm([p], 1), 5);
  assertClose(p.grad.toArray() as Float64Array, [3 / (5 + 1e-6), 4 / (5 + 1e-6)], 1e-15, 0);
  // total = 5 exactly at the threshold: coef = 5 / 5.000001 < 1, so it still scales (as PyTorch).
  p.grad = tensor(new Float64Array([3, 4]));
  nn.utils.clipGradNorm(p, 5);
  assert.ok((p.grad.toArray() as Float64Array)[0] < 3);
  // Above: untouched, even the same tensor object.
  const g = tensor(new Float64Array([3, 4]));
  p.grad = g;
  assert.equal(nn.utils.clipGradNorm(p, 6, "inf"), 4);
  assert.equal(p.grad, g);
  assert.deepEqual(g.tolist(), [3, 4]);
});

Deno.test("clipGradNorm accepts a module's parameters() generator, skips params without grads, returns 0 for none", () => {
  const m = new nn.Linear(3, 2);
  assert.equal(nn.utils.clipGradNorm(m.parameters(), 1), 0);
  m.forward(ones([4, 3])).sum().backward();
  const g = [...m.parameters()].map((p) => Array.from(p.grad!.toArray() as Float32Array));
  const expected = Math.sqrt(g.flat().reduce((s, v) => s + v * v, 0));
  const total = nn.utils.clipGradNorm(m.parameters(), 0.5);
  assert.ok(Math.abs(total - expected) < 1e-5 * expected);
  const after = [...m.parameters()].flatMap((p) => Array.from(p.grad!.toArray() as Float32Array));
  assert.ok(Math.abs(Math.sqrt(after.reduce((s, v) => s + v * v, 0)) - 0.5) < 1e-5);
  assert.equal(nn.utils.clipGradNorm_, nn.utils.clipGradNorm);
});

Deno.test("clipGradNorm with a non-finite total: NaN gradients by default, an error with errorIfNonfinite", () => {
  const p = new nn.Parameter(zeros([2]));
  p.grad = tensor([Infinity, 1]);
  throwsWith(
    () => nn.utils.clipGradNorm([p], 1, 2, { errorIfNonfinite: true }),
    RangeError,
    /^clipGradNorm: the total norm of order 2 for gradients from `parameters` is non-finite/,
  );
  assert.deepEqual(p.grad.tolist(), [Infinity, 1], "nothing changed by the failed call");
  assert.equal(nn.utils.clipGradNorm([p], 1), Infinity);
  const v = p.grad!.toArray() as Float32Array;
  assert.ok(Number.isNaN(v[0]) && v[1] === 0, `${v}`);
});

Deno.test("clipGradNorm and clipGradValue validate their arguments", () => {
  const p = new nn.Parameter(zeros([1]));
  p.grad = ones([1]);
  throwsWith(
    () => nn.utils.clipGradNorm(5 as unknown as Tensor[], 1),
    TypeError,
    /^clipGradNorm: expected a Tensor or an iterable of tensors, got number 5$/,
  );
  throwsWith(
    () => nn.utils.clipGradNorm([p, 3 as unknown as Tensor], 1),
    TypeError,
    /^clipGradNorm: expected parameters\[1\] to be a Tensor, got number 3$/,
  );
  throwsWith(
    () => nn.utils.clipGradNorm([p], "1" as unknown as number),
    TypeError,
    /^clipGradNorm: expected maxNorm to be a number, got "1"$/,
  );
  throwsWith(
    () => nn.utils.clipGradNorm([p], 1, NaN),
    TypeError,
    /^clipGradNorm: expected normType to be a number or Infinity, got number NaN$/,
  );
  throwsWith(
    () => nn.utils.clipGradValue([p], NaN),
    TypeError,
    /^clipGradValue: expected clipValue to be a number, got number NaN$/,
  );
});

Deno.test("clipGradValue clamps every gradient into [-clipValue, clipValue] in place", () => {
  const a = new nn.Parameter(zeros([3])), b = new nn.Parameter(zeros([2]));
  a.grad = tensor([3, -0.5, -7]);
  b.grad = tensor([0.2, 1.5]);
  const ga = a.grad;
  nn.utils.clipGradValue([a, b], 1);
  assert.equal(a.grad, ga);
  assert.deepEqual(a.grad.tolist(), [1, -0.5, -1]);
  assertClose(b.grad!.toArray() as Float32Array, [0.2, 1], 1e-7, 0);
});
