/**
 * The history check (docs/FORMAT.md §6): every commit of a range that has a chain of trust is
 * checked as a state and as a change from its parents — roster versions never dropped, every
 * line following the one it replaced, no deletion without a signed removal, nothing of
 * `.envvault.local/` committed. The vault files of all commits are read in a few batched git
 * calls, each distinct tree and blob once.
 */
import { commitsBetween, objectContents, objectIds, parseTree } from "../git/objects.js";
import { ancestors, checkChain, parseChain } from "../model/chain.js";
import { type EnvFile, parseEnvFile, signedView } from "../model/envfile.js";
import { CHAIN_FILE, ENVS_DIR, EXPOSED_FILE, LOCAL_DIR, ROSTER_FILE, VAULT_DIR, VAULT_FILE } from "../model/layout.js";
import { checkRoster, type Roster } from "../model/roster.js";
import { Ancestry, checkFileTransition, LeafMemo, type SignedFile, type TrustProblem } from "../model/signed.js";
import { checkState, type VerifySignature } from "../model/trust.js";
import { Tampered, VaultError } from "../errors.js";

/** The vault files of one commit. */
interface Snapshot {
  /** The oid of the commit's `.envvault` tree (equal trees: equal states). */
  tree?: string;
  files: Map<string, string>;
  /** Blob oid by path, to parse each distinct file once. */
  blobs: Map<string, string>;
  hasLocal: boolean;
}

export interface HistoryResult {
  /** Commits checked (with a chain), oldest first. */
  checked: string[];
  /** Commits before the vault's trust began (no chain in them or any ancestor checked). */
  unsigned: string[];
  problems: TrustProblem[];
  /** The commits that failed, with the problems that make each one fail (a commit that leaves the vault as a failed parent had it fails with the parent's). */
  bad: Map<string, TrustProblem[]>;
  /** The trust root the checked commits share. */
  root?: string;
}

const ENV_RE = /^(.+)\.env$/;

async function snapshotsOf(top: string, commits: readonly string[]): Promise<Map<string, Snapshot>> {
  const names = commits.flatMap((c) => [`${c}:${VAULT_DIR}`, `${c}:${LOCAL_DIR}`]);
  const ids = await objectIds(top, names);
  const vaultTrees = [...new Set(commits.map((c) => ids.get(`${c}:${VAULT_DIR}`)).filter((x) => x?.type === "tree").map((x) => x!.oid))];
  const trees = await objectContents(top, vaultTrees);
  const envTrees = new Map<string, string>();
  const topEntries = new Map<string, Map<string, string>>();
  for (const oid of vaultTrees) {
    const entries = new Map<string, string>();
    for (const e of parseTree(trees.get(oid) ?? Buffer.alloc(0))) {
      if (e.name === "envs" && e.mode === "40000") envTrees.set(oid, e.oid);
      else if (!e.mode.startsWith("4")) entries.set(`${VAULT_DIR}/${e.name}`, e.oid);
    }
    topEntries.set(oid, entries);
  }
  const envContents = await objectContents(top, [...new Set(envTrees.values())]);
  const blobsByTree = new Map<string, Map<string, string>>();
  for (const oid of vaultTrees) {
    const blobs = new Map<string, string>();
    for (const [p, b] of topEntries.get(oid) ?? []) if ([CHAIN_FILE, ROSTER_FILE, VAULT_FILE, EXPOSED_FILE].includes(p)) blobs.set(p, b);
    const envTree = envTrees.get(oid);
    if (envTree !== undefined) for (const e of parseTree(envContents.get(envTree) ?? Buffer.alloc(0))) if (ENV_RE.test(e.name) && !e.mode.startsWith("4")) blobs.set(`${ENVS_DIR}/${e.name}`, e.oid);
    blobsByTree.set(oid, blobs);
  }
  // The small trusted files of every commit at once; environment files, the bulk of a long
  // history, as the walk needs them (EnvFiles).
  const trusted = [...new Set([...blobsByTree.values()].flatMap((m) => [...m].filter(([p]) => !p.startsWith(`${ENVS_DIR}/`)).map(([, b]) => b)))];
  const contents = await objectContents(top, trusted);
  const texts = new Map([...contents].map(([oid, b]) => [oid, b.toString("utf8")]));
  const out = new Map<string, Snapshot>();
  const filesByTree = new Map<string, Map<string, string>>();
  for (const c of commits) {
    const t = ids.get(`${c}:${VAULT_DIR}`);
    const tree = t?.type === "tree" ? t.oid : undefined;
    const blobs = tree === undefined ? new Map<string, string>() : (blobsByTree.get(tree) ?? new Map<string, string>());
    let files = tree === undefined ? undefined : filesByTree.get(tree);
    if (files === undefined) {
      files = new Map([...blobs].flatMap(([p, b]) => (p.startsWith(`${ENVS_DIR}/`) ? [] : [[p, texts.get(b) ?? ""] as [string, string]])));
      if (tree !== undefined) filesByTree.set(tree, files);
    }
    out.set(c, { ...(tree === undefined ? {} : { tree }), files, blobs, hasLocal: ids.get(`${c}:${LOCAL_DIR}`) !== undefined });
  }
  return out;
}

/** How many parsed environment files the walk keeps (the versions its next commits compare with), and how many commits ahead it reads them for, in one git call. */
export interface WalkLimits {
  keepParsed: number;
  readAhead: number;
}

const LIMITS: WalkLimits = { keepParsed: 64, readAhead: 128 };

/**
 * Environment files of the walk by blob, parsed once while in use: the latest versions are
 * kept (a commit is compared with its nearest good ancestors, nearly always the last ones
 * walked), older ones read again from git when a merge of a long branch needs them. Their
 * views share one LeafMemo, so a line that many versions share is hashed once.
 */
class EnvFiles {
  private readonly parsed = new Map<string, { file: EnvFile; view: SignedFile } | Error>();
  private readonly texts = new Map<string, string>();
  private readonly memo = new LeafMemo();

  constructor(
    private readonly top: string,
    private readonly keep: number,
  ) {}

  /**
   * Reads, in one git call, the environment files of `snaps` not parsed yet. `ahead`: for the
   * next commits of the walk, dropping what the last read ahead read for commits that did not
   * need it.
   */
  async load(snaps: readonly (Snapshot | undefined)[], ahead = false): Promise<void> {
    if (ahead) this.texts.clear();
    const wanted = snaps.flatMap((s) => envPaths(s).map((p) => s!.blobs.get(p)!)).filter((b) => !this.parsed.has(b) && !this.texts.has(b));
    if (wanted.length === 0) return;
    for (const [oid, b] of await objectContents(this.top, wanted)) this.texts.set(oid, b.toString("utf8"));
  }

  /** The file at `path` of a snapshot whose files `load` read; an Error when it does not parse. */
  get(s: Snapshot, path: string): { file: EnvFile; view: SignedFile } | Error | undefined {
    const blob = s.blobs.get(path);
    if (blob === undefined) return undefined;
    let f = this.parsed.get(blob);
    if (f !== undefined) {
      // Most recently used last: the first entry is the one to drop.
      this.parsed.delete(blob);
      this.parsed.set(blob, f);
      return f;
    }
    const text = this.texts.get(blob);
    if (text === undefined) throw new Error(`history: ${path} of ${s.tree ?? "?"} was not read`);
    this.texts.delete(blob);
    const env = ENV_RE.exec(path.slice(ENVS_DIR.length + 1))?.[1] ?? "";
    try {
      const file = parseEnvFile(text, path, env);
      const view = signedView(file);
      this.memo.index(view);
      f = { file, view };
    } catch (e) {
      f = e instanceof Error ? e : new Error(String(e));
    }
    this.parsed.set(blob, f);
    if (this.parsed.size > this.keep) this.parsed.delete(this.parsed.keys().next().value!);
    return f;
  }
}

/** Parses each distinct roster once. */
class Rosters {
  constructor(private readonly loadYaml: typeof import("../model/yamlfile.js").loadYaml) {}
  private readonly rosters = new Map<string, Roster | Error>();

  roster(s: Snapshot): Roster | Error | undefined {
    const blob = s.blobs.get(ROSTER_FILE);
    const text = s.files.get(ROSTER_FILE);
    if (blob === undefined || text === undefined) return undefined;
    let r = this.rosters.get(blob);
    if (r === undefined) {
      try {
        r = this.loadYaml<Roster>(text, ROSTER_FILE, "roster", (d, lineOf) => checkRoster(d, lineOf)).data;
      } catch (e) {
        if (!(e instanceof VaultError)) throw e;
        r = e;
      }
      this.rosters.set(blob, r);
    }
    return r;
  }
}

const envPaths = (s: Snapshot | undefined) => (s === undefined ? [] : [...s.blobs.keys()].filter((p) => p.startsWith(`${ENVS_DIR}/`)));

/**
 * Checks the commits reachable from `tips` and not from `exclude` (taken as verified: a pull
 * request's base, or what this clone verified before). `pin` is the trust root they must
 * have; `known` says which commits are verified already (they are skipped like `exclude`).
 */
export async function checkHistory(top: string, tips: readonly string[], exclude: readonly string[], verify: VerifySignature, o: { pin?: string; knownLink?: (h: string) => boolean; limits?: WalkLimits } = {}): Promise<HistoryResult> {
  const limits = o.limits ?? LIMITS;
  const nodes = await commitsBetween(top, tips, exclude);
  // Loaded on demand: the YAML parser is not part of the read-only commands' start-up.
  const { loadYaml } = await import("../model/yamlfile.js");
  const rosters = new Rosters(loadYaml);
  const envFiles = new EnvFiles(top, limits.keepParsed);
  const inRange = new Set(nodes.map((n) => n.oid));
  const outside = [...new Set(nodes.flatMap((n) => n.parents).filter((p) => !inRange.has(p)))];
  const snaps = await snapshotsOf(top, [...nodes.map((n) => n.oid), ...outside]);
  const ancestry = new Ancestry();
  const stateOfTree = new Map<string, { problems: TrustProblem[]; head?: string; root?: string; heads: Set<string> }>();
  const headOf = new Map<string, string>(); // commit -> chain head hash
  const rootOf = new Map<string, string>();
  const result: HistoryResult = { checked: [], unsigned: [], problems: [], bad: new Map() };
  const state = (s: Snapshot) => {
    const cached = s.tree === undefined ? undefined : stateOfTree.get(s.tree);
    if (cached !== undefined) return cached;
    const problems: TrustProblem[] = [];
    const roster = rosters.roster(s);
    const envs: ReturnType<typeof signedView>[] = [];
    for (const p of envPaths(s)) {
      const f = envFiles.get(s, p);
      if (f instanceof Error) problems.push({ file: p, what: f.message });
      else if (f !== undefined) {
        if (f.file.version !== 2) problems.push({ file: p, env: f.file.env, what: `${p} is a version 1 file (unsigned) in a signed vault` });
        else envs.push(f.view);
      }
    }
    let out: { problems: TrustProblem[]; head?: string; root?: string; heads: Set<string> } = { problems, heads: new Set() };
    if (roster instanceof Error || roster === undefined) {
      problems.push({ file: ROSTER_FILE, what: roster === undefined ? `${ROSTER_FILE} is missing` : roster.message });
    } else {
      const exposed = s.files.get(EXPOSED_FILE);
      const checked = checkState({ chain: s.files.get(CHAIN_FILE), rosterText: s.files.get(ROSTER_FILE) ?? "", vaultText: s.files.get(VAULT_FILE) ?? "", ...(exposed === undefined ? {} : { exposedText: exposed }), roster, envs }, verify, { ...(o.pin === undefined ? {} : { pin: o.pin }), ...(o.knownLink === undefined ? {} : { knownLink: o.knownLink }) });
      problems.push(...checked.problems);
      if (checked.chain !== undefined) out = { problems, head: checked.chain.head.hash, root: checked.chain.root.hash, heads: ancestors(checked.chain.links, checked.chain.head.hash) };
    }
    if (s.tree !== undefined) stateOfTree.set(s.tree, out);
    return out;
  };
  // Parents outside the range are taken as verified: their lines and heads are known.
  for (const p of outside) {
    const s = snaps.get(p);
    if (s === undefined || !s.files.has(CHAIN_FILE)) continue;
    await envFiles.load([s]);
    for (const path of envPaths(s)) {
      const f = envFiles.get(s, path);
      if (f !== undefined && !(f instanceof Error)) ancestry.add(f.view);
    }
    try {
      const st = checkChain(parseChain(s.files.get(CHAIN_FILE) ?? ""), verify, o.knownLink).state;
      if (st !== undefined) headOf.set(p, st.head.hash);
    } catch (e) {
      if (!(e instanceof Tampered)) throw e;
    }
  }
  // A commit is good when its state is valid and it follows its nearest good ancestors; a bad
  // one is reported, and its children are judged against the good commits before it, so a
  // forged commit that was reverted does not make every later commit fail.
  const standIn = new Map<string, string[]>();
  for (const p of outside) standIn.set(p, snaps.get(p)?.files.has(CHAIN_FILE) === true ? [p] : []);
  for (const [i, n] of nodes.entries()) {
    const s = snaps.get(n.oid)!;
    if (i % limits.readAhead === 0) await envFiles.load(nodes.slice(i, i + limits.readAhead).map((x) => snaps.get(x.oid)), true);
    const problems: TrustProblem[] = [];
    const reps = [...new Set(n.parents.flatMap((p) => standIn.get(p) ?? []))];
    const signedParents = n.parents.filter((p) => snaps.get(p)?.files.has(CHAIN_FILE));
    if (!s.files.has(CHAIN_FILE)) {
      if (signedParents.length > 0) problems.push({ file: CHAIN_FILE, what: `${CHAIN_FILE} was removed: the commit drops the vault's chain of trust` });
      else {
        result.unsigned.push(n.oid);
        standIn.set(n.oid, []);
        continue;
      }
    } else {
      result.checked.push(n.oid);
      const only = n.parents.length === 1 ? n.parents[0]! : undefined;
      if (only !== undefined && snaps.get(only)?.tree === s.tree && s.tree !== undefined && !s.hasLocal) {
        // The vault as its parent had it: judged with the parent.
        const inherited = result.bad.get(only);
        standIn.set(n.oid, inherited === undefined ? [n.oid] : (standIn.get(only) ?? []));
        if (inherited !== undefined) result.bad.set(n.oid, inherited);
        if (headOf.has(only)) headOf.set(n.oid, headOf.get(only)!);
        if (rootOf.has(only)) rootOf.set(n.oid, rootOf.get(only)!);
        continue;
      }
      // What the read-ahead read is there already, unless the walk dropped a version it meets again.
      await envFiles.load([s]);
      const st = state(s);
      problems.push(...st.problems);
      if (st.problems.length === 0) {
        // Only lines of a valid state join the ancestry: a forged line's prev is the forger's.
        for (const path of envPaths(s)) {
          const f = envFiles.get(s, path);
          if (f !== undefined && !(f instanceof Error)) ancestry.add(f.view);
        }
      }
      if (st.head !== undefined) headOf.set(n.oid, st.head);
      if (st.root !== undefined) rootOf.set(n.oid, st.root);
      for (const p of reps) {
        const ph = headOf.get(p);
        if (ph !== undefined && st.head !== undefined && !st.heads.has(ph)) problems.push({ file: CHAIN_FILE, what: `the chain drops roster version ${ph.slice(0, 12)} of ${p.slice(0, 12)} (a roster or vault.yaml change undone without an admin's link)` });
      }
      if (s.hasLocal) problems.push({ file: LOCAL_DIR, what: `the commit holds ${LOCAL_DIR}/, this clone's local state: it could plant a trust cache or keys in a teammate's clone` });
      const repSnaps = reps.map((r) => snaps.get(r)).filter((x): x is Snapshot => x !== undefined && x.files.has(CHAIN_FILE));
      if (st.problems.length === 0 && repSnaps.length > 0 && !(repSnaps.length === 1 && repSnaps[0]!.tree === s.tree)) {
        const paths = new Set([...envPaths(s), ...repSnaps.flatMap(envPaths)]);
        // A parent older than what the walk keeps (a merge of a long branch) is read again.
        await envFiles.load(repSnaps);
        for (const path of [...paths].sort()) {
          const env = ENV_RE.exec(path.slice(ENVS_DIR.length + 1))?.[1] ?? "";
          const mine = envFiles.get(s, path);
          const theirs = repSnaps.map((p) => envFiles.get(p, path));
          if (mine instanceof Error || theirs.some((t) => t instanceof Error)) continue;
          const view = (f: { file: EnvFile; view: SignedFile } | Error | undefined) => (f === undefined || f instanceof Error || f.file.version !== 2 ? undefined : f.view);
          problems.push(...checkFileTransition(env, view(mine), theirs.map(view), ancestry));
        }
      }
    }
    if (problems.length === 0) {
      standIn.set(n.oid, [n.oid]);
      continue;
    }
    const stamped = problems.map((p) => ({ commit: n.oid, ...p }));
    result.problems.push(...stamped);
    result.bad.set(n.oid, stamped);
    standIn.set(n.oid, reps);
  }
  const roots = new Set(result.checked.map((c) => rootOf.get(c)).filter((r): r is string => r !== undefined));
  if (roots.size === 1) result.root = [...roots][0]!;
  return result;
}
