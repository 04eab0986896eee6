/**
 * A long-lived, bidirectional channel of p2p messages over one libp2p stream: length-prefixed JSON frames, decoded
 * and validated as they arrive, delivered through a callback. A frame that fails validation, or a closed or reset
 * stream, ends the channel and reports why, so requests waiting on it fail at once instead of timing out.
 */
import {
  AlloraError,
  decodeP2pMessage,
  encodeP2pMessage,
  errorMessage,
  type Logger,
  MAX_MESSAGE_BYTES,
  type P2pMessage,
  type P2pMessageType,
} from "@allora/protocol";
import type { Stream } from "@libp2p/interface";
import type { Uint8ArrayList } from "uint8arraylist";
import { createFrameDecoder, encodeFrame } from "./framing.js";

/** Callbacks of a {@link MessageChannel}. */
export interface MessageChannelHandlers {
  onMessage(message: P2pMessage): void;
  /** Called once when the channel ends; `reason` is set when it ended on an error. */
  onClose(reason?: AlloraError): void;
}

/** Options of a {@link MessageChannel}. */
export interface MessageChannelOptions {
  /** Types the remote may send on this channel. */
  accept: readonly P2pMessageType[];
  logger: Logger;
  maxMessageBytes?: number;
}

/** A channel of p2p messages over one stream. */
export class MessageChannel {
  private closed = false;
  private readonly decoder;

  constructor(
    readonly stream: Stream,
    readonly remotePeer: string,
    private readonly options: MessageChannelOptions,
    private readonly handlers: MessageChannelHandlers,
  ) {
    this.decoder = createFrameDecoder(options.maxMessageBytes ?? MAX_MESSAGE_BYTES);
    stream.addEventListener("message", (evt) => this.receive(evt.data));
    stream.addEventListener("close", (evt) => {
      const error = (evt as { error?: Error }).error;
      this.finish(
        error
          ? new AlloraError("P2P_CHANNEL_RESET", `channel to ${remotePeer} was reset: ${error.message}`)
          : undefined,
      );
    });
    stream.addEventListener("remoteCloseWrite", () => {
      // The remote will not send more: close our side too so the stream is released.
      void this.close();
    });
  }

  /** True once the channel has ended. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends a message; throws `P2P_CHANNEL_CLOSED` when the channel has ended, or a codec error for a bad message. */
  send(message: P2pMessage): void {
    if (this.closed) {
      throw new AlloraError("P2P_CHANNEL_CLOSED", `channel to ${this.remotePeer} is closed`);
    }
    const frame = encodeFrame(encodeP2pMessage(message, { maxBytes: this.options.maxMessageBytes }));
    try {
      this.stream.send(frame);
    } catch (cause) {
      const err = new AlloraError("P2P_CHANNEL_CLOSED", `cannot send to ${this.remotePeer}: ${errorMessage(cause)}`, {
        cause,
      });
      this.abort(err);
      throw err;
    }
  }

  /** Closes the channel gracefully. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.stream.close({ signal: AbortSignal.timeout(2000) });
    } catch {
      this.stream.abort(new Error("close timed out"));
    }
    this.finish();
  }

  /** Ends the channel at once with `reason`. */
  abort(reason: AlloraError): void {
    if (this.closed) return;
    // Record the reason first: aborting emits the stream's close event synchronously.
    this.finish(reason);
    this.stream.abort(reason);
  }

  private receive(chunk: Uint8Array | Uint8ArrayList): void {
    const messages: P2pMessage[] = [];
    try {
      for (const frame of this.decoder.decode(chunk)) {
        messages.push(
          decodeP2pMessage(frame.subarray(), { accept: this.options.accept, maxBytes: this.options.maxMessageBytes }),
        );
      }
    } catch (cause) {
      const err =
        cause instanceof AlloraError
          ? cause
          : new AlloraError("P2P_MESSAGE_TOO_LARGE", `bad frame from ${this.remotePeer}: ${errorMessage(cause)}`, {
              cause,
            });
      this.options.logger.warn(
        { code: err.code, peer: this.remotePeer },
        `dropping channel: ${this.remotePeer} sent an invalid message (${err.message})`,
      );
      this.abort(err);
    }
    for (const message of messages) {
      try {
        this.handlers.onMessage(message);
      } catch (err) {
        this.options.logger.error(
          { code: "INTERNAL", err, peer: this.remotePeer, type: message.type },
          "message handler failed",
        );
      }
    }
  }

  private finish(reason?: AlloraError): void {
    if (this.closed) return;
    this.closed = true;
    this.handlers.onClose(reason);
  }
}
