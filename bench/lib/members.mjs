// Vaults whose roster has 1, 50 or 500 members, all of whom can read `development` (one key
// file each), for the cost-growth figures. Made like bench/rotate.mjs does it: `vault init`
// and `vault import` through the CLI, the other members' identities made in-process and added
// to roster.yaml in one edit (hundreds of `vault member add` would only slow the set-up
// down), signed by the owner with `vault sign` as a hand edit must be (docs/FORMAT.md §5),
// then one `vault grant team:eng development` that wraps a key file for each of them, and a
// commit (so readers find HEAD verified, as in a clone they read before). Each
// added member gets its signing key too, as `vault member add --signing-key` records it: they
// only read here, but a team's roster lists every member's key, and readers parse all of it.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateX25519Identity, identityToRecipient } from "age-encryption";
import { parseDocument } from "yaml";
import { commitAll, git, mustRun, toDotenv } from "./data.mjs";

export async function makeMembersRepo(dir, values, members, { vault, env }) {
  const { signerFor } = await import("../../dist/lib/src/crypto/sign.js"); // the build's, once run.mjs checked there is one
  const cli = (args, input) => mustRun(process.execPath, [vault, ...args], { cwd: dir, env, input, maxBuffer: 64 << 20 });
  git(".", ["init", "-q", dir], { env });
  cli(["init", "--quiet", "--yes", "--no-hooks", "--name", "owner"]);
  cli(["import", "-", "--quiet"], toDotenv(values));
  if (members > 1) {
    const rosterPath = join(dir, ".envvault", "roster.yaml");
    const roster = parseDocument(readFileSync(rosterPath, "utf8"));
    for (let i = 1; i < members; i++) {
      const identity = await generateX25519Identity();
      roster.setIn(["members", `m${String(i).padStart(3, "0")}`], roster.createNode({ recipients: [await identityToRecipient(identity)], signing_keys: [signerFor(identity).publicKey], teams: ["eng"] }));
    }
    writeFileSync(rosterPath, String(roster));
    cli(["sign", "--quiet"]);
    cli(["grant", "--quiet", "team:eng", "development"]);
  }
  const keyFiles = readdirSync(join(dir, ".envvault", "keys", "development")).length;
  if (keyFiles !== members) throw new Error(`set-up: ${dir} has ${keyFiles} key files for development, expected ${members}`);
  commitAll(dir, env, "bench: the vault");
  cli(["export", "--format", "json"]); // verifies HEAD and warms the YAML cache, as any earlier command would have
  return dir;
}
