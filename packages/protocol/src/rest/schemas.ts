/**
 * The head node's REST API, with b7s's paths and field names. Each schema is a TypeBox value (plain JSON Schema,
 * so servers validate with it directly) and the TypeScript type of the same name is derived from it.
 */
import { type Static, Type } from "@sinclair/typebox";

/** The string codes of an execute outcome, carried in the response body's `code` (HTTP status stays 200). */
export const ResultCode = Type.Union(
  [Type.Literal("200"), Type.Literal("206"), Type.Literal("204"), Type.Literal("408"), Type.Literal("500")],
  { description: "Outcome of an execute request, as b7s clients expect it" },
);
/** Outcome of an execute request. */
export type ResultCode = Static<typeof ResultCode>;

/** What each {@link ResultCode} means. */
export const ResultCodeMeaning: Readonly<Record<ResultCode, string>> = {
  "200": "enough chosen workers answered (answered/chosen >= threshold)",
  "206": "some chosen workers answered, fewer than the threshold asks",
  "204": "workers were chosen but none returned a result in time",
  "408": "the roll call timed out: no worker (or fewer than number_of_nodes) accepted in the window",
  "500": "the head could not run the request (publish or dispatch failure)",
};

/** Name of an environment variable a request passes to the function. */
export const EnvVarName = Type.String({ pattern: "^[A-Za-z_][A-Za-z0-9_]*$", maxLength: 128 });

/** One environment variable for the function. */
export const EnvVar = Type.Object(
  {
    name: EnvVarName,
    value: Type.String({ maxLength: 8192 }),
  },
  { additionalProperties: false },
);
/** One environment variable for the function. */
export type EnvVar = Static<typeof EnvVar>;

/** A positional parameter; only `value` is passed to the function, after the contract's own arguments. */
export const Parameter = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 128 })),
    value: Type.String({ maxLength: 8192 }),
  },
  { additionalProperties: false },
);
/** A positional parameter. */
export type Parameter = Static<typeof Parameter>;

/** b7s runtime options; accepted for compatibility and ignored (functions here are processes, not WASM). */
export const RuntimeConfig = Type.Object(
  {
    entry: Type.Optional(Type.String()),
    run_time: Type.Optional(Type.Boolean()),
    debug_info: Type.Optional(Type.Boolean()),
    limited_fuel: Type.Optional(Type.Integer()),
    limited_memory: Type.Optional(Type.Integer()),
    runtime_logger: Type.Optional(Type.String()),
    drivers_root_path: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

/** The `config` block of an execute request. */
export const ExecuteConfig = Type.Object(
  {
    env_vars: Type.Optional(Type.Union([Type.Array(EnvVar, { maxItems: 64 }), Type.Null()])),
    stdin: Type.Optional(Type.Union([Type.String({ maxLength: 262_144 }), Type.Null()])),
    permissions: Type.Optional(Type.Union([Type.Array(Type.String(), { maxItems: 64 }), Type.Null()])),
    runtime: Type.Optional(RuntimeConfig),
    number_of_nodes: Type.Optional(
      Type.Integer({ minimum: -1, maximum: 1000, description: "-1 (or 0): every worker that answers the roll call" }),
    ),
    timeout: Type.Optional(
      Type.Number({ minimum: 0, maximum: 300, description: "Roll-call window in seconds (default 5)" }),
    ),
    execution_timeout: Type.Optional(
      Type.Number({
        minimum: 0.001,
        maximum: 600,
        description: "Seconds the function may run; lowers the worker's own limit, never raises it",
      }),
    ),
    consensus_algorithm: Type.Optional(Type.String({ maxLength: 32 })),
    threshold: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1 })),
    attributes: Type.Optional(Type.Unknown()),
    result_aggregation: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);
/** The `config` block of an execute request. */
export type ExecuteConfig = Static<typeof ExecuteConfig>;

/** `POST /api/v1/functions/execute` request body. */
export const ExecuteRequest = Type.Object(
  {
    function_id: Type.String({ minLength: 1, maxLength: 256 }),
    method: Type.String({ minLength: 1, maxLength: 256 }),
    parameters: Type.Optional(Type.Union([Type.Array(Parameter, { maxItems: 64 }), Type.Null()])),
    topic: Type.Optional(Type.String({ maxLength: 128 })),
    config: Type.Optional(ExecuteConfig),
    signature: Type.Optional(Type.String({ maxLength: 1024 })),
  },
  { additionalProperties: false },
);
/** `POST /api/v1/functions/execute` request body. */
export type ExecuteRequest = Static<typeof ExecuteRequest>;

/** The output of one function run. */
export const RuntimeOutput = Type.Object({
  stdout: Type.String(),
  stderr: Type.String(),
  exit_code: Type.Integer(),
});
/** The output of one function run. */
export type RuntimeOutput = Static<typeof RuntimeOutput>;

/** Resource usage of one function run; durations in nanoseconds as in b7s. */
export const Usage = Type.Object({
  wall_clock_time: Type.Integer({ minimum: 0, description: "ns from spawn to exit, interpreter start included" }),
  cpu_user_time: Type.Optional(Type.Integer({ minimum: 0 })),
  cpu_sys_time: Type.Optional(Type.Integer({ minimum: 0 })),
  memory_max_kb: Type.Optional(Type.Integer({ minimum: 0 })),
});
/** Resource usage of one function run. */
export type Usage = Static<typeof Usage>;

/** Identical outputs grouped, with the peers that produced them and their share in percent. */
export const AggregatedResult = Type.Object({
  result: RuntimeOutput,
  peers: Type.Array(Type.String()),
  frequency: Type.Number({ minimum: 0, maximum: 100 }),
});
/** Identical outputs grouped. */
export type AggregatedResult = Static<typeof AggregatedResult>;

/** A per-peer failure: a code and an explanation. */
export const PeerFailure = Type.Object({ code: Type.String(), message: Type.String() });
/** A per-peer failure. */
export type PeerFailure = Static<typeof PeerFailure>;

/** `POST /api/v1/functions/execute` response body (HTTP 200 whenever the request was valid). */
export const ExecuteResponse = Type.Object({
  code: ResultCode,
  request_id: Type.String(),
  message: Type.Optional(Type.String()),
  results: Type.Optional(Type.Array(AggregatedResult)),
  usage: Type.Optional(Type.Record(Type.String(), Usage, { description: "per-peer usage, keyed by peer id" })),
  failures: Type.Optional(
    Type.Record(Type.String(), PeerFailure, { description: "per-peer errors (function failed, timed out, ...)" }),
  ),
  unanswered_peers: Type.Optional(Type.Array(Type.String(), { description: "chosen peers that did not answer" })),
  unregistered_peers: Type.Optional(
    Type.Array(Type.String(), {
      description:
        "peers that answered but are not registered on the chain for the topic (by libp2p key); set only by a head with a chain and no --trusted-workers",
    }),
  ),
  cluster: Type.Object({
    main: Type.Optional(Type.String()),
    peers: Type.Optional(Type.Array(Type.String())),
  }),
});
/** `POST /api/v1/functions/execute` response body. */
export type ExecuteResponse = Static<typeof ExecuteResponse>;

/** `POST /api/v1/functions/install` request body. */
export const InstallRequest = Type.Object(
  {
    cid: Type.Optional(Type.String({ maxLength: 256 })),
    uri: Type.Optional(Type.String({ maxLength: 2048 })),
    subgroup: Type.Optional(
      Type.String({ maxLength: 128, description: "topic id to announce on (default: every topic)" }),
    ),
  },
  { additionalProperties: false },
);
/** `POST /api/v1/functions/install` request body. */
export type InstallRequest = Static<typeof InstallRequest>;

/** `POST /api/v1/functions/install` response body. */
export const InstallResponse = Type.Object({
  code: Type.Union([Type.Literal("200"), Type.Literal("408"), Type.Literal("500")]),
  message: Type.Optional(Type.String()),
});
/** `POST /api/v1/functions/install` response body. */
export type InstallResponse = Static<typeof InstallResponse>;

/** `POST /api/v1/functions/requests/result` request body. */
export const ResultRequest = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 128 }) },
  { additionalProperties: false },
);
/** `POST /api/v1/functions/requests/result` request body. */
export type ResultRequest = Static<typeof ResultRequest>;

/** `GET /api/v1/health` response body. */
export const HealthResponse = Type.Object({ type: Type.Literal("health"), code: Type.Literal(200) });
/** `GET /api/v1/health` response body. */
export type HealthResponse = Static<typeof HealthResponse>;

/** A worker as the head sees it. */
export const ConnectedWorker = Type.Object({
  peer_id: Type.String(),
  addresses: Type.Array(Type.String()),
  topics: Type.Array(Type.String(), { description: "topics it announced (allora-topic-<id>-worker)" }),
  subscribed: Type.Array(Type.String(), { description: "of those, the topics the head sees it subscribed to" }),
  version: Type.Optional(Type.String()),
  chain_address: Type.Optional(Type.String()),
});
/** A worker as the head sees it. */
export type ConnectedWorker = Static<typeof ConnectedWorker>;

/** `GET /api/v1/status` response body (not in b7s). */
export const StatusResponse = Type.Object({
  peer_id: Type.String(),
  addresses: Type.Array(Type.String()),
  version: Type.String(),
  uptime_seconds: Type.Number(),
  workers: Type.Array(ConnectedWorker),
  functions: Type.Array(Type.Object({ cid: Type.String(), name: Type.String(), aliases: Type.Array(Type.String()) })),
  chain: Type.Optional(
    Type.Object({
      address: Type.Optional(Type.String()),
      rpc: Type.String(),
      submissions: Type.Array(
        Type.Object({
          topic_id: Type.String(),
          nonce: Type.String(),
          bundles: Type.Integer(),
          status: Type.String(),
          tx_hash: Type.Optional(Type.String()),
          error: Type.Optional(Type.String()),
        }),
      ),
    }),
  ),
});
/** `GET /api/v1/status` response body. */
export type StatusResponse = Static<typeof StatusResponse>;

/** The body of every 4xx/5xx answer: a code from `docs/ERRORS.md` and a sentence saying what to do. */
export const ErrorResponse = Type.Object({
  code: Type.String(),
  message: Type.String(),
  details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
/** The body of every 4xx/5xx answer. */
export type ErrorResponse = Static<typeof ErrorResponse>;
