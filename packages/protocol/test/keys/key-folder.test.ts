import { createPrivateKey, createPublicKey } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { privateKeyFromProtobuf } from "@libp2p/crypto/keys";
import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import { afterEach, describe, expect, it } from "vitest";
import { ensureKeyFolder, generateKeyFolder, loadKeyFolder } from "../../src/index.js";

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "allora-keys-"));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/**
 * A priv.bin laid out byte by byte as the Go allora-keys tool writes it (protobuf key type Ed25519, then the 64-byte
 * seed‖public key), with the public key computed by Node's own Ed25519, not by libp2p.
 */
function goStylePrivBin(seed: Uint8Array): Buffer {
  const der = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]);
  const key = createPrivateKey({ key: der, format: "der", type: "pkcs8" });
  const pub = createPublicKey(key).export({ format: "der", type: "spki" }).subarray(-32);
  return Buffer.concat([Buffer.from([0x08, 0x01, 0x12, 0x40]), seed, pub]);
}

describe("key folders", () => {
  it("write the allora-keys files and load back to the same peer id", async () => {
    const dir = join(await tempDir(), "keys");
    const written = await generateKeyFolder(dir);
    const loaded = await loadKeyFolder(dir);
    expect(loaded.peerId).toBe(written.peerId);
    expect(written.peerId).toMatch(/^12D3KooW/);

    const priv = await readFile(join(dir, "priv.bin"));
    expect([...priv.subarray(0, 4)]).toEqual([0x08, 0x01, 0x12, 0x40]);
    expect(priv).toHaveLength(68);
    const pub = await readFile(join(dir, "pub.bin"));
    expect([...pub.subarray(0, 4)]).toEqual([0x08, 0x01, 0x12, 0x20]);
    expect(await readFile(join(dir, "priv.txt"), "utf8")).toBe(priv.toString("base64"));
    expect(await readFile(join(dir, "pubkey.txt"), "utf8")).toBe(pub.toString("base64"));
    expect((await stat(join(dir, "priv.bin"))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, "priv.txt"))).mode & 0o777).toBe(0o600);
  });

  it("identity equals the peer id @libp2p/peer-id derives from priv.bin", async () => {
    const dir = await tempDir();
    await generateKeyFolder(dir);
    const derived = peerIdFromPrivateKey(privateKeyFromProtobuf(await readFile(join(dir, "priv.bin")))).toString();
    expect((await readFile(join(dir, "identity"), "utf8")).trim()).toBe(derived);
  });

  it("loads a priv.bin in the original allora-keys layout", async () => {
    const dir = await tempDir();
    const priv = goStylePrivBin(Buffer.alloc(32, 7));
    await writeFile(join(dir, "priv.bin"), priv);
    const derived = peerIdFromPrivateKey(privateKeyFromProtobuf(priv)).toString();
    expect((await loadKeyFolder(dir)).peerId).toBe(derived);
    await writeFile(join(dir, "identity"), derived);
    expect((await loadKeyFolder(dir)).peerId).toBe(derived);
  });

  it("ensureKeyFolder creates once and reuses after", async () => {
    const dir = join(await tempDir(), "k");
    const first = await ensureKeyFolder(dir);
    const second = await ensureKeyFolder(dir);
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.peerId).toBe(first.peerId);
  });

  it("explains a missing folder, a corrupt key and a mismatched identity", async () => {
    const dir = await tempDir();
    await expect(loadKeyFolder(join(dir, "none"))).rejects.toMatchObject({ code: "KEY_FOLDER_MISSING" });
    await writeFile(join(dir, "priv.bin"), "garbage");
    await expect(loadKeyFolder(dir)).rejects.toMatchObject({ code: "KEY_FILE_INVALID" });
    const other = await tempDir();
    await generateKeyFolder(other);
    await writeFile(join(other, "identity"), "12D3KooWH9GerdSEroL2nqjpd2GuE5dwmqNi7uHX7FoywBdKcP4q");
    await expect(loadKeyFolder(other)).rejects.toMatchObject({ code: "KEY_IDENTITY_MISMATCH" });
  });
});
