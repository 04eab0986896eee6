/**
 * `allocmd init`: creates a worker project (or brings an existing one up to date) and, with `--env prod`, its
 * production compose file. Keys are made in-process; nothing is ever prompted; running it again keeps the keys and
 * every file the user edited (unless `--force`) and reports, file by file, what it kept and what it wrote.
 */
import { mkdir, readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { DEFAULT_TOPICS } from "@allora/devnet/description";
import { boolFlag, type CommandContext, type FlagValues, listFlag, stringFlag } from "../command.js";
import { CONFIG_FILE, loadProject } from "../config/load-config.js";
import { defaultTopicArg, makeDefaultConfig, renderConfig } from "../config/render-config.js";
import type { ProjectConfig, TopicConfig } from "../config/schema.js";
import { type ConfigChange, updateConfigFile } from "../config/update-config.js";
import { CliError, usageError } from "../errors.js";
import { table } from "../output.js";
import { chownTree, containerUser, IMAGE_USER, runningAsRoot } from "../project/container-user.js";
import { DEV_COMPOSE_FILE, DEV_STATE_DIR, renderDevCompose } from "../scaffold/compose-dev.js";
import { carryServices, PROD_COMPOSE_FILE, PROD_STATE_DIR, renderProdCompose } from "../scaffold/compose-prod.js";
import {
  describeOutcome,
  type FileOutcome,
  type GeneratedFiles,
  openGeneratedFiles,
  writeFileAtomic,
} from "../scaffold/generated-files.js";
import { renderMainPy } from "../scaffold/main-py.js";
import {
  renderDockerfile,
  renderDockerignore,
  renderEnvFile,
  renderGitignore,
  renderRequirements,
  workerBaseImage,
} from "../scaffold/project-files.js";
import { ensureProjectKeys, type KeyAction } from "../scaffold/project-keys.js";
import { renderReadme } from "../scaffold/readme.js";
import { checkName, parseBootNodesFlag, parseTopicsFlag, parseUrlFlag } from "../validate.js";
import { cliVersion } from "../version.js";

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Where the project is: --dir, the current folder when it is a project, or ./<name>. */
async function projectDir(cwd: string, dirFlag: string | undefined, name: string | undefined): Promise<string> {
  if (dirFlag) return resolve(cwd, dirFlag);
  if (await exists(join(cwd, CONFIG_FILE))) return cwd;
  if (name) return resolve(cwd, name);
  throw usageError(
    "USAGE_MISSING",
    `no project in ${cwd}: --name is needed to create one`,
    "allocmd init --name eth-worker --topic 1",
  );
}

function describeKey(action: KeyAction): string {
  return action === "kept" ? "kept" : action;
}

/** What the flags of `allocmd init` ask for, checked. */
interface InitRequest {
  env: "dev" | "prod";
  name: string | undefined;
  topicIds: number[] | undefined;
  arg: string | undefined;
  imageVersion: string | undefined;
  prodChanges: ConfigChange[];
  force: boolean;
  importKeys: string | undefined;
  mnemonicFile: string | undefined;
}

/** Checks every flag before anything is touched. */
function parseInitRequest(flags: FlagValues, cwd: string): InitRequest {
  const env = stringFlag(flags, "env") ?? "dev";
  if (env !== "dev" && env !== "prod") {
    throw usageError("USAGE_BAD_VALUE", `--env must be dev or prod, got "${env}"`);
  }
  const name = stringFlag(flags, "name");
  if (name !== undefined) {
    const problem = checkName(name);
    if (problem) throw usageError("USAGE_BAD_VALUE", `--name: ${problem}`);
  }
  const topicFlag = stringFlag(flags, "topic");
  const topicIds = topicFlag === undefined ? undefined : parseTopicsFlag(topicFlag);
  const arg = stringFlag(flags, "arg");
  if (arg !== undefined && !/^[A-Za-z0-9_.:/-]{1,128}$/.test(arg)) {
    throw usageError("USAGE_BAD_VALUE", `--arg "${arg}" must be 1 to 128 letters, digits or _.:/- (e.g. ETH)`);
  }
  const imageVersion = stringFlag(flags, "image-version");
  if (imageVersion !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(imageVersion)) {
    throw usageError("USAGE_BAD_VALUE", `--image-version "${imageVersion}" is not a docker tag (e.g. 0.1.0)`);
  }
  const prodChanges = prodFlagChanges(flags);
  const importKeys = stringFlag(flags, "import-keys");
  const mnemonicFile = stringFlag(flags, "mnemonic-file");
  return {
    env,
    name,
    topicIds,
    arg,
    imageVersion,
    prodChanges,
    force: boolFlag(flags, "force"),
    importKeys: importKeys ? resolve(cwd, importKeys) : undefined,
    mnemonicFile: mnemonicFile ? resolve(cwd, mnemonicFile) : undefined,
  };
}

/** The config init starts from (it names the key paths) and how it writes config.yaml once the keys are made. */
interface ConfigPlan {
  keysConfig: ProjectConfig;
  write: () => Promise<ProjectConfig>;
}

/** A new project's config.yaml: the defaults, the topics asked for, then the prod flags. */
function planNewConfig(dir: string, req: InitRequest, version: string, rows: string[][]): ConfigPlan {
  const { name, topicIds } = req;
  if (!name) throw usageError("USAGE_MISSING", `no project in ${dir}: --name is needed to create one`);
  if (!topicIds) {
    throw usageError("USAGE_MISSING", "--topic is needed to create a project", `allocmd init --name ${name} --topic 1`);
  }
  const topics: TopicConfig[] = topicIds.map((id) => ({ id, arg: req.arg ?? defaultTopicArg(id) }));
  const base = makeDefaultConfig({ name, topics, version: req.imageVersion ?? version });
  const configPath = join(dir, CONFIG_FILE);
  return {
    keysConfig: base,
    write: async () => {
      await writeFileAtomic(configPath, renderConfig(base));
      rows.push([CONFIG_FILE, "wrote"]);
      return (await updateConfigFile(configPath, req.prodChanges)).config;
    },
  };
}

/** An existing project's config.yaml: only the keys the flags change are rewritten (comments kept). */
async function planConfigUpdate(dir: string, req: InitRequest, rows: string[][]): Promise<ConfigPlan> {
  const project = await loadProject(dir);
  if (req.name !== undefined && req.name !== project.config.name) {
    throw new CliError("PROJECT_CONFLICT", `${dir} is the project "${project.config.name}", not "${req.name}"`, {
      hint: "to rename it, change `name` in config.yaml; to create another project, run init outside this one",
    });
  }
  const changes: ConfigChange[] = [...req.prodChanges];
  const { arg } = req;
  if (req.topicIds) {
    changes.push({
      path: ["topics"],
      value: req.topicIds.map((id) => ({
        id,
        arg: arg ?? project.config.topics.find((t) => t.id === id)?.arg ?? defaultTopicArg(id),
      })),
    });
  } else if (arg !== undefined) {
    changes.push({ path: ["topics"], value: project.config.topics.map((t) => ({ ...t, arg })) });
  }
  if (req.imageVersion !== undefined) changes.push({ path: ["image", "version"], value: req.imageVersion });
  return {
    keysConfig: project.config,
    write: async () => {
      const updated = await updateConfigFile(join(dir, CONFIG_FILE), changes);
      rows.push([CONFIG_FILE, updated.changed.length > 0 ? `updated ${updated.changed.join(", ")}` : "unchanged"]);
      return updated.config;
    },
  };
}

/** Makes, keeps or imports the keys, then writes config.yaml; the rows say what happened to each. */
async function writeKeysAndConfig(dir: string, req: InitRequest, plan: ConfigPlan, rows: string[][]) {
  // Keys first: an import that does not validate stops init before any file is written.
  const keys = await ensureProjectKeys({
    dir,
    keysPath: plan.keysConfig.worker.keys,
    mnemonicPath: plan.keysConfig.worker.mnemonic_file,
    ...(req.importKeys ? { importKeys: req.importKeys } : {}),
    ...(req.mnemonicFile ? { mnemonicFile: req.mnemonicFile } : {}),
    force: req.force,
  });
  const config = await plan.write();
  rows.push([`${config.worker.keys}/`, `${describeKey(keys.identityAction)}: peer id ${keys.peerId}`]);
  rows.push([config.worker.mnemonic_file, `${describeKey(keys.mnemonicAction)}: account ${keys.address} (mode 0600)`]);
  for (const b of keys.backups) rows.push(["", `previous keys copied to ${b}`]);
  return config;
}

/** The generated files of the env asked for (dev files always for a new project), with notes on them. */
async function writeProjectFiles(
  dir: string,
  req: InitRequest,
  isNew: boolean,
  config: ProjectConfig,
  version: string,
) {
  for (const state of [DEV_STATE_DIR, PROD_STATE_DIR]) await mkdir(join(dir, state), { recursive: true, mode: 0o700 });
  const files = await openGeneratedFiles(dir, { force: req.force, cliVersion: version });
  const outcomes: FileOutcome[] = [];
  const notes: string[] = [];
  if (isNew || req.env === "dev") {
    outcomes.push(...(await writeDevFiles(files, config, version)));
    notes.push(...devTopicNotes(config));
  }
  if (req.env === "prod") {
    const prod = await writeProdFile(files, dir, config, version);
    outcomes.push(prod.outcome);
    notes.push(...prod.notes);
  }
  await files.save();
  return { outcomes, notes };
}

/** As root: the worker container never runs as root, so it could not read root's 0600 keys: hand them to its user. */
async function handKeysToImageUser(dir: string, config: ProjectConfig): Promise<string[]> {
  if (!runningAsRoot()) return [];
  for (const p of [config.worker.keys, config.worker.mnemonic_file.split("/")[0] ?? "", "state"]) {
    if (p) await chownTree(join(dir, p), IMAGE_USER);
  }
  return [
    `running as root: ${config.worker.keys}/, the mnemonic and state/ now belong to uid ${IMAGE_USER.uid} ` +
      "(the worker image's non-root user), so the container can read them without running as root",
  ];
}

/** What to run next, for the env just set up. */
function nextSteps(env: "dev" | "prod", config: ProjectConfig, cd: string[]): string[] {
  if (env === "prod") {
    return [
      ...cd,
      `  docker-compose -f ${PROD_COMPOSE_FILE} config -q     # check it`,
      `  copy the project with ${config.worker.keys}/, ${config.worker.mnemonic_file} and .env to the server (not through git), then:`,
      `  docker-compose -f ${PROD_COMPOSE_FILE} up --build -d`,
      "  allocmd status --env prod",
    ];
  }
  const t = config.topics[0] as TopicConfig;
  return [
    ...cd,
    `  allocmd test --arg ${t.arg}       # run main.py offline as the worker will`,
    "  allocmd run --native         # start the local network with this worker (no Docker; or: allocmd run)",
    `  allocmd request --topic ${t.id}     # send it an inference request`,
    "  allocmd status               # registration, score, balance",
  ];
}

/** The report: what was created or updated, file by file, the notes, and what to do next. */
function printInitReport(
  ctx: Pick<CommandContext, "io" | "out">,
  report: { dir: string; isNew: boolean; env: "dev" | "prod"; config: ProjectConfig; rows: string[][] },
  written: { outcomes: FileOutcome[]; notes: string[] },
): void {
  const { out } = ctx;
  const { config, dir } = report;
  const edited = written.outcomes.filter((o) => o.action === "kept-edited");
  out.out(
    `${report.isNew ? "Created" : "Updated"} project ${out.bold(config.name)} in ${dir} ` +
      `(topic${config.topics.length > 1 ? "s" : ""} ${config.topics.map((t) => t.id).join(", ")}, FROM ${workerBaseImage(config)})`,
  );
  for (const line of table(report.rows.map(([a, b]) => [`  ${a}`, b ?? ""]))) out.out(line);
  for (const note of written.notes) out.out(`  note: ${note}`);
  if (edited.length > 0) {
    out.out(
      `  ${edited.length} file(s) kept as you edited them; \`allocmd init --force\` regenerates them (with a backup).`,
    );
  }
  out.out("");
  out.out("Next:");
  out.out(nextSteps(report.env, config, dir === ctx.io.cwd ? [] : [`  cd ${dir}`]).join("\n"));
}

/** What `allocmd init` does (its flags and help: ../commands/init.ts). */
export async function runInitCommand({ io, out, flags }: CommandContext): Promise<number> {
  const req = parseInitRequest(flags, io.cwd);
  const version = cliVersion();
  const dir = await projectDir(io.cwd, stringFlag(flags, "dir"), req.name);
  const isNew = !(await exists(join(dir, CONFIG_FILE)));
  const rows: string[][] = [];
  const plan = isNew ? planNewConfig(dir, req, version, rows) : await planConfigUpdate(dir, req, rows);
  const config = await writeKeysAndConfig(dir, req, plan, rows);
  const written = await writeProjectFiles(dir, req, isNew, config, version);
  for (const o of written.outcomes) rows.push([o.path, describeOutcome(o)]);
  written.notes.push(...(await handKeysToImageUser(dir, config)));
  printInitReport({ io, out }, { dir, isNew, env: req.env, config, rows }, written);
  return 0;
}

/** The dev project's files: main.py, requirements, Dockerfile, ignores, README, .env and the dev compose file. */
async function writeDevFiles(files: GeneratedFiles, config: ProjectConfig, version: string): Promise<FileOutcome[]> {
  return [
    await files.write("main.py", renderMainPy({ name: config.name }), { mode: 0o755 }),
    await files.write("requirements.txt", renderRequirements()),
    await files.write("Dockerfile", renderDockerfile(config)),
    await files.write(".dockerignore", renderDockerignore()),
    await files.write(".gitignore", renderGitignore(config)),
    await files.write("README.md", renderReadme(config)),
    await files.write(".env", renderEnvFile(containerUser()), { mode: 0o600, createOnly: true }),
    await files.write(DEV_COMPOSE_FILE, renderDevCompose(config, version)),
  ];
}

/** A note when a topic is not one the dev network's chain has. */
function devTopicNotes(config: ProjectConfig): string[] {
  const devTopics = DEFAULT_TOPICS.map((t) => Number(t.id));
  const outside = config.topics.filter((t) => !devTopics.includes(t.id));
  if (outside.length === 0) return [];
  return [
    `the local chain of ${DEV_COMPOSE_FILE} has topics ${DEFAULT_TOPICS.map((t) => `${t.id} (${t.token})`).join(" and ")}; ` +
      `topic ${outside.map((t) => t.id).join(", ")} answers \`allocmd request\` locally but is not registered or scored there`,
  ];
}

/** The prod compose file, with the user's services carried over from the dev file, and notes on what was carried. */
async function writeProdFile(
  files: GeneratedFiles,
  dir: string,
  config: ProjectConfig,
  version: string,
): Promise<{ outcome: FileOutcome; notes: string[] }> {
  const devText = await readFile(join(dir, DEV_COMPOSE_FILE), "utf8").catch(() => undefined);
  const carried = carryServices(devText, config);
  const outcome = await files.write(PROD_COMPOSE_FILE, renderProdCompose(config, carried, version));
  const notes: string[] = [];
  if (devText === undefined) notes.push(`no ${DEV_COMPOSE_FILE}: no services of yours to carry over`);
  if (carried.carried.length > 0) notes.push(`carried over from ${DEV_COMPOSE_FILE}: ${carried.carried.join(", ")}`);
  if (carried.sampleInference) {
    notes.push(
      `${config.inference.service} is still the sample model server: prod runs it too, reading prices from ` +
        `${config.prod.chain_rest}; replace it in ${DEV_COMPOSE_FILE} with your model, then run this again`,
    );
  }
  for (const d of carried.dropped) notes.push(`dropped ${d} (the local network is not part of prod)`);
  if (!carried.sampleInference && !(config.inference.service in carried.services)) {
    notes.push(
      `no service "${config.inference.service}" to carry over: main.py's INFERENCE_API_ADDRESS ` +
        `(http://${config.inference.service}:${config.inference.port}) will not answer in prod; add your model ` +
        `service to ${DEV_COMPOSE_FILE} or change inference.service in config.yaml`,
    );
  }
  return { outcome, notes };
}

/** The config.yaml changes the prod flags ask for. */
function prodFlagChanges(f: FlagValues): ConfigChange[] {
  const changes: ConfigChange[] = [];
  const boot = listFlag(f, "boot-nodes");
  if (boot.length > 0) changes.push({ path: ["prod", "boot_nodes"], value: parseBootNodesFlag(boot) });
  const announce = listFlag(f, "announce");
  if (announce.length > 0)
    changes.push({ path: ["prod", "announce"], value: parseBootNodesFlag(announce, "--announce") });
  for (const [flag, key] of [
    ["chain-rpc", "chain_rpc"],
    ["chain-rest", "chain_rest"],
    ["head-url", "head_url"],
    ["faucet-url", "faucet_url"],
  ] as const) {
    const v = stringFlag(f, flag);
    if (v !== undefined) changes.push({ path: ["prod", key], value: parseUrlFlag(v, `--${flag}`) });
  }
  const chainId = stringFlag(f, "chain-id");
  if (chainId !== undefined) {
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(chainId))
      throw usageError("USAGE_BAD_VALUE", `--chain-id "${chainId}" is not a chain id`);
    changes.push({ path: ["prod", "chain_id"], value: chainId });
  }
  return changes;
}
