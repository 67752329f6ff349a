/**
 * The seven benchmark workloads of ../shared/bench/WORKLOADS.md, written against the public
 * API exactly as ../shared/bench/torch_bench.py writes them in PyTorch.
 *
 * @module
 */

import { nn, noGrad, optim, randint, randn, type Tensor, tidy } from "../mod.ts";
import { LeNet } from "../examples/models/lenet.ts";

const F = nn.functional;

/** One timed iteration (already set up), and its timing parameters. */
export interface Workload {
  step: () => void;
  iters: number;
}

function trainStep(model: nn.Module, x: Tensor, y: Tensor, opt: optim.Optimizer): () => void {
  return () =>
    tidy(() => {
      opt.zeroGrad();
      const loss = F.crossEntropy(model.forward(x), y);
      loss.backward();
      opt.step();
    });
}

/** Builds each workload; construction is not timed. */
export const WORKLOADS: Record<string, () => Workload> = {
  mlp_train() {
    const m = new nn.Sequential(
      new nn.Linear(784, 512),
      new nn.ReLU(),
      new nn.Linear(512, 256),
      new nn.ReLU(),
      new nn.Linear(256, 10),
    );
    const x = randn([128, 784]), y = randint(0, 10, [128]);
    return { step: trainStep(m, x, y, new optim.SGD(m.parameters(), { lr: 0.01, momentum: 0.9 })), iters: 20 };
  },
  lenet_train() {
    const m = new LeNet();
    const x = randn([64, 1, 28, 28]), y = randint(0, 10, [64]);
    return { step: trainStep(m, x, y, new optim.SGD(m.parameters(), { lr: 0.01, momentum: 0.9 })), iters: 10 };
  },
  conv_block_fwd_bwd() {
    const m = new nn.Sequential(new nn.Conv2d(64, 64, 3, { padding: 1 }), new nn.BatchNorm2d(64), new nn.ReLU());
    const x = randn([32, 64, 32, 32], { requiresGrad: true });
    const g = randn([32, 64, 32, 32]);
    return {
      step: () =>
        tidy(() => {
          m.zeroGrad();
          m.forward(x).backward(g);
          x.grad = null;
        }),
      iters: 3,
    };
  },
  lstm_fwd_bwd() {
    const m = new nn.LSTM(128, 256, 1);
    const x = randn([50, 32, 128], { requiresGrad: true });
    return {
      step: () =>
        tidy(() => {
          m.zeroGrad();
          const [out] = m.forward(x);
          out.sum().backward();
          x.grad = null;
        }),
      iters: 3,
    };
  },
  gemm_1024() {
    const a = randn([1024, 1024]), b = randn([1024, 1024]);
    return { step: () => tidy(() => void a.matmul(b)), iters: 5 };
  },
  small_ops_1000() {
    const a = randn([16]), b = randn([16]);
    return {
      step: () =>
        tidy(() => {
          let c = a;
          for (let i = 0; i < 1000; i++) c = c.add(b);
        }),
      iters: 5,
    };
  },
  cnn_infer() {
    const m = new nn.Sequential(
      new nn.Conv2d(3, 32, 3, { padding: 1 }),
      new nn.BatchNorm2d(32),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Conv2d(32, 64, 3, { padding: 1 }),
      new nn.BatchNorm2d(64),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Conv2d(64, 128, 3, { padding: 1 }),
      new nn.BatchNorm2d(128),
      new nn.ReLU(),
      new nn.AdaptiveAvgPool2d(1),
      new nn.Flatten(),
      new nn.Linear(128, 10),
    ).eval();
    const x = randn([64, 3, 32, 32]);
    return { step: () => tidy(() => void noGrad(() => m.forward(x))), iters: 3 };
  },
};
