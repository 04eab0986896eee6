/**
 * libp2p protocol ids and gossipsub topic names of the network.
 */
import { AlloraError } from "../errors.js";

/**
 * The long-lived, worker-opened channel between a worker and a head: length-prefixed JSON frames in both directions
 * (hello, roll-call answers, executes and their results, install answers).
 */
export const SESSION_PROTOCOL = "/allora/session/1.0.0";

/** Fetch a function package by CID: one JSON request frame, one JSON header frame, then the raw bytes. */
export const FUNCTION_FETCH_PROTOCOL = "/allora/function/1.0.0";

/** Largest control message on the session channel or in gossip, in bytes. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

/** Largest function package a node transfers, in bytes. */
export const MAX_FUNCTION_PACKAGE_BYTES = 16 * 1024 * 1024;

/** Prefix of every worker topic name. */
const TOPIC_PREFIX = "allora-topic-";

/**
 * The gossipsub topic on which roll calls for a chain topic are published: `allora-topic-<id>-worker`.
 *
 * @example
 * ```ts
 * workerTopicName(1) // "allora-topic-1-worker"
 * ```
 */
export function workerTopicName(topicId: number | bigint | string): string {
  return `${TOPIC_PREFIX}${String(topicId)}-worker`;
}

/**
 * Parses the REST `topic` field (a chain topic id such as `"1"`) into its numeric id. Reputer topics
 * (`"1/reputer"`) and names such as `"allora-topic-1-worker"` are rejected with an explanation.
 */
export function parseTopicId(topic: string): bigint {
  const trimmed = topic.trim();
  if (/\/reputer$/.test(trimmed)) {
    throw new AlloraError(
      "TOPIC_REPUTER_UNSUPPORTED",
      `topic "${topic}" is a reputer topic; this network runs workers only, send the topic id (e.g. "1")`,
    );
  }
  const named = /^allora-topic-(\d+)-worker$/.exec(trimmed);
  if (named) {
    throw new AlloraError(
      "TOPIC_INVALID",
      `topic "${topic}" is a gossip topic name; the REST API takes the topic id itself: "${named[1]}"`,
    );
  }
  if (!/^[1-9]\d{0,18}$/.test(trimmed)) {
    throw new AlloraError("TOPIC_INVALID", `topic "${topic}" is not a topic id; use a positive integer such as "1"`);
  }
  return BigInt(trimmed);
}

/** The chain topic id of a worker topic name, or undefined when `name` is not one. */
export function topicIdFromName(name: string): bigint | undefined {
  const m = /^allora-topic-([1-9]\d{0,18})-worker$/.exec(name);
  return m ? BigInt(m[1] as string) : undefined;
}
