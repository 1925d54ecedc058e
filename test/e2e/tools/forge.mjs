// An attacker's tool for the trust attack tests: with push access and an identity of her own
// (none of the team's), it writes what envvault's own code would write, so that every refusal
// the tests see comes from verification, not from a malformed file. Run in the repository.
//   node forge.mjs value ENV KEY VALUE [CLAIM]   seal a new value (CLAIM: sign a record as that member with her key)
//   node forge.mjs scope ENV VICTIM RECIPIENT    a new key pair for scope ENV, wrapped to the victim's recipient
//   node forge.mjs link                          a chain link vouching for the files as they are, signed by her
//   node forge.mjs admin-link MEMBER             the same, signed as MEMBER (an admin whose identity this HOME holds):
//                                                what a careless or compromised admin can sign, vault.yaml unchecked
import { existsSync, readFileSync, writeFileSync, readdirSync, rmSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { createHash } from "node:crypto";

const lib = new URL("../../../dist/lib/src/", import.meta.url);
const imp = (p) => import(new URL(p, lib).href);
const { parseEnvFile, printEnvFile, signedView } = await imp("model/envfile.js");
const { leavesOf } = await imp("model/signed.js");
const { applyUpdates } = await imp("app/write.js");
const { createScopeKey } = await imp("app/scopes.js");
const { signerFor } = await imp("crypto/sign.js");
const { addRecord } = await imp("model/signing.js");
const { parseChain, makeLink, printChain } = await imp("model/chain.js");
const { keyDir } = await imp("model/layout.js");

const identity = readFileSync(join(process.env.HOME, ".config/envvault/identity.txt"), "utf8").split("\n").find((l) => l.startsWith("AGE-SECRET-KEY-1"));
const me = signerFor(identity);
const [op, ...args] = process.argv.slice(2);
const envFile = (env) => `.envvault/envs/${env}.env`;
const now = 1800000000;

if (op === "value") {
  const [env, key, value, claim] = args;
  const file = parseEnvFile(readFileSync(envFile(env), "utf8"), envFile(env), env);
  const { file: out } = await applyUpdates(undefined, file, [{ key, value }], [], now);
  if (claim !== undefined) addRecord(out, { member: claim, publicKey: me.publicKey, sign: (m) => me.sign(m) }, leavesOfAll(out), [key]);
  writeFileSync(envFile(env), printEnvFile(out));
} else if (op === "scope") {
  const [env, victim, recipient] = args;
  const file = parseEnvFile(readFileSync(envFile(env), "utf8"), envFile(env), env);
  const { recipient: fresh, files } = await createScopeKey(env, new Map([[victim, [recipient]]]));
  file.scopes.set(env, fresh);
  writeFileSync(envFile(env), printEnvFile(file));
  const dir = keyDir(env);
  for (const f of readdirSync(dir)) rmSync(join(dir, f));
  for (const [p, t] of files) {
    mkdirSync(join(p, ".."), { recursive: true });
    writeFileSync(p, t);
  }
} else if (op === "link") {
  const links = parseChain(readFileSync(".envvault/chain", "utf8"));
  const sha = (p) => createHash("sha256").update(readFileSync(p)).digest("hex");
  const followed = new Set(links.flatMap((l) => l.prev));
  const head = links.find((l) => !followed.has(l.hash));
  const link = makeLink(links, { prev: [head.hash], roster: sha(".envvault/roster.yaml"), vault: sha(".envvault/vault.yaml"), admins: new Map([["mallory", [me.publicKey]]]), member: "mallory" }, (b) => me.sign(b));
  writeFileSync(".envvault/chain", printChain([...links, link]));
} else if (op === "admin-link") {
  const [member] = args;
  const { loadYaml } = await imp("model/yamlfile.js");
  const { checkRoster } = await imp("model/roster.js");
  const { extendChain } = await imp("model/signing.js");
  const sha = (p) => createHash("sha256").update(readFileSync(p)).digest("hex");
  const roster = loadYaml(readFileSync(".envvault/roster.yaml", "utf8"), ".envvault/roster.yaml", "roster", (d, lineOf) => checkRoster(d, lineOf)).data;
  const links = parseChain(readFileSync(".envvault/chain", "utf8"));
  const followed = new Set(links.flatMap((l) => l.prev));
  const heads = links.filter((l) => !followed.has(l.hash));
  const exposed = existsSync(".envvault/exposed.json") ? { exposed: sha(".envvault/exposed.json") } : {};
  const hashes = { roster: sha(".envvault/roster.yaml"), vault: sha(".envvault/vault.yaml"), ...exposed };
  writeFileSync(".envvault/chain", extendChain(links, heads, hashes, roster, { member, publicKey: me.publicKey, sign: (m) => me.sign(m) }));
} else {
  throw new Error(`unknown operation ${op}`);
}

/** Every leaf of a file: what a forged record claims to cover. */
function leavesOfAll(f) {
  return [...leavesOf(signedView(f)).keys()];
}
