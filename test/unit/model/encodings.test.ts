import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { ENCODINGS, encodedForms } from "../../../src/model/encodings.js";

const forms = (v: string) => Object.fromEntries(encodedForms(v).map((f) => [f.encoding, f.text]));

describe("the spellings of a value", () => {
  test("a value with characters every encoding changes has all ten, the value itself first", () => {
    expect(forms('a b/c+"é*!~')).toEqual({
      raw: 'a b/c+"é*!~',
      base64: "YSBiL2MrIsOpKiF+",
      base64url: "YSBiL2MrIsOpKiF-",
      "base64-lf": "YSBiL2MrIsOpKiF+Cg",
      percent: "a%20b%2Fc%2B%22%C3%A9%2A%21~",
      "percent-js": "a%20b%2Fc%2B%22%C3%A9*!~",
      form: "a+b%2Fc%2B%22%C3%A9*%21%7E",
      json: 'a b/c+\\"é*!~',
      "json-ascii": 'a b/c+\\"\\u00e9*!~',
      "json-slash": 'a b\\/c+\\"\\u00e9*!~',
    });
    expect(encodedForms("x").map((f) => f.encoding)[0]).toBe("raw");
  });

  test("a spelling equal to an earlier one is left out: plain ASCII is its own percent and JSON spelling", () => {
    expect(encodedForms("sk_live_abc123").map((f) => f.encoding)).toEqual(["raw", "base64", "base64-lf"]);
    expect(encodedForms("s3cr3t-pw").map((f) => f.encoding)).toEqual(["raw", "base64", "base64-lf"]);
  });

  test("a lone surrogate is spelt as its UTF-8 bytes spell it, as U+FFFD", () => {
    const lone = forms("ab\ud800cd/é");
    expect(lone.percent).toBe(forms("ab\ufffdcd/é").percent);
    expect(lone.base64).toBe(Buffer.from("ab\ufffdcd/é").toString("base64").replace(/=+$/, ""));
    expect(lone["json-ascii"]).toBe("ab\\ud800cd/\\u00e9");
  });

  test("base64 has no padding: the unpadded text is a prefix of the padded one", () => {
    for (const v of ["12345678", "123456789", "1234567890"]) {
      const padded = Buffer.from(v).toString("base64");
      expect(padded.startsWith(forms(v).base64!)).toBe(true);
      expect(forms(v).base64).not.toMatch(/=/);
    }
  });

  test("property: every spelling decodes back to the value, and no two are equal", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", minLength: 1, maxLength: 30 }), (v) => {
        const list = encodedForms(v);
        expect(new Set(list.map((f) => f.text)).size).toBe(list.length);
        expect(list.every((f) => ENCODINGS.includes(f.encoding))).toBe(true);
        const f = forms(v);
        expect(Buffer.from(f.base64 ?? f.raw!, "base64").toString()).toBe(v);
        if (f.base64url !== undefined) expect(Buffer.from(f.base64url, "base64url").toString()).toBe(v);
        expect(Buffer.from(f["base64-lf"]!, "base64").toString()).toBe(`${v}\n`);
        for (const p of [f.percent, f["percent-js"]]) if (p !== undefined) expect(decodeURIComponent(p)).toBe(v);
        if (f.form !== undefined) expect(new URLSearchParams(`x=${f.form}`).get("x")).toBe(v);
        for (const j of [f.json, f["json-ascii"], f["json-slash"]]) if (j !== undefined) expect(JSON.parse(`"${j}"`)).toBe(v);
      }),
      { numRuns: 500 },
    );
  });
});
