/**
 * What `pnpm dev` prints once the network is ready: where everything is, and a request to paste.
 */
import { makeGuideExecuteRequest } from "@allora/protocol";
import type { NetworkDescription } from "./description.js";
import type { PreparedNetwork } from "./state.js";

/** The guide's curl against a head at `headUrl`, for topic 1 and ETH (as the guide sends it). */
export function guideCurl(headUrl: string, topic = "1", arg = "ETH"): string {
  const body = makeGuideExecuteRequest({ topic, arg });
  return [
    `curl --location '${headUrl}/api/v1/functions/execute' \\`,
    `  --header 'Accept: application/json, text/plain, */*' \\`,
    `  --header 'Content-Type: application/json;charset=UTF-8' \\`,
    `  --data '${JSON.stringify(body)}'`,
  ].join("\n");
}

/** The banner text; `cli` is how the reader calls allocmd (`pnpm allocmd` in the repo, `allocmd` installed). */
export function formatBanner(
  network: NetworkDescription,
  prepared: PreparedNetwork,
  models: Map<string, string>,
  cli = "pnpm allocmd",
): string {
  const head = network.node("head");
  const headUrl = `http://localhost:${head.ports.rest}`;
  const headId = prepared.nodes.get("head")?.peerId ?? "";
  const lines = [
    "",
    "  Allora local network is ready",
    "",
    ...(network.nodes.some((n) => n.kind === "dashboard")
      ? [
          `  Dashboard    http://localhost:${network.node("dashboard").ports.http}   (rounds, scores, rewards, requests)`,
        ]
      : []),
    `  Head REST    ${headUrl}   (status: ${headUrl}/api/v1/status)`,
    `  Head p2p     /ip4/127.0.0.1/tcp/${head.ports.p2p}/p2p/${headId}`,
  ];
  if (network.chain) {
    const chain = network.node("chain");
    lines.push(
      `  Chain RPC    http://localhost:${chain.ports.rpc}`,
      `  Chain REST   http://localhost:${chain.ports.rest}   (faucet: POST /faucet {"address": "allo1…"})`,
    );
  }
  lines.push(
    `  Workers      ${network
      .workers()
      .map((w) => `${w.name} (${models.get(w.name) ?? "?"})`)
      .join("  ")}`,
    `  Topics       ${network.topics.map((t) => `${t.id}: ${t.token}${network.chain ? ` every ${t.cadence} s, truth after ${t.lag} s` : ""}`).join("   ")}`,
    "",
    "  The guide's request (paste it in another terminal):",
    "",
    ...guideCurl(headUrl)
      .split("\n")
      .map((l) => `    ${l}`),
    "",
    `  or with the CLI:   ${cli} request --topic 1 --arg ETH`,
  );
  if (network.chain) {
    const rest = `http://localhost:${network.node("chain").ports.rest}`;
    lines.push(
      "",
      "  Watch rounds, scores and rewards:",
      `    ${cli} topic 1`,
      `    curl -s ${rest}/allora/localnet/v1/topics/1/workers`,
      `    curl -s '${rest}/allora/localnet/v1/topics/1/rounds?limit=5'`,
    );
  }
  lines.push("", `  Logs: ${prepared.logDir}/<node>.log    State: ${prepared.root}    Stop: Ctrl-C`, "");
  return lines.join("\n");
}
