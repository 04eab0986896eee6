import { describe, expect, it } from "vitest";
import {
  AlloraError,
  decodeP2pMessage,
  encodeP2pMessage,
  expectP2pMessage,
  MAX_MESSAGE_BYTES,
  type P2pMessage,
  parseTopicId,
  topicIdFromName,
  workerTopicName,
} from "../../src/index.js";

const PEER = "12D3KooWH9GerdSEroL2nqjpd2GuE5dwmqNi7uHX7FoywBdKcP4q";
const examples: P2pMessage[] = [
  {
    type: "MsgRollCall",
    origin: PEER,
    function_id: "bafkreiabc",
    request_id: "r1",
    topic: "allora-topic-1-worker",
    consensus: 0,
  },
  { type: "MsgRollCallResponse", code: "202", function_id: "bafkreiabc", request_id: "r1" },
  {
    type: "MsgRollCallResponse",
    code: "500",
    function_id: "bafkreiabc",
    request_id: "r1",
    message: "x",
    error_code: "FUNCTION_CID_MISMATCH",
  },
  {
    type: "MsgExecute",
    request_id: "r1",
    function_id: "bafkreiabc",
    method: "allora-inference-function.wasm",
    topic: "allora-topic-1-worker",
    parameters: ["a"],
    env_vars: [{ name: "ALLORA_ARG_PARAMS", value: "ETH" }],
    stdin: "in",
    timeout_ms: 2000,
    chain_round: { topic_id: "1", block_height: "120" },
    timestamp: new Date(0).toISOString(),
  },
  {
    type: "MsgExecuteResponse",
    request_id: "r1",
    code: "200",
    result: { stdout: '{"infererValue":"1"}\n', stderr: "", exit_code: 0 },
    usage: { wall_clock_time: 1000, cpu_user_time: 10, cpu_sys_time: 5, memory_max_kb: 9000 },
    bundle: "CgQ=",
  },
  { type: "MsgInstallFunction", origin: PEER, cid: "bafkreiabc" },
  { type: "MsgInstallFunctionResponse", code: "202", cid: "bafkreiabc", message: "installed" },
  {
    type: "MsgWorkerHello",
    version: "0.1.0",
    topics: ["allora-topic-1-worker"],
    function_timeout_ms: 20000,
    max_concurrency: 4,
  },
  { type: "MsgHeadHello", version: "0.1.0" },
  { type: "MsgFetchFunction", cid: "bafkreiabc" },
  { type: "MsgFetchFunctionResponse", code: "200", cid: "bafkreiabc", size: 10 },
];

const enc = new TextEncoder();
function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof AlloraError ? err.code : `not-allora:${String(err)}`;
  }
  return undefined;
}

describe("p2p codec", () => {
  for (const message of examples) {
    it(`${message.type} round-trips`, () => {
      expect(decodeP2pMessage(encodeP2pMessage(message))).toEqual(message);
    });
  }

  it("rejects oversized input before parsing it", () => {
    const big = new Uint8Array(MAX_MESSAGE_BYTES + 1);
    expect(codeOf(() => decodeP2pMessage(big))).toBe("P2P_MESSAGE_TOO_LARGE");
    expect(codeOf(() => decodeP2pMessage(enc.encode(JSON.stringify(examples[1])), { maxBytes: 10 }))).toBe(
      "P2P_MESSAGE_TOO_LARGE",
    );
  });

  it("refuses to encode an oversized message", () => {
    const msg = {
      type: "MsgRollCallResponse",
      code: "202",
      function_id: "x",
      request_id: "r",
      message: "a".repeat(8000),
    } as const;
    expect(codeOf(() => encodeP2pMessage(msg, { maxBytes: 100 }))).toBe("P2P_MESSAGE_TOO_LARGE");
  });

  it.each([
    ["not JSON", enc.encode("{nope"), "P2P_MESSAGE_MALFORMED"],
    ["invalid UTF-8", Uint8Array.from([0x7b, 0xff, 0x7d]), "P2P_MESSAGE_MALFORMED"],
    ["a JSON array", enc.encode("[1,2]"), "P2P_MESSAGE_MALFORMED"],
    ["JSON null", enc.encode("null"), "P2P_MESSAGE_MALFORMED"],
    ["no type", enc.encode('{"code":"202"}'), "P2P_MESSAGE_UNKNOWN_TYPE"],
    ["an unknown type", enc.encode('{"type":"MsgNope"}'), "P2P_MESSAGE_UNKNOWN_TYPE"],
    ["a prototype key as type", enc.encode('{"type":"constructor"}'), "P2P_MESSAGE_UNKNOWN_TYPE"],
    [
      "a missing field",
      enc.encode('{"type":"MsgRollCallResponse","code":"202","function_id":"x"}'),
      "P2P_MESSAGE_INVALID",
    ],
    [
      "a wrongly typed field",
      enc.encode('{"type":"MsgRollCallResponse","code":202,"function_id":"x","request_id":"r"}'),
      "P2P_MESSAGE_INVALID",
    ],
    [
      "a bad code",
      enc.encode('{"type":"MsgRollCallResponse","code":"ok","function_id":"x","request_id":"r"}'),
      "P2P_MESSAGE_INVALID",
    ],
    ["an extra field", enc.encode('{"type":"MsgHeadHello","version":"1","evil":true}'), "P2P_MESSAGE_INVALID"],
    ["a negative timeout", enc.encode(JSON.stringify({ ...examples[3], timeout_ms: -1 })), "P2P_MESSAGE_INVALID"],
    [
      "too many env vars",
      enc.encode(
        JSON.stringify({ ...examples[3], env_vars: Array.from({ length: 81 }, () => ({ name: "A", value: "" })) }),
      ),
      "P2P_MESSAGE_INVALID",
    ],
  ])("rejects %s with a typed code", (_name, bytes, code) => {
    expect(codeOf(() => decodeP2pMessage(bytes))).toBe(code);
  });

  it("names the offending field", () => {
    const bytes = enc.encode('{"type":"MsgRollCallResponse","code":202,"function_id":"x","request_id":"r"}');
    expect(() => decodeP2pMessage(bytes)).toThrow(/field code/);
  });

  it("accepts only the listed types on a channel", () => {
    const bytes = encodeP2pMessage(examples[0]!);
    expect(codeOf(() => decodeP2pMessage(bytes, { accept: ["MsgExecute"] }))).toBe("P2P_MESSAGE_UNKNOWN_TYPE");
    expect(expectP2pMessage(decodeP2pMessage(bytes), "MsgRollCall").request_id).toBe("r1");
    expect(codeOf(() => expectP2pMessage(decodeP2pMessage(bytes), "MsgExecute"))).toBe("P2P_MESSAGE_UNKNOWN_TYPE");
  });
});

describe("topic names", () => {
  it("maps topic ids to gossip topics and back", () => {
    expect(workerTopicName(1)).toBe("allora-topic-1-worker");
    expect(workerTopicName(12n)).toBe("allora-topic-12-worker");
    expect(topicIdFromName("allora-topic-12-worker")).toBe(12n);
    expect(topicIdFromName("allora-topic-x-worker")).toBeUndefined();
  });

  it("parses REST topics and explains the common mistakes", () => {
    expect(parseTopicId("1")).toBe(1n);
    expect(parseTopicId(" 42 ")).toBe(42n);
    expect(codeOf(() => parseTopicId("1/reputer"))).toBe("TOPIC_REPUTER_UNSUPPORTED");
    expect(() => parseTopicId("allora-topic-1-worker")).toThrow(/takes the topic id itself: "1"/);
    for (const bad of ["", "0", "-1", "01", "1.5", "abc", "99999999999999999999"]) {
      expect(codeOf(() => parseTopicId(bad))).toBe("TOPIC_INVALID");
    }
  });
});

describe("reserved env names", () => {
  it("keep loader, interpreter and runner settings out of requests", async () => {
    const { isReservedEnvName } = await import("../../src/index.js");
    for (const name of [
      "PATH",
      "HOME",
      "LD_PRELOAD",
      "LD_LIBRARY_PATH",
      "PYTHONPATH",
      "PYTHONSTARTUP",
      "NODE_OPTIONS",
      "ALLORA_MAIN_PY",
    ]) {
      expect(isReservedEnvName(name)).toBe(true);
    }
    for (const name of [
      "ALLORA_ARG_PARAMS",
      "BLS_REQUEST_PATH",
      "TOPIC_ID",
      "ALLORA_BLOCK_HEIGHT_CURRENT",
      "MY_PATH",
    ]) {
      expect(isReservedEnvName(name)).toBe(false);
    }
  });
});
