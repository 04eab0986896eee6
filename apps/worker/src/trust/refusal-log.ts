/**
 * How the worker reports what its trust checks refuse: every refusal is counted by code, and logged once per peer
 * and code, so a hostile peer cannot flood the log.
 */
import type { Logger } from "@allora/protocol";
import type { Counter } from "@allora/service";
import { BoundedSet } from "../bounded-set.js";

/** Records one refusal: `code` names it, `peer` sent what was refused, `text` says why. */
export type Refuse = (code: string, peer: string, text: string) => void;

/** Peer-and-code pairs remembered as logged. */
const MAX_LOGGED = 10_000;

/** The refusal recorder counting into `refusals` and logging to `logger`. */
export function createRefusalLog(refusals: Counter<"code">, logger: Logger): Refuse {
  const logged = new BoundedSet(MAX_LOGGED);
  return (code, peer, text) => {
    refusals.inc({ code });
    if (logged.addFirst(`${code}/${peer}`)) logger.warn({ code, peer }, text);
  };
}
