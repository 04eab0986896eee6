/**
 * The network as users run it (`pnpm dev`'s description, every node an OS process), tested from the outside over
 * HTTP and libp2p only: the guide's curl, a worker killed with SIGKILL mid-request, the head killed and restarted,
 * and a list of malformed requests.
 */
import { execFileSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { sampleMainPyPath } from "@allora/node-function";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestNetwork, type TestNetwork } from "../../src/process-network.js";
import { waitFor } from "../../src/wait.js";
import { BAD_REQUESTS } from "../support/bad-requests.js";
import { EXECUTE, GUIDE_BODY, guideBody, post } from "../support/guide.js";

let net: TestNetwork;
let peers: Map<string, string>;

beforeAll(async () => {
  const { mkdtemp } = await import("node:fs/promises");
  const { tmpdir } = await import("node:os");
  const root = await mkdtemp(join(tmpdir(), "allora-e2e-"));
  // The sample main.py, except that the argument SLOW makes it take 20 s (to kill a worker mid-request).
  const mainPy = join(root, "main.py");
  await writeFile(
    mainPy,
    [
      "import runpy, sys, time",
      "if len(sys.argv) > 4 and sys.argv[4] == 'SLOW':",
      "    time.sleep(20)",
      `runpy.run_path(${JSON.stringify(sampleMainPyPath)}, run_name='__main__')`,
      "",
    ].join("\n"),
  );
  // The sandbox lets main.py read its own folder only: the operator allows the sample's folder it runs too.
  net = await startTestNetwork({
    chain: false,
    workers: 3,
    root,
    mainPy,
    extraWorkerArgs: [`--function-read-paths=${dirname(sampleMainPyPath)}`],
  });
  peers = new Map([...net.prepared.nodes].filter(([, n]) => n.peerId).map(([name, n]) => [name, n.peerId as string]));
}, 180_000);

afterAll(async () => {
  await net?.dispose();
});

describe("pnpm dev's network, from the outside", () => {
  it("answers the guide's curl with three workers' inferences", async () => {
    const { status, body } = await post(net.headUrl, EXECUTE, GUIDE_BODY);
    expect(status).toBe(200);
    expect(body.code).toBe("200");
    const answered = body.results.flatMap((r: { peers: string[] }) => r.peers).sort();
    expect(answered).toEqual(["worker-1", "worker-2", "worker-3"].map((w) => peers.get(w)).sort());
    for (const r of body.results) expect(JSON.parse(r.result.stdout).infererValue).toMatch(/^\d+(\.\d+)?$/);
  });

  it("names a worker killed with SIGKILL mid-request and answers without waiting out the timeout", async () => {
    const pending = post(net.headUrl, EXECUTE, guideBody("1", {}, "SLOW"));
    await waitFor("worker-2 to run the slow function", async () => {
      const status = (await (await fetch(`${net.url("worker-2", "http")}/status`)).json()) as { running: number };
      return status.running >= 1;
    });
    const killedAt = performance.now();
    await net.kill("worker-2", "SIGKILL");
    await net.kill("worker-1", "SIGKILL");
    await net.kill("worker-3", "SIGKILL");
    const { body } = await pending;
    expect(performance.now() - killedAt).toBeLessThan(5000);
    expect(body.code).toBe("204");
    expect(body.unanswered_peers.sort()).toEqual(
      [...peers]
        .filter(([n]) => n.startsWith("worker"))
        .map(([, p]) => p)
        .sort(),
    );
    expect(body.message).toContain(peers.get("worker-2"));
    // Their functions die with them: no main.py is left running.
    await waitFor(
      "the killed workers' functions to be gone",
      () => !execFileSync("ps", ["-eo", "args"], { encoding: "utf8" }).includes(join(net.root, "main.py")),
      5000,
    );
    for (const w of ["worker-1", "worker-2", "worker-3"]) await net.start(w);
    await net.waitReady();
    expect((await post(net.headUrl, EXECUTE, GUIDE_BODY)).body.code).toBe("200");
  });

  it("recovers when the head is killed and restarted: workers rejoin and the next request succeeds", async () => {
    await net.kill("head", "SIGKILL");
    await net.start("head");
    await net.waitReady(60_000);
    const { body } = await post(net.headUrl, EXECUTE, GUIDE_BODY);
    expect(body.code).toBe("200");
    expect(body.results.flatMap((r: { peers: string[] }) => r.peers)).toHaveLength(3);
  });

  it(`answers each of ${BAD_REQUESTS.length} malformed requests with a 4xx and a code, and stays healthy`, async () => {
    expect(BAD_REQUESTS.length).toBeGreaterThanOrEqual(30);
    const outcomes: string[] = [];
    for (const bad of BAD_REQUESTS) {
      const res = await fetch(`${net.headUrl}${EXECUTE}`, {
        method: "POST",
        headers: { "content-type": bad.contentType ?? "application/json" },
        body: bad.body,
      });
      const body = (await res.json()) as { code?: string; message?: string };
      outcomes.push(`${bad.name}: ${res.status} ${body.code}${body.message ? "" : " (no message)"}`);
    }
    expect(outcomes).toEqual(BAD_REQUESTS.map((b) => `${b.name}: ${b.status} ${b.code}`));
    expect(await (await fetch(`${net.headUrl}/api/v1/health`)).json()).toEqual({ type: "health", code: 200 });
    expect((await post(net.headUrl, EXECUTE, GUIDE_BODY)).body.code).toBe("200");
  });
});
