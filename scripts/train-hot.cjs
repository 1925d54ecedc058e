// Makes the V8 code cache of dist/cli/hot.cjs at build time (scripts/build.mjs runs it in a
// throwaway vault, as that vault's owner): it loads the bundle through bin/vault.js and runs
// the hot commands one after the other in this one process, so that the cache bin/vault.js
// writes at exit holds the code of all of them, not only of whichever command a user runs
// first. Output is the caller's to discard; a failing command fails the build.
"use strict";
const { loadHot } = require("../bin/vault.js");

const COMMANDS = [
  ["export", "--format", "json"],
  ["export"],
  ["list"],
  ["get", "TRAINING_KEY"],
  ["unlock"],
  ["unlock"],
  ["lock"],
  ["run", "--", process.execPath, "-e", "0"],
  ["hook", "pre-commit"],
];

async function main() {
  const hot = loadHot();
  if (hot === undefined) throw new Error("dist/cli/hot.cjs is missing");
  // The bundle's modules are those of the hot commands of src/cli/table.ts: a command left
  // out here would start without its code in the cache.
  const untrained = Object.keys(hot.hotModules).filter((name) => !COMMANDS.some((argv) => argv[0] === name));
  if (untrained.length > 0) throw new Error(`no training line runs ${untrained.join(", ")}: add one to COMMANDS`);
  for (const argv of COMMANDS) {
    const run = hot.runFast(argv);
    if (run === undefined) throw new Error(`the fast path declined \`vault ${argv.join(" ")}\``);
    const code = await run;
    if (code !== 0) throw new Error(`\`vault ${argv.join(" ")}\` exited with ${code}`);
  }
}

main().catch((e) => {
  process.stderr.write(`train-hot: ${e.message}\n`);
  process.exitCode = 1;
});
