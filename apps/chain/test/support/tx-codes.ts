/**
 * Reads the code of a tx that failed either at CheckTx (cosmjs throws BroadcastTxError) or in its block (cosmjs
 * returns a DeliverTxResponse with a non-zero code).
 */
import { BroadcastTxError, type DeliverTxResponse } from "@cosmjs/stargate";
import { postJson } from "./http.js";

export interface TxOutcome {
  code: number;
  codespace: string;
  log: string;
}

export async function outcomeOf(rpcUrl: string, run: () => Promise<DeliverTxResponse>): Promise<TxOutcome> {
  try {
    const res = await run();
    if (res.code === 0) return { code: 0, codespace: "", log: res.rawLog ?? "" };
    const { body } = await postJson<{ result: { tx_result: { codespace: string } } }>(rpcUrl, {
      jsonrpc: "2.0",
      id: 1,
      method: "tx",
      params: { hash: Buffer.from(res.transactionHash, "hex").toString("base64") },
    });
    return { code: res.code, codespace: body.result.tx_result.codespace, log: res.rawLog ?? "" };
  } catch (err) {
    if (err instanceof BroadcastTxError) return { code: err.code, codespace: err.codespace, log: err.log ?? "" };
    throw err;
  }
}
