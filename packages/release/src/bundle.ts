/**
 * Bundles the CLI and every node it runs with esbuild, one self-contained ESM file each, into `<stage>/dist/`.
 *
 * The built workspace code finds its files next to itself (`new URL("../python/launcher.py", import.meta.url)`), so
 * the package keeps those files at their repo paths (`<stage>/apps/worker/python/…`) and every workspace module's
 * `import.meta.url` is rewritten to the URL it would have at its repo path under the package root. Relative
 * lookups then land on the shipped files, version lookups walk up to the package's own package.json, and a module's
 * "am I the main module" check stays false inside a bundle. Dependencies (node_modules) are bundled as they are; the
 * build refuses one that reads files beside itself or loads a native addon, since neither would survive bundling.
 */
import { relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { appBin, type NodeKind } from "@allora/devnet";
import { build, type Metafile, type Plugin } from "esbuild";

/** The node kinds the release ships, each as `dist/<kind>.js`. */
export const BUNDLED_KINDS: readonly NodeKind[] = ["chain", "head", "worker", "inference-server", "dashboard"];

/** What bundling produced. */
export interface BundleResult {
  /** Output files relative to the stage, with their sizes in bytes. */
  outputs: Array<{ file: string; bytes: number }>;
  /** How many input modules went in. */
  inputs: number;
}

/** The release's replacement for `@allora/devnet`'s `apps.js`. */
const BUNDLED_APPS = fileURLToPath(new URL("../src/bundled-apps.ts", import.meta.url));

/** ESM bundles may still `require()` Node's built-ins from bundled CommonJS (cosmjs): give them a real require. */
const BANNER =
  'import { createRequire as __alloraCreateRequire } from "node:module";\n' +
  "const require = __alloraCreateRequire(import.meta.url);";

function isWorkspaceDist(repo: string, file: string): boolean {
  const rel = relative(repo, file).split(sep).join("/");
  return !rel.startsWith("..") && !rel.includes("node_modules/") && /^(apps|packages)\/[^/]+\/dist\//.test(rel);
}

/** Rewrites workspace modules' import.meta.url and swaps in the bundled apps table. */
function workspaceLayout(repo: string): Plugin {
  return {
    name: "allora-workspace-layout",
    setup(b) {
      const inDevnet = (dir: string) => /[\\/]packages[\\/]devnet[\\/]dist$/.test(dir);
      b.onResolve({ filter: /^\.\/apps\.js$/ }, (args) =>
        inDevnet(args.resolveDir) ? { path: BUNDLED_APPS } : undefined,
      );
      // The container runner (testcontainers, whose ssh client has a native addon) is for the repo's tests: nothing
      // the release runs uses it, and an import of one of its names fails this build ("No matching export").
      b.onResolve({ filter: /^\.\/container-runner\.js$/ }, (args) =>
        inDevnet(args.resolveDir) ? { path: "container-runner", namespace: "allora-left-out" } : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: "allora-left-out" }, () => ({ contents: "export {};", loader: "js" }));
      b.onLoad({ filter: /\.js$/ }, async (args) => {
        if (!isWorkspaceDist(repo, args.path)) return undefined;
        const { readFile } = await import("node:fs/promises");
        const text = await readFile(args.path, "utf8");
        if (!text.includes("import.meta.url")) return { contents: text, loader: "js" };
        const rel = relative(repo, args.path).split(sep).join("/");
        // Bundles live in <package>/dist/, so "../<repo path>" is the module's place under the package root.
        const url = `new URL(${JSON.stringify(`../${rel}`)}, import.meta.url).href`;
        return { contents: text.replaceAll("import.meta.url", url), loader: "js" };
      });
    },
  };
}

/**
 * Dependencies that do read files beside themselves, but only on a path no node takes: pino starts transports in a
 * worker thread (thread-stream) only for `pino.transport()`, and the nodes log to stdout without one.
 */
const UNUSED_FILE_READERS = [/\/thread-stream@[^/]+\//, /\/pino@[^/]+\/node_modules\/pino\/lib\/transport\.js$/];

/** Inputs that cannot work bundled: dependencies reading files beside themselves, native addons. */
async function unbundleable(repo: string, metafile: Metafile): Promise<string[]> {
  const { readFile } = await import("node:fs/promises");
  const problems: string[] = [];
  for (const input of Object.keys(metafile.inputs)) {
    if (input.endsWith(".node")) problems.push(`${input}: a native addon`);
    if (!input.includes("node_modules/") || !/\.(c|m)?js$/.test(input)) continue;
    if (UNUSED_FILE_READERS.some((r) => r.test(input))) continue;
    const text = await readFile(`${repo}/${input}`, "utf8").catch(() => "");
    if (/new URL\([^)]*import\.meta\.url/.test(text) || /__dirname\s*\+|join\(__dirname/.test(text)) {
      problems.push(`${input}: reads files next to itself`);
    }
  }
  return problems;
}

/** Bundles the CLI (`dist/allocmd.js`), the nodes and the containers' init script into `<stage>/dist`. */
export async function bundleAll(repo: string, stage: string): Promise<BundleResult> {
  const cliBin = fileURLToPath(import.meta.resolve("@allora/allocmd")).replace(/index\.js$/, "bin/allocmd.js");
  const devnetDist = fileURLToPath(import.meta.resolve("@allora/devnet")).replace(/index\.js$/, "");
  const entryPoints: Record<string, string> = {
    allocmd: cliBin,
    "init-state": `${devnetDist}bin/init-state.js`,
  };
  for (const kind of BUNDLED_KINDS) entryPoints[kind] = appBin(kind);
  const result = await build({
    absWorkingDir: repo,
    entryPoints,
    outdir: `${stage}/dist`,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20.19",
    minify: true,
    keepNames: true,
    legalComments: "none",
    metafile: true,
    logLevel: "warning",
    banner: { js: BANNER },
    plugins: [workspaceLayout(repo)],
  });
  const problems = await unbundleable(repo, result.metafile);
  if (problems.length > 0) {
    throw new Error(`these modules cannot be bundled as they are:\n  ${problems.join("\n  ")}`);
  }
  const outputs = Object.entries(result.metafile.outputs).map(([file, o]) => ({
    file: relative(stage, `${repo}/${file}`),
    bytes: o.bytes,
  }));
  return { outputs, inputs: Object.keys(result.metafile.inputs).length };
}
