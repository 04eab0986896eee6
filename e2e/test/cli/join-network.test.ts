/**
 * A project made by `allocmd init` joins a network started from the description `pnpm dev` uses (processes on
 * this machine, with the chain), as a container built from the project's generated Dockerfile
 * (`allocmd run --join`), answers `allocmd request`, and `allocmd status` shows it registered and scored. Run in
 * both ways a container can reach the host's network: host networking, and the Docker bridge via
 * host.docker.internal. Needs Docker and the allora/worker image of this version (`pnpm docker:build`).
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestNetwork, type TestNetwork } from "../../src/process-network.js";
import { allocmd, ensureImages, sh, waitForStatus } from "./support.js";

const NAME = "e2e-join-worker";
const CONTAINER = `allocmd-${NAME}-join`;

let net: TestNetwork;
let dir: string;
let project: string;
let peerId: string;
let joinArgs: string[];
let networkArgs: string[];

beforeAll(async () => {
  await ensureImages();
  await sh("docker", ["rm", "--force", CONTAINER]);
  // Every interface, not only loopback: the bridge-mode join reaches the host through Docker's bridge gateway.
  net = await startTestNetwork({ chain: true, workers: 1, bindHost: "0.0.0.0" });
  dir = await mkdtemp(join(tmpdir(), "allocmd-e2e-"));
  project = join(dir, NAME);
  const init = await allocmd(["init", "--name", NAME, "--topic", "1", "--env", "dev"], dir);
  expect(init.stderr).toBe("");
  expect(init.code).toBe(0);
  peerId = (await readFile(join(project, "keys", "identity"), "utf8")).trim();
  const headP2p = net.p2pAddress("head");
  networkArgs = ["--head", net.headUrl, "--chain-rest", net.url("chain", "rest")];
  joinArgs = [
    "run",
    "--join",
    headP2p,
    "--head",
    net.headUrl,
    "--chain-rpc",
    net.url("chain", "rpc"),
    "--chain-rest",
    net.url("chain", "rest"),
    "--inference-url",
    net.url("inference-1", "http"),
    "--timeout",
    "120",
  ];
}, 1_800_000);

afterAll(async () => {
  if (project) await allocmd(["stop"], project).catch(() => undefined);
  await sh("docker", ["rm", "--force", CONTAINER]);
  await net?.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 120_000);

describe("allocmd run --join: a generated project joins pnpm dev's network as a container", () => {
  it("builds the project's image, starts the container with host networking and waits until it serves topic 1", async () => {
    const run = await allocmd([...joinArgs, "--network-mode", "host"], project, 900_000);
    expect(run.stderr).toContain(`building allocmd/${NAME}:`);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`joined: ${CONTAINER} (peer ${peerId}) serves topic(s) 1`);
    const inspect = await sh("docker", [
      "inspect",
      CONTAINER,
      "--format",
      "{{.Config.User}} {{.HostConfig.NetworkMode}} {{.State.Running}}",
    ]);
    const [user, mode, running] = inspect.stdout.trim().split(" ");
    expect(user).toMatch(/^[1-9]\d*:\d+$/); // never root
    expect(mode).toBe("host");
    expect(running).toBe("true");
    const env = (await sh("docker", ["inspect", CONTAINER, "--format", "{{json .Config.Env}}"])).stdout;
    const mnemonic = (await readFile(join(project, "secrets", "chain.mnemonic"), "utf8")).trim();
    expect(env).not.toContain(mnemonic.split(" ").slice(0, 4).join(" "));
    expect(env).toContain("CHAIN_MNEMONIC_FILE=/run/secrets/chain_mnemonic");
  }, 900_000);

  it("answers allocmd request with its own value (request talks to the joined network by default)", async () => {
    const run = await allocmd(["request", "--topic", "1", "--arg", "ETH"], project);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/code 200/);
    expect(run.stdout).toMatch(/\(this worker\)\s+ran \d+ ms\s+infererValue \d+(\.\d+)?/);
    const body = JSON.parse(
      (await allocmd(["request", "--topic", "1", "--head", net.headUrl, "--json"], project)).stdout,
    );
    const mine = body.results.find((r: { peers: string[] }) => r.peers.includes(peerId));
    expect(JSON.parse(mine.result.stdout).infererValue).toMatch(/^\d+(\.\d+)?$/);
  });

  it("shows in allocmd status as connected, registered and scored", async () => {
    const report = await waitForStatus(
      networkArgs,
      project,
      (r) => r.ok === true && r.topics[0]?.latest_value !== null && r.topics[0]?.score !== null,
      120_000,
    );
    expect(report).toMatchObject({ peer_id: peerId, head: { connected: true }, chain: { reachable: true } });
    expect(report.topics[0]).toMatchObject({ topic: 1, subscribed: true, registered: true });
    // Without flags, status asks the network the project joined.
    const human = await allocmd(["status"], project);
    expect(human.code, human.stdout).toBe(0);
    expect(human.stdout).toContain(`Head   ${net.headUrl}: reachable`);
    expect(human.stdout).toMatch(
      /Topic 1: subscribed yes, registered yes, latest inference \d+(\.\d+)? \(round \d+\), score \S+/,
    );
    const topic = await allocmd(["topic", "1", "--chain-rest", net.url("chain", "rest")], project);
    expect(topic.code).toBe(0);
    expect(topic.stdout).toContain("(you)");
  }, 180_000);

  it("joins again on the Docker bridge (host.docker.internal), the way macOS and Windows run it", async () => {
    const run = await allocmd([...joinArgs, "--network-mode", "bridge"], project, 900_000);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`replacing the previous ${CONTAINER} container`);
    const mode = await sh("docker", ["inspect", CONTAINER, "--format", "{{.HostConfig.NetworkMode}}"]);
    expect(mode.stdout.trim()).toBe("bridge");
    const env = (await sh("docker", ["inspect", CONTAINER, "--format", "{{json .Config.Env}}"])).stdout;
    expect(env).toMatch(/BOOT_NODES=\/dns4\/host\.docker\.internal\/tcp\/\d+/);
    const request = await allocmd(["request", "--topic", "1", "--head", net.headUrl], project);
    expect(request.code).toBe(0);
    expect(request.stdout).toMatch(/\(this worker\)\s+ran \d+ ms\s+infererValue \d+(\.\d+)?/);
  }, 900_000);

  it("stops: allocmd stop removes the container", async () => {
    const run = await allocmd(["stop"], project);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`removed the --join container ${CONTAINER}`);
    const gone = await sh("docker", ["container", "inspect", CONTAINER]);
    expect(gone.code).not.toBe(0);
  }, 120_000);
});
