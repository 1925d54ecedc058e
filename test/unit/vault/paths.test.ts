import { describe, expect, test } from "@jest/globals";
import { confinedPath, normalizeInside } from "../../../src/model/paths.js";
import { VaultError } from "../../../src/errors.js";

const origin = { what: "target", setting: "targets[0].path", file: ".envvault/vault.yaml" };

function refusal(path: string): VaultError {
  try {
    confinedPath(path, origin);
  } catch (e) {
    return e as VaultError;
  }
  throw new Error(`${path} was accepted`);
}

describe("normalizeInside", () => {
  test.each([
    [".env", ".env"],
    ["./.env", ".env"],
    ["api//.env", "api/.env"],
    ["a/./b/.env", "a/b/.env"],
    ["a/../b/.env", "b/.env"],
    ["a\\b\\.env", "a/b/.env"],
  ])("%s is %s", (input, output) => expect(normalizeInside(input)).toEqual({ path: output }));

  test.each(["../x", "a/../../x", "/etc/passwd", "\\\\server\\share", "C:/x", "c:x", "", ".", "./", "a/", "a\0b"])("%s is refused", (input) => {
    expect("why" in normalizeInside(input)).toBe(true);
  });
});

describe("confinedPath", () => {
  test.each([
    ["../victim/.bashrc", "leaves the repository"],
    ["/home/alice/.bashrc", "absolute"],
    [".git/hooks/post-checkout", "inside .git/"],
    [".GIT/config", "inside .git/"],
    ["vendor/lib/.git/config", "inside a .git/ directory"],
    [".envvault/envs/production.env", "inside .envvault/"],
    [".envvault.local/state.key", "inside .envvault.local/"],
  ])("refuses %s (%s) with UNSAFE_PATH naming the setting and the path", (path, why) => {
    const e = refusal(path);
    expect(e.code).toBe("UNSAFE_PATH");
    expect(e.exitCode).toBe(5);
    expect(e.message).toContain(why);
    expect(e.message).toContain("targets[0].path");
    expect(e.message).toContain(JSON.stringify(path));
    expect(e.data).toMatchObject({ file: ".envvault/vault.yaml", path });
  });

  test("keeps names that only look like reserved ones", () => {
    expect(confinedPath(".envvault-docs/.env", origin)).toBe(".envvault-docs/.env");
    expect(confinedPath("config/.gitkeep.env", origin)).toBe("config/.gitkeep.env");
  });
});
