/**
 * The payload-sender whitelist: genesis, the operator's file (re-read when it changes, bad lines reported), and the
 * account the notified head reports, asked of a real HTTP server on loopback.
 */

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "@allora/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPayloadSenders, parsePayloadSendersFile } from "../../src/tx/payload-senders.js";
import { newWallet } from "../support/wallets.js";

describe("payload senders", () => {
  let dir: string;
  let server: Server;
  let headUrl: string;
  let reported: string | undefined;
  let asked = 0;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "allora-senders-"));
    server = createServer((req, res) => {
      asked++;
      res.setHeader("content-type", "application/json");
      res.end(
        JSON.stringify(req.url === "/api/v1/status" ? { chain: reported ? { address: reported } : undefined } : {}),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    headUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/status`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it("parses one address a line and names each bad line", async () => {
    const good = (await newWallet()).address;
    const parsed = parsePayloadSendersFile(`# heads\n${good}\n\n  not-an-address  # typo\n`);
    expect(parsed.addresses).toEqual([good]);
    expect(parsed.problems).toEqual(['line 4: "not-an-address" is not an allo1… address']);
  });

  it("allows genesis senders, then file senders once the file lists them, and nobody else", async () => {
    const [a, b, c] = await Promise.all([newWallet(), newWallet(), newWallet()]);
    const file = join(dir, "senders");
    await writeFile(file, "");
    const senders = createPayloadSenders({ genesis: [a.address], file, logger: silentLogger });
    expect(await senders.allows(a.address)).toBe(true);
    expect(await senders.allows(b.address)).toBe(false);
    await writeFile(file, `${b.address}\n`);
    expect(await senders.allows(b.address)).toBe(true);
    expect(await senders.allows(c.address)).toBe(false);
    expect(senders.list().sort()).toEqual([a.address, b.address].sort());
  });

  it("allows the account the notified head reports, asking it at most once a second", async () => {
    const [head, other] = await Promise.all([newWallet(), newWallet()]);
    const senders = createPayloadSenders({ genesis: [], headStatusUrl: headUrl, logger: silentLogger });
    reported = undefined;
    asked = 0;
    expect(await senders.allows(head.address)).toBe(false); // the head has no account yet
    reported = head.address;
    expect(await senders.allows(head.address)).toBe(false); // asked less than a second ago: not asked again
    expect(asked).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await senders.allows(head.address)).toBe(true);
    expect(await senders.allows(other.address)).toBe(false);
    expect(senders.list()).toEqual([head.address]);
  });
});
