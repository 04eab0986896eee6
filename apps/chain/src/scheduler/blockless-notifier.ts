/**
 * Tells the head about every round that opens, after the block that opened it is committed. Fire and forget:
 * the head's answer is not needed (it submits the bundles in a tx), each request has a deadline, failures are
 * logged with a code, and nothing here can hold up block production.
 */
import { httpCall, type Logger } from "@allora/protocol";
import type { BlockMeta, Chain } from "../chain/chain.js";
import { executeUrl, makeExecuteRequest } from "./execute-request.js";

/** Requests in flight above which new ones are skipped (the head is not keeping up). */
const MAX_IN_FLIGHT = 64;

/** Dependencies of {@link createBlocklessNotifier}. */
export interface BlocklessNotifierDeps {
  chain: Chain;
  /** Head URL; undefined = rounds open but nobody is asked. */
  blocklessApiUrl: string | undefined;
  timeoutMs: number;
  logger: Logger;
  /** Outcome counter hook (metrics). */
  onOutcome?: (outcome: "ok" | "http_error" | "failed" | "skipped") => void;
}

/** The notifier's lifecycle. */
export interface BlocklessNotifier {
  start(): void;
  /** Aborts requests in flight. */
  stop(): void;
}

export function createBlocklessNotifier(deps: BlocklessNotifierDeps): BlocklessNotifier {
  const { chain, logger } = deps;
  const url = deps.blocklessApiUrl ? executeUrl(deps.blocklessApiUrl) : undefined;
  const inFlight = new Set<AbortController>();
  let unsubscribe: (() => void) | undefined;

  const post = (topicId: bigint, nonce: bigint) => {
    const topic = chain.state.topic(topicId);
    if (!url || !topic) return;
    if (inFlight.size >= MAX_IN_FLIGHT) {
      deps.onOutcome?.("skipped");
      logger.warn(
        { code: "BLOCKLESS_BACKLOG", topic: topicId.toString(), nonce: nonce.toString(), inFlight: inFlight.size },
        "too many execute requests in flight; not asking the head for this round",
      );
      return;
    }
    const controller = new AbortController();
    inFlight.add(controller);
    const fields = { topic: topicId.toString(), nonce: nonce.toString(), url };
    // node:http, not fetch: fetch refuses port 6000, the head's default REST port.
    httpCall(url, {
      method: "POST",
      headers: { "Content-Type": "application/json;charset=UTF-8", Accept: "application/json, text/plain, */*" },
      body: JSON.stringify(makeExecuteRequest(topic, nonce)),
      timeoutMs: deps.timeoutMs,
      signal: controller.signal,
    })
      .then((res) => {
        if (res.status >= 200 && res.status < 300) {
          deps.onOutcome?.("ok");
          logger.debug({ ...fields, status: res.status }, "head accepted the execute request");
        } else {
          deps.onOutcome?.("http_error");
          logger.warn(
            { ...fields, code: "BLOCKLESS_REQUEST_REJECTED", status: res.status, body: res.text.slice(0, 300) },
            "head answered the execute request with an error status",
          );
        }
      })
      .catch((err: unknown) => {
        deps.onOutcome?.("failed");
        logger.warn(
          {
            ...fields,
            code: "BLOCKLESS_REQUEST_FAILED",
            reason: err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err),
          },
          "could not deliver the execute request to the head",
        );
      })
      .finally(() => {
        inFlight.delete(controller);
      });
  };

  const onBlock = (block: BlockMeta) => {
    for (const event of block.events) {
      if (event.type === "round_opened") post(BigInt(event.topic_id), BigInt(event.nonce));
    }
  };

  return {
    start() {
      if (!url) logger.info("no --blockless-api-url: rounds open but no head is asked to run them");
      unsubscribe ??= chain.onBlock(onBlock);
    },
    stop() {
      unsubscribe?.();
      unsubscribe = undefined;
      for (const controller of inFlight) controller.abort(new Error("chain stopping"));
    },
  };
}
