import { describe, expect, test } from "@jest/globals";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { VaultError } from "../../../src/errors.js";
import { emptyEnvFile, type EnvFile, parseEnvFile, parseValueLine, printEnvFile, pruneBatches, scopeOf, signedView, valueLine, valueTime } from "../../../src/model/envfile.js";
import { leavesOf } from "../../../src/model/signed.js";
import { thrown } from "../errors.js";

const FILE = ".envvault/envs/production.env";
const R1 = "age1f0l3ggu0pnearkpe2fek62a0ngv5zcv57td59qlaemtsg7wtsg9sv9l07k";
const R2 = "age1wuxzrf36hpgv32s990lw7f848d7fcy9zgpread9dm90leapx4y8qlf6k60";
const B1 = "aaaaaaaaaaaa";
const B2 = "bbbbbbbbbbbb";
const B3 = "cccccccccccc";
/** Leaves (b64u of 16 bytes) of lines replaced: the `prev` fields. */
const P1 = "AAAAAAAAAAAAAAAAAAAAAA";
const P2 = "_-_-_-_-_-_-_-_-_-_-_w";
const SIG_ID = "0123456789ab";
const SIGNATURE = "S".repeat(85) + "w";
const LEAVES = "BBBBBBBBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCCCCCCA";

/**
 * A canonical production file: header, a comment, two scopes (one rotated), three batches, a
 * change record, a removal and three values (one replacing an older line); each batch and
 * the record right before the key it is anchored at.
 */
const CANONICAL = [
  "# envvault 2 production",
  "# reviewed by ops",
  `#@scope production ${R1} -`,
  `#@scope production:payments ${R2} ${P1}`,
  `#@batch ${B1} production API_URL QUJD`,
  `#@sig ${SIG_ID} API_URL alice ${SIGNATURE} ${LEAVES}`,
  `API_URL=ev2:${B1}:1700000000:-:AAAA_-`,
  `#@batch ${B2} production DB_PASSWORD REVGRw==`,
  `DB_PASSWORD=ev2:${B2}:0:${P2}:BBBB`,
  `#@removed OLD_TOKEN production 1700000002 ${P2}`,
  `#@batch ${B3} production:payments STRIPE_KEY SElK`,
  `STRIPE_KEY=ev2:${B3}:1700000001:-:CCCC`,
  "",
].join("\n");

/** The same content as a version 1 file (before signatures, docs/FORMAT.md §14): no prev, no records, no removals. */
const V1 = [
  "# envvault 1 production",
  "# reviewed by ops",
  `#@scope production ${R1}`,
  `#@scope production:payments ${R2}`,
  `#@batch ${B1} production QUJD`,
  `#@batch ${B2} production REVGRw==`,
  `#@batch ${B3} production:payments SElK`,
  `API_URL=ev1:${B1}:1700000000:AAAA_-`,
  `DB_PASSWORD=ev1:${B2}:0:BBBB`,
  `STRIPE_KEY=ev1:${B3}:1700000001:CCCC`,
  "",
].join("\n");

function invalid(text: string, env = "production"): VaultError {
  return thrown(() => parseEnvFile(text, FILE, env));
}

/** CANONICAL with `line` put in at line number `at` (1-based). */
function withLine(at: number, line: string): string {
  const lines = CANONICAL.split("\n");
  lines.splice(at - 1, 0, line);
  return lines.join("\n");
}

describe("parseEnvFile and printEnvFile", () => {
  test("a canonical file reads into scopes, batches, records, removals and values and prints back byte for byte", () => {
    const f = parseEnvFile(CANONICAL, FILE, "production");
    expect(f.env).toBe("production");
    expect(f.version).toBe(2);
    expect(f.comments).toEqual(["# reviewed by ops"]);
    expect([...f.scopes]).toEqual([
      ["production", R1],
      ["production:payments", R2],
    ]);
    expect([...f.scopePrev]).toEqual([
      ["production", "-"],
      ["production:payments", P1],
    ]);
    expect([...f.batches]).toEqual([
      [B1, { scope: "production", age: "QUJD", anchor: "API_URL" }],
      [B2, { scope: "production", age: "REVGRw==", anchor: "DB_PASSWORD" }],
      [B3, { scope: "production:payments", age: "SElK", anchor: "STRIPE_KEY" }],
    ]);
    expect([...f.sigs]).toEqual([[SIG_ID, { member: "alice", signature: SIGNATURE, leaves: LEAVES, anchor: "API_URL" }]]);
    expect([...f.removed]).toEqual([["OLD_TOKEN", { scope: "production", t: 1700000002, prev: P2 }]]);
    expect([...f.values]).toEqual([
      ["API_URL", { batch: B1, t: 1700000000, prev: "-", payload: "AAAA_-" }],
      ["DB_PASSWORD", { batch: B2, t: 0, prev: P2, payload: "BBBB" }],
      ["STRIPE_KEY", { batch: B3, t: 1700000001, prev: "-", payload: "CCCC" }],
    ]);
    expect(printEnvFile(f)).toBe(CANONICAL);
  });

  test("a version 1 file (to be adopted) still reads, every line with prev -, and prints as version 2", () => {
    const f = parseEnvFile(V1, FILE, "production");
    expect(f.version).toBe(1);
    expect([...f.scopePrev.values()]).toEqual(["-", "-"]);
    expect([...f.values]).toEqual([
      ["API_URL", { batch: B1, t: 1700000000, prev: "-", payload: "AAAA_-" }],
      ["DB_PASSWORD", { batch: B2, t: 0, prev: "-", payload: "BBBB" }],
      ["STRIPE_KEY", { batch: B3, t: 1700000001, prev: "-", payload: "CCCC" }],
    ]);
    expect([f.sigs.size, f.removed.size]).toEqual([0, 0]);
    // Each batch gets the first key it seals as its anchor.
    expect(printEnvFile(f)).toBe(
      [
        "# envvault 2 production",
        "# reviewed by ops",
        `#@scope production ${R1} -`,
        `#@scope production:payments ${R2} -`,
        `#@batch ${B1} production API_URL QUJD`,
        `API_URL=ev2:${B1}:1700000000:-:AAAA_-`,
        `#@batch ${B2} production DB_PASSWORD REVGRw==`,
        `DB_PASSWORD=ev2:${B2}:0:-:BBBB`,
        `#@batch ${B3} production:payments STRIPE_KEY SElK`,
        `STRIPE_KEY=ev2:${B3}:1700000001:-:CCCC`,
        "",
      ].join("\n"),
    );
  });

  test("a version 1 file holds only version 1 lines, and a version 2 file only version 2 lines", () => {
    expect(invalid(V1.replace(`API_URL=ev1:${B1}:1700000000:AAAA_-`, `API_URL=ev2:${B1}:1700000000:-:AAAA_-`)).message).toBe(`${FILE}:8: the value of API_URL is not an envvault ciphertext`);
    expect(invalid(V1 + `#@sig ${SIG_ID} alice ${SIGNATURE} ${LEAVES}\n`).message).toBe(`${FILE}:11: line is not part of the envvault format`);
    expect(invalid(CANONICAL.replace(`#@scope production ${R1} -`, `#@scope production ${R1}`)).message).toBe(`${FILE}:3: line is not part of the envvault format`);
  });

  test("the committed version 2 test vector file round-trips unchanged", () => {
    const text = readFileSync(join(process.cwd(), "test/vectors/signed/production.env"), "utf8");
    const f = parseEnvFile(text, "production.env", "production");
    expect([f.version, f.sigs.size > 0]).toEqual([2, true]);
    expect(printEnvFile(f)).toBe(text);
  });

  test("the committed version 1 test vector file reads as version 1 and prints as its version 2 rewrite", () => {
    const text = readFileSync(join(process.cwd(), "test/vectors/envs/production.env"), "utf8");
    const f = parseEnvFile(text, "production.env", "production");
    expect(f.version).toBe(1);
    const printed = printEnvFile(f);
    const firstUser = (id: string) => [...f.values].filter(([, v]) => v.batch === id).map(([k]) => k).sort()[0];
    const rewritten = text
      .replace("# envvault 1", "# envvault 2")
      .replace(/^(#@scope .*)$/gm, "$1 -")
      .replace(/=ev1:([0-9a-f]{12}):(\d+):/g, "=ev2:$1:$2:-:")
      .replace(/^#@batch ([0-9a-f]{12}) (\S+) /gm, (_, id: string, scope: string) => `#@batch ${id} ${scope} ${firstUser(id)} `);
    expect(printed.split("\n").sort()).toEqual(rewritten.split("\n").sort());
    expect(printEnvFile(parseEnvFile(printed, "production.env", "production"))).toBe(printed);
  });

  test("printing sorts scopes, batches and values by name, so shuffled lines give the canonical bytes", () => {
    const lines = CANONICAL.trimEnd().split("\n");
    const [header, comment, ...rest] = lines;
    const shuffled = [header, ...rest.reverse(), comment].join("\n") + "\n";
    expect(printEnvFile(parseEnvFile(shuffled, FILE, "production"))).toBe(CANONICAL);
  });

  test("the same content built in a different insertion order prints identical bytes", () => {
    const a = emptyEnvFile("production");
    a.scopes.set("production:payments", R2).set("production", R1);
    a.batches.set(B2, { scope: "production", age: "REVGRw==" }).set(B1, { scope: "production", age: "QUJD" });
    a.sigs.set(SIG_ID, { member: "alice", signature: SIGNATURE, leaves: LEAVES, anchor: "@production:payments" });
    a.values.set("Z", { batch: B2, t: 2, payload: "zz" }).set("A", { batch: B1, t: 1, prev: P1, payload: "aa" }).set("_", { batch: B1, t: 3, payload: "__" });
    a.removed.set("Y", { scope: "production", t: 4, prev: P2 }).set("B", { scope: "production", t: 5, prev: P1 });
    const b = emptyEnvFile("production");
    b.scopes.set("production", R1).set("production:payments", R2);
    b.batches.set(B1, { scope: "production", age: "QUJD" }).set(B2, { scope: "production", age: "REVGRw==" });
    b.sigs.set(SIG_ID, { member: "alice", signature: SIGNATURE, leaves: LEAVES, anchor: "@production:payments" });
    b.values.set("_", { batch: B1, t: 3, payload: "__" }).set("A", { batch: B1, t: 1, prev: P1, payload: "aa" }).set("Z", { batch: B2, t: 2, payload: "zz" });
    b.removed.set("B", { scope: "production", t: 5, prev: P1 }).set("Y", { scope: "production", t: 4, prev: P2 });
    const expected = [
      "# envvault 2 production",
      `#@scope production ${R1} -`,
      `#@sig ${SIG_ID} @production:payments alice ${SIGNATURE} ${LEAVES}`,
      `#@scope production:payments ${R2} -`,
      `#@batch ${B1} production A QUJD`,
      `A=ev2:${B1}:1:${P1}:aa`,
      `#@removed B production 5 ${P1}`,
      `#@removed Y production 4 ${P2}`,
      `#@batch ${B2} production Z REVGRw==`,
      `Z=ev2:${B2}:2:-:zz`,
      `_=ev2:${B1}:3:-:__`,
      "",
    ].join("\n");
    expect(printEnvFile(a)).toBe(expected);
    expect(printEnvFile(b)).toBe(expected);
  });

  test("keys sort in byte order: upper case before underscore before lower case", () => {
    const f = emptyEnvFile("dev");
    f.scopes.set("dev", R1);
    f.batches.set(B1, { scope: "dev", age: "QUJD" });
    for (const key of ["b", "_x", "B", "a", "A_"]) f.values.set(key, { batch: B1, t: 0, payload: "p" });
    expect(printEnvFile(f).split("\n").filter((l) => l !== "" && !l.startsWith("#")).map((l) => l.split("=")[0])).toEqual(["A_", "B", "_x", "a", "b"]);
  });

  test("an empty environment prints only its header and reads back empty", () => {
    expect(printEnvFile(emptyEnvFile("dev"))).toBe("# envvault 2 dev\n");
    const f = parseEnvFile("# envvault 2 dev\n", "dev.env", "dev");
    expect([f.scopes.size, f.batches.size, f.sigs.size, f.removed.size, f.values.size, f.comments.length]).toEqual([0, 0, 0, 0, 0, 0]);
  });

  test("CRLF line endings are tolerated on read and printed back as LF", () => {
    const crlf = CANONICAL.replace(/\n/g, "\r\n");
    expect(printEnvFile(parseEnvFile(crlf, FILE, "production"))).toBe(CANONICAL);
  });

  test("a file without a final newline was cut short: an integrity failure naming the last line", () => {
    const e = invalid(CANONICAL.trimEnd());
    expect(e.code).toBe("TAMPERED");
    expect(e.message).toBe(`${FILE}:${CANONICAL.trimEnd().split("\n").length}: the file ends in the middle of a line (it was cut short)`);
  });

  test("a bare # line is kept as a comment", () => {
    const f = parseEnvFile(withLine(2, "#"), FILE, "production");
    expect(f.comments).toEqual(["#", "# reviewed by ops"]);
  });
});

describe("parseEnvFile rejects malformed lines as damage (Tampered) naming the line", () => {
  test("a wrong header is line 1", () => {
    const e = invalid(CANONICAL.replace("# envvault 2 production", "# envvault 3 production"));
    expect(e.code).toBe("TAMPERED");
    expect(e.message).toBe(`${FILE}:1: expected the header "# envvault 2 production"`);
    expect(e.data).toEqual({ file: FILE, line: 1, env: "production" });
  });

  test("a header of another environment is line 1", () => {
    const e = invalid(CANONICAL, "staging");
    expect(e.message).toBe(`${FILE}:1: expected the header "# envvault 2 staging"`);
    expect(e.data.line).toBe(1);
    expect(e.hints).toEqual(["this file is not an envvault environment file, or belongs to another environment"]);
  });

  test("an empty file has no header", () => {
    const e = invalid("");
    expect(e.code).toBe("TAMPERED");
    expect(e.data.line).toBe(1);
  });

  test("a plaintext value names its key and says it is not a ciphertext", () => {
    const e = invalid(withLine(11, "DB_HOST=localhost"));
    expect(e.code).toBe("TAMPERED");
    expect(e.message).toBe(`${FILE}:11: the value of DB_HOST is not an envvault ciphertext`);
    expect(e.data).toEqual({ file: FILE, line: 11, env: "production" });
    expect(e.hints[0]).toMatch(/vault set/);
  });

  test("a value with a malformed ev2 field (bad batch id, leading-zero time, bad prev) or an ev1 line is not a ciphertext", () => {
    expect(invalid(withLine(10, "A=ev2:XYZ:1:-:AAAA")).message).toBe(`${FILE}:10: the value of A is not an envvault ciphertext`);
    expect(invalid(withLine(10, `A=ev2:${B1}:01:-:AAAA`)).message).toBe(`${FILE}:10: the value of A is not an envvault ciphertext`);
    expect(invalid(withLine(10, `A=ev2:${B1}:1:${P1.slice(1)}:AAAA`)).message).toBe(`${FILE}:10: the value of A is not an envvault ciphertext`);
    expect(invalid(withLine(10, `A=ev2:${B1}:1:AAAA`)).data.line).toBe(10);
    expect(invalid(withLine(10, `A=ev1:${B1}:1:AAAA`)).data.line).toBe(10);
  });

  test("a record listed twice, a removal listed twice and a key both removed and set are refused", () => {
    expect(invalid(withLine(9, `#@sig ${SIG_ID} API_URL bob ${SIGNATURE} ${LEAVES}`)).message).toBe(`${FILE}:9: record ${SIG_ID} is listed twice`);
    expect(invalid(withLine(11, `#@removed OLD_TOKEN production 1 -`)).message).toBe(`${FILE}:11: the removal of OLD_TOKEN is listed twice`);
    expect(invalid(withLine(10, `#@removed A staging 1 -`)).message).toBe(`${FILE}:10: the removal of A names scope staging of another environment`);
    const both = invalid(withLine(10, `#@removed API_URL production 1 -`));
    expect(both.code).toBe("TAMPERED");
    expect(both.message).toBe(`${FILE}: API_URL has both a value and a removal`);
  });

  test("a key listed twice names the key and the second line", () => {
    const e = invalid(withLine(12, `API_URL=ev2:${B2}:5:-:DDDD`));
    expect(e.message).toBe(`${FILE}:12: variable API_URL is listed twice`);
    expect(e.data.line).toBe(12);
  });

  test("a batch listed twice names the batch id", () => {
    const e = invalid(withLine(6, `#@batch ${B1} production API_URL WFla`));
    expect(e.message).toBe(`${FILE}:6: batch ${B1} is listed twice`);
    expect(e.data.line).toBe(6);
    expect(invalid(withLine(6, `#@batch ${B1} production ZZZ QUJD`)).message).toBe(`${FILE}:6: batch ${B1} is listed twice`);
  });

  test("an anchor changed by hand moves a line and nothing else: same records' signed fields, same leaves", () => {
    const moved = CANONICAL.replace(`#@sig ${SIG_ID} API_URL alice`, `#@sig ${SIG_ID} ZZZ alice`).replace(`#@batch ${B2} production DB_PASSWORD`, `#@batch ${B2} production AAA`);
    const a = parseEnvFile(CANONICAL, FILE, "production");
    const b = parseEnvFile(moved, FILE, "production");
    const { anchor: _a, ...signedA } = a.sigs.get(SIG_ID)!;
    const { anchor: _b, ...signedB } = b.sigs.get(SIG_ID)!;
    expect(signedB).toEqual(signedA);
    expect([...leavesOf(signedView(b)).keys()].sort()).toEqual([...leavesOf(signedView(a)).keys()].sort());
    expect(b.values).toEqual(a.values);
    expect(printEnvFile(b)).not.toBe(CANONICAL);
  });

  test("a batch or record line without its anchor (or with a malformed one) is not part of the format", () => {
    expect(invalid(withLine(6, `#@batch dddddddddddd production SElK`)).message).toBe(`${FILE}:6: line is not part of the envvault format`);
    expect(invalid(withLine(6, `#@batch dddddddddddd production 1KEY SElK`)).message).toBe(`${FILE}:6: line is not part of the envvault format`);
    expect(invalid(withLine(6, `#@sig 999999999999 alice ${SIGNATURE} ${LEAVES}`)).message).toBe(`${FILE}:6: line is not part of the envvault format`);
    expect(invalid(withLine(6, `#@sig 999999999999 @Production alice ${SIGNATURE} ${LEAVES}`)).message).toBe(`${FILE}:6: line is not part of the envvault format`);
  });

  test("a scope declared twice is refused", () => {
    const e = invalid(withLine(4, `#@scope production ${R2} -`));
    expect(e.message).toBe(`${FILE}:4: scope production is declared twice`);
  });

  test("a scope of another environment is refused", () => {
    const e = invalid(withLine(3, `#@scope staging ${R2} -`));
    expect(e.message).toBe(`${FILE}:3: scope staging does not belong to environment production`);
    expect(e.data.line).toBe(3);
  });

  test("a named scope of another environment is refused", () => {
    expect(invalid(withLine(5, `#@scope staging:payments ${R2} -`)).message).toBe(
      `${FILE}:5: scope staging:payments does not belong to environment production`,
    );
  });

  test("a batch naming a scope of another environment is refused", () => {
    const e = invalid(withLine(7, "#@batch dddddddddddd staging A SElK"));
    expect(e.message).toBe(`${FILE}:7: batch dddddddddddd names scope staging of another environment`);
    expect(e.data.line).toBe(7);
  });

  test("a malformed scope name in a scope line is refused, not thrown as a usage error", () => {
    const e = invalid(withLine(3, `#@scope production:a:b ${R2} -`));
    expect(e.code).toBe("TAMPERED");
    expect(e.message).toBe(`${FILE}:3: scope production:a:b does not belong to environment production`);
  });

  test.each([
    ["<<<<<<< HEAD", 8],
    ["=======", 9],
    [">>>>>>> feature-x", 10],
    ["||||||| base", 2],
  ])("the merge conflict marker %s is reported with a hint about vault resolve", (marker, at) => {
    const e = invalid(withLine(at, marker));
    expect(e.code).toBe("INVALID_FILE");
    expect(e.message).toBe(`${FILE}:${at}: unresolved merge conflict`);
    expect(e.data.line).toBe(at);
    expect(e.hints).toHaveLength(1);
    // git's own markers: the driver was not there to merge key by key.
    expect(e.hints[0]).toBe(`git's own line merge wrote these markers (the envvault merge driver was not installed here): run \`vault hooks install\`, then \`git checkout -m -- ${FILE}\` merges the file again key by key`);
  });

  test("a block the merge driver wrote is settled with vault resolve", () => {
    const block = ["<<<<<<< ours API_URL sealed=age1abc: changed on both branches", `API_URL=ev2:${B1}:1:-:AAAA`, "||||||| base", "=======", `API_URL=ev2:${B1}:2:-:AAAA`, ">>>>>>> theirs API_URL sealed=age1abc"].join("\n");
    const e = invalid(withLine(7, block));
    expect(e.message).toBe(`${FILE}:7: unresolved merge conflict`);
    expect(e.hints[0]).toContain("vault resolve KEY --ours|--theirs");
  });

  test("a blank line is not part of the format", () => {
    const e = invalid(withLine(8, ""));
    expect(e.message).toBe(`${FILE}:8: line is not part of the envvault format`);
  });

  test("a comment without a space after # is not part of the format", () => {
    expect(invalid(withLine(2, "#note")).message).toBe(`${FILE}:2: line is not part of the envvault format`);
  });

  test("the line number counts CRLF lines the same way", () => {
    const e = invalid(withLine(11, "DB_HOST=localhost").replace(/\n/g, "\r\n"));
    expect(e.message).toBe(`${FILE}:11: the value of DB_HOST is not an envvault ciphertext`);
  });

  test("a timestamp above 2^53 - 1, which cannot be written back the same, is refused", () => {
    const e = invalid(withLine(10, `A=ev2:${B1}:9999999999999999:-:AAAA`));
    expect(e.code).toBe("TAMPERED");
    expect(e.message).toBe(`${FILE}:10: the time of A is above 2^53 - 1`);
    expect(e.data.line).toBe(10);
    expect(invalid(withLine(10, `#@removed A production 9999999999999999 -`)).message).toBe(`${FILE}:10: the time of A is above 2^53 - 1`);
  });

  test("the largest safe timestamp, 2^53 - 1, is accepted and printed back the same", () => {
    const text = withLine(5, `A=ev2:${B1}:9007199254740991:-:AAAA`);
    expect(printEnvFile(parseEnvFile(text, FILE, "production"))).toBe(text);
  });
});

describe("pruneBatches", () => {
  test("keeps exactly the batches some value refers to and leaves the input alone", () => {
    const f = parseEnvFile(CANONICAL, FILE, "production");
    f.values.delete("DB_PASSWORD");
    f.batches.set("dddddddddddd", { scope: "production:payments", age: "S0xN" });
    const pruned = pruneBatches(f);
    expect([...pruned.batches.keys()]).toEqual([B1, B3]);
    expect([...f.batches.keys()]).toEqual([B1, B2, B3, "dddddddddddd"]);
    expect(pruned.values).toBe(f.values);
    expect(pruned.scopes).toBe(f.scopes);
  });

  test("removes every batch when no value is left", () => {
    const f: EnvFile = { ...parseEnvFile(CANONICAL, FILE, "production"), values: new Map() };
    expect(printEnvFile(pruneBatches(f))).toBe(
      ["# envvault 2 production", "# reviewed by ops", `#@scope production ${R1} -`, `#@scope production:payments ${R2} ${P1}`, `#@sig ${SIG_ID} API_URL alice ${SIGNATURE} ${LEAVES}`, `#@removed OLD_TOKEN production 1700000002 ${P2}`, ""].join("\n"),
    );
  });
});

describe("scopeOf", () => {
  test("gives the scope of the batch a value refers to", () => {
    const f = parseEnvFile(CANONICAL, FILE, "production");
    expect(scopeOf(f, "API_URL")).toBe("production");
    expect(scopeOf(f, "STRIPE_KEY")).toBe("production:payments");
  });

  test("is undefined for an unknown key and for a value whose batch is missing", () => {
    const f = parseEnvFile(CANONICAL, FILE, "production");
    expect(scopeOf(f, "NOPE")).toBeUndefined();
    f.batches.delete(B2);
    expect(scopeOf(f, "DB_PASSWORD")).toBeUndefined();
  });
});

describe("value lines", () => {
  test("a value line read back gives the value it was printed from, as printEnvFile writes it", () => {
    const f = parseEnvFile(CANONICAL, FILE, "production");
    for (const [key, v] of f.values) {
      const line = valueLine(key, v);
      expect(CANONICAL.split("\n")).toContain(line);
      expect(parseValueLine(line)).toEqual({ key, value: v });
    }
  });

  test("scope lines, conflict markers and damaged value lines are not value lines", () => {
    for (const line of [`#@scope production ${R1} -`, `#@removed API_KEY production 1 -`, "<<<<<<< ours API_KEY", "API_KEY=plain", `API_KEY=ev2:${B1}:01:-:abc`, `API_KEY=ev2:${B1}:1:-:abc `, `API_KEY=ev1:${B1}:1:abc`]) {
      expect(parseValueLine(line)).toBeUndefined();
    }
  });

  test("a change time is shown in UTC to the second", () => {
    expect(valueTime(1_700_000_000)).toBe("2023-11-14T22:13:20Z");
    expect(valueTime(0)).toBe("1970-01-01T00:00:00Z");
  });
});
