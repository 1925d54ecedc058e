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

// The commands that run many times a day (their code is "hot"). bin/vault.js and
// src/cli/fast.ts name them too; the three lists must agree.
const HOT_COMMANDS = ["export", "run", "get", "unlock", "lock", "list", "hook"];
{
  const same = (list) => JSON.stringify([...list].sort()) === JSON.stringify([...HOT_COMMANDS].sort());
  const inBin = /const HOT = new Set\((\[[^\]]*\])\)/.exec(readFileSync("bin/vault.js", "utf8"))?.[1];
  const { hotCommands } = await import(resolve(`${out}/lib/src/cli/fast.js`));
  if (inBin === undefined || !same(JSON.parse(inBin)) || !same(Object.keys(hotCommands))) {
    rmSync(out, { recursive: true, force: true });
    console.error(`build: the hot commands differ: scripts/build.mjs ${HOT_COMMANDS.join(",")}; bin/vault.js ${inBin}; src/cli/fast.ts ${Object.keys(hotCommands).join(",")}`);
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
// (main and every dynamic import) that reach it, so the modules the hot commands share with
// the ~40 other commands end up in ~20 small chunks, and Node pays ≈ 0.4 ms to resolve, load
// and link each one (measured: 21 modules on the path of `vault export`). So every source
// module outside the hot code is given an import of it, which makes all hot modules reachable
// from the same entry points: esbuild then emits them as one chunk, and `vault export` loads
// five modules (main.js, two small shared chunks, that chunk and its own 250-byte entry)
// instead of 21. The hot set is the static closure of the hot
// commands, found by a first pass. Inside it only the modules that are also imported
// dynamically (the hot commands, and a few helpers) get the import, being entry points of
// their own: that makes import cycles through them, harmless as long as their top level only
// declares (functions, classes of their own, literal constants); the tests run every command.
const first = await build({ ...options, write: false });
const hot = new Set();
{
  const visit = (input) => {
    if (hot.has(input)) return;
    hot.add(input);
    for (const i of first.metafile.inputs[input]?.imports ?? []) if (i.kind === "import-statement" && !i.external) visit(i.path);
  };
  for (const command of HOT_COMMANDS) visit(`src/cli/commands/${command}.ts`);
}
// Hot modules that are also imported dynamically somewhere are entry points of their own.
const dynamicTargets = new Set(Object.values(first.metafile.inputs).flatMap((i) => i.imports.filter((x) => x.kind === "dynamic-import" && !x.external).map((x) => x.path)));
// Not main.ts and the command table it imports: `vault --help` and the yargs path then load
// no hot code before they need it.
const mainOnly = new Set();
{
  const visit = (input) => {
    if (mainOnly.has(input) || hot.has(input) || dynamicTargets.has(input)) return;
    mainOnly.add(input);
    for (const i of first.metafile.inputs[input]?.imports ?? []) if (i.kind === "import-statement" && !i.external) visit(i.path);
  };
  visit("src/cli/main.ts");
}
const needsHotImport = (rel) => rel.startsWith("src/") && !mainOnly.has(rel) && (!hot.has(rel) || dynamicTargets.has(rel));
const HOT_ENTRY = "envvault-hot-code";
const hotChunk = {
  name: "envvault-hot-chunk",
  setup(b) {
    b.onResolve({ filter: new RegExp(`^${HOT_ENTRY}$`) }, () => ({ path: HOT_ENTRY, namespace: HOT_ENTRY }));
    b.onLoad({ filter: /.*/, namespace: HOT_ENTRY }, () => ({
      contents: HOT_COMMANDS.map((c) => `import ${JSON.stringify(resolve(`src/cli/commands/${c}.ts`))};`).join("\n"),
      loader: "js",
      resolveDir: resolve("src/cli"),
    }));
    b.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, (args) => {
      const rel = args.path.slice(resolve(".").length + 1).split("\\").join("/");
      if (!needsHotImport(rel)) return undefined;
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
    const chunk = outputOf(`src/cli/commands/${command}.ts`);
    if (chunk === undefined) {
      problems.push(`no chunk holds src/cli/commands/${command}.ts`);
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
    entryPoints: ["src/cli/fast.ts"],
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
