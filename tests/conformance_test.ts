/**
 * Runs ../shared/conformance (PyTorch-computed outputs and gradients) against this build for
 * every family that has landed. A user's clone has no ../shared beside it: then the test is
 * reported as ignored (skipped), never failed.
 */

import assert from "node:assert/strict";

const casesDir = new URL("../../shared/conformance/", import.meta.url);
const runner = new URL("run.ts", casesDir);
const hasCases = (() => {
  try {
    Deno.statSync(new URL("cases.json", casesDir));
    return true;
  } catch {
    return false;
  }
})();

/** Families by the issue that delivered them. */
const LANDED: Record<string, string[]> = {
  "modules, containers and optimizers (issue 3)": [
    "Sequential",
    "Linear",
    "Dropout",
    "Dropout2d",
    "Dropout3d",
    "Embedding",
    "utils/clipGradNorm",
    "optim/SGD",
    "optim/Adam",
    "optim/AdamW",
    "optim/RMSprop",
    "optim/Adagrad",
    "optim/Adadelta",
    "optim/Adamax",
  ],
  "convolution, pooling and vision (issue 4)": [
    "Conv1d",
    "Conv2d",
    "Conv3d",
    "ConvTranspose1d",
    "ConvTranspose2d",
    "ConvTranspose3d",
    "MaxPool1d",
    "MaxPool2d",
    "MaxPool3d",
    "MaxUnpool1d",
    "MaxUnpool2d",
    "MaxUnpool3d",
    "AvgPool1d",
    "AvgPool2d",
    "AvgPool3d",
    "FractionalMaxPool2d",
    "LPPool2d",
    "AdaptiveMaxPool1d",
    "AdaptiveMaxPool2d",
    "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d",
    "PixelShuffle",
    "UpsamplingNearest2d",
    "UpsamplingBilinear2d",
  ],
  "activations, batch norm, losses and distances (issue 5)": [
    "ReLU",
    "ReLU6",
    "ELU",
    "PReLU",
    "LeakyReLU",
    "Threshold",
    "Hardtanh",
    "Sigmoid",
    "Tanh",
    "LogSigmoid",
    "Softplus",
    "Softshrink",
    "Softsign",
    "Tanhshrink",
    "Softmin",
    "Softmax",
    "Softmax2d",
    "LogSoftmax",
    "BatchNorm1d",
    "BatchNorm2d",
    "BatchNorm3d",
    "PairwiseDistance",
    "L1Loss",
    "MSELoss",
    "CrossEntropyLoss",
    "NLLLoss",
    "NLLLoss2d",
    "KLDivLoss",
    "BCELoss",
    "MarginRankingLoss",
    "HingeEmbeddingLoss",
    "MultiLabelMarginLoss",
    "SmoothL1Loss",
    "SoftMarginLoss",
    "MultiLabelSoftMarginLoss",
    "CosineEmbeddingLoss",
    "MultiMarginLoss",
  ],
  "recurrent layers and packed sequences (issue 6)": [
    "RNN",
    "LSTM",
    "GRU",
    "RNNCell",
    "LSTMCell",
    "GRUCell",
    "utils/packPadded",
  ],
};

interface Result {
  id: string;
  status: string;
  detail?: string;
}

async function runFamilies(families: string[]): Promise<Result[]> {
  const json = await Deno.makeTempFile({ suffix: ".json" });
  try {
    const cmd = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-ffi",
        "--allow-env",
        `--allow-write=${json}`,
        runner.pathname,
        "--lib",
        new URL("../mod.ts", import.meta.url).pathname,
        "--families",
        families.join(","),
        "--json",
        json,
      ],
      stdout: "piped",
      stderr: "piped",
    });
    const out = await cmd.output();
    const text = await Deno.readTextFile(json).catch(() => "");
    if (!text) {
      throw new Error(`conformance runner produced no results:\n${new TextDecoder().decode(out.stderr)}`);
    }
    return JSON.parse(text).results as Result[];
  } finally {
    await Deno.remove(json).catch(() => {});
  }
}

for (const [group, families] of Object.entries(LANDED)) {
  Deno.test({
    name: `conformance vs PyTorch: ${group}`,
    ignore: !hasCases,
    async fn(t) {
      const results = await runFamilies(families);
      for (const family of families) {
        await t.step(family, () => {
          const mine = results.filter((r) => r.id.startsWith(family + "/"));
          assert.ok(mine.length > 0, `no conformance cases ran for ${family}`);
          const bad = mine.filter((r) => r.status !== "pass");
          assert.deepEqual(bad.map((r) => `${r.status} ${r.id} ${r.detail ?? ""}`), []);
        });
      }
    },
  });
}
