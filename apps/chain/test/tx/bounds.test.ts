/**
 * The chain stores nothing for free: a tx padded to 2 MB, one padded inside its size cap through extension options,
 * one that pays no fee and one whose gas limit is below its gas are each refused with a code, and none reaches a
 * block. A normal tx with the same message passes, so the refusals are the bounds and not a broken signer.
 */
import { createAlloraRegistry } from "@allora/protocol";
import { encodeSecp256k1Pubkey } from "@cosmjs/amino";
import { encodePubkey, makeAuthInfoBytes, makeSignDoc } from "@cosmjs/proto-signing";
import type { SigningStargateClient } from "@cosmjs/stargate";
import { TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChainFixture, startChain } from "../support/chain-fixture.js";
import { broadcastRaw } from "../support/http.js";
import { fund } from "../support/network.js";
import { waitFor } from "../support/wait-for.js";
import { connectSigner, newWallet, type TestWallet } from "../support/wallets.js";

const registry = createAlloraRegistry();

describe("tx bounds", () => {
  let fixture: ChainFixture;
  let sender: TestWallet;
  let client: SigningStargateClient;

  beforeAll(async () => {
    sender = await newWallet();
    fixture = await startChain({ params: { tx_fee_min: "1000" } });
    await fund(fixture.restUrl, sender.address);
    client = await connectSigner(fixture.rpcUrl, sender);
  });
  afterAll(async () => {
    client?.disconnect();
    await fixture?.stop();
  });

  /** A signed MsgSend tx with the given fee, gas and extension-option padding. */
  async function signedSend(options: { fee: string | undefined; gas: number; padding?: number; critical?: boolean }) {
    const { accountNumber, sequence } = await client.getSequence(sender.address);
    const msg = registry.encodeAsAny({
      typeUrl: "/cosmos.bank.v1beta1.MsgSend",
      value: {
        fromAddress: sender.address,
        toAddress: sender.address,
        amount: [{ denom: "uallo", amount: "1" }],
      },
    });
    const pad = options.padding ? [{ typeUrl: "/pad", value: new Uint8Array(options.padding).fill(7) }] : [];
    const bodyBytes = TxBody.encode(
      TxBody.fromPartial({
        messages: [msg],
        ...(options.critical ? { extensionOptions: pad } : { nonCriticalExtensionOptions: pad }),
      }),
    ).finish();
    const authInfoBytes = makeAuthInfoBytes(
      [{ pubkey: encodePubkey(encodeSecp256k1Pubkey(sender.account.pubkey)), sequence }],
      options.fee === undefined ? [] : [{ denom: "uallo", amount: options.fee }],
      options.gas,
      undefined,
      undefined,
    );
    const { signature } = await sender.wallet.signDirect(
      sender.address,
      makeSignDoc(bodyBytes, authInfoBytes, "allora-localnet-1", accountNumber),
    );
    return TxRaw.encode(
      TxRaw.fromPartial({ bodyBytes, authInfoBytes, signatures: [Buffer.from(signature.signature, "base64")] }),
    ).finish();
  }

  it("refuses a tx padded to 2 MB in non_critical_extension_options (sdk 21) before parsing it", async () => {
    const bytes = await signedSend({ fee: "100000000", gas: 100_000_000, padding: 2_000_000 });
    expect(bytes.length).toBeGreaterThan(2_000_000);
    const res = await broadcastRaw(fixture.rpcUrl, bytes);
    expect(res).toMatchObject({ code: 21, codespace: "sdk" });
    expect(res.log).toMatch(/tx is \d+ bytes, the limit is 1052672: tx too large/);
  });

  it("refuses a MsgSend tx padded past what one MsgSend needs (sdk 21), and extension options (sdk 31)", async () => {
    const padded = await broadcastRaw(
      fixture.rpcUrl,
      await signedSend({ fee: "10000000", gas: 10_000_000, padding: 100_000 }),
    );
    expect(padded).toMatchObject({ code: 21, codespace: "sdk" });
    expect(padded.log).toContain("its 1 message(s) allow at most 20480");
    const small = await broadcastRaw(fixture.rpcUrl, await signedSend({ fee: "100000", gas: 200_000, padding: 2000 }));
    expect(small).toMatchObject({ code: 31, codespace: "sdk" });
    expect(small.log).toContain("non_critical_extension_options of 2004 bytes");
    const critical = await broadcastRaw(
      fixture.rpcUrl,
      await signedSend({ fee: "100000", gas: 200_000, padding: 8, critical: true }),
    );
    expect(critical).toMatchObject({ code: 31, codespace: "sdk" });
    expect(critical.log).toContain("this chain knows none");
  });

  it("refuses a fee-less tx (sdk 13) and a gas limit below the tx's gas (sdk 11)", async () => {
    const feeless = await broadcastRaw(fixture.rpcUrl, await signedSend({ fee: undefined, gas: 200_000 }));
    expect(feeless).toMatchObject({ code: 13, codespace: "sdk" });
    expect(feeless.log).toBe("insufficient fee; got: 0uallo required: 1000uallo: insufficient fee");
    const starved = await broadcastRaw(fixture.rpcUrl, await signedSend({ fee: "5000", gas: 1000 }));
    expect(starved).toMatchObject({ code: 11, codespace: "sdk" });
    expect(starved.log).toMatch(/^out of gas; gasWanted: 1000, gasUsed: \d+: out of gas$/);
  });

  it("takes the same MsgSend with a fee and enough gas, and stored none of the refused ones", async () => {
    const { sequence } = await client.getSequence(sender.address);
    expect(sequence).toBe(0); // no refused tx consumed a sequence or reached a block
    const ok = await broadcastRaw(fixture.rpcUrl, await signedSend({ fee: "1000", gas: 200_000 }));
    expect(ok).toMatchObject({ code: 0 });
    const tx = await waitFor(() => client.getTx(ok.hash), { what: "the normal tx to commit" });
    expect(tx.code).toBe(0);
  });
});
