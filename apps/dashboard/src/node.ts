/**
 * The dashboard node: one composition root that builds the collector (chain, head and workers), the request proxy
 * and the HTTP app; `start` collects and listens, `stop` stops them in reverse order.
 */
import { fileURLToPath } from "node:url";
import { httpLimitsOf, limitHttpServer, type NodeDeps, type StartableNode } from "@allora/service";
import { createNetworkCollector, type KnownWorker } from "./collector/network-collector.js";
import type { DashboardConfig } from "./config.js";
import { buildDashboardApp } from "./http/app.js";
import { loadPageFiles } from "./http/page-files.js";
import { createRequestProxy } from "./http/request-proxy.js";

/** The dashboard node. */
export interface DashboardNode extends StartableNode {
  /** `http://host:port` it listens on, once started. */
  url(): string;
}

/** The built page, beside the compiled server (dist/page). */
const PAGE_DIR: string = fileURLToPath(new URL("./page", import.meta.url));

/** `name=url` list items as a map. */
function namedUrls(items: readonly string[]): Map<string, string> {
  return new Map(items.map((item) => [item.slice(0, item.indexOf("=")), item.slice(item.indexOf("=") + 1)]));
}

/** The workers named in `--workers` and `--inference-servers`, each with the URLs it was given. */
function knownWorkers(config: DashboardConfig): KnownWorker[] {
  const statusUrls = namedUrls(config.workers);
  const inferenceUrls = namedUrls(config.inferenceServers);
  return [...new Set([...statusUrls.keys(), ...inferenceUrls.keys()])].map((name) => ({
    name,
    ...(statusUrls.has(name) ? { statusUrl: statusUrls.get(name) as string } : {}),
    ...(inferenceUrls.has(name) ? { inferenceUrl: inferenceUrls.get(name) as string } : {}),
  }));
}

/** Host names the page answers to: the configured ones, plus the address it listens on. */
function allowedHostsOf(config: DashboardConfig): string[] {
  const allowedHosts = [...config.allowedHosts];
  if (!["0.0.0.0", "::"].includes(config.host))
    allowedHosts.push(config.host.includes(":") ? `[${config.host}]` : config.host);
  return allowedHosts;
}

/** Builds the dashboard (reads the built page); `start` begins collecting and listens. */
export async function createDashboardNode(
  config: DashboardConfig,
  deps: NodeDeps & { pageDir?: string },
): Promise<DashboardNode> {
  const { logger, version } = deps;
  const page = await loadPageFiles(deps.pageDir ?? PAGE_DIR);
  const workers = knownWorkers(config);
  const collector = createNetworkCollector({
    chainRest: config.chainRest,
    headUrl: config.headUrl,
    workers,
    history: config.history,
    pollMs: config.pollMs,
    version,
    logger: logger.child({ module: "collector" }),
  });
  const app = buildDashboardApp({
    collector,
    proxy: createRequestProxy(config.headUrl),
    page,
    logger: logger.child({ module: "http" }),
    version,
    allowedHosts: allowedHostsOf(config),
    requestRate: config.requestRate,
    maxStreams: config.maxStreams,
  });
  let url = "";
  return {
    url: () => url,
    async start() {
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
      url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
      logger.info(
        { url: address, chainRest: config.chainRest, headUrl: config.headUrl, workers: workers.map((w) => w.name) },
        `dashboard at http://${shown}:${port}`,
      );
    },
    async stop() {
      await collector.stop();
      await app.close();
    },
  };
}
