import assert from "node:assert/strict";
import { nn, type Tensor, tensor } from "../../mod.ts";
import { assertClose, gradcheck, randomDouble } from "../util/gradcheck.ts";
import { throwsWith } from "../util/fixture_json.ts";
import { cases, checkFnCase, type FnCase } from "../util/fixture_act.ts";

const F = nn.functional;
// deno-lint-ignore no-explicit-any
const Fany = F as unknown as Record<string, (...a: any[]) => Tensor>;
const nums = (t: Tensor): number[] => Array.from(t.toArray() as Float64Array);

for (const c of cases("distance") as FnCase[]) {
  Deno.test(`distance matches PyTorch: ${c.name}`, () => {
    checkFnCase(c, (xs, args, opts) => Fany[c.fn](...xs, ...args, ...(Object.keys(opts).length ? [opts] : [])));
  });
}

Deno.test("PairwiseDistance adds eps to the difference: ||x1 - x2 + eps||_p", () => {
  const d = new nn.PairwiseDistance({ eps: 1 }).forward(tensor([[0, 0]]), tensor([[0, 0]]));
  assertClose(nums(d), [Math.SQRT2], 1e-6, 0);
  const m = new nn.PairwiseDistance(1, 0, true);
  assert.equal(m.norm, 1);
  assert.equal(m.keepdim, true);
  assert.deepEqual(m.forward(tensor([[1, -2], [0, 3]]), tensor([[0, 0], [0, 0]])).tolist(), [[3], [3]]);
  assert.deepEqual(new nn.PairwiseDistance().forward(randomDouble([3, 2], 1), randomDouble([3, 2], 2)).shape, [3]);
});

Deno.test("PairwiseDistance module equals F.pairwiseDistance for every p", () => {
  const a = randomDouble([4, 3], 3, -2, 2, false), b = randomDouble([4, 3], 4, -2, 2, false);
  for (const p of [1, 2, 3, Infinity]) {
    assertClose(nums(new nn.PairwiseDistance(p).forward(a, b)), nums(F.pairwiseDistance(a, b, p)), 0, 0, `p=${p}`);
  }
});

Deno.test("gradcheck (float64): pairwiseDistance (p 1, 2, 3) and cosineSimilarity", () => {
  for (const p of [1, 2, 3]) {
    gradcheck((a, b) => F.pairwiseDistance(a, b, { p }), [randomDouble([3, 4], 5), randomDouble([3, 4], 6)]);
  }
  gradcheck((a, b) => F.pairwiseDistance(a, b, { keepdim: true }), [randomDouble([2, 3, 4], 7), randomDouble([4], 8)]);
  gradcheck((a, b) => F.cosineSimilarity(a, b), [randomDouble([3, 4], 9), randomDouble([3, 4], 10)]);
  gradcheck((a, b) => F.cosineSimilarity(a, b, { dim: 0 }), [randomDouble([3, 4], 11), randomDouble([1, 4], 12)]);
});

Deno.test("distance errors name the call", () => {
  throwsWith(() => F.pairwiseDistance(tensor([[1, 2]]), tensor([[1, 2, 3]])), RangeError, /^pairwiseDistance: /);
  throwsWith(
    () => F.cosineSimilarity(tensor([[1, 2]]), tensor([[1, 2]]), 2),
    RangeError,
    /^cosineSimilarity: dim 2 is out of range/,
  );
  throwsWith(() => new nn.PairwiseDistance({ q: 2 } as never), TypeError, /^PairwiseDistance: unknown option "q"/);
  throwsWith(
    () => new nn.PairwiseDistance().forward(tensor([1]), null as unknown as Tensor),
    TypeError,
    /^PairwiseDistance\.forward: expected x2 to be a Tensor, got null$/,
  );
});
