/**
 * The head's REST install from a URL, when its operator allows that URL prefix: the package is announced, but it
 * still runs only on the workers whose operator allowed that function; the others decline it before downloading.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { makeFunctionPackage } from "@allora/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InProcessNetwork, startInProcessNetwork } from "../../src/in-process-network.js";
import { waitFor } from "../../src/wait.js";
import { EXECUTE, guideBody, post } from "../support/guide.js";

const pkg = makeFunctionPackage(
  { name: "extra-fn", version: "1.0.0", kind: "generic", entry: "fn.sh", interpreter: "sh", methods: ["run"] },
  [{ path: "fn.sh", data: new TextEncoder().encode('echo \'{"infererValue": "42"}\'\n') }],
);
let net: InProcessNetwork;
let gateway: Server;
let gatewayUrl: string;
const hits: string[] = [];

beforeAll(async () => {
  gateway = createServer((req, res) => {
    hits.push(req.url ?? "");
    if (req.url === `/packages/${pkg.cid}`) res.end(Buffer.from(pkg.bytes));
    else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => gateway.listen(0, "127.0.0.1", r));
  gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
  net = await startInProcessNetwork({ workers: [], headArgs: [`--allow-install-from=${gatewayUrl}/packages/`] });
  await net.startWorker({ name: "allows", topics: ["9"], args: [`--allow-functions=${pkg.cid}`] });
  await net.startWorker({ name: "refuses", topics: ["9"] });
  await net.waitForWorkers("9", 2);
}, 120_000);

afterAll(async () => {
  await net?.stop();
  await new Promise<void>((r) => gateway?.close(() => r()));
});

describe("an install from an allowed URL", () => {
  it("is still refused outside the allowed prefix", async () => {
    const { status, body } = await post(net.headUrl, "/api/v1/functions/install", {
      cid: pkg.cid,
      uri: `${gatewayUrl}/elsewhere/${pkg.cid}`,
    });
    expect(status).toBe(403);
    expect(body.code).toBe("INSTALL_URI_NOT_ALLOWED");
    expect(hits).toEqual([]);
  });

  it("runs only on the worker that allows the function", async () => {
    const installed = await post(net.headUrl, "/api/v1/functions/install", {
      cid: pkg.cid,
      uri: `${gatewayUrl}/packages/${pkg.cid}`,
      subgroup: "9",
    });
    expect(installed.body.code).toBe("200");
    const allows = net.workers.get("allows")!;
    const refuses = net.workers.get("refuses")!;
    await waitFor("the allowing worker to install it", () =>
      allows.status().functions.some((f) => f.cid === pkg.cid) ? true : undefined,
    );
    expect(hits).toEqual([`/packages/${pkg.cid}`]); // one download, by the worker that allows it
    const { body } = await post(net.headUrl, EXECUTE, { ...guideBody("9"), function_id: pkg.cid, method: "run" });
    expect(body.results.flatMap((r: { peers: string[] }) => r.peers)).toEqual([allows.peerId]);
    expect(JSON.parse(body.results[0].result.stdout)).toEqual({ infererValue: "42" });
    expect(body.failures[refuses.peerId].code).toBe("FUNCTION_NOT_ALLOWED");
    expect(refuses.status().functions.map((f) => f.cid)).not.toContain(pkg.cid);
    expect(hits).toHaveLength(1);
  });
});
