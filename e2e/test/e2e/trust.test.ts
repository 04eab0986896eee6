/**
 * Trust, tested from outside against `pnpm dev`'s network (its description, every node an OS process, with its
 * chain): a separate attacker process with its own key, speaking only the documented protocol, cannot make any
 * worker run, install or sign anything, nor open a session with it; a payload sent to the chain by any account but
 * the head's is refused with its code; a rogue worker announcing a huge timeout cannot hold a request past the
 * head's bound; a burst of roll calls from a stranger does not make real requests fail.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import {
  createAlloraRegistry,
  DENOM,
  deriveChainAccount,
  generateMnemonic,
  MsgInsertBulkWorkerPayload,
  signWorkerBundle,
} from "@allora/protocol";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { GasPrice, SigningStargateClient } from "@cosmjs/stargate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestNetwork, type TestNetwork } from "../../src/process-network.js";
import { waitFor } from "../../src/wait.js";
import { EXECUTE, GUIDE_BODY, post } from "../support/guide.js";

const ROGUE = fileURLToPath(new URL("../../dist/attack/rogue-peer.js", import.meta.url));
let net: TestNetwork;
let gateway: Server;
let gatewayUrl: string;
let gatewayHits = 0;

/** Runs the attacker to completion and returns its report line. */
function runRogue(mode: string, config: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ROGUE, mode, JSON.stringify(config)], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      const report = out
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.event === "report");
      if (code === 0 && report) resolve(report);
      else reject(new Error(`rogue peer exited ${code}: ${err.slice(-2000)}`));
    });
  });
}

/** Starts a long-running rogue worker; resolves once the head has answered its hello (or its session closed). */
function startRogueWorker(
  config: unknown,
): Promise<{ child: ChildProcessWithoutNullStreams; events: Array<Record<string, unknown>> }> {
  const child = spawn(process.execPath, [ROGUE, "rogue-worker", JSON.stringify(config)], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  const events: Array<Record<string, unknown>> = [];
  let buffered = "";
  child.stdout.on("data", (d) => {
    buffered += d;
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) if (line) events.push(JSON.parse(line));
  });
  return waitFor(
    "the rogue worker to join or be refused",
    () => (events.some((e) => e.event === "joined" || e.event === "closed") ? { child, events } : undefined),
    20_000,
  );
}

async function metric(url: string, name: string, label: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name}{`) && l.includes(label));
  return line ? Number(line.split(" ").pop()) : 0;
}

beforeAll(async () => {
  gateway = createServer((_req, res) => {
    gatewayHits++;
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((r) => gateway.listen(0, "127.0.0.1", r));
  gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
  net = await startTestNetwork({ chain: true, workers: 3, extraHeadArgs: ["--max-execution-time=3"] });
}, 180_000);

afterAll(async () => {
  await net?.dispose();
  await new Promise<void>((r) => gateway?.close(() => r()));
});

describe("a peer that is not the head", () => {
  it("cannot make any worker run, install or sign anything, nor get a session", async () => {
    const marker = `/tmp/allora-rogue-${randomUUID()}`;
    const workers = ["worker-1", "worker-2", "worker-3"];
    const before = await Promise.all(
      workers.map((w) => metric(net.url(w, "http"), "allora_worker_refusals_total", 'code="ROLL_CALL_UNTRUSTED"')),
    );
    const report = await runRogue("head-impostor", {
      workers: workers.map((w) => net.p2pAddress(w)),
      topic: "1",
      marker,
      gateway: gatewayUrl,
      rollCalls: 20,
    });
    expect(report.subscribers).toBe(3); // its gossip reached every worker
    expect(report.sessions).toBe(0); // no worker opened a session to it
    expect(report.fetches).toBe(0); // no worker asked it for its package
    expect(report.sessionToWorker).toEqual(Array(3).fill(expect.stringMatching(/^refused/)));
    expect(gatewayHits).toBe(0); // nor fetched it from the uri it named
    expect(existsSync(marker)).toBe(false);
    for (const [i, w] of workers.entries()) {
      const status = (await (await fetch(`${net.url(w, "http")}/status`)).json()) as {
        functions: Array<{ cid: string }>;
        heads: string[];
        trusted_heads: Array<{ peer: string }>;
      };
      expect(status.functions.map((f) => f.cid)).not.toContain(report.cid);
      expect(status.heads).not.toContain(report.peer);
      // The dev network's trust was configured with no peer id pasted in: the boot node's id, learned and pinned.
      expect(status.trusted_heads.map((t) => t.peer)).toEqual([net.prepared.nodes.get("head")?.peerId]);
      expect(
        await metric(net.url(w, "http"), "allora_worker_refusals_total", 'code="ROLL_CALL_UNTRUSTED"'),
      ).toBeGreaterThan(before[i] as number);
    }
    // And real requests still succeed after the 20 roll calls it sent.
    const results = await Promise.all(Array.from({ length: 5 }, () => post(net.headUrl, EXECUTE, GUIDE_BODY)));
    for (const { body } of results) {
      expect(body.code).toBe("200");
      expect(body.results.flatMap((r: { peers: string[] }) => r.peers)).toHaveLength(3);
    }
  });
});

describe("the head's REST install", () => {
  it("refuses a package from an arbitrary URL by default, and fetches nothing", async () => {
    const { status, body } = await post(net.headUrl, "/api/v1/functions/install", {
      cid: "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku",
      uri: `${gatewayUrl}/package.tar`,
    });
    expect(status).toBe(403);
    expect(body.code).toBe("INSTALL_URI_NOT_ALLOWED");
    expect(body.message).toContain("--allow-install-from");
    expect(gatewayHits).toBe(0);
  });

  it("refuses to execute a function id it neither serves nor installed", async () => {
    const { status, body } = await post(net.headUrl, EXECUTE, {
      ...GUIDE_BODY,
      function_id: "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku",
    });
    expect(status).toBe(400);
    expect(body.code).toBe("FUNCTION_NOT_SERVED");
  });
});

describe("the chain", () => {
  it("refuses a bulk payload from any account but the head's (emissions 110)", async () => {
    const mnemonic = generateMnemonic();
    const account = await deriveChainAccount(mnemonic);
    const faucet = await fetch(`${net.url("chain", "rest")}/faucet`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ address: account.address }),
    });
    expect(faucet.status).toBe(200);
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: "allo" });
    const client = await SigningStargateClient.connectWithSigner(net.url("chain", "rpc"), wallet, {
      registry: createAlloraRegistry(),
      gasPrice: GasPrice.fromString(`0.1${DENOM}`),
    });
    try {
      await waitFor("the faucet's funds", async () =>
        (await client.getBalance(account.address, DENOM)).amount !== "0" ? true : undefined,
      );
      const rounds = (await (
        await fetch(`${net.url("chain", "rest")}/emissions/v1/unfulfilled_worker_nonces/1`)
      ).json()) as {
        nonces?: { nonces?: Array<{ block_height: string }> };
      };
      const nonce = BigInt(rounds.nonces?.nonces?.[0]?.block_height ?? "1");
      const bundle = await signWorkerBundle(account, { topicId: 1n, blockHeight: nonce, value: "999999" });
      const msg = {
        typeUrl: MsgInsertBulkWorkerPayload.typeUrl,
        value: MsgInsertBulkWorkerPayload.fromPartial({
          sender: account.address,
          topicId: 1n,
          nonce: { blockHeight: nonce },
          workerDataBundles: [bundle],
        }),
      };
      const error = await client.signAndBroadcast(account.address, [msg], "auto").then(
        (r) => r,
        (e: Error) => e,
      );
      const text = error instanceof Error ? error.message : JSON.stringify(error);
      expect(text).toContain("sender is not a whitelisted payload sender");
      expect(text).toMatch(/\b110\b/);
    } finally {
      client.disconnect();
    }
  });
});

describe("a rogue worker", () => {
  it("announcing a huge timeout cannot hold a request past the head's bound", async () => {
    const rogue = await startRogueWorker({ head: net.p2pAddress("head"), topic: "1", timeoutMs: 600_000 });
    try {
      expect(rogue.events.some((e) => e.event === "joined")).toBe(true);
      const peer = rogue.events.find((e) => e.event === "joined")?.peer as string;
      await waitFor("the head to see the rogue worker subscribed", async () => {
        const status = (await (await fetch(`${net.headUrl}/api/v1/status`)).json()) as {
          workers: Array<{ peer_id: string; subscribed: string[] }>;
        };
        return status.workers.some((w) => w.peer_id === peer && w.subscribed.length > 0) ? true : undefined;
      });
      const started = performance.now();
      const { body } = await post(net.headUrl, EXECUTE, GUIDE_BODY);
      const ms = performance.now() - started;
      // --max-execution-time=3 plus the 2 s grace, not the 600 s the rogue announced.
      expect(ms).toBeLessThan(8000);
      expect(body.unanswered_peers).toEqual([peer]);
      expect(body.results.flatMap((r: { peers: string[] }) => r.peers)).toHaveLength(3);
      expect(body.code).toBe("200");
    } finally {
      rogue.child.kill("SIGTERM");
    }
  });

  it("that answers with a forged value is marked as not registered on the chain", async () => {
    const rogue = await startRogueWorker({
      head: net.p2pAddress("head"),
      topic: "1",
      timeoutMs: 5000,
      answer: "999999",
    });
    try {
      const peer = rogue.events.find((e) => e.event === "joined")?.peer as string;
      await waitFor("the head to see the rogue worker subscribed", async () => {
        const status = (await (await fetch(`${net.headUrl}/api/v1/status`)).json()) as {
          workers: Array<{ peer_id: string; subscribed: string[] }>;
        };
        return status.workers.some((w) => w.peer_id === peer && w.subscribed.length > 0) ? true : undefined;
      });
      // The head reads the chain's registrations in the background: the first answers may come before it has.
      const body = await waitFor("an answer that marks the rogue", async () => {
        const { body } = await post(net.headUrl, EXECUTE, GUIDE_BODY);
        return body.unregistered_peers ? body : undefined;
      });
      expect(body.unregistered_peers).toEqual([peer]);
      expect(body.message).toContain("not registered on the chain for topic 1");
      const forged = body.results.find((r: { result: { stdout: string } }) => r.result.stdout.includes("999999"));
      expect(forged.peers).toEqual([peer]);
    } finally {
      rogue.child.kill("SIGTERM");
    }
  });

  it("announcing a timeout past the schema's bound is refused at its hello", async () => {
    const rogue = await startRogueWorker({ head: net.p2pAddress("head"), topic: "1", timeoutMs: 2_000_000_000 });
    try {
      // The head reads the hello, finds the timeout past the schema's maximum and resets the session.
      expect(rogue.events.some((e) => e.event === "closed")).toBe(true);
      expect(rogue.events.some((e) => e.event === "joined")).toBe(false);
    } finally {
      rogue.child.kill("SIGTERM");
    }
  });
});
