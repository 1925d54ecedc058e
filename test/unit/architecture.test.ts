/**
 * The layering of docs/ARCHITECTURE.md, held by reading every import of src/ (static, type
 * and dynamic): which layer may import which, the pure layers touch no file system or
 * process, and no module imports itself round a cycle.
 */
import { describe, expect, test } from "@jest/globals";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { ROOT } from "../e2e/harness.js";

const SRC = join(ROOT, "src");

/** The layers, each with the layers it may import (itself always). */
export const ALLOWED: Record<string, readonly string[]> = {
  errors: [],
  model: ["errors", "crypto"],
  crypto: ["errors"],
  io: ["errors"],
  git: ["errors", "io"],
  store: ["errors", "model", "crypto", "io", "git"],
  app: ["errors", "model", "crypto", "io", "git", "store"],
  cli: ["errors", "model", "io", "app"],
  entry: ["errors", "model", "app"],
};

/** Node modules a pure layer may not use: files, processes, the network, the terminal. */
const IMPURE = /^node:(fs|fs\/promises|child_process|net|tls|http|https|dgram|readline|tty|worker_threads|os)$/;
const PURE = new Set(["model", "crypto"]);

export function layerOf(file: string): string {
  const rel = relative(SRC, file).split("/");
  if (rel.length === 1) return rel[0] === "errors.ts" ? "errors" : "entry";
  return rel[0] ?? "";
}

export interface Import {
  from: string;
  to: string;
  line: number;
}

const IMPORT = /(?:^|[^\w.])(?:import|export)\s*(?:type\s+)?(?:[^"'`;()]*?\sfrom\s*)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

/** Every import of a source text: specifier and line. */
export function importsOf(text: string): { spec: string; line: number }[] {
  const out: { spec: string; line: number }[] = [];
  // Comments may quote import syntax; they do not import anything.
  const code = text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, " ")).replace(/(^|[^:"'`])\/\/[^\n]*/g, (c, p: string) => p + " ".repeat(c.length - p.length));
  for (const m of code.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2];
    if (spec !== undefined) out.push({ spec, line: code.slice(0, m.index).split("\n").length });
  }
  return out;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts"))
    .map((f) => join(dir, f));
}

function graph(): { edges: Import[]; external: Import[] } {
  const edges: Import[] = [];
  const external: Import[] = [];
  for (const file of sources(SRC)) {
    for (const { spec, line } of importsOf(readFileSync(file, "utf8"))) {
      if (spec.startsWith(".")) {
        const to = normalize(join(dirname(file), spec)).replace(/\.js$/, ".ts");
        edges.push({ from: file, to, line });
      } else external.push({ from: file, to: spec, line });
    }
  }
  return { edges, external };
}

const show = (i: Import) => `${relative(ROOT, i.from)}:${i.line} → ${i.to.startsWith("/") ? relative(ROOT, i.to) : i.to}`;

describe("layers (docs/ARCHITECTURE.md)", () => {
  const { edges, external } = graph();

  test("the test reads the imports it should (a sanity check of the parser)", () => {
    expect(edges.length).toBeGreaterThan(300);
    expect(importsOf('import { a } from "./a.js";\nimport type { B } from "../b.js";\nconst c = await import("./c.js");\n// import x from "./no.js"\nexport { d } from "./d.js";').map((i) => i.spec)).toEqual(["./a.js", "../b.js", "./c.js", "./d.js"]);
    expect(layerOf(join(SRC, "cli", "main.ts"))).toBe("cli");
    expect(layerOf(join(SRC, "index.ts"))).toBe("entry");
  });

  test("each layer imports only the layers below it", () => {
    const wrong = edges.filter((e) => {
      const from = layerOf(e.from);
      const to = e.to.startsWith(SRC) ? layerOf(e.to) : "package";
      return to !== "package" && from !== to && !(ALLOWED[from] ?? []).includes(to);
    });
    expect(wrong.map(show)).toEqual([]);
  });

  test("model/ and crypto/ use no file system, process, network or terminal", () => {
    const impure = external.filter((e) => PURE.has(layerOf(e.from)) && IMPURE.test(e.to));
    expect(impure.map(show)).toEqual([]);
  });

  test("nothing imports cli/ but cli/ itself, and only crypto/age.ts imports age-encryption", () => {
    expect(edges.filter((e) => layerOf(e.to) === "cli" && layerOf(e.from) !== "cli").map(show)).toEqual([]);
    expect(external.filter((e) => e.to === "age-encryption" && relative(SRC, e.from) !== "crypto/age.ts").map(show)).toEqual([]);
  });

  test("no import cycle", () => {
    const next = new Map<string, string[]>();
    for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
    const state = new Map<string, "open" | "done">();
    const cycles: string[] = [];
    const visit = (f: string, path: string[]) => {
      if (state.get(f) === "done") return;
      if (state.get(f) === "open") {
        cycles.push([...path.slice(path.indexOf(f)), f].map((p) => relative(SRC, p)).join(" → "));
        return;
      }
      state.set(f, "open");
      for (const t of next.get(f) ?? []) visit(t, [...path, f]);
      state.set(f, "done");
    };
    for (const f of next.keys()) visit(f, []);
    expect(cycles).toEqual([]);
  });
});
