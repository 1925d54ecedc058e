// Builds the library (tsc: JavaScript and declarations) and the CLI (one esbuild ESM bundle
// whose heavy modules are split into chunks loaded only by the commands that need them).
// age-encryption (typage) is reached only through a dynamic import (src/crypto/age.ts), so
// it is loaded by the commands that decrypt or encrypt, after their arguments are checked.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { build } from "esbuild";

const require = createRequire(import.meta.url);
// Built beside dist/ and swapped in at the end, so a test running the CLI meanwhile never
// finds dist/ missing or half written.
const out = `.dist-${process.pid}`;
rmSync(out, { recursive: true, force: true });

const tsc = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json", "--outDir", `${out}/lib`], { stdio: "inherit" });
if (tsc.status !== 0) {
  rmSync(out, { recursive: true, force: true });
  process.exit(tsc.status ?? 1);
}

// The tag of the YAML cache (src/store/yamlcache.ts): a hash of everything that decides
// whether vault.yaml and roster.yaml are valid (the schemas, src/model/, the loader), so a
// build that validates differently never trusts data a previous build validated.
const filesUnder = (dir) => readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name));
const tagged = [...filesUnder("schema"), ...filesUnder("src/model"), "src/crypto/bech32.ts", "src/store/vault.ts", "src/store/yamlcache.ts"].sort();
const tagHash = createHash("sha256");
for (const f of tagged) tagHash.update(`${f}\0`).update(readFileSync(f)).update("\0");
const yamlCacheTag = tagHash.digest("hex").slice(0, 16);

// node:child_process costs ≈ 2.5 ms to load, and with the hot code in one chunk its static
// import would be paid by every hot command, though only `run`, `edit` and the git helpers
// spawn anything. The bundle gets this stand-in instead, which loads the real module on the
// first call. Only the functions listed exist: importing another name fails the build.
const lazyChildProcess = {
  name: "envvault-lazy-child-process",
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.kind === "require-call" ? { path: "node:child_process", external: true } : { path: "child_process", namespace: "envvault-lazy" },
    );
    b.onLoad({ filter: /.*/, namespace: "envvault-lazy" }, () => ({
      contents: [
        "let real;",
        "const load = () => (real ??= require('node:child_process'));",
        ...["spawn", "spawnSync", "execFileSync"].map((f) => `export function ${f}(...args) { return load().${f}(...args); }`),
      ].join("\n"),
      loader: "js",
    }));
  },
};

// envvault accepts only X25519 recipients (the `age` CLI of the stable distributions reads
// no other kind), so the CLI bundle replaces age-encryption's post-quantum and P-256 code
// with stubs that refuse to run: ≈ 140 KB less to compile. typage uses them only inside the
// hybrid and tag recipient classes, which envvault never constructs. The same goes for code
// typage carries that envvault never reaches (≈ 65 KB of the 153 KB left, and the curve
// tables @noble/curves builds when its module is evaluated, on every decrypting command):
// - @noble/curves/ed25519.js: typage's pure-JS X25519, a fallback for runtimes whose
//   WebCrypto lacks X25519; Node ≥ 20.19 has it, so only the base point constant is kept;
// - @noble/hashes/scrypt.js: passphrase-encrypted files (scrypt recipients);
// - typage's webauthn.js (and its cbor.js): passkey recipients, exported as `webauthn`.
const unsupportedCurves = {
  name: "envvault-unsupported-age-recipients",
  setup(b) {
    const stubs = {
      "@noble/post-quantum/hybrid.js": "export const MLKEM768P256 = stub, MLKEM768X25519 = stub;",
      "@noble/curves/nist.js": "export const p256 = stub;",
      "@noble/curves/ed25519.js": "const GuBytes = new Uint8Array(32); GuBytes[0] = 9; export const x25519 = { GuBytes, scalarMult: refuse, scalarMultBase: refuse };",
      "@noble/hashes/scrypt.js": "export const scrypt = refuse;",
      "./webauthn.js": "export {};",
    };
    b.onResolve({ filter: /^(@noble\/(post-quantum\/hybrid|curves\/nist|curves\/ed25519|hashes\/scrypt)|\.\/webauthn)\.js$/ }, (args) => {
      if (args.path === "./webauthn.js" && !/[\\/]age-encryption[\\/]/.test(args.importer)) return undefined;
      return { path: args.path, namespace: "envvault-stub" };
    });
    b.onLoad({ filter: /.*/, namespace: "envvault-stub" }, (args) => ({
      contents: [
        "const refuse = () => { throw new Error('this kind of age recipient or identity is not supported by envvault (X25519 only, through WebCrypto)'); };",
        "const stub = new Proxy({}, { get: refuse });",
        stubs[args.path],
      ].join("\n"),
      loader: "js",
    }));
  },
};

// The commands that run many times a day (their code is "hot"), from the command table as tsc
// compiled it (src/cli/table.ts); each is implemented by src/cli/commands/NAME.ts. The words
// that name them go to dist/cli/hot-names.json, for bin/vault.js: it tells a hot command line
// from the others without loading any of our code.
const { COMMANDS } = await import(resolve(`${out}/lib/src/cli/table.js`));
const hotCommands = COMMANDS.filter((c) => c.hot === true);
const HOT_COMMANDS = hotCommands.map((c) => c.name);
const hotWords = hotCommands.flatMap((c) => [c.name, ...(c.aliases ?? [])]);
const hotFile = (name) => `src/cli/commands/${name}.ts`;
{
  const missing = HOT_COMMANDS.filter((name) => !existsSync(hotFile(name)));
  if (missing.length > 0) {
    rmSync(out, { recursive: true, force: true });
    console.error(`build: src/cli/table.ts marks ${missing.join(", ")} hot, but there is no ${missing.map(hotFile).join(", ")}`);
    process.exit(1);
  }
}

const options = {
  plugins: [lazyChildProcess, unsupportedCurves],
  define: { ENVVAULT_YAML_CACHE_TAG: JSON.stringify(yamlCacheTag) },
  metafile: true,
  entryPoints: { main: "src/cli/main.ts" },
  outdir: `${out}/cli`,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  minify: false,
  sourcemap: false,
  legalComments: "none",
  // yaml's CommonJS build requires modules dynamically; give the bundle a require().
  banner: { js: "import { createRequire as __envvaultRequire } from 'node:module'; const require = __envvaultRequire(import.meta.url);" },
  logLevel: "warning",
};

// One chunk for the hot code. esbuild puts each module in a chunk by the set of entry points
// (main and every dynamic import) that reach it statically, so the modules the hot commands
// share with the ~40 other commands would end up in ~20 small chunks, and Node pays ≈ 0.4 ms
// to resolve, load and link each one (measured: 21 modules on the path of `vault export`).
// The hot code is the static closure of the hot commands, less what main.ts reaches itself
// (that stays with main), found by a first pass. Every entry point that reaches into it is
// made to reach all of it, through an import of "envvault-hot-code" (which imports every hot
// command): esbuild then emits it as one chunk, and `vault export` loads five modules
// (main.js, two small shared chunks, that chunk and its own small entry) instead of 21.
// - An entry point outside the hot code gets the import prepended to its source. The hot code
//   never imports it back (it is not in the closure), so this makes no import cycle.
// - An entry point inside the hot code (a hot command, or a hot module imported dynamically so
//   that hot.cjs evaluates it only when needed) is reached through a stand-in instead, which
//   imports "envvault-hot-code" and re-exports the module: giving the module itself the import
//   would make a cycle through it, and a top level run before what it imports.
// No other module is touched, and a check below fails the build on an import cycle.
const first = await build({ ...options, write: false });
const inputs = first.metafile.inputs;
const staticInputs = (starts) => {
  const seen = new Set();
  const visit = (input) => {
    if (seen.has(input)) return;
    seen.add(input);
    for (const i of inputs[input]?.imports ?? []) if (i.kind === "import-statement" && !i.external) visit(i.path);
  };
  for (const start of starts) visit(start);
  return seen;
};
const mainInputs = staticInputs(["src/cli/main.ts"]);
const hotCode = new Set([...staticInputs(HOT_COMMANDS.map(hotFile))].filter((input) => !mainInputs.has(input)));
const dynamicTargets = new Set(Object.values(inputs).flatMap((i) => i.imports.filter((x) => x.kind === "dynamic-import" && !x.external).map((x) => x.path)));
const coldEntries = new Set(
  [...dynamicTargets].filter((e) => e.startsWith("src/") && !hotCode.has(e) && !mainInputs.has(e) && [...staticInputs([e])].some((input) => hotCode.has(input))),
);
const hotEntries = new Set([...dynamicTargets].filter((e) => hotCode.has(e)));
const HOT_ENTRY = "envvault-hot-code";
const repoPath = (abs) => abs.slice(resolve(".").length + 1).split("\\").join("/");
const hotChunk = {
  name: "envvault-hot-chunk",
  setup(b) {
    b.onResolve({ filter: new RegExp(`^${HOT_ENTRY}$`) }, () => ({ path: HOT_ENTRY, namespace: HOT_ENTRY }));
    b.onLoad({ filter: /.*/, namespace: HOT_ENTRY }, () => ({
      contents: HOT_COMMANDS.map((c) => `import ${JSON.stringify(resolve(hotFile(c)))};`).join("\n"),
      loader: "js",
      resolveDir: resolve("src/cli"),
    }));
    b.onResolve({ filter: /.*/ }, async (args) => {
      if (args.kind !== "dynamic-import" || args.pluginData?.standIn === true) return undefined;
      const real = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: { standIn: true } });
      if (real.errors.length > 0 || real.external || !hotEntries.has(repoPath(real.path))) return undefined;
      return { path: real.path, namespace: "envvault-hot-entry" };
    });
    b.onLoad({ filter: /.*/, namespace: "envvault-hot-entry" }, (args) => ({
      contents: `import "${HOT_ENTRY}";\nexport * from ${JSON.stringify(args.path)};`,
      loader: "js",
      resolveDir: dirname(args.path),
    }));
    b.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, (args) => {
      if (!coldEntries.has(repoPath(args.path))) return undefined;
      return { contents: `import "${HOT_ENTRY}";\n${readFileSync(args.path, "utf8")}`, loader: "ts", resolveDir: dirname(args.path) };
    });
  },
};
const result = await build({ ...options, plugins: [...options.plugins, hotChunk] });

// The commands that run many times a day must not load the YAML parser, yargs or
// age-encryption (nor what they import) at start-up, and must find their code in a handful of
// modules: check the static import graph of each from the entry point. YAML is reached only
// through dynamic imports (a YAML-cache miss, an edit, YAML import/export), age-encryption
// through src/crypto/age.ts's dynamic import, when there is something to decrypt.
{
  const outputs = result.metafile.outputs;
  const staticClosure = (start) => {
    const seen = new Set();
    const visit = (path) => {
      if (seen.has(path)) return;
      seen.add(path);
      for (const i of outputs[path]?.imports ?? []) if (i.kind === "import-statement" && !i.external) visit(i.path);
    };
    visit(start);
    return seen;
  };
  const outputOf = (input) => Object.keys(outputs).find((o) => Object.hasOwn(outputs[o].inputs, input));
  const main = outputOf("src/cli/main.ts");
  const heavy = [/node_modules\/yaml\//, /node_modules\/age-encryption\//, /node_modules\/@noble\//, /node_modules\/yargs/];
  const problems = [];
  for (const command of HOT_COMMANDS) {
    const chunk = outputOf(hotFile(command));
    if (chunk === undefined) {
      problems.push(`no chunk holds ${hotFile(command)}`);
      continue;
    }
    const loaded = new Set([...staticClosure(main), ...staticClosure(chunk)]);
    for (const out of loaded) {
      const bad = Object.keys(outputs[out].inputs).find((input) => heavy.some((re) => re.test(input)));
      if (bad !== undefined) problems.push(`\`vault ${command}\` loads ${bad} at start-up (through ${out})`);
    }
    if (loaded.size > 5) {
      const what = [...loaded].map((o) => `${o.split("/").pop()} (${Object.keys(outputs[o].inputs).slice(0, 4).join(" ") || "runtime"})`);
      problems.push(`\`vault ${command}\` loads ${loaded.size} modules at start-up: ${what.join(", ")}; the hot chunk should hold them`);
    }
  }
  // `vault --help` and the commands that are not hot load no hot code before they need it.
  for (const o of staticClosure(main)) {
    const held = Object.keys(outputs[o].inputs).find((input) => hotCode.has(input));
    if (held !== undefined) problems.push(`src/cli/main.ts loads the hot code (${held}, in ${o}) at start-up`);
  }
  // No import cycle through our modules (src/ has none; this catches one the build would
  // make): in a cycle, some module's top level runs before a module it imports.
  const ours = (input) => !input.includes("node_modules/");
  const state = new Map();
  const visit = (input, trail) => {
    if (state.get(input) === "done") return;
    if (state.get(input) === "open") {
      problems.push(`import cycle: ${[...trail.slice(trail.indexOf(input)), input].join(" → ")}`);
      return;
    }
    state.set(input, "open");
    for (const i of result.metafile.inputs[input]?.imports ?? []) if (i.kind === "import-statement" && !i.external && ours(i.path)) visit(i.path, [...trail, input]);
    state.set(input, "done");
  };
  for (const input of Object.keys(result.metafile.inputs).filter(ours)) visit(input, []);
  if (problems.length > 0) {
    rmSync(out, { recursive: true, force: true });
    console.error(`build: ${problems.join("\nbuild: ")}`);
    process.exit(1);
  }
}

// Packages the hot bundle leaves out, to be loaded with require() from node_modules when
// first used (an external dynamic import would stay a real import() in a CommonJS bundle).
// The hot commands rarely need them, and every start would read them: isomorphic-git
// (≈ 600 KB) serves `unlock --at` and some hook paths, yaml (≈ 250 KB) a YAML-cache miss.
const requiredAtRuntime = (names) => ({
  name: "envvault-required-at-runtime",
  setup(b) {
    const filter = new RegExp(`^(${names.join("|")})$`);
    b.onResolve({ filter }, (args) => (args.kind === "require-call" ? { path: args.path, external: true } : { path: args.path, namespace: "envvault-required" }));
    b.onLoad({ filter: /.*/, namespace: "envvault-required" }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: "js" }));
  },
});

// The hot bundle, dist/cli/hot.cjs: the hot commands and what they reach (age-encryption
// included, initialised only when used), in one CommonJS file that bin/vault.js
// compiles with a V8 code cache (Node 20 has no compile cache for ES modules). Its first
// line names its content hash, which names the cache. It must not reach yargs (the commands
// that need it are not hot) nor keep a real `import()` (bin/vault.js runs it as a script,
// which has no module loader).
{
  const hotResult = await build({
    ...options,
    entryPoints: ["src/cli/hot.ts"],
    outdir: undefined,
    outfile: `${out}/cli/hot.cjs`,
    splitting: false,
    format: "cjs",
    write: false,
    plugins: [...options.plugins, requiredAtRuntime(["isomorphic-git", "yaml"])],
    define: { ...options.define, "import.meta.url": "__envvaultModuleUrl" },
    banner: { js: "\"use strict\";\nconst __envvaultModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  });
  const problems = [];
  for (const [path, o] of Object.entries(hotResult.metafile.outputs)) {
    for (const input of Object.keys(o.inputs)) if (/node_modules\/yargs/.test(input)) problems.push(`the hot bundle holds ${input}`);
    for (const i of o.imports) if (i.kind === "dynamic-import") problems.push(`the hot bundle keeps import(${JSON.stringify(i.path)}) in ${path}`);
  }
  if (problems.length > 0) {
    rmSync(out, { recursive: true, force: true });
    console.error(`build: ${problems.join("\nbuild: ")}`);
    process.exit(1);
  }
  const text = hotResult.outputFiles[0].text;
  writeFileSync(`${out}/cli/hot.cjs`, `// envvault-hot ${createHash("sha256").update(text).digest("hex").slice(0, 16)}\n${text}`);
  writeFileSync(`${out}/cli/hot-names.json`, `${JSON.stringify(hotWords)}\n`);
}

const old = `.dist-old-${process.pid}`;
if (existsSync("dist")) renameSync("dist", old);
renameSync(out, "dist");
rmSync(old, { recursive: true, force: true });

// The hot bundle's code cache, made now for this Node (bin/vault.js makes one on first use
// otherwise, holding only that command's code): scripts/train-hot.cjs runs every hot
// command in a throwaway vault. ≈ 1 s.
{
  const tmp = mkdtempSync(join(tmpdir(), "envvault-train-"));
  const env = { PATH: process.env.PATH, HOME: join(tmp, "home"), LANG: "C.UTF-8", NO_COLOR: "1", CI: "1", GIT_CONFIG_NOSYSTEM: "1", ENVVAULT_CODE_CACHE: "0" };
  const repo = join(tmp, "repo");
  const step = (file, args, opts = {}) => {
    const r = spawnSync(file, args, { cwd: repo, env: { ...env, ...opts.env }, input: opts.input ?? "", encoding: "utf8" });
    if (r.status !== 0) throw new Error(`\`${[file === process.execPath ? "node" : file, ...args].join(" ")}\` failed (exit ${r.status ?? r.signal})\n${r.stderr}`);
  };
  try {
    mkdirSync(repo, { recursive: true });
    step("git", ["init", "-q"]);
    step(process.execPath, [resolve("bin/vault.js"), "init", "--yes", "--quiet", "--no-hooks", "--name", "build"]);
    step(process.execPath, [resolve("bin/vault.js"), "import", "-", "--quiet"], { input: "TRAINING_KEY=training-value\nOTHER_KEY=other-value\n" });
    step(process.execPath, [resolve("scripts/train-hot.cjs")], { env: { ENVVAULT_CODE_CACHE: "" } });
  } catch (e) {
    for (const f of readdirSync("dist/cli")) if (f.endsWith(".v8cache")) rmSync(join("dist/cli", f));
    console.error(`build: training the code cache: ${e.message}`);
    process.exitCode = 1;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
