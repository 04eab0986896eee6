/**
 * `/emissions.v1.MsgInsertBulkWorkerPayload`: any sender (normally the head) submits the signed bundles of the
 * workers for one open round. The whole tx is atomic: the first bad bundle fails it, and the log names the
 * worker and the reason so the submitter can drop that bundle and resubmit the rest.
 */
import {
  isAlloraError,
  isPlainDecimal,
  MsgInsertBulkWorkerPayload,
  MsgInsertBulkWorkerPayloadResponse,
} from "@allora/protocol";
import { ChainError, type ChainErrorCode } from "../errors.js";
import { assertSigner, type MsgContext, type MsgOutcome, messageEvent, msgEvent, packResponse } from "./msg-context.js";

/** Maps a bundle verification failure (from `verifyWorkerBundle`) to the chain's code. */
function bundleFailureCode(err: Error): ChainErrorCode {
  if (isAlloraError(err, "DECIMAL_INVALID")) return "INFERENCE_VALUE_INVALID";
  if (isAlloraError(err, "BUNDLE_FIELD_MISMATCH")) return "BUNDLE_MISMATCH";
  return "BUNDLE_INVALID";
}

export function handleMsgInsertBulkWorkerPayload(msg: MsgInsertBulkWorkerPayload, ctx: MsgContext): MsgOutcome {
  assertSigner("sender", msg.sender, ctx);
  const { state } = ctx;
  const topicId = msg.topicId;
  if (!state.topic(topicId)) throw new ChainError("TOPIC_NOT_FOUND", `topic ${topicId}`);
  if (!msg.nonce) throw new ChainError("BULK_PAYLOAD_INVALID", "nonce is required (the round's block height)");
  const nonce = msg.nonce.blockHeight;
  if (msg.workerDataBundles.length === 0) throw new ChainError("BULK_PAYLOAD_INVALID", "worker_data_bundles is empty");
  const round = state.round(topicId, nonce);
  if (!round)
    throw new ChainError("UNFULFILLED_NONCE_NOT_FOUND", `no round of topic ${topicId} opened at nonce ${nonce}`);
  if (round.status !== "open" || ctx.timeMs >= round.closesAtMs) {
    throw new ChainError(
      "WINDOW_NOT_AVAILABLE",
      `round ${nonce} of topic ${topicId} closed at ${new Date(round.closesAtMs).toISOString()}`,
    );
  }

  const events = [messageEvent(MsgInsertBulkWorkerPayload.typeUrl, "emissions", ctx)];
  msg.workerDataBundles.forEach((bundle, k) => {
    const who = `worker ${bundle.worker || "(empty)"} (bundle ${k})`;
    const verification = ctx.bundleErrors?.[k];
    if (verification) throw new ChainError(bundleFailureCode(verification), `${who}: ${verification.message}`);
    if (bundle.topicId !== topicId || bundle.nonce?.blockHeight !== nonce) {
      throw new ChainError(
        "BUNDLE_MISMATCH",
        `${who}: bundle is for topic ${bundle.topicId} nonce ${bundle.nonce?.blockHeight ?? "(none)"}, the message for topic ${topicId} nonce ${nonce}`,
      );
    }
    const inference = bundle.inferenceForecastsBundle?.inference;
    if (!inference)
      throw new ChainError("BUNDLE_INVALID", `${who}: bundle carries no inference (forecasts are not supported)`);
    if (!state.isRegistered(topicId, bundle.worker)) {
      throw new ChainError("ADDRESS_NOT_REGISTERED", `${who} on topic ${topicId}`);
    }
    if (round.inferences.has(bundle.worker)) {
      throw new ChainError("INFERENCE_ALREADY_SUBMITTED", `${who} topic ${topicId} nonce ${nonce}`);
    }
    if (!isPlainDecimal(inference.value) || !Number.isFinite(Number(inference.value))) {
      throw new ChainError(
        "INFERENCE_VALUE_INVALID",
        `${who}: value ${JSON.stringify(inference.value)} is not a plain decimal`,
      );
    }
    state.addInference(round, {
      worker: bundle.worker,
      value: inference.value,
      height: ctx.height,
      txHash: ctx.txHash,
    });
    events.push(
      msgEvent(
        "inference_stored",
        [
          ["topic_id", topicId.toString()],
          ["nonce", nonce.toString()],
          ["worker", bundle.worker],
          ["value", inference.value],
        ],
        ctx,
      ),
    );
  });
  return {
    events,
    response: packResponse(MsgInsertBulkWorkerPayloadResponse, {}),
  };
}
