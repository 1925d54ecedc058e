// Interoperability with the reference `age` CLI (docs/FORMAT.md §2: key files are plain age files;
// identities made by age-keygen work in envvault). CI installs age (.ci/run); a missing
// binary fails these tests unless ENVVAULT_SKIP_AGE_CLI=1 says to skip them on purpose.
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { decrypt, encrypt, identityToRecipient } from "../../../src/crypto/age.js";
import { parseIdentityFile } from "../../../src/crypto/identity.js";
import { writeIdentityFile } from "../../../src/store/identity.js";
import { newScopeKey, unwrapBatchKey, wrapBatchKey, wrapScopeKey } from "../../../src/crypto/scopekey.js";
import { batchId, newBatchKey } from "../../../src/crypto/seal.js";

const skip = process.env["ENVVAULT_SKIP_AGE_CLI"] === "1";
const installed = ["age", "age-keygen"].every((bin) => spawnSync(bin, ["--version"]).status === 0);
const cliTest = skip || !installed ? test.skip : test;

/** Runs a CLI with `input` on stdin; secrets go through files and stdin, never argv. */
const run = (bin: string, args: string[], input?: Uint8Array | string): Buffer =>
  execFileSync(bin, args, { input: input ?? "", stdio: ["pipe", "pipe", "pipe"] });

describe("interop with the reference age CLI", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "envvault-interop-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  (skip ? test.skip : test)("age and age-keygen are installed (set ENVVAULT_SKIP_AGE_CLI=1 to skip on purpose)", () => {
    if (!installed) {
      throw new Error(
        "the interop tests need the reference `age` and `age-keygen` binaries on PATH: " +
          "install them (apt-get install -y age, brew install age) or set ENVVAULT_SKIP_AGE_CLI=1 to skip these tests",
      );
    }
  });

  cliTest("an identity made by age-keygen works in envvault, both ways", async () => {
    const file = join(dir, "keygen.txt");
    run("age-keygen", ["-o", file]);
    const [identity] = parseIdentityFile(readFileSync(file, "utf8"), file);
    const recipient = run("age-keygen", ["-y", file]).toString().trim();
    expect(await identityToRecipient(identity!)).toBe(recipient);
    expect(readFileSync(file, "utf8")).toContain(`# public key: ${recipient}\n`);

    const byAge = run("age", ["-r", recipient], "from age");
    expect(Buffer.from(await decrypt(byAge, [identity!], { what: "byAge" })).toString()).toBe("from age");
    const armoredByAge = run("age", ["-a", "-r", recipient], "armored from age").toString();
    expect(Buffer.from(await decrypt(armoredByAge, [identity!], { what: "armoredByAge" })).toString()).toBe("armored from age");

    const ours = await encrypt(Buffer.from("from envvault"), [recipient]);
    expect(run("age", ["-d", "-i", file], ours).toString()).toBe("from envvault");
  });

  cliTest("age -d -i opens a scope key file envvault wrote and prints the scope identity file", async () => {
    const memberFile = join(dir, "member.txt");
    const { recipient } = await writeIdentityFile(memberFile);
    const scope = await newScopeKey("production");
    const keyFile = join(dir, "production.age");
    writeFileSync(keyFile, await wrapScopeKey(scope, [recipient]));

    const printed = run("age", ["-d", "-i", memberFile, keyFile]).toString();
    expect(printed).toBe(`# envvault scope key: production\n# public key: ${scope.recipient}\n${scope.identity}\n`);

    // What age printed is an identity file the reference tools accept: it opens a batch.
    const scopeIdentityFile = join(dir, "scope.txt");
    writeFileSync(scopeIdentityFile, printed, { mode: 0o600 });
    expect(run("age-keygen", ["-y", scopeIdentityFile]).toString().trim()).toBe(scope.recipient);
    const batchKey = newBatchKey();
    const batch = await wrapBatchKey(batchKey, scope.recipient);
    expect(run("age", ["-d", "-i", scopeIdentityFile], Buffer.from(batch.b64, "base64"))).toEqual(Buffer.from(batchKey));
  });

  cliTest("a batch written by age to a scope recipient opens in envvault", async () => {
    const scope = await newScopeKey("production");
    const batchKey = newBatchKey();
    const file = run("age", ["-r", scope.recipient], batchKey);
    const opened = await unwrapBatchKey(file.toString("base64"), batchId(file), scope.identity, {
      env: "production",
      scope: "production",
    });
    expect(opened).toEqual(batchKey);
  });

  cliTest("the committed test vectors open with the reference age CLI", () => {
    const vectors = fileURLToPath(new URL("../../vectors/", import.meta.url));
    const expected = JSON.parse(readFileSync(join(vectors, "expected.json"), "utf8")) as {
      scopes: Record<string, { keyFile: string; identity: string }>;
    };
    for (const scope of Object.values(expected.scopes)) {
      const printed = run("age", ["-d", "-i", join(vectors, "member-identity.txt"), join(vectors, scope.keyFile)]).toString();
      expect(printed.endsWith(`\n${scope.identity}\n`)).toBe(true);
    }
  });
});
