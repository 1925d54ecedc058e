#!/usr/bin/env node
// The vault command. The everyday commands (those src/cli/table.ts marks hot: export, run,
// get, unlock, lock, list, hook) run from dist/cli/hot.cjs, compiled with a V8 code cache kept beside it: compiling the bundle
// is a large part of a start-up that is paid many times a day. Anything else, and those
// commands written in a way the fast parser does not take, loads the full CLI
// (dist/cli/main.js). This file is CommonJS (bin/package.json) so that it starts without
// Node's ES module loader.
"use strict";
const { readFileSync, renameSync, rmSync, statSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");

const argv = process.argv.slice(2);

/**
 * The words that name a hot command (src/cli/table.ts), as the build wrote them; none without
 * a build, which leaves everything to the full CLI.
 */
function hotNames() {
  try {
    return new Set(JSON.parse(readFileSync(join(__dirname, "..", "dist", "cli", "hot-names.json"), "utf8")));
  } catch {
    return new Set();
  }
}

/** The exports of dist/cli/hot.cjs, or undefined if there is none (the full CLI then runs). */
function loadHot() {
  const dir = join(__dirname, "..", "dist", "cli");
  const file = join(dir, "hot.cjs");
  let source;
  let stamp;
  try {
    source = readFileSync(file, "utf8");
    const st = statSync(file);
    stamp = `${st.size}-${Math.trunc(st.mtimeMs)}`;
  } catch {
    return undefined;
  }
  const vm = require("node:vm");
  const { createRequire } = require("node:module");
  // The cache is named after the bundle (the content hash on its first line, and its size
  // and time, so that an edit of the file by hand is not run with code compiled from the old
  // text) and the Node version: a cache never meets code or a V8 it was not made from. V8
  // still checks it and compiles from source if it does not fit (other V8 flags, say).
  const id = /^\/\/ envvault-hot ([0-9a-f]+)\n/.exec(source)?.[1];
  const useCache = id !== undefined && process.env.ENVVAULT_CODE_CACHE !== "0";
  const cacheFile = join(dir, `hot-${id}-${stamp}-${process.version}-${process.arch}.v8cache`);
  let cachedData;
  if (useCache) {
    try {
      cachedData = readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
  }
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new vm.Script(wrapped, { filename: file, ...(cachedData === undefined ? {} : { cachedData }) });
  // A cache V8 rejects although this process runs with no V8 options of its own is damaged
  // or foreign: it is replaced too.
  const replace = cachedData === undefined || (script.cachedDataRejected === true && process.execArgv.length === 0 && !process.env.NODE_OPTIONS);
  if (useCache && replace) {
    // Made at exit, so that it also holds the functions this run compiled lazily. Best
    // effort: an install directory we may not write to just stays without a cache.
    process.once("exit", () => {
      const temp = `${cacheFile}.${process.pid}.tmp`;
      try {
        writeFileSync(temp, script.createCachedData());
        renameSync(temp, cacheFile);
      } catch {
        rmSync(temp, { force: true });
      }
    });
  }
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, dir);
  return module.exports;
}

if (require.main === module) {
  // A command line without any of their names cannot be one of the hot commands: it skips
  // the bundle (the fast parser in it decides for the others).
  const hot = hotNames();
  const fast = argv.some((a) => hot.has(a)) ? loadHot()?.runFast(argv) : undefined;
  (fast ?? import("../dist/cli/main.js").then((main) => main.run(argv))).then((code) => {
    process.exitCode = code;
  });
} else {
  // scripts/train-hot.cjs runs several hot commands in one process, so that the cache it
  // leaves at exit holds the code of all of them.
  module.exports = { loadHot };
}
