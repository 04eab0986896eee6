/**
 * `/emissions.v1.MsgRemoveRegistration`: a worker leaves a topic (the registration fee is not refunded).
 */
import { MsgRemoveRegistration, MsgRemoveRegistrationResponse } from "@allora/protocol";
import { ChainError } from "../errors.js";
import { assertSigner, type MsgContext, type MsgOutcome, messageEvent, msgEvent, packResponse } from "./msg-context.js";

export function handleMsgRemoveRegistration(msg: MsgRemoveRegistration, ctx: MsgContext): MsgOutcome {
  assertSigner("sender", msg.sender, ctx);
  if (msg.isReputer) throw new ChainError("REGISTRATION_INVALID", "reputers are not supported by this chain");
  if (!ctx.state.topic(msg.topicId)) throw new ChainError("TOPIC_NOT_FOUND", `topic ${msg.topicId}`);
  if (!ctx.state.isRegistered(msg.topicId, msg.sender)) {
    throw new ChainError("ADDRESS_NOT_REGISTERED", `worker ${msg.sender} on topic ${msg.topicId}`);
  }
  ctx.state.unregister(msg.topicId, msg.sender);
  return {
    events: [
      messageEvent(MsgRemoveRegistration.typeUrl, "emissions", ctx),
      msgEvent(
        "worker_unregistered",
        [
          ["topic_id", msg.topicId.toString()],
          ["worker", msg.sender],
        ],
        ctx,
      ),
    ],
    response: packResponse(MsgRemoveRegistrationResponse, { success: true, message: "Node successfully removed" }),
  };
}
