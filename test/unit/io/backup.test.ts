import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { BACKUP_DIR, backup, listBackups } from "../../../src/io/backup.js";

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "envvault-backup-"));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A clock that advances one second per call from 2025-01-02T03:04:05.678Z. */
function ticking(): () => Date {
  let t = Date.UTC(2025, 0, 2, 3, 4, 5, 678);
  return () => new Date((t += 1000) - 1000);
}

describe("backup", () => {
  test("copies the file into a private, timestamped backup", async () => {
    await writeFile(join(root, ".env"), "A=1\r\n");
    const path = await backup(".env", { root, now: () => new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 678)) });
    expect(path).toBe(join(root, BACKUP_DIR, ".env~20250102T030405.678Z-000.bak"));
    expect(await readFile(path!, "utf8")).toBe("A=1\r\n");
    expect((await stat(path!)).mode & 0o777).toBe(0o600);
    expect((await stat(join(root, BACKUP_DIR))).mode & 0o777).toBe(0o700);
  });

  test("tightens a backup directory that exists with looser permissions", async () => {
    await mkdir(join(root, BACKUP_DIR), { recursive: true });
    await chmod(join(root, BACKUP_DIR), 0o755);
    await writeFile(join(root, ".env"), "A=1\n");
    await backup(join(root, ".env"), { root });
    expect((await stat(join(root, BACKUP_DIR))).mode & 0o777).toBe(0o700);
  });

  test("returns undefined and writes nothing when the target does not exist", async () => {
    expect(await backup(".env", { root })).toBeUndefined();
    await expect(readdir(join(root, ".envvault.local"))).rejects.toThrow();
  });

  test("keeps the 10 newest backups per target, removing the oldest", async () => {
    const now = ticking();
    await writeFile(join(root, ".env"), "A=0\n");
    const paths: string[] = [];
    for (let i = 0; i < 12; i++) {
      await writeFile(join(root, ".env"), `A=${i}\n`);
      paths.push((await backup(".env", { root, now }))!);
    }
    const kept = await listBackups(".env", { root });
    expect(kept.map((b) => b.path)).toEqual(paths.slice(2));
    expect(kept[0]!.time.toISOString()).toBe("2025-01-02T03:04:07.678Z");
    expect(await readFile(kept[9]!.path, "utf8")).toBe("A=11\n");
    await backup(".env", { root, now, keep: 3 });
    expect(await listBackups(".env", { root })).toHaveLength(3);
  });

  test("two backups in the same millisecond get distinct names in order", async () => {
    await writeFile(join(root, ".env"), "A=1\n");
    const now = () => new Date(Date.UTC(2025, 0, 2));
    const first = await backup(".env", { root, now });
    const second = await backup(".env", { root, now });
    expect(basename(first!)).toBe(".env~20250102T000000.000Z-000.bak");
    expect(basename(second!)).toBe(".env~20250102T000000.000Z-001.bak");
    expect((await listBackups(".env", { root })).map((b) => b.path)).toEqual([first, second]);
  });

  test("targets with similar names never share backups", async () => {
    const targets = ["api/.env", "api_.env", "api%2F.env", "api~.env", "api/.env.local", ".env", "a/b/.env", "a%2Fb/.env"];
    const now = ticking();
    for (const target of targets) {
      await mkdir(join(root, target, ".."), { recursive: true });
      await writeFile(join(root, target), target);
      await backup(target, { root, now });
    }
    for (const target of targets) {
      const list = await listBackups(target, { root });
      expect(list).toHaveLength(1);
      expect(await readFile(list[0]!.path, "utf8")).toBe(target);
    }
    expect(await readdir(join(root, BACKUP_DIR))).toHaveLength(targets.length);
  });

  test("shortens the name of a deeply nested target and keeps it distinct", async () => {
    const deep = (last: string) => join(...Array.from({ length: 12 }, () => "directory-name"), last);
    const now = ticking();
    for (const target of [deep(".env"), deep(".env.local")]) {
      await mkdir(join(root, target, ".."), { recursive: true });
      await writeFile(join(root, target), target);
      const path = await backup(target, { root, now });
      expect(basename(path!).length).toBeLessThan(200);
    }
    expect(await listBackups(deep(".env"), { root })).toHaveLength(1);
    expect(await listBackups(deep(".env.local"), { root })).toHaveLength(1);
  });

  test("a clock set back never makes the new backup the one removed", async () => {
    await writeFile(join(root, ".env"), "A=1\n");
    await backup(".env", { root, keep: 1, now: () => new Date(Date.UTC(2025, 5, 1)) });
    await writeFile(join(root, ".env"), "A=2\n");
    const path = await backup(".env", { root, keep: 1, now: () => new Date(Date.UTC(2024, 5, 1)) });
    const list = await listBackups(".env", { root });
    expect(list.map((b) => b.path)).toEqual([path]);
    expect(await readFile(path!, "utf8")).toBe("A=2\n");
  });

  test("listBackups is empty without a backup directory and ignores foreign files", async () => {
    expect(await listBackups(".env", { root })).toEqual([]);
    await mkdir(join(root, BACKUP_DIR), { recursive: true });
    await writeFile(join(root, BACKUP_DIR, ".env~notes.txt"), "");
    expect(await listBackups(".env", { root })).toEqual([]);
  });
});
