import { test } from "@jest/globals";
import { loadYaml } from "../../../src/vault/yamlfile.js";
test("x", () => {
  try { loadYaml("version: 1\nenvironments:\n  dev: {}\n  Production: {}\n", "v.yaml", "vault"); } catch (e) { console.log((e as any).message, (e as any).data); }
});
