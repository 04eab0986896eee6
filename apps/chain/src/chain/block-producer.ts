/**
 * Makes a block every `blockTimeMs`, whether or not txs are waiting (like CometBFT with empty blocks on), so
 * round timing follows the clock. A failure to commit a block is fatal: the state in memory would no longer match
 * the disk, so production stops and `onFatal` decides what happens to the process.
 */
import type { Logger } from "@allora/protocol";
import type { Chain } from "./chain.js";

/** Dependencies of {@link createBlockProducer}. */
export interface BlockProducerDeps {
  chain: Chain;
  blockTimeMs: number;
  logger: Logger;
  onFatal: (err: unknown) => void;
}

/** The block loop. */
export interface BlockProducer {
  start(): void;
  stop(): void;
  /** True while blocks are being made. */
  running(): boolean;
}

export function createBlockProducer(deps: BlockProducerDeps): BlockProducer {
  const { chain, blockTimeMs, logger } = deps;
  let timer: NodeJS.Timeout | undefined;
  let active = false;
  let nextAt = 0;

  const tick = () => {
    timer = undefined;
    if (!active) return;
    try {
      const block = chain.produceBlock();
      if (block.txHashes.length > 0 || block.events.length > 0) {
        logger.debug(
          { height: block.height.toString(), txs: block.txHashes.length, events: block.events.length },
          "block committed",
        );
      }
    } catch (err) {
      active = false;
      logger.error({ code: "BLOCK_PRODUCTION_FAILED", err }, "could not commit a block; block production stopped");
      deps.onFatal(err);
      return;
    }
    // Keep to the schedule without bursting to catch up after a slow block.
    nextAt = Math.max(nextAt + blockTimeMs, Date.now());
    timer = setTimeout(tick, nextAt - Date.now());
  };

  return {
    start() {
      if (active) return;
      active = true;
      nextAt = Date.now() + blockTimeMs;
      timer = setTimeout(tick, blockTimeMs);
    },
    stop() {
      active = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
    running: () => active,
  };
}
