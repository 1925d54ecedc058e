// Output writes stdout and stderr through their file descriptors (FdSink), so a command never
// builds Node's stream objects; the bytes are those the streams would write, and any error
// hands the rest to the real stream. Colour is decided on the first coloured write only.
import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { outputFor } from "../../../src/cli/launch.js";
import { FdSink, Output } from "../../../src/cli/output.js";
import { InvalidFile, Tampered } from "../../../src/errors.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "envvault-output-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

class Collect {
  chunks: (string | Uint8Array)[] = [];
  write(chunk: string | Uint8Array): boolean {
    this.chunks.push(chunk);
    return true;
  }
  text(): string {
    return this.chunks.map((c) => (typeof c === "string" ? c : Buffer.from(c).toString("utf8"))).join("");
  }
}

describe("FdSink", () => {
  test("writes text and bytes to the descriptor, in order, without its stream", () => {
    const path = join(dir, "out");
    const fd = openSync(path, "w");
    let made = 0;
    const sink = new FdSink(fd, () => {
      made++;
      return new Collect();
    });
    sink.write("héllo ");
    sink.write(Buffer.from("wörld\n"));
    sink.write("x".repeat(1 << 20));
    closeSync(fd);
    expect(made).toBe(0);
    expect(readFileSync(path, "utf8")).toBe(`héllo wörld\n${"x".repeat(1 << 20)}`);
  });

  test("an error hands the unwritten bytes and every later write to the stream", () => {
    const fallback = new Collect();
    const sink = new FdSink(987654, () => fallback); // EBADF
    sink.write("first é");
    sink.write("second");
    expect(fallback.text()).toBe("first ésecond");
  });
});

describe("Output", () => {
  test("colour is asked for once, on the first coloured write", () => {
    let asked = 0;
    const stderr = new Collect();
    const out = new Output({ json: false, quiet: false, color: () => (asked++, true), stdout: new Collect(), stderr });
    out.note("plain");
    expect(asked).toBe(0);
    out.warn("careful");
    out.warn("again");
    expect(asked).toBe(1);
    expect(stderr.text()).toBe("plain\n\u001b[33mvault: warning:\u001b[39m careful\n\u001b[33mvault: warning:\u001b[39m again\n");
  });

  test("raw writes exactly what it is given; data ends with a newline; json mode keeps stdout for JSON", () => {
    const stdout = new Collect();
    const out = new Output({ json: false, quiet: false, color: false, stdout, stderr: new Collect() });
    out.raw("A=1");
    out.data("line");
    expect(stdout.text()).toBe("A=1line\n");
    const jsonOut = new Collect();
    const j = new Output({ json: true, quiet: false, color: false, stdout: jsonOut, stderr: new Collect() });
    j.data("hidden");
    j.result({ ok: true });
    expect(jsonOut.text()).toBe('{\n  "ok": true\n}\n');
  });
});

describe("Output.error with --debug", () => {
  const render = (e: unknown, debug?: boolean) => {
    const stderr = new Collect();
    const code = new Output({ json: false, quiet: false, color: false, stdout: new Collect(), stderr, ...(debug === undefined ? {} : { debug }) }).error(e);
    return { code, text: stderr.text() };
  };
  const framesOf = (e: Error) => e.stack!.split("\n").filter((l) => /^\s+at /.test(l));

  test("an unexpected error prints its stack frames after the hint that asks for them", () => {
    const bug = new TypeError("x is undefined");
    const { code, text } = render(bug, true);
    expect(code).toBe(1);
    expect(text).toBe(
      [
        "vault: error: unexpected failure: x is undefined",
        "vault: hint: this is a bug in envvault; run again with --debug and report the trace",
        "vault: debug: trace of TypeError",
        ...framesOf(bug),
        "",
      ].join("\n"),
    );
    expect(framesOf(bug).length).toBeGreaterThan(0);
  });

  test("without --debug there is no trace", () => {
    expect(render(new TypeError("x is undefined")).text).not.toMatch(/vault: debug:|\n\s+at /);
    expect(render(new InvalidFile("f: broken")).text).toBe("vault: error: f: broken\n");
  });

  test("a VaultError's trace follows its cause chain, naming each class but printing no cause's message", () => {
    const inner = new SyntaxError("Unexpected token in 'AGE-SECRET-KEY-1QQQ'");
    const middle = new Error("decrypt failed for value s3cret-value", { cause: inner });
    const e = new Tampered(".envvault/envs/production.env: API_TOKEN cannot be opened", { cause: middle });
    const { code, text } = render(e, true);
    expect(code).toBe(4);
    expect(text).toBe(
      [
        "vault: error: .envvault/envs/production.env: API_TOKEN cannot be opened",
        "vault: debug: trace of Tampered",
        ...framesOf(e),
        "vault: debug: caused by Error",
        ...framesOf(middle),
        "vault: debug: caused by SyntaxError",
        ...framesOf(inner),
        "",
      ].join("\n"),
    );
    expect(text).not.toMatch(/AGE-SECRET-KEY|s3cret-value/);
  });

  test("a message line that looks like a stack frame is not printed as one; a cause that is no Error is named by type only", () => {
    const e = new Error("first\n    at secret-value-frame (x.js:1:1)", { cause: "s3cret" });
    const { text } = render(new InvalidFile("f: broken", { cause: e }), true);
    expect(text).not.toContain("secret-value-frame");
    expect(text).not.toContain("s3cret");
    expect(text).toMatch(/^vault: debug: caused by a thrown string$/m);
  });

  test("a cause chain that loops ends", () => {
    const a = new Error("a");
    const b = new Error("b", { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(render(a, true).text.match(/^vault: debug: /gm)).toHaveLength(2);
  });
});

describe("outputFor", () => {
  const saved = process.env.ENVVAULT_DEBUG;
  afterEach(() => {
    if (saved === undefined) delete process.env.ENVVAULT_DEBUG;
    else process.env.ENVVAULT_DEBUG = saved;
  });

  test("traces errors with --debug, or with ENVVAULT_DEBUG=1 (a hook's command line cannot take --debug)", () => {
    const g = { json: false, quiet: false, color: false, debug: false };
    delete process.env.ENVVAULT_DEBUG;
    expect([outputFor(g).debug, outputFor({ ...g, debug: true }).debug]).toEqual([false, true]);
    process.env.ENVVAULT_DEBUG = "1";
    expect(outputFor(g).debug).toBe(true);
    process.env.ENVVAULT_DEBUG = "0";
    expect(outputFor(g).debug).toBe(false);
  });
});
