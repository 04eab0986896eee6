/**
 * The generated compose files are accepted by compose itself (`config -q`), with every compose installed here:
 * docker-compose v1 and/or `docker compose` v2.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { runProcess } from "../src/docker/run-process.js";
import { allocmd, tempDir } from "./support/cli.js";

let tmp: { dir: string; remove: () => Promise<void> };
let project: string;
const composes: Array<{ name: string; command: string; args: string[] }> = [];

beforeAll(async () => {
  for (const c of [
    { name: "docker-compose (v1)", command: "docker-compose", args: [] },
    { name: "docker compose (v2)", command: "docker", args: ["compose"] },
  ]) {
    const res = await runProcess(c.command, [...c.args, "version", "--short"], { timeoutMs: 20_000 });
    if (res.code === 0) composes.push(c);
  }
  tmp = await tempDir();
  project = join(tmp.dir, "eth-worker");
  expect((await allocmd(["init", "--name", "eth-worker", "--topic", "1,2", "--env", "dev"], tmp.dir)).code).toBe(0);
  const devPath = join(project, "dev-docker-compose.yaml");
  const dev = parse(await readFile(devPath, "utf8"));
  dev.services.cache = { image: "redis:7", depends_on: ["chain"], volumes: ["cache-data:/data"] };
  dev.volumes["cache-data"] = {};
  await writeFile(devPath, stringify(dev));
  const prod = await allocmd(
    [
      "init",
      "--env",
      "prod",
      "--boot-nodes",
      "/dns4/head.example.org/tcp/9010,/ip4/203.0.113.7/tcp/9010",
      "--chain-rpc",
      "https://rpc.example.org",
      "--chain-rest",
      "https://rest.example.org",
      "--announce",
      "/dns4/worker.example.org/tcp/9011",
    ],
    project,
  );
  expect(prod.code).toBe(0);
});

afterAll(async () => {
  await tmp?.remove();
});

describe("compose accepts the generated files", () => {
  it("finds at least one compose on this machine", () => {
    expect(composes.map((c) => c.name).length).toBeGreaterThan(0);
  });

  for (const file of ["dev-docker-compose.yaml", "prod-docker-compose.yaml"]) {
    it(`${file}: config -q passes and resolves the worker's user, secret and key mount`, async () => {
      for (const c of composes) {
        const check = await runProcess(c.command, [...c.args, "-f", file, "config", "-q"], {
          cwd: project,
          timeoutMs: 60_000,
        });
        // v2 may warn that `version` is obsolete (v1 needs it); anything else is a problem.
        expect(check.stderr.replace(/.*`version` is obsolete.*\n?/g, ""), `${c.name} config -q`).toBe("");
        expect(check.code, `${c.name} config -q`).toBe(0);
        const resolved = await runProcess(c.command, [...c.args, "-f", file, "config"], {
          cwd: project,
          timeoutMs: 60_000,
        });
        const doc = parse(resolved.stdout);
        const worker = doc.services["eth-worker"];
        // .env's uid and gid are substituted: the invoking user, or the image's user 1000 when run as root.
        expect(worker.user).toMatch(/^[1-9]\d*:\d+$/);
        expect(JSON.stringify(worker.volumes)).toContain("/keys");
        expect(JSON.stringify(doc.secrets)).toContain("chain.mnemonic");
      }
    });
  }
});
