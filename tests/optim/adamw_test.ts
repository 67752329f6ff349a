import assert from "node:assert/strict";
import { optim, tensor } from "../../mod.ts";
import { fixtureSuite, throwsWith } from "./helpers.ts";

fixtureSuite("AdamW", optim.AdamW, "adamw", ["adamw/wd_amsgrad/float32", "adamw/groups_skip/float64"]);

Deno.test("AdamW validates its options with PyTorch's messages", () => {
  const p = [tensor([1, 2], { requiresGrad: true })];
  throwsWith(() => new optim.AdamW(p, { lr: -0.1 }), RangeError, /^AdamW: Invalid learning rate: -0\.1$/);
  throwsWith(() => new optim.AdamW(p, { eps: -1 }), RangeError, /Invalid epsilon value: -1/);
  throwsWith(() => new optim.AdamW(p, { betas: [0.9, 1] }), RangeError, /Invalid beta parameter at index 1: 1/);
  throwsWith(() => new optim.AdamW(p, { weightDecay: -1 }), RangeError, /Invalid weight_decay value: -1/);
  assert.equal(new optim.AdamW(p).defaults.weightDecay, 1e-2); // decoupled decay is on by default
});
