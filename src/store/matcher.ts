/**
 * The pre-commit hook's fingerprint table and the matcher that reads it (docs/FORMAT.md §12,
 * "Local fingerprint cache"): one row for each spelling (model/encodings.ts) of each value the
 * hook looks for, sorted by a 32-bit keyed prefilter tag of the spelling's first 8 bytes, in
 * columns stored as they are used, with a bitmap of the tags beside them. The hook takes
 * views of the stored bytes, computes the prefilter at every byte of staged text and only on
 * a tag in the table hashes the candidate of each length recorded under that tag: loading
 * costs no work per row, scanning none per value. No plaintext anywhere: a row holds a tag,
 * a length and a keyed hash.
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

/** Bytes of one row in the table's columns: tag, length and value index (u32 each), keyed hash (16), encoding (1). */
export const ROW_BYTES = 29;
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
    const row = { tag: halfSipHash32(pk, bytes.subarray(0, PREFILTER_BYTES)), len: bytes.length, encoding, fp: shortFingerprint(localKey, bytes) };
    bytes.fill(0);
    return row;
  });
}

/** A bitmap of about 64 bits per row (so that ≈ 1.5 % of positions pass it), 8 KB to 512 KB. */
export function filterBytes(rows: number): number {
  let n = 8192;
  while (n < rows * 8 && n < 1 << 19) n *= 2;
  return n;
}

function setBit(filter: Uint8Array, tag: number): void {
  const at = (tag & (filter.length * 8 - 1)) >>> 3;
  filter[at] = filter[at]! | (1 << (tag & 7));
}

/** Each encoding's code in the table (its place in ENCODINGS). */
const CODE = Object.fromEntries(ENCODINGS.map((e, i) => [e, i])) as Record<Encoding, number>;

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** `count` little-endian u32 at `at` of `bytes`, as a view when the platform and the offset allow it. */
function u32s(bytes: Uint8Array, at: number, count: number): Uint32Array {
  if (LITTLE_ENDIAN && (bytes.byteOffset + at) % 4 === 0) return new Uint32Array(bytes.buffer, bytes.byteOffset + at, count);
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, count * 4);
  return Uint32Array.from({ length: count }, (_, i) => view.getUint32(i * 4, true));
}

/**
 * The rows of a table, in columns sorted by tag (docs/FORMAT.md §12: tags, lengths, value
 * indices, keyed hashes, encodings), and the bitmap of their tags. Rows refer to values by
 * index (the cache's `values`).
 */
export class FingerprintTable {
  private constructor(
    readonly tags: Uint32Array,
    readonly lens: Uint32Array,
    readonly values: Uint32Array,
    readonly fps: Uint8Array,
    readonly encodings: Uint8Array,
    readonly filter: Uint8Array,
  ) {}

  get size(): number {
    return this.tags.length;
  }

  /** A table of these values' rows (`value`: the index the rows refer to). */
  static build(entries: Iterable<{ value: number; rows: readonly Row[] }>): FingerprintTable {
    const all: { value: number; row: Row }[] = [];
    for (const e of entries) for (const row of e.rows) all.push({ value: e.value, row });
    all.sort((a, b) => a.row.tag - b.row.tag || a.row.len - b.row.len || a.value - b.value || CODE[a.row.encoding] - CODE[b.row.encoding]);
    const n = all.length;
    const t = new FingerprintTable(new Uint32Array(n), new Uint32Array(n), new Uint32Array(n), new Uint8Array(n * FP_BYTES), new Uint8Array(n), new Uint8Array(filterBytes(n)));
    all.forEach(({ value, row }, i) => {
      t.tags[i] = row.tag;
      t.lens[i] = row.len;
      t.values[i] = value;
      t.fps.set(row.fp.subarray(0, FP_BYTES), i * FP_BYTES);
      t.encodings[i] = CODE[row.encoding];
      setBit(t.filter, row.tag);
    });
    return t;
  }

  /**
   * The table of `count` rows stored in `bytes` as {@link toBytes} wrote it, or undefined when
   * the sizes do not fit: the cache is then rebuilt, as any damaged cache is.
   */
  static fromBytes(bytes: Uint8Array, count: number): FingerprintTable | undefined {
    if (!Number.isSafeInteger(count) || count < 0 || bytes.length !== count * ROW_BYTES + filterBytes(count)) return undefined;
    const fpAt = count * 12;
    const encAt = fpAt + count * FP_BYTES;
    return new FingerprintTable(
      u32s(bytes, 0, count),
      u32s(bytes, count * 4, count),
      u32s(bytes, count * 8, count),
      bytes.subarray(fpAt, encAt),
      bytes.subarray(encAt, encAt + count),
      bytes.subarray(encAt + count),
    );
  }

  /** The columns and the bitmap, one after the other (u32 little-endian). */
  toBytes(): Buffer {
    const le = (a: Uint32Array) => {
      const b = Buffer.alloc(a.length * 4);
      a.forEach((x, i) => b.writeUInt32LE(x, i * 4));
      return b;
    };
    return Buffer.concat([le(this.tags), le(this.lens), le(this.values), this.fps, this.encodings, this.filter]);
  }

  encoding(i: number): Encoding {
    return ENCODINGS[this.encodings[i]!] ?? "raw";
  }

  /** Row `i`'s keyed hash (a copy). */
  hash(i: number): Buffer {
    return Buffer.from(this.fps.subarray(i * FP_BYTES, (i + 1) * FP_BYTES));
  }

  /** Whether row `i`'s keyed hash is `fp` (its first 16 bytes). */
  holds(i: number, fp: Uint8Array): boolean {
    const at = i * FP_BYTES;
    for (let k = 0; k < FP_BYTES; k++) if (this.fps[at + k] !== fp[k]) return false;
    return true;
  }

  /** The first row whose tag is at least `tag` (rows are sorted by tag). */
  firstAtLeast(tag: number): number {
    const tags = this.tags;
    let lo = 0;
    let hi = tags.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (tags[mid]! < tag) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The rows of each value, to carry over into the next table without decrypting again. */
  rowsByValue(): Map<number, Row[]> {
    const out = new Map<number, Row[]>();
    for (let i = 0; i < this.size; i++) {
      const v = this.values[i]!;
      const row = { tag: this.tags[i]!, len: this.lens[i]!, encoding: this.encoding(i), fp: this.hash(i) };
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
    for (const t of tables) if (t !== base) for (const tag of t.tags) setBit(this.filter, tag);
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
        for (let i = t.firstAtLeast(tag); i < t.size && t.tags[i] === tag; i++) {
          const len = t.lens[i]!;
          if (at + len > bytes.length) continue;
          hashes ??= new Map();
          let fp = hashes.get(len);
          if (fp === undefined) hashes.set(len, (fp = shortFingerprint(this.localKey, bytes.subarray(at, at + len))));
          if (!t.holds(i, fp)) continue;
          byLen ??= new Map();
          const match = { table: ti, value: t.values[i]!, encoding: t.encoding(i) };
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
