/**
 * `allocmd doctor`: finds loose secret permissions, keys the container could not read, secrets written into
 * compose files, and a network of another version, and says what to do about each.
 */
import { chmod, readFile, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { checkNode, type Finding as DoctorFinding } from "../src/doctor/checks.js";
import { cliVersion } from "../src/version.js";
import { allocmd, tempDir } from "./support/cli.js";

interface Finding {
  level: string;
  area: string;
  message: string;
  fix?: string;
}

let tmp: { dir: string; remove: () => Promise<void> };
let project: string;
let head: Server;
let headUrl: string;
let headVersion = cliVersion();

beforeAll(async () => {
  tmp = await tempDir();
  // A stand-in head that answers /api/v1/status with a version the test chooses.
  head = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    if (req.url === "/api/v1/status") {
      res.end(
        JSON.stringify({
          peer_id: "12D3KooWHead",
          addresses: [],
          version: headVersion,
          uptime_seconds: 1,
          workers: [],
          functions: [],
        }),
      );
    } else {
      res.statusCode = 404;
      res.end("{}");
    }
  });
  await new Promise<void>((r) => head.listen(0, "127.0.0.1", r));
  headUrl = `http://127.0.0.1:${(head.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise((r) => head?.close(r));
  await tmp?.remove();
});

let n = 0;
beforeEach(async () => {
  n++;
  project = join(tmp.dir, `worker-${n}`);
  expect((await allocmd(["init", "--name", `worker-${n}`, "--topic", "1"], tmp.dir)).code).toBe(0);
  headVersion = cliVersion();
});

async function doctor(): Promise<{ code: number; findings: Finding[]; failed: number }> {
  const run = await allocmd(["doctor", "--json", "--head", headUrl], project);
  const body = JSON.parse(run.stdout) as { ok: boolean; failed: number; findings: Finding[] };
  expect(run.code).toBe(body.failed === 0 ? 0 : 1);
  return { code: run.code, findings: body.findings, failed: body.failed };
}

const find = (findings: Finding[], area: string, level: string) =>
  findings.filter((f) => f.area === area && f.level === level).map((f) => f.message);

describe("allocmd doctor", () => {
  it("passes the key, secret and version checks of a fresh project", async () => {
    const { findings } = await doctor();
    expect(find(findings, "config", "ok")).toHaveLength(1);
    expect(find(findings, "keys", "fail")).toEqual([]);
    expect(find(findings, "keys", "ok").join("\n")).toMatch(/keys\/ loads: peer id 12D3KooW/);
    expect(find(findings, "keys", "ok").join("\n")).toMatch(
      /secrets\/chain\.mnemonic is a valid mnemonic: account allo1/,
    );
    expect(find(findings, "secrets", "ok")).toHaveLength(2);
    expect(find(findings, "network", "ok")).toEqual([
      `the head at ${headUrl} runs version ${cliVersion()}, like this allocmd`,
    ]);
    expect(findings.some((f) => f.area === "docker")).toBe(true);
    expect(findings.some((f) => f.area === "compose")).toBe(true);
  });

  it("fails a mnemonic file others can read, saying to chmod it", async () => {
    await chmod(join(project, "secrets/chain.mnemonic"), 0o644);
    const { findings, code } = await doctor();
    expect(code).toBe(1);
    const f = findings.find((x) => x.area === "keys" && x.level === "fail" && x.message.includes("readable by others"));
    expect(f?.message).toBe("secrets/chain.mnemonic is readable by others (mode 644)");
    expect(f?.fix).toBe("chmod 600 secrets/chain.mnemonic");
  });

  it("fails keys the container user could not read", async () => {
    const env = await readFile(join(project, ".env"), "utf8");
    await writeFile(join(project, ".env"), env.replace(/^ALLOCMD_UID=\d+$/m, "ALLOCMD_UID=4242"));
    const { findings, code } = await doctor();
    expect(code).toBe(1);
    expect(find(findings, "keys", "fail").join("\n")).toMatch(
      /keys\/priv\.bin belongs to uid \d+, but the worker container runs as uid 4242/,
    );
  });

  it("fails a mnemonic written into a compose file", async () => {
    const mnemonic = (await readFile(join(project, "secrets/chain.mnemonic"), "utf8")).trim();
    const compose = join(project, "dev-docker-compose.yaml");
    await writeFile(
      compose,
      (await readFile(compose, "utf8")).replace(
        "FUNCTION_TIMEOUT:",
        `MNEMONIC: "${mnemonic}"\n      FUNCTION_TIMEOUT:`,
      ),
    );
    const { findings, code } = await doctor();
    expect(code).toBe(1);
    expect(find(findings, "secrets", "fail")).toEqual(["a key or the mnemonic is written in dev-docker-compose.yaml"]);
  });

  it("fails a network of another version", async () => {
    headVersion = "9.9.9";
    const { findings, code } = await doctor();
    expect(code).toBe(1);
    expect(find(findings, "network", "fail")).toEqual([
      `the head at ${headUrl} runs version 9.9.9; this allocmd is ${cliVersion()}`,
    ]);
  });

  it("prints findings with a fix for each problem", async () => {
    await chmod(join(project, "keys/priv.bin"), 0o640);
    const run = await allocmd(["doctor", "--head", headUrl], project);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /FAIL {2}keys {6}keys\/priv\.bin is readable by others \(mode 640\)\n\s+fix: chmod 600 keys\/priv\.bin/,
    );
    expect(run.stdout).toMatch(/problem\(s\) to fix/);
  });
});

describe("allocmd doctor's Node check", () => {
  it("accepts Node 20.19+ and 22.12+, and fails older or odd releases saying what to install", () => {
    const level = (version: string) => {
      const findings: DoctorFinding[] = [];
      checkNode(findings, version);
      return findings[0];
    };
    expect(level("20.19.0")?.level).toBe("ok");
    expect(level("22.12.0")?.level).toBe("ok");
    expect(level("24.1.0")?.level).toBe("ok");
    for (const old of ["20.18.3", "21.7.0", "22.11.0", "18.20.0"]) {
      expect(level(old)).toMatchObject({ level: "fail", message: `Node ${old} is too old or not supported` });
      expect(level(old)?.fix).toContain("install Node 22");
    }
  });
});
