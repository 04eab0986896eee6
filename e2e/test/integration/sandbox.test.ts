/**
 * The function sandbox, tried from outside: a real head and real worker processes, requests through the head's
 * REST execute, and a main.py that attacks the worker that runs it. Under the sandbox every attack fails and nothing
 * it started outlives its run; the same main.py with every layer turned off succeeds at each, so the probes are real.
 */
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { functionModeArgs } from "../../src/function-mode.js";
import { type InProcessNetwork, startInProcessNetwork } from "../../src/in-process-network.js";
import { waitFor } from "../../src/wait.js";
import { EXECUTE, guideBody, post } from "../support/guide.js";

const workerBin = fileURLToPath(new URL("../../../apps/worker/dist/bin/worker.js", import.meta.url));
const SECRET = `planted-secret-${randomUUID()}`;
const MNEMONIC = "abandon ".repeat(23).concat("art");
const isRoot = process.getuid?.() === 0;

// The attacker: everything the main.py did, each attempt recorded as {ok, detail}, one JSON line out.
const ATTACKER = String.raw`
import json, os, signal, sys, time
import helper  # a module beside main.py: imports from main.py's folder still work

HERE = os.path.dirname(os.path.abspath(__file__))
report = {"helper": helper.VALUE, "uid": os.getuid()}
target = int(os.environ["TARGET_PID"])
marker = os.environ["DAEMON_MARKER"]

def attempt(name, fn):
    try:
        report[name] = {"ok": True, "detail": str(fn())[:300]}
    except BaseException as err:
        report[name] = {"ok": False, "detail": type(err).__name__ + ": " + str(err)[:200]}

def read(path):
    with open(path, "rb") as f:
        return f.read().decode("latin-1")

keys = os.path.join(HERE, "data", "keys")
attempt("read_priv_bin", lambda: read(os.path.join(keys, "priv.bin")))
attempt("read_priv_txt", lambda: read(os.path.join(keys, "priv.txt")))
attempt("read_mnemonic", lambda: read(os.path.join(HERE, "secrets", "worker.mnemonic")))
attempt("read_other_mnemonic", lambda: read(os.path.join(HERE, "secrets", "other.mnemonic")))
attempt("read_worker_environ", lambda: [e for e in read("/proc/%d/environ" % target).split("\0")
                                         if e.startswith("WORKER_PLANTED_SECRET=")])
attempt("read_worker_cmdline", lambda: read("/proc/%d/cmdline" % target))
attempt("read_launcher_environ", lambda: read("/proc/%d/environ" % os.getppid()))
attempt("read_worker_mem", lambda: open("/proc/%d/mem" % target, "rb"))
attempt("signal_worker", lambda: os.kill(target, 0) or "signalled")

def allocate():
    block = bytearray(512 * 1024 * 1024)
    block[::4096] = b"x" * len(block[::4096])
    return len(block)
attempt("allocate_512_mib", allocate)

def fork_many():
    made = []
    try:
        for _ in range(100):
            pid = os.fork()
            if pid == 0:
                time.sleep(30)
                os._exit(0)
            made.append(pid)
    except OSError as err:
        raise OSError("forked %d, then %s" % (len(made), err))
    finally:
        for pid in made:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    return "forked %d" % len(made)
attempt("fork_100", fork_many)

def daemon():
    r, w = os.pipe()
    if os.fork() == 0:
        os.setsid()
        pid = os.fork()
        if pid == 0:
            null = os.open("/dev/null", os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)
            os.execv("/bin/sleep", [marker, "300"])
        os.write(w, str(pid).encode())
        os._exit(0)
    os.close(w)
    pid = int(os.read(r, 32) or b"0")
    time.sleep(0.3)
    os.kill(pid, 0)
    return pid
attempt("setsid_daemon", daemon)
print(json.dumps(report), flush=True)
`;

let net: InProcessNetwork;
const workers: ChildProcessWithoutNullStreams[] = [];
const daemonPids: number[] = [];

interface Attacker {
  name: string;
  dir: string;
  marker: string;
  child: ChildProcessWithoutNullStreams;
  http: string;
  log: () => string;
}
const attackers = new Map<string, Attacker>();

/** A worker process with the attacker main.py, its data folder and mnemonics beside it, and a secret in its env. */
async function startAttacker(name: string, topic: string, flags: string[]): Promise<Attacker> {
  const dir = join(net.dir, name);
  await mkdir(join(dir, "secrets"), { recursive: true });
  await chmod(dir, 0o755);
  await writeFile(join(dir, "main.py"), ATTACKER);
  await writeFile(join(dir, "helper.py"), "VALUE = 'imported'\n");
  await writeFile(join(dir, "secrets", "worker.mnemonic"), `${MNEMONIC}\n`, { mode: 0o600 });
  await writeFile(join(dir, "secrets", "other.mnemonic"), `${MNEMONIC}\n`, { mode: 0o644 });
  const marker = `allora-daemon-${randomUUID()}`;
  const child = spawn(
    process.execPath,
    [
      workerBin,
      `--name=${name}`,
      "--p2p-host=127.0.0.1",
      "--p2p-port=0",
      "--http-host=127.0.0.1",
      "--http-port=0",
      `--data-dir=${join(dir, "data")}`,
      `--boot-nodes=${net.headP2p}`,
      `--topics=${topic}`,
      `--main-py=${join(dir, "main.py")}`,
      `--chain-mnemonic-file=${join(dir, "secrets", "worker.mnemonic")}`,
      "--function-timeout=15",
      ...functionModeArgs(),
      ...flags,
    ],
    {
      stdio: ["pipe", "pipe", "pipe"],
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", WORKER_PLANTED_SECRET: SECRET },
    },
  );
  workers.push(child);
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const http = await waitFor(`${name}'s HTTP address`, () => /"http":"(http:\/\/[^"]+)"/.exec(out)?.[1], 30_000);
  await net.waitForWorkers(topic, 1);
  const attacker = { name, dir, marker, child, http, log: () => out };
  attackers.set(name, attacker);
  return attacker;
}

async function attack(a: Attacker, topic: string): Promise<Record<string, { ok: boolean; detail: string }>> {
  const { body } = await post(
    net.headUrl,
    EXECUTE,
    guideBody(topic, {
      env_vars: [
        { name: "ALLORA_ARG_PARAMS", value: "ETH" },
        { name: "TARGET_PID", value: String(a.child.pid) },
        { name: "DAEMON_MARKER", value: a.marker },
      ],
      timeout: 20,
    }),
  );
  expect(body.code, JSON.stringify(body)).toBe("200");
  const report = JSON.parse(body.results[0].result.stdout);
  console.log(`${a.name}: ${JSON.stringify(report, null, 1)}`);
  return report;
}

const psArgs = () => execFileSync("ps", ["-eo", "pid,args"], { encoding: "utf8" });

beforeAll(async () => {
  net = await startInProcessNetwork({ workers: [] });
}, 60_000);

afterAll(async () => {
  for (const pid of daemonPids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  for (const w of workers) w.kill("SIGKILL");
  await net?.stop();
});

describe("a main.py that attacks its worker, under the sandbox", () => {
  let report: Record<string, { ok: boolean; detail: string }>;
  let a: Attacker;

  beforeAll(async () => {
    a = await startAttacker("sandboxed", "9", ["--function-max-memory=256", "--function-max-processes=32"]);
    report = await attack(a, "9");
  }, 90_000);

  it("still runs, imports beside main.py and runs as its own uid (root worker)", () => {
    expect(report.helper).toBe("imported");
    if (isRoot) expect(report.uid).toBeGreaterThanOrEqual(2_000_000_000);
  });

  it.each([
    "read_priv_bin",
    "read_priv_txt",
    "read_mnemonic",
    "read_other_mnemonic",
    "read_worker_environ",
    "read_worker_cmdline",
    "read_launcher_environ",
    "read_worker_mem",
    "signal_worker",
  ])("fails at %s", (name) => {
    expect(report[name], JSON.stringify(report[name])).toMatchObject({ ok: false });
    expect(report[name]?.detail).toMatch(/^(PermissionError|ProcessLookupError)/);
  });

  it("cannot allocate past --function-max-memory", () => {
    expect(report.allocate_512_mib).toEqual({ ok: false, detail: expect.stringMatching(/^MemoryError/) });
  });

  it("cannot fork past --function-max-processes", () => {
    expect(report.fork_100?.ok).toBe(false);
    const forked = Number(/forked (\d+)/.exec(report.fork_100?.detail ?? "")?.[1]);
    expect(forked).toBeLessThan(32);
    expect(report.fork_100?.detail).toMatch(/Resource temporarily unavailable/);
  });

  it("leaves nothing running after its run: not the setsid daemon, not the forked children", async () => {
    expect(report.setsid_daemon?.ok).toBe(true); // it did start one, inside the run
    await waitFor(
      "no process of the run left",
      () => {
        const lines = psArgs().split("\n");
        // The worker's own command line names main.py too (--main-py=): only the function's is looked for.
        const left = lines.filter(
          (l) => l.includes(a.marker) || (l.includes(join(a.dir, "main.py")) && !l.includes("--main-py=")),
        );
        return left.length === 0;
      },
      5000,
    );
  });

  it("leaks no secret in what it printed", () => {
    const all = JSON.stringify(report);
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain("abandon abandon");
  });

  it("reports the layers in force on /status and in its start-up log", async () => {
    const status = (await (await fetch(`${a.http}/status`)).json()) as { sandbox: Record<string, unknown> };
    expect(status.sandbox).toMatchObject({
      landlock: { abi: expect.any(Number), scoped: ["signal", "abstract_unix_socket"] },
      rlimits: { memory_mib: 256, processes: 32 },
      subreaper: true,
      launcher_dumpable: false,
      unavailable: [],
      disabled: [],
    });
    if (isRoot) expect(status.sandbox.uid_separation).toBeDefined();
    expect(a.log()).toMatch(/"msg":"function sandbox: landlock ABI \d+/);
  });
});

describe("the same main.py with every layer turned off (the probes are real)", () => {
  let report: Record<string, { ok: boolean; detail: string }>;
  let a: Attacker;

  beforeAll(async () => {
    a = await startAttacker("unsandboxed", "10", ["--function-sandbox="]);
    report = await attack(a, "10");
    const daemon = Number(report.setsid_daemon?.detail);
    if (daemon > 0) daemonPids.push(daemon);
  }, 90_000);

  it("succeeds at every attack", () => {
    for (const name of [
      "read_mnemonic",
      "read_other_mnemonic",
      "read_worker_environ",
      "read_worker_cmdline",
      "allocate_512_mib",
      "fork_100",
      "setsid_daemon",
      "signal_worker",
    ]) {
      expect(report[name], `${name}: ${JSON.stringify(report[name])}`).toMatchObject({ ok: true });
    }
    if (isRoot) {
      expect(report.read_priv_bin?.ok).toBe(true);
      expect(report.read_priv_txt?.ok).toBe(true);
    }
    expect(report.read_worker_environ?.detail).toContain(SECRET);
    expect(report.read_mnemonic?.detail).toContain("abandon abandon");
    expect(report.fork_100?.detail).toBe("forked 100");
  });

  it("leaves its setsid daemon running (which the sandbox's reaper prevents)", async () => {
    await new Promise((r) => setTimeout(r, 300));
    expect(psArgs()).toContain(a.marker);
  });

  it("warns SANDBOX_LAYER_DISABLED for each layer and says so on /status", async () => {
    const status = (await (await fetch(`${a.http}/status`)).json()) as { sandbox: { disabled: string[] } };
    expect(status.sandbox.disabled).toEqual(["landlock", "reaper", "rlimits", "uid"]);
    for (const layer of ["landlock", "uid", "rlimits", "reaper"]) {
      expect(a.log()).toMatch(new RegExp(`"code":"SANDBOX_LAYER_DISABLED","layer":"${layer}"`));
    }
  });
});

describe("the sample main.py under the sandbox", () => {
  it('answers the guide\'s request with {"infererValue": ...} and reports the sandbox', async () => {
    const worker = await net.startWorker({ name: "sample", topics: ["11"] });
    await net.waitForWorkers("11", 1);
    const { body } = await post(net.headUrl, EXECUTE, guideBody("11"));
    expect(body.code, JSON.stringify(body)).toBe("200");
    expect(JSON.parse(body.results[0].result.stdout)).toEqual({ infererValue: expect.stringMatching(/^\d+(\.\d+)?$/) });
    const sandbox = worker.status().sandbox;
    expect(sandbox?.landlock).toBeDefined();
    expect(sandbox?.unavailable).toEqual([]);
    if (isRoot) expect(sandbox?.uid_separation).toBeDefined();
  });
});

describe.runIf(isRoot)("a main.py a slot's uid cannot read", () => {
  it("runs without uid separation (Landlock still applies), with a SANDBOX_LAYER_UNAVAILABLE warning naming the remedy", async () => {
    const closed = join(net.dir, "private-main");
    await mkdir(closed, { mode: 0o700 });
    await chmod(closed, 0o700);
    await writeFile(
      join(closed, "main.py"),
      'import json, os\nprint(json.dumps({"infererValue": "1", "uid": os.getuid()}))\n',
    );
    const worker = await net.startWorker({ name: "closed", topics: ["12"], mainPy: join(closed, "main.py") });
    await net.waitForWorkers("12", 1);
    const sandbox = worker.status().sandbox;
    expect(sandbox?.uid_separation).toBeUndefined();
    expect(sandbox?.landlock).toBeDefined();
    expect(sandbox?.capabilities_dropped).toBe(true);
    expect(sandbox?.unavailable).toEqual([
      { layer: "uid", reason: expect.stringContaining(join(closed, "main.py")), remedy: expect.any(String) },
      { layer: "rlimits-processes", reason: expect.stringContaining("RLIMIT_NPROC"), remedy: expect.any(String) },
    ]);
    const log = await readFile(join(net.dir, "logs", "closed.log"), "utf8");
    expect(log).toMatch(/"code":"SANDBOX_LAYER_UNAVAILABLE","layer":"uid"/);
    const { body } = await post(net.headUrl, EXECUTE, guideBody("12"));
    expect(body.code, JSON.stringify(body)).toBe("200");
    expect(JSON.parse(body.results[0].result.stdout)).toEqual({ infererValue: "1", uid: 0 });
  });
});
