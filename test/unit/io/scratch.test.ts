import { afterEach, beforeEach, describe, expect, jest, test } from "@jest/globals";
import { chown, mkdir, mkdtemp, readdir, rm, stat, symlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { deadPid } from "./pids.js";

// What TMPDIR would give: jest hands tests a copy of process.env that node:os does not read.
let temp: string;
const os = createRequire(import.meta.url)("node:os") as typeof import("node:os");
jest.unstable_mockModule("node:os", () => ({ ...os, default: os, tmpdir: () => temp }));
const { hostname } = os;
const { withLock } = await import("../../../src/io/lock.js");
const { createScratchDir, sweepScratchDirs } = await import("../../../src/io/scratch.js");

let base: string;

beforeEach(async () => {
  base = await mkdtemp(join(os.tmpdir(), "envvault-scratch-test-"));
  temp = join(base, "tmp");
  await mkdir(temp);
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

/** A directory named as createScratchDir names one, for `pid` on `host`, with a file in it. */
async function planted(pid: number, host = hostname()): Promise<string> {
  const path = join(temp, `envvault-edit-${pid}-${host}-AbC123`);
  await mkdir(path, { mode: 0o700 });
  await writeFile(join(path, "development.env"), "KEY=value\n", { mode: 0o600 });
  return path;
}

const names = async () => (await readdir(temp)).sort();

describe("createScratchDir", () => {
  test("makes a 0700 directory of this user in the temp dir, named after its purpose, pid and host", async () => {
    const dir = await createScratchDir("edit");
    expect(dir.startsWith(`${temp}/envvault-edit-${process.pid}-`)).toBe(true);
    const info = await stat(dir);
    expect(info.isDirectory()).toBe(true);
    expect(info.mode & 0o777).toBe(0o700);
    expect(info.uid).toBe(process.getuid?.());
  });

  test("fails with a VaultError naming the temp dir when it cannot be written", async () => {
    temp = join(base, "missing");
    await expect(createScratchDir("edit")).rejects.toMatchObject({ code: "NOT_FOUND", data: { file: join(base, "missing") } });
  });
});

describe("sweepScratchDirs", () => {
  test("removes the directory of a dead process, and nothing else", async () => {
    const dead = await planted(deadPid());
    const live = await planted(process.pid);
    const otherHost = await planted(deadPid(), `not-${hostname()}`);
    await mkdir(join(temp, "envvault-editor-notes"));
    await mkdir(join(temp, "envvault-e2e-AbC123"));
    await writeFile(join(temp, `envvault-edit-${deadPid()}-${hostname()}-FiLe12`), "a file, not a directory");
    const target = join(base, "target");
    await mkdir(target);
    await writeFile(join(target, "keep"), "");
    await symlink(target, join(temp, `envvault-edit-${deadPid()}-${hostname()}-LiNk12`));
    const before = await names();

    await sweepScratchDirs();

    expect(await names()).toEqual(before.filter((n) => join(temp, n) !== dead));
    expect(await readdir(live)).toEqual(["development.env"]);
    expect(await readdir(otherHost)).toEqual(["development.env"]);
    expect(await readdir(target)).toEqual(["keep"]);
  });

  (process.getuid?.() === 0 ? test : test.skip)("leaves another user's directory alone", async () => {
    const theirs = await planted(deadPid());
    await chown(theirs, 12345, 12345);
    await sweepScratchDirs();
    expect(await readdir(theirs)).toEqual(["development.env"]);
  });

  test("never throws, even when the temp dir does not exist", async () => {
    temp = join(base, "missing");
    await expect(sweepScratchDirs()).resolves.toBeUndefined();
  });
});

describe("withLock", () => {
  test("sweeps the scratch directories of dead processes once it holds the lock", async () => {
    await planted(deadPid());
    const live = await planted(process.pid);
    await withLock(join(base, "local"), () => undefined);
    expect(await names()).toEqual([live.slice(temp.length + 1)]);
  });

  test("is not failed by a sweep that cannot run", async () => {
    temp = join(base, "missing");
    await expect(withLock(join(base, "local"), () => "ran")).resolves.toBe("ran");
  });
});
