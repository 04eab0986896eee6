/**
 * The p2p message catalogue: every message heads and workers exchange, as TypeBox schemas with the TypeScript type
 * of the same name. Messages are JSON objects with a `type` field, b7s style (snake_case fields, codes as strings).
 */
import { type Static, type TLiteral, type TObject, type TProperties, type TSchema, Type } from "@sinclair/typebox";
import { EnvVar, RuntimeOutput, Usage } from "../rest/schemas.js";

const PeerIdString = Type.String({ minLength: 1, maxLength: 128 });
const RequestId = Type.String({ minLength: 1, maxLength: 128 });
const Cid = Type.String({ minLength: 1, maxLength: 256 });
const Code = Type.String({ pattern: "^[0-9]{3}$" });
const Text = Type.String({ maxLength: 8192 });

/**
 * A p2p message: a closed JSON object whose `type` names it, with `fields` beside it. The return type spells
 * `{ type } & Fields` (what `Type.Object` gives) as one object, so declarations and docs list every field.
 */
function wireMessage<Name extends string, Fields extends TProperties>(
  type: Name,
  fields: Fields,
): TObject<{ [K in "type" | keyof Fields]: K extends keyof Fields ? Fields[K] : TLiteral<Name> }> {
  return Type.Object({ type: Type.Literal(type), ...fields }, { additionalProperties: false }) as never;
}

/** The chain round an execute belongs to, when the request carried `ALLORA_BLOCK_HEIGHT_CURRENT`. */
export const ChainRound = Type.Object(
  {
    topic_id: Type.String({ pattern: "^[0-9]{1,20}$" }),
    block_height: Type.String({ pattern: "^[0-9]{1,19}$" }),
  },
  { additionalProperties: false },
);
/** The chain round an execute belongs to. */
export type ChainRound = Static<typeof ChainRound>;

/** Head → workers (on their sessions, and gossip on `allora-topic-<id>-worker`): who can run this function now? */
export const MsgRollCall = wireMessage("MsgRollCall", {
  origin: PeerIdString,
  function_id: Cid,
  request_id: RequestId,
  topic: Type.String({ maxLength: 128 }),
  consensus: Type.Integer({ minimum: 0, maximum: 0, description: "always 0: no consensus, the head aggregates" }),
  /** Set for the chain's own round (checked open by the head): the worker gives it its reserved round slots. */
  chain_round: Type.Optional(ChainRound),
});
/** Head → workers: who can run this function now? */
export type MsgRollCall = Static<typeof MsgRollCall>;

/** Worker → head (session): `"202"` accepted, `"500"` cannot install the function, `"503"` at its concurrency limit. */
export const MsgRollCallResponse = wireMessage("MsgRollCallResponse", {
  code: Code,
  function_id: Cid,
  request_id: RequestId,
  message: Type.Optional(Text),
  error_code: Type.Optional(Type.String({ maxLength: 64 })),
});
/** Worker → head: roll-call answer. */
export type MsgRollCallResponse = Static<typeof MsgRollCallResponse>;

/** Head → chosen worker (session): run the function. */
export const MsgExecute = wireMessage("MsgExecute", {
  request_id: RequestId,
  function_id: Cid,
  method: Type.String({ minLength: 1, maxLength: 256 }),
  topic: Type.String({ maxLength: 128 }),
  parameters: Type.Array(Type.String({ maxLength: 8192 }), { maxItems: 64 }),
  env_vars: Type.Array(EnvVar, { maxItems: 80 }),
  stdin: Type.Optional(Type.String({ maxLength: 262_144 })),
  timeout_ms: Type.Optional(Type.Integer({ minimum: 1, maximum: 600_000 })),
  chain_round: Type.Optional(ChainRound),
  timestamp: Type.String({ maxLength: 64 }),
});
/** Head → chosen worker: run the function. */
export type MsgExecute = Static<typeof MsgExecute>;

/**
 * Worker → head (session): the function's outcome. `code` is `"200"` when the function ran (whatever its exit
 * code), otherwise the failure is in `error_code` and `message`. For chain rounds, `bundle` carries the worker's
 * signed `WorkerDataBundle` (base64 of its protobuf bytes), separate from the function's own output.
 */
export const MsgExecuteResponse = wireMessage("MsgExecuteResponse", {
  request_id: RequestId,
  code: Code,
  result: Type.Optional(RuntimeOutput),
  usage: Type.Optional(Usage),
  message: Type.Optional(Text),
  error_code: Type.Optional(Type.String({ maxLength: 64 })),
  bundle: Type.Optional(Type.String({ maxLength: 65_536 })),
  bundle_error: Type.Optional(Type.Object({ code: Type.String(), message: Text }, { additionalProperties: false })),
});
/** Worker → head: the function's outcome. */
export type MsgExecuteResponse = Static<typeof MsgExecuteResponse>;

/** Head → workers (gossip): install this package ahead of time. */
export const MsgInstallFunction = wireMessage("MsgInstallFunction", {
  origin: PeerIdString,
  cid: Cid,
  uri: Type.Optional(Type.String({ maxLength: 2048 })),
});
/** Head → workers: install this package ahead of time. */
export type MsgInstallFunction = Static<typeof MsgInstallFunction>;

/** Worker → head (session): install outcome. */
export const MsgInstallFunctionResponse = wireMessage("MsgInstallFunctionResponse", {
  code: Code,
  cid: Cid,
  message: Type.Optional(Text),
});
/** Worker → head: install outcome. */
export type MsgInstallFunctionResponse = Static<typeof MsgInstallFunctionResponse>;

/** Worker → head, first frame of a session: what the worker serves. */
export const MsgWorkerHello = wireMessage("MsgWorkerHello", {
  version: Type.String({ maxLength: 64 }),
  topics: Type.Array(Type.String({ maxLength: 128 }), { maxItems: 256 }),
  function_timeout_ms: Type.Integer({
    minimum: 1,
    maximum: 600_000,
    description: "the worker's function timeout; a head bounds it further by its own --max-execution-time",
  }),
  max_concurrency: Type.Integer({ minimum: 1, maximum: 4096 }),
  chain_address: Type.Optional(Type.String({ maxLength: 128 })),
});
/** Worker → head, first frame of a session. */
export type MsgWorkerHello = Static<typeof MsgWorkerHello>;

/** Head → worker, answer to the hello. */
export const MsgHeadHello = wireMessage("MsgHeadHello", {
  version: Type.String({ maxLength: 64 }),
  functions: Type.Optional(
    Type.Array(Cid, { maxItems: 64, description: "CIDs of the packages the head serves, for workers to prefetch" }),
  ),
});
/** Head → worker, answer to the hello. */
export type MsgHeadHello = Static<typeof MsgHeadHello>;

/** Request on the function-fetch protocol. */
export const MsgFetchFunction = wireMessage("MsgFetchFunction", {
  cid: Cid,
});
/** Request on the function-fetch protocol. */
export type MsgFetchFunction = Static<typeof MsgFetchFunction>;

/** Header answer on the function-fetch protocol; on `"200"` exactly `size` bytes follow in raw frames. */
export const MsgFetchFunctionResponse = wireMessage("MsgFetchFunctionResponse", {
  code: Code,
  cid: Cid,
  size: Type.Optional(Type.Integer({ minimum: 0 })),
  message: Type.Optional(Text),
});
/** Header answer on the function-fetch protocol. */
export type MsgFetchFunctionResponse = Static<typeof MsgFetchFunctionResponse>;

/** Every message schema, by `type`. */
export const P2pMessageSchemas = {
  MsgRollCall,
  MsgRollCallResponse,
  MsgExecute,
  MsgExecuteResponse,
  MsgInstallFunction,
  MsgInstallFunctionResponse,
  MsgWorkerHello,
  MsgHeadHello,
  MsgFetchFunction,
  MsgFetchFunctionResponse,
} as const satisfies Record<string, TSchema>;

/** The `type` of a p2p message. */
export type P2pMessageType = keyof typeof P2pMessageSchemas;

/** Any p2p message. */
export type P2pMessage = { [K in P2pMessageType]: Static<(typeof P2pMessageSchemas)[K]> }[P2pMessageType];

/** The message of a given `type`. */
export type P2pMessageOf<K extends P2pMessageType> = Static<(typeof P2pMessageSchemas)[K]>;
