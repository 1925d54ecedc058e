// Vaults whose roster has 1, 50 or 500 members, all of whom can read `development` (one key
// file each), for the cost-growth figures. Made like bench/rotate.mjs does it: `vault init`
// and `vault import` through the CLI, the other members' identities made in-process and added
// to roster.yaml in one edit (hundreds of `vault member add` would only slow the set-up
// down), then one `vault grant team:eng development` that wraps a key file for each of them.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateX25519Identity, identityToRecipient } from "age-encryption";
import { parseDocument } from "yaml";
import { mustRun, toDotenv } from "./data.mjs";

export async function makeMembersRepo(dir, values, members, { vault, env }) {
  const cli = (args, input) => mustRun(process.execPath, [vault, ...args], { cwd: dir, env, input, maxBuffer: 64 << 20 });
  mustRun("git", ["init", "-q", dir], { env });
  cli(["init", "--quiet", "--yes", "--no-hooks", "--name", "owner"]);
  cli(["import", "-", "--quiet"], toDotenv(values));
  if (members > 1) {
    const rosterPath = join(dir, ".envvault", "roster.yaml");
    const roster = parseDocument(readFileSync(rosterPath, "utf8"));
    for (let i = 1; i < members; i++) {
      const identity = await generateX25519Identity();
      roster.setIn(["members", `m${String(i).padStart(3, "0")}`], roster.createNode({ recipients: [await identityToRecipient(identity)], teams: ["eng"] }));
    }
    writeFileSync(rosterPath, String(roster));
    cli(["grant", "--quiet", "team:eng", "development"]);
  }
  const keyFiles = readdirSync(join(dir, ".envvault", "keys", "development")).length;
  if (keyFiles !== members) throw new Error(`set-up: ${dir} has ${keyFiles} key files for development, expected ${members}`);
  cli(["export", "--format", "json"]); // warms the YAML cache, as any earlier command would have
  return dir;
}
