import { describe, expect, test } from "@jest/globals";
import { diffEnvTexts, readEnvText } from "../../../src/model/changes.js";

const R1 = "age1f0l3ggu0pnearkpe2fek62a0ngv5zcv57td59qlaemtsg7wtsg9sv9l07k";
const R2 = "age1wuxzrf36hpgv32s990lw7f848d7fcy9zgpread9dm90leapx4y8qlf6k60";
const B1 = "aaaaaaaaaaaa";

/** A development file with these scope recipient and value lines. */
const file = (recipient: string, ...values: string[]) => ["# envvault 2 development", `#@scope development ${recipient} -`, `#@batch ${B1} development A QUJD`, ...values, ""].join("\n");

describe("diffEnvTexts", () => {
  test("keys added, changed (any part of the line: time or ciphertext) and removed, and scopes re-keyed", () => {
    const before = new Map([["development", file(R1, `A=ev2:${B1}:1:-:AAAA`, `B=ev2:${B1}:1:-:BBBB`, `C=ev2:${B1}:1:-:CCCC`)]]);
    const after = new Map([["development", file(R2, `A=ev2:${B1}:1:-:AAAA`, `B=ev2:${B1}:2:-:BBBB`, `D=ev2:${B1}:1:-:DDDD`)]]);
    expect(diffEnvTexts(before, after)).toEqual([{ env: "development", added: ["D"], changed: ["B"], removed: ["C"], rekeyed: ["development"] }]);
    expect(diffEnvTexts(after, after)).toEqual([]);
  });

  test("an environment file that appears or goes is all added or all removed", () => {
    const one = new Map([["development", file(R1, `A=ev2:${B1}:1:-:AAAA`)]]);
    expect(diffEnvTexts(new Map(), one)).toEqual([{ env: "development", added: ["A"], changed: [], removed: [], rekeyed: [] }]);
    expect(diffEnvTexts(one, new Map())).toEqual([{ env: "development", added: [], changed: [], removed: ["A"], rekeyed: [] }]);
  });
});

describe("readEnvText", () => {
  test("a committed conflict reads as its merged part; damage reads as nothing", () => {
    const conflicted = file(R1, `A=ev2:${B1}:1:-:AAAA`, "<<<<<<< ours B: changed on both branches", `B=ev2:${B1}:2:-:BBBB`, "||||||| base", "=======", `B=ev2:${B1}:3:-:BBBB`, ">>>>>>> theirs B");
    expect([...(readEnvText(conflicted, "x", "development")?.values.keys() ?? [])]).toEqual(["A"]);
    expect(readEnvText("not an env file\n", "x", "development")).toBeUndefined();
  });
});
