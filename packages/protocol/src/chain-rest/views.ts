/**
 * The chain's REST face as data: one TypeBox schema per answer, with the TypeScript type of the same name derived
 * from it. {@link createChainRestClient} checks every answer against these on the way in; the chain, the CLI and the
 * dashboard share them. Objects allow fields beyond those listed (a newer chain may send more); 64-bit integers and
 * decimals travel as strings, times as RFC 3339.
 *
 * @packageDocumentation
 */
import { type Static, type TSchema, Type } from "@sinclair/typebox";

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
/** A plain decimal string such as `"2946.45"`. */
const Decimal = Type.String({ description: "a plain decimal string", maxLength: 100 });
/** An unsigned integer as a string (uint64 in proto JSON). */
const Uint = Type.String({ pattern: "^[0-9]{1,30}$" });

/** `GET /allora/localnet/v1/health`: whether blocks keep coming (HTTP 503 when stalled or stopped). */
export const ChainHealthView = Type.Object({
  status: Type.String({ description: '"ok", "stalled" or "stopped"' }),
  chain_id: Type.String(),
  height: Uint,
  latest_block_time: Nullable(Type.String()),
  block_time_ms: Uint,
});
export type ChainHealthView = Static<typeof ChainHealthView>;

/** A topic as `GET /emissions/v1/topics/{id}` has it. */
export const ChainTopic = Type.Object({
  id: Uint,
  creator: Type.String(),
  metadata: Type.String(),
  inference_logic: Type.String(),
  inference_method: Type.String(),
  inference_cadence: Uint,
  default_arg: Type.String(),
  loss_method: Type.String(),
  ground_truth_lag: Uint,
  submission_window: Uint,
  last_round_nonce: Nullable(Uint),
  last_round_opened_at: Nullable(Type.String()),
});
export type ChainTopic = Static<typeof ChainTopic>;

/** `GET /emissions/v1/topics/{id}`. */
export const ChainTopicResponse = Type.Object({ topic: ChainTopic });
export type ChainTopicResponse = Static<typeof ChainTopicResponse>;

/** One topic of `GET /allora/localnet/v1/topics`: the topic plus its registered workers and scored rounds. */
export const ChainTopicView = Type.Composite([
  ChainTopic,
  Type.Object({ workers: Uint, open_rounds: Type.Array(Uint), rounds_scored: Uint }),
]);
export type ChainTopicView = Static<typeof ChainTopicView>;

/** `GET /allora/localnet/v1/topics`. */
export const ChainTopicsView = Type.Object({ topics: Type.Array(ChainTopicView) });
export type ChainTopicsView = Static<typeof ChainTopicsView>;

/** One worker of `GET /allora/localnet/v1/topics/{id}/workers`: registration, scores, EMA, rewards, balance. */
export const ChainWorkerView = Type.Object({
  address: Type.String(),
  lib_p2p_key: Type.String(),
  multi_address: Type.String(),
  owner: Type.String(),
  registered_at_height: Uint,
  latest_value: Nullable(Decimal),
  latest_nonce: Nullable(Uint),
  latest_score: Nullable(Decimal),
  ema_score: Nullable(Decimal),
  rounds_scored: Uint,
  cumulative_reward: Uint,
  balance: Uint,
});
export type ChainWorkerView = Static<typeof ChainWorkerView>;

/** `GET /allora/localnet/v1/topics/{id}/workers`, ranked by cumulative reward. */
export const ChainTopicWorkersView = Type.Object({ topic_id: Uint, workers: Type.Array(ChainWorkerView) });
export type ChainTopicWorkersView = Static<typeof ChainTopicWorkersView>;

/** A worker's outcome in a round: its inference and, once the truth is known, loss, score, EMA and reward. */
export const ChainRoundWorkerView = Type.Object({
  address: Type.String(),
  value: Decimal,
  loss: Nullable(Decimal),
  score: Nullable(Decimal),
  ema_score: Nullable(Decimal),
  reward: Nullable(Uint),
});
export type ChainRoundWorkerView = Static<typeof ChainRoundWorkerView>;

/** One round of `GET /allora/localnet/v1/topics/{id}/rounds`. */
export const ChainRoundView = Type.Object({
  topic_id: Uint,
  nonce: Uint,
  status: Type.Union([Type.Literal("open"), Type.Literal("closed"), Type.Literal("scored")]),
  opened_at: Type.String(),
  closes_at: Type.String(),
  truth_at: Type.String(),
  truth: Nullable(Decimal),
  network_inference: Nullable(Decimal),
  network_loss: Nullable(Decimal),
  reward_total: Nullable(Uint),
  inferences: Type.Array(Type.Object({ worker: Type.String(), value: Decimal, height: Uint })),
  workers: Type.Array(ChainRoundWorkerView),
});
export type ChainRoundView = Static<typeof ChainRoundView>;

/** `GET /allora/localnet/v1/topics/{id}/rounds`, newest first. */
export const ChainRoundsView = Type.Object({ topic_id: Uint, rounds: Type.Array(ChainRoundView) });
export type ChainRoundsView = Static<typeof ChainRoundsView>;

/** `GET /emissions/v1/worker_registered/{topic_id}/{address}`. */
export const WorkerRegisteredResponse = Type.Object({ is_registered: Type.Boolean() });
export type WorkerRegisteredResponse = Static<typeof WorkerRegisteredResponse>;

/** `GET /emissions/v1/inferer_score_ema/{topic_id}/{address}`: the worker's EMA score and the round it is from. */
export const InfererScoreEmaResponse = Type.Object({
  score: Type.Object({ topic_id: Uint, block_height: Uint, address: Type.String(), score: Decimal }),
});
export type InfererScoreEmaResponse = Static<typeof InfererScoreEmaResponse>;

/** `GET /emissions/v1/latest_inferences/{topic_id}`: the inferences of the newest round that has any. */
export const LatestInferencesResponse = Type.Object({
  block_height: Uint,
  inferences: Type.Object({
    inferences: Type.Array(Type.Object({ topic_id: Uint, block_height: Uint, inferer: Type.String(), value: Decimal })),
  }),
  /** This chain's only: the round's status. */
  round_status: Type.Optional(Nullable(Type.String())),
});
export type LatestInferencesResponse = Static<typeof LatestInferencesResponse>;

/** One coin: a denom and an integer amount. */
export const Coin = Type.Object({ denom: Type.String(), amount: Uint });
export type Coin = Static<typeof Coin>;

/** `GET /cosmos/bank/v1beta1/balances/{address}`. */
export const BalancesResponse = Type.Object({ balances: Type.Array(Coin) });
export type BalancesResponse = Static<typeof BalancesResponse>;

/** `GET /cosmos/auth/v1beta1/accounts/{address}`: what `makeSignedTx` needs (account number and sequence). */
export const AccountResponse = Type.Object({
  account: Type.Object({ address: Type.String(), account_number: Uint, sequence: Uint }),
});
export type AccountResponse = Static<typeof AccountResponse>;

/** `GET /faucet`: the dev faucet's address, amounts and balance (503 `FAUCET_DISABLED` without one). */
export const FaucetInfo = Type.Object({
  address: Type.String(),
  default_amount: Uint,
  max_amount: Uint,
  balance: Uint,
});
export type FaucetInfo = Static<typeof FaucetInfo>;

/** `POST /faucet` `{address, amount?}`: the committed transfer. */
export const FaucetGrant = Type.Object({
  tx_hash: Type.String(),
  address: Type.String(),
  amount: Uint,
  denom: Type.String(),
  height: Uint,
});
export type FaucetGrant = Static<typeof FaucetGrant>;

/**
 * The chain's REST error body: the Cosmos triple `{code, codespace, log}` plus `message` and `reason`, the chain's
 * name of the refusal (a code of its catalogue, e.g. `TOPIC_NOT_FOUND`).
 */
export const ChainErrorBody = Type.Object({
  code: Type.Integer(),
  codespace: Type.String(),
  log: Type.String(),
  message: Type.String(),
  reason: Type.String(),
});
export type ChainErrorBody = Static<typeof ChainErrorBody>;
