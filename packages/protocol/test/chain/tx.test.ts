import { encodeSecp256k1Pubkey } from "@cosmjs/amino";
import { DirectSecp256k1HdWallet, encodePubkey, makeAuthInfoBytes, makeSignDoc } from "@cosmjs/proto-signing";
import { SignMode } from "cosmjs-types/cosmos/tx/signing/v1beta1/signing";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { describe, expect, it } from "vitest";
import {
  AlloraError,
  createAlloraRegistry,
  decodeSignedTx,
  deriveChainAccount,
  generateMnemonic,
  LOCALNET_CHAIN_ID,
  MsgRegister,
  makeSignedTx,
  TypeUrls,
  verifySignedTx,
} from "../../src/index.js";

const MNEMONIC = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
const fee = { amount: [{ denom: "uallo", amount: "2000" }], gas: 200_000 };

async function signedRegisterTx(accountNumber = 7, sequence = 3) {
  const account = await deriveChainAccount(MNEMONIC);
  const registry = createAlloraRegistry();
  const msg = {
    typeUrl: TypeUrls.MsgRegister,
    value: MsgRegister.fromPartial({
      sender: account.address,
      libP2pKey: "12D3KooWH9GerdSEroL2nqjpd2GuE5dwmqNi7uHX7FoywBdKcP4q",
      multiAddress: "/ip4/127.0.0.1/tcp/9011",
      topicId: 1n,
      owner: account.address,
    }),
  };
  const bytes = await makeSignedTx({
    registry,
    account,
    messages: [msg],
    chainId: LOCALNET_CHAIN_ID,
    accountNumber,
    sequence,
    fee,
    memo: "register",
  });
  return { account, registry, bytes };
}

describe("transactions", () => {
  it("a signed TxRaw verifies from its bytes alone and exposes signer, sequence and messages", async () => {
    const { account, registry, bytes } = await signedRegisterTx();
    const tx = await verifySignedTx(bytes, { chainId: LOCALNET_CHAIN_ID, accountNumber: 7 });
    expect(tx.signer).toBe(account.address);
    expect(tx.sequence).toBe(3n);
    expect(tx.memo).toBe("register");
    expect(tx.fee.gasLimit).toBe(200_000n);
    expect(tx.messages[0]?.typeUrl).toBe(TypeUrls.MsgRegister);
    expect(registry.decode(tx.messages[0]!)).toMatchObject({ sender: account.address, topicId: 1n });
  });

  it("fails with a wrong chain id or a wrong account number", async () => {
    const { bytes } = await signedRegisterTx();
    await expect(verifySignedTx(bytes, { chainId: "allora-testnet-1", accountNumber: 7 })).rejects.toMatchObject({
      code: "TX_SIGNATURE_INVALID",
    });
    await expect(verifySignedTx(bytes, { chainId: LOCALNET_CHAIN_ID, accountNumber: 8 })).rejects.toMatchObject({
      code: "TX_SIGNATURE_INVALID",
    });
  });

  it("refuses a high-S signature (the malleable twin of a valid one)", async () => {
    const { bytes } = await signedRegisterTx();
    const raw = TxRaw.decode(bytes);
    const sig = raw.signatures[0]!;
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const s = BigInt(`0x${Buffer.from(sig.subarray(32)).toString("hex")}`);
    const high = Buffer.from((n - s).toString(16).padStart(64, "0"), "hex");
    const twin = TxRaw.encode({ ...raw, signatures: [Uint8Array.from([...sig.subarray(0, 32), ...high])] }).finish();
    await expect(verifySignedTx(twin, { chainId: LOCALNET_CHAIN_ID, accountNumber: 7 })).rejects.toMatchObject({
      code: "TX_SIGNATURE_INVALID",
    });
  });

  it("refuses a signature that declares a sign mode other than SIGN_MODE_DIRECT", async () => {
    const account = await deriveChainAccount(MNEMONIC);
    const registry = createAlloraRegistry();
    const bodyBytes = registry.encodeTxBody({ messages: [], memo: "" });
    const authInfoBytes = makeAuthInfoBytes(
      [{ pubkey: encodePubkey(encodeSecp256k1Pubkey(account.pubkey)), sequence: 0n }],
      fee.amount,
      fee.gas,
      undefined,
      undefined,
      SignMode.SIGN_MODE_LEGACY_AMINO_JSON,
    );
    const direct = await makeSignedTx({
      registry,
      account,
      messages: [],
      chainId: LOCALNET_CHAIN_ID,
      accountNumber: 7,
      sequence: 0,
      fee,
    });
    const signature = TxRaw.decode(direct).signatures[0]!;
    const amino = TxRaw.encode({ bodyBytes, authInfoBytes, signatures: [signature] }).finish();
    await expect(verifySignedTx(amino, { chainId: LOCALNET_CHAIN_ID, accountNumber: 7 })).rejects.toMatchObject({
      code: "TX_SIGNATURE_INVALID",
    });
  });

  it("fails when the body is changed after signing", async () => {
    const { bytes } = await signedRegisterTx();
    const raw = TxRaw.decode(bytes);
    const body = raw.bodyBytes.slice();
    body[body.length - 1] = (body[body.length - 1] as number) ^ 0x01;
    const tampered = TxRaw.encode({ ...raw, bodyBytes: body }).finish();
    await expect(verifySignedTx(tampered, { chainId: LOCALNET_CHAIN_ID, accountNumber: 7 })).rejects.toBeInstanceOf(
      AlloraError,
    );
  });

  it("verifies a transaction signed by cosmjs's own wallet (the signer is not our code)", async () => {
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(MNEMONIC, { prefix: "allo" });
    const [acc] = await wallet.getAccounts();
    const registry = createAlloraRegistry();
    const bodyBytes = registry.encodeTxBody({
      messages: [
        { typeUrl: TypeUrls.MsgSend, value: { fromAddress: acc!.address, toAddress: acc!.address, amount: [] } },
      ],
      memo: "",
    });
    const authInfoBytes = makeAuthInfoBytes(
      [{ pubkey: encodePubkey(encodeSecp256k1Pubkey(acc!.pubkey)), sequence: 0n }],
      fee.amount,
      fee.gas,
      undefined,
      undefined,
    );
    const { signature } = await wallet.signDirect(
      acc!.address,
      makeSignDoc(bodyBytes, authInfoBytes, LOCALNET_CHAIN_ID, 2),
    );
    const bytes = TxRaw.encode({
      bodyBytes,
      authInfoBytes,
      signatures: [Buffer.from(signature.signature, "base64")],
    }).finish();
    const tx = await verifySignedTx(bytes, { chainId: LOCALNET_CHAIN_ID, accountNumber: 2 });
    expect(tx.signer).toBe(acc!.address);
  });

  it("rejects undecodable bytes and transactions without exactly one signer", async () => {
    expect(() => decodeSignedTx(Uint8Array.from([0xff, 0xff, 0xff]))).toThrow(
      expect.objectContaining({ code: "TX_DECODE_FAILED" }),
    );
    const { bytes } = await signedRegisterTx();
    const raw = TxRaw.decode(bytes);
    const twoSigs = TxRaw.encode({ ...raw, signatures: [raw.signatures[0]!, raw.signatures[0]!] }).finish();
    expect(() => decodeSignedTx(twoSigs)).toThrow(expect.objectContaining({ code: "TX_SIGNER_INVALID" }));
  });

  it("another key's signature over the same body does not verify", async () => {
    const { bytes } = await signedRegisterTx();
    const other = await deriveChainAccount(generateMnemonic());
    const otherBytes = await makeSignedTx({
      registry: createAlloraRegistry(),
      account: other,
      messages: [],
      chainId: LOCALNET_CHAIN_ID,
      accountNumber: 7,
      sequence: 3,
      fee,
    });
    const raw = TxRaw.decode(bytes);
    const forged = TxRaw.encode({ ...raw, signatures: TxRaw.decode(otherBytes).signatures }).finish();
    await expect(verifySignedTx(forged, { chainId: LOCALNET_CHAIN_ID, accountNumber: 7 })).rejects.toMatchObject({
      code: "TX_SIGNATURE_INVALID",
    });
  });
});
