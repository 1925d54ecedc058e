// Builds the library (tsc: JavaScript and declarations) and the CLI (one esbuild ESM bundle
// whose heavy modules are split into chunks loaded only by the commands that need them).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
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

// envvault accepts only X25519 recipients (the `age` CLI of the stable distributions reads
// no other kind), so the CLI bundle replaces age-encryption's post-quantum and P-256 code
// with stubs that refuse to run: ≈ 140 KB less to compile on every start. typage uses them
// only inside the hybrid and tag recipient classes, which envvault never constructs.
const unsupportedCurves = {
  name: "envvault-unsupported-age-recipients",
  setup(b) {
    b.onResolve({ filter: /^@noble\/(post-quantum\/hybrid|curves\/nist)\.js$/ }, (args) => ({ path: args.path, namespace: "envvault-stub" }));
    b.onLoad({ filter: /.*/, namespace: "envvault-stub" }, () => ({
      contents: [
        "const refuse = () => { throw new Error('post-quantum and P-256 age recipients are not supported by envvault'); };",
        "const stub = new Proxy({}, { get: refuse });",
        "export const MLKEM768P256 = stub, MLKEM768X25519 = stub, p256 = stub;",
      ].join("\n"),
      loader: "js",
    }));
  },
};

// The tag of the YAML cache (src/store/yamlcache.ts): a hash of everything that decides
// whether vault.yaml and roster.yaml are valid (the schemas, src/vault/, the loader), so a
// build that validates differently never trusts data a previous build validated.
const filesUnder = (dir) => readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name));
const tagged = [...filesUnder("schema"), ...filesUnder("src/vault"), "src/store/vault.ts", "src/store/yamlcache.ts"].sort();
const tagHash = createHash("sha256");
for (const f of tagged) tagHash.update(`${f}\0`).update(readFileSync(f)).update("\0");
const yamlCacheTag = tagHash.digest("hex").slice(0, 16);

const result = await build({
  plugins: [unsupportedCurves],
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
});

// The commands that run many times a day must not load the YAML parser or age-encryption
// (nor what they import) before their first line of output: check the static import graph
// of each from the entry point. YAML is reached only through dynamic imports (a YAML-cache
// miss, an edit, YAML import/export), age-encryption only to encrypt.
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
  for (const command of ["export", "run", "get", "unlock", "list", "hook"]) {
    const chunk = outputOf(`src/cli/commands/${command}.ts`);
    if (chunk === undefined) {
      problems.push(`no chunk holds src/cli/commands/${command}.ts`);
      continue;
    }
    for (const out of new Set([...staticClosure(main), ...staticClosure(chunk)])) {
      const bad = Object.keys(outputs[out].inputs).find((input) => heavy.some((re) => re.test(input)));
      if (bad !== undefined) problems.push(`\`vault ${command}\` loads ${bad} at start-up (through ${out})`);
    }
  }
  if (problems.length > 0) {
    rmSync(out, { recursive: true, force: true });
    console.error(`build: ${problems.join("\nbuild: ")}`);
    process.exit(1);
  }
}

const old = `.dist-old-${process.pid}`;
if (existsSync("dist")) renameSync("dist", old);
renameSync(out, "dist");
rmSync(old, { recursive: true, force: true });
