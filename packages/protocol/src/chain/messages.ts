/**
 * The chain messages of the network, with the exact field numbers and type URLs of `docs/PROTOCOL.md`:
 * upstream `emissions.v1` (allora-chain v0.2.14) for what upstream had, `allora.localnet.v1` for what exists only
 * in this local network.
 */
import { defineMessage, message, type ProtoType, repeated, scalar } from "./proto-message.js";

/** `emissions.v1.Nonce`: a round, named by the block height it opened at. */
export const Nonce = defineMessage("emissions.v1.Nonce", {
  blockHeight: scalar(1, "int64"),
});
/** `emissions.v1.Nonce`. */
export type Nonce = ProtoType<typeof Nonce>;

/** `emissions.v1.Inference`: one worker's value for one round. `value` is a plain decimal string. */
export const Inference = defineMessage("emissions.v1.Inference", {
  topicId: scalar(1, "uint64"),
  blockHeight: scalar(2, "int64"),
  inferer: scalar(3, "string"),
  value: scalar(4, "string"),
  extraData: scalar(5, "bytes"),
  proof: scalar(6, "string"),
});
/** `emissions.v1.Inference`. */
export type Inference = ProtoType<typeof Inference>;

/** `emissions.v1.ForecastElement`. */
export const ForecastElement = defineMessage("emissions.v1.ForecastElement", {
  inferer: scalar(1, "string"),
  value: scalar(2, "string"),
});
/** `emissions.v1.ForecastElement`. */
export type ForecastElement = ProtoType<typeof ForecastElement>;

/** `emissions.v1.Forecast`. */
export const Forecast = defineMessage("emissions.v1.Forecast", {
  topicId: scalar(1, "uint64"),
  blockHeight: scalar(2, "int64"),
  forecaster: scalar(3, "string"),
  forecastElements: repeated(4, ForecastElement),
  extraData: scalar(5, "bytes"),
});
/** `emissions.v1.Forecast`. */
export type Forecast = ProtoType<typeof Forecast>;

/** `emissions.v1.InferenceForecastBundle`: what a worker signs. */
export const InferenceForecastBundle = defineMessage("emissions.v1.InferenceForecastBundle", {
  inference: message(1, Inference),
  forecast: message(2, Forecast),
});
/** `emissions.v1.InferenceForecastBundle`. */
export type InferenceForecastBundle = ProtoType<typeof InferenceForecastBundle>;

/** `emissions.v1.WorkerDataBundle` (v1 field numbers): a worker's signed bundle. */
export const WorkerDataBundle = defineMessage("emissions.v1.WorkerDataBundle", {
  worker: scalar(1, "string"),
  inferenceForecastsBundle: message(2, InferenceForecastBundle),
  inferencesForecastsBundleSignature: scalar(3, "bytes"),
  pubkey: scalar(4, "string"),
  nonce: message(5, Nonce),
  topicId: scalar(6, "uint64"),
});
/** `emissions.v1.WorkerDataBundle`. */
export type WorkerDataBundle = ProtoType<typeof WorkerDataBundle>;

/** `/emissions.v1.MsgInsertBulkWorkerPayload`: the head submits every worker's bundle for one round. */
export const MsgInsertBulkWorkerPayload = defineMessage("emissions.v1.MsgInsertBulkWorkerPayload", {
  sender: scalar(1, "string"),
  nonce: message(2, Nonce),
  topicId: scalar(3, "uint64"),
  workerDataBundles: repeated(4, WorkerDataBundle),
});
/** `/emissions.v1.MsgInsertBulkWorkerPayload`. */
export type MsgInsertBulkWorkerPayload = ProtoType<typeof MsgInsertBulkWorkerPayload>;

/** `/emissions.v1.MsgInsertBulkWorkerPayloadResponse` (empty). */
export const MsgInsertBulkWorkerPayloadResponse = defineMessage("emissions.v1.MsgInsertBulkWorkerPayloadResponse", {});
/** `/emissions.v1.MsgInsertBulkWorkerPayloadResponse`. */
export type MsgInsertBulkWorkerPayloadResponse = ProtoType<typeof MsgInsertBulkWorkerPayloadResponse>;

/** `/emissions.v1.MsgRegister`: a worker registers on one topic. */
export const MsgRegister = defineMessage("emissions.v1.MsgRegister", {
  sender: scalar(1, "string"),
  libP2pKey: scalar(2, "string"),
  multiAddress: scalar(3, "string"),
  topicId: scalar(4, "uint64"),
  owner: scalar(5, "string"),
  isReputer: scalar(6, "bool"),
});
/** `/emissions.v1.MsgRegister`. */
export type MsgRegister = ProtoType<typeof MsgRegister>;

/** The fields of upstream's registration responses: whether it worked, and a line saying so. */
const REGISTRATION_RESPONSE_FIELDS = {
  success: scalar(1, "bool"),
  message: scalar(2, "string"),
};

/** `/emissions.v1.MsgRegisterResponse`. */
export const MsgRegisterResponse = defineMessage("emissions.v1.MsgRegisterResponse", REGISTRATION_RESPONSE_FIELDS);
/** `/emissions.v1.MsgRegisterResponse`. */
export type MsgRegisterResponse = ProtoType<typeof MsgRegisterResponse>;

/** `/emissions.v1.MsgRemoveRegistration`. */
export const MsgRemoveRegistration = defineMessage("emissions.v1.MsgRemoveRegistration", {
  sender: scalar(1, "string"),
  topicId: scalar(2, "uint64"),
  isReputer: scalar(3, "bool"),
});
/** `/emissions.v1.MsgRemoveRegistration`. */
export type MsgRemoveRegistration = ProtoType<typeof MsgRemoveRegistration>;

/** `/emissions.v1.MsgRemoveRegistrationResponse`. */
export const MsgRemoveRegistrationResponse = defineMessage(
  "emissions.v1.MsgRemoveRegistrationResponse",
  REGISTRATION_RESPONSE_FIELDS,
);
/** `/emissions.v1.MsgRemoveRegistrationResponse`. */
export type MsgRemoveRegistrationResponse = ProtoType<typeof MsgRemoveRegistrationResponse>;

/** `/allora.localnet.v1.MsgCreateTopic`: a topic with a cadence in seconds (local network only). */
export const MsgCreateTopic = defineMessage("allora.localnet.v1.MsgCreateTopic", {
  creator: scalar(1, "string"),
  metadata: scalar(2, "string"),
  inferenceLogic: scalar(3, "string"),
  inferenceMethod: scalar(4, "string"),
  inferenceCadence: scalar(5, "uint64"),
  defaultArg: scalar(6, "string"),
  lossMethod: scalar(7, "string"),
  groundTruthLag: scalar(8, "uint64"),
  submissionWindow: scalar(9, "uint64"),
});
/** `/allora.localnet.v1.MsgCreateTopic`. */
export type MsgCreateTopic = ProtoType<typeof MsgCreateTopic>;

/** `/allora.localnet.v1.MsgCreateTopicResponse`. */
export const MsgCreateTopicResponse = defineMessage("allora.localnet.v1.MsgCreateTopicResponse", {
  topicId: scalar(1, "uint64"),
});
/** `/allora.localnet.v1.MsgCreateTopicResponse`. */
export type MsgCreateTopicResponse = ProtoType<typeof MsgCreateTopicResponse>;
