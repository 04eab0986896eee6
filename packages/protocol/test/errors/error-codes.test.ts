/**
 * Error codes are a union type: a wrong literal does not compile, and every failure the library throws is an
 * AlloraError carrying a code of the catalogue, including what used to escape as TypeError, SyntaxError or
 * RangeError (bad URLs and headers in the HTTP client, protobuf and JSON codecs, bech32) and the chain's refusals.
 */
import { execFileSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import {
  AlloraError,
  type AlloraErrorCode,
  CHAIN_ERRORS,
  chainRefusal,
  chainRefusalCode,
  createHeadClient,
  decodeBech32,
  decodeP2pMessage,
  decodeSignedTx,
  deriveChainAccount,
  ErrorCatalogue,
  encodeBech32,
  HeadRequestError,
  httpCall,
  isAlloraError,
  isAlloraErrorCode,
  MsgRegister,
  openFunctionPackage,
  parseCid,
  verifyCid,
  WorkerDataBundle,
} from "../../src/index.js";
import { seededBytes } from "../support/seeded-bytes.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const tsc = fileURLToPath(new URL("../../node_modules/typescript/bin/tsc", import.meta.url));

/** The error `run` throws or rejects with. */
async function caught(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (err) {
    return err;
  }
  throw new Error("expected a failure");
}

/** Asserts `err` is an AlloraError with `code`, whose code is in the catalogue (or a numbered code). */
function expectCoded(err: unknown, code: AlloraErrorCode): void {
  expect(err).toBeInstanceOf(AlloraError);
  expect((err as AlloraError).code).toBe(code);
  expect(isAlloraErrorCode((err as AlloraError).code)).toBe(true);
}

describe("error codes as a union type", () => {
  it("refuses a wrong code literal at compile time", () => {
    // The same check, inline: `pnpm typecheck` fails if these stop being errors.
    // @ts-expect-error not a code of the catalogue
    expect(() => new AlloraError("FUNCTION_CID_MISSMATCH", "typo")).not.toThrow();
    expectTypeOf<"HTTP_TIMEOUT">().toExtend<AlloraErrorCode>();
    expectTypeOf<"SEQUENCE_MISMATCH">().toExtend<AlloraErrorCode>();
    expectTypeOf<"CONFIG_INVALID">().toExtend<AlloraErrorCode>();
    expectTypeOf<"HTTP_TIMOUT">().not.toExtend<AlloraErrorCode>();
    expectTypeOf(new AlloraError("HTTP_TIMEOUT", "m").code).toEqualTypeOf<"HTTP_TIMEOUT">();

    // A fixture compiled with the library's own flags (strict, noUncheckedIndexedAccess, NodeNext): one error a line.
    let output = "";
    try {
      output = execFileSync(
        "node",
        [
          tsc,
          "--noEmit",
          "--strict",
          "--noUncheckedIndexedAccess",
          "--module",
          "NodeNext",
          "--moduleResolution",
          "NodeNext",
          "--target",
          "ES2022",
          "--types",
          "node",
          "--skipLibCheck",
          "wrong-code.fixture.ts",
        ],
        { cwd: here, encoding: "utf8" },
      );
    } catch (err) {
      output = String((err as { stdout?: string }).stdout);
    }
    const errors = output.split("\n").filter((line) => line.includes("error TS"));
    expect(errors.map((line) => /fixture\.ts\((\d+),/.exec(line)?.[1])).toEqual(["4", "5", "6", "7"]);
    expect(output).toContain('"FUNCTION_CID_MISSMATCH"');
  }, 60_000);

  it("has a meaning for every named code, the chain's own included", () => {
    for (const name of Object.keys(CHAIN_ERRORS)) expect(ErrorCatalogue).toHaveProperty(name);
    expect(ErrorCatalogue.CONFIG_INVALID).toMatch(/wrong/);
    expect(ErrorCatalogue.SEQUENCE_MISMATCH).toBe(CHAIN_ERRORS.SEQUENCE_MISMATCH.meaning);
    for (const [code, meaning] of Object.entries(ErrorCatalogue)) {
      expect(code).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(meaning.length).toBeGreaterThan(10);
    }
    expect(isAlloraErrorCode("HTTP_502")).toBe(true);
    expect(isAlloraErrorCode("CHAIN_32")).toBe(true);
    expect(isAlloraErrorCode("NOT_A_CODE")).toBe(false);
    expect(isAlloraErrorCode(42)).toBe(false);
  });
});

describe("every thrown error has a code", () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === "/api/v1/health") res.end(JSON.stringify({ type: "health", code: "200" }));
      else if (req.url === "/api/v1/status") res.end("<html>not json</html>");
      else if (req.url === "/big") res.end("x".repeat(4096));
      else {
        res.writeHead(400, { "content-type": "application/json" });
        res.end(JSON.stringify({ code: "TOPIC_INVALID", message: "send the id" }));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("the HTTP client: bad URL, bad header, too large, unreachable", async () => {
    expectCoded(await caught(() => httpCall("not a url")), "HTTP_URL_INVALID");
    expectCoded(await caught(() => httpCall("ftp://example.org/")), "HTTP_URL_INVALID");
    expectCoded(await caught(() => httpCall(`${base}/x`, { headers: { "x-bad": "a\nb" } })), "HTTP_REQUEST_INVALID");
    expectCoded(await caught(() => httpCall(`${base}/big`, { maxResponseBytes: 100 })), "HTTP_RESPONSE_TOO_LARGE");
    expectCoded(await caught(() => httpCall("http://127.0.0.1:1/", { timeoutMs: 2000 })), "HTTP_UNREACHABLE");
    expectCoded(await caught(() => httpCall(`${base}/x`, { signal: AbortSignal.abort() })), "HTTP_ABORTED");
  });

  it("the head client: refusals by the head's code, answers checked against the route's schema", async () => {
    const head = createHeadClient(base);
    const refused = await caught(() => head.execute({ function_id: "f", method: "m", topic: "x" }));
    expect(refused).toBeInstanceOf(HeadRequestError);
    expectCoded(refused, "TOPIC_INVALID");
    expect((refused as HeadRequestError).status).toBe(400);
    const badShape = await caught(() => head.health());
    expectCoded(badShape, "HEAD_RESPONSE_INVALID");
    expect((badShape as AlloraError).message).toContain("/code");
    expectCoded(await caught(() => head.status()), "HEAD_RESPONSE_INVALID");
  });

  it("codecs: protobuf bytes and JSON, p2p JSON, packages, CIDs, bech32, mnemonics, txs", async () => {
    const garbage = Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]);
    expectCoded(await caught(() => WorkerDataBundle.decode(garbage)), "PROTO_DECODE_FAILED");
    expectCoded(await caught(() => MsgRegister.fromJSON({ topic_id: "not a number" })), "PROTO_DECODE_FAILED");
    expectCoded(await caught(() => MsgRegister.fromPartial({ topicId: -1n })), "PROTO_DECODE_FAILED");
    expectCoded(await caught(() => decodeP2pMessage(new TextEncoder().encode("{"))), "P2P_MESSAGE_MALFORMED");
    expectCoded(await caught(() => decodeSignedTx(garbage)), "TX_DECODE_FAILED");
    expectCoded(await caught(() => parseCid("bafy-nope")), "FUNCTION_CID_INVALID");
    expectCoded(await caught(() => verifyCid("bafy-nope", garbage)), "FUNCTION_CID_INVALID");
    expectCoded(await caught(() => openFunctionPackage("bafy-nope", garbage)), "FUNCTION_CID_INVALID");
    expectCoded(await caught(() => deriveChainAccount("not a mnemonic")), "MNEMONIC_INVALID");
    expectCoded(await caught(() => decodeBech32("allo1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq")), "ADDRESS_INVALID");
    expectCoded(await caught(() => decodeBech32("cosmos1x", { prefix: "allo" })), "ADDRESS_INVALID");
    expectCoded(await caught(() => encodeBech32("ALLO", new Uint8Array(20))), "ADDRESS_INVALID");
  });

  it("random bytes never escape a decoder as anything but a coded AlloraError", () => {
    const bytesOf = seededBytes(7);
    for (let i = 0; i < 300; i++) {
      const bytes = bytesOf(1 + (i % 40));
      for (const decode of [
        () => WorkerDataBundle.decode(bytes),
        () => decodeP2pMessage(bytes),
        () => decodeSignedTx(bytes),
      ]) {
        try {
          decode();
        } catch (err) {
          expect(isAlloraError(err)).toBe(true);
          expect(isAlloraErrorCode((err as AlloraError).code)).toBe(true);
        }
      }
    }
  });

  it("a tx the chain refuses comes back by the chain's name", () => {
    expect(chainRefusalCode(32, "sdk")).toBe("SEQUENCE_MISMATCH");
    expect(chainRefusalCode(13, undefined, "x: insufficient fee")).toBe("INSUFFICIENT_FEE");
    expect(chainRefusalCode(13, undefined, "x: address is not registered in this topic")).toBe(
      "ADDRESS_NOT_REGISTERED",
    );
    expect(chainRefusalCode(4, "sdk", 'sender "allo1…" is not the tx signer allo1…: unauthorized')).toBe(
      "SIGNER_MISMATCH",
    );
    expect(chainRefusalCode(4, "sdk", "signature verification failed: unauthorized")).toBe("TX_SIGNATURE_INVALID");

    // What cosmjs throws: a simulation ("Query failed with (N)"), a broadcast (BroadcastTxError), a failed DeliverTx.
    const simulated = chainRefusal(
      new Error("Query failed with (102): allo1… on topic 1: address is already registered in this topic"),
    );
    expectCoded(simulated, "ALREADY_REGISTERED");
    expect(simulated?.details).toMatchObject({ code: 102, codespace: "emissions" });
    const broadcast = Object.assign(new Error("Broadcasting transaction failed with code 32"), {
      code: 32,
      codespace: "sdk",
      log: "account sequence mismatch, expected 4, got 3: incorrect account sequence",
    });
    expectCoded(chainRefusal(broadcast), "SEQUENCE_MISMATCH");
    expectCoded(
      chainRefusal({ code: 5, rawLog: "0uallo is smaller than 10uallo: insufficient funds" }),
      "INSUFFICIENT_FUNDS",
    );
    expectCoded(
      chainRefusal(new Error("Error when broadcasting tx A at height 9. Code: 999; Raw log: odd")),
      "CHAIN_999",
    );
    expect(chainRefusal(new Error("socket hang up"))).toBeUndefined();
    expect(chainRefusal({ code: 0 })).toBeUndefined();
  });
});
