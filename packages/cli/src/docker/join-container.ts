/**
 * `allocmd run --join`: this project's worker alone, as a container built from its generated Dockerfile, joining a
 * network that already runs on this machine (e.g. `pnpm dev`: head p2p on 9010, chain RPC 26657 and REST 1317).
 *
 * How the container reaches the host's network:
 * - `host` mode (default on Linux): the container shares the host's network stack, so `127.0.0.1:9010` in the
 *   container IS the host's head. No address rewriting, nothing published. The worker's own ports must be free on
 *   the host, so allocmd picks free ones when config.yaml's (9011/2112, also `pnpm dev`'s first worker) are taken.
 * - `bridge` mode (default on macOS and Windows, where Docker runs in a VM and host networking does not reach the
 *   host): the container is on Docker's bridge and reaches the host as `host.docker.internal` (Docker Desktop
 *   provides it; on Linux allocmd maps it to the bridge gateway with `--add-host host.docker.internal:host-gateway`).
 *   Loopback hosts in the join address and URLs are rewritten to it; the network's services must listen on all
 *   interfaces (`pnpm dev`'s do).
 */
import { createServer } from "node:net";
import { join } from "node:path";
import type { ProjectConfig } from "../config/schema.js";
import {
  DATA_IN_CONTAINER,
  KEYS_IN_CONTAINER,
  MNEMONIC_IN_CONTAINER,
  workerEnvironment,
} from "../scaffold/compose-worker.js";
import { bootNodeHostPort } from "../validate.js";

/** How the join container is networked. */
export type JoinNetworkMode = "host" | "bridge";

/** The name of a project's join container. */
export function joinContainerName(config: ProjectConfig): string {
  return `allocmd-${config.name}-join`;
}

/** The worker's state folder for `run --join`. */
export const JOIN_STATE_DIR = "state/join";

/** The default mode for this platform. */
export function defaultJoinMode(platform: NodeJS.Platform = process.platform): JoinNetworkMode {
  return platform === "linux" ? "host" : "bridge";
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "0.0.0.0", "::1", "[::1]"]);
/** The host name containers on the bridge use for the host. */
const HOST_ALIAS = "host.docker.internal";

/** A join address as the container must dial it. */
export function containerBootNode(multiaddr: string, mode: JoinNetworkMode): string {
  if (mode === "host") return multiaddr;
  const { host, port, rest } = bootNodeHostPort(multiaddr);
  return LOOPBACK.has(host) ? `/dns4/${HOST_ALIAS}/tcp/${port}${rest}` : multiaddr;
}

/** A URL as the container must call it. */
export function containerUrl(url: string, mode: JoinNetworkMode): string {
  if (mode === "host") return url;
  const u = new URL(url);
  if (LOOPBACK.has(u.hostname)) u.hostname = HOST_ALIAS;
  return u.toString().replace(/\/$/, "");
}

/** True when `port` can be bound on all interfaces right now. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host: "0.0.0.0", exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** `preferred` when free, else a port the OS picks. */
export async function pickPort(preferred: number, avoid: readonly number[] = []): Promise<number> {
  if (!avoid.includes(preferred) && (await isPortFree(preferred))) return preferred;
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once("error", reject);
      server.listen({ port: 0, host: "0.0.0.0" }, () => {
        const p = (server.address() as { port: number }).port;
        server.close(() => resolve(p));
      });
    });
    if (!avoid.includes(port)) return port;
  }
}

/** What the join container needs to know about the network. */
export interface JoinPlan {
  mode: JoinNetworkMode;
  bootNode: string;
  chainRpc?: string;
  chainRest?: string;
  faucetUrl?: string;
  inferenceUrl: string;
  p2pPort: number;
  httpPort: number;
  image: string;
  user: { uid: number; gid: number };
}

/** The `docker run` arguments of the join container. */
export function joinRunArgs(config: ProjectConfig, dir: string, plan: JoinPlan): string[] {
  const env = workerEnvironment(
    { ...config, worker: { ...config.worker, p2p_port: plan.p2pPort, http_port: plan.httpPort } },
    {
      bootNodes: [containerBootNode(plan.bootNode, plan.mode)],
      chainId: config.dev.chain_id,
      ...(plan.chainRpc ? { chainRpc: containerUrl(plan.chainRpc, plan.mode) } : {}),
      ...(plan.chainRest ? { chainRest: containerUrl(plan.chainRest, plan.mode) } : {}),
      ...(plan.faucetUrl ? { faucetUrl: containerUrl(plan.faucetUrl, plan.mode) } : {}),
      inferenceUrl: containerUrl(plan.inferenceUrl, plan.mode),
    },
    { keys: KEYS_IN_CONTAINER, data: DATA_IN_CONTAINER, mnemonic: MNEMONIC_IN_CONTAINER },
  );
  const args = [
    "run",
    "--detach",
    "--name",
    joinContainerName(config),
    "--init",
    "--restart",
    "unless-stopped",
    "--label",
    `allocmd.project=${config.name}`,
    "--user",
    `${plan.user.uid}:${plan.user.gid}`,
    "--volume",
    `${join(dir, config.worker.keys)}:${KEYS_IN_CONTAINER}:ro`,
    "--volume",
    `${join(dir, config.worker.mnemonic_file)}:${MNEMONIC_IN_CONTAINER}:ro`,
    "--volume",
    `${join(dir, JOIN_STATE_DIR)}:${DATA_IN_CONTAINER}`,
  ];
  if (plan.mode === "host") {
    args.push("--network", "host");
  } else {
    args.push(
      "--network",
      "bridge",
      "--add-host",
      `${HOST_ALIAS}:host-gateway`,
      "--publish",
      `127.0.0.1:${plan.httpPort}:${plan.httpPort}`,
    );
  }
  for (const [k, v] of Object.entries(env)) args.push("--env", `${k}=${v}`);
  args.push(plan.image);
  return args;
}
