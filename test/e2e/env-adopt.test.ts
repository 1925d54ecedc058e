/**
 * `vault init` adopting the env files a project already has: the right files into the right
 * environments, node_modules never searched, the files kept as targets, `.env.example` as
 * required variables.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { parse as parseYaml } from "yaml";
import { requireBuild, Sandbox } from "./harness.js";

const DEV_KEY = "dev-key-adopt-0b7e1d";
const PROD_KEY = "prod-key-adopt-9a2c44";
const LOCAL_TOKEN = "local-token-adopt-33f1";

const hasScript = spawnSync("sh", ["-c", "command -v script"], { encoding: "utf8" }).status === 0;

describe("init adopts existing env files", () => {
  let sb: Sandbox;
  const files: Record<string, string> = {
    ".env": `# dev settings\nDB_URL=postgres://localhost/dev\nAPI_KEY=${DEV_KEY}\n`,
    ".env.production": `DB_URL=postgres://prod-db/shop\nAPI_KEY=${PROD_KEY}\n`,
    "api/.env.local": `API_PORT=3001\nLOCAL_TOKEN=${LOCAL_TOKEN}\n`,
    "node_modules/x/.env": "FROM_NODE_MODULES=1\n",
    ".env.example": "DB_URL=\nAPI_KEY=\nAPI_PORT=3000\n",
  };

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
    sb.secret(DEV_KEY, PROD_KEY, LOCAL_TOKEN);
    for (const [path, text] of Object.entries(files)) sb.write(path, text);
  });

  afterAll(() => sb?.cleanup());

  test("init --yes imports each file into its environment and skips node_modules", () => {
    const r = sb.vault("alice", ["init", "--yes"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^found 4 env files:$/m);
    expect(r.stderr).toMatch(/^ {2}\.env {13}import 2 variables into development; stays as a target$/m);
    expect(r.stderr).toMatch(/^ {2}\.env\.production {2}import 2 variables into production; stays as a target$/m);
    expect(r.stderr).toMatch(/^ {2}api\/\.env\.local {3}import 2 variables into development; stays as a target of its own keys$/m);
    expect(r.stderr).toMatch(/^ {2}\.env\.example {5}variable definitions: 3 variables required$/m);
    expect(r.stderr).not.toMatch(/node_modules/);

    const dev = sb.vault("alice", ["export", "--format", "json"], { reveals: [DEV_KEY, LOCAL_TOKEN] });
    expect(JSON.parse(dev.stdout)).toEqual({ DB_URL: "postgres://localhost/dev", API_KEY: DEV_KEY, API_PORT: "3001", LOCAL_TOKEN });
    const prod = sb.vault("alice", ["export", "--env", "production", "--format", "json"], { reveals: [PROD_KEY] });
    expect(JSON.parse(prod.stdout)).toEqual({ DB_URL: "postgres://prod-db/shop", API_KEY: PROD_KEY });
  });

  test("the files stay as targets, git-ignored; .env.example becomes required variables", () => {
    const cfg = parseYaml(sb.read(".envvault/vault.yaml")) as { environments: object; variables: object; targets: object[] };
    expect(Object.keys(cfg.environments)).toEqual(["development", "production"]);
    expect(cfg.targets).toEqual([{ path: ".env" }, { path: ".env.production", env: "production" }, { path: "api/.env.local", keys: ["API_PORT", "LOCAL_TOKEN"] }]);
    expect(cfg.variables).toEqual({ API_KEY: { required: true }, API_PORT: { required: true }, DB_URL: { required: true } });
    for (const path of [".env", ".env.production", "api/.env.local"]) expect(sb.git(["check-ignore", path]).stdout.trim()).toBe(path);
    expect(sb.read("node_modules/x/.env")).toBe(files["node_modules/x/.env"]);
    // validate reads the definitions: production has no API_PORT.
    const v = sb.vault("alice", ["validate"]);
    expect({ code: v.code, stdout: v.stdout }).toEqual({ code: 5, stdout: "production: API_PORT is required but not set\n" });
  });

  test("the first unlock leaves the adopted files as they were, but for the environment's new keys in its main target", () => {
    const r = sb.vault("alice", ["unlock"]);
    expect(r.code).toBe(0);
    expect(sb.read(".env.production")).toBe(files[".env.production"]);
    expect(sb.read("api/.env.local")).toBe(files["api/.env.local"]);
    expect(sb.read(".env")).toBe(files[".env"] + `API_PORT=3001\nLOCAL_TOKEN=${LOCAL_TOKEN}\n`);
    sb.write(".gitignore", sb.read(".gitignore") + "node_modules/\n");
    sb.git(["add", "-A"]);
    sb.git(["commit", "-q", "-m", "adopted"]);
    sb.assertNoSecretInGit();
  });

  test("without a terminal and without --yes, init imports nothing and says how", () => {
    const other = new Sandbox();
    try {
      other.write(".env", "A=1\n");
      const r = other.vault("bob", ["init"]);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/not imported \(no terminal to ask; `vault init --yes` imports them\)/);
      expect(other.read(".envvault/vault.yaml")).toMatch(/^targets:\n {2}- path: \.env\n$/m);
      expect(other.vault("bob", ["list", "--json"]).stdout).not.toMatch(/"A"/);
    } finally {
      other.cleanup();
    }
  });

  (hasScript ? test : test.skip)("on a terminal, init asks before importing", async () => {
    const other = new Sandbox();
    try {
      other.write(".env.staging", "B=2\n");
      const r = await other.vaultOnTerminal("carol", ["init"], [{ expect: /import them into the vault \(the files stay, as targets\)\? \[Y\/n\]/, send: "y\r", delayMs: 200 }]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/imported 1 value into staging; targets: \.env\.staging/);
      const b = other.vault("carol", ["get", "B", "--env", "staging"], { reveals: ["2"] });
      expect(b.stdout).toBe("2\n");
    } finally {
      other.cleanup();
    }
  });
});
