import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { textconv } from "../../../src/app/textconv.js";
import { printEnvFile } from "../../../src/model/envfile.js";
import { mergeEnv, printMerged } from "../../../src/model/merge.js";
import { repo, type Repo, T0 } from "./fixture.js";

let r: Repo;

beforeEach(async () => {
  r = await repo();
});

afterEach(async () => {
  await r.cleanup();
});

const show = async (text: string) => {
  const file = join(r.root, "shown.env");
  await writeFile(file, text);
  return textconv(r.deps, { file });
};

describe("textconv", () => {
  test("version 2 lines: scopes and values with their signers, removals as removed, no raw #@ line", async () => {
    const f = await r.withValues({ API_KEY: "sk-textconv-value-1", GONE: "sk-textconv-value-2" });
    const text = await show(printEnvFile({ ...f, values: new Map([...f.values].filter(([k]) => k !== "GONE")), removed: new Map([["GONE", { scope: "development", t: T0 + 5, prev: "-" }]]) }));
    const lines = text.split("\n");
    expect(lines[0]).toBe("# envvault 2 development");
    expect(lines[1]).toMatch(/^scope development age1\S+ signed by alice$/);
    expect(lines[2]).toMatch(/^API_KEY=•••• {2}# 2023-11-14T22:13:20Z [0-9a-f]{8} signed by alice$/);
    expect(lines[3]).toBe("GONE removed  # 2023-11-14T22:13:25Z unsigned");
    expect(text).not.toMatch(/#@|ev2:|sk-textconv/);
  });

  test("a conflicted file shows each side, a removal side as removed", async () => {
    const base = await r.withValues({ GONE: "sk-textconv-base-3" });
    const ours = await r.withValues({ GONE: "sk-textconv-ours-4" }, T0 + 1, base);
    const theirs = { ...base, values: new Map(), removed: new Map([["GONE", { scope: "development", t: T0 + 2, prev: "-" }]]) };
    const text = await show(printMerged(mergeEnv("development", base, ours, theirs)));
    expect(text).toContain("CONFLICT GONE: changed on ours, removed on theirs\n");
    expect(text).toMatch(/\n {2}ours: {3}GONE=•••• {2}# 2023-11-14T22:13:21Z [0-9a-f]{8}\n {2}theirs: GONE removed {2}# 2023-11-14T22:13:22Z\n$/);
    expect(text).not.toMatch(/sk-textconv/);
  });

  test("a config value shows to a reader who can open it, as vault list shows it; a secret stays masked", async () => {
    const yaml = await readFile(join(r.root, ".envvault/vault.yaml"), "utf8");
    await r.write({ ".envvault/vault.yaml": `${yaml}variables:\n  LOG_LEVEL:\n    kind: config\n` });
    const text = await show(printEnvFile(await r.withValues({ API_KEY: "sk-textconv-value-5", LOG_LEVEL: "debug" })));
    expect(text).toMatch(/^LOG_LEVEL="debug" {2}# 2023-11-14T22:13:20Z signed by alice$/m);
    expect(text).toMatch(/^API_KEY=•••• {2}# 2023-11-14T22:13:20Z [0-9a-f]{8} signed by alice$/m);
    expect(text).not.toMatch(/sk-textconv/);
    const stranger = await textconv({ ...r.deps, processEnv: { ...r.deps.processEnv, ENVVAULT_IDENTITY: undefined } }, { file: join(r.root, "shown.env") });
    expect(stranger).toMatch(/^LOG_LEVEL=•••• /m);
  });
});
