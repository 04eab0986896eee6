/**
 * request, status, topic and fund against a real network: the description `pnpm dev` uses, as processes on a free
 * block of ports (chain, head, two workers, two inference servers). The project's keys are imported from worker-1
 * of that network, and every worker runs the project's own main.py, so "this worker" is a real, registered,
 * scored worker.
 */
import { join } from "node:path";
import {
  describeNetwork,
  findFreePortBlock,
  PORT_BLOCK_SIZE,
  type ProcessNetwork,
  portPlanFrom,
  prepareNetwork,
  startProcessNetwork,
} from "@allora/devnet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shortId } from "../src/output.js";
import { allocmd, tempDir } from "./support/cli.js";

let tmp: { dir: string; remove: () => Promise<void> };
let project: string;
let net: ProcessNetwork;
let headUrl: string;
let chainRest: string;
let ownPeer: string;
let otherPeer: string;

beforeAll(async () => {
  tmp = await tempDir("allocmd-net-");
  project = join(tmp.dir, "eth-worker");
  const network = describeNetwork({
    workers: 2,
    chain: true,
    ports: portPlanFrom(await findFreePortBlock(PORT_BLOCK_SIZE)),
  });
  const prepared = await prepareNetwork(network, { root: join(tmp.dir, "network"), mainPy: join(project, "main.py") });
  const init = await allocmd(
    [
      "init",
      "--name",
      "eth-worker",
      "--topic",
      "1",
      "--import-keys",
      join(prepared.root, "worker-1", "keys"),
      "--mnemonic-file",
      join(prepared.root, "secrets", "worker-1.mnemonic"),
    ],
    tmp.dir,
  );
  expect(init.code).toBe(0);
  ownPeer = prepared.nodes.get("worker-1")?.peerId as string;
  otherPeer = prepared.nodes.get("worker-2")?.peerId as string;
  expect(init.stdout).toContain(`imported: peer id ${ownPeer}`);
  net = await startProcessNetwork(network, prepared, { healthTimeoutMs: 90_000, readyTimeoutMs: 60_000 });
  headUrl = net.url("head", "rest");
  chainRest = net.url("chain", "rest");
}, 180_000);

afterAll(async () => {
  await net?.stop();
  await tmp?.remove();
});

/** A run time as allocmd prints it: "312 ms", or "1.2 s" on a loaded machine. */
const RUN_TIME = "\\d+(\\.\\d+)? m?s";

describe("allocmd request against a real head", () => {
  it("prints each worker's value and run time, marking this project's worker", async () => {
    const run = await allocmd(["request", "--topic", "1", "--arg", "ETH", "--head", headUrl], project);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^topic 1, argument ETH: code 200 \(enough chosen workers answered/);
    expect(run.stdout).toMatch(
      new RegExp(
        `${shortId(ownPeer).replace("…", ".")} \\(this worker\\)\\s+ran ${RUN_TIME}\\s+infererValue \\d+(\\.\\d+)?`,
      ),
    );
    expect(run.stdout).toMatch(
      new RegExp(`${shortId(otherPeer).replace("…", ".")}\\s+ran ${RUN_TIME}\\s+infererValue \\d+(\\.\\d+)?`),
    );
  });

  it("prints the head's raw body with --json", async () => {
    const run = await allocmd(["request", "--topic", "1", "--head", headUrl, "--json"], tmp.dir);
    expect(run.code).toBe(0);
    const body = JSON.parse(run.stdout);
    expect(body.code).toBe("200");
    expect(body.results.flatMap((r: { peers: string[] }) => r.peers).sort()).toEqual([ownPeer, otherPeer].sort());
    expect(Object.keys(body.usage).sort()).toEqual([ownPeer, otherPeer].sort());
  });

  it("explains a 408 and says what to check", async () => {
    const run = await allocmd(["request", "--topic", "9", "--head", headUrl, "--timeout", "0.5"], project);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("code 408 (the roll call timed out");
    expect(run.stdout).toContain("what to check:");
    expect(run.stdout).toContain("is a worker subscribed to topic 9? `allocmd status`");
    expect(run.stdout).toContain("head says: roll call for topic 9");
  });

  it("says the head is unreachable, and how to start one", async () => {
    const run = await allocmd(["request", "--topic", "1", "--head", "http://127.0.0.1:9"], project);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("cannot reach the head at http://127.0.0.1:9");
    expect(run.stderr).toContain("allocmd run");
  });
});

describe("allocmd status, topic and fund against a real chain", () => {
  it("shows the worker connected, registered and scored", async () => {
    const deadline = Date.now() + 90_000;
    // biome-ignore lint/suspicious/noExplicitAny: the JSON report is checked field by field below
    let report: any;
    for (;;) {
      const run = await allocmd(["status", "--head", headUrl, "--chain-rest", chainRest, "--json"], project);
      report = JSON.parse(run.stdout);
      if (run.code === 0 && report.topics[0]?.score !== null && report.topics[0]?.latest_value !== null) break;
      if (Date.now() > deadline) throw new Error(`the worker was not scored in time: ${run.stdout}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(report).toMatchObject({
      ok: true,
      peer_id: ownPeer,
      head: { reachable: true, connected: true, topics_served: ["1", "2"] },
    });
    expect(report.topics[0]).toMatchObject({ topic: 1, subscribed: true, registered: true, workers: 2 });
    expect(report.topics[0].latest_value).toMatch(/^\d+(\.\d+)?$/);
    expect(BigInt(report.chain.balance)).toBeGreaterThan(0n);

    const human = await allocmd(["status", "--head", headUrl, "--chain-rest", chainRest], project);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain("this worker: connected");
    expect(human.stdout).toMatch(
      /Topic 1: subscribed yes, registered yes, latest inference \d+(\.\d+)? \(round \d+\), score/,
    );
    expect(human.stdout).toContain("All good");
  }, 120_000);

  it("ranks every worker of the topic, marking this one", async () => {
    const run = await allocmd(["topic", "1", "--chain-rest", chainRest, "--rounds", "3"], project);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("2 registered worker(s), highest reward first");
    expect(run.stdout).toContain("(you)");
    expect(run.stdout).toMatch(/Last \d round\(s\), newest first/);
    const json = JSON.parse((await allocmd(["topic", "1", "--chain-rest", chainRest, "--json"], project)).stdout);
    expect(json.workers).toHaveLength(2);
    const missing = await allocmd(["topic", "99", "--chain-rest", chainRest], project);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("has no topic 99");
  });

  it("funds the worker from the faucet and waits until the balance shows it", async () => {
    const before = JSON.parse(
      (await allocmd(["status", "--head", headUrl, "--chain-rest", chainRest, "--json"], project)).stdout,
    );
    const run = await allocmd(["fund", "--chain-rest", chainRest, "--amount", "5000000"], project);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`funded ${before.address}: \\d+uallo .* -> \\d+uallo`));
    const after = JSON.parse(
      (await allocmd(["status", "--head", headUrl, "--chain-rest", chainRest, "--json"], project)).stdout,
    );
    expect(BigInt(after.chain.balance)).toBeGreaterThan(BigInt(before.chain.balance));
  });

  it("shows a worker that is not running as not connected, exit 1, with what to do", async () => {
    await net.kill("worker-1");
    try {
      const run = await allocmd(["status", "--head", headUrl, "--chain-rest", chainRest], project);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain("this worker: not connected");
      expect(run.stdout).toContain("the head does not see this worker");
    } finally {
      await net.start("worker-1");
    }
  });
});
