import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { VaultError } from "../../../src/errors.js";
import { withLock } from "../../../src/io/lock.js";

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "envvault-lock-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const lockFile = () => join(dir, "lock");
const exists = (path: string) => stat(path).then(
  () => true,
  () => false,
);

/** The pid of a process that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(child.stdout);
}

describe("withLock", () => {
  test("holds a lock file naming this process while fn runs, and removes it after", async () => {
    const result = await withLock(dir, async () => {
      const holder = JSON.parse(await readFile(lockFile(), "utf8"));
      expect(holder).toMatchObject({ pid: process.pid, host: hostname() });
      expect(Date.parse(holder.time)).not.toBeNaN();
      return 42;
    });
    expect(result).toBe(42);
    expect(await exists(lockFile())).toBe(false);
  });

  test("creates the lock directory when missing", async () => {
    await withLock(join(dir, "a", "b"), () => undefined);
    expect(await exists(join(dir, "a", "b"))).toBe(true);
  });

  test("two overlapping holders run one after the other", async () => {
    const events: string[] = [];
    const holder = (name: string) => async () => {
      events.push(`${name} start`);
      await sleep(60);
      events.push(`${name} end`);
    };
    await Promise.all([withLock(dir, holder("a")), withLock(dir, holder("b"))]);
    expect(events).toEqual(["a start", "a end", "b start", "b end"]);
  });

  test("releases the lock when fn throws", async () => {
    await expect(
      withLock(dir, () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await exists(lockFile())).toBe(false);
  });

  test("times out with LOCKED naming the lock file and the holder pid", async () => {
    await writeFile(lockFile(), JSON.stringify({ pid: process.pid, host: hostname(), time: new Date().toISOString() }));
    const started = Date.now();
    const error = await withLock(dir, () => "ran", { timeoutMs: 200, retryMs: 20 }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(error).toBeInstanceOf(VaultError);
    expect(error).toMatchObject({ code: "LOCKED", data: { file: lockFile(), pid: process.pid } });
    expect((error as VaultError).message).toContain(`${lockFile()} is held by pid ${process.pid} since`);
    expect(await exists(lockFile())).toBe(true);
  });

  test("takes over a lock whose process is dead on this host", async () => {
    const pid = deadPid();
    await writeFile(lockFile(), JSON.stringify({ pid, host: hostname(), time: new Date().toISOString() }));
    await expect(withLock(dir, () => "ran", { timeoutMs: 200 })).resolves.toBe("ran");
    expect(await exists(lockFile())).toBe(false);
  });

  test("waits for a dead pid of another host, but takes over once the lock is old", async () => {
    const content = JSON.stringify({ pid: deadPid(), host: `not-${hostname()}`, time: "2020-01-01T00:00:00.000Z" });
    await writeFile(lockFile(), content);
    await expect(withLock(dir, () => "ran", { timeoutMs: 100 })).rejects.toMatchObject({ code: "LOCKED" });
    const old = new Date(Date.now() - 11 * 60_000);
    await utimes(lockFile(), old, old);
    await expect(withLock(dir, () => "ran", { timeoutMs: 100 })).resolves.toBe("ran");
  });

  test("an unreadable lock only goes stale with age", async () => {
    await writeFile(lockFile(), "");
    await expect(withLock(dir, () => "ran", { timeoutMs: 100 })).rejects.toThrow("held by another process");
    await expect(withLock(dir, () => "ran", { timeoutMs: 1000, staleMs: 50 })).resolves.toBe("ran");
  });

  test("does not remove a lock that another process took over meanwhile", async () => {
    const theirs = JSON.stringify({ pid: process.pid, host: hostname(), token: "theirs" });
    await withLock(dir, async () => {
      await writeFile(lockFile(), theirs);
    });
    expect(await readFile(lockFile(), "utf8")).toBe(theirs);
  });
});
