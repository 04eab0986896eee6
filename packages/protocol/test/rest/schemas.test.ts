import { Value } from "@sinclair/typebox/value";
import { describe, expect, it } from "vitest";
import {
  ExecuteRequest,
  ExecuteResponse,
  HeadRoutes,
  HealthResponse,
  InstallRequest,
  makeGuideExecuteRequest,
  ResultCode,
  ResultCodeMeaning,
  ResultRequest,
  StatusResponse,
} from "../../src/index.js";

/** The request body of the allocmd guide's curl, verbatim. */
const GUIDE_BODY = {
  function_id: "bafybeigpiwl3o73zvvl6dxdqu7zqcub5mhg65jiky2xqb4rdhfmikswzqm",
  method: "allora-inference-function.wasm",
  parameters: null,
  topic: "1",
  config: {
    env_vars: [
      { name: "BLS_REQUEST_PATH", value: "/api" },
      { name: "ALLORA_ARG_PARAMS", value: "ETH" },
    ],
    number_of_nodes: -1,
    timeout: 2,
  },
};

/** What the chain sends (b7s era B), with fields we accept and ignore. */
const CHAIN_BODY = {
  function_id: "bafybeigpiwl3o73zvvl6dxdqu7zqcub5mhg65jiky2xqb4rdhfmikswzqm",
  method: "allora-inference-function.wasm",
  topic: "1",
  config: {
    env_vars: [
      { name: "BLS_REQUEST_PATH", value: "/api" },
      { name: "ALLORA_ARG_PARAMS", value: "ETH" },
      { name: "ALLORA_BLOCK_HEIGHT_CURRENT", value: "120" },
      { name: "LOSS_FUNCTION_ALLOWS_NEGATIVE", value: "false" },
    ],
    number_of_nodes: -1,
    timeout: 2,
    consensus_algorithm: "pbft",
  },
};

describe("REST schemas", () => {
  it("build the guide's curl body from its parts", () => {
    expect(makeGuideExecuteRequest({ topic: "1", arg: "ETH" })).toEqual(GUIDE_BODY);
  });

  it("accept the guide's curl body and the chain's body, and round-trip them through JSON", () => {
    for (const body of [GUIDE_BODY, CHAIN_BODY]) {
      expect(Value.Check(ExecuteRequest, body)).toBe(true);
      expect(JSON.parse(JSON.stringify(body))).toEqual(body);
    }
  });

  it.each([
    ["missing function_id", { method: "m" }],
    ["empty function_id", { function_id: "", method: "m" }],
    ["function_id of the wrong type", { function_id: 5, method: "m" }],
    ["an unknown top-level field", { function_id: "f", method: "m", fnction: 1 }],
    ["an unknown config field", { function_id: "f", method: "m", config: { timout: 2 } }],
    ["a non-integer number_of_nodes", { function_id: "f", method: "m", config: { number_of_nodes: 1.5 } }],
    ["a negative timeout", { function_id: "f", method: "m", config: { timeout: -1 } }],
    ["an env var without value", { function_id: "f", method: "m", config: { env_vars: [{ name: "A" }] } }],
    [
      "an env var with a bad name",
      { function_id: "f", method: "m", config: { env_vars: [{ name: "A-B", value: "" }] } },
    ],
    ["parameters as an object", { function_id: "f", method: "m", parameters: {} }],
    ["a zero execution timeout", { function_id: "f", method: "m", config: { execution_timeout: 0 } }],
  ])("reject %s", (_name, body) => {
    expect(Value.Check(ExecuteRequest, body)).toBe(false);
  });

  it("describe responses that round-trip", () => {
    const response = {
      code: "200",
      request_id: "8d3c",
      results: [
        { result: { stdout: '{"infererValue": "1"}\n', stderr: "", exit_code: 0 }, peers: ["p1"], frequency: 100 },
      ],
      usage: { p1: { wall_clock_time: 1 } },
      cluster: { peers: ["p1"] },
    };
    expect(Value.Check(ExecuteResponse, response)).toBe(true);
    expect(Value.Check(ExecuteResponse, JSON.parse(JSON.stringify(response)))).toBe(true);
    expect(Value.Check(ExecuteResponse, { ...response, code: 200 })).toBe(false);
    expect(Value.Check(HealthResponse, { type: "health", code: 200 })).toBe(true);
    expect(Value.Check(InstallRequest, { cid: "bafk", subgroup: "1" })).toBe(true);
    expect(Value.Check(ResultRequest, {})).toBe(false);
    expect(
      Value.Check(StatusResponse, {
        peer_id: "p",
        addresses: [],
        version: "0.1.0",
        uptime_seconds: 1,
        workers: [],
        functions: [],
      }),
    ).toBe(true);
  });

  it("every result code has a meaning and the route table has b7s paths", () => {
    for (const literal of ResultCode.anyOf) expect(ResultCodeMeaning[literal.const as ResultCode]).toBeTruthy();
    expect(HeadRoutes.execute.url).toBe("/api/v1/functions/execute");
    expect(HeadRoutes.install.url).toBe("/api/v1/functions/install");
    expect(HeadRoutes.result.url).toBe("/api/v1/functions/requests/result");
    expect(HeadRoutes.health.url).toBe("/api/v1/health");
  });
});
