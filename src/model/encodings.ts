/**
 * The spellings a secret value takes when it is pasted into code or configuration instead of
 * being read from the vault: base64 (a Kubernetes Secret, `echo $PW | base64`), percent
 * encoding (a password inside a connection URL, a form body) and JSON string escapes. The
 * pre-commit hook looks for each spelling of a value as for the value itself (docs/FORMAT.md
 * §12), so the list is short and every spelling is the whole value, never a part of it: a
 * part would match text that merely shares a few bytes with a secret. Pure.
 */

/**
 * The spellings, by their code in the fingerprint table (docs/FORMAT.md §12); the order is
 * part of the cache format. Padding is left out of the base64 spellings: the unpadded text is
 * a prefix of the padded one, so one spelling finds both.
 */
export const ENCODINGS = [
  "raw",
  "base64",
  "base64url",
  "base64-lf",
  "percent",
  "percent-js",
  "form",
  "json",
  "json-ascii",
  "json-slash",
] as const;

export type Encoding = (typeof ENCODINGS)[number];

/** How a finding names the spelling it found: `the value of API_KEY (development), base64-encoded`. */
export const ENCODING_NAMES: Readonly<Record<Encoding, string>> = {
  raw: "",
  base64: "base64-encoded",
  base64url: "base64url-encoded",
  "base64-lf": "base64-encoded (with a trailing newline)",
  percent: "percent-encoded",
  "percent-js": "percent-encoded",
  form: "percent-encoded",
  json: "JSON-escaped",
  "json-ascii": "JSON-escaped",
  "json-slash": "JSON-escaped",
};

const hex2 = (b: number) => (b < 16 ? "%0" : "%") + b.toString(16).toUpperCase();

/** Percent-encodes every byte but ASCII letters, digits and those of `keep`; `space` spells 0x20. */
function percent(bytes: Uint8Array, keep: string, space = "%20"): string {
  let out = "";
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    if ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b < 0x80 && keep.includes(c))) out += c;
    else out += b === 0x20 ? space : hex2(b);
  }
  return out;
}

/** A JSON string's body as JSON.stringify writes it, then with every non-ASCII unit as `\uXXXX` (Python's default). */
function jsonBody(value: string): { js: string; ascii: string } {
  const js = JSON.stringify(value).slice(1, -1);
  let ascii = "";
  for (let i = 0; i < js.length; i++) {
    const u = js.charCodeAt(i);
    ascii += u < 0x80 ? js[i] : `\\u${u.toString(16).padStart(4, "0")}`;
  }
  return { js, ascii };
}

/**
 * Every distinct spelling of `value`, the value itself first: RFC 4648 base64 and base64url
 * (unpadded), base64 of the value and a newline (what `echo "$X" | base64` gives), RFC 3986
 * percent-encoding (only unreserved characters kept), `encodeURIComponent` (which keeps
 * `!'()*` too), `application/x-www-form-urlencoded` (space as `+`, `*-._` kept), and the
 * body of a JSON string as JavaScript writes it, with `\uXXXX` for non-ASCII (Python), and
 * with `\/` as well (PHP). A spelling equal to one before it is left out.
 */
export function encodedForms(value: string): { encoding: Encoding; text: string }[] {
  const bytes = Buffer.from(value, "utf8");
  const json = jsonBody(value);
  const candidates: Record<Encoding, string> = {
    raw: value,
    base64: bytes.toString("base64").replace(/=+$/, ""),
    base64url: bytes.toString("base64url"),
    "base64-lf": Buffer.concat([bytes, Buffer.from("\n")]).toString("base64").replace(/=+$/, ""),
    percent: percent(bytes, "-._~"),
    "percent-js": percent(bytes, "-._~!'()*"),
    form: percent(bytes, "*-._", "+"),
    json: json.js,
    "json-ascii": json.ascii,
    "json-slash": json.ascii.replaceAll("/", "\\/"),
  };
  const seen = new Set<string>();
  const out: { encoding: Encoding; text: string }[] = [];
  for (const encoding of ENCODINGS) {
    const text = candidates[encoding];
    if (seen.has(text)) continue;
    seen.add(text);
    out.push({ encoding, text });
  }
  return out;
}
