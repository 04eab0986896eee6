/**
 * The command line: every command has help with examples, bad flags and values exit 2 with a message naming the
 * problem, a missing project exits 1 with what to do, and no user mistake prints a stack trace.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMANDS } from "../src/cli.js";
import { cliVersion } from "../src/version.js";
import { allocmd, allocmdProcess, tempDir } from "./support/cli.js";

let tmp: { dir: string; remove: () => Promise<void> };
let project: string;

beforeAll(async () => {
  tmp = await tempDir();
  project = join(tmp.dir, "eth-worker");
  expect((await allocmd(["init", "--name", "eth-worker", "--topic", "1"], tmp.dir)).code).toBe(0);
});
afterAll(async () => {
  await tmp?.remove();
});

const STACK = /\n\s+at .+:\d+:\d+/;

describe("help and version", () => {
  it("prints the version", async () => {
    const run = await allocmdProcess(["--version"], tmp.dir);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(`allocmd ${cliVersion()}`);
  });

  it("lists every command in allocmd --help", async () => {
    const run = await allocmdProcess(["--help"], tmp.dir);
    expect(run.code).toBe(0);
    for (const c of COMMANDS) expect(run.stdout).toMatch(new RegExp(`^  ${c.name}\\s+\\S`, "m"));
    expect(run.stdout).toContain("Exit codes: 0 ok, 1 failure, 2 usage error");
  });

  for (const command of COMMANDS) {
    it(`allocmd ${command.name} --help shows usage, options and examples`, async () => {
      const run = await allocmd([command.name, "--help"], tmp.dir);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`Usage: allocmd ${command.name}`);
      expect(run.stdout).toMatch(/Examples:\n {2}allocmd /);
      for (const flag of Object.keys(command.flags)) expect(run.stdout).toContain(`--${flag}`);
    });
  }
});

describe("usage errors exit 2 and name the problem", () => {
  const cases: Array<[string, string[], RegExp]> = [
    ["an unknown command", ["deploy"], /"deploy" is not an allocmd command/],
    [
      "an unknown flag, with a suggestion",
      ["request", "--topci", "1"],
      /has no flag --topci \(did you mean --topic\?\)/,
    ],
    ["a topic that is not an id", ["request", "--topic", "eth"], /topic "eth" is not a topic id/],
    [
      "a gossip topic name for a topic id",
      ["request", "--topic", "allora-topic-1-worker"],
      /the REST API takes the topic id itself: "1"/,
    ],
    ["a reputer topic", ["init", "--topic", "1/reputer"], /reputer topic/],
    [
      "an invalid boot node multiaddr",
      ["init", "--env", "prod", "--boot-nodes", "head.example.org:9010"],
      /--boot-nodes: "head.example.org:9010" is not a multiaddr/,
    ],
    [
      "a boot node without a port",
      ["init", "--env", "prod", "--boot-nodes", "/dns4/head.example.org"],
      /has no \/tcp\/<port> part/,
    ],
    ["a join address without a host", ["run", "--join", "/tcp/9010"], /--join: .*(not a multiaddr|no \/ip4)/],
    ["an --env other than dev or prod", ["init", "--env", "staging"], /--env must be dev or prod/],
    ["a bad worker name", ["init", "--name", "My_Worker", "--topic", "1"], /not a usable worker name/],
    [
      "a URL that is not http",
      ["init", "--env", "prod", "--chain-rpc", "ftp://x"],
      /--chain-rpc: "ftp:\/\/x" is not an http/,
    ],
    ["a bad timeout", ["test", "--timeout", "soon"], /--timeout must be a number of seconds/],
    ["a missing flag value", ["request", "--topic"], /--topic needs a value/],
    ["a stray argument", ["status", "now"], /does not take "now"/],
    ["topic without its id", ["topic"], /the topic id is missing/],
    ["--join flags without --join", ["run", "--no-chain"], /--no-chain only applies with --join/],
  ];
  for (const [what, args, message] of cases) {
    it(`refuses ${what}`, async () => {
      const run = await allocmd(args, project);
      expect(run.stderr).toMatch(message);
      expect(run.code).toBe(2);
      expect(run.stderr).not.toMatch(STACK);
    });
  }

  it("exits 2 from the real process too, without a stack trace", async () => {
    const run = await allocmdProcess(["init", "--name", "x", "--topic", "abc"], tmp.dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('allocmd init: --name: "x" is not a usable worker name');
    expect(run.stderr).not.toMatch(STACK);
    const noTopic = await allocmdProcess(["init", "--name", "fresh-worker"], tmp.dir);
    expect(noTopic.code).toBe(2);
    expect(noTopic.stderr).toContain("--topic is needed to create a project");
  });

  it("exits 1 with what to do when there is no project", async () => {
    const run = await allocmdProcess(["status"], tmp.dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`allocmd status: no config.yaml in ${tmp.dir}`);
    expect(run.stderr).toContain("allocmd init --name");
    expect(run.stderr).not.toMatch(STACK);
  });

  it("accepts --yes for CI scripts, changing nothing", async () => {
    const run = await allocmd(["init", "--yes"], project);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/keys\/\s+kept/);
  });
});
