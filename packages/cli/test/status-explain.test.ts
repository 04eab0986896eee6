/**
 * `allocmd status` explains a worker that is connected but not registered with the worker's own reason (from its
 * /status), and never takes another worker's /status for this one's. Stand-in head, chain and worker servers give
 * the exact situation.
 */
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliVersion } from "../src/version.js";
import { allocmd, tempDir } from "./support/cli.js";

let tmp: { dir: string; remove: () => Promise<void> };
let project: string;
let peerId: string;
let workerPeer: string;
const servers: Server[] = [];

async function serve(routes: (url: string) => unknown): Promise<string> {
  const server = createServer((req, res) => {
    const body = routes(req.url ?? "");
    res.setHeader("content-type", "application/json");
    if (body === undefined) res.statusCode = 404;
    res.end(JSON.stringify(body ?? { code: 22, message: "not found" }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

let headUrl: string;
let chainUrl: string;
let workerUrl: string;

beforeAll(async () => {
  tmp = await tempDir();
  project = join(tmp.dir, "eth-worker");
  expect((await allocmd(["init", "--name", "eth-worker", "--topic", "1"], tmp.dir)).code).toBe(0);
  peerId = (await readFile(join(project, "keys/identity"), "utf8")).trim();
  workerPeer = peerId;
  headUrl = await serve((url) =>
    url === "/api/v1/status"
      ? {
          peer_id: "12D3KooWHead",
          addresses: [],
          version: cliVersion(),
          uptime_seconds: 5,
          functions: [],
          workers: [
            {
              peer_id: peerId,
              addresses: [],
              topics: ["allora-topic-1-worker"],
              subscribed: ["allora-topic-1-worker"],
            },
          ],
        }
      : undefined,
  );
  chainUrl = await serve((url) => {
    if (url === "/allora/localnet/v1/health")
      return {
        status: "ok",
        chain_id: "allora-localnet-1",
        height: "12",
        latest_block_time: null,
        block_time_ms: "1000",
      };
    if (url.startsWith("/emissions/v1/worker_registered/")) return { is_registered: false };
    if (url === "/allora/localnet/v1/topics/1/workers") return { topic_id: "1", workers: [] };
    if (url.startsWith("/cosmos/bank/v1beta1/balances/")) return { balances: [] };
    return undefined;
  });
  workerUrl = await serve((url) =>
    url === "/status"
      ? {
          peer_id: workerPeer,
          chain: {
            registrations: {
              "1": { state: "failed", code: "REGISTRATION_UNFUNDED", reason: "balance 0uallo cannot pay registration" },
            },
          },
        }
      : undefined,
  );
});

afterAll(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
  await tmp?.remove();
});

describe("allocmd status explains what is wrong", () => {
  it("names the worker's own reason for not being registered", async () => {
    workerPeer = peerId;
    const run = await allocmd(
      ["status", "--head", headUrl, "--chain-rest", chainUrl, "--worker-url", workerUrl],
      project,
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("this worker: connected");
    expect(run.stdout).toContain("Topic 1: subscribed yes, registered no");
    expect(run.stdout).toContain(
      "not registered on topic 1: the worker says REGISTRATION_UNFUNDED: balance 0uallo cannot pay registration",
    );
    expect(run.stdout).toContain("balance: 0uallo (0 ALLO)");
  });

  it("ignores the /status of another worker on that port", async () => {
    workerPeer = "12D3KooWSomeoneElse";
    const run = await allocmd(
      ["status", "--head", headUrl, "--chain-rest", chainUrl, "--worker-url", workerUrl],
      project,
    );
    expect(run.code).toBe(1);
    expect(run.stdout).not.toContain("REGISTRATION_UNFUNDED");
    expect(run.stdout).toContain("not registered on topic 1: the worker registers itself at start once funded");
  });
});
