/**
 * Function packages over libp2p: a worker that lacks a package fetches it by CID from the peer that roll-called it.
 * Request: one `MsgFetchFunction` frame. Answer: one `MsgFetchFunctionResponse` frame, then (on "200") the package
 * bytes in raw frames of at most 64 KiB. The receiver verifies the bytes against the CID before using them.
 */
import {
  AlloraError,
  decodeP2pMessage,
  encodeP2pMessage,
  expectP2pMessage,
  FUNCTION_FETCH_PROTOCOL,
  type Logger,
  MAX_FUNCTION_PACKAGE_BYTES,
  MAX_MESSAGE_BYTES,
  verifyCid,
} from "@allora/protocol";
import type { PeerId } from "@libp2p/interface";
import { FrameReader } from "./frame-reader.js";
import { encodeFrame } from "./framing.js";
import type { P2pHost } from "./host.js";

const CHUNK = 64 * 1024;

/** Serves packages this node holds: `lookup(cid)` returns the bytes or undefined. */
export async function serveFunctionPackages(
  host: P2pHost,
  lookup: (cid: string) => Uint8Array | undefined,
  logger: Logger,
): Promise<void> {
  await host.handle(
    FUNCTION_FETCH_PROTOCOL,
    async (stream, connection) => {
      const peer = connection.remotePeer.toString();
      const reader = new FrameReader(stream, MAX_MESSAGE_BYTES);
      try {
        const request = expectP2pMessage(
          decodeP2pMessage(await reader.next(10_000), { accept: ["MsgFetchFunction"] }),
          "MsgFetchFunction",
        );
        const bytes = lookup(request.cid);
        if (!bytes) {
          stream.send(
            encodeFrame(
              encodeP2pMessage({
                type: "MsgFetchFunctionResponse",
                code: "404",
                cid: request.cid,
                message: `this node does not serve ${request.cid}`,
              }),
            ),
          );
        } else {
          stream.send(
            encodeFrame(
              encodeP2pMessage({
                type: "MsgFetchFunctionResponse",
                code: "200",
                cid: request.cid,
                size: bytes.byteLength,
              }),
            ),
          );
          for (let offset = 0; offset < bytes.byteLength; offset += CHUNK) {
            if (!stream.send(encodeFrame(bytes.subarray(offset, offset + CHUNK)))) await stream.onDrain();
          }
          logger.debug({ peer, cid: request.cid, bytes: bytes.byteLength }, "served function package");
        }
        await stream.close();
      } catch (err) {
        logger.warn({ code: (err as AlloraError).code ?? "INTERNAL", peer }, `function fetch failed: ${String(err)}`);
        stream.abort(err as Error);
      }
    },
    { maxInboundStreams: 32 },
  );
}

/** Options of {@link fetchFunctionPackage}. */
export interface FetchFunctionOptions {
  timeoutMs?: number;
  maxBytes?: number;
}

/**
 * Fetches a package by CID from `peer` and verifies it. Throws `FUNCTION_FETCH_FAILED` when the peer does not have
 * it or the transfer fails, `FUNCTION_PACKAGE_TOO_LARGE` over the cap, and the CID errors when bytes do not match.
 */
export async function fetchFunctionPackage(
  host: P2pHost,
  peer: PeerId,
  cid: string,
  options: FetchFunctionOptions = {},
): Promise<Uint8Array> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const maxBytes = options.maxBytes ?? MAX_FUNCTION_PACKAGE_BYTES;
  let stream: Awaited<ReturnType<P2pHost["dialProtocol"]>>;
  try {
    stream = await host.dialProtocol(peer, FUNCTION_FETCH_PROTOCOL, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (cause) {
    throw new AlloraError(
      "FUNCTION_FETCH_FAILED",
      `cannot open a fetch stream to ${peer}: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
  const reader = new FrameReader(stream, Math.max(MAX_MESSAGE_BYTES, 64 * 1024 + 16));
  try {
    stream.send(encodeFrame(encodeP2pMessage({ type: "MsgFetchFunction", cid })));
    const header = expectP2pMessage(
      decodeP2pMessage(await reader.next(timeoutMs), { accept: ["MsgFetchFunctionResponse"] }),
      "MsgFetchFunctionResponse",
    );
    if (header.code !== "200" || header.size === undefined) {
      throw new AlloraError(
        "FUNCTION_FETCH_FAILED",
        `${peer} cannot serve ${cid}: ${header.message ?? `code ${header.code}`}`,
      );
    }
    if (header.size > maxBytes) {
      throw new AlloraError(
        "FUNCTION_PACKAGE_TOO_LARGE",
        `package ${cid} is ${header.size} bytes; the limit is ${maxBytes}`,
      );
    }
    const bytes = new Uint8Array(header.size);
    let received = 0;
    const deadline = Date.now() + timeoutMs;
    while (received < header.size) {
      const chunk = await reader.next(Math.max(1, deadline - Date.now()));
      if (received + chunk.byteLength > header.size) {
        throw new AlloraError("FUNCTION_FETCH_FAILED", `${peer} sent more bytes than announced for ${cid}`);
      }
      bytes.set(chunk, received);
      received += chunk.byteLength;
    }
    await stream.close().catch(() => undefined);
    verifyCid(cid, bytes);
    return bytes;
  } catch (err) {
    stream.abort(err as Error);
    if (err instanceof AlloraError && err.code !== "P2P_STREAM_ENDED" && err.code !== "P2P_STREAM_TIMEOUT") throw err;
    throw new AlloraError("FUNCTION_FETCH_FAILED", `fetching ${cid} from ${peer} failed: ${(err as Error).message}`, {
      cause: err,
    });
  }
}
