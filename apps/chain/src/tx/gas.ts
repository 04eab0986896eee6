/**
 * Gas: a deterministic estimate from the tx size and its messages. It is reported (gas_used) and returned by the
 * Simulate query, so cosmjs fee "auto" works, and a tx whose gas limit is below it is refused with `OUT_OF_GAS`.
 */
import type { ChainMsg } from "./chain-tx.js";

const BASE_GAS = 50_000n;
const GAS_PER_BYTE = 10n;

function messageGas(m: ChainMsg): bigint {
  switch (m.typeUrl) {
    case "/cosmos.bank.v1beta1.MsgSend":
      return 15_000n;
    case "/emissions.v1.MsgRegister":
    case "/emissions.v1.MsgRemoveRegistration":
      return 25_000n;
    case "/allora.localnet.v1.MsgCreateTopic":
      return 40_000n;
    case "/emissions.v1.MsgInsertBulkWorkerPayload":
      return 20_000n + 10_000n * BigInt(m.msg.workerDataBundles.length);
  }
}

/** Gas a tx of `txBytes` bytes with these messages uses. Simulation adds room for the missing signature. */
export function estimateGas(txBytes: number, messages: readonly ChainMsg[], simulate = false): bigint {
  const size = BigInt(txBytes + (simulate ? 64 : 0));
  return messages.reduce((sum, m) => sum + messageGas(m), BASE_GAS + GAS_PER_BYTE * size);
}
