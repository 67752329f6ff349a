/**
 * Gradients where an op is not differentiable (ties, zeros, bounds, NaN, 0 * inf), against
 * PyTorch 1.13's choices (tests/fixtures/tensor/grads.json, written by
 * tools/fixtures/tensor_ops.py). Finite differences cannot check these; each function here has
 * the same name and meaning as in the script.
 */
import assert from "node:assert/strict";
import { maximum, minimum, type Tensor, tensor, where, zeros } from "../../mod.ts";

const fixture = JSON.parse(
  Deno.readTextFileSync(new URL("../fixtures/tensor/grads.json", import.meta.url)),
) as { torch: string; cases: Record<string, { inputs: (number | string)[][]; grads: (number | string)[][] }> };

const num = (
  v: number | string,
) => (v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : v as number);
const I = Infinity;

const functions: Record<string, (...x: Tensor[]) => Tensor> = {
  "norm inf ties": (x) => x.norm(I),
  "norm -inf": (x) => x.norm(-I),
  "norm 2 of zeros": (x) => x.norm(),
  "norm 1 at zero": (x) => x.norm(1),
  "norm 3 of zeros": (x) => x.norm(3),
  "norm 0.5": (x) => x.norm(0.5),
  "max all ties": (x) => x.max(),
  "min dim ties": (x) => x.min(0)[0],
  "max dim NaN": (x) => x.max(0)[0],
  "maximum ties": (x, y) => maximum(x, y),
  "minimum ties": (x, y) => minimum(x, y),
  "clamp at the bounds": (x) => x.clamp(0, 1),
  "clamp NaN": (x) => x.clamp(0, 1),
  "abs at zero": (x) => x.abs(),
  "relu at zero": (x) => x.relu(),
  "sqrt at zero": (x) => x.sqrt(),
  "log at zero": (x) => x.log(),
  "std of a constant": (x) => x.std(),
  "std dim with a constant row": (x) => x.reshape(2, 2).std(1),
  "atan2 at the origin": (x, y) => x.atan2(y),
  "pow 0^0.5": (x) => x.pow(0.5),
  "pow x^0": (x) => x.pow(0),
  "pow tensor^tensor at a zero base": (x, y) => x.pow(y),
  "logsumexp with -inf": (x) => x.logsumexp(0),
  "sign/round/floor give zero": (x) => x.sign().add(x.round()).add(x.floor()),
  "remainder by scalar": (x) => x.remainder(2),
  "division by zero": (x, y) => x.div(y),
  "prod with zeros": (x) => x.prod(),
  "where with NaN in the other branch": (x) => where(x.gt(0), x, zeros([1], { dtype: "float64" })),
};

Deno.test("every fixture case has a function here", () => {
  assert.deepEqual(Object.keys(fixture.cases).sort(), Object.keys(functions).sort());
});

for (const [name, c] of Object.entries(fixture.cases)) {
  Deno.test(`gradient convention vs PyTorch ${fixture.torch}: ${name}`, () => {
    const xs = c.inputs.map((v) => tensor(Float64Array.from(v.map(num)), { requiresGrad: true }));
    functions[name](...xs).sum().backward();
    xs.forEach((x, i) => {
      const got = Array.from(x.grad!.toArray() as Float64Array);
      const want = c.grads[i].map(num);
      want.forEach((w, k) => {
        if (Number.isNaN(w)) assert.ok(Number.isNaN(got[k]), `input ${i} element ${k}: ${got[k]}, expected NaN`);
        else {assert.ok(
            got[k] === w || Math.abs(got[k] - w) <= 1e-12 * Math.abs(w),
            `input ${i} element ${k}: ${got[k]}, expected ${w}`,
          );}
      });
    });
  });
}
