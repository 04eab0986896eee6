/**
 * `/allora.localnet.v1.MsgCreateTopic`: anyone may create a topic; its first round opens at the end of the block.
 */
import { MsgCreateTopic, MsgCreateTopicResponse } from "@allora/protocol";
import { ChainError } from "../errors.js";
import { checkTopicFields } from "../topics/topic-rules.js";
import { assertSigner, type MsgContext, type MsgOutcome, messageEvent, msgEvent, packResponse } from "./msg-context.js";

export function handleMsgCreateTopic(msg: MsgCreateTopic, ctx: MsgContext): MsgOutcome {
  assertSigner("creator", msg.creator, ctx);
  const fields = {
    metadata: msg.metadata,
    inferenceLogic: msg.inferenceLogic,
    inferenceMethod: msg.inferenceMethod,
    inferenceCadence: msg.inferenceCadence,
    defaultArg: msg.defaultArg,
    lossMethod: msg.lossMethod || "mse",
    groundTruthLag: msg.groundTruthLag,
    submissionWindow: msg.submissionWindow,
  };
  const problems = checkTopicFields(fields);
  if (problems.length > 0) throw new ChainError("TOPIC_INVALID", problems.join("; "));
  const topic = ctx.state.addTopic(fields, msg.creator, ctx.height);
  return {
    events: [
      messageEvent(MsgCreateTopic.typeUrl, "emissions", ctx),
      msgEvent(
        "topic_created",
        [
          ["topic_id", topic.id.toString()],
          ["creator", msg.creator],
        ],
        ctx,
      ),
    ],
    response: packResponse(MsgCreateTopicResponse, { topicId: topic.id }),
  };
}
