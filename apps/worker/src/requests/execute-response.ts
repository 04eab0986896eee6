/**
 * The worker's answer to an execute: built from a run's result, and delivered on the head's session even when the
 * output is too large for one message once encoded (then its start is sent, marked `FUNCTION_OUTPUT_TOO_LARGE`).
 */
import type { MessageChannel } from "@allora/p2p";
import { type AlloraError, errorMessage, type Logger, type MsgExecuteResponse } from "@allora/protocol";
import type { ExecutionResult } from "../execution/launcher-protocol.js";

/** Bytes of stdout and stderr kept when an answer must be truncated to fit one message. */
const TRUNCATED_STDOUT = 65_536;
const TRUNCATED_STDERR = 16_384;

/** The answer for request `requestId` that ran with `result`: 408 on a timeout, 500 when it could not run, else 200. */
export function makeExecuteResponse(requestId: string, result: ExecutionResult): MsgExecuteResponse {
  return {
    type: "MsgExecuteResponse",
    request_id: requestId,
    code:
      result.errorCode === "FUNCTION_TIMEOUT"
        ? "408"
        : result.errorCode === "FUNCTION_SPAWN_FAILED" || result.errorCode === "FUNCTION_SANDBOX_FAILED"
          ? "500"
          : "200",
    result: result.output,
    usage: result.usage,
    ...(result.errorCode ? { error_code: result.errorCode, message: result.message } : {}),
  };
}

/** The answer for request `requestId` that does not run: `code`, `error_code` and `message` say why. */
export function makeExecuteRefusal(
  requestId: string,
  refusal: { code: string; error_code: string; message: string },
): MsgExecuteResponse {
  return { type: "MsgExecuteResponse", request_id: requestId, ...refusal };
}

/** Sends `response` on `channel`; a failure to deliver is logged (`RESULT_UNDELIVERED`), never thrown. */
export function sendExecuteResponse(channel: MessageChannel, response: MsgExecuteResponse, logger: Logger): void {
  try {
    try {
      channel.send(response);
    } catch (err) {
      if ((err as AlloraError).code !== "P2P_MESSAGE_TOO_LARGE" || !response.result) throw err;
      // Escaping can make a capped output too large for one message: send the start of it and say so.
      channel.send({
        ...response,
        code: "200",
        result: {
          ...response.result,
          stdout: response.result.stdout.slice(0, TRUNCATED_STDOUT),
          stderr: response.result.stderr.slice(0, TRUNCATED_STDERR),
        },
        error_code: "FUNCTION_OUTPUT_TOO_LARGE",
        message: "the function's output does not fit in one message once encoded; it was truncated",
      });
    }
  } catch (err) {
    logger.warn(
      { code: "RESULT_UNDELIVERED", request: response.request_id, head: channel.remotePeer },
      `cannot deliver result: ${errorMessage(err)}`,
    );
  }
}
