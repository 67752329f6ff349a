/**
 * The seed's first example, written the denotorch way: a Module whose submodules register by
 * being assigned to fields, a forward pass, a training step, and a save/load round trip of its
 * state dict through a safetensors file (the format `safetensors.torch` reads and writes).
 *
 *   deno run --allow-read --allow-ffi --allow-env --allow-write examples/seed_model.ts
 *
 * The PyTorch original:
 *
 *   class Model(nn.Module):
 *       def __init__(self):
 *           super(Model, self).__init__()
 *           self.conv1 = nn.Conv2d(1, 20, 5)  # submodule: Conv2d
 *           self.conv2 = nn.Conv2d(20, 20, 5)
 *       def forward(self, x):
 *           x = F.relu(self.conv1(x))
 *           return F.relu(self.conv2(x))
 *
 * @module
 */

import { load, manualSeed, nn, noGrad, optim, randn, save, type Tensor } from "../mod.ts";

const F = nn.functional;

class Model extends nn.Module {
  conv1 = new nn.Conv2d(1, 20, 5); // submodule: Conv2d
  conv2 = new nn.Conv2d(20, 20, 5);

  override forward(x: Tensor): Tensor {
    x = F.relu(this.conv1.forward(x));
    return F.relu(this.conv2.forward(x));
  }
}

manualSeed(0);
const model = new Model();
console.log(model.toString());
console.log("state dict keys:", Object.keys(model.stateDict()));
console.log("parameters:", [...model.parameters()].reduce((n, p) => n + p.numel(), 0));

// One training step: calling forward runs the module's hooks, like model(x) in PyTorch.
const x = randn([4, 1, 28, 28]);
const opt = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
opt.zeroGrad();
const y = model.forward(x);
console.log("output shape:", y.shape);
const loss = y.square().mean();
loss.backward();
opt.step();
console.log("loss:", loss.item().toFixed(6));

// Save the state dict, load it into a fresh model, and check both compute the same thing.
const path = Deno.makeTempFileSync({ suffix: ".safetensors" });
try {
  save(model.stateDict(), path);
  const restored = new Model();
  restored.loadStateDict(load(path));
  const [a, b] = noGrad(() => [model.forward(x), restored.forward(x)]);
  const diff = a.sub(b).abs().max().item();
  console.log(`saved to ${path}; reloaded model differs by ${diff}`);
  if (diff !== 0) throw new Error("the reloaded model does not match");
} finally {
  Deno.removeSync(path);
}
