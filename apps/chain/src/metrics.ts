/**
 * Prometheus metrics of the chain, on the REST port at /metrics.
 */
import { Counter, Gauge, type Registry } from "@allora/service";
import type { Chain } from "./chain/chain.js";

/** Counters other modules feed. */
export interface ChainMetrics {
  executeRequests: Counter<"outcome">;
}

export function createChainMetrics(registry: Registry, chain: Chain): ChainMetrics {
  new Gauge({
    name: "allora_chain_height",
    help: "Height of the last committed block",
    registers: [registry],
    collect() {
      this.set(Number(chain.height()));
    },
  });
  new Gauge({
    name: "allora_chain_mempool_txs",
    help: "Txs waiting for the next block",
    registers: [registry],
    collect() {
      this.set(chain.mempoolSize());
    },
  });
  const txs = new Counter({
    name: "allora_chain_txs_total",
    help: "Committed txs by result code and codespace",
    labelNames: ["code", "codespace"],
    registers: [registry],
  });
  const rounds = new Counter({
    name: "allora_chain_round_events_total",
    help: "Rounds opened, closed and scored",
    labelNames: ["event"],
    registers: [registry],
  });
  const rewards = new Counter({
    name: "allora_chain_rewards_paid_uallo_total",
    help: "uallo paid to workers as round rewards (as a float)",
    registers: [registry],
  });
  const executeRequests = new Counter({
    name: "allora_chain_execute_requests_total",
    help: "Execute requests sent to the head, by outcome",
    labelNames: ["outcome"],
    registers: [registry],
  });
  chain.onBlock((block) => {
    for (const hash of block.txHashes) {
      const result = chain.tx(hash)?.result;
      if (result) txs.inc({ code: String(result.code), codespace: result.codespace || "ok" });
    }
    for (const event of block.events) {
      rounds.inc({ event: event.type });
      if (event.type === "round_scored") {
        for (const w of event.workers) rewards.inc(Number(w.reward));
      }
    }
  });
  return { executeRequests };
}
