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

const pct = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The three percent spellings, from `encodeURIComponent` (native: a byte-by-byte loop was the
 * slow part of a cache rebuild), which keeps `A–Z a–z 0–9 - _ . ! ~ * ' ( )`. A lone surrogate
 * is taken as U+FFFD first, as the UTF-8 bytes of the value take it.
 */
function percents(value: string): { percent: string; js: string; form: string } {
  const js = encodeURIComponent(value.replace(LONE_SURROGATE, "\uFFFD"));
  return { percent: js.replace(/[!'()*]/g, pct), js, form: js.replace(/[!'()~]/g, pct).replaceAll("%20", "+") };
}

/** A JSON string's body as JSON.stringify writes it, then with every non-ASCII unit as `\uXXXX` (Python's default). */
function jsonBody(value: string): { js: string; ascii: string } {
  const js = JSON.stringify(value).slice(1, -1);
  return { js, ascii: js.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`) };
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
  const bytes = Buffer.from(`${value}\n`, "utf8");
  const v = bytes.subarray(0, bytes.length - 1);
  const json = jsonBody(value);
  const url = percents(value);
  const candidates: Record<Encoding, string> = {
    raw: value,
    base64: v.toString("base64").replace(/=+$/, ""),
    base64url: v.toString("base64url"),
    "base64-lf": bytes.toString("base64").replace(/=+$/, ""),
    percent: url.percent,
    "percent-js": url.js,
    form: url.form,
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
