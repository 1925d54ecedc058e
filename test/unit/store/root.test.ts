/** The one rule for where a vault lives (src/store/root.ts, docs/ARCHITECTURE.md). */
import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UsageError } from "../../../src/errors.js";
import { findVaultRoot, vaultRootOrNone } from "../../../src/store/root.js";
import { thrown } from "../errors.js";

let dir: string;

beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), "envvault-root-")));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function vaultIn(d: string): void {
  mkdirSync(join(d, ".envvault"), { recursive: true });
  writeFileSync(join(d, ".envvault", "vault.yaml"), "version: 1\n");
}

describe("findVaultRoot", () => {
  test("in a git work tree, the vault at its top is found from any directory below", () => {
    mkdirSync(join(dir, ".git"));
    vaultIn(dir);
    mkdirSync(join(dir, "a", "b"), { recursive: true });
    expect(findVaultRoot(join(dir, "a", "b"))).toBe(dir);
    expect(findVaultRoot(dir)).toBe(dir);
  });

  test("a vault below the top of the work tree is a usage error naming it and the way out", () => {
    mkdirSync(join(dir, ".git"));
    vaultIn(join(dir, "app"));
    const e = thrown(() => findVaultRoot(join(dir, "app")));
    expect(e).toBeInstanceOf(UsageError);
    expect(e.exitCode).toBe(2);
    expect(e.data.file).toBe(join("app", ".envvault", "vault.yaml"));
    expect(e.hints.join("\n")).toContain("git mv app/.envvault .envvault");
  });

  test("a work tree without a vault at its top has none, and hooks see none", () => {
    mkdirSync(join(dir, ".git"));
    mkdirSync(join(dir, "a"));
    const e = thrown(() => findVaultRoot(join(dir, "a")));
    expect(e.code).toBe("NOT_FOUND");
    expect(vaultRootOrNone(join(dir, "a"))).toBeUndefined();
  });

  test("outside git, the nearest directory at or above that holds a vault", () => {
    vaultIn(dir);
    vaultIn(join(dir, "inner"));
    mkdirSync(join(dir, "inner", "x"));
    expect(findVaultRoot(join(dir, "inner", "x"))).toBe(join(dir, "inner"));
    expect(findVaultRoot(dir)).toBe(dir);
  });
});
