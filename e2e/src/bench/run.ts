/**
 * `pnpm bench`: execute latency and throughput through the head with 1, 3 and 10 workers running a trivial function,
 * against the baseline of a bare HTTP round trip on loopback measured in the same run with the same client; then the
 * real path (functions.ts): the guide's curl with the sample and an import-heavy main.py, cold and warm, beside the
 * physical limit. `BENCH_MODE=echo|functions|many` runs one part; `many` is the 100-worker run (BENCH_MANY_WORKERS),
 * not part of the default because it needs minutes and gigabytes.
 *
 * Overhead of one request = its latency minus the function's own run time (the slowest chosen worker's wall clock
 * around the function process, interpreter start included), so what remains is the head, the roll call, the p2p
 * hops and the worker's handling.
 */
import "@allora/service/polyfills";
import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, loadavg, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { readPackageRecords } from "@allora/node-function";
import { disposeAllTestNetworks, startTestNetwork } from "../process-network.js";
import { benchFunctions, benchManyWorkers, functionTable } from "./functions.js";
import { timedRequest } from "./http-client.js";
import { summarize } from "./stats.js";
import { measureThroughput } from "./throughput.js";

const SEQUENTIAL = Number(process.env.BENCH_REQUESTS ?? 300);
const THROUGHPUT_SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const WORKER_COUNTS = (process.env.BENCH_WORKERS ?? "1,3,10").split(",").map(Number);
const MODE = process.env.BENCH_MODE ?? "all";
const FUNCTION_REQUESTS = Number(process.env.BENCH_FUNCTION_REQUESTS ?? 100);
const HEAVY_COLD_REQUESTS = Number(process.env.BENCH_HEAVY_COLD_REQUESTS ?? 10);
const MANY_WORKERS = Number(process.env.BENCH_MANY_WORKERS ?? 100);
const MANY_REQUESTS = Number(process.env.BENCH_MANY_REQUESTS ?? 30);

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** A bare HTTP server in its own process, answering `{}` at once; it exits with the benchmark (its IPC channel). */
async function startBaselineServer(): Promise<{ url: string; stop(): void }> {
  const code =
    "const s=require('node:http').createServer((q,r)=>{q.resume();q.on('end',()=>{r.setHeader('content-type','application/json');r.end('{}')})});" +
    "s.listen(0,'127.0.0.1',()=>process.send(s.address().port));" +
    // The IPC channel closes when the benchmark dies, however it dies: the server goes with it.
    "process.on('disconnect',()=>process.exit(0))";
  const child = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const port = await new Promise<number>((res, rej) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      rej(new Error("the baseline server did not report its port within 10 s"));
    }, 10_000);
    child.once("message", (m) => {
      clearTimeout(timer);
      res(Number(m));
    });
  });
  return { url: `http://127.0.0.1:${port}/`, stop: () => child.kill() };
}

function throughput(send: () => Promise<{ status: number; text: string }>, ok: (t: string) => boolean) {
  return measureThroughput(
    async () => {
      const r = await send();
      return r.status === 200 && ok(r.text);
    },
    CONCURRENCY,
    THROUGHPUT_SECONDS,
  );
}

async function main(): Promise<void> {
  const echo = readPackageRecords().find((r) => r.key === "echo");
  if (!echo) throw new Error("the echo function package is missing: run pnpm build");
  const body = JSON.stringify({
    function_id: echo.cid,
    method: "echo",
    topic: "1",
    config: { env_vars: [{ name: "ALLORA_ARG_PARAMS", value: "ETH" }], number_of_nodes: -1, timeout: 2 },
  });
  if (!["all", "echo", "functions", "many"].includes(MODE)) {
    throw new Error(`BENCH_MODE="${MODE}" is not all, echo, functions or many`);
  }
  const baseline = await startBaselineServer();
  const results: Record<string, unknown>[] = [];
  let functions: Awaited<ReturnType<typeof benchFunctions>> | undefined;
  let many: Awaited<ReturnType<typeof benchManyWorkers>> | undefined;
  try {
    for (let i = 0; i < 50; i++) await timedRequest(baseline.url, "{}");
    for (const workers of MODE === "all" || MODE === "echo" ? WORKER_COUNTS : []) {
      log(`\n${workers} worker(s): starting the network…`);
      const net = await startTestNetwork({
        chain: false,
        workers,
        models: ["naive"],
        logLevel: "warn",
        // The echo package is not a topic's function: the workers' operator allows it for the benchmark.
        extraWorkerArgs: [`--allow-functions=${echo.cid}`],
      });
      try {
        const url = `${net.headUrl}/api/v1/functions/execute`;
        for (let i = 0; i < 30; i++) await timedRequest(url, body);
        log(`${workers} worker(s): ${SEQUENTIAL} sequential requests, alternating with baseline round trips…`);
        const latency: number[] = [];
        const functionMs: number[] = [];
        const overhead: number[] = [];
        const bare: number[] = [];
        const health: number[] = [];
        let failures = 0;
        for (let i = 0; i < SEQUENTIAL; i++) {
          bare.push((await timedRequest(baseline.url, "{}")).ms);
          health.push((await timedRequest(`${net.headUrl}/api/v1/health`)).ms);
          const r = await timedRequest(url, body);
          const parsed = JSON.parse(r.text) as {
            code: string;
            results?: unknown[];
            usage?: Record<string, { wall_clock_time: number }>;
          };
          const answered = Object.keys(parsed.usage ?? {}).length;
          if (r.status !== 200 || parsed.code !== "200" || answered !== workers) {
            failures++;
            continue;
          }
          const slowest = Math.max(...Object.values(parsed.usage ?? {}).map((u) => u.wall_clock_time / 1e6));
          latency.push(r.ms);
          functionMs.push(slowest);
          overhead.push(r.ms - slowest);
        }
        log(`${workers} worker(s): throughput with ${CONCURRENCY} concurrent clients for ${THROUGHPUT_SECONDS} s…`);
        const tp = await throughput(
          () => timedRequest(url, body),
          (t) => (JSON.parse(t) as { code: string }).code === "200",
        );
        const bareTp = await throughput(
          () => timedRequest(baseline.url, "{}"),
          () => true,
        );
        const o = summarize(overhead);
        const b = summarize(bare);
        results.push({
          workers,
          latency_ms: summarize(latency),
          function_ms: summarize(functionMs),
          overhead_ms: o,
          baseline_round_trip_ms: b,
          head_health_round_trip_ms: summarize(health),
          overhead_p50_to_baseline_p50: Math.round((o.p50 / b.p50) * 10) / 10,
          throughput: tp,
          baseline_throughput: bareTp,
          failures,
        });
      } finally {
        await net.dispose();
      }
    }
    if (MODE === "all" || MODE === "functions") {
      functions = await benchFunctions({
        workerCounts: WORKER_COUNTS,
        requests: FUNCTION_REQUESTS,
        heavyColdRequests: HEAVY_COLD_REQUESTS,
        throughputSeconds: THROUGHPUT_SECONDS,
        concurrency: CONCURRENCY,
        log,
      });
    }
    if (MODE === "many") many = await benchManyWorkers(MANY_WORKERS, MANY_REQUESTS, log);
  } finally {
    baseline.stop();
  }

  const run = {
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpu_model: cpus()[0]?.model ?? "unknown",
      memory_gib: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
    },
    settings: {
      sequential_requests: SEQUENTIAL,
      throughput_seconds: THROUGHPUT_SECONDS,
      concurrency: CONCURRENCY,
      function: "allora-echo (sh, prints a constant)",
      mode: MODE,
      function_requests: FUNCTION_REQUESTS,
      heavy_cold_requests: HEAVY_COLD_REQUESTS,
      load_average: loadavg().map((x) => Math.round(x * 10) / 10),
    },
    results,
    ...(functions ? { functions } : {}),
    ...(many ? { many_workers: many } : {}),
  };
  const rows = results.map((r) => {
    const x = r as {
      workers: number;
      latency_ms: { p50: number; p90: number; p99: number };
      overhead_ms: { p50: number; p90: number; p99: number };
      function_ms: { p50: number };
      baseline_round_trip_ms: { p50: number };
      overhead_p50_to_baseline_p50: number;
      throughput: { requests_per_second: number };
      baseline_throughput: { requests_per_second: number };
      failures: number;
    };
    return [
      String(x.workers).padStart(7),
      `${x.latency_ms.p50.toFixed(2)} / ${x.latency_ms.p90.toFixed(2)} / ${x.latency_ms.p99.toFixed(2)}`.padStart(24),
      x.function_ms.p50.toFixed(2).padStart(9),
      `${x.overhead_ms.p50.toFixed(2)} / ${x.overhead_ms.p90.toFixed(2)} / ${x.overhead_ms.p99.toFixed(2)}`.padStart(
        24,
      ),
      x.baseline_round_trip_ms.p50.toFixed(3).padStart(9),
      `${x.overhead_p50_to_baseline_p50}x`.padStart(8),
      String(x.throughput.requests_per_second).padStart(8),
      String(x.baseline_throughput.requests_per_second).padStart(9),
      String(x.failures).padStart(5),
    ].join(" ");
  });
  const header = `${"workers".padStart(7)} ${"latency p50/p90/p99 ms".padStart(24)} ${"fn p50".padStart(9)} ${"overhead p50/p90/p99 ms".padStart(24)} ${"bare p50".padStart(9)} ${"ovh/bare".padStart(8)} ${"req/s".padStart(8)} ${"bare r/s".padStart(9)} ${"fails".padStart(5)}`;
  if (results.length > 0) process.stdout.write(`\n${header}\n${rows.join("\n")}\n`);
  if (functions)
    process.stdout.write(
      `\nthe guide's curl on the real path (runner package + main.py)\n${functionTable(functions)}\n`,
    );
  if (many) process.stdout.write(`\n${many.workers} workers, warm, sample main.py\n${JSON.stringify(many, null, 2)}\n`);
  const dir = resolve(process.env.BENCH_OUT ?? join(process.cwd(), "bench-results"));
  await mkdir(dir, { recursive: true });
  const file = join(dir, `bench-${run.date.replace(/[:.]/g, "-")}.json`);
  await writeFile(file, `${JSON.stringify(run, null, 2)}\n`);
  process.stdout.write(`\nresults written to ${file}\n`);
}

// Interrupted (Ctrl-C, a CI timeout): stop the networks first, their nodes run in process groups of their own.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping the benchmark's networks…`);
    void disposeAllTestNetworks().finally(() => process.exit(130));
  });
}
await main();
process.exit(0);
