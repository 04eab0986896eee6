/**
 * @allora/protocol as a user installs it: pack the library as it would be published, install the tarball into fresh
 * projects outside the workspace (npm with cosmjs 0.38 and with 0.39, pnpm, a CommonJS project), type-check every
 * example of packages/protocol/README.md with the library's own strict flags and without `skipLibCheck`, then run
 * each one with Node. The examples that talk to a network (their URLs are the dev network's defaults) run against a
 * dev network this test starts on a free block of ports; the README's URLs are pointed at it.
 *
 * Every `ts` code fence of a README section is one program (a section's fences in order); `js` fences are
 * CommonJS. Each program must print what its section promises (EXPECTED below): a section without an entry fails.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestNetwork, type TestNetwork } from "../../src/process-network.js";

const run = promisify(execFile);
const protocolDir = fileURLToPath(new URL("../../../packages/protocol/", import.meta.url));
const tsc = fileURLToPath(new URL("../../../node_modules/typescript/bin/tsc", import.meta.url));

/** What each README section's program prints (substrings or patterns of its stdout). */
const EXPECTED: Record<string, ReadonlyArray<string | RegExp>> = {
  "Quick start for app developers": [
    /funded \d+ uallo at height \d+/,
    "registered: true",
    "peer 12D3KooWH9GerdSEroL2nqjpd2GuE5dwmqNi7uHX7FoywBdKcP4q EMA",
  ],
  "Call a head": [/^(200|206)$/m, "400 TOPIC_INVALID"],
  "Validate, encode and decode p2p messages": [
    "allora-topic-1-worker",
    "P2P_MESSAGE_INVALID MsgRollCall: field origin Expected required property",
  ],
  "Pack and verify a function package": ["bafkreift7uvs57cfcmvfwnxtsjj7jcvywd3eq2fhiv2zg2abzh2psbnsl4 3072"],
  "Derive an account, sign and verify a worker bundle": ["allo19rl4cm2hmr8afy4kldpxz3fka4jguq0ajnh7gv", "2946.45"],
  "Build and verify a signed transaction": [
    "allo19rl4cm2hmr8afy4kldpxz3fka4jguq0ajnh7gv 3n /emissions.v1.MsgRegister",
    "TX_SIGNATURE_INVALID",
  ],
  "Use cosmjs with the network's messages": [/^topic \d+n$/m],
  "Read the chain": [/^allora-localnet-1 \d+$/m, "ETH", "404 TOPIC_NOT_FOUND"],
  "Key folders": ["true true Ed25519"],
  "The market series": ["3011.32043144"],
  Errors: ["Package bytes do not hash to the CID they were fetched for.", "SEQUENCE_MISMATCH"],
  CommonJS: ["bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e allora-topic-1-worker function"],
};

/** One README section's examples. */
interface Section {
  title: string;
  ts: string;
  js: string;
}

/** The README's sections that have code, each with its `ts` fences joined and its `js` fences joined. */
function readmeSections(readme: string): Section[] {
  const sections: Section[] = [];
  for (const part of readme.split(/^## /m).slice(1)) {
    const title = part.slice(0, part.indexOf("\n")).trim();
    const fences = [...part.matchAll(/^```(ts|js)\n([\s\S]*?)^```$/gm)];
    const join = (lang: string) => mergeImports(fences.filter((f) => f[1] === lang).map((f) => f[2] ?? ""));
    if (fences.length > 0) sections.push({ title, ts: join("ts"), js: join("js") });
  }
  return sections;
}

/** The fences of one section as one program: their `import { … } from "m"` lines merged at the top, bodies in order. */
function mergeImports(fences: string[]): string {
  const names = new Map<string, Set<string>>();
  const bodies = fences.map((code) =>
    code.replace(/^import \{([^}]*)\} from "([^"]+)";\n/gm, (_all, list: string, from: string) => {
      const set = names.get(from) ?? new Set<string>();
      for (const n of list.split(",").map((x) => x.trim())) if (n) set.add(n);
      names.set(from, set);
      return "";
    }),
  );
  const imports = [...names].map(([from, set]) => `import { ${[...set].join(", ")} } from "${from}";`);
  return [...imports, ...bodies].join("\n");
}

/**
 * The compiler's complaints about the examples and the library's own declarations. Without `skipLibCheck`, tsc also
 * checks third-party declarations; those of @libp2p/interface and main-event need the DOM lib (`EventInit`,
 * `JsonWebKey`), cosmjs's registry.d.ts names packages cosmjs does not depend on: not this library's to fix.
 */
function ownErrors(output: string): string[] {
  return output
    .split("\n")
    .filter((line) => line.includes("error TS"))
    .filter((line) => !/^node_modules\//.test(line) || line.includes("@allora/protocol"));
}

const slug = (title: string) =>
  title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

/** The library's own compiler flags (tsconfig.base.json), without skipLibCheck: its .d.ts files are checked too. */
const STRICT_TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    lib: ["ES2023"],
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    noUncheckedIndexedAccess: true,
    noImplicitOverride: true,
    noFallthroughCasesInSwitch: true,
    verbatimModuleSyntax: true,
    isolatedModules: true,
    skipLibCheck: false,
    types: ["node"],
    outDir: "out",
    rootDir: "examples",
  },
  include: ["examples/*.ts"],
};

const COSMJS = ["amino", "crypto", "encoding", "proto-signing", "stargate"];
/** `ALLORA_CONSUMER_OFFLINE=1` installs from the package managers' caches only (e.g. in a network namespace). */
const OFFLINE = process.env.ALLORA_CONSUMER_OFFLINE === "1" ? ["--offline"] : ["--prefer-offline"];

/** A fresh project with the tarball and a cosmjs version installed by `manager`. */
async function makeProject(root: string, name: string, tarball: string, manager: "npm" | "pnpm", cosmjs: string) {
  const dir = join(root, name);
  await mkdir(dir);
  await writeFile(join(dir, "package.json"), JSON.stringify({ name, private: true, type: "module" }));
  const deps = [
    tarball,
    ...COSMJS.map((p) => `@cosmjs/${p}@${cosmjs}`),
    "cosmjs-types@^0.11.0",
    "@sinclair/typebox@^0.34.0",
    "@types/node@^20.19.0",
  ];
  const args =
    manager === "npm"
      ? ["install", "--no-audit", "--no-fund", ...OFFLINE, "--loglevel=error", ...deps]
      : ["add", ...OFFLINE, "--reporter=silent", ...deps];
  await run(manager, args, { cwd: dir, timeout: 240_000, env: { ...process.env, npm_config_yes: "true" } });
  return dir;
}

/** Writes the README's `ts` programs into `dir/examples`, pointing the dev network's URLs at `net`. */
async function writeExamples(dir: string, sections: Section[], urls: Record<string, string>) {
  await mkdir(join(dir, "examples"), { recursive: true });
  for (const s of sections.filter((x) => x.ts)) {
    let code = s.ts;
    for (const [from, to] of Object.entries(urls)) code = code.replaceAll(from, to);
    await writeFile(join(dir, "examples", `${slug(s.title)}.ts`), code);
  }
  await writeFile(join(dir, "tsconfig.json"), JSON.stringify(STRICT_TSCONFIG));
}

/** Compiles `dir`'s examples; the compiler's output (empty when everything type-checks). */
async function compile(dir: string): Promise<string> {
  try {
    const { stdout } = await run("node", [tsc, "-p", "tsconfig.json"], { cwd: dir, timeout: 120_000 });
    return stdout;
  } catch (err) {
    return String((err as { stdout?: string }).stdout ?? err);
  }
}

/** Runs one compiled example in a folder of its own (examples write ./data, ./functions); its stdout. */
async function runExample(dir: string, file: string): Promise<string> {
  const cwd = await mkdtemp(join(dir, "run-"));
  const { stdout } = await run("node", [join(dir, "out", file)], { cwd, timeout: 120_000 });
  return stdout;
}

function expectOutput(title: string, stdout: string): void {
  const expected = EXPECTED[title];
  expect(expected, `EXPECTED has no entry for README section "${title}"`).toBeDefined();
  for (const e of expected ?? []) {
    if (typeof e === "string") expect(stdout, title).toContain(e);
    else expect(stdout, title).toMatch(e);
  }
}

let root: string;
let tarball: string;
let sections: Section[];
let net: TestNetwork;
let urls: Record<string, string>;
const projects = new Map<string, string>();

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "allora-consumer-"));
  sections = readmeSections(await readFile(join(protocolDir, "README.md"), "utf8"));
  await run("pnpm", ["pack", "--pack-destination", root], { cwd: protocolDir, timeout: 120_000 });
  const packed = (await readdir(root)).find((f) => f.endsWith(".tgz"));
  if (!packed) throw new Error("pnpm pack produced no tarball");
  tarball = join(root, packed);
  // The network starts while the projects install.
  const [network] = await Promise.all([
    startTestNetwork({ chain: true, workers: 1, blockTimeMs: 500 }),
    makeProject(root, "npm-cosmjs-039", tarball, "npm", "0.39.0").then((d) => projects.set("npm-cosmjs-039", d)),
    makeProject(root, "npm-cosmjs-038", tarball, "npm", "0.38.1").then((d) => projects.set("npm-cosmjs-038", d)),
    makeProject(root, "pnpm-cosmjs-039", tarball, "pnpm", "0.39.0").then((d) => projects.set("pnpm-cosmjs-039", d)),
  ]);
  net = network;
  urls = {
    "http://127.0.0.1:26657": net.url("chain", "rpc"),
    "http://127.0.0.1:1317": net.url("chain", "rest"),
    "http://localhost:6000": net.headUrl,
  };
  for (const dir of projects.values()) await writeExamples(dir, sections, urls);
}, 480_000);

afterAll(async () => {
  await net?.dispose();
  if (root) await rm(root, { recursive: true, force: true });
});

describe("the packed library in fresh projects", () => {
  it("has an expectation for every README section with code", () => {
    expect(sections.map((s) => s.title).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const name of ["npm-cosmjs-039", "npm-cosmjs-038"]) {
    it(`${name}: installs beside the app's cosmjs with one copy of @cosmjs/proto-signing`, async () => {
      const dir = projects.get(name) as string;
      const { stdout } = await run("npm", ["ls", "@cosmjs/proto-signing", "--all", "--parseable"], { cwd: dir });
      const copies = new Set(stdout.split("\n").filter((l) => l.includes("@cosmjs/proto-signing")));
      expect([...copies]).toEqual([join(dir, "node_modules", "@cosmjs", "proto-signing")]);
      const scure = JSON.parse(await readFile(join(dir, "node_modules", "@scure", "base", "package.json"), "utf8")) as {
        version: string;
      };
      // Whatever @scure/base a fresh install brings (2.4 breaks cosmjs's fromBech32), the examples below work.
      expect(scure.version).toMatch(/^2\./);
    });
  }

  for (const name of ["npm-cosmjs-039", "npm-cosmjs-038", "pnpm-cosmjs-039"]) {
    it(`${name}: every example type-checks with the library's strict flags and without skipLibCheck`, async () => {
      const output = await compile(projects.get(name) as string);
      expect(ownErrors(output)).toEqual([]);
      // Third-party declarations only: every complaint names a file under node_modules of another package.
      for (const line of output.split("\n").filter((l) => l.includes("error TS"))) {
        expect(line).toMatch(/^node_modules\/(?!@allora\/protocol)/);
      }
    }, 120_000);

    it(`${name}: every example runs and prints what the README says`, async () => {
      const dir = projects.get(name) as string;
      for (const s of sections.filter((x) => x.ts)) expectOutput(s.title, await runExample(dir, `${slug(s.title)}.js`));
    }, 300_000);
  }

  it("a CommonJS project requires the library, and node10 resolution finds its types", async () => {
    const dir = join(root, "commonjs");
    await mkdir(dir);
    await writeFile(join(dir, "package.json"), JSON.stringify({ name: "cjs", private: true, type: "commonjs" }));
    // Peers installed by npm itself: the tarball alone.
    await run("npm", ["install", "--no-audit", "--no-fund", ...OFFLINE, "--loglevel=error", tarball], {
      cwd: dir,
      timeout: 240_000,
    });
    const js = sections.filter((s) => s.js);
    expect(js.length).toBeGreaterThan(0);
    for (const s of js) {
      await writeFile(join(dir, `${slug(s.title)}.js`), s.js);
      const { stdout } = await run("node", [`${slug(s.title)}.js`], { cwd: dir, timeout: 60_000 });
      expectOutput(s.title, stdout);
    }
    await writeFile(
      join(dir, "main.ts"),
      'import { computeCid, type AlloraErrorCode } from "@allora/protocol";\nconst code: AlloraErrorCode = "HTTP_TIMEOUT";\nexport const cid: string = computeCid(new Uint8Array());\nexport { code };\n',
    );
    await writeFile(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module: "commonjs",
          moduleResolution: "node10",
          target: "ES2022",
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: [],
        },
        files: ["main.ts"],
      }),
    );
    expect(await compile(dir)).toBe("");
  }, 300_000);
});
