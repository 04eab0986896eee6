import { describe, expect, it } from "vitest";
import { awaitReply, type ReplySettler } from "../src/index.js";

describe("awaitReply", () => {
  it("resolves with the delivered reply and ignores later settlements", async () => {
    let settler: ReplySettler<string> | undefined;
    const reply = awaitReply<string>({
      timeoutMs: 1000,
      onTimeout: () => new Error("late"),
      register: (s) => {
        settler = s;
      },
    });
    settler?.resolve("pong");
    settler?.reject(new Error("after the answer"));
    await expect(reply).resolves.toBe("pong");
  });

  it("rejects with the onTimeout error once the deadline passes, and calls it once", async () => {
    let timeouts = 0;
    let settler: ReplySettler<string> | undefined;
    const reply = awaitReply<string>({
      timeoutMs: 20,
      onTimeout: () => {
        timeouts++;
        return Object.assign(new Error("no answer within 20 ms"), { code: "P2P_STREAM_TIMEOUT" });
      },
      register: (s) => {
        settler = s;
      },
    });
    await expect(reply).rejects.toMatchObject({ code: "P2P_STREAM_TIMEOUT" });
    settler?.resolve("too late");
    expect(timeouts).toBe(1);
  });

  it("rejects with what register throws (the request could not be sent)", async () => {
    await expect(
      awaitReply({
        timeoutMs: 1000,
        onTimeout: () => new Error("late"),
        register: () => {
          throw new Error("channel closed");
        },
      }),
    ).rejects.toThrow("channel closed");
  });
});
