/**
 * withLock on a file system without hard links (FAT, some FUSE and SMB mounts), where
 * link() fails with EPERM: the lock is then created empty and written, so a fresh lock
 * without an owner may be one being written and is not broken at once.
 */
import { afterEach, beforeEach, describe, expect, jest, test } from "@jest/globals";
import { createRequire } from "node:module";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";

const real = createRequire(import.meta.url)("node:fs/promises") as typeof import("node:fs/promises");
jest.unstable_mockModule("node:fs/promises", () => ({
  ...real,
  link: async () => {
    throw Object.assign(new Error("EPERM: operation not permitted, link"), { code: "EPERM" });
  },
}));
const { withLock } = await import("../../../src/io/lock.js");

let dir: string;

beforeEach(async () => {
  dir = await real.mkdtemp(join(tmpdir(), "envvault-lock-"));
});

afterEach(async () => {
  await real.rm(dir, { recursive: true, force: true });
});

const lockFile = () => join(dir, "lock");

describe("withLock without hard links", () => {
  test("holds a lock naming this process and leaves nothing behind", async () => {
    await withLock(dir, async () => {
      expect(JSON.parse(await real.readFile(lockFile(), "utf8"))).toMatchObject({ pid: process.pid, host: hostname() });
    });
    expect(await real.readdir(dir)).toEqual([]);
  });

  test("a fresh empty lock may be one being written: it is waited for, not broken", async () => {
    await real.writeFile(lockFile(), "");
    await expect(withLock(dir, () => "ran", { timeoutMs: 100 })).rejects.toMatchObject({ code: "LOCKED" });
    expect(await real.readFile(lockFile(), "utf8")).toBe("");
  });

  test("an empty lock a few seconds old is taken over at once", async () => {
    await real.writeFile(lockFile(), "");
    const old = new Date(Date.now() - 10_000);
    await real.utimes(lockFile(), old, old);
    await expect(withLock(dir, () => "ran", { timeoutMs: 0 })).resolves.toBe("ran");
  });

  test("two overlapping holders still run one after the other", async () => {
    let holding = 0;
    let most = 0;
    const hold = () =>
      withLock(
        dir,
        async () => {
          most = Math.max(most, ++holding);
          await new Promise((resolve) => setTimeout(resolve, 20));
          holding--;
        },
        { retryMs: 5 },
      );
    await Promise.all([hold(), hold(), hold()]);
    expect(most).toBe(1);
  });
});
