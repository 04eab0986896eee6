/**
 * Which peers are registered on the chain for a topic, by libp2p key, as the chain's
 * `GET /allora/localnet/v1/topics/{id}/workers` lists them. A head that takes any worker (no `--trusted-workers`)
 * marks the answers of peers that are not registered, so a caller can tell a network's workers from strangers. The
 * view is read in the background and never holds up a request: until a topic's list has been read once, nobody is
 * marked.
 */
import { createChainRestClient, errorMessage, type Logger } from "@allora/protocol";

/** How old a topic's list may be before a request reads it again (in the background). */
const REFRESH_MS = 5000;

/** The view. */
export interface RegistrationView {
  /** Of `peers`, those not registered on `topicId`; undefined while the topic's list is not known yet. */
  unregistered(topicId: bigint, peers: readonly string[]): string[] | undefined;
}

/** Creates the view over the chain's REST face. */
export function createRegistrationView(options: { rest: string; logger: Logger }): RegistrationView {
  const chain = createChainRestClient(options.rest, { timeoutMs: 3000 });
  const topics = new Map<string, { keys: Set<string>; readAt: number }>();
  const reading = new Set<string>();

  const read = (topic: string) => {
    if (reading.has(topic)) return;
    reading.add(topic);
    chain
      .topicWorkers(topic)
      .then((workers) => topics.set(topic, { keys: new Set(workers.map((w) => w.lib_p2p_key)), readAt: Date.now() }))
      .catch((err) =>
        options.logger.warn(
          { code: "REGISTRATIONS_UNREADABLE", topic },
          `cannot read topic ${topic}'s registrations: ${errorMessage(err)}`,
        ),
      )
      .finally(() => reading.delete(topic));
  };

  return {
    unregistered(topicId, peers) {
      const topic = topicId.toString();
      const known = topics.get(topic);
      if (!known || Date.now() - known.readAt > REFRESH_MS) read(topic);
      if (!known) return undefined;
      const missing = peers.filter((p) => !known.keys.has(p));
      // A peer missing from a list read a while ago may have registered since: read again soon.
      if (missing.length > 0 && Date.now() - known.readAt > 1000) read(topic);
      return missing;
    },
  };
}
