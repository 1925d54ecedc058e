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

/**
 * How a cost grows with a size (variables, members): the median at each size, the cost
 * above the `node -e 0` floor, the cost per added unit between two sizes, and the growth
 * exponent of the cost above the floor between two sizes, log(e₂/e₁) / log(n₂/n₁): 1 is
 * linear, 2 quadratic, below 1 sub-linear (a fixed start-up share). No worse than linear
 * when every exponent is at most 1 (+0.1 for timing noise).
 */
export function growth(title, unit, points, results, floor, noun = unit === "vars" ? "variable" : "member") {
  const rows = points.map(([n, name]) => ({ n, name, median: results[name]?.median }));
  if (rows.some((r) => r.median === undefined)) return { title, unit, noun, rows, verdict: undefined };
  const steps = [];
  for (let i = 1; i < rows.length; i++) {
    const a = rows[i - 1];
    const b = rows[i];
    const ea = Math.max(a.median - floor, 0.1);
    const eb = Math.max(b.median - floor, 0.1);
    steps.push({ from: a.n, to: b.n, perUnit: (b.median - a.median) / (b.n - a.n), exponent: Math.log(eb / ea) / Math.log(b.n / a.n) });
  }
  return { title, unit, noun, rows, steps, floor, verdict: steps.every((s) => s.exponent <= 1.1) };
}

/** One growth table in Markdown: its title, a row per size, and the verdict. */
export function growthLines(g) {
  const out = [`**${g.title}**`, "", `| ${g.unit} | median | above floor | step | per added ${g.noun} | exponent |`, "|---|---|---|---|---|---|"];
  g.rows.forEach((r, i) => {
    const st = i === 0 ? undefined : g.steps?.[i - 1];
    out.push(`| ${r.n.toLocaleString("en")} | ${ms(r.median)} | ${r.median === undefined ? "—" : ms(r.median - g.floor)} | ${st === undefined ? "—" : `${st.from.toLocaleString("en")} → ${st.to.toLocaleString("en")}`} | ${st === undefined ? "—" : perUnit(st.perUnit)} | ${st === undefined ? "—" : st.exponent.toFixed(2)} |`);
  });
  out.push("", `Verdict: ${g.verdict === undefined ? "skipped" : g.verdict ? "no worse than linear" : "**worse than linear**"}.`, "");
  return out;
}

/**
 * The table of a bench script's measures, one row per command: label, median, its ratio to
 * `node -e 0` (`floor`), min, max, runs, command. bench/run.mjs reads these rows back (label,
 * median, ratio) into its goals table.
 */
export function measureLines(commands, results, floor) {
  const out = ["| measure | median | / node -e 0 | min | max | runs | command |", "|---|---|---|---|---|---|---|"];
  for (const c of commands) {
    const s = results[c.name];
    out.push(`| ${c.label} | ${ms(s.median)} | ${(s.median / floor).toFixed(2)} | ${ms(s.min)} | ${ms(s.max)} | ${s.runs} | \`${c.display}\` |`);
  }
  return [...out, ""];
}

const perUnit = (ms) => (Math.abs(ms) >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(1)} µs`);

export function markdown({ meta, commands, results, ratioRows, rss, growthTables = [], skipped, extras }) {
  const out = [];
  out.push("# envvault benchmark: latest run", "");
  out.push(`${meta.date} · Node ${meta.node} · ${meta.platform} · ${meta.cores} cores (${meta.cpuModel}) · load average ${meta.loadBefore} before, ${meta.loadAfter} after`);
  out.push(`${meta.runs} interleaved runs per command after ${meta.warmup} warm-up rounds (rotations: 1 and ${Math.min(meta.runs, 5)}), wall time of a new process each run (spawnSync, stdout to /dev/null); medians. Peers: ${meta.peers}. Total ${meta.totalSeconds.toFixed(0)} s.`, "");

  out.push("## Goals", "", "| ratio | measured | ratio | goal | met |", "|---|---|---|---|---|");
  for (const r of ratioRows) {
    const measured = r.num === undefined || r.den === undefined ? "skipped" : `${ms(r.num)} / ${ms(r.den)}`;
    const ratio = r.ratio === undefined ? "—" : r.ratio.toFixed(2);
    const goal = r.goal === undefined ? "(info)" : `${r.op} ${r.goal}`;
    const met = r.ratio === undefined ? "skipped" : r.met === undefined ? "—" : r.met ? "met" : "**not met**";
    out.push(`| ${r.label} | ${measured} | ${ratio} | ${goal} | ${met} |`);
  }
  if (rss !== undefined && rss.goalMB !== undefined) {
    const mb = rss.kib === undefined ? undefined : (rss.kib * 1024) / 1e6;
    out.push(`| peak RSS, export 2,000 vars | ${mb === undefined ? "skipped" : `${mb.toFixed(1)} MB`} | — | ≤ ${rss.goalMB} MB | ${mb === undefined ? "skipped" : mb <= rss.goalMB ? "met" : "**not met**"} |`);
  }
  for (const g of growthTables) {
    const verdict = g.verdict === undefined ? "skipped" : g.verdict ? "met" : "**not met**";
    const exps = g.steps?.map((st) => st.exponent.toFixed(2)).join(", ") ?? "—";
    out.push(`| cost growth: ${g.title} | exponents ${exps} | — | no worse than linear (≤ 1) | ${verdict} |`);
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
  out.push(rss.kib === undefined ? `Peak RSS skipped: ${rss.note}` : `Peak RSS of \`${rss.display}\`: ${((rss.kib * 1024) / 1e6).toFixed(1)} MB (${(rss.kib / 1024).toFixed(1)} MiB; median of ${rss.runs} runs, GNU time %M).`);
  out.push("");

  if (growthTables.length > 0) {
    out.push("## Cost growth", "");
    out.push(`Medians from the tables above; "above floor" is the median minus \`node -e 0\` (${ms(growthTables[0].floor)}). Per added unit: the difference of medians divided by the difference of sizes. Exponent: log(above₂ / above₁) / log(n₂ / n₁), 1 for linear growth, less when a fixed start-up cost dominates; no worse than linear when each is ≤ 1 (+0.1 for noise).`, "");
    for (const g of growthTables) out.push(...growthLines(g));
  }

  for (const e of extras) {
    out.push(`## \`node ${e.script}\``, "");
    if (e.lines.length) out.push(...e.lines);
    if (e.note) out.push(`${e.lines.length ? "\n" : ""}_${e.note}_`);
    out.push("");
  }
  return out.join("\n");
}
