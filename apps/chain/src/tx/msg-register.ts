/**
 * `/emissions.v1.MsgRegister`: a worker registers on one topic, paying the registration fee. Reputers are not
 * part of this network.
 */
import { DENOM, MsgRegister, MsgRegisterResponse } from "@allora/protocol";
import { ChainError } from "../errors.js";
import { isAccountAddress, MODULE_ACCOUNTS } from "../state/address.js";
import { transferEvents } from "./abci-event.js";
import { assertSigner, type MsgContext, type MsgOutcome, messageEvent, msgEvent, packResponse } from "./msg-context.js";

export function handleMsgRegister(msg: MsgRegister, ctx: MsgContext): MsgOutcome {
  assertSigner("sender", msg.sender, ctx);
  const { state } = ctx;
  if (msg.isReputer) {
    throw new ChainError("REGISTRATION_INVALID", "reputers are not supported by this chain; register as a worker");
  }
  if (!state.topic(msg.topicId)) throw new ChainError("TOPIC_NOT_FOUND", `topic ${msg.topicId}`);
  if (msg.libP2pKey.trim() === "" || msg.libP2pKey.length > 255) {
    throw new ChainError(
      "REGISTRATION_INVALID",
      "lib_p2p_key is required (the worker's libp2p peer id, at most 255 characters)",
    );
  }
  if (msg.multiAddress.length > 255) {
    throw new ChainError("REGISTRATION_INVALID", "multi_address is longer than 255 characters");
  }
  if (msg.owner !== "" && !isAccountAddress(msg.owner)) {
    throw new ChainError("REGISTRATION_INVALID", `owner "${msg.owner}" is not an allo1… address`);
  }
  if (state.isRegistered(msg.topicId, msg.sender)) {
    throw new ChainError("ALREADY_REGISTERED", `worker ${msg.sender} on topic ${msg.topicId}`);
  }
  const fee = ctx.params.registrationFee;
  if (state.balance(msg.sender, DENOM) < fee) {
    throw new ChainError(
      "INSUFFICIENT_FUNDS",
      `${msg.sender} cannot pay the registration fee of ${fee}${DENOM}: balance ${state.balance(msg.sender, DENOM)}${DENOM}`,
    );
  }
  state.transfer(msg.sender, MODULE_ACCOUNTS.ecosystem, DENOM, fee);
  state.register(msg.topicId, {
    address: msg.sender,
    libP2pKey: msg.libP2pKey,
    multiAddress: msg.multiAddress,
    owner: msg.owner || msg.sender,
    registeredAtHeight: ctx.height,
  });
  return {
    events: [
      messageEvent(MsgRegister.typeUrl, "emissions", ctx),
      ...(fee > 0n ? transferEvents(msg.sender, MODULE_ACCOUNTS.ecosystem, `${fee}${DENOM}`, ctx.msgIndex) : []),
      msgEvent(
        "worker_registered",
        [
          ["topic_id", msg.topicId.toString()],
          ["worker", msg.sender],
          ["lib_p2p_key", msg.libP2pKey],
        ],
        ctx,
      ),
    ],
    response: packResponse(MsgRegisterResponse, { success: true, message: "Node successfully registered" }),
  };
}
