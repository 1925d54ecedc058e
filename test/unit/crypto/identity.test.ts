import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateIdentity, identityToRecipient } from "../../../src/crypto/age.js";
import { formatIdentityFile, parseIdentityFile } from "../../../src/crypto/identity.js";
import { defaultIdentityPath, resolveIdentity, writeIdentityFile } from "../../../src/store/identity.js";
import { VaultError } from "../../../src/errors.js";

// Throwaway test keys (the first is the age specification's example key); they protect nothing.
const KEY_A = "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX";
const KEY_B = "AGE-SECRET-KEY-1H9QF0FCXDK7R6WKKXZXHXWUQ27WYSN8TU763C0XKUGZF3D75Y4VS8ARKV7";

async function failure(promise: Promise<unknown> | (() => unknown)): Promise<VaultError> {
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (error) {
    expect(error).toBeInstanceOf(VaultError);
    return error as VaultError;
  }
  throw new Error("expected a failure");
}

describe("parseIdentityFile", () => {
  test("reads age-keygen's layout", () => {
    const text = `# created: 2025-01-01T12:00:00Z\n# public key: age1xyz\n${KEY_A}\n`;
    expect(parseIdentityFile(text, "id.txt")).toEqual([KEY_A]);
  });

  test("keeps several identities in order and skips blank and comment lines, CRLF and a BOM", () => {
    const text = `\uFEFF# one\r\n${KEY_A}\r\n\r\n   \n#two\n  ${KEY_B}  \n`;
    expect(parseIdentityFile(text, "id.txt")).toEqual([KEY_A, KEY_B]);
  });

  test("names the file and line of a line that is not an identity, without its content", async () => {
    const error = await failure(() => parseIdentityFile(`# ok\n${KEY_A}\nDB_PASSWORD=hunter2\n`, "/home/me/id.txt"));
    expect(error.code).toBe("BAD_IDENTITY");
    expect(error.message).toBe("/home/me/id.txt:3: not an age X25519 identity");
    expect(error.data).toEqual({ file: "/home/me/id.txt", line: 3 });
    expect(JSON.stringify({ m: error.message, d: error.data, h: error.hints })).not.toContain("hunter2");
  });

  test("refuses a key with a broken checksum and a file with no identity", async () => {
    expect((await failure(() => parseIdentityFile(KEY_A.slice(0, -1) + "Y", "f"))).code).toBe("BAD_IDENTITY");
    const empty = await failure(() => parseIdentityFile("# nothing here\n", "f"));
    expect(empty.code).toBe("BAD_IDENTITY");
    expect(empty.message).toBe("f: holds no identity");
  });
});

describe("formatIdentityFile", () => {
  test("writes age-keygen's three lines with an RFC 3339 time of the same instant", () => {
    const now = new Date(Date.UTC(2006, 0, 2, 22, 4, 5));
    const text = formatIdentityFile(KEY_A, "age1recipient", now);
    const m = /^# created: (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:Z|[+-]\d\d:\d\d))\n# public key: age1recipient\n(.*)\n$/.exec(text);
    expect(m).not.toBeNull();
    expect(Date.parse(m![1]!)).toBe(now.getTime());
    expect(m![2]).toBe(KEY_A);
    expect(parseIdentityFile(text, "f")).toEqual([KEY_A]);
  });
});

describe("resolveIdentity", () => {
  const files: Record<string, string> = {
    "/flag.txt": `${KEY_A}\n`,
    "/envfile.txt": `${KEY_B}\n`,
    "/home/me/.config/envvault/identity.txt": `# default\n${KEY_A}\n`,
    "/xdg/envvault/identity.txt": `${KEY_B}\n`,
  };
  const readFile = async (path: string) => {
    const text = files[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });
    return text;
  };
  const lookup = (flag: string | undefined, env: Record<string, string>) => ({ flag, env, home: "/home/me", readFile });

  test("--identity comes first", async () => {
    const found = await resolveIdentity(lookup("/flag.txt", { ENVVAULT_IDENTITY: KEY_B, ENVVAULT_IDENTITY_FILE: "/envfile.txt" }));
    expect(found).toEqual({ source: "--identity /flag.txt", identities: [KEY_A] });
  });

  test("then ENVVAULT_IDENTITY, the key text itself (surrounding whitespace ignored)", async () => {
    const found = await resolveIdentity(lookup(undefined, { ENVVAULT_IDENTITY: `\n${KEY_B}\n`, ENVVAULT_IDENTITY_FILE: "/envfile.txt" }));
    expect(found).toEqual({ source: "ENVVAULT_IDENTITY", identities: [KEY_B] });
  });

  test("then ENVVAULT_IDENTITY_FILE", async () => {
    const found = await resolveIdentity(lookup(undefined, { ENVVAULT_IDENTITY_FILE: "/envfile.txt" }));
    expect(found).toEqual({ source: "ENVVAULT_IDENTITY_FILE /envfile.txt", identities: [KEY_B] });
  });

  test("then $XDG_CONFIG_HOME/envvault/identity.txt, else ~/.config/envvault/identity.txt", async () => {
    expect(await resolveIdentity(lookup(undefined, { XDG_CONFIG_HOME: "/xdg" }))).toEqual({
      source: "/xdg/envvault/identity.txt",
      identities: [KEY_B],
    });
    expect(await resolveIdentity(lookup(undefined, {}))).toEqual({
      source: "/home/me/.config/envvault/identity.txt",
      identities: [KEY_A],
    });
  });

  test("ignores a relative XDG_CONFIG_HOME and empty variables", async () => {
    expect(defaultIdentityPath({ XDG_CONFIG_HOME: "rel" }, "/home/me")).toBe("/home/me/.config/envvault/identity.txt");
    const found = await resolveIdentity(lookup(undefined, { ENVVAULT_IDENTITY: "", ENVVAULT_IDENTITY_FILE: "" }));
    expect(found.source).toBe("/home/me/.config/envvault/identity.txt");
  });

  test("a missing identity lists every place tried and how to create one", async () => {
    const error = await failure(
      resolveIdentity({ env: { ENVVAULT_IDENTITY: "" }, home: "/nobody", readFile }),
    );
    expect(error.code).toBe("NO_IDENTITY");
    expect(error.message).toBe(
      "no age identity found; tried: --identity (not given), ENVVAULT_IDENTITY (empty), " +
        "ENVVAULT_IDENTITY_FILE (not set), /nobody/.config/envvault/identity.txt (no such file)",
    );
    expect(error.hints.join("\n")).toContain("vault keygen");
    expect(error.hints.join("\n")).toContain("age-keygen -o /nobody/.config/envvault/identity.txt");
  });

  test("an explicit file that is missing is an error naming it, not a reason to look further", async () => {
    const error = await failure(resolveIdentity(lookup("/missing.txt", {})));
    expect(error.code).toBe("NO_IDENTITY");
    expect(error.message).toContain("/missing.txt (no such file)");
    expect(error.data.file).toBe("/missing.txt");
  });

  test("an identity that does not parse is BAD_IDENTITY naming its source", async () => {
    const error = await failure(resolveIdentity(lookup(undefined, { ENVVAULT_IDENTITY: "not-a-key" })));
    expect(error.code).toBe("BAD_IDENTITY");
    expect(error.message).toBe("ENVVAULT_IDENTITY:1: not an age X25519 identity");
  });

  test("reads real files by default", async () => {
    const dir = mkdtempSync(join(tmpdir(), "envvault-id-"));
    try {
      writeFileSync(join(dir, "id.txt"), `${KEY_A}\n`);
      expect(await resolveIdentity({ flag: join(dir, "id.txt"), env: {} })).toEqual({
        source: `--identity ${join(dir, "id.txt")}`,
        identities: [KEY_A],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("writeIdentityFile", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "envvault-keygen-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test("creates missing directories 0700 and the file 0600 in age-keygen's format", async () => {
    const path = join(dir, "config", "envvault", "identity.txt");
    const { recipient } = await writeIdentityFile(path);
    expect(statSync(join(dir, "config")).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, "config", "envvault")).mode & 0o777).toBe(0o700);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const text = readFileSync(path, "utf8");
    expect(text).toMatch(/^# created: .+\n# public key: age1.+\nAGE-SECRET-KEY-1.+\n$/);
    const [identity] = parseIdentityFile(text, path);
    expect(await identityToRecipient(identity!)).toBe(recipient);
    expect(text).toContain(`# public key: ${recipient}\n`);
    expect(readdirSync(join(dir, "config", "envvault"))).toEqual(["identity.txt"]);
  });

  test("refuses to overwrite an existing file and leaves it as it was", async () => {
    const path = join(dir, "identity.txt");
    const existing = formatIdentityFile(await generateIdentity(), "age1x", new Date());
    writeFileSync(path, existing);
    const error = await failure(writeIdentityFile(path));
    expect(error.code).toBe("CONFLICT");
    expect(error.message).toBe(`${path} already exists; envvault never overwrites an identity`);
    expect(readFileSync(path, "utf8")).toBe(existing);
    expect(readdirSync(dir)).toEqual(["identity.txt"]);
  });

  test("a directory that cannot be made is an error naming it, not a hang (Node's recursive mkdir loops on /proc/x)", async () => {
    const error = await failure(writeIdentityFile("/proc/envvault-no-such/dir/identity.txt"));
    expect(error.message).toMatch(/^cannot create the directory \/proc\/envvault-no-such\/dir: /);
    writeFileSync(join(dir, "file"), "");
    const notDir = await failure(writeIdentityFile(join(dir, "file", "identity.txt")));
    expect(notDir.message).toMatch(/^cannot create the directory .*file: /);
  });
});
