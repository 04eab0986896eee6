/**
 * The dashboard node: one composition root that builds the collector (chain, head and workers), the request proxy
 * and the HTTP app, listens, and stops them in reverse order.
 */
import { fileURLToPath } from "node:url";
import type { Logger } from "@allora/protocol";
import type { ConfigOf } from "@allora/service";
import { httpLimitsOf, limitHttpServer } from "@allora/service";
import { createNetworkCollector, type KnownWorker } from "./collector/network-collector.js";
import type { dashboardConfig } from "./config.js";
import { buildDashboardApp } from "./server/app.js";
import { loadPageFiles } from "./server/page-files.js";
import { createRequestProxy } from "./server/request-proxy.js";

/** The dashboard's config. */
export type DashboardConfig = ConfigOf<typeof dashboardConfig>;

/** A started dashboard. */
export interface DashboardNode {
  /** `http://host:port` it listens on. */
  readonly url: string;
  stop(): Promise<void>;
}

/** The built page, beside the compiled server (dist/page). */
const PAGE_DIR: string = fileURLToPath(new URL("./page", import.meta.url));

/** `name=url` list items as a map. */
function namedUrls(items: readonly string[]): Map<string, string> {
  return new Map(items.map((item) => [item.slice(0, item.indexOf("=")), item.slice(item.indexOf("=") + 1)]));
}

/** Starts the dashboard. */
export async function startDashboardNode(
  config: DashboardConfig,
  deps: { logger: Logger; version: string; pageDir?: string },
): Promise<DashboardNode> {
  const { logger, version } = deps;
  const page = await loadPageFiles(deps.pageDir ?? PAGE_DIR);
  const statusUrls = namedUrls(config.workers);
  const inferenceUrls = namedUrls(config.inferenceServers);
  const workers: KnownWorker[] = [...new Set([...statusUrls.keys(), ...inferenceUrls.keys()])].map((name) => ({
    name,
    ...(statusUrls.has(name) ? { statusUrl: statusUrls.get(name) as string } : {}),
    ...(inferenceUrls.has(name) ? { inferenceUrl: inferenceUrls.get(name) as string } : {}),
  }));
  const collector = createNetworkCollector({
    chainRest: config.chainRest,
    headUrl: config.headUrl,
    workers,
    history: config.history,
    pollMs: config.pollMs,
    version,
    logger: logger.child({ module: "collector" }),
  });
  const allowedHosts = [...config.allowedHosts];
  if (!["0.0.0.0", "::"].includes(config.host))
    allowedHosts.push(config.host.includes(":") ? `[${config.host}]` : config.host);
  const app = buildDashboardApp({
    collector,
    proxy: createRequestProxy(config.headUrl),
    page,
    logger: logger.child({ module: "http" }),
    version,
    allowedHosts,
    requestRate: config.requestRate,
    maxStreams: config.maxStreams,
  });
  limitHttpServer(app.server, httpLimitsOf(config));
  collector.start();
  let address: string;
  try {
    address = await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    await collector.stop();
    throw err;
  }
  const port = (app.server.address() as { port: number }).port;
  const shown = ["0.0.0.0", "::", "127.0.0.1"].includes(config.host) ? "localhost" : config.host;
  logger.info(
    { url: address, chainRest: config.chainRest, headUrl: config.headUrl, workers: workers.map((w) => w.name) },
    `dashboard at http://${shown}:${port}`,
  );
  return {
    url: `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`,
    async stop() {
      await collector.stop();
      await app.close();
    },
  };
}
