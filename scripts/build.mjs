// Builds the library (tsc: JavaScript and declarations) and the CLI (one esbuild ESM bundle
// whose heavy modules are split into chunks loaded only by the commands that need them).
import { spawnSync } from "node:child_process";
import { existsSync, renameSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
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

await build({
  plugins: [unsupportedCurves],
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

const old = `.dist-old-${process.pid}`;
if (existsSync("dist")) renameSync("dist", old);
renameSync(out, "dist");
rmSync(old, { recursive: true, force: true });
