/**
 * A real head, real workers and real inference servers on loopback: the guide's curl and the head/worker failure
 * cases. Each worker is its own libp2p host; functions run as real processes.
 */
import { execFileSync, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { makeFunctionPackage } from "@allora/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InProcessNetwork, startInProcessNetwork } from "../../src/in-process-network.js";
import { waitFor } from "../../src/wait.js";
import { EXECUTE, GUIDE_BODY, guideBody, post } from "../support/guide.js";

const workerBin = fileURLToPath(new URL("../../../apps/worker/dist/bin/worker.js", import.meta.url));
let net: InProcessNetwork;
let gateway: Server;
let gatewayUrl: string;
const marker = `allora-marker-${randomUUID()}`;
const SECRET = `planted-secret-${randomUUID()}`;

// A package the head does not serve; the gateway below answers its CID with other bytes.
const honest = makeFunctionPackage(
  { name: "gateway-fn", version: "1.0.0", kind: "generic", entry: "fn.sh", interpreter: "sh", methods: ["run"] },
  [{ path: "fn.sh", data: new TextEncoder().encode('echo \'{"infererValue": "1"}\'\n') }],
);
const tampered = makeFunctionPackage(
  { name: "gateway-fn", version: "1.0.0", kind: "generic", entry: "fn.sh", interpreter: "sh", methods: ["run"] },
  [{ path: "fn.sh", data: new TextEncoder().encode(`touch /tmp/${marker}-ran; echo '{"infererValue": "666"}'\n`) }],
);

beforeAll(async () => {
  process.env.WORKER_PLANTED_SECRET = SECRET; // the in-process workers' own environment
  gateway = createServer((req, res) => {
    if (req.url === `/${honest.cid}`) res.end(Buffer.from(tampered.bytes));
    else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => gateway.listen(0, "127.0.0.1", r));
  gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;

  net = await startInProcessNetwork({ workers: [] });
  const scripts = join(net.dir, "scripts");
  execFileSync("mkdir", ["-p", scripts]);
  await writeFile(
    join(scripts, "forever.py"),
    `import subprocess, time\nsubprocess.Popen(["sleep", "300", "${marker}"])\ntime.sleep(300)\n`,
  );
  await writeFile(
    join(scripts, "sleepy.py"),
    'import time, json\ntime.sleep(15)\nprint(json.dumps({"infererValue": "1"}))\n',
  );
  await writeFile(
    join(scripts, "env.py"),
    'import json, os\nprint(json.dumps({"infererValue": "1", "env": dict(os.environ)}))\n',
  );
  await net.startWorker({ name: "worker-1", model: "trend" });
  await net.startWorker({ name: "worker-2", model: "naive" });
  await net.startWorker({ name: "worker-3", model: "noisy" });
  await net.startWorker({
    name: "timeout-worker",
    topics: ["5"],
    mainPy: join(scripts, "forever.py"),
    args: ["--function-timeout=1"],
  });
  await net.startWorker({ name: "env-worker", topics: ["6"], mainPy: join(scripts, "env.py") });
  await net.startWorker({
    name: "gateway-worker",
    topics: ["4"],
    args: [`--function-gateways=${gatewayUrl}`, `--allow-functions=${honest.cid}`],
  });
  await net.waitForWorkers("1", 3);
  await Promise.all(["4", "5", "6"].map((t) => net.waitForWorkers(t, 1)));
}, 120_000);

afterAll(async () => {
  delete process.env.WORKER_PLANTED_SECRET;
  await net?.stop();
  await new Promise<void>((r) => gateway?.close(() => r()));
});

describe("the guide's curl against a real head and three workers", () => {
  it('returns "200" with the three workers\' outputs, each {"infererValue": ...}', async () => {
    const { status, body } = await post(net.headUrl, EXECUTE, GUIDE_BODY);
    expect(status).toBe(200);
    expect(body.code).toBe("200");
    const peers = body.results.flatMap((r: { peers: string[] }) => r.peers);
    expect(new Set(peers)).toEqual(
      new Set(["worker-1", "worker-2", "worker-3"].map((n) => net.workers.get(n)!.peerId)),
    );
    for (const r of body.results) {
      expect(r.result.exit_code).toBe(0);
      expect(r.result.stderr).toMatch(/^topic 1: asking http:\/\/127\.0\.0\.1:\d+\/inference\/ETH\n$/);
      expect(JSON.parse(r.result.stdout)).toEqual({ infererValue: expect.stringMatching(/^\d+(\.\d+)?$/) });
    }
    expect(body.results.reduce((s: number, r: { frequency: number }) => s + r.frequency, 0)).toBeCloseTo(100);
    expect(Object.keys(body.usage)).toHaveLength(3);
    expect(body.cluster.peers).toHaveLength(3);
  });

  it("with number_of_nodes 2 returns exactly two results", async () => {
    const { body } = await post(net.headUrl, EXECUTE, guideBody("1", { number_of_nodes: 2 }));
    expect(body.code).toBe("200");
    expect(body.results.flatMap((r: { peers: string[] }) => r.peers)).toHaveLength(2);
    expect(body.cluster.peers).toHaveLength(2);
  });

  it("with every worker connected and timeout 2, returns before the roll-call window ends", async () => {
    const { body, ms } = await post(net.headUrl, EXECUTE, guideBody("1", { number_of_nodes: -1, timeout: 2 }));
    expect(body.code).toBe("200");
    expect(ms).toBeLessThan(2000);
  });

  it("answers ten requests at once", async () => {
    const all = await Promise.all(Array.from({ length: 10 }, () => post(net.headUrl, EXECUTE, GUIDE_BODY)));
    expect(all.map((r) => r.body.code)).toEqual(Array(10).fill("200"));
  });

  it("stores each response for /functions/requests/result", async () => {
    const { body } = await post(net.headUrl, EXECUTE, GUIDE_BODY);
    const stored = await post(net.headUrl, "/api/v1/functions/requests/result", { id: body.request_id });
    expect(stored.status).toBe(200);
    expect(stored.body).toEqual(body);
    const missing = await post(net.headUrl, "/api/v1/functions/requests/result", { id: "nope" });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe("REQUEST_NOT_FOUND");
  });
});

describe("roll-call failures", () => {
  it('answers "408" for a topic nobody serves, naming the topic and the counts', async () => {
    const { status, body, ms } = await post(net.headUrl, EXECUTE, guideBody("42"));
    expect(status).toBe(200);
    expect(body.code).toBe("408");
    expect(body.message).toMatch(/topic 42/);
    expect(body.message).toMatch(/allora-topic-42-worker/);
    expect(body.message).toMatch(/6 connected workers/);
    expect(ms).toBeLessThan(2000);
  });

  it('answers "408" when more workers are asked for than serve the topic', async () => {
    const { body } = await post(net.headUrl, EXECUTE, guideBody("1", { number_of_nodes: 5 }));
    expect(body.code).toBe("408");
    expect(body.message).toMatch(/asks for 5 workers but only 3/);
  });

  it("refuses a package that fails CID verification and never runs it", async () => {
    // The head executes only what it serves or installed; the worker's operator allowed this function.
    const installed = await post(net.headUrl, "/api/v1/functions/install", { cid: honest.cid, subgroup: "4" });
    expect(installed.body.code).toBe("200");
    const { body } = await post(net.headUrl, EXECUTE, { ...guideBody("4"), function_id: honest.cid, method: "run" });
    expect(body.code).toBe("408");
    expect(body.message).toMatch(/FUNCTION_CID_MISMATCH/);
    const peer = net.workers.get("gateway-worker")!.peerId;
    expect(body.failures[peer].code).toBe("FUNCTION_CID_MISMATCH");
    expect(() => execFileSync("ls", [`/tmp/${marker}-ran`], { stdio: "pipe" })).toThrow();
  });
});

describe("execution failures", () => {
  it("kills a function that runs past its timeout, with its children, and reports it", async () => {
    const started = performance.now();
    const { body } = await post(net.headUrl, EXECUTE, guideBody("5"));
    expect(performance.now() - started).toBeLessThan(10_000);
    const peer = net.workers.get("timeout-worker")!.peerId;
    expect(body.failures[peer]).toMatchObject({ code: "FUNCTION_TIMEOUT" });
    expect(body.message).toMatch(/FUNCTION_TIMEOUT/);
    expect(body.code).toBe("204");
    expect(body.results).toEqual([]);
    await waitFor(
      "no process left behind",
      () => !execFileSync("ps", ["-eo", "args"], { encoding: "utf8" }).includes(marker),
      5000,
    );
  });

  it("never shows a function the worker's own environment", async () => {
    const { body } = await post(net.headUrl, EXECUTE, guideBody("6"));
    expect(body.code).toBe("200");
    const env = JSON.parse(body.results[0].result.stdout).env as Record<string, string>;
    expect(JSON.stringify(env)).not.toContain(SECRET);
    expect(env.WORKER_PLANTED_SECRET).toBeUndefined();
    expect(env.ALLORA_ARG_PARAMS).toBe("ETH");
    expect(env.TOPIC_ID).toBe("6");
    expect(env.BLS_REQUEST_PATH).toBe("/api");
    expect(Object.keys(env).sort()).not.toContain("NODE_OPTIONS");
  });

  it("answers without waiting out the execution timeout when a worker is killed mid-request, naming it", async () => {
    const scripts = join(net.dir, "scripts");
    await net.startWorker({ name: "steady", topics: ["7"] });
    const child = spawn(
      process.execPath,
      [
        workerBin,
        "--name=doomed",
        "--p2p-host=127.0.0.1",
        "--p2p-port=0",
        "--http-host=127.0.0.1",
        "--http-port=0",
        `--data-dir=${join(net.dir, "doomed")}`,
        `--boot-nodes=${net.headP2p}`,
        "--topics=7",
        `--main-py=${join(scripts, "sleepy.py")}`,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    try {
      await net.waitForWorkers("7", 2);
      const http = await waitFor("doomed's HTTP address", () => /"http":"(http:\/\/[^"]+)"/.exec(out)?.[1]);
      const doomedPeer = (/"peerId":"(12D3KooW[^"]+)"/.exec(out) as RegExpExecArray)[1] as string;
      const pending = post(net.headUrl, EXECUTE, guideBody("7"));
      await waitFor("doomed to be running the function", async () => {
        const status = (await (await fetch(`${http}/status`)).json()) as { running: number };
        return status.running >= 1;
      });
      const killedAt = performance.now();
      child.kill("SIGKILL");
      const { body } = await pending;
      expect(performance.now() - killedAt).toBeLessThan(5000);
      expect(body.unanswered_peers).toEqual([doomedPeer]);
      expect(body.message).toContain(doomedPeer);
      expect(body.results).toHaveLength(1);
      expect(body.code).toBe("206");
    } finally {
      child.kill("SIGKILL");
    }
  });
});

describe("bad requests", () => {
  it.each([
    ["malformed JSON", "{not json", "REQUEST_MALFORMED_JSON", 400],
    ["a wrongly typed field", JSON.stringify({ ...GUIDE_BODY, topic: 1 }), "REQUEST_INVALID", 400],
    ["a missing function_id", JSON.stringify({ method: "m", topic: "1" }), "REQUEST_INVALID", 400],
    ["an unknown field", JSON.stringify({ ...GUIDE_BODY, fnction: 1 }), "REQUEST_INVALID", 400],
    [
      "an oversized body",
      JSON.stringify({ ...GUIDE_BODY, signature: "x".repeat(2_000_000) }),
      "REQUEST_TOO_LARGE",
      413,
    ],
    ["a reputer topic", JSON.stringify(guideBody("1/reputer")), "TOPIC_REPUTER_UNSUPPORTED", 400],
    [
      "a reserved env var",
      JSON.stringify(guideBody("1", { env_vars: [{ name: "LD_PRELOAD", value: "/x.so" }] })),
      "ENV_VAR_RESERVED",
      400,
    ],
  ])("rejects %s with a 4xx, a code and a message", async (_name, raw, code, status) => {
    const res = await post(net.headUrl, EXECUTE, raw, true);
    expect(res.status).toBe(status);
    expect(res.body.code).toBe(code);
    expect(res.body.message.length).toBeGreaterThan(10);
  });

  it("keeps serving after bad requests", async () => {
    expect(await (await fetch(`${net.headUrl}/api/v1/health`)).json()).toEqual({ type: "health", code: 200 });
    expect((await post(net.headUrl, EXECUTE, GUIDE_BODY)).body.code).toBe("200");
  });
});

describe("head restart", () => {
  it("is rejoined by the workers on the same key, and the next request succeeds", async () => {
    const before = net.head.peerId;
    await net.restartHead();
    expect(net.head.peerId).toBe(before);
    await net.waitForWorkers("1", 3);
    const { body } = await post(net.headUrl, EXECUTE, GUIDE_BODY);
    expect(body.code).toBe("200");
    expect(body.results.flatMap((r: { peers: string[] }) => r.peers)).toHaveLength(3);
  });
});
