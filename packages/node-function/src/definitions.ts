/**
 * The function packages this repo ships, built from the files in `python/`.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type FunctionManifest, GUIDE_FUNCTION_METHOD, makeFunctionPackage, type TarFile } from "@allora/protocol";

const pythonDir = fileURLToPath(new URL("../python/", import.meta.url));

/** The folder of the runner package's files (exec_main_py.py, parent_death.py): what the worker installs as the runner package. */
export const runnerPackageDir: string = pythonDir;

/**
 * Path of `parent_death.py`, the one rule by which every process between the worker and main.py dies with its
 * parent: shipped in the runner package, and loaded from here by the worker's launcher and warm processes.
 */
export const parentDeathModulePath: string = `${pythonDir}parent_death.py`;

/** Path of the sample `main.py` (the worker's own logic in the dev network). */
export const sampleMainPyPath: string = `${pythonDir}main.py`;

function file(path: string, executable = false): TarFile {
  return { path, data: readFileSync(`${pythonDir}${path}`), executable };
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(fileURLToPath(new URL("../package.json", import.meta.url)), "utf8"));
  return String(pkg.version);
}

/** The manifest and files of each package, by short name. */
export function packageSources(): Record<"runner" | "echo", { manifest: FunctionManifest; files: TarFile[] }> {
  const version = packageVersion();
  return {
    runner: {
      manifest: {
        name: "allora-inference-runner",
        version,
        description: "Runs the worker's own main.py with the allocmd contract (argv, env, one JSON line on stdout)",
        kind: "runner",
        entry: "exec_main_py.py",
        interpreter: "python3",
        methods: [GUIDE_FUNCTION_METHOD, "runner"],
      },
      files: [file("exec_main_py.py", true), file("parent_death.py")],
    },
    echo: {
      manifest: {
        name: "allora-echo",
        version,
        description: 'Answers {"infererValue": "1"} at once; a trivial function for benchmarks',
        kind: "generic",
        entry: "echo.sh",
        interpreter: "sh",
        methods: ["echo"],
      },
      files: [file("echo.sh", true)],
    },
  };
}

/** Packs every package from its sources (deterministic: the same sources always give the same CIDs). */
export function buildPackages(): Record<"runner" | "echo", ReturnType<typeof makeFunctionPackage>> {
  const sources = packageSources();
  return {
    runner: makeFunctionPackage(sources.runner.manifest, sources.runner.files),
    echo: makeFunctionPackage(sources.echo.manifest, sources.echo.files),
  };
}
