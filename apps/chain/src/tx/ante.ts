/**
 * The ante checks every tx passes before its messages run, in the chain's order: the signer's account exists,
 * the timeout height has not passed, the sequence is the next one, (the signature, checked asynchronously by the
 * caller), then the gas limit (it must cover the gas the tx uses) and the fee (at least `tx_fee_min`). Passing them charges the fee, records the signer's pubkey and bumps its sequence; those
 * effects stay even when a message fails later, as in Cosmos.
 */
import { DENOM } from "@allora/protocol";
import { toBase64 } from "@cosmjs/encoding";
import { ChainError } from "../errors.js";
import type { ChainParams } from "../genesis/params.js";
import { MODULE_ACCOUNTS } from "../state/address.js";
import type { Account, ChainState } from "../state/chain-state.js";
import { type AbciEvent, makeEvent, transferEvents } from "./abci-event.js";
import type { ChainTx } from "./chain-tx.js";

/** Where and how a tx is being checked. */
export interface AnteContext {
  /** Height of the block the tx goes into. */
  height: bigint;
  params: ChainParams;
  /** Txs of the same signer already waiting in the mempool (CheckTx expects a sequence past them). */
  pendingFromSigner: number;
  /** Simulation: no fee is charged or required (cosmjs simulates with an empty fee) and any sequence goes. */
  simulate: boolean;
  /**
   * Replay of a logged tx: the fee it paid is charged again, but the admission rules (minimum fee, gas limit) are
   * not checked a second time, so a chain whose rules grew stricter still rebuilds the state it acknowledged.
   */
  replay?: boolean;
  /** Gas the tx uses, checked against its gas limit on admission. */
  gasUsed: bigint;
}

/** The account of the signer, or `ACCOUNT_NOT_FOUND`. */
function signerAccount(state: ChainState, tx: ChainTx): Account {
  const account = state.account(tx.decoded.signer);
  if (!account) {
    throw new ChainError(
      "ACCOUNT_NOT_FOUND",
      `account ${tx.decoded.signer} not found; it exists once it has received funds`,
    );
  }
  return account;
}

/** Account, timeout and sequence: the checks before the signature. */
export function checkSequence(
  state: ChainState,
  tx: ChainTx,
  ctx: Pick<AnteContext, "height" | "pendingFromSigner" | "simulate">,
): Account {
  const account = signerAccount(state, tx);
  const timeout = tx.decoded.timeoutHeight;
  if (timeout > 0n && ctx.height > timeout) {
    throw new ChainError("TX_TIMEOUT_HEIGHT", `block height: ${ctx.height}, timeout height: ${timeout}`);
  }
  const expected = account.sequence + BigInt(ctx.pendingFromSigner);
  // Simulation skips the sequence: cosmjs simulates with the committed sequence even while txs are pending.
  if (!ctx.simulate && tx.decoded.sequence !== expected) {
    throw new ChainError(
      "SEQUENCE_MISMATCH",
      `account sequence mismatch, expected ${expected}, got ${tx.decoded.sequence}`,
    );
  }
  return account;
}

/** The fee in uallo, or `INSUFFICIENT_FEE` when it is short or in another denom. */
function feeOf(tx: ChainTx, params: ChainParams, replay: boolean): bigint {
  let paid = 0n;
  for (const coin of tx.decoded.fee.amount) {
    if (coin.denom !== DENOM) {
      throw new ChainError("INSUFFICIENT_FEE", `fees are paid in ${DENOM} only; got: ${coin.amount}${coin.denom}`);
    }
    if (!/^\d+$/.test(coin.amount))
      throw new ChainError("INVALID_COINS", `fee amount "${coin.amount}" is not an integer`);
    paid += BigInt(coin.amount);
  }
  if (!replay && paid < params.txFeeMin) {
    throw new ChainError(
      "INSUFFICIENT_FEE",
      `insufficient fee; got: ${paid}${DENOM} required: ${params.txFeeMin}${DENOM}`,
    );
  }
  return paid;
}

/** Runs every ante check (the signature excepted) and applies the ante effects; returns the tx-level events. */
export function runAnte(state: ChainState, tx: ChainTx, ctx: AnteContext): AbciEvent[] {
  const account = checkSequence(state, tx, ctx);
  const signer = account.address;
  if (!ctx.simulate && !ctx.replay && tx.decoded.fee.gasLimit < ctx.gasUsed) {
    throw new ChainError("OUT_OF_GAS", `out of gas; gasWanted: ${tx.decoded.fee.gasLimit}, gasUsed: ${ctx.gasUsed}`);
  }
  const fee = ctx.simulate ? 0n : feeOf(tx, ctx.params, ctx.replay === true);
  const events: AbciEvent[] = [];
  if (fee > 0n) {
    state.transfer(
      signer,
      MODULE_ACCOUNTS.feeCollector,
      DENOM,
      fee,
      "insufficient funds to pay the fee: spendable balance",
    );
    events.push(...transferEvents(signer, MODULE_ACCOUNTS.feeCollector, `${fee}${DENOM}`));
  }
  events.push(
    makeEvent("tx", [
      ["fee", fee > 0n ? `${fee}${DENOM}` : ""],
      ["fee_payer", signer],
    ]),
    makeEvent("tx", [["acc_seq", `${signer}/${tx.decoded.sequence}`]]),
    makeEvent("tx", [["signature", toBase64(tx.decoded.signature)]]),
  );
  state.setPubkey(account, tx.decoded.pubkey);
  state.setSequence(account, account.sequence + 1n);
  return events;
}
