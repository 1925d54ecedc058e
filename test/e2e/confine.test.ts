/**
 * Nothing outside the work tree: each attack is a branch pushed by someone with push access,
 * which a teammate checks out with the hooks installed. The commit names a path outside the
 * repository, or plants a symlink where envvault reads or writes; the checkout (post-checkout
 * hook) and every command must refuse it, say which path and why, and write or read nothing
 * outside the repository. A vault.yaml nobody signed is refused before any path is looked at
 * (test/e2e/trust-attacks.test.ts); here an admin signed each one (a mistake, or a stolen
 * identity), so confinement alone must hold.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "@jest/globals";
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import dotenv from "dotenv";
import { requireBuild, ROOT, Sandbox } from "./harness.js";

const VALUES = { DB_PASS: "db-pass-7f3e91c2aa", API_TOKEN: "api-token-0b5d44e8f1" };
const BASHRC = "# alice's own .bashrc\nexport PATH=$HOME/bin:$PATH\n";
const KEYS = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHb3Z alice@laptop\n";
const CREDENTIALS = "[default]\naws_secret_access_key = aws-secret-do-not-leak-93a1\n";

describe("paths a commit names never leave the work tree", () => {
  let sb: Sandbox;
  let outside: string;
  let home: string;

  /**
   * A branch from main where `change` plays the attacker (plain git, no vault identity): it
   * commits `.envvault/` and the paths `change` returns, even where .gitignore lists them.
   */
  const attack = (name: string, change: () => string[] | void) => {
    sb.git(["checkout", "-q", "-B", name, "main"], { user: "alice" });
    const forced = change() ?? [];
    sb.git(["add", "-A", "-f", "--", ".envvault", ...forced], { user: "mallory" });
    sb.git(["commit", "-q", "--no-verify", "-m", name], { user: "mallory" });
    sb.git(["checkout", "-q", "main"], { user: "alice" });
  };

  const vaultYamlWith = (extra: string) => sb.read(".envvault/vault.yaml").replace(/^targets:\n(?:  .*\n)*/m, "") + extra;

  /** Everything outside the repository is as it was. */
  const outsideUntouched = () => {
    expect(readFileSync(join(home, ".bashrc"), "utf8")).toBe(BASHRC);
    expect(readFileSync(join(home, ".ssh", "authorized_keys"), "utf8")).toBe(KEYS);
    expect(readFileSync(join(home, ".aws", "credentials"), "utf8")).toBe(CREDENTIALS);
    expect(existsSync(join(outside, ".bashrc"))).toBe(false);
    expect(existsSync(join(outside, ".env"))).toBe(false);
  };

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
    sb.secret(...Object.values(VALUES), "aws-secret-do-not-leak-93a1", "AAAAC3NzaC1lZDI1NTE5AAAAIHb3Z");
    home = sb.user("alice").home;
    outside = join(sb.base, "victim");
    mkdirSync(outside);
    mkdirSync(join(home, ".ssh"));
    mkdirSync(join(home, ".aws"));
    writeFileSync(join(home, ".bashrc"), BASHRC);
    writeFileSync(join(home, ".ssh", "authorized_keys"), KEYS);
    writeFileSync(join(home, ".aws", "credentials"), CREDENTIALS);
    expect(sb.vault("alice", ["init", "--yes"]).code).toBe(0);
    for (const [k, v] of Object.entries(VALUES)) expect(sb.vault("alice", ["set", k, "--stdin"], { input: v }).code).toBe(0);
    sb.commitAll("the vault", "alice");
    expect(sb.vault("alice", ["unlock"]).code).toBe(0);
    expect(dotenv.parse(sb.bytes(".env"))).toEqual(VALUES);

    attack("target-outside", () => sb.writeSignedUnchecked(".envvault/vault.yaml", vaultYamlWith("targets:\n  - path: ../victim/.bashrc\n  - path: .env\n")));
    attack("target-absolute", () => sb.writeSignedUnchecked(".envvault/vault.yaml", vaultYamlWith(`targets:\n  - path: ${join(home, ".bashrc")}\n`)));
    attack("target-in-git", () => sb.writeSignedUnchecked(".envvault/vault.yaml", vaultYamlWith("targets:\n  - path: .git/hooks/post-checkout\n")));
    attack("target-in-vault", () => sb.writeSignedUnchecked(".envvault/vault.yaml", vaultYamlWith("targets:\n  - path: .envvault/envs/x.env\n")));
    attack("target-symlink", () => {
      sb.writeSignedUnchecked(".envvault/vault.yaml", vaultYamlWith("targets:\n  - path: .env.local\n"));
      symlinkSync(join(home, ".ssh", "authorized_keys"), join(sb.repo, ".env.local"));
      return [".env.local"];
    });
    attack("target-dir-symlink", () => {
      sb.writeSignedUnchecked(".envvault/vault.yaml", vaultYamlWith("targets:\n  - path: docker/.env\n"));
      symlinkSync(outside, join(sb.repo, "docker"));
      return ["docker"];
    });
    attack("dotenv-symlink", () => {
      sb.remove(".env");
      symlinkSync(join(home, ".bashrc"), join(sb.repo, ".env"));
      return [".env"];
    });
    attack("env-file-symlink", () => {
      sb.writeSignedUnchecked(".envvault/vault.yaml", sb.read(".envvault/vault.yaml") + "env_file:\n  - .env.shared\n");
      symlinkSync(join(home, ".aws", "credentials"), join(sb.repo, ".env.shared"));
      return [".env.shared"];
    });
    attack("env-file-outside", () => sb.writeSignedUnchecked(".envvault/vault.yaml", sb.read(".envvault/vault.yaml") + "env_file: ../../home-alice/.aws/credentials\n"));
    renameSync(join(sb.repo, ".envvault.local"), join(sb.base, "local-aside"));
    attack("local-dir-symlink", () => {
      symlinkSync(outside, join(sb.repo, ".envvault.local"));
      return [".envvault.local"];
    });
    renameSync(join(sb.base, "local-aside"), join(sb.repo, ".envvault.local"));
    attack("vault-file-symlink", () => {
      sb.remove(".envvault/envs/development.env");
      symlinkSync(join(home, ".aws", "credentials"), join(sb.repo, ".envvault/envs/development.env"));
    });
    attack("gitignore-symlink", () => {
      sb.writeSignedUnchecked(".envvault/vault.yaml", vaultYamlWith("targets:\n  - path: .env\n  - path: config/app.env\n"));
      sb.remove(".gitignore");
      symlinkSync(join(home, ".bashrc"), join(sb.repo, ".gitignore"));
      return [".gitignore"];
    });
  });

  afterAll(() => sb?.cleanup());

  beforeEach(() => {
    sb.git(["checkout", "-q", "-f", "main"], { user: "alice" });
    sb.git(["clean", "-q", "-fd"], { user: "alice" });
  });

  /** Checks the branch out (the post-checkout hook runs) and returns what git printed. */
  const checkout = (branch: string) => {
    const r = sb.gitTry(["checkout", "-q", branch], { user: "alice" });
    expect(r.code).toBe(0); // git itself goes through; the hook only warns
    return r;
  };

  test.each([
    ["target-outside", "../victim/.bashrc", "leaves the repository"],
    ["target-absolute", ".bashrc", "it is absolute"],
    ["target-in-git", ".git/hooks/post-checkout", "inside .git/"],
    ["target-in-vault", ".envvault/envs/x.env", "inside .envvault/"],
  ])("%s: the checkout's unlock refuses the target, and so does `vault unlock` (exit 5)", (branch, path, why) => {
    const hook = checkout(branch);
    expect(hook.stderr).toContain("not unlocked for the new HEAD");
    expect(hook.stderr).toContain(path);
    const r = sb.vault("alice", ["unlock"]);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/vault: error: \.envvault\/vault\.yaml: targets\[\d\]\.path names the target/);
    expect(r.stderr).toContain(why);
    expect(sb.exists(".git/hooks/post-checkout") ? sb.read(".git/hooks/post-checkout") : "").not.toContain(VALUES.DB_PASS);
    outsideUntouched();
  });

  test("a target committed as a symlink to ~/.ssh/authorized_keys is refused; the file it points at is unchanged", () => {
    const hook = checkout("target-symlink");
    expect(hook.stderr).toContain(".env.local is a symlink");
    const r = sb.vault("alice", ["unlock"]);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain("target .env.local is a symlink");
    expect(lstatSync(join(sb.repo, ".env.local")).isSymbolicLink()).toBe(true);
    outsideUntouched();
  });

  test("a target below a directory committed as a symlink is refused", () => {
    checkout("target-dir-symlink");
    const r = sb.vault("alice", ["unlock"]);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain("target docker/.env passes through the symlink docker");
    outsideUntouched();
  });

  test(".env replaced by a symlink to ~/.bashrc: checkout, unlock, lock and status neither write nor read through it", () => {
    const hook = checkout("dotenv-symlink");
    expect(hook.stderr).toContain(".env is a symlink");
    for (const args of [["unlock"], ["lock"], ["status"], ["check"]]) {
      const r = sb.vault("alice", args);
      expect({ args, code: r.code }).toEqual({ args, code: 5 });
      expect(r.stderr).toContain(".env is a symlink");
      expect(r.stdout).not.toContain("alice's own");
    }
    outsideUntouched();
  });

  test("an env_file symlinked to ~/.aws/credentials is never read: run, export, unlock and load() refuse it", () => {
    checkout("env-file-symlink");
    for (const args of [["run", "--", "env"], ["export", "--format", "json"], ["unlock"]]) {
      const r = sb.vault("alice", args);
      expect({ args, code: r.code, stdout: r.stdout }).toEqual({ args, code: 5, stdout: "" });
      expect(r.stderr).toContain("env_file .env.shared");
      expect(r.stderr).toContain("is a symlink");
    }
    mkdirSync(join(sb.repo, "node_modules"), { recursive: true });
    symlinkSync(ROOT, join(sb.repo, "node_modules", "envvault"));
    const lib = sb.exec("alice", process.execPath, ["--input-type=module", "-e", 'import { load } from "envvault"; try { await load(); } catch (e) { console.log(e.code) }']);
    expect(lib.stdout.trim()).toBe("UNSAFE_PATH");
    const preload = sb.exec("alice", process.execPath, ["--import", "envvault/config", "-e", "console.log('started')"]);
    expect({ code: preload.code, stdout: preload.stdout }).toEqual({ code: 5, stdout: "" });
    outsideUntouched();
  });

  test("an env_file outside the repository is refused before anything is read", () => {
    checkout("env-file-outside");
    const r = sb.vault("alice", ["run", "--", "env"]);
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 5, stdout: "" });
    expect(r.stderr).toContain("leaves the repository");
    outsideUntouched();
  });

  test(".envvault.local committed as a symlink (a fresh clone): nothing of this clone's state is written through it", () => {
    renameSync(join(sb.repo, ".envvault.local"), join(sb.base, "local-aside"));
    checkout("local-dir-symlink");
    for (const args of [["unlock"], ["set", "X_NEW=1"], ["run", "--", "true"]]) {
      const r = sb.vault("alice", args);
      expect({ args, code: r.code }).toEqual({ args, code: 5 });
      expect(r.stderr).toContain(".envvault.local");
    }
    expect(readFileSync(join(sb.repo, ".envvault/envs/development.env"), "utf8")).not.toContain("X_NEW");
    expect(lstatSync(join(sb.repo, ".envvault.local")).isSymbolicLink()).toBe(true);
    expect(readdirSync(outside)).toEqual([]);
    outsideUntouched();
    sb.git(["checkout", "-q", "-f", "main"], { user: "alice" });
    renameSync(join(sb.base, "local-aside"), join(sb.repo, ".envvault.local"));
  });

  test("a vault file committed as a symlink is not read (exit 5), so no file outside the repository is parsed or echoed", () => {
    checkout("vault-file-symlink");
    const r = sb.vault("alice", ["list"]);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain(".envvault/envs/development.env is a symlink");
    expect(r.stderr).not.toContain("aws");
    outsideUntouched();
  });

  test("a .gitignore committed as a symlink is not appended to when unlock adds a new target's pattern", () => {
    checkout("gitignore-symlink");
    const r = sb.vault("alice", ["unlock"]);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain(".gitignore is a symlink");
    expect(sb.exists("config/app.env")).toBe(false);
    outsideUntouched();
  });

  test("a journal planted in .envvault.local/ that deletes files outside the vault is not followed", () => {
    const local = join(sb.repo, ".envvault.local");
    mkdirSync(local, { recursive: true });
    writeFileSync(join(home, "precious.txt"), "keep me\n");
    writeFileSync(join(local, "journal.json"), JSON.stringify({ version: 1, renames: [], deletes: ["../home-alice/precious.txt", ".env"] }));
    expect(sb.vault("alice", ["list"]).code).toBe(0);
    expect(readFileSync(join(home, "precious.txt"), "utf8")).toBe("keep me\n");
    expect(sb.exists(".env")).toBe(true);
    expect(existsSync(join(local, "journal.json"))).toBe(false);
  });

  test("a legitimate target in a subdirectory is still written, 0600, and its directory created", () => {
    sb.writeSignedUnchecked(".envvault/vault.yaml", vaultYamlWith("targets:\n  - path: .env\n  - path: ./services/api/../api/.env\n"));
    const r = sb.vault("alice", ["unlock"]);
    expect(r.code).toBe(0);
    expect(dotenv.parse(sb.bytes("services/api/.env"))).toEqual(VALUES);
    expect(sb.mode("services/api/.env")).toBe(0o600);
    sb.git(["checkout", "-q", "--", ".envvault"], { user: "alice" });
  });

  describe("modes", () => {
    test("an existing target keeps its mode; one readable by others gets a warning naming it", () => {
      sb.vault("alice", ["lock"]);
      writeFileSync(join(sb.repo, ".env"), "OWN=1\n");
      chmodSync(join(sb.repo, ".env"), 0o640);
      const r = sb.vault("alice", ["unlock"]);
      expect(r.code).toBe(0);
      expect(sb.mode(".env")).toBe(0o640);
      expect(r.stderr).toMatch(/vault: warning: \.env is readable by its group \(mode 0640\)/);
      chmodSync(join(sb.repo, ".env"), 0o600);
      expect(sb.vault("alice", ["unlock"]).stderr).not.toContain("readable by");
    });

    test("a read-only target is refused with a clear error, not replaced", () => {
      sb.vault("alice", ["lock"]);
      writeFileSync(join(sb.repo, ".env"), "OWN=1\n");
      chmodSync(join(sb.repo, ".env"), 0o444);
      const r = sb.vault("alice", ["unlock"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("target .env is read-only (mode 0444)");
      expect(sb.read(".env")).toBe("OWN=1\n");
      expect(sb.mode(".env")).toBe(0o444);
      chmodSync(join(sb.repo, ".env"), 0o600);
      expect(sb.vault("alice", ["unlock"]).code).toBe(0);
    });

    test("a new target is 0600", () => {
      sb.remove(".env");
      expect(sb.vault("alice", ["unlock"]).code).toBe(0);
      expect(sb.mode(".env")).toBe(0o600);
    });
  });

  test("no secret reached a git object", () => sb.assertNoSecretInGit());
});

