import { expect } from "@jest/globals";
import { VaultError } from "../../src/errors.js";

/** The VaultError `fn` throws; fails the test when it throws nothing or something else. */
export function thrown(fn: () => unknown): VaultError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(VaultError);
    return e as VaultError;
  }
  throw new Error("expected an error");
}

/** The VaultError a promise rejects with. */
export async function rejection(p: Promise<unknown>): Promise<VaultError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(VaultError);
    return e as VaultError;
  }
  throw new Error("expected a rejection");
}
