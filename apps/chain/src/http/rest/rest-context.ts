/**
 * What the REST routes need.
 */
import type { Logger } from "@allora/protocol";
import type { Registry } from "@allora/service";
import type { Chain } from "../../chain/chain.js";
import { ChainError } from "../../errors.js";
import type { Faucet } from "../../faucet/faucet.js";
import type { Topic } from "../../state/chain-state.js";
import type { NodeIdentity } from "../rpc/comet-views.js";

export interface RestContext {
  chain: Chain;
  /** Undefined when the chain runs without a faucet key. */
  faucet: Faucet | undefined;
  metrics: Registry;
  /** True while blocks are being produced. */
  producing: () => boolean;
  blockTimeMs: number;
  /** How long broadcast mode BLOCK and the faucet wait for a block. */
  commitTimeoutMs: number;
  appVersion: string;
  identity: NodeIdentity;
  logger: Logger;
}

/** The topic a route's id names, or `TOPIC_NOT_FOUND` (404). */
export function topicOf(chain: Chain, id: string): Topic {
  const topic = chain.state.topic(BigInt(id));
  if (!topic) throw new ChainError("TOPIC_NOT_FOUND", `topic ${id}`);
  return topic;
}
