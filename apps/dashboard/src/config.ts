/**
 * Every option of the dashboard. Flags and env vars share names (`--chain-rest` = `CHAIN_REST`).
 */
import { checkHttpUrl } from "@allora/protocol";
import { type ConfigOf, defineConfig, httpLimitOptions, nodeOptions } from "@allora/service";

/** `name=http://…`: a worker's name and the URL of its HTTP status server, or of its inference server. */
function checkNamedUrl(item: string): string | undefined {
  const eq = item.indexOf("=");
  if (eq < 1) return `"${item}" is not of the form <worker-name>=<url>, e.g. worker-1=http://127.0.0.1:2112`;
  return checkHttpUrl(item.slice(eq + 1));
}

export const dashboardConfig = defineConfig({
  ...nodeOptions("dashboard"),
  host: {
    type: "string",
    default: "127.0.0.1",
    description: "address the page is served on (0.0.0.0 exposes the request form to your network)",
  },
  port: { type: "integer", default: 3000, min: 0, max: 65535, description: "HTTP port of the page" },
  "chain-rest": {
    type: "string",
    default: "http://127.0.0.1:1317",
    description: "Cosmos REST URL of the chain (rounds, scores, rewards, topics)",
    check: checkHttpUrl,
  },
  "head-url": {
    type: "string",
    default: "http://127.0.0.1:6000",
    description: "REST URL of the head (status, and where the request form sends to)",
    check: checkHttpUrl,
  },
  workers: {
    type: "list",
    default: [],
    check: checkNamedUrl,
    description: "name=url of each worker's HTTP server (name, peer id, version); others show from head and chain",
  },
  "inference-servers": {
    type: "list",
    default: [],
    check: checkNamedUrl,
    description: "worker-name=url of the inference server each worker calls (for its model label)",
  },
  history: {
    type: "integer",
    default: 60,
    min: 1,
    max: 100,
    description: "rounds per topic loaded from the chain's history and kept for the charts",
  },
  "poll-ms": {
    type: "integer",
    default: 1000,
    min: 250,
    max: 60_000,
    description: "how often the server reads the chain's height (the page itself never polls)",
  },
  "allowed-hosts": {
    type: "list",
    default: ["localhost", "127.0.0.1", "[::1]"],
    description: "Host header names the page answers to (DNS-rebinding guard); * answers any",
  },
  "request-rate": {
    type: "integer",
    default: 20,
    min: 1,
    max: 10_000,
    description: "requests per minute the form may send to the head, per client address",
  },
  "max-streams": {
    type: "integer",
    default: 32,
    min: 1,
    max: 4096,
    description: "live event streams (open pages) at most",
  },
  ...httpLimitOptions({ headersTimeout: 5, requestTimeout: 10, maxConnections: 256, maxConnectionsPerClient: 64 }),
});

/** The dashboard's parsed config. */
export type DashboardConfig = ConfigOf<typeof dashboardConfig>;
