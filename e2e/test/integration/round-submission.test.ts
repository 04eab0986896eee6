/**
 * The head's round submitter against a real chain node that goes away and comes back with an empty mempool: rounds
 * pending when it stops, and rounds handed over while it is down, all land once it is back (re-broadcast of the same
 * signed bytes, concurrent submissions with distinct sequences), each inference exactly once. Sending a round again
 * is safe: the identical bytes are refused by their used sequence, a re-signed copy by the chain's duplicate check.
 */
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ChainConfig, type ChainNode, chainConfigSpec, createChainNode } from "@allora/chain";
import { findFreePortBlock } from "@allora/devnet";
import { createHeadChain, type HeadChain, type Submission } from "@allora/head";
import {
  createAlloraRegistry,
  deriveChainAccount,
  generateMnemonic,
  MsgRegister,
  signWorkerBundle,
  silentLogger,
  TypeUrls,
  WorkerDataBundle,
} from "@allora/protocol";
import { parseConfig } from "@allora/service";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { GasPrice, SigningStargateClient } from "@cosmjs/stargate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../../src/wait.js";

let dir: string;
let node: ChainNode | undefined;
let config: ChainConfig;
let rest: string;
let rpc: string;
let headChain: HeadChain;
const headMnemonic = generateMnemonic();
const workerMnemonics = [generateMnemonic(), generateMnemonic()];

async function startNode(): Promise<ChainNode> {
  const n = await createChainNode(config, { logger: silentLogger, version: "test" });
  await n.start();
  return n;
}

async function json<T>(path: string): Promise<T> {
  const res = await fetch(`${rest}${path}`);
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

const openNonce = async (topic: string): Promise<bigint | undefined> => {
  const body = await json<{ nonces: { nonces: Array<{ block_height: string }> } }>(
    `/emissions/v1/unfulfilled_worker_nonces/${topic}`,
  );
  const first = body.nonces.nonces[0];
  return first ? BigInt(first.block_height) : undefined;
};

async function roundBundles(topic: bigint, nonce: bigint) {
  const bundles = [];
  for (const [i, mnemonic] of workerMnemonics.entries()) {
    const account = await deriveChainAccount(mnemonic);
    const bundle = await signWorkerBundle(account, { topicId: topic, blockHeight: nonce, value: `${3000 + i}.5` });
    bundles.push({
      peer: `worker-${i}`,
      bundle: Buffer.from(WorkerDataBundle.encode(bundle).finish()).toString("base64"),
    });
  }
  return { topicId: topic, nonce, bundles };
}

const submissionOf = (topic: bigint, nonce: bigint): Submission | undefined =>
  headChain.status().submissions.find((s) => s.topic_id === topic.toString() && s.nonce === nonce.toString());

async function inferencesOf(topic: string, nonce: bigint): Promise<string[]> {
  const { rounds } = await json<{ rounds: Array<{ nonce: string; inferences: Array<{ worker: string }> }> }>(
    `/allora/localnet/v1/topics/${topic}/rounds?limit=50`,
  );
  return (rounds.find((r) => r.nonce === nonce.toString())?.inferences ?? []).map((i) => i.worker);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "allora-round-submission-"));
  const faucetMnemonic = generateMnemonic();
  const faucet = await deriveChainAccount(faucetMnemonic);
  const head = await deriveChainAccount(headMnemonic);
  const topic = { metadata: "t", inference_logic: "bafybeigpiwl3o73zvvl6dxdqu7zqcub5mhg65jiky2xqb4rdhfmikswzqm" };
  const genesis = {
    chain_id: "allora-localnet-1",
    genesis_time: "2026-01-01T00:00:00Z",
    market_seed: `seed-${Math.random()}`,
    accounts: [{ address: faucet.address, coins: [{ denom: "uallo", amount: "1000000000000000" }] }],
    // Windows long enough to outlive the outage below.
    topics: ["1", "2"].map(() => ({
      ...topic,
      inference_method: "allora-inference-function.wasm",
      inference_cadence: "20",
      default_arg: "ETH",
      loss_method: "mse",
      ground_truth_lag: "20",
      submission_window: "20",
    })),
    payload_senders: [head.address],
    params: { registration_fee: "1000", tx_fee_min: "1000", reward_per_round: "1000000" },
  };
  await writeFile(join(dir, "genesis.json"), JSON.stringify(genesis));
  await writeFile(join(dir, "faucet.mnemonic"), `${faucetMnemonic}\n`);
  await chmod(join(dir, "faucet.mnemonic"), 0o600);
  // Fixed ports: the head keeps its URLs while the node is down and back.
  const base = await findFreePortBlock(2);
  config = parseConfig(
    chainConfigSpec,
    [
      "--host=127.0.0.1",
      `--rpc-port=${base}`,
      `--rest-port=${base + 1}`,
      `--genesis=${join(dir, "genesis.json")}`,
      `--data-dir=${join(dir, "data")}`,
      // A tx waits up to a block in the mempool: long enough that the stop below finds it there.
      "--block-time-ms=1500",
      `--faucet-mnemonic-file=${join(dir, "faucet.mnemonic")}`,
      "--log-level=silent",
    ],
    {},
  ).config;
  node = await startNode();
  rpc = node.rpcUrl();
  rest = node.restUrl();
  for (const mnemonic of workerMnemonics) {
    const account = await deriveChainAccount(mnemonic);
    const res = await fetch(`${rest}/faucet`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ address: account.address }),
    });
    expect(res.status).toBe(200);
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: "allo" });
    const client = await SigningStargateClient.connectWithSigner(rpc, wallet, {
      registry: createAlloraRegistry(),
      gasPrice: GasPrice.fromString("0.1uallo"),
    });
    for (const topicId of [1n, 2n]) {
      const msg = MsgRegister.fromPartial({
        sender: account.address,
        libP2pKey: `12D3KooW${account.address.slice(5, 30)}`,
        multiAddress: "/ip4/127.0.0.1/tcp/9011",
        topicId,
        owner: account.address,
      });
      const result = await client.signAndBroadcast(
        account.address,
        [{ typeUrl: TypeUrls.MsgRegister, value: msg }],
        "auto",
      );
      expect(result.code, result.rawLog).toBe(0);
    }
    client.disconnect();
  }
  headChain = await createHeadChain({
    rpc,
    rest,
    chainId: "allora-localnet-1",
    mnemonic: headMnemonic,
    gasPrice: "0.1uallo",
    faucetUrl: `${rest}/faucet`,
    logger: silentLogger,
    rebroadcastMs: 250,
  });
  headChain.start();
}, 60_000);

afterAll(async () => {
  headChain?.stop();
  await node?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("round submission through a chain outage", () => {
  let landed: { topic: bigint; nonce: bigint; tx: string };

  it("lands a round pending when the chain stopped and one handed over while it was down, each once", async () => {
    // A round that has just opened, so its 20 s window outlasts the outage below (both topics open in one block).
    const before = await openNonce("1");
    const nonce1 = await waitFor(
      "a fresh round on topic 1",
      async () => {
        const n = await openNonce("1");
        return n !== undefined && n !== before ? n : undefined;
      },
      30_000,
      100,
    );
    const nonce2 = await waitFor("the same block's round on topic 2", () => openNonce("2"), 10_000, 100);
    headChain.submit(await roundBundles(1n, nonce1));
    // Stop the chain the moment the tx was broadcast, before its block: the mempool (and the tx) are gone.
    await waitFor(
      "the round's first broadcast",
      async () => (submissionOf(1n, nonce1)?.broadcasts ?? 0) >= 1,
      20_000,
      5,
    );
    await node?.stop();
    node = undefined;
    expect(submissionOf(1n, nonce1)?.status).toBe("submitting");
    // A second round arrives while the chain is down: it does not wait behind the first, and it gets its own
    // sequence once the chain is back.
    headChain.submit(await roundBundles(2n, nonce2));
    await new Promise((r) => setTimeout(r, 2000)); // the outage
    expect(submissionOf(2n, nonce2)?.status).toBe("submitting");
    node = await startNode();
    const done = await waitFor(
      "both rounds committed after the restart",
      async () => {
        const a = submissionOf(1n, nonce1);
        const b = submissionOf(2n, nonce2);
        return a?.status === "committed" && b?.status === "committed" ? [a, b] : undefined;
      },
      30_000,
      100,
    );
    expect(done[0]?.broadcasts).toBeGreaterThan(1); // re-broadcast after the restart
    expect(done[0]?.tx_hash).not.toBe(done[1]?.tx_hash);
    const workers = await Promise.all(workerMnemonics.map(async (m) => (await deriveChainAccount(m)).address));
    expect((await inferencesOf("1", nonce1)).sort()).toEqual([...workers].sort());
    expect((await inferencesOf("2", nonce2)).sort()).toEqual([...workers].sort());
    landed = { topic: 1n, nonce: nonce1, tx: done[0]?.tx_hash as string };
  }, 90_000);

  it("is safe to send again: the same bytes and a re-signed copy change nothing", async () => {
    const tx = (await json<{ tx_bytes: string }>(`/cosmos/tx/v1beta1/txs/${landed.tx}`)).tx_bytes;
    const again = await fetch(`${rest}/cosmos/tx/v1beta1/txs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ tx_bytes: tx, mode: "BROADCAST_MODE_SYNC" }),
    });
    const answer = (await again.json()) as { tx_response: { code: number; raw_log: string } };
    expect(answer.tx_response.code).toBe(32); // its sequence is used: the identical tx can never land twice
    // A re-signed copy (new sequence, new hash): every bundle is a duplicate, so the head drops them all.
    headChain.submit(await roundBundles(landed.topic, landed.nonce));
    const resent = await waitFor(
      "the re-sent round settled",
      async () => {
        const s = headChain.status().submissions[0];
        return s && s.status !== "submitting" && s.status !== "queued" ? s : undefined;
      },
      20_000,
      100,
    );
    expect(resent).toMatchObject({ status: "skipped", bundles: 0 });
    expect(await inferencesOf("1", landed.nonce)).toHaveLength(2);
  }, 60_000);
});
