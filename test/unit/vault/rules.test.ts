import { describe, expect, test } from "@jest/globals";
import { checkValue, requiredIn } from "../../../src/model/rules.js";

describe("value rules", () => {
  test.each([
    [{ type: "int" as const }, "42", undefined],
    [{ type: "int" as const }, "4.2", "is not an integer"],
    [{ type: "int" as const }, "007", "is not an integer"],
    [{ type: "port" as const }, "8080", undefined],
    [{ type: "port" as const }, "0", "is not a port number (1-65535)"],
    [{ type: "port" as const }, "65536", "is not a port number (1-65535)"],
    [{ type: "bool" as const }, "Yes", undefined],
    [{ type: "bool" as const }, "maybe", "is not a boolean (true/false, 1/0, yes/no, on/off)"],
    [{ type: "url" as const }, "postgres://u:p@db:5432/x", undefined],
    [{ type: "url" as const }, "not a url", "is not a URL"],
    [{ type: "email" as const }, "ops@example.com", undefined],
    [{ type: "email" as const }, "ops@", "is not an email address"],
    [{ type: "json" as const }, '{"a":1}', undefined],
    [{ type: "json" as const }, "{a:1}", "is not valid JSON"],
    [{ enum: ["debug", "info"] }, "info", undefined],
    [{ enum: ["debug", "info"] }, "trace", "is not one of debug, info"],
    [{ pattern: "sk_(live|test)_[0-9a-z]+" }, "sk_live_abc123", undefined],
    [{ pattern: "sk_(live|test)_[0-9a-z]+" }, "xsk_live_abc123", "does not match the pattern sk_(live|test)_[0-9a-z]+"],
    [{ pattern: "([" }, "x", "cannot be checked: its pattern is not a valid regular expression"],
  ])("%j with %j", (def, value, expected) => {
    expect(checkValue(def, value)).toBe(expected);
  });

  test("a failing rule never quotes the value", () => {
    const secret = "sk_live_do_not_print";
    for (const def of [{ type: "int" as const }, { enum: ["a"] }, { pattern: "x" }]) expect(checkValue(def, secret)).not.toContain(secret);
  });

  test("required applies to every environment, required_in to the ones named", () => {
    expect(requiredIn({ required: true }, "development")).toBe(true);
    expect(requiredIn({ required_in: ["production"] }, "production")).toBe(true);
    expect(requiredIn({ required_in: ["production"] }, "development")).toBe(false);
    expect(requiredIn({}, "production")).toBe(false);
  });
});
