/**
 * `allocmd test`: runs the project's main.py offline as a worker would and checks its output against the contract,
 * so a broken main.py is found on the laptop, not as a silent empty result on the network.
 */
import { stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { FunctionMode } from "@allora/worker";
import { boolFlag, type CommandContext, type FlagValues, listFlag, stringFlag } from "../command.js";
import type { Project } from "../config/load-config.js";
import { CliError, usageError } from "../errors.js";
import { type ContractVerdict, checkMainPyRun } from "../main-py/check-output.js";
import { type MainPyResult, runMainPy } from "../main-py/run-main-py.js";
import { formatMs, type Output } from "../output.js";
import { requireProject } from "../project/endpoints.js";
import { parseEnvFlags, parseSecondsFlag, parseTopicsFlag, parseUrlFlag } from "../validate.js";

/** What to run: main.py, how, with what, and in which modes. */
interface TestPlan {
  mainPy: string;
  python: string;
  topic: number;
  arg: string;
  inferenceUrl: string;
  timeoutMs: number;
  functionEnv: Record<string, string>;
  modes: FunctionMode[];
  json: boolean;
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** The run the flags and config.yaml ask for; every flag checked before main.py runs. */
async function planTest(project: Project, flags: FlagValues): Promise<TestPlan> {
  const { config } = project;
  const topicFlag = stringFlag(flags, "topic");
  const topic = topicFlag === undefined ? (config.topics[0]?.id as number) : (parseTopicsFlag(topicFlag)[0] as number);
  const arg =
    stringFlag(flags, "arg") ?? config.topics.find((t) => t.id === topic)?.arg ?? config.topics[0]?.arg ?? "ETH";
  if (arg === "") throw usageError("USAGE_BAD_VALUE", "--arg must not be empty (e.g. --arg ETH)");
  const inferenceFlag = stringFlag(flags, "inference-url");
  const inferenceUrl = inferenceFlag ? parseUrlFlag(inferenceFlag, "--inference-url") : config.inference.local_url;
  const timeoutFlag = stringFlag(flags, "timeout");
  const timeoutMs =
    (timeoutFlag ? parseSecondsFlag(timeoutFlag, "--timeout", 600) : config.worker.function_timeout) * 1000;
  const extraEnv = parseEnvFlags(listFlag(flags, "function-env"), "--function-env");
  const python = stringFlag(flags, "python") ?? "python3";
  const mainPy = join(project.dir, "main.py");
  if (!(await isFile(mainPy))) {
    throw new CliError("CONFIG_MISSING", `no main.py in ${project.dir}`, {
      hint: "allocmd init writes a sample main.py when the file is missing",
    });
  }
  const modeFlag = stringFlag(flags, "mode") ?? "both";
  if (!["both", "warm", "cold"].includes(modeFlag)) {
    throw usageError("USAGE_BAD_VALUE", `--mode must be both, warm or cold, not "${modeFlag}"`);
  }
  // Warm twice: the first warm run also starts the warm process (its imports), the second is what a worker pays.
  const modes: FunctionMode[] =
    modeFlag === "both" ? ["cold", "warm", "warm"] : modeFlag === "warm" ? ["warm", "warm"] : ["cold"];
  const functionEnv = { INFERENCE_API_ADDRESS: inferenceUrl, ...config.function_env, ...extraEnv };
  return { mainPy, python, topic, arg, inferenceUrl, timeoutMs, functionEnv, modes, json: boolFlag(flags, "json") };
}

/** The runs of one test and the verdict on them: the last run's, made "broken" when cold and warm disagree. */
interface TestOutcome {
  result: MainPyResult;
  verdict: ContractVerdict;
  cold: MainPyResult | undefined;
  warmRuns: MainPyResult[];
}

function judgeRuns(runs: MainPyResult[], timeoutMs: number): TestOutcome {
  const result = runs.at(-1) as MainPyResult;
  const verdict = checkMainPyRun(result, timeoutMs);
  const cold = runs.find((r) => r.mode === "cold");
  if (cold && cold !== result) {
    const coldVerdict = checkMainPyRun(cold, timeoutMs);
    if (coldVerdict.status !== verdict.status) {
      verdict.problems.push(
        `main.py's cold run ended "${coldVerdict.status}" but its warm run "${verdict.status}": does it keep state in a module across runs, or read the environment at import? (docs/WORKER.md, "Warm functions")`,
      );
      if (verdict.status === "ok") verdict.status = "broken";
    }
  }
  return { result, verdict, cold, warmRuns: runs.filter((r) => r.mode === "warm") };
}

const tenths = (ms: number) => Math.round(ms * 10) / 10;

/** `--json`: the verdict and the last run as data. */
function testJson({ result, verdict, cold, warmRuns }: TestOutcome): string {
  const warmFirst = warmRuns[0];
  const warmLast = warmRuns.at(-1);
  const timings = {
    ...(cold ? { cold_ms: tenths(cold.durationMs) } : {}),
    ...(warmFirst && warmLast
      ? { warm_first_ms: tenths(warmFirst.durationMs), warm_ms: tenths(warmLast.durationMs) }
      : {}),
  };
  const body = {
    status: verdict.status,
    value: verdict.value ?? null,
    error: verdict.error ?? null,
    problems: verdict.problems,
    exit_code: result.exitCode,
    timed_out: result.timedOut,
    duration_ms: Math.round(result.durationMs),
    mode: result.mode,
    timings,
    stdout: result.stdout,
    stderr: result.stderr,
    argv: result.argv,
  };
  return JSON.stringify(body, null, 2);
}

/** The verdict line(s): ok with the value, an error main.py reported, or what breaks the contract. */
function printVerdict(out: Output, { result, verdict }: TestOutcome, inferenceUrl: string): void {
  const took = formatMs(result.durationMs);
  if (verdict.status === "ok") {
    out.out(
      `${out.green("ok")}  main.py answered infererValue ${out.bold(verdict.value as string)} in ${took} (exit code 0)`,
    );
    out.out("    the output keeps the contract: one JSON line, a plain decimal string");
  } else if (verdict.status === "reported-error") {
    out.out(
      `${out.yellow("error reported")}  main.py kept the contract but failed after ${took} (exit code ${result.exitCode}):`,
    );
    out.out(`    ${verdict.error}`);
    if (/reach|refused|HTTP|urlopen|connect/i.test(verdict.error ?? "")) {
      out.out(
        `    is the model server at ${inferenceUrl} running? \`allocmd run\` starts the sample one; or pass --inference-url`,
      );
    }
  } else {
    out.out(
      `${out.red("broken")}  main.py's output breaks the contract (after ${took}, exit code ${result.exitCode ?? result.signal ?? "none"}):`,
    );
    for (const p of verdict.problems) out.out(`  - ${p}`);
    if (result.stdout.trim()) out.out(`    stdout: ${JSON.stringify(result.stdout.slice(0, 300))}`);
  }
}

/** The timings of cold and warm runs, and the last lines main.py wrote on stderr. */
function printTimingsAndStderr(out: Output, { result, cold, warmRuns }: TestOutcome): void {
  const warmFirst = warmRuns[0];
  const warmLast = warmRuns.at(-1);
  const timingLine = [
    cold ? `cold ${formatMs(cold.durationMs)} (a fresh interpreter per request)` : "",
    warmFirst && warmLast
      ? `warm ${formatMs(warmLast.durationMs)} (forked from a process that imported main.py's modules; starting it took ${formatMs(warmFirst.durationMs)})`
      : "",
  ]
    .filter(Boolean)
    .join("; ");
  out.out(`    timings: ${timingLine}`);
  if (result.stderr.trim()) {
    const lines = result.stderr.trimEnd().split("\n");
    out.out(out.dim(`  stderr (last ${Math.min(lines.length, 15)} of ${lines.length} lines):`));
    for (const l of lines.slice(-15)) out.out(out.dim(`    ${l}`));
  }
}

/** What `allocmd test` does (its flags and help: ../commands/test.ts). */
export async function runTestCommand({ io, out, flags }: CommandContext): Promise<number> {
  const project = await requireProject(io.cwd, flags);
  const plan = await planTest(project, flags);
  if (!plan.json) {
    out.progress(
      `running ${resolve(plan.mainPy)} for topic ${plan.topic} with argument ${plan.arg} (INFERENCE_API_ADDRESS=${plan.inferenceUrl})`,
    );
  }
  const { mainPy, python, topic, arg, functionEnv, timeoutMs } = plan;
  const runs = await runMainPy({ mainPy, python, topic, arg, functionEnv, timeoutMs }, plan.modes);
  const outcome = judgeRuns(runs, timeoutMs);
  const exit = outcome.verdict.status === "ok" ? 0 : 1;
  if (plan.json) {
    out.out(testJson(outcome));
    return exit;
  }
  printVerdict(out, outcome, plan.inferenceUrl);
  printTimingsAndStderr(out, outcome);
  return exit;
}
