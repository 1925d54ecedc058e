// Builds the library (tsc: JavaScript and declarations) and the CLI (one esbuild ESM bundle
// whose heavy modules are split into chunks loaded only by the commands that need them).
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import { build } from "esbuild";

const require = createRequire(import.meta.url);
rmSync("dist", { recursive: true, force: true });

const tsc = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"], { stdio: "inherit" });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

await build({
  entryPoints: { main: "src/cli/main.ts" },
  outdir: "dist/cli",
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
