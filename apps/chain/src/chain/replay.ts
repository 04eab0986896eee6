/**
 * Rebuilding the acknowledged state from the block log: every logged tx runs again (the failed ones through the
 * ante handler only, so fees and sequences match), then the block's round events apply. A tx that no longer
 * decodes or gives another outcome is logged as CHAIN_REPLAY_MISMATCH and the replay goes on: the log is the truth.
 */
import type { Logger } from "@allora/protocol";
import { fromBase64 } from "@cosmjs/encoding";
import type { ChainParams } from "../genesis/params.js";
import { applyRoundEvent } from "../rounds/round-events.js";
import type { ChainState } from "../state/chain-state.js";
import type { BlockRecord, TxRecord } from "../store/block-log.js";
import { type ChainTx, decodeChainTx } from "../tx/chain-tx.js";
import { executeTx } from "../tx/execute-tx.js";
import { type TxResult, txResultFromJson } from "../tx/tx-result.js";

/** Applies one logged block to `state`; returns the recorded results of its txs. */
export function replayBlock(state: ChainState, record: BlockRecord, params: ChainParams, logger: Logger): TxResult[] {
  const height = BigInt(record.height);
  const results = record.txs.map((t) => replayTx(state, record, t, params, logger));
  for (const event of record.events) applyRoundEvent(state, event, height, params.maxSamplesToScaleScores);
  return results;
}

function replayTx(state: ChainState, record: BlockRecord, t: TxRecord, params: ChainParams, logger: Logger): TxResult {
  const recorded = txResultFromJson(t.result);
  let tx: ChainTx;
  try {
    tx = decodeChainTx(fromBase64(t.tx), { replay: true });
  } catch (err) {
    logger.error(
      { code: "CHAIN_REPLAY_MISMATCH", height: record.height, tx: t.hash, err },
      "logged tx no longer decodes",
    );
    return recorded;
  }
  const replayed = executeTx(state, tx, {
    height: BigInt(record.height),
    timeMs: record.time_ms,
    params,
    pendingFromSigner: 0,
    simulate: false,
    bundleErrors: undefined,
    anteOnly: recorded.code !== 0,
    replay: true,
  });
  if ((replayed.code === 0) !== (recorded.code === 0)) {
    logger.error(
      {
        code: "CHAIN_REPLAY_MISMATCH",
        height: record.height,
        tx: t.hash,
        recorded: recorded.code,
        replayed: replayed.code,
      },
      "replaying a logged tx gave another outcome",
    );
  }
  return recorded;
}
