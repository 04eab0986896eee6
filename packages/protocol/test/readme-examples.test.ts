/**
 * The examples of packages/protocol/README.md, run as written (imports from the source instead of the package name),
 * with the values the README shows. The head client runs against a local stand-in that answers like a head; the
 * SigningStargateClient examples need a chain and `@cosmjs/stargate`, so only their registry part runs here. The
 * README's programs themselves, as written, run in e2e/test/consumer against the packed tarball and a dev network.
 */
import { access, mkdtemp, readdir, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AlloraError,
  createAlloraRegistry,
  createHeadClient,
  createPriceSeries,
  decodeP2pMessage,
  deriveChainAccount,
  ErrorCatalogue,
  ExecuteRequest,
  encodeP2pMessage,
  ensureKeyFolder,
  formatDecimal,
  GUIDE_FUNCTION_CID,
  GUIDE_FUNCTION_METHOD,
  HeadRequestError,
  isAlloraError,
  LOCALNET_CHAIN_ID,
  loadKeyFolder,
  MsgCreateTopic,
  MsgRegister,
  makeFunctionPackage,
  makeSignedTx,
  openFunctionPackage,
  signWorkerBundle,
  TypeUrls,
  unpackFunctionPackage,
  verifyCid,
  verifySignedTx,
  verifyWorkerBundle,
  WorkerDataBundle,
  workerTopicName,
} from "../src/index.js";

// A published BIP39 test phrase; it holds nothing.
const mnemonic = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "allora-readme-"));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe("README: call a head", () => {
  let server: Server;
  let baseUrl: string;
  const answer = {
    code: "200",
    request_id: "84479b17-fdeb-4c61-b9c3-ba72c137353e",
    results: [
      {
        result: { stdout: '{"infererValue": "3065.890427"}\n', stderr: "", exit_code: 0 },
        peers: ["12D3KooWAVkaPvk4qhEwwbGLj5CiAeWwqx2fPFwhrRpW9hzziszR"],
        frequency: 100,
      },
    ],
    usage: { "12D3KooWAVkaPvk4qhEwwbGLj5CiAeWwqx2fPFwhrRpW9hzziszR": { wall_clock_time: 450121003 } },
    cluster: {
      main: "12D3KooWAVkaPvk4qhEwwbGLj5CiAeWwqx2fPFwhrRpW9hzziszR",
      peers: ["12D3KooWAVkaPvk4qhEwwbGLj5CiAeWwqx2fPFwhrRpW9hzziszR"],
    },
  };

  beforeAll(async () => {
    // Answers like a head: the execute route validates `topic` the way the real one does.
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        res.setHeader("content-type", "application/json");
        if (req.method === "POST" && req.url === "/api/v1/functions/execute") {
          const request = JSON.parse(body) as { topic?: string };
          if (request.topic !== "1") {
            res.statusCode = 400;
            res.end(
              JSON.stringify({
                code: "TOPIC_INVALID",
                message: `topic "${request.topic}" is a gossip topic name; the REST API takes the topic id itself: "1"`,
              }),
            );
          } else res.end(JSON.stringify(answer));
        } else {
          res.statusCode = 404;
          res.end(JSON.stringify({ code: "ROUTE_NOT_FOUND", message: `no route ${req.method} ${req.url}` }));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("executes, reads the results, and turns a 4xx into HeadRequestError", async () => {
    const head = createHeadClient(baseUrl); // README: "http://localhost:6000"
    const res = await head.execute({
      function_id: GUIDE_FUNCTION_CID,
      method: GUIDE_FUNCTION_METHOD,
      topic: "1",
      config: { env_vars: [{ name: "ALLORA_ARG_PARAMS", value: "ETH" }], number_of_nodes: -1, timeout: 2 },
    });
    const values: string[] = [];
    for (const r of res.results ?? []) values.push(JSON.parse(r.result.stdout).infererValue);
    expect(res.code).toBe("200");
    expect(values).toEqual(["3065.890427"]);
    expect(res.failures).toBeUndefined();

    let caught: unknown;
    try {
      await head.execute({ function_id: GUIDE_FUNCTION_CID, method: GUIDE_FUNCTION_METHOD, topic: workerTopicName(1) });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(HeadRequestError);
    expect((caught as HeadRequestError).status).toBe(400);
    expect((caught as HeadRequestError).body.code).toBe("TOPIC_INVALID");
  });

  it("validates a request body with the exported schema", () => {
    const check = TypeCompiler.Compile(ExecuteRequest);
    expect(check.Check({ function_id: GUIDE_FUNCTION_CID, method: GUIDE_FUNCTION_METHOD, topic: "1" })).toBe(true);
    expect(check.Errors({ function_id: 42, method: "m" }).First()?.path).toBe("/function_id");
  });
});

describe("README: p2p messages", () => {
  it("encodes, frames and decodes a roll call, and names what is wrong with a bad one", () => {
    const bytes = encodeP2pMessage({
      type: "MsgRollCall",
      origin: "12D3KooWMYDEBPyWnUbQw8i92ynWi5t3R3z1TRQwVB4ihSgp2RGu",
      function_id: "bafkreie7yin27j5gdorsa332tijhmzzrvizb2ure6eofmoga3whuouvpay",
      request_id: "84479b17-fdeb-4c61-b9c3-ba72c137353e",
      topic: workerTopicName(1),
      consensus: 0,
    });
    expect(bytes.byteLength).toBe(260);

    const msg = decodeP2pMessage(bytes, { accept: ["MsgRollCall"] });
    expect(msg.topic).toBe("allora-topic-1-worker");

    // README: on a session stream every message is preceded by its length as an unsigned varint.
    function frame(payload: Uint8Array): Uint8Array {
      const head: number[] = [];
      let n = payload.byteLength;
      for (; n >= 0x80; n >>>= 7) head.push((n & 0x7f) | 0x80);
      head.push(n);
      return Uint8Array.from([...head, ...payload]);
    }
    expect([...frame(bytes).subarray(0, 2)]).toEqual([0x84, 0x02]);

    let code: string | undefined;
    let message: string | undefined;
    try {
      decodeP2pMessage(new TextEncoder().encode('{"type":"MsgRollCall"}'));
    } catch (err) {
      if (isAlloraError(err)) {
        code = err.code;
        message = err.message;
      }
    }
    expect(code).toBe("P2P_MESSAGE_INVALID");
    expect(message).toBe("MsgRollCall: field origin Expected required property");
  });
});

describe("README: function packages", () => {
  it("packs deterministically, verifies, and unpacks", async () => {
    const pkg = makeFunctionPackage(
      { name: "hello", version: "1.0.0", kind: "generic", entry: "hello.sh", interpreter: "sh", methods: ["hello"] },
      [{ path: "hello.sh", data: new TextEncoder().encode(`echo '{"infererValue": "1"}'\n`), executable: true }],
    );
    expect(pkg.cid).toBe("bafkreift7uvs57cfcmvfwnxtsjj7jcvywd3eq2fhiv2zg2abzh2psbnsl4");
    expect(pkg.bytes.byteLength).toBe(3072);

    const { manifest, files } = openFunctionPackage(pkg.cid, pkg.bytes);
    expect(manifest.entry).toBe("hello.sh");
    expect(files.map((f) => f.path)).toEqual(["hello.sh", "manifest.json"]);

    const dir = join(await tempDir(), "hello");
    await unpackFunctionPackage(pkg.cid, pkg.bytes, dir);
    expect((await readdir(dir)).sort()).toEqual(["hello.sh", "manifest.json"]);

    const tampered = pkg.bytes.slice();
    tampered[600] = (tampered[600] as number) ^ 1;
    expect(() => verifyCid(pkg.cid, tampered)).toThrow(expect.objectContaining({ code: "FUNCTION_CID_MISMATCH" }));
  });
});

describe("README: accounts and worker bundles", () => {
  it("derives the account, signs and verifies a bundle, and round-trips it as base64", async () => {
    const account = await deriveChainAccount(mnemonic);
    expect(account.address).toBe("allo19rl4cm2hmr8afy4kldpxz3fka4jguq0ajnh7gv");

    const bundle = await signWorkerBundle(account, { topicId: 1n, blockHeight: 120n, value: "2946.45" });
    await verifyWorkerBundle(bundle);
    expect(Buffer.from(bundle.inferencesForecastsBundleSignature).toString("hex")).toBe(
      "cc31a53e8236b454893d514480b08364bedd1301341a88dcfa1ed1acfda9a96a3b8fc888fcaa50b901cd0044a222312fd101b83f02b3e58c978fe1f7c612fdc6",
    );

    const base64 = Buffer.from(WorkerDataBundle.encode(bundle).finish()).toString("base64");
    const decoded = WorkerDataBundle.decode(Buffer.from(base64, "base64"));
    expect(decoded.inferenceForecastsBundle?.inference?.value).toBe("2946.45");
    expect(WorkerDataBundle.toJSON(bundle)).toMatchObject({ topic_id: "1", nonce: { block_height: "120" } });

    await expect(verifyWorkerBundle({ ...bundle, topicId: 2n })).rejects.toMatchObject({
      code: "BUNDLE_FIELD_MISMATCH",
    });
  });
});

describe("README: transactions", () => {
  it("builds a signed TxRaw and verifies it from its bytes", async () => {
    const account = await deriveChainAccount(mnemonic);
    const txBytes = await makeSignedTx({
      registry: createAlloraRegistry(),
      account,
      messages: [
        {
          typeUrl: TypeUrls.MsgRegister,
          value: MsgRegister.fromPartial({
            sender: account.address,
            libP2pKey: "12D3KooWH9GerdSEroL2nqjpd2GuE5dwmqNi7uHX7FoywBdKcP4q",
            multiAddress: "/ip4/127.0.0.1/tcp/9011",
            topicId: 1n,
            owner: account.address,
          }),
        },
      ],
      chainId: LOCALNET_CHAIN_ID,
      accountNumber: 7,
      sequence: 3,
      fee: { amount: [{ denom: "uallo", amount: "2000" }], gas: 200_000 },
    });

    const tx = await verifySignedTx(txBytes, { chainId: LOCALNET_CHAIN_ID, accountNumber: 7 });
    expect([tx.signer, tx.sequence, tx.messages[0]?.typeUrl]).toEqual([
      "allo19rl4cm2hmr8afy4kldpxz3fka4jguq0ajnh7gv",
      3n,
      "/emissions.v1.MsgRegister",
    ]);
    await expect(verifySignedTx(txBytes, { chainId: LOCALNET_CHAIN_ID, accountNumber: 8 })).rejects.toMatchObject({
      code: "TX_SIGNATURE_INVALID",
    });
  });

  it("gives cosmjs a registry that knows the network's messages", () => {
    const registry = createAlloraRegistry();
    const value = MsgCreateTopic.fromPartial({
      creator: "allo19rl4cm2hmr8afy4kldpxz3fka4jguq0ajnh7gv",
      metadata: "SOL price in 10 s",
      inferenceLogic: GUIDE_FUNCTION_CID,
      inferenceMethod: GUIDE_FUNCTION_METHOD,
      inferenceCadence: 10n,
      defaultArg: "SOL",
      lossMethod: "mse",
      groundTruthLag: 10n,
      submissionWindow: 8n,
    });
    const bytes = registry.encode({ typeUrl: TypeUrls.MsgCreateTopic, value });
    expect(registry.decode({ typeUrl: "/allora.localnet.v1.MsgCreateTopic", value: bytes })).toEqual(value);
  });
});

describe("README: key folders", () => {
  it("creates a folder once and loads the same identity", async () => {
    const dir = join(await tempDir(), "keys");
    const { peerId, created } = await ensureKeyFolder(dir);
    expect(created).toBe(true);
    expect(peerId).toMatch(/^12D3KooW/);
    expect((await readdir(dir)).sort()).toEqual(["identity", "priv.bin", "priv.txt", "pub.bin", "pubkey.txt"]);
    const again = await loadKeyFolder(dir);
    expect(again.peerId).toBe(peerId);
    expect(again.privateKey.type).toBe("Ed25519");
    expect((await ensureKeyFolder(dir)).created).toBe(false);
    await expect(access(join(dir, "identity"))).resolves.toBeUndefined();
  });
});

describe("README: market series", () => {
  it("gives the same price for a seed, token and second", () => {
    const eth = createPriceSeries({ seed: "allora-localnet-dev-market", token: "ETH" });
    expect(eth.priceAt(1_780_000_000)).toBeCloseTo(3011.320431439889, 9);
    expect(formatDecimal(eth.priceAt(1_780_000_000), 8)).toBe("3011.32043144");
    expect(eth.priceAt(1_780_000_000.9)).toBe(eth.priceAt(1_780_000_000));
  });
});

describe("README: errors", () => {
  it("branch on the code, show the message, look the code up", () => {
    let seen: unknown;
    try {
      verifyCid("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e", new TextEncoder().encode("hello"));
    } catch (err) {
      seen = err;
    }
    expect(isAlloraError(seen, "FUNCTION_CID_MISMATCH")).toBe(true);
    const err = seen as AlloraError;
    expect(err.toJSON()).toMatchObject({ code: "FUNCTION_CID_MISMATCH", details: { actual: expect.any(String) } });
    expect(ErrorCatalogue[err.code as keyof typeof ErrorCatalogue]).toBe(
      "Package bytes do not hash to the CID they were fetched for.",
    );
  });
});
