/**
 * libp2p identities in the `allora-keys` folder format, so folders made by the original tool load here and the
 * other way round:
 *
 * | file | content | mode |
 * | --- | --- | --- |
 * | `priv.bin` | protobuf private key (`08 01 12 40` + seed‖pubkey) | 0600 |
 * | `priv.txt` | base64 of `priv.bin` | 0600 |
 * | `pub.bin` | protobuf public key (`08 01 12 20` + pubkey) | 0644 |
 * | `pubkey.txt` | base64 of `pub.bin` | 0644 |
 * | `identity` | the peer id, `12D3KooW…` | 0644 |
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { PrivateKey } from "@libp2p/interface";
import { AlloraError } from "../errors.js";

/** libp2p's key and peer id code, loaded on first use, so importing the library does not pay for it (~0.1 s). */
let libp2p: Promise<[typeof import("@libp2p/crypto/keys"), typeof import("@libp2p/peer-id")]> | undefined;
const loadLibp2p = () => {
  libp2p ??= Promise.all([import("@libp2p/crypto/keys"), import("@libp2p/peer-id")]);
  return libp2p;
};

/** A loaded libp2p identity. */
export interface NodeIdentity {
  privateKey: PrivateKey;
  /** The peer id string, `12D3KooW…`. */
  peerId: string;
}

/** File names of a key folder. */
export const KeyFiles = {
  privBin: "priv.bin",
  privTxt: "priv.txt",
  pubBin: "pub.bin",
  pubTxt: "pubkey.txt",
  identity: "identity",
} as const;

async function writeAtomic(path: string, data: string | Uint8Array, mode: number): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, data, { mode });
  await rename(tmp, path);
}

/** Writes `privateKey` into `dir` in the allora-keys format (creating `dir`, mode 0700). */
export async function writeKeyFolder(dir: string, privateKey: PrivateKey): Promise<NodeIdentity> {
  const [{ privateKeyToProtobuf, publicKeyToProtobuf }, { peerIdFromPrivateKey }] = await loadLibp2p();
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const priv = privateKeyToProtobuf(privateKey);
  const pub = publicKeyToProtobuf(privateKey.publicKey);
  const peerId = peerIdFromPrivateKey(privateKey).toString();
  await writeAtomic(join(dir, KeyFiles.privBin), priv, 0o600);
  await writeAtomic(join(dir, KeyFiles.privTxt), Buffer.from(priv).toString("base64"), 0o600);
  await writeAtomic(join(dir, KeyFiles.pubBin), pub, 0o644);
  await writeAtomic(join(dir, KeyFiles.pubTxt), Buffer.from(pub).toString("base64"), 0o644);
  await writeAtomic(join(dir, KeyFiles.identity), peerId, 0o644);
  return { privateKey, peerId };
}

/** Generates a new Ed25519 identity and writes it into `dir`. */
export async function generateKeyFolder(dir: string): Promise<NodeIdentity> {
  const [{ generateKeyPair }] = await loadLibp2p();
  return writeKeyFolder(dir, await generateKeyPair("Ed25519"));
}

/**
 * Loads the identity in `dir`. Throws `KEY_FOLDER_MISSING`, `KEY_FILE_INVALID`, or `KEY_IDENTITY_MISMATCH` when
 * `identity` names another peer than `priv.bin`.
 */
export async function loadKeyFolder(dir: string): Promise<NodeIdentity> {
  let priv: Uint8Array;
  try {
    priv = await readFile(join(dir, KeyFiles.privBin));
  } catch (cause) {
    throw new AlloraError("KEY_FOLDER_MISSING", `no ${KeyFiles.privBin} in key folder ${dir}`, {
      cause,
      details: { dir },
    });
  }
  const [{ privateKeyFromProtobuf }, { peerIdFromPrivateKey }] = await loadLibp2p();
  let privateKey: PrivateKey;
  try {
    privateKey = privateKeyFromProtobuf(priv);
  } catch (cause) {
    throw new AlloraError("KEY_FILE_INVALID", `${join(dir, KeyFiles.privBin)} is not a libp2p private key`, { cause });
  }
  if (privateKey.type !== "Ed25519") {
    throw new AlloraError(
      "KEY_FILE_INVALID",
      `${join(dir, KeyFiles.privBin)} holds a ${privateKey.type} key; Ed25519 expected`,
    );
  }
  const peerId = peerIdFromPrivateKey(privateKey).toString();
  let identity: string | undefined;
  try {
    identity = (await readFile(join(dir, KeyFiles.identity), "utf8")).trim();
  } catch {
    identity = undefined;
  }
  if (identity !== undefined && identity !== peerId) {
    throw new AlloraError(
      "KEY_IDENTITY_MISMATCH",
      `${join(dir, KeyFiles.identity)} says ${identity} but priv.bin is the key of ${peerId}; restore the matching files`,
      { details: { identity, derived: peerId } },
    );
  }
  return { privateKey, peerId };
}

/** Loads the identity in `dir`, generating one first when the folder has none. Returns whether it was created. */
export async function ensureKeyFolder(dir: string): Promise<NodeIdentity & { created: boolean }> {
  try {
    return { ...(await loadKeyFolder(dir)), created: false };
  } catch (err) {
    if (!(err instanceof AlloraError && err.code === "KEY_FOLDER_MISSING")) throw err;
    return { ...(await generateKeyFolder(dir)), created: true };
  }
}
