/**
 * A graph of commits, for where the sides of a merge forked (their merge base), found as git
 * finds it: by painting down from each side in generation order. Pure.
 */

/**
 * A history's commits and parents, for the fork points of merges. Each commit gets a
 * generation number (one more than its parents' highest), so that the search for a fork
 * point walks back only as far as the fork, not the whole history.
 */
export class CommitGraph {
  private readonly parentsOf: ReadonlyMap<string, readonly string[]>;
  private readonly generation = new Map<string, number>();
  private readonly position: ReadonlyMap<string, number>;

  /** `commits` newest first (the order of `git log`), each one's parents among them. */
  constructor(commits: readonly { commit: string; parents: readonly string[] }[]) {
    this.parentsOf = new Map(commits.map((c) => [c.commit, c.parents]));
    this.position = new Map(commits.map((c, i) => [c.commit, i]));
    for (const c of commits) this.generationOf(c.commit);
  }

  private generationOf(start: string): number {
    // Depth first without recursion: a history of any length fits the stack.
    const todo = [start];
    while (todo.length > 0) {
      const c = todo[todo.length - 1] ?? "";
      if (this.generation.has(c)) {
        todo.pop();
        continue;
      }
      let ready = true;
      let highest = 0;
      for (const p of this.parentsOf.get(c) ?? []) {
        const g = this.generation.get(p);
        if (g !== undefined) highest = Math.max(highest, g);
        else if (this.parentsOf.has(p)) {
          todo.push(p);
          ready = false;
        }
      }
      if (!ready) continue;
      this.generation.set(c, highest + 1);
      todo.pop();
    }
    return this.generation.get(start) ?? 0;
  }

  /**
   * The best common ancestor of `tips`: one that all of them reach (or one of them) and that
   * no other such commit descends from; of several (a criss-cross merge), the newest in the
   * order given. Undefined when the tips share no history. Several tips (an octopus merge)
   * are taken two at a time.
   */
  mergeBase(tips: readonly string[]): string | undefined {
    let base: string | undefined = tips[0];
    for (const tip of tips.slice(1)) base = base === undefined ? undefined : this.baseOfTwo(base, tip);
    return base;
  }

  /** git's paint-down: walk back from both, highest generation first, until only commits below a common one are left. */
  private baseOfTwo(a: string, b: string): string | undefined {
    const A = 1;
    const B = 2;
    const STALE = 4;
    const flags = new Map<string, number>([[a, A]]);
    flags.set(b, (flags.get(b) ?? 0) | B);
    const queue = new GenerationQueue((c) => this.generation.get(c) ?? 0);
    queue.push(a);
    if (b !== a) queue.push(b);
    const found: string[] = [];
    while (queue.size > 0 && queue.some((c) => ((flags.get(c) ?? 0) & STALE) === 0)) {
      const c = queue.pop();
      let f = flags.get(c) ?? 0;
      if ((f & (A | B)) === (A | B) && (f & STALE) === 0) {
        found.push(c);
        f |= STALE;
        flags.set(c, f);
      }
      for (const p of this.parentsOf.get(c) ?? []) {
        const had = flags.get(p) ?? 0;
        if ((had & f) === f) continue;
        flags.set(p, had | f);
        queue.push(p);
      }
    }
    // A common ancestor found before another one it descends from is the better; drop the other.
    const best = found.filter((c) => !found.some((d) => d !== c && this.reaches(d, c)));
    return best.sort((x, y) => (this.position.get(x) ?? 0) - (this.position.get(y) ?? 0))[0];
  }

  /** Whether `from` has `to` among its ancestors. */
  private reaches(from: string, to: string): boolean {
    const floor = this.generation.get(to) ?? 0;
    const seen = new Set<string>();
    const todo = [...(this.parentsOf.get(from) ?? [])];
    while (todo.length > 0) {
      const c = todo.pop() ?? "";
      if (c === to) return true;
      if (seen.has(c) || (this.generation.get(c) ?? 0) <= floor) continue;
      seen.add(c);
      todo.push(...(this.parentsOf.get(c) ?? []));
    }
    return false;
  }
}

/** Commits by generation, highest first (a binary heap). */
class GenerationQueue {
  private readonly heap: string[] = [];
  private readonly queued = new Set<string>();

  constructor(private readonly generation: (commit: string) => number) {}

  get size(): number {
    return this.heap.length;
  }

  some(test: (commit: string) => boolean): boolean {
    return this.heap.some(test);
  }

  push(commit: string): void {
    if (this.queued.has(commit)) return;
    this.queued.add(commit);
    const h = this.heap;
    h.push(commit);
    for (let i = h.length - 1; i > 0; ) {
      const up = (i - 1) >> 1;
      if (this.generation(h[up] ?? "") >= this.generation(h[i] ?? "")) break;
      [h[up], h[i]] = [h[i] ?? "", h[up] ?? ""];
      i = up;
    }
  }

  pop(): string {
    const h = this.heap;
    const top = h[0] ?? "";
    const last = h.pop() ?? "";
    this.queued.delete(top);
    if (h.length > 0) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.generation(h[l] ?? "") > this.generation(h[m] ?? "")) m = l;
        if (r < h.length && this.generation(h[r] ?? "") > this.generation(h[m] ?? "")) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i] ?? "", h[m] ?? ""];
        i = m;
      }
    }
    return top;
  }
}
