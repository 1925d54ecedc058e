import { describe, expect, test } from "@jest/globals";
import { parse as parseYaml } from "yaml";
import { VaultError } from "../../../src/errors.js";
import { exportAs, githubEnv } from "../../../src/model/formats.js";

const VALUES = new Map([
  ["DATABASE_URL", "postgres://app:s3cret@db/shop"],
  ["PEM", "-----BEGIN KEY-----\nabc\n-----END KEY-----"],
  ["SPACES", "  padded  "],
  ["UNICODE", "héllo 🌍"],
  ["EMPTY", ""],
]);

/** docker/cli's ParseEnvFile: left-trim each line, skip blanks and comments, split at the first '='. */
function dockerParse(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split("\n")) {
    const line = raw.replace(/^\s+/, "");
    if (line === "" || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    out.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return out;
}

/** The runner's reading of $GITHUB_ENV: NAME=value lines and NAME<<DELIM heredocs. */
function githubParse(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === "") continue;
    const m = /^([^=<]+)<<(.+)$/.exec(line);
    if (m === null) throw new Error(`unexpected line ${line}`);
    const body: string[] = [];
    while (lines[++i] !== m[2]) body.push(lines[i]!);
    out.set(m[1]!, body.join("\n"));
  }
  return out;
}

describe("k8s export", () => {
  test("a Secret manifest whose data decodes to exactly the values", () => {
    const doc = parseYaml(exportAs("k8s", VALUES, { name: "shop-env", namespace: "prod" }));
    expect(doc.apiVersion).toBe("v1");
    expect(doc.kind).toBe("Secret");
    expect(doc.type).toBe("Opaque");
    expect(doc.metadata).toEqual({ name: "shop-env", namespace: "prod" });
    const decoded = Object.fromEntries(Object.entries(doc.data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]));
    expect(decoded).toEqual(Object.fromEntries(VALUES));
  });

  test("an empty environment gives an empty data map", () => {
    expect(parseYaml(exportAs("k8s", new Map())).data).toEqual({});
  });

  test("an invalid name is a usage error", () => {
    expect(() => exportAs("k8s", VALUES, { name: "Shop_Env" })).toThrow(/invalid Kubernetes name "Shop_Env"/);
  });
});

describe("docker export", () => {
  test("docker's env-file reader gets exactly the values", () => {
    const single = new Map([...VALUES].filter(([k]) => k !== "PEM"));
    expect(dockerParse(exportAs("docker", single))).toEqual(single);
  });

  test("a multi-line value is a validation error naming the key, not the value", () => {
    let error: unknown;
    try {
      exportAs("docker", VALUES);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(VaultError);
    expect((error as VaultError).code).toBe("VALIDATION");
    expect((error as VaultError).message).toBe("PEM holds a line break, which docker's --env-file format cannot express");
  });
});

describe("github export", () => {
  test("every value round-trips through heredocs, and each secret line gets a mask", () => {
    let n = 0;
    const { masks, env } = githubEnv(VALUES, (k) => k !== "UNICODE", () => `EOF_${n++}`);
    expect(githubParse(env)).toEqual(VALUES);
    expect(masks).toBe(
      ["::add-mask::postgres://app:s3cret@db/shop", "::add-mask::-----BEGIN KEY-----", "::add-mask::abc", "::add-mask::-----END KEY-----", "::add-mask::  padded  ", ""].join("\n"),
    );
  });

  /** The runner's reading of our stdout: lines at LF, CR or CRLF, then `::add-mask::` data unescaped in its order. */
  const runnerMasks = (stdout: string) =>
    stdout
      .split(/\r\n|\r|\n/)
      .filter((line) => line !== "")
      .map((line) => {
        expect(line.startsWith("::add-mask::")).toBe(true);
        return line.slice("::add-mask::".length).replaceAll("%0D", "\r").replaceAll("%0A", "\n").replaceAll("%25", "%");
      });

  test("a percent escape in a value is masked as itself, not unescaped by the runner", () => {
    const values = new Map([["COUPON", "50%0Aoff"], ["RATE", "100%25 %0D%"]]);
    const { masks } = githubEnv(values, () => true, () => "EOF");
    expect(masks).toBe("::add-mask::50%250Aoff\n::add-mask::100%2525 %250D%25\n");
    expect(runnerMasks(masks)).toEqual(["50%0Aoff", "100%25 %0D%"]);
  });

  test("CR, CRLF and LF all split a value into one mask per non-blank line, with no raw CR", () => {
    const values = new Map([["MIXED", "one\rtwo\r\nthree\n \r\n\rfour%"]]);
    const { masks } = githubEnv(values, () => true, () => "EOF");
    expect(masks).not.toMatch(/\r/);
    expect(runnerMasks(masks)).toEqual(["one", "two", "three", "four%"]);
  });
});
