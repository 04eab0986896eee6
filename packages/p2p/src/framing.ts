/**
 * Length-prefixed frames (unsigned varint length, then the bytes), the framing of every stream protocol here.
 */
import { LengthPrefixedDecoder } from "@libp2p/utils";
import type { Uint8ArrayList } from "uint8arraylist";

/** Prefixes `payload` with its varint length. */
export function encodeFrame(payload: Uint8Array): Uint8Array {
  let n = payload.byteLength;
  const head: number[] = [];
  while (n >= 0x80) {
    head.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  head.push(n);
  const out = new Uint8Array(head.length + payload.byteLength);
  out.set(head, 0);
  out.set(payload, head.length);
  return out;
}

/** A streaming frame decoder that refuses frames longer than `maxFrameBytes`. */
export function createFrameDecoder(maxFrameBytes: number): {
  decode(chunk: Uint8Array | Uint8ArrayList): Generator<Uint8ArrayList>;
} {
  return new LengthPrefixedDecoder({ maxDataLength: maxFrameBytes, maxBufferSize: maxFrameBytes + 16 });
}
