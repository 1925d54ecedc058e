/**
 * A YAML file of the vault as the code sees it: validated data, and the parsed document when
 * it was parsed (edits keep the user's comments and layout). This module loads no YAML
 * parser: the hot commands use cached data only.
 */
import type { Document } from "yaml";
import { VaultError } from "../errors.js";

/**
 * A YAML file of the vault: its validated data and, when it was parsed (not taken from the
 * cache), its document, so edits keep the user's comments and layout.
 */
export class YamlFile<T> {
  readonly #doc: Document | undefined;

  constructor(
    readonly file: string,
    readonly data: T,
    doc?: Document,
  ) {
    this.#doc = doc;
  }

  get hasDoc(): boolean {
    return this.#doc !== undefined;
  }

  /**
   * The parsed document, for edits. A file whose data came from the cache has none: every
   * mutation goes through `transaction()`, which loads the documents first, so reaching
   * this without one is a bug, reported as such rather than writing anything.
   */
  get doc(): Document {
    if (this.#doc === undefined) {
      throw new VaultError("FAILURE", `internal error: ${this.file} was edited without its YAML document being loaded`, {
        data: { file: this.file },
        hints: ["this is a bug in envvault; nothing was written. Run again with --debug and report the trace"],
      });
    }
    return this.#doc;
  }
}

