/**
 * What a topic must satisfy, shared by genesis and MsgCreateTopic so both accept exactly the same topics.
 *
 * The ground-truth lag must be at least the submission window: the price feed serves the past, so a truth that
 * became the past while the round still accepted inferences could simply be copied from the feed.
 */

/** Longest cadence or lag, in seconds (30 days). */
const MAX_TOPIC_SECONDS = 2_592_000;
/** Loss methods the chain can score. */
const LOSS_METHODS = ["mse"] as const;
/** A market token symbol: the topic's default_arg names the token whose price is the truth. */
export const TOKEN_PATTERN = /^[A-Za-z0-9]{1,16}$/;

/** The fields of a topic that rules apply to. */
export interface TopicFields {
  metadata: string;
  inferenceLogic: string;
  inferenceMethod: string;
  inferenceCadence: bigint;
  defaultArg: string;
  lossMethod: string;
  groundTruthLag: bigint;
  submissionWindow: bigint;
}

/** Every rule the fields break, one line each naming the proto field; empty when the topic is valid. */
export function checkTopicFields(topic: TopicFields): string[] {
  const problems: string[] = [];
  const max = BigInt(MAX_TOPIC_SECONDS);
  if (topic.metadata.length > 255) problems.push("metadata is longer than 255 characters");
  if (topic.inferenceLogic.trim() === "" || topic.inferenceLogic.length > 255) {
    problems.push("inference_logic must be 1 to 255 characters (the function id the head runs)");
  }
  if (topic.inferenceMethod.trim() === "" || topic.inferenceMethod.length > 255) {
    problems.push("inference_method must be 1 to 255 characters");
  }
  if (topic.inferenceCadence < 1n || topic.inferenceCadence > max) {
    problems.push(`inference_cadence must be 1 to ${MAX_TOPIC_SECONDS} seconds, got ${topic.inferenceCadence}`);
  }
  if (!TOKEN_PATTERN.test(topic.defaultArg)) {
    problems.push(
      `default_arg must be a token symbol of 1 to 16 letters or digits (e.g. ETH), got "${topic.defaultArg}"`,
    );
  }
  if (!(LOSS_METHODS as readonly string[]).includes(topic.lossMethod)) {
    problems.push(`loss_method must be one of ${LOSS_METHODS.join(", ")}, got "${topic.lossMethod}"`);
  }
  if (topic.submissionWindow < 1n || topic.submissionWindow > topic.inferenceCadence) {
    problems.push(
      `submission_window must be 1 to inference_cadence (${topic.inferenceCadence}) seconds, got ${topic.submissionWindow}`,
    );
  }
  if (topic.groundTruthLag < topic.submissionWindow || topic.groundTruthLag > max) {
    problems.push(
      `ground_truth_lag must be from submission_window (${topic.submissionWindow}) to ${MAX_TOPIC_SECONDS} seconds, got ${topic.groundTruthLag}`,
    );
  }
  return problems;
}
