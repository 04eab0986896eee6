/**
 * Type URLs of the network's chain messages and a cosmjs `Registry` that knows them.
 */
import { type GeneratedType, Registry } from "@cosmjs/proto-signing";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { Coin } from "cosmjs-types/cosmos/base/v1beta1/coin";
import {
  MsgCreateTopic,
  MsgCreateTopicResponse,
  MsgInsertBulkWorkerPayload,
  MsgInsertBulkWorkerPayloadResponse,
  MsgRegister,
  MsgRegisterResponse,
  MsgRemoveRegistration,
  MsgRemoveRegistrationResponse,
} from "./messages.js";

/** Type URLs of the messages a transaction may carry. */
export const TypeUrls = {
  MsgSend: "/cosmos.bank.v1beta1.MsgSend",
  MsgRegister: MsgRegister.typeUrl,
  MsgRemoveRegistration: MsgRemoveRegistration.typeUrl,
  MsgInsertBulkWorkerPayload: MsgInsertBulkWorkerPayload.typeUrl,
  MsgCreateTopic: MsgCreateTopic.typeUrl,
} as const;

/** `[typeUrl, codec]` pairs of the network's own messages and their responses, for `new Registry([...])`. */
export const alloraRegistryTypes: ReadonlyArray<[string, GeneratedType]> = [
  [MsgRegister.typeUrl, MsgRegister],
  [MsgRegisterResponse.typeUrl, MsgRegisterResponse],
  [MsgRemoveRegistration.typeUrl, MsgRemoveRegistration],
  [MsgRemoveRegistrationResponse.typeUrl, MsgRemoveRegistrationResponse],
  [MsgInsertBulkWorkerPayload.typeUrl, MsgInsertBulkWorkerPayload],
  [MsgInsertBulkWorkerPayloadResponse.typeUrl, MsgInsertBulkWorkerPayloadResponse],
  [MsgCreateTopic.typeUrl, MsgCreateTopic],
  [MsgCreateTopicResponse.typeUrl, MsgCreateTopicResponse],
];

/**
 * A cosmjs `Registry` with bank `MsgSend` and every message of the network. Pass it to `SigningStargateClient`.
 *
 * @example
 * ```ts
 * const client = await SigningStargateClient.connectWithSigner(rpcUrl, wallet, { registry: createAlloraRegistry() })
 * ```
 */
export function createAlloraRegistry(): Registry {
  return new Registry([["/cosmos.base.v1beta1.Coin", Coin], [TypeUrls.MsgSend, MsgSend], ...alloraRegistryTypes]);
}
