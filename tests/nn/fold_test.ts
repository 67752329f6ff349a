/**
 * Unfold / Fold (src/nn/fold.ts) against PyTorch 1.13: values and input gradients of
 * F.unfold / F.fold for every window option, batched and unbatched, zero batch and
 * non-finite values, and the calls PyTorch rejects (tests/fixtures/fold_bag/cases.json,
 * written by tools/fixtures/fold_bag.py). Plus float64 gradchecks, the adjoint identity
 * <unfold(x), y> = <x, fold(y)>, error messages, the modules and their repr.
 */
import assert from "node:assert/strict";
import { nn, ones, type Tensor, tensor, zeros } from "../../mod.ts";
import { cases, checkFnCase, type FnCase, type TensorSpec } from "../util/fixture_act.ts";
import { gradcheck, randomDouble } from "../util/gradcheck.ts";
import { throwsWith } from "../util/fixture_json.ts";

const F = nn.functional;

interface WindowCase extends FnCase {
  kind: "unfold" | "fold";
  kernelSize: nn.IntOrPair;
  outputSize: nn.IntOrPair | null;
  opts: nn.FoldOptions;
  error?: string;
}

const windowCases = (cases("fold_bag") as WindowCase[]).filter((c) => c.kind === "unfold" || c.kind === "fold");

const call = (c: WindowCase, x: Tensor): Tensor =>
  c.kind === "unfold" ? F.unfold(x, c.kernelSize, c.opts) : F.fold(x, c.outputSize!, c.kernelSize, c.opts);

for (const c of windowCases) {
  Deno.test(`${c.kind} matches PyTorch: ${c.name}`, () => {
    if (c.error !== undefined) {
      const s = c.inputs[0] as Pick<TensorSpec, "shape" | "dtype">;
      const x = zeros(s.shape, { dtype: s.dtype });
      assert.throws(
        () => call(c, x),
        (e: unknown) => (e instanceof TypeError || e instanceof RangeError) && e.message.startsWith(`${c.kind}: `),
        `PyTorch raised "${c.error}"`,
      );
      return;
    }
    checkFnCase(c, (xs) => call(c, xs[0]));
  });
}

Deno.test("the fixtures cover each op, both dtypes, unbatched input, zero batch and rejections", () => {
  for (const kind of ["unfold", "fold"]) {
    const mine = windowCases.filter((c) => c.kind === kind);
    assert.ok(mine.filter((c) => c.error === undefined).length >= 10, kind);
    assert.ok(mine.filter((c) => c.error !== undefined).length >= 10, kind);
    assert.ok(mine.some((c) => c.output?.dtype === "float32"), kind);
    assert.ok(mine.some((c) => c.output?.shape[0] === 0), kind);
  }
});

Deno.test("unfold and fold gradchecks in float64", () => {
  const opts = { dilation: [2, 1], padding: [1, 2], stride: [2, 3] };
  gradcheck((x) => F.unfold(x, [2, 3], opts), [randomDouble([2, 2, 5, 7])]);
  gradcheck((x) => F.unfold(x, 2, { padding: 1 }), [randomDouble([2, 3, 3], 2)]);
  // (5 + 2 - 2 - 1) / 2 + 1 = 3 by (7 + 4 - 2 - 1) / 3 + 1 = 3 blocks
  gradcheck((x) => F.fold(x, [5, 7], [2, 3], opts), [randomDouble([2, 12, 9], 3)]);
  gradcheck((x) => F.fold(x, 3, 2, 1, 1), [randomDouble([4, 16], 4)]);
});

Deno.test("fold is the adjoint of unfold: <unfold(x), y> = <x, fold(y)>", () => {
  const x = randomDouble([2, 3, 6, 5], 5, -1, 1, false);
  const o = { dilation: [1, 2], padding: [2, 1], stride: [2, 1] };
  const cols = F.unfold(x, [3, 2], o);
  const y = randomDouble([...cols.shape], 6, -1, 1, false);
  const lhs = cols.mul(y).sum().item();
  const rhs = x.mul(F.fold(y, [6, 5], [3, 2], o)).sum().item();
  assert.ok(Math.abs(lhs - rhs) < 1e-12, `${lhs} vs ${rhs}`);
});

Deno.test("fold(unfold(x)) is x times the number of blocks covering each position", () => {
  const x = randomDouble([1, 2, 4, 4], 7, 1, 2, false);
  const back = F.fold(F.unfold(x, 3, { padding: 1 }), 4, 3, { padding: 1 });
  const count = F.fold(F.unfold(ones([1, 1, 4, 4], { dtype: "float64" }), 3, { padding: 1 }), 4, 3, { padding: 1 });
  assert.deepEqual(count.reshape(4, 4).tolist(), [[4, 6, 6, 4], [6, 9, 9, 6], [6, 9, 9, 6], [4, 6, 6, 4]]);
  const want = x.mul(count).toArray(), got = back.toArray();
  want.forEach((v, i) => assert.ok(Math.abs(Number(v) - Number(got[i])) < 1e-12));
});

Deno.test("Unfold and Fold are the functionals with fixed arguments, positional or not, and print as PyTorch's", () => {
  const x = randomDouble([2, 3, 5, 6], 8, -1, 1, false);
  const u = new nn.Unfold([2, 3], { dilation: 1, padding: [1, 0], stride: 2 });
  assert.deepEqual(u.forward(x).tolist(), F.unfold(x, [2, 3], 1, [1, 0], 2).tolist());
  assert.deepEqual(new nn.Unfold(2, 1, 1).forward(x).tolist(), F.unfold(x, 2, { padding: 1 }).tolist());
  const cols = F.unfold(x, 2, { stride: 2, padding: 1 });
  const f = new nn.Fold([5, 6], 2, { stride: 2, padding: 1 });
  assert.deepEqual(f.forward(cols).tolist(), F.fold(cols, [5, 6], 2, 1, 1, 2).tolist());
  assert.deepEqual([...f.parameters()], []);
  assert.deepEqual(Object.keys(f.stateDict()), []);
  assert.equal(u.toString(), "Unfold(kernel_size=(2, 3), dilation=1, padding=(1, 0), stride=2)");
  assert.equal(new nn.Unfold(3).toString(), "Unfold(kernel_size=3, dilation=1, padding=0, stride=1)");
  assert.equal(f.toString(), "Fold(output_size=(5, 6), kernel_size=2, dilation=1, padding=1, stride=2)");
  // Changing a field changes the window, as in PyTorch.
  u.stride = 1;
  assert.deepEqual(u.forward(x).shape, [2, 18, 24]);
});

Deno.test("unfold and fold keep float32 and float16, and copy values exactly", () => {
  const x = tensor([[[[1, 2, 3], [4, 5, 6]]]]);
  assert.deepEqual(F.unfold(x, [2, 2]).tolist(), [[[1, 2], [2, 3], [4, 5], [5, 6]]]);
  assert.equal(F.unfold(x, 2).dtype, "float32");
  const h = F.unfold(x.half(), 2, { padding: 1 });
  assert.equal(h.dtype, "float16");
  assert.deepEqual(h.float().tolist(), F.unfold(x, 2, { padding: 1 }).tolist());
  const back = F.fold(h, [2, 3], 2, { padding: 1 });
  assert.equal(back.dtype, "float16");
  assert.deepEqual(back.float().tolist(), [[[[4, 8, 12], [16, 20, 24]]]]);
});

Deno.test("unfold, fold and the modules reject bad arguments with clear errors", () => {
  const x = zeros([1, 1, 4, 4]);
  throwsWith(
    () => F.unfold(zeros([4, 4]), 2),
    RangeError,
    /^unfold: expected a 3-d \(unbatched\) or 4-d \(batched\) input \(N, C, H, W\) with possibly 0 batch size and other non-zero dimensions, got shape \[4, 4\]$/,
  );
  throwsWith(
    () => F.unfold(x, [2, 0]),
    RangeError,
    /^unfold: kernel size should be greater than zero, but got kernel_height: 2 kernel_width: 0$/,
  );
  throwsWith(
    () => F.unfold(x, 1, { dilation: 0, padding: -1, stride: 0 }),
    RangeError,
    /^unfold: dilation should be greater than zero, but got dilation_height: 0 dilation_width: 0$/,
  );
  throwsWith(
    () => F.unfold(x, 1, { padding: [0, -2], stride: 0 }),
    RangeError,
    /^unfold: padding should be non-negative, but got pad_height: 0 pad_width: -2$/,
  );
  throwsWith(
    () => F.unfold(x, 1, { stride: [1, 0] }),
    RangeError,
    /^unfold: stride should be greater than zero, but got stride_height: 1 stride_width: 0$/,
  );
  throwsWith(
    () => F.unfold(x, [5, 2], { dilation: [1, 2] }),
    RangeError,
    /^unfold: given input with spatial size \(4, 4\), kernel_size=\(5, 2\), dilation=\(1, 2\), padding=\(0, 0\), calculated shape of the array of sliding blocks as \(0, 2\), but its components must be at least one$/,
  );
  throwsWith(
    () => F.unfold(zeros([1, 1, 4, 4], { dtype: "int64" }), 2),
    TypeError,
    /^unfold: expected a floating point input, got dtype int64$/,
  );
  throwsWith(
    () => F.unfold(x, [2, 2, 2]),
    TypeError,
    /^unfold: expected kernelSize to be an integer or an array of 2 integers, got \[2,2,2\]$/,
  );
  throwsWith(() => F.unfold(x, 1.5), TypeError, /^unfold: expected kernelSize to be an integer or an array of 2/);
  throwsWith(() => F.unfold(x, 2, { stride: "1" } as never), TypeError, /^unfold: expected stride to be an integer/);
  throwsWith(() => F.unfold(x, 2, { strides: 1 } as never), TypeError, /^unfold: unknown option "strides"/);
  throwsWith(() => F.unfold("x" as never, 2), TypeError, /^unfold: expected input to be a Tensor/);
  const c = zeros([2, 12, 12]);
  throwsWith(
    () => F.fold(zeros([1, 1, 2, 12]), [4, 5], 2),
    RangeError,
    /^fold: expected a 2-d \(unbatched\) or 3-d \(batched\) input \(N, C \* kernel_height \* kernel_width, L\) with possibly 0 batch size and other non-zero dimensions, got shape \[1, 1, 2, 12\]$/,
  );
  throwsWith(
    () => F.fold(zeros([2, 10, 12]), [4, 5], 2),
    RangeError,
    /^fold: expected size of input's dimension 1 to be divisible by the product of kernel_size, but got input.size\(1\)=10 and kernel_size=\(2, 2\)$/,
  );
  throwsWith(
    () => F.fold(zeros([2, 12, 11]), [4, 5], 2),
    RangeError,
    /^fold: given output_size=\(4, 5\), kernel_size=\(2, 2\), dilation=\(1, 1\), padding=\(0, 0\), stride=\(1, 1\), expected size of input's dimension 2 to match the calculated number of sliding blocks 3 \* 4 = 12, but got input.size\(2\)=11$/,
  );
  throwsWith(
    () => F.fold(zeros([1, 4, 1]), 0, 2),
    RangeError,
    /^fold: given output_size=\(0, 0\), .* calculated shape of the array of sliding blocks as \(-1, -1\), which is too small \(non-positive\)$/,
  );
  throwsWith(
    () => F.fold(zeros([1, 4, 1]), [0, 0], 2, { padding: 1 }),
    RangeError,
    /^fold: expected output spatial size to be positive, but got: output_size=\(0, 0\)$/,
  );
  throwsWith(
    () => F.fold(c, [4, 5], 1, { stride: 0, dilation: 0 }),
    RangeError,
    /^fold: stride should be greater than zero, but got stride_height: 0 stride_width: 0$/,
  );
  throwsWith(
    () => F.fold(c, [4], 2),
    TypeError,
    /^fold: expected outputSize to be an integer or an array of 2 integers/,
  );
  throwsWith(() => new nn.Unfold(0), RangeError, /^Unfold: kernel size should be greater than zero/);
  throwsWith(() => new nn.Unfold(2, { pading: 1 } as never), TypeError, /^Unfold: unknown option "pading"/);
  throwsWith(() => new nn.Fold([2, 2, 2], 2), TypeError, /^Fold: expected outputSize to be an integer or an array/);
  throwsWith(
    () => new (nn.Fold as new (...a: unknown[]) => nn.Fold)(4, 2, 1, 0, 1, 5),
    TypeError,
    /^Fold: takes at most 3 positional/,
  );
  throwsWith(
    () => new nn.Unfold(2).forward(zeros([0, 4, 4])),
    RangeError,
    /^Unfold\.forward: expected a 3-d \(unbatched\) or 4-d \(batched\) input/,
  );
  throwsWith(
    () => new nn.Fold(4, 2).forward(zeros([1, 4, 8])),
    RangeError,
    /^Fold\.forward: given output_size=\(4, 4\), .* sliding blocks 3 \* 3 = 9, but got input.size\(2\)=8$/,
  );
});
