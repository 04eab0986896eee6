/**
 * The JSON-RPC face's edges: parse errors, unknown methods, the URI form, batches, tx not found, genesis.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChainFixture, startChain } from "../../support/chain-fixture.js";

describe("JSON-RPC face", () => {
  let fixture: ChainFixture;
  const rpc = async (payload: unknown) => {
    const res = await fixture.node.rpcApp.inject({
      method: "POST",
      url: "/",
      headers: { "content-type": "application/json" },
      payload: typeof payload === "string" ? payload : JSON.stringify(payload),
    });
    return { status: res.statusCode, body: res.json() };
  };

  beforeAll(async () => {
    fixture = await startChain({ faucet: false });
  });
  afterAll(async () => {
    await fixture?.stop();
  });

  it("reports CometBFT 0.38 and the chain id", async () => {
    const { body } = await rpc({ jsonrpc: "2.0", id: 7, method: "status", params: {} });
    expect(body.id).toBe(7);
    expect(body.result.node_info).toMatchObject({
      network: "allora-localnet-1",
      version: expect.stringMatching(/^0\.38\./),
    });
    const get = await fixture.node.rpcApp.inject({ method: "GET", url: "/status" });
    expect(get.json().result.sync_info.catching_up).toBe(false);
  });

  it("answers malformed requests with JSON-RPC errors", async () => {
    expect((await rpc("{nope")).body.error).toMatchObject({ code: -32700 });
    expect((await rpc({ jsonrpc: "2.0", id: 1, method: "no_such_method" })).body.error).toMatchObject({ code: -32601 });
    const missing = await fixture.node.rpcApp.inject({ method: "GET", url: `/tx?hash=0x${"AB".repeat(32)}` });
    expect(missing.json().error).toMatchObject({ code: -32603, data: `tx (${"AB".repeat(32)}) not found` });
    const badQuery = await rpc({ jsonrpc: "2.0", id: 1, method: "tx_search", params: { query: "nonsense" } });
    expect(badQuery.body.error.code).toBe(-32603);
  });

  it("serves batches, blocks and a genesis without the market seed", async () => {
    const { body } = await rpc([
      { jsonrpc: "2.0", id: 1, method: "health" },
      { jsonrpc: "2.0", id: 2, method: "blockchain", params: { minHeight: "1", maxHeight: "1" } },
      { jsonrpc: "2.0", id: 3, method: "block_results", params: { height: "1" } },
      { jsonrpc: "2.0", id: 4, method: "genesis" },
      { jsonrpc: "2.0", id: 5, method: "abci_query", params: { path: "/no.Such/Query", data: "" } },
    ]);
    expect(body).toHaveLength(5);
    expect(body[1].result.block_metas[0].header.height).toBe("1");
    // Block 1 opened the first round of topic 1.
    expect(body[2].result.finalize_block_events[0].type).toBe("allora.localnet.v1.round_opened");
    expect(JSON.stringify(body[3].result)).not.toContain(fixture.marketSeed);
    expect(body[4].result.response).toMatchObject({ code: 18, codespace: "sdk" });
  });
});
