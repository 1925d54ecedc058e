import { describe, expect, test } from "@jest/globals";
import { splitPassthrough } from "../../../src/cli/argv.js";

const split = (line: string) => splitPassthrough(line === "" ? [] : line.split(" "));

describe("splitPassthrough", () => {
  test("run -- CMD hands everything after -- to the command", () => {
    expect(split("run -- a b")).toEqual({ argv: ["run"], passthrough: ["a", "b"] });
  });

  test("the command's own options after its name are never parsed as ours", () => {
    expect(split("run a --x -e")).toEqual({ argv: ["run"], passthrough: ["a", "--x", "-e"] });
  });

  test("global options before run stay ours, options after the command are its own", () => {
    expect(split("--env e run cmd -e")).toEqual({ argv: ["--env", "e", "run"], passthrough: ["cmd", "-e"] });
  });

  test("our options between run and the command, with their values, stay ours", () => {
    expect(split("run --env e cmd")).toEqual({ argv: ["run", "--env", "e"], passthrough: ["cmd"] });
    expect(split("run -e e --identity id.txt --cwd /x --json node app.js")).toEqual({
      argv: ["run", "-e", "e", "--identity", "id.txt", "--cwd", "/x", "--json"],
      passthrough: ["node", "app.js"],
    });
  });

  test("run's own --context and --explain keep their values", () => {
    expect(split("run --context docker -- npm start")).toEqual({ argv: ["run", "--context", "docker"], passthrough: ["npm", "start"] });
    expect(split("run --context docker npm start")).toEqual({ argv: ["run", "--context", "docker"], passthrough: ["npm", "start"] });
    expect(split("run --explain KEY")).toEqual({ argv: ["run", "--explain", "KEY"], passthrough: [] });
    expect(split("run --context=docker --explain=KEY")).toEqual({ argv: ["run", "--context=docker", "--explain=KEY"], passthrough: [] });
  });

  test("-- after our options ends them, and a -- in the command is the command's", () => {
    expect(split("run --env e -- cmd -- --flag")).toEqual({ argv: ["run", "--env", "e"], passthrough: ["cmd", "--", "--flag"] });
  });

  test("other commands are left alone", () => {
    expect(split("get X")).toEqual({ argv: ["get", "X"], passthrough: [] });
    expect(split("--env run get run")).toEqual({ argv: ["--env", "run", "get", "run"], passthrough: [] });
    expect(split("set A=1 -- run")).toEqual({ argv: ["set", "A=1", "--", "run"], passthrough: [] });
  });

  test("run without a command passes nothing through", () => {
    expect(split("run")).toEqual({ argv: ["run"], passthrough: [] });
    expect(split("run --")).toEqual({ argv: ["run"], passthrough: [] });
    expect(split("")).toEqual({ argv: [], passthrough: [] });
  });

  test("a -- before run is left for the option parser", () => {
    expect(split("-- run a")).toEqual({ argv: ["--", "run", "a"], passthrough: [] });
  });
});
