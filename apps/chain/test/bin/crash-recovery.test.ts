/**
 * Durability: the chain runs as a real process, commits txs and scores a round, is killed with SIGKILL while a
 * second round waits for its truth, gets a torn line appended to its log, and restarts on the same data dir.
 * Every acknowledged tx is still there, the height continues, and no round is scored (or paid) twice.
 */
import { appendFile, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signWorkerBundle } from "@allora/protocol";
import { StargateClient } from "@cosmjs/stargate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MODULE_ACCOUNTS } from "../../src/state/address.js";
import { writeChainFiles } from "../support/chain-fixture.js";
import { type ChainProcess, ensureBuilt, spawnChain } from "../support/chain-process.js";
import { getJson } from "../support/http.js";
import { bulkPayloadMsg, fund, register, rounds, waitForOpenRound, waitForRound } from "../support/network.js";
import { connectSigner, FEE, newWallet, type TestWallet } from "../support/wallets.js";

const REWARD = 1_000_000n;

describe("crash and restart", () => {
  let dir: string;
  let args: string[];
  let headWallet: TestWallet;
  const running: ChainProcess[] = [];

  beforeAll(async () => {
    ensureBuilt();
    dir = await mkdtemp(join(tmpdir(), "allora-chain-crash-"));
    headWallet = await newWallet();
    const files = await writeChainFiles(dir, {
      payloadSenders: [headWallet.address],
      topics: [{ inference_cadence: "3", submission_window: "3", ground_truth_lag: "4" }],
      params: { reward_per_round: REWARD.toString() },
    });
    args = [
      "--genesis",
      files.genesisPath,
      "--data-dir",
      join(dir, "data"),
      "--faucet-mnemonic-file",
      files.faucetMnemonicPath,
      "--host",
      "127.0.0.1",
      "--rpc-port",
      "0",
      "--rest-port",
      "0",
      "--block-time-ms",
      "100",
      "--name",
      "crash-test",
    ];
  });
  afterAll(async () => {
    for (const p of running) if (p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill("SIGKILL");
    await Promise.all(running.map((p) => p.exited));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function submitRound(p: ChainProcess, head: TestWallet, workers: TestWallet[], offsets: number[]) {
    const round = await waitForOpenRound(p.restUrl, 1n, 2000);
    const nonce = BigInt(round.nonce);
    const bundles = await Promise.all(
      workers.map((w, i) =>
        signWorkerBundle(w.account, { topicId: 1n, blockHeight: nonce, value: String(3000 + offsets[i]!) }),
      ),
    );
    const client = await connectSigner(p.rpcUrl, head);
    try {
      const res = await client.signAndBroadcast(head.address, [bulkPayloadMsg(head.address, 1n, nonce, bundles)], FEE);
      expect(res.code, res.rawLog).toBe(0);
      return { nonce: round.nonce, hash: res.transactionHash, height: res.height };
    } finally {
      client.disconnect();
    }
  }

  it("keeps every acknowledged tx and scores each round once", async () => {
    const first = await spawnChain(args);
    running.push(first);
    const head = headWallet;
    const [w1, w2, w3] = await Promise.all([newWallet(), newWallet(), newWallet()]);
    const workers = [w1!, w2!, w3!];
    const acked: string[] = [];
    acked.push(...(await Promise.all([head!, ...workers].map((w) => fund(first.restUrl, w.address)))));
    acked.push(...(await Promise.all(workers.map((w) => register(first.rpcUrl, w)))));

    const roundA = await submitRound(first, head!, workers, [1, 20, 300]);
    acked.push(roundA.hash);
    const scoredA = await waitForRound(first.restUrl, roundA.nonce, "scored");
    const roundB = await submitRound(first, head!, workers, [2, 30, 200]);
    acked.push(roundB.hash);

    const before = await StargateClient.connect(first.rpcUrl);
    const heightBefore = await before.getHeight();
    const blockBefore = await before.getBlock(roundB.height);
    const txsBefore = new Map<string, number>();
    for (const hash of acked) txsBefore.set(hash, (await before.getTx(hash))!.height);
    before.disconnect();

    first.proc.kill("SIGKILL");
    expect((await first.exited).signal).toBe("SIGKILL");
    // A crash in the middle of an append leaves a line without its newline.
    await appendFile(join(dir, "data", "blocks.jsonl"), '{"type":"block","height":"999999","time":"2026-');

    const second = await spawnChain(args);
    running.push(second);
    expect(second.lines.some((l) => l.code === "BLOCK_LOG_TORN_LINE_DROPPED")).toBe(true);
    const after = await StargateClient.connect(second.rpcUrl);
    try {
      for (const [hash, height] of txsBefore) {
        const tx = await after.getTx(hash);
        expect(tx, `tx ${hash}`).not.toBeNull();
        expect(tx?.height).toBe(height);
        expect(tx?.code).toBe(0);
      }
      expect(await after.getHeight()).toBeGreaterThanOrEqual(heightBefore);
      expect((await after.getBlock(roundB.height)).id).toBe(blockBefore.id);
    } finally {
      after.disconnect();
    }

    const scoredB = await waitForRound(second.restUrl, roundB.nonce, "scored");
    const viewA = (await rounds(second.restUrl, 1n, 100)).find((r) => r.nonce === roundA.nonce);
    expect(viewA).toEqual(scoredA);

    const rewardOf = (round: typeof scoredA, address: string) =>
      BigInt(round.workers.find((w) => w.address === address)?.reward ?? "0");
    const workerView = await getJson<{
      workers: Array<{ address: string; cumulative_reward: string; balance: string }>;
    }>(`${second.restUrl}/allora/localnet/v1/topics/1/workers`);
    let paid = 0n;
    for (const w of workers) {
      const row = workerView.body.workers.find((r) => r.address === w.address)!;
      const expected = rewardOf(scoredA, w.address) + rewardOf(scoredB, w.address);
      expect(BigInt(row.cumulative_reward)).toBe(expected);
      // faucet amount - register tx fee - registration fee + rewards: nothing paid twice.
      expect(BigInt(row.balance)).toBe(100_000_000n - 500n - 1000n + expected);
      paid += expected;
    }
    const pot = await getJson<{ balances: Array<{ amount: string }> }>(
      `${second.restUrl}/cosmos/bank/v1beta1/balances/${MODULE_ACCOUNTS.rewards}`,
    );
    expect(paid + BigInt(pot.body.balances[0]?.amount ?? "0")).toBe(2n * REWARD);

    second.proc.kill("SIGTERM");
    expect((await second.exited).code).toBe(0);

    const log = (await readFile(join(dir, "data", "blocks.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const scoredEvents = log
      .flatMap((record: { events?: Array<{ type: string; nonce: string }> }) => record.events ?? [])
      .filter((e) => e.type === "round_scored");
    const perNonce = new Map<string, number>();
    for (const e of scoredEvents) perNonce.set(e.nonce, (perNonce.get(e.nonce) ?? 0) + 1);
    expect([...perNonce.values()].every((n) => n === 1)).toBe(true);
    expect(perNonce.get(roundA.nonce)).toBe(1);
    expect(perNonce.get(roundB.nonce)).toBe(1);
  });
});
