/** Whether the clone around a directory lacks the merge driver its .gitattributes names (git/driver.ts), as a warning. */
import { mergeDriverWarning } from "../git/driver.js";
import { findGitRoot } from "../store/root.js";

export async function driverWarning(cwd: string): Promise<string | undefined> {
  const top = findGitRoot(cwd);
  return top === undefined ? undefined : mergeDriverWarning(top);
}
