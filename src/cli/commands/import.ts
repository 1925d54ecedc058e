import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { fsError } from "../../io/files.js";
import { printEnvFile } from "../../model/envfile.js";
import { findVaultRoot } from "../../store/root.js";
import { Vault } from "../../store/vault.js";
import { formatFromName, importFrom, type ImportFormat } from "../../model/formats.js";
import { optionalKeyring } from "../../app/session.js";
import { transaction } from "../../store/transaction.js";
import { stillExposed, updateExposures } from "../../store/exposures.js";
import { applyUpdates, nowSeconds } from "../../app/write.js";
import { chooseEnv, inputText, readStdin, summary, depsOf } from "../common.js";
import type { Context } from "../context.js";
import { InvalidFile } from "../../errors.js";

export async function importEnv(ctx: Context, args: { file: string; format?: ImportFormat }): Promise<void> {
  // yargs hands a lone "-" to a string positional as "", and no file is named "".
  const stdin = args.file === "-" || args.file === "";
  const name = stdin ? "<stdin>" : args.file;
  let text: string;
  try {
    text = stdin ? await readStdin(ctx.stdin) : inputText(await readFile(resolve(ctx.cwd, args.file)), name);
  } catch (e) {
    // An invalid byte is already an InvalidFile naming its offset; fsError keeps it as it is.
    throw fsError("read", name, e);
  }
  const values = importFrom(args.format ?? formatFromName(name), text, name);
  for (const [key, value] of values) {
    if (value.includes("\0")) throw new InvalidFile(`${name}: the value of ${key} contains a NUL byte`, { data: { file: name, key } });
  }
  const result = await transaction(findVaultRoot(ctx.cwd), async (vault) => {
    const env = await chooseEnv(vault, ctx);
    const keyring = await optionalKeyring(vault, depsOf(ctx));
    const written = await applyUpdates(keyring, await vault.envFile(env), [...values].map(([key, value]) => ({ key, value })), [], nowSeconds(ctx.processEnv));
    const changes = new Map<string, string | null>([[Vault.envPath(env), printEnvFile(written.file)]]);
    await updateExposures(vault, changes, [], stillExposed(written.file.values, env));
    return { changes, result: { env, added: written.added, changed: written.changed, unchanged: written.unchanged } };
  });
  ctx.out.note(`${result.env}: imported ${values.size} from ${name}: ${summary(result.added, result.changed, [])}`);
  ctx.out.result(result);
}
