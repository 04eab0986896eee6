/**
 * The one intake of roll calls, whether a head sent them on its session or on gossip (then judged by the gossip's
 * signed author), and of the executes that follow them. It checks that a roll call comes from the head it names,
 * asks the admission for the answer, and sends it on the head's session; an execute runs only when the admission
 * lets it.
 */
import type { MessageChannel } from "@allora/p2p";
import { errorMessage, type Logger, type MsgExecute, type MsgRollCall } from "@allora/protocol";
import type { Counter } from "@allora/service";
import type { PeerId } from "@libp2p/interface";
import type { HeadLinks } from "../network/head-links.js";
import { makeExecuteRefusal, sendExecuteResponse } from "../requests/execute-response.js";
import type { RequestRunner } from "../requests/request-runner.js";
import type { Refuse } from "../trust/refusal-log.js";
import { admitExecute, type RollCallAdmission } from "./roll-call-admission.js";
import type { RollCallBook } from "./roll-call-book.js";

/** Options of {@link createRollCallIntake}. */
export interface RollCallIntakeOptions {
  admission: RollCallAdmission;
  book: RollCallBook;
  links: Pick<HeadLinks, "open">;
  /** Installs a roll call's package from the head that sent it. */
  install(functionId: string, head: PeerId): Promise<unknown>;
  runner: Pick<RequestRunner, "run">;
  /** Counts the roll calls answered, by code. */
  answered: Counter<"code">;
  refuse: Refuse;
  /** How long an execute waits for a roll call it has not seen (for the answer's text). */
  unseenWaitMs: number;
  logger: Logger;
  /** The logger of executes (undelivered answers). */
  executeLogger: Logger;
}

/** The intake. */
export interface RollCallIntake {
  /** A roll call `from` sent, on its session or on gossip. */
  takeRollCall(message: MsgRollCall, from: PeerId): void;
  /** An execute a head sent on its session. */
  takeExecute(message: MsgExecute, channel: MessageChannel): void;
}

/** Creates the intake. */
export function createRollCallIntake(options: RollCallIntakeOptions): RollCallIntake {
  const { admission, book, logger } = options;

  const answerRollCall = async (message: MsgRollCall, from: PeerId) => {
    const answer = await admission.judge(message, from.toString(), () => options.install(message.function_id, from));
    if (answer === undefined) return;
    options.answered.inc({ code: answer.code });
    const channel = await options.links.open(from);
    channel.send({
      type: "MsgRollCallResponse",
      code: answer.code,
      function_id: message.function_id,
      request_id: message.request_id,
      ...(answer.error_code === undefined ? {} : { error_code: answer.error_code, message: answer.message }),
    });
  };

  const answerExecute = async (message: MsgExecute, channel: MessageChannel) => {
    const outcome = await book.outcomeOf(message.request_id);
    book.release(message.request_id);
    const admitted = admitExecute(outcome, message, channel.remotePeer, options.unseenWaitMs);
    if ("run" in admitted) return options.runner.run(message, channel, admitted.run);
    if (admitted.refusal) options.refuse(admitted.response.error_code, channel.remotePeer, admitted.refusal);
    sendExecuteResponse(channel, makeExecuteRefusal(message.request_id, admitted.response), options.executeLogger);
  };

  return {
    takeRollCall(message, from) {
      const peer = from.toString();
      // A roll call speaks for the head in its `origin`: only that head may send it, on its session or signed gossip.
      if (message.origin !== peer) {
        options.refuse(
          "ROLL_CALL_ORIGIN_MISMATCH",
          peer,
          "ignoring a roll call whose origin is not the peer that sent it",
        );
        return;
      }
      void answerRollCall(message, from).catch((err) =>
        logger.warn(
          { code: "ROLL_CALL_REPLY_FAILED", request: message.request_id },
          `cannot answer roll call: ${errorMessage(err)}`,
        ),
      );
    },
    takeExecute(message, channel) {
      void answerExecute(message, channel).catch((err) =>
        options.executeLogger.error({ code: "INTERNAL", err, request: message.request_id }, "execute failed"),
      );
    },
  };
}
