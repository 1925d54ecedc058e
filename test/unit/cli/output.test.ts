// Output writes stdout and stderr through their file descriptors (FdSink), so a command never
// builds Node's stream objects; the bytes are those the streams would write, and any error
// hands the rest to the real stream. Colour is decided on the first coloured write only.
import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FdSink, Output } from "../../../src/cli/output.js";

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
