/**
 * `allocmd test`: runs the project's main.py offline as a worker would and checks its output against the contract,
 * so a broken main.py is found on the laptop, not as a silent empty result on the network.
 */
import { stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { FunctionMode } from "@allora/worker";
import { boolFlag, type Command, DIR_FLAG, listFlag, stringFlag } from "../command.js";
import { CliError, usageError } from "../errors.js";
import { checkMainPyRun } from "../main-py/check-output.js";
import { type MainPyResult, runMainPy } from "../main-py/run-main-py.js";
import { formatMs } from "../output.js";
import { requireProject } from "../project/endpoints.js";
import { parseEnvFlags, parseSecondsFlag, parseTopicsFlag, parseUrlFlag } from "../validate.js";

export const testCommand: Command = {
  name: "test",
  summary: "run main.py offline exactly as the worker would, and check its output",
  usage: "test [--arg <arg>] [--topic <id>] [options]",
  details: [
    "Runs `python3 main.py <topic> 0 0 <arg>` in the project folder through the worker's own code (its runner, launcher",
    "and function sandbox) with the environment a worker gives it (a clean environment: PATH, locale, TOPIC_ID,",
    "ALLORA_ARG_PARAMS, INFERENCE_API_ADDRESS=inference.local_url and config.yaml's function_env), killed with its",
    "process group after worker.function_timeout seconds; cold (a fresh interpreter) and warm (forked from a process",
    "that imported main.py's modules, the worker's default), printing both timings. Then checks",
    'the contract: exactly one JSON line on stdout, {"infererValue": "<plain decimal string>"}, exit code 0; on failure',
    '{"error": "…"} and a non-zero exit code. Exit code 0 only when main.py produced a value the chain accepts.',
  ].join("\n"),
  flags: {
    ...DIR_FLAG,
    arg: {
      type: "string",
      value: "arg",
      description: "the topic's argument (default: the topic's arg in config.yaml)",
    },
    topic: {
      type: "string",
      value: "id",
      description: "the topic id main.py gets (default: the first in config.yaml)",
    },
    "inference-url": {
      type: "string",
      value: "url",
      description: "INFERENCE_API_ADDRESS for this run (default: inference.local_url)",
    },
    "function-env": {
      type: "string",
      value: "KEY=VALUE",
      multiple: true,
      description: "more environment for main.py, on top of config.yaml's function_env",
    },
    python: { type: "string", value: "path", description: "the Python interpreter (default python3, as in the image)" },
    timeout: {
      type: "string",
      value: "seconds",
      description: "kill main.py after this long (default worker.function_timeout)",
    },
    mode: {
      type: "string",
      value: "both|warm|cold",
      description: "function mode(s) to run main.py in (default both: cold, then warm twice)",
    },
    json: { type: "boolean", description: "print the verdict as JSON" },
  },
  examples: [
    "allocmd test --arg ETH",
    "allocmd test --topic 2 --arg BTC --inference-url http://127.0.0.1:8001",
    "allocmd test --function-env MODEL=small --timeout 5 --json",
  ],
  async run({ io, out, flags }) {
    const project = await requireProject(io.cwd, flags);
    const { config } = project;
    const topicFlag = stringFlag(flags, "topic");
    const topic =
      topicFlag === undefined ? (config.topics[0]?.id as number) : (parseTopicsFlag(topicFlag)[0] as number);
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
    if (
      !(await stat(mainPy).then(
        (s) => s.isFile(),
        () => false,
      ))
    ) {
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
    const json = boolFlag(flags, "json");
    if (!json)
      out.progress(
        `running ${resolve(mainPy)} for topic ${topic} with argument ${arg} (INFERENCE_API_ADDRESS=${inferenceUrl})`,
      );
    const runs = await runMainPy(
      {
        mainPy,
        python,
        topic,
        arg,
        functionEnv: { INFERENCE_API_ADDRESS: inferenceUrl, ...config.function_env, ...extraEnv },
        timeoutMs,
      },
      modes,
    );
    const result = runs.at(-1) as (typeof runs)[number];
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
    const warmRuns = runs.filter((r) => r.mode === "warm");
    const timings = {
      ...(cold ? { cold_ms: Math.round(cold.durationMs * 10) / 10 } : {}),
      ...(warmRuns.length > 0
        ? {
            warm_first_ms: Math.round((warmRuns[0] as MainPyResult).durationMs * 10) / 10,
            warm_ms: Math.round((warmRuns.at(-1) as MainPyResult).durationMs * 10) / 10,
          }
        : {}),
    };
    const exit = verdict.status === "ok" ? 0 : 1;
    if (json) {
      out.out(
        JSON.stringify(
          {
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
          },
          null,
          2,
        ),
      );
      return exit;
    }
    const took = formatMs(result.durationMs);
    const timingLine = [
      cold ? `cold ${formatMs(cold.durationMs)} (a fresh interpreter per request)` : "",
      warmRuns.length > 0
        ? `warm ${formatMs((warmRuns.at(-1) as MainPyResult).durationMs)} (forked from a process that imported main.py's modules; starting it took ${formatMs((warmRuns[0] as MainPyResult).durationMs)})`
        : "",
    ]
      .filter(Boolean)
      .join("; ");
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
    out.out(`    timings: ${timingLine}`);
    if (result.stderr.trim()) {
      const lines = result.stderr.trimEnd().split("\n");
      out.out(out.dim(`  stderr (last ${Math.min(lines.length, 15)} of ${lines.length} lines):`));
      for (const l of lines.slice(-15)) out.out(out.dim(`    ${l}`));
    }
    return exit;
  },
};
