/**
 * Whether this clone merges vault files with the envvault merge driver. `.gitattributes` is
 * committed, the driver's command is not (it lives in the clone's own git config), so a fresh
 * clone routes vault files to a driver it does not have: git then merges them line by line
 * and conflicts where the driver would not; a `[merge "envvault"]` section left without its
 * `driver` line makes git stop every such merge. Read from the files, without running git,
 * since every vault command asks.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { gitText } from "./exec.js";

const ROUTED = /^\s*\.envvault\/\S*\s.*\bmerge=envvault\b/m;
const FIX = "run `vault hooks install` in this clone (it sets the merge driver in .git/config)";

/** The git directory holding a work tree's config: `.git`, or what a `.git` file points at (its common directory). */
function configFile(top: string): string | undefined {
  const dotGit = join(top, ".git");
  try {
    if (statSync(dotGit).isDirectory()) return join(dotGit, "config");
    const gitDir = /^gitdir: (.+)$/m.exec(readFileSync(dotGit, "utf8"))?.[1]?.trim();
    if (gitDir === undefined) return undefined;
    const dir = isAbsolute(gitDir) ? gitDir : resolve(top, gitDir);
    const common = existsSync(join(dir, "commondir")) ? readFileSync(join(dir, "commondir"), "utf8").trim() : ".";
    return join(isAbsolute(common) ? common : resolve(dir, common), "config");
  } catch {
    return undefined;
  }
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return fallback;
  }
}

/** What the local config says of `merge.envvault`: a driver, a section without one, or nothing. */
function localDriver(text: string): "driver" | "no driver" | "none" {
  let inSection = false;
  let seen = false;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    const header = /^\[\s*([^\]\s]+)(?:\s+"([^"]*)")?\s*\]/.exec(line);
    if (header !== null) {
      inSection = header[1]?.toLowerCase() === "merge" && header[2] === "envvault";
      seen ||= inSection;
      continue;
    }
    if (inSection && /^driver\s*=\s*\S/i.test(line)) return "driver";
  }
  return seen ? "no driver" : "none";
}

/**
 * A warning when `.gitattributes` at `top` routes vault files to the envvault merge driver
 * and this clone's git config does not define it (or defines it without a command); else
 * undefined. A driver set outside the local config (an include, the global config) is found
 * through git.
 */
export async function mergeDriverWarning(top: string): Promise<string | undefined> {
  if (!ROUTED.test(readOr(join(top, ".gitattributes"), ""))) return undefined;
  const file = configFile(top);
  const local = file === undefined ? "none" : localDriver(readOr(file, ""));
  if (local === "driver") return undefined;
  if (local === "no driver") {
    return `this clone's git config has a [merge "envvault"] section without its driver line: git stops every merge of a vault file ("custom merge driver envvault lacks command line"); ${FIX}`;
  }
  const elsewhere = await gitText(["config", "--get", "merge.envvault.driver"], { cwd: top }).catch(() => "");
  if (elsewhere.trim() !== "") return undefined;
  return `this clone has no envvault merge driver (merge.envvault.driver is not set, .gitattributes names it): git would merge vault files line by line and conflict where the driver merges key by key; ${FIX}`;
}
