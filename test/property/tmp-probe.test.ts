import { test } from "@jest/globals";
import fc from "fast-check";
import { trickyValue } from "../unit/format/corpus/arbitraries.js";
import { unwritable } from "../unit/format/corpus/writable.js";
test("probe", () => {
  const s = fc.sample(trickyValue, 10000);
  console.log("unwritable", s.filter(unwritable).length, "of", s.length);
  const t = fc.sample(fc.string({unit: "binary"}), 10000);
  console.log("binary unwritable", t.filter(unwritable).length);
  const alphabet = ["a", " ", "\n", "\r", "'", "\"", "`", "\\", "#", "n"];
  let all = [""], count = 0, un = 0;
  for (let len = 0; len <= 4; len++) { for (const v of all) { count++; if (unwritable(v)) un++; } all = all.flatMap(v => alphabet.map(c => v + c)); }
  console.log("exhaustive", un, "of", count);
});
