import { describe, expect, test } from "@jest/globals";
import { fingerprint } from "../../../src/crypto/seal.js";
import { type ConflictPolicy, planLock, planUnlock } from "../../../src/model/patch.js";
import { thrown } from "../errors.js";

const hashKey = new Uint8Array(32).fill(9);
const fp = (v: string) => fingerprint(hashKey, v);
const owned = (values: Record<string, string>) => Object.fromEntries(Object.entries(values).map(([k, v]) => [k, fp(v)]));

/** A decide callback that records the keys it was asked about. */
function decider(answer: ConflictPolicy) {
  const asked: string[] = [];
  return { asked, decide: (key: string) => (asked.push(key), answer) };
}

const never = (key: string): ConflictPolicy => {
  throw new Error(`decide was called for ${key}`);
};

/** A target a person edited: comments, CRLF, export, quotes, an inline comment, a key envvault does not own. */
const LOCAL = [
  "# local settings\r\n",
  "export API_URL=\"http://old.example\"\r\n",
  "LOCAL_ONLY=keep me # my own\r\n",
  "\r\n",
  "SECRET='s3cret'\r\n",
  "PORT=3000 # dev port\r\n",
].join("");

describe("planUnlock", () => {
  test("first unlock into an empty file writes every value, sorted, each quoted as needed", () => {
    const values = new Map([
      ["B", "two words"],
      ["A", "line1\nline2"],
      ["C", "#hash"],
    ]);
    const p = planUnlock({ text: "", values, previous: {}, hash: fp, decide: never });
    expect(p.after).toBe("A='line1\nline2'\nB='two words'\nC='#hash'\n");
    expect(p.before).toBe("");
    expect(p.added).toEqual(["A", "B", "C"]);
    expect([p.changed, p.removed, p.kept, p.orphaned, p.warnings]).toEqual([[], [], [], [], []]);
    expect(p.owned).toEqual(owned({ A: "line1\nline2", B: "two words", C: "#hash" }));
  });

  test("unlock into an edited file changes only the owned lines and keeps comments, CRLF, export and quotes", () => {
    const previous = owned({ API_URL: "http://old.example", SECRET: "s3cret", PORT: "3000" });
    const values = new Map([
      ["API_URL", "http://new.example"],
      ["SECRET", "s3cret"],
      ["PORT", "4000"],
      ["NEW_KEY", "it's new"],
    ]);
    const p = planUnlock({ text: LOCAL, values, previous, hash: fp, decide: never });
    expect(p.after).toBe(
      [
        "# local settings\r\n",
        "export API_URL=\"http://new.example\"\r\n",
        "LOCAL_ONLY=keep me # my own\r\n",
        "\r\n",
        "SECRET='s3cret'\r\n",
        "PORT=4000 # dev port\r\n",
        "NEW_KEY=\"it's new\"\r\n",
      ].join(""),
    );
    expect(p.added).toEqual(["NEW_KEY"]);
    expect(p.changed).toEqual(["API_URL", "PORT"]);
    expect([p.removed, p.kept, p.orphaned]).toEqual([[], [], []]);
    expect(p.owned).toEqual(owned({ API_URL: "http://new.example", SECRET: "s3cret", PORT: "4000", NEW_KEY: "it's new" }));
  });

  test("unchanged values leave the text identical", () => {
    const values = new Map([
      ["API_URL", "http://old.example"],
      ["SECRET", "s3cret"],
      ["PORT", "3000"],
    ]);
    const p = planUnlock({ text: LOCAL, values, previous: owned(Object.fromEntries(values)), hash: fp, decide: never });
    expect(p.after).toBe(LOCAL);
    expect([p.added, p.changed, p.removed, p.kept, p.orphaned]).toEqual([[], [], [], [], []]);
    expect(p.owned).toEqual(owned(Object.fromEntries(values)));
  });

  test("a value added to a file without a final newline gets its own line", () => {
    const p = planUnlock({ text: "A=1", values: new Map([["B", "2"]]), previous: {}, hash: fp, decide: never });
    expect(p.after).toBe("A=1\nB=2\n");
  });

  test("a value changed locally since the last unlock is asked about, and keep leaves it and lists it in kept", () => {
    const previous = owned({ SECRET: "s3cret", PORT: "3000" });
    const values = new Map([
      ["SECRET", "rotated"],
      ["PORT", "4000"],
    ]);
    const text = LOCAL.replace("SECRET='s3cret'", "SECRET='mine'");
    const d = decider("keep");
    const p = planUnlock({ text, values, previous, hash: fp, decide: d.decide });
    expect(d.asked).toEqual(["SECRET"]);
    expect(p.kept).toEqual(["SECRET"]);
    expect(p.changed).toEqual(["PORT"]);
    expect(p.after).toBe(text.replace("PORT=3000", "PORT=4000"));
    expect(p.owned).toEqual(owned({ PORT: "4000" }));
  });

  test("a value changed locally since the last unlock is replaced when decide says overwrite", () => {
    const text = LOCAL.replace("SECRET='s3cret'", "SECRET='mine'");
    const d = decider("overwrite");
    const p = planUnlock({ text, values: new Map([["SECRET", "rotated"]]), previous: owned({ SECRET: "s3cret" }), hash: fp, decide: d.decide });
    expect(d.asked).toEqual(["SECRET"]);
    expect(p.changed).toEqual(["SECRET"]);
    expect(p.kept).toEqual([]);
    expect(p.after).toBe(LOCAL.replace("SECRET='s3cret'", "SECRET='rotated'"));
    expect(p.owned).toEqual(owned({ SECRET: "rotated" }));
  });

  test("on the first unlock a key already in the file with another value is a conflict", () => {
    const d = decider("keep");
    const p = planUnlock({ text: LOCAL, values: new Map([["LOCAL_ONLY", "from vault"]]), previous: {}, hash: fp, decide: d.decide });
    expect(d.asked).toEqual(["LOCAL_ONLY"]);
    expect(p.kept).toEqual(["LOCAL_ONLY"]);
    expect(p.after).toBe(LOCAL);
  });

  test("a key already holding the vault's value is owned without a question", () => {
    const p = planUnlock({ text: LOCAL, values: new Map([["SECRET", "s3cret"]]), previous: {}, hash: fp, decide: never });
    expect(p.after).toBe(LOCAL);
    expect(p.owned).toEqual(owned({ SECRET: "s3cret" }));
    expect([p.changed, p.warnings]).toEqual([[], []]);
  });

  test("an owned line already holding the vault's value is rewritten, with a warning, when a shell would read it otherwise", () => {
    const text = "TOKEN = $(touch CANARY)\r\nLOCAL_ONLY=keep me # my own\r\n";
    const values = new Map([["TOKEN", "$(touch CANARY)"], ["LOCAL_ONLY", "keep me"]]);
    const p = planUnlock({ text, values, previous: owned({ TOKEN: "$(touch CANARY)" }), hash: fp, decide: never });
    expect(p.after).toBe("TOKEN='$(touch CANARY)'\r\nLOCAL_ONLY='keep me' # my own\r\n");
    expect([p.added, p.changed]).toEqual([[], []]);
    expect(p.owned).toEqual(owned(Object.fromEntries(values)));
    expect(p.warnings).toEqual([
      "rewrote the line of LOCAL_ONLY (same value) so that a shell sourcing the file reads it exactly and runs nothing",
      "rewrote the line of TOKEN (same value) so that a shell sourcing the file reads it exactly and runs nothing",
    ]);
  });

  test("a value no shell-safe line can hold is refused, naming the key", () => {
    const e = thrown(() => planUnlock({ text: "", values: new Map([["SECRET", "it's $5"]]), previous: {}, hash: fp, decide: never }));
    expect({ code: e.code, data: e.data }).toEqual({ code: "VALIDATION", data: { key: "SECRET" } });
  });

  test("a key kept after a conflict keeps its line as it is, however a shell reads it", () => {
    const text = "SECRET = mine ; touch CANARY\n";
    const p = planUnlock({ text, values: new Map([["SECRET", "rotated"]]), previous: {}, hash: fp, decide: () => "keep" });
    expect([p.after, p.kept]).toEqual([text, ["SECRET"]]);
  });

  test("a key removed from the vault is removed from the file when its value is still the one written", () => {
    const previous = owned({ SECRET: "s3cret", PORT: "3000" });
    const p = planUnlock({ text: LOCAL, values: new Map([["PORT", "3000"]]), previous, hash: fp, decide: never });
    expect(p.removed).toEqual(["SECRET"]);
    expect(p.orphaned).toEqual([]);
    expect(p.after).toBe(LOCAL.replace("SECRET='s3cret'\r\n", ""));
    expect(p.owned).toEqual(owned({ PORT: "3000" }));
  });

  test("a key removed from the vault but edited locally stays and is reported orphaned", () => {
    const text = LOCAL.replace("SECRET='s3cret'", "SECRET='mine'");
    const p = planUnlock({ text, values: new Map(), previous: owned({ SECRET: "s3cret" }), hash: fp, decide: never });
    expect(p.removed).toEqual([]);
    expect(p.orphaned).toEqual(["SECRET"]);
    expect(p.after).toBe(text);
    expect(p.owned).toEqual({});
  });

  test("a key removed from both the vault and the file is simply forgotten", () => {
    const p = planUnlock({ text: "A=1\n", values: new Map(), previous: owned({ GONE: "x" }), hash: fp, decide: never });
    expect([p.after, p.removed, p.orphaned]).toEqual(["A=1\n", [], []]);
  });

  test("parser warnings about the target are passed on", () => {
    const p = planUnlock({ text: "A=1\nA=2\n", values: new Map(), previous: {}, hash: fp, decide: never });
    expect(p.warnings.length).toBeGreaterThan(0);
    expect(p.warnings.join("\n")).toContain("A");
  });
});

describe("planLock", () => {
  test("removes only the owned keys whose value was not changed, and keeps everything else", () => {
    const text = LOCAL.replace("PORT=3000", "PORT=3001");
    const previous = owned({ API_URL: "http://old.example", SECRET: "s3cret", PORT: "3000", GONE: "x" });
    const l = planLock(text, previous, fp);
    expect(l.removed).toEqual(["API_URL", "SECRET"]);
    expect(l.kept).toEqual(["PORT"]);
    expect(l.after).toBe(["# local settings\r\n", "LOCAL_ONLY=keep me # my own\r\n", "\r\n", "PORT=3001 # dev port\r\n"].join(""));
  });

  test("with nothing owned the text is unchanged", () => {
    expect(planLock(LOCAL, {}, fp)).toEqual({ after: LOCAL, removed: [], kept: [] });
  });

  test("a fingerprint made with another key never matches, so nothing is removed", () => {
    const other = new Uint8Array(32).fill(1);
    const l = planLock("A=1\n", { A: fingerprint(other, "1") }, fp);
    expect(l).toEqual({ after: "A=1\n", removed: [], kept: ["A"] });
  });
});
