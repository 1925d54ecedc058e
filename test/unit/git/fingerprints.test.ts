import { describe, expect, test } from "@jest/globals";
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { encodedForms } from "../../../src/model/encodings.js";
import { filterBytes, FingerprintTable, fingerprintable, MIN_SECRET_BYTES, prefilterKey, ROW_BYTES, SecretMatcher, valueRows } from "../../../src/store/matcher.js";

const key = new Uint8Array(randomBytes(32));
const pk = prefilterKey(key);

/** A table of these values (their index is their place in the list) and a matcher over it. */
function matcherOf(values: readonly string[]): { table: FingerprintTable; matcher: SecretMatcher } {
  const table = FingerprintTable.build(values.map((v, value) => ({ value, rows: valueRows(v, key, pk) })));
  return { table, matcher: new SecretMatcher(key, [table]) };
}

/** What the matcher finds in `text`: [offset, value index, encoding] for every match. */
const found = (matcher: SecretMatcher, text: string | Buffer) =>
  matcher.find(Buffer.isBuffer(text) ? text : Buffer.from(text)).flatMap((h) => h.matches.map((m) => [h.offset, m.value, m.encoding] as const));

describe("which values are looked for", () => {
  test("values of fewer than 8 UTF-8 bytes never are: true, 8080, info", () => {
    expect(MIN_SECRET_BYTES).toBe(8);
    for (const v of ["true", "8080", "info", "", "1234567", "abc-def"]) expect(fingerprintable(v)).toBe(false);
  });

  test("a plain word or number is not looked for; anything mixed of 8 bytes or more is", () => {
    for (const v of ["production", "changeme", "20240101", "12345678"]) expect(fingerprintable(v)).toBe(false);
    for (const v of ["s3cr3t-pw", "postgres://u:p@h/db", "pässwörd", "abcd efgh"]) expect(fingerprintable(v)).toBe(true);
  });

  test("a value too short or too plain has no rows, so none of its spellings is looked for either", () => {
    for (const v of ["a/b+c=d", "pa$$ wd", "äöü", "production", "20240101"]) expect(valueRows(v, key, pk)).toEqual([]);
    const { matcher } = matcherOf(["a/b+c=d", "pa$$ wd", "production"]);
    const spellings = ["a/b+c=d", "pa$$ wd", "production"].flatMap((v) => encodedForms(v).map((f) => f.text));
    expect(found(matcher, spellings.join("\n"))).toEqual([]);
  });

  test("the table holds no plaintext: per spelling a 32-bit tag, a length, a value index, an encoding and 16 bytes of keyed hash", () => {
    const value = "sk_live_0123456789abcdef/+";
    const { table } = matcherOf([value]);
    expect(table.size).toBe(encodedForms(value).length);
    const bytes = table.toBytes();
    expect(bytes.length).toBe(table.size * ROW_BYTES + filterBytes(table.size));
    for (const { text } of encodedForms(value)) expect(bytes.includes(Buffer.from(text.slice(0, 8)))).toBe(false);
  });

  test("a table read back from its bytes is the same table, also from an unaligned copy; sizes that do not fit are refused", () => {
    const { table } = matcherOf(["s3cr3t-api-key-123", "pässwörd-ü-42"]);
    const bytes = table.toBytes();
    const back = FingerprintTable.fromBytes(bytes, table.size)!;
    expect(back.toBytes().equals(bytes)).toBe(true);
    expect([...back.rowsByValue()]).toEqual([...table.rowsByValue()]);
    const unaligned = Buffer.concat([Buffer.from("x"), bytes]).subarray(1);
    expect(FingerprintTable.fromBytes(unaligned, table.size)?.toBytes().equals(bytes)).toBe(true);
    expect(FingerprintTable.fromBytes(bytes.subarray(1), table.size)).toBeUndefined();
    expect(FingerprintTable.fromBytes(bytes, table.size + 1)).toBeUndefined();
    expect(FingerprintTable.fromBytes(bytes, -1)).toBeUndefined();
  });
});

describe("finding known secrets in bytes", () => {
  const values = ["s3cr3t-api-key-123", "pässwörd-ü-42", "s3cr3t-a"];
  const { matcher } = matcherOf(values);

  test("finds a value at the start, in the middle and at the very end, with its offset", () => {
    const text = "s3cr3t-api-key-123\nconst x = 's3cr3t-api-key-123';\nend:s3cr3t-api-key-123";
    expect(found(matcher, text).filter(([, v]) => v === 0)).toEqual([
      [0, 0, "raw"],
      [30, 0, "raw"],
      [55, 0, "raw"],
    ]);
  });

  test("finds a multi-byte UTF-8 value, and two values sharing their first 8 bytes", () => {
    const names = found(matcher, "x=pässwörd-ü-42 y=s3cr3t-a z=s3cr3t-api-key-123").map(([, v]) => v);
    expect(names.sort()).toEqual([0, 1, 2, 2]);
  });

  test("a prefix, a truncation or a one-byte change of a value is not a match", () => {
    expect(found(matcher, "s3cr3t-api-key-12 / s3cr3t-api-key-124 / S3cr3t-api-key-123 / s3cr3t-").filter(([, v]) => v === 0)).toEqual([]);
  });

  test("another clone's key finds nothing: the cache is useless without this clone's key", () => {
    const { table } = matcherOf(values);
    expect(new SecretMatcher(new Uint8Array(randomBytes(32)), [table]).find(Buffer.from("s3cr3t-api-key-123"))).toEqual([]);
  });

  test("finds a value base64-, base64url-, percent- and JSON-encoded, and names the encoding", () => {
    const v = 'p@ss/w0rd+"quoted" é~*?';
    const { matcher: m } = matcherOf([v]);
    const b = Buffer.from(v);
    const text = [
      `data:\n  API_KEY: ${b.toString("base64")}`,
      `k8s: ${b.toString("base64").replace(/=+$/, "")}`,
      `url: ${b.toString("base64url")}`,
      `echo: ${Buffer.from(v + "\n").toString("base64")}`,
      `db: postgres://app:${encodeURIComponent(v)}@db/app`,
      `body: ${new URLSearchParams({ pw: v }).toString()}`,
      `python: ${encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`,
      `json: {"pw": ${JSON.stringify(v)}}`,
      `py: {"pw": ${JSON.stringify(v).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}}`,
      `php: {"pw": ${JSON.stringify(v).replace(/é/g, "\\u00e9").replaceAll("/", "\\/")}}`,
    ].join("\n");
    const encodings = new Set(found(m, text).map(([, , e]) => e));
    expect([...encodings].sort()).toEqual(["base64", "base64-lf", "base64url", "form", "json", "json-ascii", "json-slash", "percent", "percent-js"]);
    expect(found(m, text).some(([, , e]) => e === "raw")).toBe(false);
  });
});

/** Values that are looked for: 8 to 40 characters of printable ASCII or a few non-ASCII ones, not only letters or digits. */
const secretValue = fc
  .string({ unit: fc.constantFrom(..."abcXYZ019 !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~éü€\t"), minLength: 8, maxLength: 40 })
  .filter(fingerprintable);
const surrounding = fc.string({ unit: fc.constantFrom(..."abcdefxyzABC0123456789 \n\t=:/+%\\\"'{}-_.é"), maxLength: 200 });

describe("property: the matcher finds exactly the spellings of known values", () => {
  test("any spelling of a known value in random surrounding text is found, at its offset, under its encoding", () => {
    fc.assert(
      fc.property(fc.array(secretValue, { minLength: 1, maxLength: 4 }), fc.nat(), surrounding, surrounding, (vals, pick, before, after) => {
        const { matcher: m } = matcherOf(vals);
        const which = pick % vals.length;
        const forms = encodedForms(vals[which]!);
        const form = forms[pick % forms.length]!;
        const text = Buffer.from(before + form.text + after);
        const offset = Buffer.byteLength(before);
        expect(found(m, text)).toContainEqual([offset, which, form.encoding]);
      }),
      { numRuns: 300 },
    );
  });

  test("random text holding no spelling of any known value gives nothing", () => {
    fc.assert(
      fc.property(fc.array(secretValue, { minLength: 1, maxLength: 4 }), fc.array(surrounding, { maxLength: 5 }), (vals, parts) => {
        const text = parts.join("");
        const spellings = vals.flatMap((v) => encodedForms(v).map((f) => f.text));
        fc.pre(!spellings.some((s) => text.includes(s)));
        expect(found(matcherOf(vals).matcher, text)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  test("a spelling with one byte changed, cut short or cut at the start is not found", () => {
    fc.assert(
      fc.property(secretValue, fc.nat(), fc.nat(), surrounding, (v, pick, at, before) => {
        const forms = encodedForms(v);
        const form = Buffer.from(forms[pick % forms.length]!.text);
        const changed = Buffer.from(form);
        const i = at % changed.length;
        changed[i] = changed[i]! ^ 0x01;
        const spellings = forms.map((f) => f.text);
        const near = [changed, form.subarray(0, form.length - 1), form.subarray(1)].map((b) => Buffer.concat([Buffer.from(before), b]));
        for (const text of near) {
          fc.pre(!spellings.some((s) => text.includes(s)));
          expect(found(matcherOf([v]).matcher, text)).toEqual([]);
        }
      }),
      { numRuns: 300 },
    );
  });
});
