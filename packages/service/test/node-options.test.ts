import { describe, expect, it } from "vitest";
import { ConfigError, defineConfig, nodeOptions, parseConfig } from "../src/index.js";

describe("nodeOptions", () => {
  const spec = defineConfig({ ...nodeOptions("head"), port: { type: "integer", default: 1, description: "port" } });

  it("gives every node a name (its own default) and a log level (info)", () => {
    expect(parseConfig(spec, [], {}).config).toMatchObject({ name: "head", logLevel: "info", port: 1 });
    expect(parseConfig(spec, ["--name=head-2"], { LOG_LEVEL: "debug" }).config).toMatchObject({
      name: "head-2",
      logLevel: "debug",
    });
  });

  it("refuses a log level pino does not know", () => {
    expect(() => parseConfig(spec, ["--log-level=loud"], {})).toThrow(ConfigError);
  });
});
