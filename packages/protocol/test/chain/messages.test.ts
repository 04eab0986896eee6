import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { toHex } from "@cosmjs/encoding";
import { describe, expect, it } from "vitest";
import {
  createAlloraRegistry,
  Forecast,
  Inference,
  InferenceForecastBundle,
  MsgCreateTopic,
  MsgInsertBulkWorkerPayload,
  MsgRegister,
  Nonce,
  TypeUrls,
  WorkerDataBundle,
} from "../../src/index.js";

const vectorsDir = fileURLToPath(new URL("../vectors/", import.meta.url));
const vectors = JSON.parse(readFileSync(`${vectorsDir}chain-vectors.json`, "utf8"));
const INFERER: string = vectors.inferer;

const inference = Inference.fromPartial({ topicId: 1n, blockHeight: 120n, inferer: INFERER, value: "2946.45" });
const forecast = Forecast.fromPartial({
  topicId: 1n,
  blockHeight: 120n,
  forecaster: INFERER,
  forecastElements: [{ inferer: INFERER, value: "2950.1" }],
});
const workerDataBundle = WorkerDataBundle.fromPartial({
  worker: INFERER,
  inferenceForecastsBundle: { inference },
  inferencesForecastsBundleSignature: Uint8Array.from({ length: 64 }, (_, i) => i),
  pubkey: `02${"11".repeat(32)}`,
  nonce: { blockHeight: 120n },
  topicId: 1n,
});

const cases = {
  Nonce: [Nonce, Nonce.fromPartial({ blockHeight: 120n })],
  NonceNegative: [Nonce, Nonce.fromPartial({ blockHeight: -1n })],
  Inference: [Inference, inference],
  Forecast: [Forecast, forecast],
  InferenceForecastBundle: [InferenceForecastBundle, InferenceForecastBundle.fromPartial({ inference })],
  InferenceForecastBundleWithForecast: [
    InferenceForecastBundle,
    InferenceForecastBundle.fromPartial({ inference, forecast }),
  ],
  WorkerDataBundle: [WorkerDataBundle, workerDataBundle],
  MsgInsertBulkWorkerPayload: [
    MsgInsertBulkWorkerPayload,
    MsgInsertBulkWorkerPayload.fromPartial({
      sender: "allo1headsender",
      nonce: { blockHeight: 120n },
      topicId: 1n,
      workerDataBundles: [workerDataBundle, workerDataBundle],
    }),
  ],
  MsgRegister: [
    MsgRegister,
    MsgRegister.fromPartial({
      sender: INFERER,
      libP2pKey: "12D3KooWH9GerdSEroL2nqjpd2GuE5dwmqNi7uHX7FoywBdKcP4q",
      multiAddress: "/ip4/127.0.0.1/tcp/9011",
      topicId: 1n,
      owner: INFERER,
      isReputer: false,
    }),
  ],
  MsgCreateTopic: [
    MsgCreateTopic,
    MsgCreateTopic.fromPartial({
      creator: INFERER,
      metadata: "ETH 10s price",
      inferenceLogic: "bafybeigpiwl3o73zvvl6dxdqu7zqcub5mhg65jiky2xqb4rdhfmikswzqm",
      inferenceMethod: "allora-inference-function.wasm",
      inferenceCadence: 5n,
      defaultArg: "ETH",
      lossMethod: "mse",
      groundTruthLag: 10n,
      submissionWindow: 4n,
    }),
  ],
} as const;

describe("chain message codecs", () => {
  it("the golden vector file is what make-vectors.py prints today", () => {
    const fresh = execFileSync("python3", [`${vectorsDir}make-vectors.py`], { encoding: "utf8" });
    expect(JSON.parse(fresh)).toEqual(vectors);
  });

  for (const [name, [codec, value]] of Object.entries(cases)) {
    it(`${name} encodes to the golden bytes and decodes back`, () => {
      const bytes = (codec as typeof Nonce).encode(value as never).finish();
      expect(toHex(bytes)).toBe(vectors.messages[name]);
      expect((codec as typeof Nonce).decode(bytes)).toEqual(value);
    });

    it(`${name} round-trips through proto3 JSON`, () => {
      const c = codec as typeof Nonce;
      const json = JSON.parse(JSON.stringify(c.toJSON(value as never)));
      expect(c.fromJSON(json)).toEqual(value);
    });
  }

  it("JSON uses proto field names and 64-bit integers as strings", () => {
    expect(Inference.toJSON(inference)).toMatchObject({ topic_id: "1", block_height: "120", inferer: INFERER });
    expect(WorkerDataBundle.toJSON(workerDataBundle)).toHaveProperty("inferences_forecasts_bundle_signature");
  });

  it("decode skips unknown fields and rejects truncated input", () => {
    const withUnknown = Uint8Array.from([...Nonce.encode({ blockHeight: 5n }).finish(), 0x7a, 0x01, 0x41]);
    expect(Nonce.decode(withUnknown)).toEqual({ blockHeight: 5n });
    const full = Inference.encode(inference).finish();
    expect(() => Inference.decode(full.subarray(0, full.length - 3))).toThrow();
  });

  it("fromPartial fills defaults and rejects out-of-range integers", () => {
    expect(Inference.fromPartial({})).toEqual({
      topicId: 0n,
      blockHeight: 0n,
      inferer: "",
      value: "",
      extraData: new Uint8Array(),
      proof: "",
    });
    expect(() => Inference.fromPartial({ topicId: -1n })).toThrow(/out of range/);
  });

  it("the registry encodes every message of the network by type URL", () => {
    const registry = createAlloraRegistry();
    for (const [typeUrl, value] of [
      [TypeUrls.MsgRegister, cases.MsgRegister[1]],
      [TypeUrls.MsgInsertBulkWorkerPayload, cases.MsgInsertBulkWorkerPayload[1]],
      [TypeUrls.MsgCreateTopic, cases.MsgCreateTopic[1]],
    ] as const) {
      const bytes = registry.encode({ typeUrl, value });
      expect(registry.decode({ typeUrl, value: bytes })).toEqual(value);
    }
    expect(registry.lookupType(TypeUrls.MsgSend)).toBeDefined();
  });
});
