/**
 * `POST /api/v1/functions/install`: announces a package to the workers of a topic (or of every topic), so they
 * install it ahead of a request. An install naming a `uri` is refused unless the operator allows that URL prefix
 * (`--allow-install-from`): the head never makes workers fetch from wherever a caller says. A function id the head
 * neither serves nor installed is never executed (see {@link FunctionInstalls.isExecutable}).
 */
import type { P2pHost } from "@allora/p2p";
import { AlloraError, encodeP2pMessage, type InstallRequest, parseTopicId, workerTopicName } from "@allora/protocol";
import type { WorkerSessions } from "../network/worker-sessions.js";
import type { FunctionCatalog } from "./function-catalog.js";

/** Options of {@link createFunctionInstalls}. */
export interface FunctionInstallsOptions {
  host: P2pHost;
  sessions: WorkerSessions;
  catalog: FunctionCatalog;
  /** URL prefixes a `uri` may start with. */
  allowInstallFrom: readonly string[];
}

/** The head's installs. */
export interface FunctionInstalls {
  install(request: InstallRequest): Promise<{ code: "200"; message: string }>;
  /** Whether the head may ask workers to run `cid`: it serves it, or it was installed through this head. */
  isExecutable(cid: string): boolean;
}

/** Creates the install service. */
export function createFunctionInstalls(options: FunctionInstallsOptions): FunctionInstalls {
  const { host, sessions, catalog } = options;
  const installed = new Set<string>();

  return {
    isExecutable: (cid) => catalog.get(cid) !== undefined || installed.has(cid),
    async install(request) {
      if (!request.cid) {
        throw new AlloraError(
          request.uri ? "INSTALL_CID_REQUIRED" : "REQUEST_INVALID",
          request.uri
            ? "an install by uri needs the package's cid too, so workers can verify what they download"
            : "give the cid of the function package to install",
        );
      }
      if (request.uri && !options.allowInstallFrom.some((prefix) => request.uri?.startsWith(prefix))) {
        throw new AlloraError(
          "INSTALL_URI_NOT_ALLOWED",
          options.allowInstallFrom.length === 0
            ? `this head installs nothing from a uri: its operator can allow a URL prefix with --allow-install-from (asked: ${request.uri})`
            : `${request.uri} is not under an allowed prefix (${options.allowInstallFrom.join(", ")}); the head's operator sets them with --allow-install-from`,
        );
      }
      const cid = catalog.resolve(request.cid);
      installed.add(cid);
      const topic = request.subgroup ? workerTopicName(parseTopicId(request.subgroup)) : undefined;
      const targets = topic ? [topic] : [...new Set(sessions.all().flatMap((s) => s.hello?.topics ?? []))];
      let recipients = 0;
      for (const t of targets) {
        const result = await host.services.pubsub.publish(
          t,
          encodeP2pMessage({
            type: "MsgInstallFunction",
            origin: host.peerId.toString(),
            cid,
            ...(request.uri ? { uri: request.uri } : {}),
          }),
        );
        recipients += result.recipients.length;
      }
      return {
        code: "200",
        message: `install of ${cid} announced on ${targets.join(", ") || "no topic"} to ${recipients} peers; each runs it only if its operator allows that function`,
      };
    },
  };
}
