import { describe, expect, jest, test } from "@jest/globals";
import { PassThrough } from "node:stream";
import { VaultError } from "../../../src/errors.js";
import { confirm, isInteractive, promptHidden, promptLine, type Terminal } from "../../../src/io/terminal.js";

interface FakeTerminal extends Terminal {
  input: PassThrough & { isTTY: boolean; setRawMode: jest.Mock<(raw: boolean) => unknown> };
  output: PassThrough & { isTTY: boolean };
  shown: () => string;
}

function fakeTerminal(opts: { tty?: boolean; env?: Record<string, string> } = {}): FakeTerminal {
  const input = Object.assign(new PassThrough(), { isTTY: opts.tty ?? true, setRawMode: jest.fn((_raw: boolean): unknown => undefined) });
  const output = Object.assign(new PassThrough(), { isTTY: opts.tty ?? true });
  let shown = "";
  output.on("data", (chunk: Buffer) => (shown += chunk.toString()));
  return { input, output, env: opts.env ?? {}, shown: () => shown };
}

/** Sends keys once the prompt is listening, one chunk per string. */
function type(term: FakeTerminal, ...chunks: string[]): void {
  setImmediate(() => chunks.forEach((c) => term.input.write(c)));
}

describe("isInteractive", () => {
  test("needs terminals on both sides and no CI", () => {
    expect(isInteractive(fakeTerminal())).toBe(true);
    expect(isInteractive(fakeTerminal({ tty: false }))).toBe(false);
    expect(isInteractive(fakeTerminal({ env: { CI: "true" } }))).toBe(false);
    expect(isInteractive(fakeTerminal({ env: { CI: "false" } }))).toBe(true);
    expect(isInteractive(fakeTerminal({ env: { CI: "0" } }))).toBe(true);
  });
});

describe("promptHidden", () => {
  test("reads a line without echoing it, in raw mode, restored afterwards", async () => {
    const term = fakeTerminal();
    type(term, "s3", "cr", "et\r");
    await expect(promptHidden("Value for API_KEY:", term)).resolves.toBe("s3cret");
    expect(term.shown()).toBe("Value for API_KEY: \n");
    expect(term.input.setRawMode.mock.calls).toEqual([[true], [false]]);
  });

  test("handles backspace, Ctrl-U, arrow keys and multi-byte characters", async () => {
    const term = fakeTerminal();
    type(term, "abx\u007fc", "\u001b[D", "zz\u0015p🔑é\b\n");
    await expect(promptHidden("pw:", term)).resolves.toBe("p🔑");
  });

  test("Ctrl-C cancels with a VaultError", async () => {
    const term = fakeTerminal();
    type(term, "abc\u0003");
    const error = await promptHidden("pw:", term).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaultError);
    expect(error).toMatchObject({ code: "FAILURE", message: "cancelled" });
    expect(term.input.setRawMode).toHaveBeenLastCalledWith(false);
  });

  test("refuses without a terminal, and says why", async () => {
    await expect(promptHidden("Value for API_KEY:", fakeTerminal({ tty: false }))).rejects.toThrow(
      'cannot ask "Value for API_KEY:": no terminal to ask on',
    );
    await expect(promptLine("pw:", fakeTerminal({ env: { CI: "1" } }))).rejects.toMatchObject({
      code: "USAGE",
      message: 'cannot ask "pw:": prompts are off in CI (CI is set)',
    });
  });
});

describe("promptLine and confirm", () => {
  test("promptLine echoes what is typed and erases on backspace", async () => {
    const term = fakeTerminal();
    type(term, "stagx\u007fing\r");
    await expect(promptLine("Environment? ", term)).resolves.toBe("staging");
    expect(term.shown()).toBe("Environment? stagx\b \bing\n");
  });

  test("confirm takes the default on Enter and asks again on anything but yes or no", async () => {
    const yes = fakeTerminal();
    type(yes, "\r");
    await expect(confirm("Overwrite?", true, yes)).resolves.toBe(true);
    expect(yes.shown()).toBe("Overwrite? [Y/n] \n");

    const no = fakeTerminal();
    type(no, "maybe\r");
    setTimeout(() => no.input.write(" No\r"), 20);
    await expect(confirm("Overwrite?", true, no)).resolves.toBe(false);
    expect(no.shown()).toBe("Overwrite? [Y/n] maybe\nOverwrite? [Y/n]  No\n");
  });
});
