/**
 * `allocmd doctor`: checks everything `run`, `test` and the worker container depend on, and says what to fix.
 */
import { boolFlag, type CommandContext } from "../command.js";
import { doctorCommand } from "../commands/doctor.js";
import {
  checkDocker,
  checkImages,
  checkKeys,
  checkNetwork,
  checkNode,
  checkPorts,
  checkPython,
  checkSecretsPlacement,
  type Finding,
} from "../doctor/checks.js";
import { findProject, resolveEndpoints } from "../project/endpoints.js";
import { cliVersion } from "../version.js";

/** What `allocmd doctor` does (its flags and help: ../commands/doctor.ts). */
export async function runDoctorCommand({ io, out, flags }: CommandContext): Promise<number> {
  const findings: Finding[] = [
    { level: "ok", area: "allocmd", message: `allocmd ${cliVersion()}, Node ${process.version}` },
  ];
  let project: Awaited<ReturnType<typeof findProject>>;
  try {
    project = await findProject(io.cwd, flags);
    if (project) findings.push({ level: "ok", area: "config", message: `${project.configPath} is valid` });
    else findings.push({ level: "skip", area: "config", message: "not inside a project: checking this machine only" });
  } catch (err) {
    findings.push({
      level: "fail",
      area: "config",
      message: err instanceof Error ? err.message : String(err),
      fix: "fix config.yaml as listed",
    });
    project = undefined;
  }
  checkNode(findings);
  await checkPython(findings);
  const engine = await checkDocker(findings);
  if (project && engine) await checkImages(project, findings);
  if (project) {
    await checkPorts(project, findings, engine);
    await checkKeys(project, findings);
    await checkSecretsPlacement(project, findings);
  }
  const endpoints = await resolveEndpoints(project, flags, doctorCommand);
  await checkNetwork(endpoints.headUrl, findings);

  const failed = findings.filter((f) => f.level === "fail").length;
  const warned = findings.filter((f) => f.level === "warn").length;
  if (boolFlag(flags, "json")) {
    out.out(JSON.stringify({ ok: failed === 0, failed, warnings: warned, findings }, null, 2));
    return failed === 0 ? 0 : 1;
  }
  const tag: Record<Finding["level"], string> = {
    ok: out.green("ok  "),
    warn: out.yellow("warn"),
    fail: out.red("FAIL"),
    skip: out.dim("skip"),
  };
  for (const f of findings) {
    out.out(`${tag[f.level]}  ${f.area.padEnd(9)} ${f.message}`);
    if (f.fix) out.out(`      ${"".padEnd(9)} fix: ${f.fix}`);
  }
  out.out("");
  out.out(
    failed === 0
      ? out.green(`No problems${warned > 0 ? ` (${warned} warning(s))` : ""}.`)
      : out.red(`${failed} problem(s) to fix${warned > 0 ? `, ${warned} warning(s)` : ""}.`),
  );
  return failed === 0 ? 0 : 1;
}
