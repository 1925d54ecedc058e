/**
 * Exports read back by a real consumer where one exists here (a YAML parser for the k8s
 * manifest, docker's env-file rules, sh for `shell`, the $GITHUB_ENV rules, node for
 * `envvault/config`), unexpressible values refused with nothing printed, `validate` per
 * environment, and `use` refusing an environment you cannot read.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { ROOT, requireBuild, Sandbox } from "./harness.js";

const PROD: Record<string, string> = {
  DATABASE_URL: "postgres://shop:pässwörd-exp-51c9@db:5432/shop?ssl=true",
  QUOTES: `it's "quoted" and \`ticked\``,
  DOLLARS: "$HOME ${PATH} $(id) \\n",
  SPACES: "  padded  ",
  EQUALS: "a=b==",
  PERCENT: "50%0Aoff, 100%",
};
const PEM = "-----BEGIN KEY-----\nexp-pem-line-7d1e02\n-----END KEY-----";

/** docker/cli's ParseEnvFile: left-trim each line, skip blanks and comments, split at the first '='. */
function dockerParse(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.replace(/^\s+/, "");
    if (line === "" || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

/** The Actions runner's reading of $GITHUB_ENV heredocs (NAME<<DELIMITER … DELIMITER). */
function githubParse(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^=<]+)<<(.+)$/.exec(lines[i] ?? "");
    if (m === null) continue;
    const body: string[] = [];
    while (lines[++i] !== m[2]) body.push(lines[i] ?? "");
    out[m[1] ?? ""] = body.join("\n");
  }
  return out;
}

const printer = `const o={};for(const k of ${JSON.stringify([...Object.keys(PROD), "PRESET"])})if(k in process.env)o[k]=process.env[k];console.log(JSON.stringify(o))`;

describe("exports, envvault/config and validate", () => {
  let sb: Sandbox;
  const reveals = Object.values(PROD);

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
    sb.secret(...Object.values(PROD).filter((v) => v.trim().length >= 8), PEM);
    expect(sb.vault("alice", ["init", "--yes", "--env", "development,production,staging"]).code).toBe(0);
    sb.writeSigned(".envvault/vault.yaml", sb.read(".envvault/vault.yaml").replace("targets:", "variables:\n  STRIPE_KEY: { required_in: [production] }\ntargets:"));
    for (const [k, v] of Object.entries(PROD)) expect(sb.vault("alice", ["set", k, "--stdin", "--env", "production"], { input: v + "\n" }).code).toBe(0);
    expect(sb.vault("alice", ["set", "PEM", "--stdin"], { input: PEM }).code).toBe(0);
    sb.write("node_modules/.keep", "");
    symlinkSync(ROOT, join(sb.repo, "node_modules", "envvault"));
    sb.write("app.mjs", `${printer}\n`);
    sb.write("app.cjs", `${printer}\n`);
  });

  afterAll(() => {
    sb.write(".gitignore", sb.read(".gitignore") + "node_modules/\n");
    sb.git(["add", "-A"]);
    sb.assertNoSecretInGit();
    sb.cleanup();
  });

  const exported = (format: string, extra: string[] = []) => {
    const r = sb.vault("alice", ["export", "--env", "production", "--format", format, ...extra], { reveals });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    return r.stdout;
  };

  test("k8s: a Secret manifest a YAML parser reads, data decoding to exactly the values", () => {
    const doc = parseYaml(exported("k8s", ["--name", "shop-env", "--namespace", "prod"])) as { kind: string; metadata: object; data: Record<string, string> };
    expect(doc.kind).toBe("Secret");
    expect(doc.metadata).toEqual({ name: "shop-env", namespace: "prod" });
    expect(Object.fromEntries(Object.entries(doc.data).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]))).toEqual(PROD);
  });

  test("docker: docker's env-file reader gets exactly the values", () => {
    expect(dockerParse(exported("docker"))).toEqual(PROD);
  });

  test("shell: sh evaluates the exports to exactly the values", () => {
    const r = sb.exec("alice", "sh", ["-c", 'eval "$EXPORTS"; exec "$0" -e "$1"', process.execPath, printer], { env: { EXPORTS: exported("shell") }, reveals });
    expect(JSON.parse(r.stdout)).toEqual(PROD);
  });

  test("json and yaml read back exactly; dotenv reads back exactly or refuses a value no shell-safe line can hold", () => {
    expect(JSON.parse(exported("json"))).toEqual(PROD);
    expect(parseYaml(exported("yaml"))).toEqual(PROD);
    // QUOTES holds ' with " and a backtick: no .env line is both dotenv-exact and shell-safe.
    const refused = sb.vault("alice", ["export", "--env", "production", "--format", "dotenv"]);
    expect({ code: refused.code, stdout: refused.stdout }).toEqual({ code: 5, stdout: "" });
    expect(refused.stderr).toMatch(/the value of QUOTES cannot be written/);
    const { QUOTES, ...writable } = PROD;
    expect(QUOTES).toContain("'");
    expect(sb.vault("alice", ["remove", "QUOTES", "--env", "production"]).code).toBe(0);
    try {
      const viaDotenv = sb.exec("alice", process.execPath, ["-e", `process.stdout.write(JSON.stringify(require(${JSON.stringify(join(ROOT, "node_modules", "dotenv"))}).parse(require("fs").readFileSync(0))))`], { input: exported("dotenv"), reveals });
      expect(JSON.parse(viaDotenv.stdout)).toEqual(writable);
    } finally {
      expect(sb.vault("alice", ["set", "QUOTES", "--stdin", "--env", "production"], { input: PROD.QUOTES }).code).toBe(0);
    }
  });

  test("github: masks on stdout, heredocs in $GITHUB_ENV that the runner's rules read back", () => {
    sb.write("gh.env", "");
    const r = sb.vault("alice", ["export", "--env", "production", "--format", "github"], { env: { GITHUB_ENV: join(sb.repo, "gh.env") }, reveals });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^::add-mask::  padded  $/m);
    expect(r.stdout).toMatch(/^::add-mask::50%250Aoff, 100%25$/m);
    expect(githubParse(sb.read("gh.env"))).toEqual(PROD);
    sb.remove("gh.env");
  });

  describe("a value the format cannot express: clear error, nothing printed", () => {
    test("docker refuses a multi-line value, naming the key", () => {
      const r = sb.vault("alice", ["export", "--format", "docker"]);
      expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 5, stdout: "" });
      expect(r.stderr).toMatch(/^vault: error: PEM holds a line break, which docker's --env-file format cannot express$/m);
      expect(r.stderr).toMatch(/^vault: hint: .*--format json/m);
    });

    test("dotenv refuses a value no quoting can hold, naming the key", () => {
      expect(sb.vault("alice", ["set", "UNWRITABLE", "--stdin", "--env", "staging"], { input: "it's \"both\" #x\\" }).code).toBe(0);
      const r = sb.vault("alice", ["export", "--env", "staging", "--format", "dotenv"]);
      expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 5, stdout: "" });
      expect(r.stderr).toMatch(/UNWRITABLE/);
    });
  });

  describe("envvault/config in a real node process", () => {
    const node = (args: string[], env: NodeJS.ProcessEnv = {}) => sb.exec("alice", process.execPath, args, { env: { ENVVAULT_ENV: "production", ...env }, reveals });

    test("node --import envvault/config fills process.env; a variable already set keeps its value", () => {
      const r = node(["--import", "envvault/config", "app.mjs"], { PRESET: "mine", SPACES: "from the shell" });
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
      expect(JSON.parse(r.stdout)).toEqual({ ...PROD, SPACES: "from the shell", PRESET: "mine" });
    });

    test("node -r envvault/config (CommonJS) does the same", () => {
      const r = node(["-r", "envvault/config", "app.cjs"]);
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
      expect(JSON.parse(r.stdout)).toEqual(PROD);
    });

    test("a failure stops the program before it starts, with vault's message and exit code", () => {
      for (const flag of ["--import", "-r"]) {
        const r = node([flag, "envvault/config", "app.mjs"], { ENVVAULT_ENV: "nope" });
        expect({ flag, code: r.code, stdout: r.stdout }).toEqual({ flag, code: 2, stdout: "" });
        expect(r.stderr).toMatch(/^envvault: error: unknown environment "nope"$/m);
      }
    });

    test("import { load } from \"envvault\" returns the resolved environment", () => {
      const r = node(["--input-type=module", "-e", 'import { load } from "envvault"; console.log(JSON.stringify(await load()))']);
      expect(JSON.parse(r.stdout)).toEqual(PROD);
    });
  });

  test("a production-only required variable missing fails validate for production only", () => {
    const all = sb.vault("alice", ["validate"]);
    expect({ code: all.code, stdout: all.stdout }).toEqual({ code: 5, stdout: "production: STRIPE_KEY is required but not set\n" });
    expect(sb.vault("alice", ["validate", "--env", "development"]).code).toBe(0);
    expect(sb.vault("alice", ["validate", "--env", "staging"]).code).toBe(0);
    expect(sb.vault("alice", ["validate", "--env", "production"]).code).toBe(5);
  });

  test("use refuses an environment you cannot read (exit 3) and lists those you can", () => {
    const keyFile = ".envvault/keys/staging/alice.age";
    const saved = readFileSync(join(sb.repo, keyFile));
    sb.remove(keyFile);
    try {
      const r = sb.vault("alice", ["use", "staging"]);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/^vault: error: you cannot read environment staging$/m);
      expect(r.stderr).toMatch(/^vault: hint: environments you can read: development, production$/m);
    } finally {
      sb.write(keyFile, saved);
    }
  });
});
