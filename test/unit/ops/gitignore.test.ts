import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ignorePattern, withIgnored } from "../../../src/store/gitignore.js";

const HEADER = "# envvault: plaintext targets and local state";
let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "envvault-gitignore-"));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const gitignore = (text: string) => writeFile(join(root, ".gitignore"), text);

describe("withIgnored", () => {
  test("without a .gitignore gives a new one with a header and the patterns", async () => {
    expect(await withIgnored(root, ["/.env", "/.envvault.local/"])).toBe(`${HEADER}\n/.env\n/.envvault.local/\n`);
  });

  test("appends only the missing patterns after the existing text", async () => {
    await gitignore("node_modules/\n/.env\n");
    expect(await withIgnored(root, ["/.env", "/.envvault.local/"])).toBe(`node_modules/\n/.env\n${HEADER}\n/.envvault.local/\n`);
  });

  test("treats x and /x as the same pattern, both ways", async () => {
    await gitignore(".env\n/dist\n");
    expect(await withIgnored(root, ["/.env", "dist"])).toBeUndefined();
  });

  test("returns undefined when every pattern is there, ignoring surrounding spaces", async () => {
    await gitignore("  /.env  \n/.envvault.local/\n");
    expect(await withIgnored(root, ["/.env", "/.envvault.local/"])).toBeUndefined();
  });

  test("keeps CRLF line endings", async () => {
    await gitignore("node_modules/\r\n");
    expect(await withIgnored(root, ["/.env"])).toBe(`node_modules/\r\n${HEADER}\r\n/.env\r\n`);
  });

  test("ends an unterminated last line before appending", async () => {
    await gitignore("node_modules/");
    expect(await withIgnored(root, ["/.env"])).toBe(`node_modules/\n${HEADER}\n/.env\n`);
  });

  test("does not repeat the header when it is already there", async () => {
    await gitignore(`${HEADER}\n/.env\n`);
    expect(await withIgnored(root, ["/.env", "/web/.env"])).toBe(`${HEADER}\n/.env\n/web/.env\n`);
  });

  test("applying the result once makes a second run a no-op", async () => {
    await gitignore("node_modules/\n");
    await gitignore((await withIgnored(root, ["/.env", "/.envvault.local/"]))!);
    expect(await withIgnored(root, ["/.env", "/.envvault.local/"])).toBeUndefined();
  });

  test("a pattern asked for twice (two spellings of one target) is appended once", async () => {
    expect(await withIgnored(root, [ignorePattern(".env"), ignorePattern("./.env")])).toBe(`${HEADER}\n/.env\n`);
  });

  test("a commented-out pattern does not count as present", async () => {
    await gitignore("# /.env\n");
    expect(await withIgnored(root, ["/.env"])).toBe(`# /.env\n${HEADER}\n/.env\n`);
  });
});

describe("ignorePattern", () => {
  test("anchors a target path at the repository root with forward slashes", () => {
    expect([".env", "./.env", "web/.env.local", "web\\api\\.env"].map(ignorePattern)).toEqual(["/.env", "/.env", "/web/.env.local", "/web/api/.env"]);
  });
});
