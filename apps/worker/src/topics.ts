/**
 * A worker topic as the network writes it: its chain id (`1`) or its gossip name (`allora-topic-1-worker`). The
 * worker reads every topic it is given (its `--topics`, a roll call's, an execute's, a chain round's) through this
 * one function, so the id a request carries is decided once.
 */

const TOPIC = /^(?:allora-topic-(\d{1,20})-worker|(\d{1,20}))$/;

/** The topic id of `value` (a topic id or a worker topic name); undefined when it is neither. */
export function topicIdOf(value: string): bigint | undefined {
  const m = TOPIC.exec(value);
  const digits = m?.[1] ?? m?.[2];
  return digits === undefined ? undefined : BigInt(digits);
}
