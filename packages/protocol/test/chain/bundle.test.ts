import { createPublicKey, createVerify } from "node:crypto";
import { Secp256k1, sha256 } from "@cosmjs/crypto";
import { toHex } from "@cosmjs/encoding";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { describe, expect, it } from "vitest";
import {
  AlloraError,
  deriveChainAccount,
  generateMnemonic,
  InferenceForecastBundle,
  makeBundleSignBytes,
  signWorkerBundle,
  verifyWorkerBundle,
  WorkerDataBundle,
} from "../../src/index.js";

// A published BIP39 test phrase; it holds nothing.
const MNEMONIC = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AlloraError);
  expect((err as AlloraError).code).toBe(code);
}

describe("account derivation", () => {
  it("derives the same address as cosmjs's HD wallet with the allo prefix", async () => {
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(MNEMONIC, { prefix: "allo" });
    const [expected] = await wallet.getAccounts();
    const account = await deriveChainAccount(MNEMONIC);
    expect(account.address).toBe(expected?.address);
    expect(toHex(account.pubkey)).toBe(toHex(expected!.pubkey));
  });

  it("gives addresses cosmjs decodes back (guards the bech32 dependency cosmjs relies on)", async () => {
    const { fromBech32 } = await import("@cosmjs/encoding");
    const account = await deriveChainAccount(MNEMONIC);
    expect(fromBech32(account.address).prefix).toBe("allo");
  });

  it("rejects a phrase that is not BIP39", async () => {
    await expectCode(deriveChainAccount("not a mnemonic at all"), "MNEMONIC_INVALID");
  });

  it("generates 24-word mnemonics that derive distinct accounts", async () => {
    const a = generateMnemonic();
    expect(a.split(" ")).toHaveLength(24);
    expect((await deriveChainAccount(a)).address).not.toBe((await deriveChainAccount(generateMnemonic())).address);
  });
});

describe("worker bundles", () => {
  it("a bundle signed with a known mnemonic verifies, here and with OpenSSL", async () => {
    const account = await deriveChainAccount(MNEMONIC);
    const bundle = await signWorkerBundle(account, { topicId: 1n, blockHeight: 120n, value: "2946.45" });
    await verifyWorkerBundle(bundle);
    expect(bundle.worker).toBe(account.address);
    expect(bundle.pubkey).toBe(toHex(account.pubkey));

    // Independent check: Node's OpenSSL verifies the same r||s over sha256(bytes) with the uncompressed key.
    const uncompressed = Secp256k1.uncompressPubkey(account.pubkey);
    const key = createPublicKey({
      key: {
        kty: "EC",
        crv: "secp256k1",
        x: Buffer.from(uncompressed.subarray(1, 33)).toString("base64url"),
        y: Buffer.from(uncompressed.subarray(33)).toString("base64url"),
      },
      format: "jwk",
    });
    const verifier = createVerify("sha256");
    verifier.update(makeBundleSignBytes(bundle.inferenceForecastsBundle!));
    expect(
      verifier.verify({ key, dsaEncoding: "ieee-p1363" }, Buffer.from(bundle.inferencesForecastsBundleSignature)),
    ).toBe(true);
  });

  it("signatures are deterministic (RFC 6979), so the signed bytes are pinned", async () => {
    const account = await deriveChainAccount(MNEMONIC);
    const a = await signWorkerBundle(account, { topicId: 1n, blockHeight: 120n, value: "2946.45" });
    const b = await signWorkerBundle(account, { topicId: 1n, blockHeight: 120n, value: "2946.45" });
    expect(toHex(WorkerDataBundle.encode(a).finish())).toBe(toHex(WorkerDataBundle.encode(b).finish()));
    expect(toHex(sha256(makeBundleSignBytes(a.inferenceForecastsBundle!)))).toMatch(/^[0-9a-f]{64}$/);
  });

  it("fails after any byte of the signed bundle changes", async () => {
    const account = await deriveChainAccount(MNEMONIC);
    const bundle = await signWorkerBundle(account, { topicId: 1n, blockHeight: 120n, value: "2946.45" });
    const signed = makeBundleSignBytes(bundle.inferenceForecastsBundle!);
    let rejected = 0;
    for (let i = 0; i < signed.length; i++) {
      const tampered = signed.slice();
      tampered[i] = (tampered[i] as number) ^ 0x01;
      let inner: InferenceForecastBundle;
      try {
        inner = InferenceForecastBundle.decode(tampered);
      } catch {
        rejected++; // undecodable bytes are rejected before any signature check
        continue;
      }
      const err = await verifyWorkerBundle({ ...bundle, inferenceForecastsBundle: inner }).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (err instanceof AlloraError) rejected++;
    }
    expect(rejected).toBe(signed.length);
  });

  it("fails when a signature byte changes", async () => {
    const account = await deriveChainAccount(MNEMONIC);
    const bundle = await signWorkerBundle(account, { topicId: 1n, blockHeight: 120n, value: "2946.45" });
    for (const i of [0, 31, 32, 63]) {
      const sig = bundle.inferencesForecastsBundleSignature.slice();
      sig[i] = (sig[i] as number) ^ 0x80;
      await expect(verifyWorkerBundle({ ...bundle, inferencesForecastsBundleSignature: sig })).rejects.toThrow(
        AlloraError,
      );
    }
  });

  it("fails with another key: signature, pubkey and address each checked", async () => {
    const account = await deriveChainAccount(MNEMONIC);
    const other = await deriveChainAccount(generateMnemonic());
    const bundle = await signWorkerBundle(account, { topicId: 1n, blockHeight: 120n, value: "2946.45" });
    const forged = await signWorkerBundle(other, { topicId: 1n, blockHeight: 120n, value: "2946.45" });
    // other key's pubkey but the original claims: address mismatch
    await expectCode(verifyWorkerBundle({ ...bundle, pubkey: toHex(other.pubkey) }), "BUNDLE_ADDRESS_MISMATCH");
    // original pubkey and claims, other key's signature: signature invalid
    await expectCode(
      verifyWorkerBundle({ ...bundle, inferencesForecastsBundleSignature: forged.inferencesForecastsBundleSignature }),
      "BUNDLE_SIGNATURE_INVALID",
    );
  });

  it("rejects malformed pubkeys, empty bundles, mismatched fields and exponent values", async () => {
    const account = await deriveChainAccount(MNEMONIC);
    const bundle = await signWorkerBundle(account, { topicId: 1n, blockHeight: 120n, value: "2946.45" });
    await expectCode(verifyWorkerBundle({ ...bundle, pubkey: "zz" }), "BUNDLE_PUBKEY_INVALID");
    await expectCode(verifyWorkerBundle({ ...bundle, pubkey: bundle.pubkey.slice(2) }), "BUNDLE_PUBKEY_INVALID");
    await expectCode(verifyWorkerBundle({ ...bundle, inferenceForecastsBundle: {} as never }), "BUNDLE_EMPTY");
    await expectCode(verifyWorkerBundle({ ...bundle, topicId: 2n }), "BUNDLE_FIELD_MISMATCH");
    await expectCode(verifyWorkerBundle({ ...bundle, nonce: { blockHeight: 121n } }), "BUNDLE_FIELD_MISMATCH");
    await expectCode(verifyWorkerBundle({ ...bundle, nonce: undefined }), "BUNDLE_FIELD_MISMATCH");
    await expectCode(verifyWorkerBundle({ ...bundle, nonce: { blockHeight: 0n } }), "BUNDLE_FIELD_MISMATCH");
    await expectCode(signWorkerBundle(account, { topicId: 1n, blockHeight: 1n, value: "2.9e3" }), "DECIMAL_INVALID");
  });
});
