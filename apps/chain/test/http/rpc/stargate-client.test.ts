/**
 * Stock cosmjs 0.39 (plus only createAlloraRegistry) against a real chain: faucet, sends with an explicit fee and
 * with "auto", balances, and finding txs by hash and by search.
 */
import { createAlloraRegistry, makeSignedTx } from "@allora/protocol";
import { StargateClient } from "@cosmjs/stargate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChainFixture, startChain } from "../../support/chain-fixture.js";
import { broadcastRaw, getJson, postJson } from "../../support/http.js";
import { waitFor } from "../../support/wait-for.js";
import { connectSigner, FEE, newWallet, type TestWallet } from "../../support/wallets.js";

describe("stock cosmjs clients", () => {
  let fixture: ChainFixture;
  let alice: TestWallet;
  let bob: TestWallet;

  beforeAll(async () => {
    fixture = await startChain();
    [alice, bob] = await Promise.all([newWallet(), newWallet()]);
  });
  afterAll(async () => {
    await fixture?.stop();
  });

  it("connects and reads the chain id and height", async () => {
    const client = await StargateClient.connect(fixture.rpcUrl);
    try {
      expect(await client.getChainId()).toBe("allora-localnet-1");
      expect(await client.getHeight()).toBeGreaterThanOrEqual(1);
      expect(await client.getAccount(alice.address)).toBeNull();
      const block = await client.getBlock();
      expect(block.header.chainId).toBe("allora-localnet-1");
      expect(block.header.height).toBeGreaterThanOrEqual(1);
    } finally {
      client.disconnect();
    }
  });

  it("funds a fresh wallet from the faucet, sends with explicit and auto fees, and finds the txs", async () => {
    const funded = await postJson<{ tx_hash: string; amount: string; height: string }>(`${fixture.restUrl}/faucet`, {
      address: alice.address,
    });
    expect(funded.status).toBe(200);
    expect(funded.body.amount).toBe("100000000");

    const client = await connectSigner(fixture.rpcUrl, alice);
    try {
      // The faucet answers once its transfer is committed: the balance is already there.
      expect(await client.getBalance(alice.address, "uallo")).toEqual({ denom: "uallo", amount: "100000000" });
      const faucetTx = await client.getTx(funded.body.tx_hash);
      expect(faucetTx?.code).toBe(0);
      expect(faucetTx?.height).toBe(Number(funded.body.height));

      const explicit = await client.sendTokens(
        alice.address,
        bob.address,
        [{ denom: "uallo", amount: "1234" }],
        FEE,
        "explicit",
      );
      expect(explicit.code).toBe(0);
      const auto = await client.sendTokens(alice.address, bob.address, [{ denom: "uallo", amount: "766" }], "auto");
      expect(auto.code).toBe(0);
      expect(Number(auto.gasUsed)).toBeGreaterThan(0);

      expect(await client.getBalance(bob.address, "uallo")).toEqual({ denom: "uallo", amount: "2000" });
      expect(await client.getAllBalances(bob.address)).toEqual([{ denom: "uallo", amount: "2000" }]);
      const autoTx = await client.getTx(auto.transactionHash);
      const autoFee =
        100000000 -
        1234 -
        766 -
        500 -
        Number(
          (
            await getJson<{ balances: Array<{ amount: string }> }>(
              `${fixture.restUrl}/cosmos/bank/v1beta1/balances/${alice.address}`,
            )
          ).body.balances[0]?.amount,
        );
      expect(autoFee).toBeGreaterThanOrEqual(100); // tx_fee_min
      expect(autoTx?.hash).toBe(auto.transactionHash);

      const found = await client.getTx(explicit.transactionHash);
      expect(found?.height).toBe(explicit.height);
      expect(
        found?.events.some((e) => e.type === "transfer" && e.attributes.some((a) => a.value === bob.address)),
      ).toBe(true);

      const bySender = await client.searchTx(`message.sender='${alice.address}'`);
      expect(bySender.map((t) => t.hash).sort()).toEqual([explicit.transactionHash, auto.transactionHash].sort());
      const byRecipient = await client.searchTx([{ key: "transfer.recipient", value: bob.address }]);
      expect(byRecipient).toHaveLength(2);
      const byHeight = await client.searchTx([{ key: "tx.height", value: explicit.height }]);
      expect(byHeight.map((t) => t.hash)).toContain(explicit.transactionHash);

      const account = await client.getAccount(alice.address);
      expect(account?.sequence).toBe(2);
      expect(account?.pubkey).not.toBeNull();
      const sequence = await client.getSequence(alice.address);
      expect(sequence.sequence).toBe(2);
    } finally {
      client.disconnect();
    }
  });

  it("accepts a signer's consecutive txs sent at once, and both land", async () => {
    const client = await connectSigner(fixture.rpcUrl, alice);
    try {
      const { accountNumber, sequence } = await client.getSequence(alice.address);
      const signed = await Promise.all(
        [0, 1].map((i) =>
          makeSignedTx({
            registry: createAlloraRegistry(),
            account: alice.account,
            messages: [
              {
                typeUrl: "/cosmos.bank.v1beta1.MsgSend",
                value: {
                  fromAddress: alice.address,
                  toAddress: bob.address,
                  amount: [{ denom: "uallo", amount: "1" }],
                },
              },
            ],
            chainId: "allora-localnet-1",
            accountNumber,
            sequence: sequence + i,
            fee: { amount: [{ denom: "uallo", amount: "500" }], gas: 200000 },
          }),
        ),
      );
      const results = await Promise.all(signed.map((bytes) => broadcastRaw(fixture.rpcUrl, bytes)));
      expect(results.map((r) => r.code)).toEqual([0, 0]);
      for (const r of results) {
        const tx = await waitFor(() => client.getTx(r.hash), { what: `tx ${r.hash}` });
        expect(tx.code).toBe(0);
      }
      expect((await client.getSequence(alice.address)).sequence).toBe(sequence + 2);
    } finally {
      client.disconnect();
    }
  });

  it("answers the REST account and balance paths", async () => {
    const account = await getJson<{ account: Record<string, unknown> }>(
      `${fixture.restUrl}/cosmos/auth/v1beta1/accounts/${alice.address}`,
    );
    expect(account.status).toBe(200);
    expect(account.body.account).toMatchObject({
      "@type": "/cosmos.auth.v1beta1.BaseAccount",
      address: alice.address,
      sequence: "4",
    });
    const missing = await getJson(`${fixture.restUrl}/cosmos/auth/v1beta1/accounts/${(await newWallet()).address}`);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: 22, codespace: "sdk", reason: "NOT_FOUND" });
  });
});
