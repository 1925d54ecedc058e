import { build } from "esbuild";
import { readFileSync } from "node:fs";
const stubs = {
  "@noble/post-quantum/hybrid.js": "export const MLKEM768P256 = stub, MLKEM768X25519 = stub;",
  "@noble/curves/nist.js": "export const p256 = stub;",
  "@noble/curves/ed25519.js": "const GuBytes = new Uint8Array(32); GuBytes[0] = 9; export const x25519 = { GuBytes, scalarMult: refuse, scalarMultBase: refuse };",
  "@noble/hashes/scrypt.js": "export const scrypt = refuse;",
  "./webauthn.js": "export {};",
};
const stubPlugin = { name: "s", setup(b) {
  b.onResolve({ filter: /^(@noble\/(post-quantum\/hybrid|curves\/nist|curves\/ed25519|hashes\/scrypt)|\.\/webauthn)\.js$/ }, (args) => {
    if (args.path === "./webauthn.js" && !/[\\/]age-encryption[\\/]/.test(args.importer)) return undefined;
    return { path: args.path, namespace: "envvault-stub" };
  });
  b.onLoad({ filter: /.*/, namespace: "envvault-stub" }, (args) => ({ contents: "const refuse = () => { throw new Error('x'); };\nconst stub = new Proxy({}, { get: refuse });\n" + stubs[args.path], loader: "js" }));
}};
const tag = readFileSync("/work/main/dist/cli/chunk-5PKVCVSV.js","utf8").match(/ENVVAULT_YAML_CACHE_TAG|"([0-9a-f]{16})"/);
await build({ entryPoints: { main: "/tmp/cjsx/entry.ts" }, bundle: true, format: "cjs", platform: "node", target: "node20", plugins: [stubPlugin], define: { ENVVAULT_YAML_CACHE_TAG: JSON.stringify("964f7970d4cce0c3"), "import.meta.url": "__envvault_url" }, banner: { js: "const __envvault_url = require('node:url').pathToFileURL(__filename).href;" }, logLevel: "warning", external: process.env.EXT ? process.env.EXT.split(",") : [], outdir: process.env.OUT ?? "/tmp/cjsx/out" });
