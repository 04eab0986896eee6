import { type ExecuteRequest, isAlloraError } from "@allora/protocol";
import { describe, expect, it } from "vitest";
import { checkExecuteRequest, claimedRound } from "../../src/execution/check-request.js";
import { CID, fakeCatalog } from "./fakes.js";

const context = { catalog: fakeCatalog(), isExecutable: (cid: string) => cid === CID, defaultRollCallMs: 5000 };
const request = (extra: Partial<ExecuteRequest> = {}): ExecuteRequest => ({
  function_id: "fn",
  method: "run",
  topic: "1",
  ...extra,
});
const refusal = (r: ExecuteRequest) => {
  try {
    checkExecuteRequest(r, context);
  } catch (err) {
    return isAlloraError(err) ? err.code : String(err);
  }
  return undefined;
};

describe("check: an execute request read into a plan", () => {
  it("takes the defaults of a bare request", () => {
    expect(checkExecuteRequest(request(), context)).toEqual({
      topicId: 1n,
      topic: "allora-topic-1-worker",
      cid: CID,
      method: "run",
      envVars: [],
      parameters: [],
      stdin: undefined,
      chainRound: undefined,
      rollCallMs: 5000,
      wanted: -1,
      threshold: 0.6,
      requestedMs: undefined,
    });
  });

  it("reads the config, drops the caller's TOPIC_ID and empty parameters, and names the chain round", () => {
    const plan = checkExecuteRequest(
      request({
        parameters: [
          { name: "a", value: "ETH" },
          { name: "b", value: "" },
        ],
        config: {
          timeout: 2,
          number_of_nodes: 3,
          threshold: 0.5,
          execution_timeout: 0.0001,
          stdin: "in",
          env_vars: [
            { name: "TOPIC_ID", value: "9" },
            { name: "ALLORA_BLOCK_HEIGHT_CURRENT", value: "42" },
          ],
        },
      }),
      context,
    );
    expect(plan).toMatchObject({
      parameters: ["ETH"],
      envVars: [{ name: "ALLORA_BLOCK_HEIGHT_CURRENT", value: "42" }],
      chainRound: { topic_id: "1", block_height: "42" },
      rollCallMs: 2000,
      wanted: 3,
      threshold: 0.5,
      requestedMs: 1,
      stdin: "in",
    });
  });

  it("treats number_of_nodes below 1 and a zero timeout as unset", () => {
    expect(checkExecuteRequest(request({ config: { number_of_nodes: 0, timeout: 0 } }), context)).toMatchObject({
      wanted: -1,
      rollCallMs: 5000,
    });
  });

  it.each([
    ["no topic", request({ topic: "" }), "TOPIC_INVALID"],
    ["a topic that is not an id", request({ topic: "eth" }), "TOPIC_INVALID"],
    ["a reserved env var", request({ config: { env_vars: [{ name: "PATH", value: "/x" }] } }), "ENV_VAR_RESERVED"],
    ["a function neither served nor installed", request({ function_id: "bafkreiother" }), "FUNCTION_NOT_SERVED"],
    ["a method the function does not have", request({ method: "nope" }), "FUNCTION_METHOD_UNKNOWN"],
    [
      "a chain round at height 0",
      request({ config: { env_vars: [{ name: "ALLORA_BLOCK_HEIGHT_CURRENT", value: "0" }] } }),
      "REQUEST_INVALID",
    ],
    [
      "a chain round that is not a number",
      request({ config: { env_vars: [{ name: "ALLORA_BLOCK_HEIGHT_CURRENT", value: "12a" }] } }),
      "REQUEST_INVALID",
    ],
  ])("refuses %s", (_what, r, code) => {
    expect(refusal(r)).toBe(code);
  });

  it("reads the claimed chain round leniently, for the admission lane", () => {
    const env = (value: string) => ({ config: { env_vars: [{ name: "ALLORA_BLOCK_HEIGHT_CURRENT", value }] } });
    expect(claimedRound(request({ topic: "007", ...env("0042") }))).toEqual({ topic: "7", nonce: "42" });
    expect(claimedRound(request(env("x")))).toBeUndefined();
    expect(claimedRound(request({ topic: "eth", ...env("5") }))).toBeUndefined();
    expect(claimedRound(request())).toBeUndefined();
  });
});
