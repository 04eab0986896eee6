/**
 * The data the dashboard reads and the data it pushes to its page, each as one TypeBox schema with the TypeScript
 * type of the same name derived from it. The server validates what the chain, the head and the workers answer
 * against these; the page imports the types only (so no schema code reaches the bundle).
 *
 * The head's types come from `@allora/protocol` (`StatusResponse`, `ExecuteRequest`, `ExecuteResponse`), and so do
 * the chain's REST views (`ChainWorkerView`, `ChainRoundView`, …), picked down to the fields the page shows. The
 * worker's `/status` has no schema in the library yet, so it is defined here with the fields the dashboard reads.
 */
import * as Protocol from "@allora/protocol";
import { ExecuteRequest, ExecuteResponse } from "@allora/protocol";
import { type Static, Type } from "@sinclair/typebox";

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);
const Uint = Type.String({ pattern: "^[0-9]+$" });

/** `GET /allora/localnet/v1/health` of the chain. */
export const ChainHealthView = Protocol.ChainHealthView;
export type ChainHealthView = Static<typeof ChainHealthView>;

/** One topic of `GET /allora/localnet/v1/topics`: the fields the dashboard shows. */
export const ChainTopicView = Type.Pick(Protocol.ChainTopicView, [
  "id",
  "metadata",
  "default_arg",
  "inference_cadence",
  "ground_truth_lag",
  "submission_window",
  "workers",
  "last_round_nonce",
  "last_round_opened_at",
  "rounds_scored",
]);
export type ChainTopicView = Static<typeof ChainTopicView>;

/** `GET /allora/localnet/v1/topics`. */
export const ChainTopicsView = Type.Object({ topics: Type.Array(ChainTopicView) });
export type ChainTopicsView = Static<typeof ChainTopicsView>;

/** One worker of `GET /allora/localnet/v1/topics/{id}/workers`: registration, scores, rewards, balance. */
export const ChainWorkerView = Type.Pick(Protocol.ChainWorkerView, [
  "address",
  "lib_p2p_key",
  "latest_value",
  "latest_score",
  "ema_score",
  "rounds_scored",
  "cumulative_reward",
  "balance",
]);
export type ChainWorkerView = Static<typeof ChainWorkerView>;

/** `GET /allora/localnet/v1/topics/{id}/workers`. */
export const ChainTopicWorkersView = Type.Object({
  topic_id: Protocol.ChainTopicWorkersView.properties.topic_id,
  workers: Type.Array(ChainWorkerView),
});
export type ChainTopicWorkersView = Static<typeof ChainTopicWorkersView>;

/** One round of `GET /allora/localnet/v1/topics/{id}/rounds`, without the per-tx inference list. */
export const ChainRoundView = Type.Omit(Protocol.ChainRoundView, ["inferences"]);
export type ChainRoundView = Static<typeof ChainRoundView>;

/** `GET /allora/localnet/v1/topics/{id}/rounds`. */
export const ChainRoundsView = Type.Object({
  topic_id: Protocol.ChainRoundsView.properties.topic_id,
  rounds: Type.Array(ChainRoundView),
});
export type ChainRoundsView = Static<typeof ChainRoundsView>;

/** The part of a worker's `GET /status` (its HTTP port, 2112+) the dashboard reads. */
export const WorkerStatusView = Type.Object({
  name: Type.String(),
  version: Type.String(),
  peer_id: Type.String(),
  topics: Type.Array(Type.String()),
  chain: Type.Optional(Type.Object({ address: Type.String() })),
});
export type WorkerStatusView = Static<typeof WorkerStatusView>;

/** The part of an inference server's `GET /health` the dashboard reads: the model label. */
export const InferenceHealthView = Type.Object({ model: Type.String() });
export type InferenceHealthView = Static<typeof InferenceHealthView>;

/** Whether an upstream answered on the last try, and why not. */
const Reachability = {
  reachable: Type.Boolean(),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
};

/** The chain as the page shows it. */
const ChainPanel = Type.Object({
  ...Reachability,
  url: Type.String(),
  chain_id: Type.Optional(Type.String()),
  height: Type.Optional(Uint),
  latest_block_time: Type.Optional(Nullable(Type.String())),
  block_time_ms: Type.Optional(Type.Integer()),
});

/** The head as the page shows it: its own `/status` fields as they came, and how many workers it has. */
export const HeadPanel = Type.Composite([
  Type.Object({ ...Reachability, url: Type.String() }),
  Type.Partial(Type.Pick(Protocol.StatusResponse, ["peer_id", "version", "addresses", "uptime_seconds"])),
  Type.Object({ workers_connected: Type.Optional(Type.Integer()) }),
]);
export type HeadPanel = Static<typeof HeadPanel>;

/** A worker's standing on one topic (from the chain). */
const WorkerTopicStanding = Type.Pick(Protocol.ChainWorkerView, [
  "latest_score",
  "ema_score",
  "rounds_scored",
  "cumulative_reward",
]);

/**
 * One worker as the page shows it: joined from its own status (peer id, version), its inference server (model),
 * the head's view and the chain's (address, balance, standing).
 */
export const WorkerPanel = Type.Composite([
  Type.Object({
    /** Stable key: the chain address when known, else the peer id. */
    key: Type.String(),
    name: Type.String(),
    /** True when the worker is one this dashboard was told about (`--workers`), false when only seen on head/chain. */
    configured: Type.Boolean(),
    /** Whether its own status endpoint answered (configured workers only). */
    status_reachable: Type.Boolean(),
    /** Connected to the head with a session. */
    connected: Type.Boolean(),
    /** Topic ids the head sees it subscribed to. */
    subscribed: Type.Array(Type.String()),
    /** Topic ids it is registered on, per the chain. */
    registered: Type.Array(Type.String()),
    /** Sum of its rewards over every topic, in uallo. */
    cumulative_reward: Uint,
    standing: Type.Record(Type.String(), WorkerTopicStanding),
  }),
  Type.Partial(Type.Pick(WorkerStatusView, ["peer_id", "version"])),
  Type.Partial(InferenceHealthView),
  Type.Partial(Type.Pick(Protocol.ChainWorkerView, ["address", "balance"])),
]);
export type WorkerPanel = Static<typeof WorkerPanel>;

/** A topic as the page shows it: the chain's id, metadata and last round as they came, the rest made for reading. */
export const TopicPanel = Type.Composite([
  Type.Pick(Protocol.ChainTopic, ["id", "metadata", "last_round_nonce", "last_round_opened_at"]),
  Type.Object({
    token: Type.String(),
    cadence_seconds: Type.Integer(),
    lag_seconds: Type.Integer(),
    window_seconds: Type.Integer(),
    workers: Type.Integer(),
    rounds_scored: Type.Integer(),
    /** When the next round should open: the last opening plus the cadence (null before the first round). */
    next_round_at: Nullable(Type.String()),
  }),
]);
export type TopicPanel = Static<typeof TopicPanel>;

/** Everything but the rounds: pushed whenever any of it changes (at most once per block). */
export const NetworkView = Type.Object({
  /** The server's clock when this view was made, so the page can count down in the server's time. */
  server_time: Type.String(),
  version: Type.String(),
  chain: ChainPanel,
  head: HeadPanel,
  workers: Type.Array(WorkerPanel),
  topics: Type.Array(TopicPanel),
});
export type NetworkView = Static<typeof NetworkView>;

/** The first event of every stream: the network and the last rounds of each topic from the chain's history. */
export const SnapshotEvent = Type.Object({
  network: NetworkView,
  rounds: Type.Array(ChainRoundView),
  /** Rounds kept per topic. */
  history: Type.Integer(),
});
export type SnapshotEvent = Static<typeof SnapshotEvent>;

/** `POST /api/v1/request`: the guide's request, as a person fills it in. Field bounds are the head's own. */
export const RequestForm = Type.Object(
  {
    topic: Type.String({ pattern: "^[1-9][0-9]{0,18}$", description: "topic id" }),
    arg: Type.String({ minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9_.:/-]+$", description: "e.g. ETH" }),
    number_of_nodes: Type.Optional(ExecuteRequest.properties.config.properties.number_of_nodes),
    timeout: Type.Optional(
      Type.Number({ minimum: 0.05, maximum: 30, description: "roll-call window in seconds (the head allows 300)" }),
    ),
  },
  { additionalProperties: false },
);
export type RequestForm = Static<typeof RequestForm>;

/** The answer of `POST /api/v1/request`: what was sent to the head, what it answered, and how long it took. */
export const RequestResult = Type.Object({
  sent: ExecuteRequest,
  response: ExecuteResponse,
  /** What the response's `code` means (the head's table). */
  code_meaning: Type.String(),
  elapsed_ms: Type.Number(),
});
export type RequestResult = Static<typeof RequestResult>;

/** Error bodies of the dashboard's own endpoints. */
export interface ErrorBody {
  code: string;
  message: string;
}
