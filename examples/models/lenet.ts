/**
 * LeNet-5 as the benchmark (../shared/bench/torch_bench.py) and the MNIST demo use it: two
 * conv+relu+pool stages and three fully connected layers, for [N, 1, 28, 28] inputs. One
 * definition so the demo trains exactly the network the benchmark times.
 *
 * @module
 */

import { nn, type Tensor } from "../../mod.ts";

const F = nn.functional;

/** LeNet-5: conv(1→6, 5, pad 2) → pool → conv(6→16, 5) → pool → 400 → 120 → 84 → 10 logits. */
export class LeNet extends nn.Module {
  conv1 = new nn.Conv2d(1, 6, 5, { padding: 2 });
  conv2 = new nn.Conv2d(6, 16, 5);
  fc1 = new nn.Linear(16 * 5 * 5, 120);
  fc2 = new nn.Linear(120, 84);
  fc3 = new nn.Linear(84, 10);

  /** Logits [N, 10] of a batch [N, 1, 28, 28]. */
  override forward(x: Tensor): Tensor {
    x = F.maxPool2d(F.relu(this.conv1.forward(x)), 2);
    x = F.maxPool2d(F.relu(this.conv2.forward(x)), 2);
    x = x.view(x.size(0), -1);
    return this.fc3.forward(F.relu(this.fc2.forward(F.relu(this.fc1.forward(x)))));
  }
}
