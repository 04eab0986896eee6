#!/usr/bin/env node
/**
 * `pnpm release`: writes release/allocmd-<version>.tgz, one npm package with no dependencies that holds the allocmd
 * CLI and every node it runs (chain, head, worker, inference server, dashboard) as esbuild bundles, the files they
 * read at run time (the worker's Python launcher and sandbox, the function packages, the sample main.py, the
 * dashboard's page) and a Docker build context for the allora/* images. `npm install -g --offline <tarball>` works
 * with no registry at all; nothing runs at install time.
 */
import { execFile } from "node:child_process";
import { cp, mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { BUNDLED_KINDS, type BundleResult, bundleAll } from "../bundle.js";
import { packageDockerFiles } from "../docker-context.js";

const HELP = `pnpm release: build release/allocmd-<version>.tgz (allocmd and every node it runs, no dependencies)

Usage: pnpm release [--out <dir>]

  --out <dir>   where the tarball goes (default <repo>/release)
  --version     print the version
  --help        show this help

Then: npm install -g --offline ./release/allocmd-<version>.tgz && allocmd --help
`;

/** Files the bundles read at run time, at their repo paths (see bundle.ts). */
const RUNTIME_FILES = [
  "apps/worker/python",
  "packages/node-function/python",
  "packages/node-function/package.json",
  "packages/node-function/dist/function-packages.json",
  "packages/node-function/dist/packages",
  "apps/dashboard/dist/page",
];

const REPO = fileURLToPath(new URL("../../../../", import.meta.url));

function run(command: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, maxBuffer: 16 << 20, timeout: 300_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${command} ${args.join(" ")} failed: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;

/** The CLI's package.json: the release's name, version and engines are its own. */
interface CliManifest {
  name: string;
  version: string;
  description: string;
  engines: Record<string, string>;
}

/** What npm pack reports of the tarball. */
interface PackInfo {
  filename: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
}

/** The README of the installed package. */
function releaseReadme(version: string): string {
  return [
    `# allocmd ${version}`,
    "",
    "Scaffold, test and run an Allora worker, with the whole local network (chain, head, sample model, your",
    "worker) inside this package. Needs Node 20.19+ or 22 and Python 3; Docker only for `allocmd run` without",
    "`--native`.",
    "",
    "    allocmd init --name my-worker --topic 1 && cd my-worker",
    "    allocmd run --native        # in one terminal (Ctrl-C stops it)",
    "    allocmd test --arg ETH",
    "    allocmd request --topic 1",
    "    allocmd status",
    "",
    "`allocmd --help` lists every command; `allocmd doctor` says what this machine is missing.",
    "",
  ].join("\n");
}

/** The package.json of the release. */
function releaseManifest(cli: CliManifest) {
  return {
    // The CLI's own name and version: `allocmd --version`, every node's --version and the images' tags agree.
    name: cli.name,
    version: cli.version,
    description: `${cli.description} (self-contained: the CLI and the whole local network, no dependencies)`,
    type: "module",
    engines: cli.engines,
    bin: { allocmd: "dist/allocmd.js" },
    files: ["dist", "apps", "packages", "docker", "README.md"],
    allocmd: { release: true, nodes: BUNDLED_KINDS },
  };
}

/** Fills the stage: the bundles, the files they read at run time, the Docker context, package.json and README. */
async function stagePackage(stage: string, cli: CliManifest): Promise<BundleResult> {
  await rm(stage, { recursive: true, force: true });
  await mkdir(stage, { recursive: true });
  const bundled = await bundleAll(REPO, stage);
  for (const rel of RUNTIME_FILES) {
    await cp(join(REPO, rel), join(stage, rel), {
      recursive: true,
      filter: (src) => !src.includes("__pycache__"),
    });
  }
  const docker = await packageDockerFiles(REPO);
  await mkdir(join(stage, "docker"), { recursive: true });
  await writeFile(join(stage, "docker", "Dockerfile"), docker.dockerfile);
  await writeFile(join(stage, "docker", "entrypoint.sh"), docker.entrypoint, { mode: 0o755 });
  await writeFile(join(stage, "package.json"), `${JSON.stringify(releaseManifest(cli), null, 2)}\n`);
  await writeFile(join(stage, "README.md"), releaseReadme(cli.version));
  return bundled;
}

/** Packs the stage into `<out>/allocmd-<version>.tgz`. */
async function packStage(stage: string, out: string, version: string): Promise<{ tarball: string; info: PackInfo }> {
  const packed = JSON.parse(
    await run("npm", ["pack", "--json", "--pack-destination", out, "--loglevel=error"], stage),
  ) as PackInfo[];
  const info = packed[0];
  if (!info) throw new Error("npm pack wrote nothing");
  const tarball = join(out, `allocmd-${version}.tgz`);
  await rename(join(out, info.filename), tarball);
  await rm(stage, { recursive: true, force: true });
  return { tarball, info };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      out: { type: "string", default: join(REPO, "release") },
      version: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  const cli = JSON.parse(await readFile(join(REPO, "packages", "cli", "package.json"), "utf8")) as CliManifest;
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`allora-release ${cli.version}\n`);
    return 0;
  }
  const started = Date.now();
  const out = String(values.out);
  const stage = join(out, ".stage");
  const bundled = await stagePackage(stage, cli);
  const { tarball, info } = await packStage(stage, out, cli.version);
  const size = (await stat(tarball)).size;
  const bundles = bundled.outputs.map((o) => `${o.file} ${mib(o.bytes)}`).join(", ");
  process.stdout.write(
    [
      `wrote ${tarball}`,
      `  ${mib(size)} packed, ${mib(info.unpackedSize)} installed, ${info.entryCount} files, no dependencies`,
      `  ${bundled.inputs} modules bundled into ${bundles}`,
      `  in ${((Date.now() - started) / 1000).toFixed(1)} s. Install: npm install -g --offline ${tarball}`,
      "",
    ].join("\n"),
  );
  return 0;
}

try {
  process.exitCode = await main();
} catch (err) {
  process.stderr.write(`pnpm release: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
