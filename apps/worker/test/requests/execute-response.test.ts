/**
 * The execute answer's status from a run's result, and its delivery when the output does not fit one message.
 */
import type { MessageChannel } from "@allora/p2p";
import { AlloraError, type MsgExecuteResponse, silentLogger } from "@allora/protocol";
import { describe, expect, it } from "vitest";
import { makeExecuteResponse, sendExecuteResponse } from "../../src/requests/execute-response.js";

const output = { stdout: "x".repeat(100_000), stderr: "e".repeat(20_000), exit_code: 0 };
const usage = { wall_clock_time: 5 };

describe("execute response", () => {
  it("is 200 for a run, 408 for a timeout, 500 when the function could not start", () => {
    expect(makeExecuteResponse("r", { output, usage }).code).toBe("200");
    expect(makeExecuteResponse("r", { output, usage, errorCode: "FUNCTION_TIMEOUT", message: "t" })).toMatchObject({
      code: "408",
      error_code: "FUNCTION_TIMEOUT",
      message: "t",
    });
    expect(makeExecuteResponse("r", { output, usage, errorCode: "FUNCTION_SPAWN_FAILED" }).code).toBe("500");
    expect(makeExecuteResponse("r", { output, usage, errorCode: "FUNCTION_SANDBOX_FAILED" }).code).toBe("500");
  });

  it("sends the start of an output too large for one message, marked FUNCTION_OUTPUT_TOO_LARGE", () => {
    const sent: MsgExecuteResponse[] = [];
    const channel = {
      remotePeer: "head",
      send(message: MsgExecuteResponse) {
        if (message.result && message.result.stdout.length > 65_536) {
          throw new AlloraError("P2P_MESSAGE_TOO_LARGE", "too large");
        }
        sent.push(message);
      },
    } as unknown as MessageChannel;
    sendExecuteResponse(channel, makeExecuteResponse("r", { output, usage }), silentLogger);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ code: "200", error_code: "FUNCTION_OUTPUT_TOO_LARGE" });
    expect(sent[0]?.result?.stdout).toHaveLength(65_536);
    expect(sent[0]?.result?.stderr).toHaveLength(16_384);
  });

  it("never throws when the session is gone", () => {
    const channel = {
      remotePeer: "head",
      send() {
        throw new Error("closed");
      },
    } as unknown as MessageChannel;
    expect(() => sendExecuteResponse(channel, makeExecuteResponse("r", { output, usage }), silentLogger)).not.toThrow();
  });
});
