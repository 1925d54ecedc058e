import { describe, expect, test } from "@jest/globals";
import { type EnvFile, emptyEnvFile, parseEnvFile, printEnvFile } from "../../../src/model/envfile.js";
import { parseConflicted, printConflicted } from "../../../src/model/conflicts.js";
import { mergeEnv, printMerged, resolveConflict } from "../../../src/model/merge.js";

const OLD = "age1" + "q".repeat(58);
const NEW_OURS = "age1" + "p".repeat(58);
const NEW_THEIRS = "age1" + "z".repeat(58);
const PATH = ".envvault/envs/development.env";

/** An environment file whose values are sealed under `batch` (contents are placeholders: nothing is decrypted). */
function env(recipient: string, values: Record<string, string>, batch = "b00000000001", base?: EnvFile): EnvFile {
  const f = base === undefined ? emptyEnvFile("development") : { ...base, scopes: new Map(base.scopes), batches: new Map(base.batches), values: new Map(base.values) };
  f.scopes.set("development", recipient);
  f.batches.set(batch, { scope: "development", age: "QUJDRA==" });
  for (const [k, payload] of Object.entries(values)) {
    if (payload === "") f.values.delete(k);
    else f.values.set(k, { batch, t: 1, payload });
  }
  return f;
}

const payloads = (f: EnvFile) => Object.fromEntries([...f.values].map(([k, v]) => [k, v.payload]));
const base = env(OLD, { A: "a0", B: "b0", C: "c0", D: "d0", E: "e0" });

describe("independent changes merge without conflict", () => {
  test("adjacent keys, additions at the end on both sides, a removal beside a change", () => {
    const ours = env(OLD, { B: "b1", D: "", Y: "y1" }, "a00000000001", base);
    const theirs = env(OLD, { C: "c2", E: "e2", Z: "z2" }, "c00000000002", base);
    const merged = mergeEnv("development", base, ours, theirs);
    expect(merged.conflicts).toEqual([]);
    expect(payloads(merged.file)).toEqual({ A: "a0", B: "b1", C: "c2", E: "e2", Y: "y1", Z: "z2" });
    const text = printMerged(merged);
    expect(payloads(parseEnvFile(text, PATH, "development"))).toEqual(payloads(merged.file));
    expect([...parseEnvFile(text, PATH, "development").batches.keys()]).toEqual(["a00000000001", "b00000000001", "c00000000002"]);
  });

  test("the same change on both sides, and a removal on both sides, are no conflict", () => {
    const both = env(OLD, { A: "a9", B: "" }, "a00000000001", base);
    const merged = mergeEnv("development", base, both, both);
    expect(merged.conflicts).toEqual([]);
    expect(payloads(merged.file)).toEqual({ A: "a9", C: "c0", D: "d0", E: "e0" });
  });

  test("two branches that both add the file (no base) merge their keys", () => {
    const merged = mergeEnv("development", undefined, env(OLD, { A: "a1" }, "a00000000001"), env(OLD, { B: "b2" }, "c00000000002"));
    expect(merged.conflicts).toEqual([]);
    expect(payloads(merged.file)).toEqual({ A: "a1", B: "b2" });
  });
});

describe("the same key changed on both sides", () => {
  const ours = env(OLD, { A: "a1", B: "b1" }, "a00000000001", base);
  const theirs = env(OLD, { A: "a2", C: "" }, "c00000000002", base);
  const merged = mergeEnv("development", base, ours, theirs);

  test("is one conflict; everything else merges", () => {
    expect(merged.conflicts.map((c) => [c.name, c.reason])).toEqual([["A", "changed on both branches"]]);
    expect(payloads(merged.file)).toEqual({ B: "b1", D: "d0", E: "e0" });
  });

  test("is written as a block that the normal reader refuses, pointing at vault status and vault resolve", () => {
    const text = printMerged(merged);
    expect(text).toMatch(/^<<<<<<< ours A sealed=age1q+: changed on both branches\nA=ev1:a00000000001:1:a1\n\|\|\|\|\|\|\| base\nA=ev1:b00000000001:1:a0\n=======\nA=ev1:c00000000002:1:a2\n>>>>>>> theirs A sealed=age1q+\nB=/m);
    expect(() => parseEnvFile(text, PATH, "development")).toThrow(/unresolved merge conflict/);
    const again = parseConflicted(text, PATH, "development");
    expect(printConflicted(again)).toBe(text);
    expect(again.conflicts).toEqual(merged.conflicts);
  });

  test("settles either way: ours or theirs", () => {
    const cf = parseConflicted(printMerged(merged), PATH, "development");
    const c = cf.conflicts[0]!;
    expect(payloads(parseEnvFile(printMerged(resolveConflict(cf, c, "ours", PATH)), PATH, "development")).A).toBe("a1");
    const theirsText = printMerged(resolveConflict(cf, c, "theirs", PATH));
    expect(payloads(parseEnvFile(theirsText, PATH, "development")).A).toBe("a2");
    expect(theirsText).toBe(printEnvFile(parseEnvFile(theirsText, PATH, "development")));
  });

  test("a change against a removal is a conflict too, settled by removing or keeping", () => {
    const m = mergeEnv("development", base, env(OLD, { D: "" }, "a00000000001", base), env(OLD, { D: "d2" }, "c00000000002", base));
    expect(m.conflicts.map((c) => c.reason)).toEqual(["removed on ours, changed on theirs"]);
    expect(resolveConflict(m, m.conflicts[0]!, "ours", PATH).file.values.has("D")).toBe(false);
    expect(resolveConflict(m, m.conflicts[0]!, "theirs", PATH).file.values.get("D")?.payload).toBe("d2");
  });
});

describe("rotations never leave a value nobody can open", () => {
  test("a value added on a branch under the key the other branch rotated away is a conflict; its stale side is refused", () => {
    const rotated = env(NEW_OURS, { A: "ra", B: "rb", C: "rc", D: "rd", E: "re" }, "a00000000001", emptyEnvFile("development"));
    const theirs = env(OLD, { NEW: "n2" }, "c00000000002", base);
    const m = mergeEnv("development", base, rotated, theirs);
    expect(m.file.scopes.get("development")).toBe(NEW_OURS);
    expect(payloads(m.file)).toEqual({ A: "ra", B: "rb", C: "rc", D: "rd", E: "re" });
    expect(m.conflicts.map((c) => [c.name, c.reason])).toEqual([["NEW", "the value from theirs is sealed for a key of scope development that ours replaced"]]);
    expect(() => resolveConflict(m, m.conflicts[0]!, "theirs", PATH)).toThrow(/no one could read it/);
    expect(resolveConflict(m, m.conflicts[0]!, "ours", PATH).file.values.has("NEW")).toBe(false);
  });

  test("concurrent rotations of one scope are a scope conflict; picking a side settles the keys sealed for it", () => {
    const ours = env(NEW_OURS, { A: "oa", B: "ob", C: "oc", D: "od", E: "oe" }, "a00000000001", emptyEnvFile("development"));
    const theirs = env(NEW_THEIRS, { A: "ta", B: "tb", C: "tc", D: "td", E: "te" }, "c00000000002", emptyEnvFile("development"));
    const m = mergeEnv("development", base, ours, theirs);
    expect(m.conflicts.filter((c) => c.kind === "scope").map((c) => c.reason)).toEqual(["its key was changed on both branches (concurrent rotations)"]);
    expect(m.file.values.size).toBe(0);
    const text = printMerged(m);
    expect(text).toMatch(/^<<<<<<< ours scope development: /m);
    const cf = parseConflicted(text, PATH, "development");
    const settled = resolveConflict(cf, cf.conflicts.find((c) => c.kind === "scope")!, "theirs", PATH);
    expect(settled.conflicts).toEqual([]);
    const final = parseEnvFile(printMerged(settled), PATH, "development");
    expect(final.scopes.get("development")).toBe(NEW_THEIRS);
    expect(payloads(final)).toEqual({ A: "ta", B: "tb", C: "tc", D: "td", E: "te" });
    expect([...final.batches.keys()]).toEqual(["c00000000002"]);
  });
});

describe("comments", () => {
  test("the side that changed them wins; both changed: both sides' lines", () => {
    const withComment = (lines: string[]) => ({ ...base, comments: lines });
    expect(mergeEnv("development", base, withComment(["# ours"]), base).file.comments).toEqual(["# ours"]);
    expect(mergeEnv("development", base, withComment(["# ours"]), withComment(["# theirs"])).file.comments).toEqual(["# ours", "# theirs"]);
  });
});
