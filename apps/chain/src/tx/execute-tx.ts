/**
 * Executing a tx against the state: ante checks and effects, then every message inside one atomic frame. The
 * same function serves CheckTx and simulation (inside a dry run), block execution and replay.
 */
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import { ChainError } from "../errors.js";
import type { ChainParams } from "../genesis/params.js";
import type { ChainState } from "../state/chain-state.js";
import type { AbciEvent } from "./abci-event.js";
import { runAnte } from "./ante.js";
import type { ChainMsg, ChainTx } from "./chain-tx.js";
import { estimateGas } from "./gas.js";
import type { MsgContext, MsgOutcome } from "./msg-context.js";
import { handleMsgCreateTopic } from "./msg-create-topic.js";
import { handleMsgInsertBulkWorkerPayload } from "./msg-insert-bulk-worker-payload.js";
import { handleMsgRegister } from "./msg-register.js";
import { handleMsgRemoveRegistration } from "./msg-remove-registration.js";
import { handleMsgSend } from "./msg-send.js";
import type { TxResult } from "./tx-result.js";

/** How a tx is executed. */
export interface ExecuteContext {
  height: bigint;
  timeMs: number;
  params: ChainParams;
  /** Txs of the signer waiting before this one (CheckTx only). */
  pendingFromSigner: number;
  simulate: boolean;
  /** Bundle verification results per message index; undefined means "verified" (replay of a successful tx). */
  bundleErrors: ReadonlyMap<number, ReadonlyArray<Error | undefined>> | undefined;
  /** Replay of a tx that failed: apply the ante effects only. */
  anteOnly?: boolean;
  /** Replay of a logged tx: admission rules (minimum fee, gas limit) are not checked again. */
  replay?: boolean;
}

function dispatch(m: ChainMsg, ctx: MsgContext): MsgOutcome {
  switch (m.typeUrl) {
    case "/cosmos.bank.v1beta1.MsgSend":
      return handleMsgSend(m.msg, ctx);
    case "/emissions.v1.MsgRegister":
      return handleMsgRegister(m.msg, ctx);
    case "/emissions.v1.MsgRemoveRegistration":
      return handleMsgRemoveRegistration(m.msg, ctx);
    case "/emissions.v1.MsgInsertBulkWorkerPayload":
      return handleMsgInsertBulkWorkerPayload(m.msg, ctx);
    case "/allora.localnet.v1.MsgCreateTopic":
      return handleMsgCreateTopic(m.msg, ctx);
  }
}

class MessageFailure extends Error {
  constructor(
    readonly index: number,
    readonly error: unknown,
  ) {
    super(`message ${index} failed`);
  }
}

function asChainError(err: unknown): ChainError {
  if (err instanceof ChainError) return err;
  return new ChainError("INTERNAL", err instanceof Error ? err.message : String(err), { cause: err });
}

/** Executes a tx and returns its result; never throws for tx-level failures. */
export function executeTx(state: ChainState, tx: ChainTx, ctx: ExecuteContext): TxResult {
  const gasWanted = tx.decoded.fee.gasLimit;
  const gasUsed = estimateGas(tx.bytes.length, tx.messages, ctx.simulate);
  const failed = (err: ChainError, events: AbciEvent[], prefix = ""): TxResult => ({
    ...err.toAbci(prefix),
    data: new Uint8Array(),
    gasWanted,
    gasUsed,
    events,
  });

  let anteEvents: AbciEvent[];
  try {
    anteEvents = state.journal.atomic(() =>
      runAnte(state, tx, {
        height: ctx.height,
        params: ctx.params,
        pendingFromSigner: ctx.pendingFromSigner,
        simulate: ctx.simulate,
        ...(ctx.replay ? { replay: true } : {}),
        gasUsed,
      }),
    );
  } catch (err) {
    return failed(asChainError(err), []);
  }
  if (ctx.anteOnly) {
    return failed(new ChainError("INTERNAL", "replayed failure"), anteEvents);
  }

  try {
    const outcomes = state.journal.atomic(() =>
      tx.messages.map((m, i) => {
        try {
          return dispatch(m, {
            state,
            signer: tx.decoded.signer,
            height: ctx.height,
            timeMs: ctx.timeMs,
            params: ctx.params,
            txHash: tx.hash,
            msgIndex: i,
            bundleErrors: ctx.bundleErrors?.get(i),
          });
        } catch (err) {
          throw new MessageFailure(i, err);
        }
      }),
    );
    const data = TxMsgData.encode(TxMsgData.fromPartial({ msgResponses: outcomes.map((o) => o.response) })).finish();
    return {
      code: 0,
      codespace: "",
      log: "",
      data,
      gasWanted,
      gasUsed,
      events: [...anteEvents, ...outcomes.flatMap((o) => o.events)],
    };
  } catch (err) {
    const failure = err as MessageFailure;
    return failed(
      asChainError(failure.error),
      anteEvents,
      `failed to execute message; message index: ${failure.index}: `,
    );
  }
}
