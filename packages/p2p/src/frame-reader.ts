/**
 * Pull-style reading of frames from a stream, for short request/response exchanges: `next()` resolves with the next
 * frame, or rejects when the stream ends, fails, or the deadline passes.
 */
import { AlloraError } from "@allora/protocol";
import type { Stream } from "@libp2p/interface";
import { createFrameDecoder } from "./framing.js";
import { awaitReply, type ReplySettler } from "./pending-reply.js";

/** Reads frames from `stream` in order. */
export class FrameReader {
  private readonly frames: Uint8Array[] = [];
  private waiter: ReplySettler<Uint8Array> | undefined;
  private failure: Error | undefined;
  private readonly decoder;

  constructor(
    private readonly stream: Stream,
    maxFrameBytes: number,
  ) {
    this.decoder = createFrameDecoder(maxFrameBytes);
    stream.addEventListener("message", (evt) => {
      try {
        for (const frame of this.decoder.decode(evt.data)) this.push(frame.subarray());
      } catch (cause) {
        this.fail(new AlloraError("P2P_MESSAGE_TOO_LARGE", `bad frame: ${(cause as Error).message}`, { cause }));
        stream.abort(cause as Error);
      }
    });
    stream.addEventListener("remoteCloseWrite", () =>
      this.fail(new AlloraError("P2P_STREAM_ENDED", "the remote closed the stream before answering")),
    );
    stream.addEventListener("close", (evt) => {
      const error = (evt as { error?: Error }).error;
      this.fail(new AlloraError("P2P_STREAM_ENDED", error ? `stream reset: ${error.message}` : "stream closed"));
    });
  }

  /** The next frame, within `timeoutMs`. */
  next(timeoutMs: number): Promise<Uint8Array> {
    const frame = this.frames.shift();
    if (frame) return Promise.resolve(frame);
    if (this.failure) return Promise.reject(this.failure);
    return awaitReply<Uint8Array>({
      timeoutMs,
      onTimeout: () => {
        this.waiter = undefined;
        this.stream.abort(new Error("timed out"));
        return new AlloraError("P2P_STREAM_TIMEOUT", `no answer within ${timeoutMs} ms`);
      },
      register: (settler) => {
        this.waiter = settler;
      },
    });
  }

  private push(frame: Uint8Array): void {
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      waiter.resolve(frame);
    } else this.frames.push(frame);
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    const waiter = this.waiter;
    if (waiter && this.frames.length === 0) {
      this.waiter = undefined;
      waiter.reject(err);
    }
  }
}
