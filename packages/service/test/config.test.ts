import { describe, expect, it } from "vitest";
import { ConfigError, defineConfig, formatHelp, parseConfig } from "../src/index.js";

const spec = defineConfig({
  "rest-port": { type: "integer", default: 6000, min: 0, max: 65535, description: "REST port" },
  "boot-nodes": {
    type: "list",
    default: [],
    description: "boot nodes",
    check: (v) => (v.startsWith("/") ? undefined : `"${v}" is not a multiaddr`),
  },
  "log-level": { type: "string", default: "info", choices: ["debug", "info"], description: "level" },
  "chain-mnemonic-file": { type: "string", description: "mnemonic file", secret: true },
  "key-dir": { type: "string", required: true, description: "key folder" },
  metrics: { type: "boolean", default: true, description: "expose metrics" },
  ratio: { type: "number", default: 0.5, min: 0, max: 1, description: "ratio" },
});

function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe("config", () => {
  it("reads flags and env vars with the same names, flag first, and types the result", () => {
    const { config, sources } = parseConfig(
      spec,
      ["--rest-port", "7000", "--boot-nodes=/ip4/1.2.3.4/tcp/1,/dns4/head/tcp/9010", "--no-metrics"],
      { REST_PORT: "8000", KEY_DIR: "/keys", LOG_LEVEL: "debug", CHAIN_MNEMONIC_FILE: "/run/secret" },
    );
    expect(config.restPort).toBe(7000);
    expect(config.bootNodes).toEqual(["/ip4/1.2.3.4/tcp/1", "/dns4/head/tcp/9010"]);
    expect(config.keyDir).toBe("/keys");
    expect(config.logLevel).toBe("debug");
    expect(config.metrics).toBe(false);
    expect(config.ratio).toBe(0.5);
    expect(sources.restPort).toEqual({ source: "flag", value: 7000 });
    expect(sources.chainMnemonicFile).toEqual({ source: "env", value: "<set>" });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("lists every bad key at once", () => {
    const problems = problemsOf(() =>
      parseConfig(spec, ["--rest-port=abc", "--log-level=loud", "--nope", "--boot-nodes=head:9010", "stray"], {
        RATIO: "2",
        METRICS: "maybe",
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('--rest-port: "abc" is not an integer'),
        expect.stringContaining('--log-level: "loud" is not one of debug, info'),
        expect.stringContaining("unknown option --nope"),
        expect.stringContaining('"head:9010" is not a multiaddr'),
        expect.stringContaining('unexpected argument "stray"'),
        expect.stringContaining("RATIO: 2 is above the maximum 1"),
        expect.stringContaining('METRICS: "maybe" is not a boolean'),
        expect.stringContaining("--key-dir (env KEY_DIR) is required"),
      ]),
    );
    expect(problems).toHaveLength(8);
  });

  it("reports --help and --version without failing on required options", () => {
    expect(parseConfig(spec, ["--help"], {}).common.help).toBe(true);
    expect(parseConfig(spec, ["--version"], {}).common.version).toBe(true);
  });

  it("documents every option with its env var and default", () => {
    const help = formatHelp("allora-x", "does x", spec, ["allora-x --rest-port 1"]);
    expect(help).toContain("--rest-port");
    expect(help).toContain("REST_PORT");
    expect(help).toContain("(default: 6000)");
    expect(help).toContain("(required)");
    expect(help).toContain("Examples:");
  });
});
