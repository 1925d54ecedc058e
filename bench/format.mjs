// Times the .env engine on a deterministic 2,000-line file: parse, print and 10 edits
// (each edit re-parses the result to check it). Build first (`npm run build`, or
// `npx tsc -p tsconfig.build.json`), then `node bench/format.mjs`. Prints one line with
// the median of repeated runs in one process.
import { existsSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";

// tsc's rootDir decides whether the build lands in dist/lib/model/dotenv or dist/lib/src/model/dotenv.
const dir = ["dist/lib/model/dotenv", "dist/lib/src/model/dotenv"].find((d) => existsSync(`${d}/index.js`));
if (dir === undefined) {
  console.error("bench/format.mjs: no build found; run `npx tsc -p tsconfig.build.json` first");
  process.exit(1);
}
const { parse, print, set } = await import(pathToFileURL(`${dir}/index.js`).href);

const LINES = 2000;
const RUNS = 50;
const WARMUP = 10;

/** The same mix of syntax a real team file has, every run the same bytes. */
function buildFile() {
  const lines = [];
  for (let i = 0; lines.length < LINES; i++) {
    switch (i % 10) {
      case 0:
        lines.push(`# section ${i}`);
        break;
      case 1:
        lines.push("");
        break;
      case 2:
        lines.push(`export SERVICE_${i}_URL="https://svc-${i}.internal:8443/api?x=${i}" # primary`);
        break;
      case 3:
        lines.push(`SERVICE_${i}_TOKEN='tok_${i.toString(36).repeat(4)}'`);
        break;
      case 4:
        // A three-line PEM-style value every ten entries.
        lines.push(`CERT_${i}="-----BEGIN CERTIFICATE-----`, `MIIB${i.toString(16).padStart(40, "A")}`, '-----END CERTIFICATE-----"');
        break;
      default:
        lines.push(`VAR_${i} = value-${i}`);
    }
  }
  return lines.slice(0, LINES).join("\n") + "\n";
}

const text = buildFile();
const editKeys = Array.from({ length: 10 }, (_, k) => `VAR_${k * 190 + 5}`);

function once(run) {
  let doc = parse(text).doc;
  if (print(doc) !== text) throw new Error("round trip changed the file");
  for (const key of editKeys) doc = set(doc, key, `edited ${run} #${key}`);
  return print(doc);
}

for (let i = 0; i < WARMUP; i++) once(i);
const times = [];
for (let i = 0; i < RUNS; i++) {
  const start = performance.now();
  once(i);
  times.push(performance.now() - start);
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(`format: parse+print+10 edits of ${LINES.toLocaleString("en-US")} lines: ${median.toFixed(2)} ms (median of ${RUNS})`);
