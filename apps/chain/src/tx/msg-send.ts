/**
 * `/cosmos.bank.v1beta1.MsgSend`: moves coins from the signer to any address (the faucet and ordinary wallets).
 */
import { type MsgSend, MsgSendResponse } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { ChainError } from "../errors.js";
import { isAccountAddress } from "../state/address.js";
import { transferEvents } from "./abci-event.js";
import { assertSigner, type MsgContext, type MsgOutcome, messageEvent } from "./msg-context.js";

const DENOM_PATTERN = /^[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$/;

export function handleMsgSend(msg: MsgSend, ctx: MsgContext): MsgOutcome {
  assertSigner("from_address", msg.fromAddress, ctx);
  if (!isAccountAddress(msg.toAddress)) {
    throw new ChainError("INVALID_ADDRESS", `to_address "${msg.toAddress}" is not an allo1… address`);
  }
  if (msg.amount.length === 0) throw new ChainError("INVALID_COINS", "amount is empty");
  const seen = new Set<string>();
  for (const coin of msg.amount) {
    if (!DENOM_PATTERN.test(coin.denom) || seen.has(coin.denom)) {
      throw new ChainError("INVALID_COINS", `denom "${coin.denom}" is invalid or repeated`);
    }
    seen.add(coin.denom);
    if (!/^\d+$/.test(coin.amount) || BigInt(coin.amount) === 0n) {
      throw new ChainError("INVALID_COINS", `amount "${coin.amount}${coin.denom}" must be a positive integer`);
    }
  }
  for (const coin of msg.amount) {
    ctx.state.transfer(msg.fromAddress, msg.toAddress, coin.denom, BigInt(coin.amount));
  }
  const amount = msg.amount.map((c) => `${BigInt(c.amount)}${c.denom}`).join(",");
  return {
    events: [
      messageEvent("/cosmos.bank.v1beta1.MsgSend", "bank", ctx),
      ...transferEvents(msg.fromAddress, msg.toAddress, amount, ctx.msgIndex),
    ],
    response: {
      typeUrl: "/cosmos.bank.v1beta1.MsgSendResponse",
      value: MsgSendResponse.encode(MsgSendResponse.fromPartial({})).finish(),
    },
  };
}
