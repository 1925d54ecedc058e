import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile, lstat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VaultError } from "../../../src/errors.js";
import { decodeText, prepareWrites, readText, writeFileAtomic, writeFileAtomicIfChanged, writeFilesAtomic } from "../../../src/io/atomic.js";

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "envvault-atomic-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;
const tempFiles = async (where = dir) => (await readdir(where)).filter((n) => n.endsWith(".tmp"));

async function thrown(promise: Promise<unknown>): Promise<VaultError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VaultError);
  return error as VaultError;
}

describe("writeFileAtomic", () => {
  test("creates a new file with mode 0600, or the mode asked for", async () => {
    await writeFileAtomic(join(dir, ".env"), "A=1\n");
    await writeFileAtomic(join(dir, "public"), new Uint8Array([0x41, 0x0a]), { mode: 0o644 });
    expect(await readFile(join(dir, ".env"), "utf8")).toBe("A=1\n");
    expect(await modeOf(join(dir, ".env"))).toBe(0o600);
    expect(await readFile(join(dir, "public"), "utf8")).toBe("A\n");
    expect(await modeOf(join(dir, "public"))).toBe(0o644);
    expect(await tempFiles()).toEqual([]);
  });

  test("keeps the mode of an existing file, even one the umask would clear", async () => {
    const path = join(dir, ".env");
    await writeFile(path, "OLD=1\n");
    await chmod(path, 0o664);
    await writeFileAtomic(path, "NEW=2\n", { mode: 0o600 });
    expect(await readFile(path, "utf8")).toBe("NEW=2\n");
    expect(await modeOf(path)).toBe(0o664);
  });

  test("refuses a symlink in place of the file: neither the link nor where it points changes", async () => {
    await writeFile(join(dir, "real.env"), "A=1\n");
    await symlink("real.env", join(dir, ".env"));
    const error = await thrown(writeFileAtomic(join(dir, ".env"), "A=2\n"));
    expect(error.code).toBe("UNSAFE_PATH");
    expect((await lstat(join(dir, ".env"))).isSymbolicLink()).toBe(true);
    expect(await readFile(join(dir, "real.env"), "utf8")).toBe("A=1\n");
    expect(await readdir(dir)).toEqual([".env", "real.env"]);
  });

  test("on a failed rename leaves the target untouched and no temp file", async () => {
    const target = join(dir, "target");
    await mkdir(target);
    await writeFile(join(target, "inside"), "x");
    const error = await thrown(writeFileAtomic(target, "A=1\n"));
    expect(error.data.file).toBe(target);
    expect(error.message).toContain(target);
    expect(await readdir(target)).toEqual(["inside"]);
    expect(await tempFiles()).toEqual([]);
  });

  test("fails with a VaultError naming the file when its parent is a file", async () => {
    await writeFile(join(dir, "plain"), "x");
    const error = await thrown(writeFileAtomic(join(dir, "plain", ".env"), "A=1\n"));
    expect(error.code).toBe("FAILURE");
    expect(error.message).toContain(join(dir, "plain", ".env"));
    expect(await tempFiles()).toEqual([]);
  });
});

describe("writeFileAtomicIfChanged", () => {
  test("leaves a file that already holds the text alone (same inode, no temp file), and replaces one that does not", async () => {
    const file = join(dir, "state.json");
    expect(await writeFileAtomicIfChanged(file, "one\n")).toBe(true);
    const first = await stat(file);
    expect(await writeFileAtomicIfChanged(file, "one\n")).toBe(false);
    expect((await stat(file)).ino).toBe(first.ino);
    expect(await writeFileAtomicIfChanged(file, "two\n")).toBe(true);
    expect(await readFile(file, "utf8")).toBe("two\n");
    expect((await stat(file)).ino).not.toBe(first.ino);
    expect(await readdir(dir)).toEqual(["state.json"]);
  });
});

describe("prepareWrites / writeFilesAtomic", () => {
  test("stages every file before touching any target, then commits them", async () => {
    await mkdir(join(dir, "sub"));
    await writeFile(join(dir, "a"), "old a");
    const staged = await prepareWrites([
      { path: join(dir, "a"), data: "new a" },
      { path: join(dir, "sub", "b"), data: "new b" },
    ]);
    expect(staged.files.map((f) => f.target)).toEqual([join(dir, "a"), join(dir, "sub", "b")]);
    expect(await readFile(join(dir, "a"), "utf8")).toBe("old a");
    expect(await readFile(staged.files[1]!.temp, "utf8")).toBe("new b");
    await staged.commit();
    expect(await readFile(join(dir, "a"), "utf8")).toBe("new a");
    expect(await readFile(join(dir, "sub", "b"), "utf8")).toBe("new b");
    expect([...(await tempFiles()), ...(await tempFiles(join(dir, "sub")))]).toEqual([]);
  });

  test("abort removes the temp files and changes nothing", async () => {
    await writeFile(join(dir, "a"), "old a");
    const staged = await prepareWrites([
      { path: join(dir, "a"), data: "new a" },
      { path: join(dir, "b"), data: "new b" },
    ]);
    await staged.abort();
    expect((await readdir(dir)).sort()).toEqual(["a"]);
    expect(await readFile(join(dir, "a"), "utf8")).toBe("old a");
  });

  test("a file that cannot be staged leaves every target and no temp file", async () => {
    await writeFile(join(dir, "a"), "old a");
    await writeFile(join(dir, "plain"), "x");
    await thrown(
      writeFilesAtomic([
        { path: join(dir, "a"), data: "new a" },
        { path: join(dir, "plain", "b"), data: "new b" },
      ]),
    );
    expect((await readdir(dir)).sort()).toEqual(["a", "plain"]);
    expect(await readFile(join(dir, "a"), "utf8")).toBe("old a");
  });

  test("a failed rename names the targets already replaced and removes the rest", async () => {
    await mkdir(join(dir, "c"));
    await writeFile(join(dir, "c", "keep"), "");
    const error = await thrown(
      writeFilesAtomic([
        { path: join(dir, "a"), data: "new a" },
        { path: join(dir, "c"), data: "new c" },
        { path: join(dir, "d"), data: "new d" },
      ]),
    );
    expect(error.data["replaced"]).toEqual([join(dir, "a")]);
    expect((await readdir(dir)).sort()).toEqual(["a", "c"]);
  });
});

describe("readText", () => {
  test("decodes UTF-8 and keeps a BOM", async () => {
    const path = join(dir, ".env");
    await writeFile(path, "\uFEFFNAME=Zoë 🔑\r\n");
    expect(await readText(path)).toBe("\uFEFFNAME=Zoë 🔑\r\n");
  });

  test("names the file, line and byte of the first invalid sequence", async () => {
    const path = join(dir, ".env");
    await writeFile(path, Buffer.concat([Buffer.from("A=1\nB=é\nC="), Buffer.from([0xe9, 0x41]), Buffer.from("\n")]));
    const error = await thrown(readText(path));
    expect(error.code).toBe("INVALID_FILE");
    expect(error.message).toBe(`${path}:3: is not valid UTF-8 (byte 11, column 3)`);
    expect(error.data).toMatchObject({ file: path, line: 3, column: 3, offset: 11 });
  });

  test.each([
    ["an overlong encoding", [0xc0, 0xaf], 0],
    ["a surrogate", [0xed, 0xa0, 0x80], 0],
    ["a code point above U+10FFFF", [0xf4, 0x90, 0x80, 0x80], 0],
    ["a truncated sequence at the end", [0x41, 0xe2, 0x82], 1],
    ["a stray continuation byte", [0x41, 0x42, 0x80], 2],
  ])("refuses %s", (_name, bytes, offset) => {
    expect(() => decodeText(new Uint8Array(bytes), "f")).toThrow(`f:1: is not valid UTF-8 (byte ${offset}, column ${offset + 1})`);
  });

  test("allows NUL bytes unless asked to refuse them", async () => {
    const path = join(dir, ".env");
    await writeFile(path, "A=1\nB=x\0y\n");
    expect(await readText(path)).toBe("A=1\nB=x\0y\n");
    const error = await thrown(readText(path, { rejectNul: true }));
    expect(error.message).toBe(`${path}:2: contains a NUL byte (byte 7, column 4)`);
  });

  test("a missing file is NOT_FOUND naming it", async () => {
    const error = await thrown(readText(join(dir, "nope")));
    expect(error.code).toBe("NOT_FOUND");
    expect(error.data.file).toBe(join(dir, "nope"));
  });
});
