/** Random values from a `generate` spec, for `kind: generated` variables and `vault rotate --generate`. */
import { randomBytes, randomInt, randomUUID } from "node:crypto";
import { UsageError } from "../errors.js";

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/**
 * A random value from a spec: `32` (32 letters and digits, the default), `hex:64`,
 * `base64:32` (bytes, URL-safe, no padding), or `uuid`.
 */
export function generateValue(spec = "32"): string {
  if (spec === "uuid") return randomUUID();
  const m = /^(?:(alnum|hex|base64):)?([1-9][0-9]{0,3})$/.exec(spec);
  if (m === null) {
    throw new UsageError(`cannot generate a value from ${JSON.stringify(spec)}`, {
      hints: ["use a length (32), hex:LENGTH, base64:BYTES or uuid"],
    });
  }
  const n = Number(m[2]);
  switch (m[1] ?? "alnum") {
    case "hex":
      return randomBytes(Math.ceil(n / 2)).toString("hex").slice(0, n);
    case "base64":
      return randomBytes(n).toString("base64url");
    default:
      return Array.from({ length: n }, () => ALNUM[randomInt(ALNUM.length)]).join("");
  }
}
