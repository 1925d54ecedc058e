import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { lstat, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkInside, mkdirInside, readInside, readTextInside } from "../../../src/io/confine.js";
import { VaultError } from "../../../src/errors.js";

let base: string;
let root: string;
let outside: string;

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), "envvault-confine-"));
  root = join(base, "repo");
  outside = join(base, "outside");
  await mkdir(root);
  await mkdir(outside);
  await writeFile(join(outside, "secret"), "outside secret\n");
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

async function rejection(p: Promise<unknown>): Promise<VaultError> {
  try {
    await p;
  } catch (e) {
    return e as VaultError;
  }
  throw new Error("it was accepted");
}

describe("checkInside", () => {
  test("returns the absolute path of a file that exists, or of one not created yet", async () => {
    await writeFile(join(root, ".env"), "A=1\n");
    expect(await checkInside(root, ".env")).toBe(join(root, ".env"));
    expect(await checkInside(root, "new/dir/.env")).toBe(join(root, "new/dir/.env"));
  });

  test("refuses the file itself as a symlink, and says so", async () => {
    await symlink(join(outside, "secret"), join(root, ".env"));
    const e = await rejection(checkInside(root, ".env", "target .env"));
    expect(e.code).toBe("UNSAFE_PATH");
    expect(e.message).toBe("target .env is a symlink; envvault never reads or writes through a symlink in the repository");
  });

  test("refuses a symlink anywhere among the parents, naming it", async () => {
    await mkdir(join(root, "a"));
    await symlink(outside, join(root, "a", "b"));
    const e = await rejection(checkInside(root, "a/b/c/.env"));
    expect(e.code).toBe("UNSAFE_PATH");
    expect(e.message).toContain("passes through the symlink a/b");
  });

  test("refuses a symlink even when it points inside the repository", async () => {
    await writeFile(join(root, "real.env"), "A=1\n");
    await symlink("real.env", join(root, ".env"));
    expect((await rejection(checkInside(root, ".env"))).code).toBe("UNSAFE_PATH");
  });

  test("refuses a directory where a file must be, and a file where a directory must be", async () => {
    await mkdir(join(root, ".env"));
    await writeFile(join(root, "f"), "");
    expect((await rejection(checkInside(root, ".env"))).message).toContain("a directory, not a regular file");
    expect((await rejection(checkInside(root, "f/.env"))).code).toBe("UNSAFE_PATH");
  });

  test.each(["../outside/secret", "/etc/passwd", "a/./b", "a//b", ""])("refuses %j, which no caller should pass", async (rel) => {
    expect((await rejection(checkInside(root, rel))).code).toBe("UNSAFE_PATH");
  });
});

describe("readInside", () => {
  test("reads a regular file with its mode; undefined when missing", async () => {
    await writeFile(join(root, ".env"), "A=1\n", { mode: 0o640 });
    expect(await readInside(root, ".env")).toEqual({ bytes: Buffer.from("A=1\n"), mode: 0o640 });
    expect(await readInside(root, "missing.env")).toBeUndefined();
    expect(await readTextInside(root, ".env")).toEqual({ text: "A=1\n", mode: 0o640 });
  });

  test("never reads through a symlink, to a file or through a directory", async () => {
    await symlink(join(outside, "secret"), join(root, ".env"));
    await symlink(outside, join(root, "dir"));
    expect((await rejection(readInside(root, ".env"))).code).toBe("UNSAFE_PATH");
    expect((await rejection(readInside(root, "dir/secret"))).code).toBe("UNSAFE_PATH");
  });

  test("a FIFO planted in place of the file is refused instead of hanging the read", async () => {
    execFileSync("mkfifo", [join(root, ".env")]);
    expect((await rejection(readInside(root, ".env"))).message).toContain("a special file");
  });
});

describe("mkdirInside", () => {
  test("creates missing levels with the mode asked", async () => {
    await mkdirInside(root, "a/b/c", 0o700);
    expect(((await lstat(join(root, "a/b/c"))).mode & 0o777)).toBe(0o700);
    await mkdirInside(root, "a/b/c");
    await mkdirInside(root, ".");
  });

  test("refuses to create below a symlinked directory, and creates nothing there", async () => {
    await symlink(outside, join(root, "a"));
    expect((await rejection(mkdirInside(root, "a/b"))).code).toBe("UNSAFE_PATH");
    expect(existsSync(join(outside, "b"))).toBe(false);
    expect(await readFile(join(outside, "secret"), "utf8")).toBe("outside secret\n");
  });
});
