/**
 * The worker's decisions on roll calls and on the executes that follow them, without the network: which roll call
 * it accepts, which it declines and with what code, which it ignores, and whether an execute is the one an accepted
 * roll call announced. The checks run in a fixed order, cheapest and most telling first: trust, the first copy only,
 * topic, the chain round's claim, rate, function policy, capacity, then the install of the package.
 */
import { type AlloraError, errorMessage, type Logger, type MsgExecute, type MsgRollCall } from "@allora/protocol";
import { BoundedSet } from "../bounded-set.js";
import { topicIdOf } from "../topics.js";
import type { FunctionVerdict } from "../trust/function-policy.js";
import type { Refuse } from "../trust/refusal-log.js";
import type { Outcome, RollCallBook, RollCallFacts } from "./roll-call-book.js";

/** What the worker answers a roll call (`MsgRollCallResponse`'s own fields). */
interface RollCallAnswer {
  /** `202` accepted, or the status-like code of the decline. */
  code: string;
  error_code?: string;
  message?: string;
}

/** Options of {@link createRollCallAdmission}. */
export interface RollCallAdmissionOptions {
  /** The topics this worker serves. */
  topics: readonly bigint[];
  isTrusted(peer: string): boolean;
  book: RollCallBook;
  /** The function policy's verdict on a function for a topic. */
  checkFunction(topicId: bigint, functionId: string): Promise<FunctionVerdict>;
  /** Why the worker is busy, in numbers (runs, waiting, limits), for the `WORKER_BUSY` text. */
  describeLoad(): string;
  refuse: Refuse;
  logger: Logger;
}

/** The decisions. */
export interface RollCallAdmission {
  /**
   * The answer to a roll call from `head`, or undefined when the worker answers nothing (an untrusted peer, a second
   * copy). An accepted roll call is recorded in the book with its facts once `install` has the package.
   */
  judge(message: MsgRollCall, head: string, install: () => Promise<unknown>): Promise<RollCallAnswer | undefined>;
}

/** Chain rounds remembered as claimed: far more than run at once (a round is over within minutes). */
const MAX_CLAIMED_ROUNDS = 4096;

/** Creates the decisions over `options.book`. */
export function createRollCallAdmission(options: RollCallAdmissionOptions): RollCallAdmission {
  const { book, refuse } = options;
  // The chain's round gets priority once per (topic, nonce), whatever a head claims after that.
  const claimedRounds = new BoundedSet(MAX_CLAIMED_ROUNDS);

  const decline = (message: MsgRollCall, code: string, errorCode: string, text: string): RollCallAnswer => {
    book.decide(message.request_id, "declined");
    return { code, error_code: errorCode, message: text };
  };

  const isPriorityRound = (message: MsgRollCall, topicId: bigint): boolean =>
    message.chain_round !== undefined &&
    topicIdOf(message.chain_round.topic_id) === topicId &&
    claimedRounds.addFirst(`${topicId}/${message.chain_round.block_height}`);

  const installAndAccept = async (
    message: MsgRollCall,
    facts: RollCallFacts,
    install: () => Promise<unknown>,
  ): Promise<RollCallAnswer> => {
    book.reserve(message.request_id);
    try {
      await install();
    } catch (err) {
      options.logger.warn(
        { code: (err as AlloraError).code, request: message.request_id },
        `cannot accept roll call: ${errorMessage(err)}`,
      );
      book.release(message.request_id);
      return decline(message, "500", (err as AlloraError).code ?? "FUNCTION_INSTALL_FAILED", errorMessage(err));
    }
    book.decide(message.request_id, "accepted", facts);
    return { code: "202" };
  };

  return {
    async judge(message, head, install) {
      if (!options.isTrusted(head)) {
        // No answer, no session, no install: an untrusted peer learns nothing from this worker.
        refuse("ROLL_CALL_UNTRUSTED", head, "ignoring roll calls from a peer that is not a trusted head");
        return undefined;
      }
      // The head sends each roll call twice (its session, then gossip): answer the first copy only.
      if (!book.firstSight(message.request_id)) return undefined;
      const topicId = topicIdOf(message.topic);
      if (topicId === undefined || !options.topics.includes(topicId)) {
        return decline(message, "400", "TOPIC_NOT_SERVED", `this worker does not serve topic ${message.topic}`);
      }
      const priority = isPriorityRound(message, topicId);
      if (!priority && !book.withinRate(head)) {
        return decline(
          message,
          "429",
          "ROLL_CALL_RATE_LIMITED",
          "this head sends roll calls faster than this worker takes them",
        );
      }
      const verdict = await options.checkFunction(topicId, message.function_id);
      if (!verdict.allowed) {
        refuse(verdict.code, head, verdict.message);
        return decline(message, "403", verdict.code, verdict.message);
      }
      if (!book.hasRoom(priority)) return decline(message, "503", "WORKER_BUSY", options.describeLoad());
      const facts = { origin: head, topicId, functionId: message.function_id, own: verdict.own, priority };
      return installAndAccept(message, facts, install);
    },
  };
}

/** What an execute is let to do: run with its roll call's facts, or be answered with `response` and not run. */
export type ExecuteAdmission =
  | { run: RollCallFacts }
  | { response: { code: string; error_code: string; message: string }; refusal?: string };

/**
 * Whether an execute from `from` runs: only for a roll call this worker accepted, from the same head, for the same
 * function and topic. `unseenWaitMs` is how long it waited for a roll call it never saw (for the answer's text).
 */
export function admitExecute(
  outcome: Outcome,
  message: MsgExecute,
  from: string,
  unseenWaitMs: number,
): ExecuteAdmission {
  if (outcome.decision === "declined") {
    return {
      response: {
        code: "503",
        error_code: "ROLL_CALL_DECLINED",
        message: "this worker declined the roll call of this request, so it does not run it",
      },
    };
  }
  if (outcome.decision !== "accepted") {
    return {
      response: {
        code: "409",
        error_code: "ROLL_CALL_UNSEEN",
        message: `this worker never received the roll call of this request within ${unseenWaitMs} ms`,
      },
    };
  }
  const mismatch = executeMismatch(outcome.facts, message, from);
  if (mismatch === undefined) return { run: outcome.facts };
  return {
    response: { code: "403", error_code: "EXECUTE_MISMATCH", message: `this worker refuses the execute: ${mismatch}` },
    refusal: `refusing an execute: ${mismatch}`,
  };
}

/** How an execute differs from the roll call it claims to follow; undefined when it is that roll call's. */
function executeMismatch(facts: RollCallFacts, message: MsgExecute, from: string): string | undefined {
  if (facts.origin !== from) return "it comes from another head than the roll call";
  if (facts.functionId !== message.function_id) {
    return `its function ${message.function_id} is not the roll call's ${facts.functionId}`;
  }
  if (topicIdOf(message.topic) !== facts.topicId) {
    return `its topic ${message.topic} is not the roll call's (${facts.topicId})`;
  }
  return undefined;
}
