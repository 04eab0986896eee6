/**
 * JSON views of the chain's state for the REST face: proto field names (snake_case), 64-bit integers and
 * decimals as strings, times as RFC 3339.
 */
import { formatDecimal, Inference } from "@allora/protocol";
import { toBase64, toHex } from "@cosmjs/encoding";
import type { Chain } from "../../chain/chain.js";
import type { IndexedTx } from "../../chain/tx-index.js";
import type { Account, ChainState, Round, Topic } from "../../state/chain-state.js";

/** A float as a plain decimal string (null stays null). */
export function dec(value: number | undefined, digits = 9): string | null {
  return value === undefined || !Number.isFinite(value) ? null : formatDecimal(value, digits);
}

const iso = (ms: number) => new Date(ms).toISOString();

export function accountJson(account: Account) {
  return {
    "@type": "/cosmos.auth.v1beta1.BaseAccount",
    address: account.address,
    pub_key: account.pubkey ? { "@type": "/cosmos.crypto.secp256k1.PubKey", key: toBase64(account.pubkey) } : null,
    account_number: account.accountNumber.toString(),
    sequence: account.sequence.toString(),
  };
}

export function balancesJson(account: Account | undefined) {
  return [...(account?.balances.entries() ?? [])]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([denom, amount]) => ({ denom, amount: amount.toString() }));
}

export function topicJson(topic: Topic) {
  return {
    id: topic.id.toString(),
    creator: topic.creator,
    metadata: topic.metadata,
    inference_logic: topic.inferenceLogic,
    inference_method: topic.inferenceMethod,
    inference_cadence: topic.inferenceCadence.toString(),
    default_arg: topic.defaultArg,
    loss_method: topic.lossMethod,
    ground_truth_lag: topic.groundTruthLag.toString(),
    submission_window: topic.submissionWindow.toString(),
    created_at_height: topic.createdAtHeight.toString(),
    is_active: true,
    last_round_nonce: topic.lastOpenedNonce?.toString() ?? null,
    last_round_opened_at: topic.lastOpenedAtMs === undefined ? null : iso(topic.lastOpenedAtMs),
  };
}

/** The proto JSON of the Inference a round stores for a worker. */
export function inferenceJson(round: Round, worker: string, value: string) {
  return Inference.toJSON(
    Inference.fromPartial({ topicId: round.topicId, blockHeight: round.nonce, inferer: worker, value }),
  );
}

export function roundJson(round: Round) {
  const network = round.network;
  const result = round.result;
  const workers = [...round.inferences.values()].map((inf) => {
    const outcome = result?.workers[inf.worker];
    return {
      address: inf.worker,
      value: inf.value,
      weight: dec(network?.weights[inf.worker]),
      one_out_inference: dec(network?.oneOut[inf.worker], 8),
      loss: dec(outcome?.loss),
      score: dec(outcome?.score),
      regret: dec(outcome?.regret),
      ema_score: dec(outcome?.ema),
      reward_fraction: dec(outcome?.fraction),
      reward: outcome ? outcome.reward.toString() : null,
    };
  });
  workers.sort((a, b) => {
    const ra = BigInt(a.reward ?? "0");
    const rb = BigInt(b.reward ?? "0");
    return ra === rb ? (a.address < b.address ? -1 : 1) : ra > rb ? -1 : 1;
  });
  return {
    topic_id: round.topicId.toString(),
    nonce: round.nonce.toString(),
    status: round.status,
    opened_at: iso(round.openedAtMs),
    closes_at: iso(round.closesAtMs),
    truth_at: iso(round.truthAtMs),
    truth: result?.truth ?? null,
    network_inference: dec(network?.combined, 8),
    naive_inference: dec(network?.naive, 8),
    network_loss: dec(result?.networkLoss),
    reward_total: result ? result.rewardTotal.toString() : null,
    inferences: [...round.inferences.values()].map((i) => ({
      worker: i.worker,
      value: i.value,
      height: i.height.toString(),
      tx_hash: i.txHash,
    })),
    workers,
  };
}

export function workersJson(state: ChainState, topicId: bigint) {
  const rows = [...state.registrationsOf(topicId).values()].map((reg) => {
    const stats = state.statsOf(topicId, reg.address);
    return {
      address: reg.address,
      lib_p2p_key: reg.libP2pKey,
      multi_address: reg.multiAddress,
      owner: reg.owner,
      registered_at_height: reg.registeredAtHeight.toString(),
      latest_value: stats.latestValue ?? null,
      latest_nonce: stats.latestNonce?.toString() ?? null,
      latest_score: dec(stats.lastScore),
      ema_score: dec(stats.ema),
      regret: dec(stats.regret),
      rounds_scored: String(stats.roundsScored),
      cumulative_reward: stats.cumulativeReward.toString(),
      balance: state.balance(reg.address, "uallo").toString(),
    };
  });
  rows.sort((a, b) => {
    const ra = BigInt(a.cumulative_reward);
    const rb = BigInt(b.cumulative_reward);
    return ra === rb ? (a.address < b.address ? -1 : 1) : ra > rb ? -1 : 1;
  });
  return rows;
}

/** The Cosmos `TxResponse` JSON of a committed tx. */
export function txResponseJson(tx: IndexedTx) {
  return {
    height: tx.height.toString(),
    txhash: tx.hash,
    codespace: tx.result.codespace,
    code: tx.result.code,
    data: toHex(tx.result.data).toUpperCase(),
    raw_log: tx.result.log,
    logs: [],
    info: "",
    gas_wanted: tx.result.gasWanted.toString(),
    gas_used: tx.result.gasUsed.toString(),
    tx: null,
    timestamp: iso(tx.timeMs),
    events: tx.result.events,
  };
}

/** Rounds of a topic, newest first. */
export function recentRounds(chain: Chain, topicId: bigint, limit: number): Round[] {
  return [...chain.state.roundsOf(topicId).values()].reverse().slice(0, limit);
}
