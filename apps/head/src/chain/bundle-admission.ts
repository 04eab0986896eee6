/**
 * Which of a round's bundles go into its transaction: those that decode, verify, belong to this round and whose
 * worker is registered on the topic. A bundle the chain would refuse makes it refuse the whole transaction, so each
 * such bundle is dropped first, with the reason logged.
 */
import {
  type ChainRestClient,
  errorMessage,
  type Logger,
  verifyWorkerBundle,
  WorkerDataBundle,
} from "@allora/protocol";
import type { RoundBundles } from "../execution/collect.js";

/** Whether a worker is registered on a topic; true when it cannot be told (the chain then judges the bundle). */
export type RegistrationCheck = (topicId: bigint, worker: string) => Promise<boolean>;

/** How long a worker found registered is believed to stay so. */
const REGISTERED_TTL_MS = 60_000;

/**
 * The registration check over the chain's REST face (`undefined`: every worker passes, the chain judges). A
 * registration found is remembered for a minute; a REST face that does not answer lets the bundle through.
 */
export function createRegistrationCheck(chain: Pick<ChainRestClient, "isRegistered"> | undefined): RegistrationCheck {
  const registeredUntil = new Map<string, number>();
  return async (topicId, worker) => {
    if (!chain) return true;
    const key = `${topicId}/${worker}`;
    if ((registeredUntil.get(key) ?? 0) > Date.now()) return true;
    let registered: boolean;
    try {
      registered = await chain.isRegistered(topicId, worker);
    } catch {
      return true; // the chain's REST face is down: let the chain itself judge the bundle
    }
    if (registered) registeredUntil.set(key, Date.now() + REGISTERED_TTL_MS);
    return registered;
  };
}

/** The round's bundles that may go into its transaction, decoded. */
export async function admissibleBundles(
  round: RoundBundles,
  isRegistered: RegistrationCheck,
  logger: Logger,
): Promise<WorkerDataBundle[]> {
  const out: WorkerDataBundle[] = [];
  for (const { peer, bundle } of round.bundles) {
    const decoded = await decodeBundle(bundle, peer, logger);
    if (!decoded) continue;
    if (decoded.topicId !== round.topicId || decoded.nonce?.blockHeight !== round.nonce) {
      logger.warn({ code: "BUNDLE_FIELD_MISMATCH", peer }, "dropping bundle for another round");
      continue;
    }
    if (!(await isRegistered(round.topicId, decoded.worker))) {
      logger.warn(
        { code: "WORKER_NOT_REGISTERED", peer, worker: decoded.worker },
        "dropping bundle of a worker not registered on the topic",
      );
      continue;
    }
    out.push(decoded);
  }
  return out;
}

/** A base64 bundle decoded and its signature verified; undefined (logged) when it is not a valid one. */
async function decodeBundle(bundle: string, peer: string, logger: Logger): Promise<WorkerDataBundle | undefined> {
  try {
    const decoded = WorkerDataBundle.decode(Buffer.from(bundle, "base64"));
    await verifyWorkerBundle(decoded);
    return decoded;
  } catch (err) {
    logger.warn(
      { code: (err as { code?: string }).code ?? "BUNDLE_INVALID", peer },
      `dropping bundle: ${errorMessage(err)}`,
    );
    return undefined;
  }
}
