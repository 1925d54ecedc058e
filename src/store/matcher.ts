/**
 * The pre-commit hook's fingerprint table and the matcher that reads it (docs/FORMAT.md §12,
 * "Local fingerprint cache"): one 32-byte row for each spelling (model/encodings.ts) of each
 * value the hook looks for, sorted by a 32-bit keyed prefilter tag of the spelling's first 8
 * bytes, with a bitmap of those tags stored beside it. The hook decodes the two, computes the
 * prefilter at every byte of staged text and only on a tag in the table hashes the candidate
 * of each length recorded under that tag: loading costs no work per row, scanning none per
 * value. No plaintext anywhere: a row holds a tag, a length and a keyed hash.
 *
 * On the hook's path: no file system (store/fingerprints.ts keeps the table), no YAML, no age.
 */
import { hkdfSync } from "node:crypto";
import { halfSipHash32, halfSipKey, type HalfSipKey, scanWindows } from "../crypto/halfsiphash.js";
import { shortFingerprint } from "../crypto/seal.js";
import { type Encoding, ENCODINGS, encodedForms } from "../model/encodings.js";

/** Values shorter than this many UTF-8 bytes are not fingerprinted (`true`, `8080`, `info`). */
export const MIN_SECRET_BYTES = 8;
/** The prefilter covers a spelling's first bytes: exactly the minimum length. */
export const PREFILTER_BYTES = MIN_SECRET_BYTES;
const PREFILTER_INFO = "envvault/v1/local-prefilter";

/** Bytes of a row: tag, length, value index (u32 LE each), encoding (u8), 3 zero bytes, 16 bytes of keyed hash. */
export const ROW_BYTES = 32;
const FP_AT = 16;
const FP_BYTES = 16;

/**
 * Whether a value is looked for in staged files: at least 8 UTF-8 bytes, and not only
 * letters or only digits (such a value is a word or a number of ordinary text: `production`,
 * `changeme`, `20240101`). The same test holds for every spelling of it.
 */
export function fingerprintable(value: string): boolean {
  return Buffer.byteLength(value, "utf8") >= MIN_SECRET_BYTES && !/^(?:[A-Za-z]+|[0-9]+)$/.test(value);
}

/** The prefilter's key: 8 bytes of HKDF-SHA256 of the clone key. */
export function prefilterKey(localKey: Uint8Array): HalfSipKey {
  return halfSipKey(new Uint8Array(hkdfSync("sha256", localKey, new Uint8Array(0), PREFILTER_INFO, 8)));
}

/** One spelling of one value, as the table holds it. */
export interface Row {
  tag: number;
  len: number;
  encoding: Encoding;
  /** First 16 bytes of HMAC-SHA256 under the clone key of the spelling's UTF-8 bytes. */
  fp: Buffer;
}

/** The rows of a value, one per distinct spelling; none when it is too short or too plain. */
export function valueRows(value: string, localKey: Uint8Array, pk: HalfSipKey): Row[] {
  if (!fingerprintable(value)) return [];
  return encodedForms(value).map(({ encoding, text }) => {
    const bytes = Buffer.from(text, "utf8");
    const row = { tag: halfSipHash32(pk, bytes.subarray(0, PREFILTER_BYTES)), len: bytes.length, encoding, fp: Buffer.from(shortFingerprint(localKey, bytes)) };
    bytes.fill(0);
    return row;
  });
}

/** A bitmap of about 64 bits per row (so that ≈ 1.5 % of positions pass it), 8 KB to 512 KB. */
function filterBytes(rows: number): number {
  let n = 8192;
  while (n < rows * 8 && n < 1 << 19) n *= 2;
  return n;
}

function setBit(filter: Uint8Array, tag: number): void {
  const at = (tag & (filter.length * 8 - 1)) >>> 3;
  filter[at] = filter[at]! | (1 << (tag & 7));
}

/** The rows of a table and the bitmap of their tags; rows refer to values by index (the cache's `values`). */
export class FingerprintTable {
  private constructor(
    readonly rows: Buffer,
    readonly filter: Uint8Array,
  ) {}

  get size(): number {
    return this.rows.length / ROW_BYTES;
  }

  /** A table of these values' rows (`value`: the index the rows refer to). */
  static build(entries: Iterable<{ value: number; rows: readonly Row[] }>): FingerprintTable {
    const all: { value: number; row: Row }[] = [];
    for (const e of entries) for (const row of e.rows) all.push({ value: e.value, row });
    all.sort((a, b) => a.row.tag - b.row.tag || a.row.len - b.row.len || a.value - b.value || ENCODINGS.indexOf(a.row.encoding) - ENCODINGS.indexOf(b.row.encoding));
    const rows = Buffer.alloc(all.length * ROW_BYTES);
    const filter = new Uint8Array(filterBytes(all.length));
    all.forEach(({ value, row }, i) => {
      const at = i * ROW_BYTES;
      rows.writeUInt32LE(row.tag, at);
      rows.writeUInt32LE(row.len, at + 4);
      rows.writeUInt32LE(value, at + 8);
      rows[at + 12] = ENCODINGS.indexOf(row.encoding);
      row.fp.copy(rows, at + FP_AT, 0, FP_BYTES);
      setBit(filter, row.tag);
    });
    return new FingerprintTable(rows, filter);
  }

  /**
   * The table of a cache file (`table` and `filter` in base64), or undefined when they do not
   * fit together: the cache is then rebuilt, as any damaged cache is.
   */
  static decode(table: unknown, filter: unknown): FingerprintTable | undefined {
    if (typeof table !== "string" || typeof filter !== "string") return undefined;
    const rows = Buffer.from(table, "base64");
    const bits = Buffer.from(filter, "base64");
    const count = rows.length / ROW_BYTES;
    if (!Number.isInteger(count) || bits.length !== filterBytes(count)) return undefined;
    return new FingerprintTable(rows, bits);
  }

  encode(): { table: string; filter: string } {
    return { table: this.rows.toString("base64"), filter: Buffer.from(this.filter.buffer, this.filter.byteOffset, this.filter.length).toString("base64") };
  }

  tag(i: number): number {
    return this.rows.readUInt32LE(i * ROW_BYTES);
  }

  len(i: number): number {
    return this.rows.readUInt32LE(i * ROW_BYTES + 4);
  }

  value(i: number): number {
    return this.rows.readUInt32LE(i * ROW_BYTES + 8);
  }

  encoding(i: number): Encoding {
    return ENCODINGS[this.rows[i * ROW_BYTES + 12]!] ?? "raw";
  }

  /** Whether row `i`'s keyed hash is `fp` (its first 16 bytes). */
  holds(i: number, fp: Uint8Array): boolean {
    const at = i * ROW_BYTES + FP_AT;
    return this.rows.compare(fp, 0, FP_BYTES, at, at + FP_BYTES) === 0;
  }

  /** The first row whose tag is at least `tag` (rows are sorted by tag). */
  firstAtLeast(tag: number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.tag(mid) < tag) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The rows of each value, to carry over into the next table without decrypting again. */
  rowsByValue(): Map<number, Row[]> {
    const out = new Map<number, Row[]>();
    for (let i = 0; i < this.size; i++) {
      const v = this.value(i);
      const at = i * ROW_BYTES;
      const row = { tag: this.tag(i), len: this.len(i), encoding: this.encoding(i), fp: Buffer.from(this.rows.subarray(at + FP_AT, at + FP_AT + FP_BYTES)) };
      const list = out.get(v);
      if (list === undefined) out.set(v, [row]);
      else list.push(row);
    }
    return out;
  }
}

/** One row that matched: which table, which of its values, which spelling. */
export interface Match {
  table: number;
  value: number;
  encoding: Encoding;
}

/** Where known secrets occur in a text. */
export interface SecretHit {
  offset: number;
  length: number;
  matches: Match[];
}

/**
 * Finds the rows of some tables in bytes: the prefilter at every position (the tables'
 * bitmaps first, then the rows under the exact tag), then the keyed hash of the candidate of
 * each length found there.
 */
export class SecretMatcher {
  private readonly filter: Uint8Array;
  private readonly pk: HalfSipKey;

  constructor(
    private readonly localKey: Uint8Array,
    private readonly tables: readonly FingerprintTable[],
  ) {
    this.pk = prefilterKey(localKey);
    // The largest table's bitmap is taken as it is (copied, so the table stays as stored); the
    // others, a clone's few generated values, are added row by row.
    const base = tables.reduce<FingerprintTable | undefined>((a, t) => (a === undefined || t.size > a.size ? t : a), undefined);
    this.filter = base === undefined ? new Uint8Array(8192) : base.filter.slice();
    for (const t of tables) if (t !== base) for (let i = 0; i < t.size; i++) setBit(this.filter, t.tag(i));
  }

  /** Every occurrence of a row's spelling in `bytes`, by byte offset. */
  find(bytes: Uint8Array): SecretHit[] {
    const hits: SecretHit[] = [];
    if (this.tables.every((t) => t.size === 0)) return hits;
    scanWindows(this.pk, bytes, this.filter, (at, tag) => {
      // Most positions that pass the bitmap have no row under their tag: nothing is allocated for them.
      let hashes: Map<number, Buffer> | undefined;
      let byLen: Map<number, Match[]> | undefined;
      for (let ti = 0; ti < this.tables.length; ti++) {
        const t = this.tables[ti]!;
        for (let i = t.firstAtLeast(tag); i < t.size && t.tag(i) === tag; i++) {
          const len = t.len(i);
          if (at + len > bytes.length) continue;
          hashes ??= new Map();
          let fp = hashes.get(len);
          if (fp === undefined) hashes.set(len, (fp = shortFingerprint(this.localKey, bytes.subarray(at, at + len))));
          if (!t.holds(i, fp)) continue;
          byLen ??= new Map();
          const match = { table: ti, value: t.value(i), encoding: t.encoding(i) };
          const list = byLen.get(len);
          if (list === undefined) byLen.set(len, [match]);
          else list.push(match);
        }
      }
      if (byLen !== undefined) for (const [length, matches] of byLen) hits.push({ offset: at, length, matches });
    });
    return hits;
  }
}
