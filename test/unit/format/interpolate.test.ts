import { describe, expect, test } from "@jest/globals";
import { VaultError } from "../../../src/errors.js";
import { interpolate } from "../../../src/model/dotenv/index.js";

const run = (values: Record<string, string>, outside: Record<string, string> = {}) =>
  Object.fromEntries(interpolate(new Map(Object.entries(values)), (name) => outside[name]));

describe("interpolate", () => {
  test("expands ${VAR} and $VAR from the map", () => {
    expect(run({ HOST: "db", URL: "pg://${HOST}:$PORT/x", PORT: "5432" })).toEqual({
      HOST: "db",
      URL: "pg://db:5432/x",
      PORT: "5432",
    });
  });

  test("resolves references in any order, through chains", () => {
    expect(run({ A: "$B-a", B: "$C-b", C: "c" })).toEqual({ A: "c-b-a", B: "c-b", C: "c" });
  });

  test("looks up names the map lacks outside; unknown names expand to nothing", () => {
    expect(run({ A: "${HOME}/x:${NOPE}:$NOPE" }, { HOME: "/home/me" })).toEqual({ A: "/home/me/x::" });
  });

  test("a key of the map wins over the outside value", () => {
    expect(run({ A: "$B", B: "mine" }, { B: "outside" })).toEqual({ A: "mine", B: "mine" });
  });

  test("${VAR:-default} applies when VAR is unset or empty", () => {
    expect(run({ E: "", A: "${E:-d1}", B: "${U:-d2}", C: "${S:-d3}", S: "set" })).toMatchObject({ A: "d1", B: "d2", C: "set" });
  });

  test("${VAR-default} applies only when VAR is unset", () => {
    expect(run({ E: "", A: "[${E-d1}]", B: "${U-d2}" })).toMatchObject({ A: "[]", B: "d2" });
  });

  test("${VAR:+alt} and ${VAR+alt} give the alternative when VAR is set", () => {
    expect(run({ E: "", S: "s", A: "[${S:+yes}][${E:+yes}][${E+yes}][${U+yes}]" })).toMatchObject({ A: "[yes][][yes][]" });
  });

  test("defaults may hold references, nested ones included, and are only expanded when used", () => {
    expect(run({ A: "${U:-$B}", B: "b", C: "${U:-${V:-${B}}}", D: "${B:-$CYCLE}", CYCLE: "$D" })).toMatchObject({
      A: "b",
      C: "b",
      D: "b",
    });
  });

  test("\\$ is a literal dollar", () => {
    expect(run({ A: "\\$B and \\${B}", B: "b" })).toMatchObject({ A: "$B and ${B}" });
  });

  test("command substitution never happens: $(cmd) stays literal", () => {
    expect(run({ A: "$(rm -rf /) and `id` and $((1+1))" })).toEqual({ A: "$(rm -rf /) and `id` and $((1+1))" });
  });

  test("a $ that starts no reference stays as written", () => {
    expect(run({ A: "cost: 5$ $1 ${} ${A B} ${X:?err} ${UNCLOSED" })).toEqual({ A: "cost: 5$ $1 ${} ${A B} ${X:?err} ${UNCLOSED" });
  });

  test("outside values are inserted as they are, never expanded again", () => {
    expect(run({ A: "$O" }, { O: "$HOME" })).toEqual({ A: "$HOME" });
  });

  test("a key referring to itself reads the outside value, as PATH=${PATH}:/x does in a shell", () => {
    expect(run({ PATH: "${PATH}:/opt/bin", LEVEL: "${LEVEL:-info}" }, { PATH: "/usr/bin" })).toEqual({
      PATH: "/usr/bin:/opt/bin",
      LEVEL: "info",
    });
  });

  test("a cycle throws VALIDATION naming the keys in it", () => {
    let error: unknown;
    try {
      run({ X: "1", A: "${B}", B: "x$C", C: "$A" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(VaultError);
    expect(error).toMatchObject({ code: "VALIDATION", message: "interpolation cycle: A → B → C → A", data: { key: "A", keys: ["A", "B", "C"] } });
  });

  test("a long chain of references does not overflow the stack", () => {
    // The first key needs all the others, so resolving it goes 20,000 references deep.
    const values = new Map<string, string>();
    for (let i = 20_000; i > 0; i--) values.set(`K${i}`, `\${K${i - 1}}`);
    values.set("K0", "end");
    expect(interpolate(values).get("K20000")).toBe("end");
  });
});
