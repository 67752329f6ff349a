/**
 * The README's API tour is real code: extract it, point it at this checkout's mod.ts, and
 * run it in a child process.
 */

import assert from "node:assert/strict";

Deno.test("README: the API tour runs as written", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const match = readme.match(/## A tour of the API\n\n```ts\n([\s\S]*?)```/);
  assert.ok(match, "README.md has a '## A tour of the API' section with a ts code block");
  const mod = new URL("../mod.ts", import.meta.url).href;
  const code = match[1].replaceAll('"./mod.ts"', JSON.stringify(mod)) + "\nconsole.log(`loss ${loss}`);\n";
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    await Deno.writeTextFile(file, code);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", "--allow-ffi", "--allow-env", file],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const loss = Number(stdout.match(/loss (\S+)/)?.[1]);
    assert.ok(Number.isFinite(loss) && loss > 0, `expected a positive finite loss, got ${stdout}`);
  } finally {
    await Deno.remove(file);
  }
});
