import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { VaultError } from "../../../src/errors.js";
import { withLock } from "../../../src/io/lock.js";
import { deadPid } from "./pids.js";

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
    // Either may get it first: the lock promises exclusion, not the order of arrival.
    const [first, second] = events[0] === "a start" ? ["a", "b"] : ["b", "a"];
    expect(events).toEqual([`${first} start`, `${first} end`, `${second} start`, `${second} end`]);
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

  // A timeout of 0 fails at the first wait: these locks must cost none at all.
  test("takes over an empty lock (as a full disk leaves one) at once, without waiting", async () => {
    await writeFile(lockFile(), "");
    await expect(withLock(dir, () => "ran", { timeoutMs: 0 })).resolves.toBe("ran");
    expect(await exists(lockFile())).toBe(false);
  });

  test.each([
    ["truncated JSON", `{"pid":${process.pid},"host":`],
    ["binary junk", "\u0000\uffff\u0001junk"],
    ["JSON without a host", JSON.stringify({ pid: process.pid })],
    ["JSON without a pid", JSON.stringify({ host: hostname() })],
    ["JSON null", "null"],
  ])("takes over a lock holding %s at once, without waiting", async (_, content) => {
    await writeFile(lockFile(), content);
    await expect(withLock(dir, () => "ran", { timeoutMs: 0 })).resolves.toBe("ran");
  });

  test("takes over the lock of a dead process on this host at once, without waiting", async () => {
    await writeFile(lockFile(), JSON.stringify({ pid: deadPid(), host: hostname(), time: new Date().toISOString() }));
    await expect(withLock(dir, () => "ran", { timeoutMs: 0 })).resolves.toBe("ran");
  });

  test("waits for the live lock of another process and times out with LOCKED, leaving its lock", async () => {
    const other = spawn(process.execPath, ["-e", "setTimeout(() => {}, 30000)"], { stdio: "ignore" });
    try {
      const theirs = JSON.stringify({ pid: other.pid, host: hostname(), time: new Date().toISOString() });
      await writeFile(lockFile(), theirs);
      await expect(withLock(dir, () => "ran", { timeoutMs: 200, retryMs: 20 })).rejects.toMatchObject({ code: "LOCKED", data: { pid: other.pid } });
      expect(await readFile(lockFile(), "utf8")).toBe(theirs);
    } finally {
      other.kill("SIGKILL");
    }
  });

  test("a breaker that died while breaking a lock does not keep others from breaking it", async () => {
    const dead = JSON.stringify({ pid: deadPid(), host: hostname(), time: new Date().toISOString() });
    await writeFile(lockFile(), "");
    await writeFile(`${lockFile()}.break`, dead);
    await expect(withLock(dir, () => "ran", { timeoutMs: 0 })).resolves.toBe("ran");
    expect(await readdir(dir)).toEqual([]);
  });

  test.each([
    ["no lock", undefined],
    ["an empty lock", ""],
    ["a dead process's lock", "dead"],
  ])("concurrent acquirers meeting %s never hold it at the same time", async (_, initial) => {
    const content = initial === "dead" ? JSON.stringify({ pid: deadPid(), host: hostname() }) : initial;
    for (let round = 0; round < 20; round++) {
      if (content !== undefined) await writeFile(lockFile(), content);
      let holding = 0;
      let most = 0;
      let ran = 0;
      await Promise.all(
        Array.from({ length: 8 }, () =>
          withLock(
            dir,
            async () => {
              most = Math.max(most, ++holding);
              await sleep(1);
              holding--;
              ran++;
            },
            { retryMs: 2 },
          ),
        ),
      );
      expect({ round, most, ran }).toEqual({ round, most: 1, ran: 8 });
    }
    expect(await readdir(dir)).toEqual([]);
  });

  test("a lock is never seen empty or half written", async () => {
    let done = false;
    const seen: string[] = [];
    const reader = (async () => {
      while (!done) {
        const text = await readFile(lockFile(), "utf8").catch(() => undefined);
        if (text !== undefined) seen.push(text);
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    for (let i = 0; i < 200; i++) await withLock(dir, () => undefined);
    done = true;
    await reader;
    for (const text of seen) expect(JSON.parse(text)).toMatchObject({ pid: process.pid, host: hostname() });
  });

  test("leaves no temp file beside the lock, whether it got the lock or gave up", async () => {
    await withLock(dir, () => undefined);
    await writeFile(lockFile(), JSON.stringify({ pid: process.pid, host: hostname() }));
    await expect(withLock(dir, () => "ran", { timeoutMs: 50 })).rejects.toMatchObject({ code: "LOCKED" });
    expect(await readdir(dir)).toEqual(["lock"]);
  });

  test("does not remove a lock that another process took over meanwhile", async () => {
    const theirs = JSON.stringify({ pid: process.pid, host: hostname(), token: "theirs" });
    await withLock(dir, async () => {
      await writeFile(lockFile(), theirs);
    });
    expect(await readFile(lockFile(), "utf8")).toBe(theirs);
  });
});
