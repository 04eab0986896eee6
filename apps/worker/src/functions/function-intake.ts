/**
 * Which packages the worker takes in besides a roll call's: those a head announces it holds (prefetched) and those
 * a head asks it to install on gossip. Both only for functions allowed on a topic the worker serves.
 */
import { fetchFunctionPackage, type P2pHost } from "@allora/p2p";
import { type AlloraError, errorMessage, type Logger, type MsgInstallFunction } from "@allora/protocol";
import type { PeerId } from "@libp2p/interface";
import { peerIdFromString } from "@libp2p/peer-id";
import type { HeadLinks } from "../network/head-links.js";
import type { FunctionPolicy } from "../trust/function-policy.js";
import type { Refuse } from "../trust/refusal-log.js";
import { type FunctionStore, type PackageSource, urlSource } from "./function-store.js";

/** Options of {@link createFunctionIntake}. */
export interface FunctionIntakeOptions {
  host: P2pHost;
  store: FunctionStore;
  policy: Pick<FunctionPolicy, "check">;
  topics: readonly bigint[];
  links: Pick<HeadLinks, "open">;
  refuse: Refuse;
  logger: Logger;
}

/** The intake of packages. */
export interface FunctionIntake {
  /** The head `head` as a package source (over libp2p). */
  headSource(head: string | PeerId): PackageSource;
  /** Installs `functionId` from `head` unless it is installed already. */
  install(functionId: string, head: PeerId): Promise<unknown>;
  /** Prefetches the allowed packages of those `head` holds. */
  prefetch(head: PeerId, cids: readonly string[]): void;
  /** Installs what a head asked for on gossip, and tells it so. */
  installFromGossip(message: MsgInstallFunction, from: PeerId): void;
}

/** Creates the intake. */
export function createFunctionIntake(options: FunctionIntakeOptions): FunctionIntake {
  const { store, logger } = options;

  const headSource = (head: string | PeerId): PackageSource => {
    const peer = typeof head === "string" ? peerIdFromString(head) : head;
    return { describe: `head ${peer.toString()}`, fetch: (cid) => fetchFunctionPackage(options.host, peer, cid) };
  };

  /** Whether `cid` is allowed on any topic this worker serves (for installs, which name no topic). */
  const isAllowedAnywhere = async (cid: string): Promise<boolean> => {
    for (const topic of options.topics) if ((await options.policy.check(topic, cid)).allowed) return true;
    return false;
  };

  const installFromGossip = async (message: MsgInstallFunction, from: PeerId) => {
    if (!(await isAllowedAnywhere(message.cid))) {
      return options.refuse(
        "FUNCTION_NOT_ALLOWED",
        from.toString(),
        `not installing ${message.cid}: it is not the function of a topic this worker serves; allow it with --allow-functions`,
      );
    }
    const head = headSource(from);
    const uri = message.uri;
    await store.ensure(
      message.cid,
      uri
        ? {
            describe: `uri ${uri} or head`,
            fetch: (cid) =>
              urlSource(uri)
                .fetch(cid)
                .catch(() => head.fetch(cid)),
          }
        : head,
    );
    const channel = await options.links.open(from);
    channel.send({ type: "MsgInstallFunctionResponse", code: "202", cid: message.cid, message: "installed" });
  };

  return {
    headSource,
    install: (functionId, head) => store.ensure(functionId, headSource(head)),
    prefetch(head, cids) {
      for (const cid of cids) {
        if (store.get(cid)) continue;
        void isAllowedAnywhere(cid).then((allowed) => {
          if (!allowed) return;
          return store
            .ensure(cid, headSource(head))
            .then(() => undefined)
            .catch((err) =>
              logger.warn({ code: (err as AlloraError).code, cid }, `prefetch failed: ${errorMessage(err)}`),
            );
        });
      }
    },
    installFromGossip(message, from) {
      void installFromGossip(message, from).catch((err) =>
        logger.warn({ code: (err as AlloraError).code, cid: message.cid }, `install failed: ${errorMessage(err)}`),
      );
    },
  };
}
