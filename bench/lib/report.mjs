// Markdown for the console and bench/results/latest.md.

const ms = (x) => (x === undefined ? "—" : `${x.toFixed(1)} ms`);

/** Goals: each is numerator / denominator, compared with `op` to `goal`. */
export function ratios(results, goals) {
  return goals.map(({ label, num, den, op, goal, note }) => {
    const a = results[num]?.median;
    const b = typeof den === "function" ? den(results) : results[den]?.median;
    if (a === undefined || b === undefined) return { label, num: a, den: b, op, goal, ratio: undefined, met: undefined, note };
    const ratio = a / b;
    const met = goal === undefined ? undefined : op === "≤" ? ratio <= goal : ratio >= goal;
    return { label, num: a, den: b, op, goal, ratio, met, note };
  });
}

export function markdown({ meta, commands, results, ratioRows, rss, skipped, extras }) {
  const out = [];
  out.push("# envvault benchmark: latest run", "");
  out.push(`${meta.date} · Node ${meta.node} · ${meta.platform} · ${meta.cores} cores (${meta.cpuModel}) · load average ${meta.loadBefore} before, ${meta.loadAfter} after`);
  out.push(`${meta.runs} interleaved runs per command after ${meta.warmup} warm-up rounds, wall time of a new process each run (spawnSync, stdout to /dev/null); medians. dotenvx: ${meta.dotenvx}. Total ${meta.totalSeconds.toFixed(0)} s.`, "");

  out.push("## Goals", "", "| ratio | measured | ratio | goal | met |", "|---|---|---|---|---|");
  for (const r of ratioRows) {
    const measured = r.num === undefined || r.den === undefined ? "skipped" : `${ms(r.num)} / ${ms(r.den)}`;
    const ratio = r.ratio === undefined ? "—" : r.ratio.toFixed(2);
    const goal = r.goal === undefined ? "(info)" : `${r.op} ${r.goal}`;
    const met = r.ratio === undefined ? "skipped" : r.met === undefined ? "—" : r.met ? "met" : "**not met**";
    out.push(`| ${r.label} | ${measured} | ${ratio} | ${goal} | ${met} |`);
  }
  for (const r of ratioRows) if (r.note) out.push("", `${r.label}: ${r.note}`);
  out.push("");

  out.push("## Commands", "", "| command | median | mean ± sd | min | max | runs |", "|---|---|---|---|---|---|");
  for (const c of commands) {
    const s = results[c.name];
    out.push(`| \`${c.display}\` | ${ms(s.median)} | ${s.mean.toFixed(1)} ± ${s.sd.toFixed(1)} | ${ms(s.min)} | ${ms(s.max)} | ${s.runs} |`);
  }
  for (const note of skipped) out.push("", `Skipped: ${note}`);
  out.push("");

  out.push("## Memory", "");
  out.push(rss.kib === undefined ? `Peak RSS skipped: ${rss.note}` : `Peak RSS of \`${rss.display}\`: ${(rss.kib / 1024).toFixed(1)} MiB (median of ${rss.runs} runs, GNU time %M).`);
  out.push("");

  for (const e of extras) {
    out.push(`## \`node ${e.script}\``, "");
    if (e.lines.length) out.push(...e.lines);
    if (e.note) out.push(`${e.lines.length ? "\n" : ""}_${e.note}_`);
    out.push("");
  }
  return out.join("\n");
}
