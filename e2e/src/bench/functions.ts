/**
 * The real path of `pnpm bench`: the guide's curl through the head to workers running the runner package and a
 * main.py, cold (a fresh interpreter per run) and warm (forked from a process that imported main.py's modules), for
 * (a) the sample main.py asking its inference server and (b) the same main.py importing a module that does about a
 * second of real work at import. Beside them, in the same run, the physical limit: the sample's predict() called in
 * a warm interpreter, and the bare HTTP round trip to the model server.
 */
import { execFileSync, spawn } from "node:child_process";
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sampleMainPyPath } from "@allora/node-function";
import { guideBody } from "../guide-body.js";
import { startTestNetwork, type TestNetwork } from "../process-network.js";
import { timedRequest } from "./http-client.js";
import { summarize } from "./stats.js";
import { measureThroughput } from "./throughput.js";

type Stats = ReturnType<typeof summarize>;
type Mode = "warm" | "cold";

const HEAVY_MODEL = fileURLToPath(new URL("../../src/bench/heavy_model.py", import.meta.url));

/** The guide's curl body (topic 1, argument ETH) with a timeout a cold heavy main.py on 10 workers can meet. */
const GUIDE_REQUEST = JSON.stringify(guideBody("1", { timeout: 60 }));

/** A main.py folder for the heavy case: the sample main.py that first imports heavy_model (shipped beside this). */
async function makeHeavyMainPy(): Promise<{ mainPy: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "allora-bench-heavy-"));
  const sample = await readFile(sampleMainPyPath, "utf8");
  await writeFile(
    join(dir, "main.py"),
    sample.replace("\nimport json\n", "\nimport heavy_model  # ~1 s of work at import\nimport json\n"),
  );
  await copyFile(HEAVY_MODEL, join(dir, "heavy_model.py"));
  execFileSync("chmod", ["-R", "a+rX", dir]);
  return { mainPy: join(dir, "main.py"), remove: () => rm(dir, { recursive: true, force: true }) };
}

/** One guide's curl: its latency, the slowest worker's function time, and how many results came back. */
/** One guide's curl: whether it answered 200, its time, the slowest function time, the answers, why others failed. */
interface CurlOutcome {
  ok: boolean;
  ms: number;
  fnMs: number;
  answers: number;
  /** Per failure code (`failures` of the response), how many workers failed with it. */
  failed: Record<string, number>;
}

async function guideCurl(net: TestNetwork): Promise<CurlOutcome> {
  const started = performance.now();
  let r: { status: number; text: string; ms: number };
  try {
    r = await timedRequest(`${net.headUrl}/api/v1/functions/execute`, GUIDE_REQUEST);
  } catch {
    return { ok: false, ms: performance.now() - started, fnMs: 0, answers: 0, failed: {} }; // the client's 30 s passed
  }
  try {
    const parsed = JSON.parse(r.text) as {
      code: string;
      results?: Array<{ result?: { stdout?: string }; peers?: string[] }>;
      usage?: Record<string, { wall_clock_time: number }>;
      failures?: Record<string, { code: string }>;
    };
    const failed: Record<string, number> = {};
    for (const f of Object.values(parsed.failures ?? {})) failed[f.code] = (failed[f.code] ?? 0) + 1;
    const times = Object.values(parsed.usage ?? {}).map((u) => u.wall_clock_time / 1e6);
    // Identical outputs come grouped, with the peers that gave them: count the peers.
    const answers = (parsed.results ?? [])
      .filter((x) => x.result?.stdout?.includes('"infererValue"'))
      .reduce((n, x) => n + (x.peers?.length ?? 1), 0);
    return { ok: r.status === 200 && parsed.code === "200", ms: r.ms, fnMs: Math.max(0, ...times), answers, failed };
  } catch {
    return { ok: false, ms: r.ms, fnMs: 0, answers: 0, failed: {} };
  }
}

/** The sample's predict() called `n` times in one warm interpreter: what a run costs without any process start. */
async function warmPredict(python: string, inferenceUrl: string, n: number): Promise<Stats> {
  const code = [
    "import importlib.util, json, sys, time",
    "spec = importlib.util.spec_from_file_location('sample_main', sys.argv[1])",
    "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)",
    "m.log = lambda message: None",
    "times = []",
    `for _ in range(${n}):`,
    "    t = time.perf_counter(); m.predict('1', 'ETH'); times.append((time.perf_counter() - t) * 1000)",
    "print(json.dumps(times))",
  ].join("\n");
  const child = spawn(python, ["-c", code, sampleMainPyPath], {
    env: { PATH: "/usr/bin:/bin", INFERENCE_API_ADDRESS: inferenceUrl },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  const exit = await new Promise<number | null>((resolve) => child.on("close", resolve));
  if (exit !== 0) throw new Error(`the warm predict() probe exited with ${exit}`);
  return summarize((JSON.parse(out) as number[]).slice(Math.min(20, Math.floor(n / 5))));
}

export interface FunctionBenchSettings {
  workerCounts: readonly number[];
  requests: number;
  /** Sequential requests of the cold heavy case (each is seconds long). */
  heavyColdRequests: number;
  throughputSeconds: number;
  concurrency: number;
  log(message: string): void;
}

interface CaseResult {
  case: "sample" | "heavy";
  mode: Mode;
  workers: number;
  latency_ms: Stats;
  function_ms: Stats;
  throughput: { requests_per_second: number; failed: number };
  failures: number;
}

async function runCase(
  workers: number,
  kind: "sample" | "heavy",
  mode: Mode,
  mainPy: string,
  s: FunctionBenchSettings,
): Promise<{ result: CaseResult; limit?: { model_server_ms: Stats; warm_predict_ms: Stats } }> {
  s.log(`${workers} worker(s), ${kind} main.py, ${mode}: starting the network…`);
  const net = await startTestNetwork({
    chain: false,
    workers,
    models: ["naive"],
    logLevel: "warn",
    mainPy,
    extraWorkerArgs: [`--function-mode=${mode}`, "--function-timeout=60", "--max-queued=64"],
  });
  try {
    const requests = kind === "heavy" && mode === "cold" ? s.heavyColdRequests : s.requests;
    const warmup = kind === "heavy" && mode === "cold" ? 1 : 5;
    for (let i = 0; i < warmup; i++) await guideCurl(net);
    s.log(`  ${requests} sequential guide's curls…`);
    const latency: number[] = [];
    const fn: number[] = [];
    let failures = 0;
    for (let i = 0; i < requests; i++) {
      const r = await guideCurl(net);
      if (!r.ok || r.answers !== workers) {
        failures++;
        continue;
      }
      latency.push(r.ms);
      fn.push(r.fnMs);
    }
    s.log(`  throughput with ${s.concurrency} clients for ${s.throughputSeconds} s…`);
    const throughput = await measureThroughput(
      async () => {
        const r = await guideCurl(net);
        return r.ok && r.answers === workers;
      },
      s.concurrency,
      s.throughputSeconds,
    );
    const result: CaseResult = {
      case: kind,
      mode,
      workers,
      latency_ms: summarize(latency),
      function_ms: summarize(fn),
      throughput,
      failures,
    };
    if (kind !== "sample" || mode !== "warm") return { result };
    // The physical limit, measured on this network's first model server in the same run.
    const inferenceUrl = net.url("inference-1", "http");
    const model: number[] = [];
    for (let i = 0; i < 200; i++) model.push((await timedRequest(`${inferenceUrl}/inference/ETH`)).ms);
    const predict = await warmPredict("python3", inferenceUrl, 200);
    return { result, limit: { model_server_ms: summarize(model.slice(20)), warm_predict_ms: predict } };
  } finally {
    await net.dispose();
  }
}

/** Cold and warm, sample and heavy, for each worker count; with the limit and the ratios. */
export async function benchFunctions(s: FunctionBenchSettings) {
  const heavy = await makeHeavyMainPy();
  const cases: CaseResult[] = [];
  const errors: Array<{ workers: number; case: string; mode: Mode; error: string }> = [];
  const limits: Record<number, { model_server_ms: Stats; warm_predict_ms: Stats }> = {};
  try {
    for (const workers of s.workerCounts) {
      for (const [kind, mainPy] of [
        ["sample", sampleMainPyPath],
        ["heavy", heavy.mainPy],
      ] as const) {
        for (const mode of ["warm", "cold"] as const) {
          try {
            const { result, limit } = await runCase(workers, kind, mode, mainPy, s);
            cases.push(result);
            if (limit) limits[workers] = limit;
          } catch (err) {
            // One network that does not start must not cost the other cases' figures.
            s.log(`  ${workers} worker(s), ${kind}, ${mode} failed: ${(err as Error).message.split("\n")[0]}`);
            errors.push({ workers, case: kind, mode, error: (err as Error).message.slice(0, 2000) });
          }
        }
      }
    }
  } finally {
    await heavy.remove();
  }
  const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 10) / 10 : null);
  const find = (w: number, k: string, m: Mode) => cases.find((c) => c.workers === w && c.case === k && c.mode === m);
  const ratios = s.workerCounts.map((w) => {
    const sw = find(w, "sample", "warm");
    const sc = find(w, "sample", "cold");
    const hw = find(w, "heavy", "warm");
    const hc = find(w, "heavy", "cold");
    const limit = limits[w];
    return {
      workers: w,
      sample_warm_p50_to_model_server_p50: sw && limit ? ratio(sw.latency_ms.p50, limit.model_server_ms.p50) : null,
      sample_warm_function_p50_to_warm_predict_p50:
        sw && limit ? ratio(sw.function_ms.p50, limit.warm_predict_ms.p50) : null,
      sample_cold_p50_to_warm_p50: sw && sc ? ratio(sc.latency_ms.p50, sw.latency_ms.p50) : null,
      heavy_warm_p50_to_sample_warm_p50: hw && sw ? ratio(hw.latency_ms.p50, sw.latency_ms.p50) : null,
      heavy_cold_p50_to_warm_p50: hw && hc ? ratio(hc.latency_ms.p50, hw.latency_ms.p50) : null,
    };
  });
  return { cases, limits, ratios, errors };
}

/** Prints the cases as a table. */
export function functionTable(results: Awaited<ReturnType<typeof benchFunctions>>): string {
  const head = `${"workers".padStart(7)} ${"main.py".padEnd(7)} ${"mode".padEnd(5)} ${"latency p50/p90/p99 ms".padStart(26)} ${"fn p50 ms".padStart(10)} ${"req/s (8)".padStart(10)} ${"fails".padStart(6)}`;
  const rows = results.cases.map((c) =>
    [
      String(c.workers).padStart(7),
      c.case.padEnd(7),
      c.mode.padEnd(5),
      `${c.latency_ms.p50.toFixed(1)} / ${c.latency_ms.p90.toFixed(1)} / ${c.latency_ms.p99.toFixed(1)}`.padStart(26),
      c.function_ms.p50.toFixed(1).padStart(10),
      String(c.throughput.requests_per_second).padStart(10),
      String(c.failures + c.throughput.failed).padStart(6),
    ].join(" "),
  );
  const limits = Object.entries(results.limits).map(
    ([w, l]) =>
      `limit (${w} workers' run): model server answer p50 ${l.model_server_ms.p50.toFixed(2)} ms; predict() in a warm interpreter p50 ${l.warm_predict_ms.p50.toFixed(2)} ms`,
  );
  const ratios = results.ratios.map((r) => `ratios ${r.workers} worker(s): ${JSON.stringify(r)}`);
  return [head, ...rows, ...limits, ...ratios].join("\n");
}

/** Resident and proportional set sizes of a process, in MiB (0 when it is gone). */
function memoryOf(pid: number): { rss: number; pss: number } {
  try {
    const text = execFileSync("cat", [`/proc/${pid}/smaps_rollup`], { encoding: "utf8" });
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? 0);
    return { rss: kb("Rss") / 1024, pss: kb("Pss") / 1024 };
  } catch {
    return { rss: 0, pss: 0 };
  }
}

/** Children of `pid` whose command line contains `name`. */
function childrenNamed(pid: number, name: string): number[] {
  try {
    return execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(pid)], { encoding: "utf8" })
      .split("\n")
      .filter((l) => l.includes(name))
      .map((l) => Number(l.trim().split(/\s+/)[0]));
  } catch {
    return []; // ps exits 1 when there is no such child
  }
}

const mean = (xs: number[]) => Math.round((xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)) * 10) / 10;

/** Many workers on this machine, warm, sample main.py: the guide's curl latency, answers, memory per worker. */
export async function benchManyWorkers(workers: number, requests: number, log: (m: string) => void) {
  log(`${workers} workers, sample main.py, warm: starting the network (this takes minutes)…`);
  const started = performance.now();
  const net = await startTestNetwork({
    chain: false,
    workers,
    models: ["naive"],
    logLevel: "warn",
    extraWorkerArgs: ["--function-mode=warm", "--function-timeout=60", "--max-queued=64"],
    // The model servers are not what this measures: ten serve the hundred workers, round-robin.
    inferenceServers: Math.min(10, workers),
    dashboard: false,
    healthTimeoutMs: 600_000,
    readyTimeoutMs: 600_000,
  });
  const startSeconds = Math.round((performance.now() - started) / 100) / 10;
  try {
    // The first curl starts a warm process on every worker (their imports, all at once): allow it to be slow.
    for (let i = 0; i < 5; i++) {
      const r = await guideCurl(net);
      const why = Object.entries(r.failed).map(([code, n]) => `${n} ${code}`);
      log(
        `  warm-up curl ${i + 1}: ${r.ok ? "200" : "failed"}, ${r.answers} answers, ${Math.round(r.ms)} ms${why.length ? ` (${why.join(", ")})` : ""}`,
      );
    }
    log(`  ${requests} sequential guide's curls…`);
    const latency: number[] = [];
    const fn: number[] = [];
    const answers: number[] = [];
    let non200 = 0;
    const failedWorkers: Record<string, number> = {};
    for (let i = 0; i < requests; i++) {
      const r = await guideCurl(net);
      if (!r.ok) non200++;
      for (const [code, n] of Object.entries(r.failed)) failedWorkers[code] = (failedWorkers[code] ?? 0) + n;
      latency.push(r.ms);
      fn.push(r.fnMs);
      answers.push(r.answers);
    }
    const worker: number[] = [];
    const workerPss: number[] = [];
    const launcher: number[] = [];
    const warmRss: number[] = [];
    const warmPss: number[] = [];
    const inference: number[] = [];
    for (let i = 1; i <= workers; i++) {
      const pid = net.running(`worker-${i}`)?.process.pid;
      if (pid) {
        const m = memoryOf(pid);
        worker.push(m.rss);
        workerPss.push(m.pss);
        for (const l of childrenNamed(pid, "launcher.py")) {
          launcher.push(memoryOf(l).rss);
          for (const w of childrenNamed(l, "warm.py")) {
            const m = memoryOf(w);
            warmRss.push(m.rss);
            warmPss.push(m.pss);
          }
        }
      }
      const inf = net.running(`inference-${i}`)?.process.pid; // only the first ten exist
      if (inf) inference.push(memoryOf(inf).rss);
    }
    const sortedAnswers = [...answers].sort((a, b) => a - b);
    return {
      workers,
      start_seconds: startSeconds,
      latency_ms: summarize(latency),
      function_ms: summarize(fn),
      non_200: non200,
      answers: { min: sortedAnswers[0] ?? 0, median: sortedAnswers[Math.floor(sortedAnswers.length / 2)] ?? 0 },
      /** Over the measured curls, the workers that failed, by code. */
      failed_workers: failedWorkers,
      memory_mib: {
        worker_node_rss: mean(worker),
        worker_node_pss: mean(workerPss),
        launcher_rss: mean(launcher),
        warm_process_rss: mean(warmRss),
        warm_process_pss: mean(warmPss),
        warm_processes: warmRss.length,
        inference_server_rss: mean(inference),
      },
    };
  } finally {
    await net.dispose();
  }
}
