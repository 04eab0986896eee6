/**
 * Which heads a worker obeys: a boot node's `/p2p/<id>` is pinned; one without an id is learned on the first
 * connection and pinned in known-heads.json (kept across restarts); another id at a pinned address is refused.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "@allora/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTrustedHeads } from "../src/trust/trusted-heads.js";

const HEAD = "12D3KooWGzxzKZYveHXtpG6AsrUJBcWxHBFS2HsEoGTxrMLvKXtf";
const OTHER = "12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK";
const THIRD = "12D3KooWHwdRkXPvRuZE6vPiZ6aT6L9rUU4yF1qz2nH6NwGQLeQy";

describe("trusted heads", () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "allora-trust-"));
    file = join(dir, "known-heads.json");
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("trusts a boot node's /p2p id and the --trusted-heads list, and nobody else", async () => {
    const trust = await createTrustedHeads({
      bootNodes: [`/ip4/127.0.0.1/tcp/9010/p2p/${HEAD}`],
      explicit: [THIRD],
      knownHeadsFile: file,
      logger: silentLogger,
    });
    expect(trust.isTrusted(HEAD)).toBe(true);
    expect(trust.isTrusted(THIRD)).toBe(true);
    expect(trust.isTrusted(OTHER)).toBe(false);
    expect(await trust.admitBootConnection("/ip4/127.0.0.1/tcp/9010", OTHER)).toBe(false);
  });

  it("learns the id at a boot address without one, pins it across restarts, and refuses a changed id", async () => {
    const options = { bootNodes: ["/dns4/head/tcp/9010"], explicit: [], knownHeadsFile: file, logger: silentLogger };
    const first = await createTrustedHeads(options);
    expect(first.isTrusted(HEAD)).toBe(false); // nothing is trusted before the worker has dialed its boot node
    expect(await first.admitBootConnection("/dns4/head/tcp/9010", HEAD)).toBe(true);
    expect(first.isTrusted(HEAD)).toBe(true);
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual({ "/dns4/head/tcp/9010": HEAD });

    const restarted = await createTrustedHeads(options);
    expect(restarted.isTrusted(HEAD)).toBe(true);
    expect(await restarted.admitBootConnection("/dns4/head/tcp/9010", OTHER)).toBe(false);
    expect(restarted.isTrusted(OTHER)).toBe(false);
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual({ "/dns4/head/tcp/9010": HEAD });
  });

  it("says what is wrong with a damaged known-heads file", async () => {
    await writeFile(file, "not json");
    await expect(
      createTrustedHeads({ bootNodes: [], explicit: [], knownHeadsFile: file, logger: silentLogger }),
    ).rejects.toMatchObject({ code: "KNOWN_HEADS_INVALID" });
  });
});
