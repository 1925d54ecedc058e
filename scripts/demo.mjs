// A walkthrough in a throwaway git repository: every command is printed, then its output.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "bin", "vault.js");
const base = mkdtempSync(join(tmpdir(), "envvault-demo-"));
const repo = join(base, "shop");
const home = join(base, "home");
mkdirSync(repo, { recursive: true });
mkdirSync(home, { recursive: true });
const env = {
  PATH: process.env.PATH,
  HOME: home,
  USER: "alice",
  LANG: "C.UTF-8",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_AUTHOR_NAME: "Alice",
  GIT_AUTHOR_EMAIL: "alice@example.invalid",
  GIT_COMMITTER_NAME: "Alice",
  GIT_COMMITTER_EMAIL: "alice@example.invalid",
  NO_COLOR: "1",
};
const bold = (s) => (process.stdout.isTTY ? `\u001b[1m${s}\u001b[22m` : s);
let failed = false;

function step(title) {
  console.log(`\n${bold("## " + title)}`);
}

function sh(display, cmd, args, { input, expect = 0, extraEnv = {} } = {}) {
  console.log(bold(`$ ${display}`));
  const r = spawnSync(cmd, args, { cwd: repo, env: { ...env, ...extraEnv }, input: input ?? "", encoding: "utf8" });
  const out = (r.stdout ?? "") + (r.stderr ?? "");
  if (out.trim() !== "") console.log(out.replace(/\n$/, "").replace(/^/gm, "  "));
  if (r.status !== expect) {
    console.log(`  (exit ${r.status}, expected ${expect})`);
    failed = true;
  }
  return r;
}
// Each command is printed as it can be pasted into a shell: quoted where needed, and a value
// fed on stdin shown as coming from a variable of the same name (the value itself is not shown).
const quote = (a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
const line = (words) => words.map(quote).join(" ");
const vault = (args, opts = {}) => {
  const piped = opts.input === undefined ? "" : `printf %s "$${opts.from ?? args[1]}" | `;
  return sh(`${piped}vault ${line(args)}`, process.execPath, [bin, ...args], opts);
};
const git = (args) => sh(`git ${line(args)}`, "git", args);
const show = (file) => {
  console.log(bold(`$ cat ${file}`));
  console.log(readFileSync(join(repo, file), "utf8").replace(/\n$/, "").replace(/^/gm, "  "));
};

try {
  step("A repository and a vault");
  git(["init", "-q", "-b", "main"]);
  vault(["init", "--env", "development", "--env", "production"]);
  vault(["whoami"]);

  step("Values in, from stdin (never argv) and from an assignment for a non-secret");
  vault(["set", "DATABASE_URL", "--stdin"], { input: "postgres://app:s3cret@localhost/shop\n" });
  vault(["set", "LOG_LEVEL=info", "--kind", "config"]);
  vault(["set", "STRIPE_KEY", "--stdin", "--env", "production"], { input: "sk_live_demo_0123456789" });
  vault(["list"]);
  show(".envvault/envs/development.env");
  git(["add", "-A"]);
  git(["commit", "-q", "-m", "Add the vault"]);

  step("A branch with a different value");
  git(["checkout", "-q", "-b", "feature/new-db"]);
  vault(["set", "DATABASE_URL", "--stdin"], { input: "postgres://app:s3cret@db-v2/shop" });
  vault(["set", "FEATURE_FLAG=on", "--kind", "config"]);
  git(["commit", "-q", "-am", "Point at the new database"]);
  git(["diff", "--stat", "main"]);

  step("Unlock once; from then on git checkout unlocks through the post-checkout hook");
  git(["checkout", "-q", "main"]);
  vault(["unlock"]);
  show(".env");
  git(["checkout", "-q", "feature/new-db"]);
  show(".env");
  vault(["status"]);

  step("The pre-commit hook blocks a leaked value and a plaintext env file");
  writeFileSync(join(repo, "settings.py"), "# database\nDATABASE = 'postgres://app:s3cret@db-v2/shop'\n");
  writeFileSync(join(repo, ".env.production"), "STRIPE_KEY=sk_live_demo_0123456789\n");
  git(["add", "-f", "settings.py", ".env.production"]);
  sh("git commit -m 'Add settings'", "git", ["commit", "-q", "-m", "Add settings"], { expect: 1 });
  git(["rm", "-q", "--cached", "settings.py", ".env.production"]);
  rmSync(join(repo, "settings.py"));
  rmSync(join(repo, ".env.production"));

  step("History of the vault, key by key, values masked");
  vault(["log"]);
  git(["diff", "main", "--", ".envvault/envs/development.env"]);

  step("Run a program with the environment, nothing written to disk");
  vault(["run", "--", "node", "-e", "console.log('DATABASE_URL is ' + process.env.DATABASE_URL.replace(/:[^:@]*@/, ':****@'))"]);

  step("Reading production needs its key: a stranger gets exit 3");
  const stranger = join(base, "stranger.txt");
  sh("vault keygen --out ../stranger.txt", process.execPath, [bin, "keygen", "--out", stranger]);
  sh("vault get STRIPE_KEY --env production --identity ../stranger.txt", process.execPath, [bin, "get", "STRIPE_KEY", "--env", "production", "--identity", stranger], { expect: 3 });

  step("A teammate joins: carol can read development and production");
  const carol = join(base, "carol.txt");
  sh("vault keygen --out ../carol.txt", process.execPath, [bin, "keygen", "--out", carol]);
  const carolKeys = JSON.parse(spawnSync(process.execPath, [bin, "whoami", "--json", "--identity", carol], { cwd: repo, env, encoding: "utf8" }).stdout);
  vault(["member", "add", "carol", "--recipient", carolKeys.recipients[0], "--signing-key", carolKeys.signingKeys[0], "--team", "dev"]);
  vault(["grant", "team:dev", "development"]);
  vault(["grant", "carol", "production"]);
  vault(["access"]);
  sh("vault get STRIPE_KEY --env production --identity ../carol.txt", process.execPath, [bin, "get", "STRIPE_KEY", "--env", "production", "--identity", carol]);
  git(["add", "-A"]);
  git(["commit", "-q", "-m", "Add carol"]);

  step("Carol leaves: one command re-keys everything she could read and lists what she saw");
  vault(["rotate", "--remove", "carol"]);
  sh("vault get STRIPE_KEY --env production --identity ../carol.txt", process.execPath, [bin, "get", "STRIPE_KEY", "--env", "production", "--identity", carol], { expect: 3 });
  vault(["check"], { expect: 5 });
  vault(["rotate", "STRIPE_KEY", "--env", "production", "--stdin"], { input: "sk_live_demo_rotated_9876543210" });
  git(["add", "-A"]);
  git(["commit", "-q", "-m", "Offboard carol"]);

  step("Every change is signed: a forged one is refused before anything is used");
  const root = vault(["verify"]).stdout.trim();
  // Someone with push access but no identity of the team adds her own recipient under alice.
  git(["checkout", "-q", "-b", "laptop"]);
  const rosterPath = join(repo, ".envvault", "roster.yaml");
  writeFileSync(rosterPath, readFileSync(rosterPath, "utf8").replace(/(    recipients:\n)/, `$1      - ${carolKeys.recipients[0]}\n`));
  sh("git -c core.hooksPath=/dev/null commit -q -am \"Add alice's laptop\"   # by someone who is not an admin, hooks off", "git", ["-c", "core.hooksPath=/dev/null", "commit", "-q", "-am", "Add alice's laptop"]);
  vault(["get", "DATABASE_URL"], { expect: 4 });
  sh(`ENVVAULT_TRUST_ROOT=${quote(root)} vault verify main..laptop   # the pull request's check in CI`, process.execPath, [bin, "verify", "main..laptop"], { expect: 4, extraEnv: { ENVVAULT_TRUST_ROOT: root } });
  git(["checkout", "-q", "main"]);
  vault(["verify"]);

  step("Lock: remove the unlocked values again");
  vault(["lock"]);
  show(".env");
} finally {
  rmSync(base, { recursive: true, force: true });
}
console.log(failed ? "\ndemo: a step did not go as expected" : "\ndemo: done");
process.exit(failed ? 1 : 0);
