/**
 * The composition root of the CLI: the command table, top-level `--help` and `--version`, and the one place where
 * errors become messages and exit codes. A user's mistake prints as `allocmd <command>: <message>` plus what to do,
 * never as a stack trace; only an unexpected failure shows one (set ALLOCMD_DEBUG=1 to see stacks always).
 */
import { isAlloraError } from "@allora/protocol/errors";
import { type Command, commandHelp, parseCommandArgs } from "./command.js";
import { doctorCommand } from "./commands/doctor.js";
import { fundCommand } from "./commands/fund.js";
import { initCommand } from "./commands/init.js";
import { logsCommand } from "./commands/logs.js";
import { requestCommand } from "./commands/request.js";
import { runCommand } from "./commands/run.js";
import { statusCommand } from "./commands/status.js";
import { stopCommand } from "./commands/stop.js";
import { testCommand } from "./commands/test.js";
import { topicCommand } from "./commands/topic.js";
import { CliError, ExitCode, usageError } from "./errors.js";
import { type CliIo, createOutput } from "./output.js";
import { cliVersion } from "./version.js";

/** Every command, in the order `allocmd --help` lists them. */
export const COMMANDS: readonly Command[] = [
  initCommand,
  testCommand,
  runCommand,
  requestCommand,
  statusCommand,
  topicCommand,
  fundCommand,
  logsCommand,
  stopCommand,
  doctorCommand,
];

/** The top-level help. */
export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    `allocmd ${cliVersion()}: scaffold, run, test and ship an Allora worker`,
    "",
    "Usage: allocmd <command> [options]     allocmd <command> --help for its options and examples",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    "",
    "From zero to a scored inference:",
    "  allocmd init --name eth-worker --topic 1 && cd eth-worker",
    "  allocmd test --arg ETH",
    "  allocmd run --native             # the whole network, no Docker (or: allocmd run, with Docker)",
    "  allocmd request --topic 1",
    "  allocmd status",
    "",
    "Options:",
    "  --version    print the version",
    "  --help       show this help",
    "",
    "Exit codes: 0 ok, 1 failure, 2 usage error. Nothing ever prompts; --yes is accepted for CI scripts.",
    "Docs: docs/CLI.md",
    "",
  ].join("\n");
}

/** Runs the CLI with `argv` (without `node` and the script) and returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const out = createOutput(io);
  const [first, ...rest] = argv;
  if (first === undefined || first === "--help" || first === "-h" || first === "help") {
    const topic = first === "help" ? rest[0] : undefined;
    const command = topic ? COMMANDS.find((c) => c.name === topic) : undefined;
    io.stdout.write(command ? commandHelp(command) : mainHelp());
    return first === undefined ? ExitCode.USAGE : ExitCode.OK;
  }
  if (first === "--version" || first === "-v" || first === "version") {
    io.stdout.write(`allocmd ${cliVersion()}\n`);
    return ExitCode.OK;
  }
  const command = COMMANDS.find((c) => c.name === first);
  try {
    if (!command) {
      const near = COMMANDS.find((c) => c.name.startsWith(first.slice(0, 3)));
      throw usageError(
        "USAGE_UNKNOWN_COMMAND",
        `"${first}" is not an allocmd command${near ? ` (did you mean ${near.name}?)` : ""}`,
        `commands: ${COMMANDS.map((c) => c.name).join(", ")}; see allocmd --help`,
      );
    }
    const { flags, positionals } = parseCommandArgs(command, rest);
    if (flags.help === true) {
      io.stdout.write(commandHelp(command));
      return ExitCode.OK;
    }
    return await command.run({ io, out, flags, positionals });
  } catch (err) {
    const prefix = `allocmd${command ? ` ${command.name}` : ""}`;
    if (err instanceof CliError) {
      io.stderr.write(`${out.red(`${prefix}:`)} ${err.message}\n`);
      if (err.hint) io.stderr.write(`  ${err.hint}\n`);
      if (io.env.ALLOCMD_DEBUG && err.stack) io.stderr.write(`${err.stack}\n`);
      return err.exitCode;
    }
    if (isAlloraError(err)) {
      // A failure a library explained (unreachable URL, bad key file): its message says what happened.
      io.stderr.write(`${out.red(`${prefix}:`)} ${err.code}: ${err.message}\n`);
      if (io.env.ALLOCMD_DEBUG && err.stack) io.stderr.write(`${err.stack}\n`);
      return ExitCode.FAILURE;
    }
    io.stderr.write(
      `${out.red(`${prefix}: unexpected failure`)} (please report it)\n${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return ExitCode.FAILURE;
  }
}
