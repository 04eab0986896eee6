/**
 * `allocmd init`: every generated file, the keys, what a second run keeps, imports, the prod file with the user's
 * services carried over, and that no secret lands in a compose file or in config.yaml.
 */
import { spawnSync } from "node:child_process";
import { appendFile, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { deriveChainAccount, generateKeyFolder, generateMnemonic, loadKeyFolder } from "@allora/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { loadProject } from "../src/config/load-config.js";
import { cliVersion } from "../src/version.js";
import { allocmd, tempDir } from "./support/cli.js";

let tmp: { dir: string; remove: () => Promise<void> };
let project: string;

beforeEach(async () => {
  tmp = await tempDir();
  project = join(tmp.dir, "eth-worker");
});
afterEach(async () => {
  await tmp.remove();
});

const mode = async (path: string) => (await stat(path)).mode & 0o777;
// biome-ignore lint/suspicious/noExplicitAny: compose files are free-form YAML; each field a test uses is asserted
const readYaml = async (path: string): Promise<any> => parse(await readFile(path, "utf8"));

/** Every form a secret of the project could leak in: the mnemonic, its start, the libp2p key, the chain key. */
async function secretsOf(dir: string): Promise<string[]> {
  const mnemonic = (await readFile(join(dir, "secrets/chain.mnemonic"), "utf8")).trim();
  const privBin = Buffer.from(await readFile(join(dir, "keys/priv.bin")));
  const chainKey = Buffer.from((await deriveChainAccount(mnemonic)).privkey);
  return [
    mnemonic,
    mnemonic.split(" ").slice(0, 4).join(" "),
    (await readFile(join(dir, "keys/priv.txt"), "utf8")).trim(),
    privBin.subarray(4, 36).toString("hex"),
    privBin.subarray(4, 36).toString("base64"),
    chainKey.toString("hex"),
    chainKey.toString("base64"),
  ];
}

async function expectNoSecretIn(dir: string, files: string[]): Promise<void> {
  const secrets = await secretsOf(dir);
  for (const file of files) {
    const text = (await readFile(join(dir, file), "utf8")).split(/\s+/).join(" ");
    for (const secret of secrets) expect(text.includes(secret), `${file} holds a secret`).toBe(false);
  }
}

async function initDev(extra: string[] = []) {
  const run = await allocmd(["init", "--name", "eth-worker", "--topic", "1", "--env", "dev", ...extra], tmp.dir);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  return run;
}

describe("allocmd init --env dev", () => {
  it("creates config.yaml, main.py, requirements.txt, Dockerfile, .dockerignore, .gitignore, .env and README.md", async () => {
    const run = await initDev();
    expect(run.stdout).toContain("Created project eth-worker");
    for (const f of [
      "config.yaml",
      "main.py",
      "requirements.txt",
      "Dockerfile",
      ".dockerignore",
      ".gitignore",
      ".env",
      "README.md",
      "dev-docker-compose.yaml",
    ]) {
      expect(run.stdout).toMatch(new RegExp(`${f.replace(".", "\\.")}\\s+wrote`));
    }

    const { config } = await loadProject(project);
    expect(config).toMatchObject({
      name: "eth-worker",
      topics: [{ id: 1, arg: "ETH" }],
      image: { repository: "allora", version: cliVersion() },
      worker: { keys: "keys", mnemonic_file: "secrets/chain.mnemonic" },
      dev: { chain_id: "allora-localnet-1", head_rest_port: 6000, head_p2p_port: 9010 },
      prod: { boot_nodes: [], chain_rpc: "" },
    });
    const configText = await readFile(join(project, "config.yaml"), "utf8");
    expect(configText).toMatch(/^# allocmd project/);
    expect(configText).toContain("# Head multiaddrs");

    const mainPy = await readFile(join(project, "main.py"), "utf8");
    expect(mainPy).toContain("REPLACE FROM HERE");
    const imports = [...mainPy.matchAll(/^import (\S+)/gm)].map((m) => m[1]).sort();
    expect(imports).toEqual(["json", "os", "re", "sys", "urllib.error", "urllib.parse", "urllib.request"]);
    // Valid JSON even on the failure path: too few arguments.
    const few = spawnSync("python3", [join(project, "main.py"), "1"], { encoding: "utf8" });
    expect(few.status).toBe(2);
    expect(JSON.parse(few.stdout.trim()).error).toMatch(/expected 4 arguments/);

    const requirements = await readFile(join(project, "requirements.txt"), "utf8");
    expect(requirements.split("\n").filter((l) => l.trim() && !l.startsWith("#"))).toEqual([]);

    const dockerfile = await readFile(join(project, "Dockerfile"), "utf8");
    expect(dockerfile).toMatch(new RegExp(`^FROM allora/worker:${cliVersion().replaceAll(".", "\\.")}$`, "m"));
    expect(dockerfile).toContain("COPY main.py /app/main.py");
    expect(dockerfile).not.toMatch(/^USER root/m);

    const dockerignore = (await readFile(join(project, ".dockerignore"), "utf8")).split("\n");
    for (const entry of ["keys", "secrets", ".env", "state"]) expect(dockerignore).toContain(entry);
    const gitignore = (await readFile(join(project, ".gitignore"), "utf8")).split("\n");
    for (const entry of ["/keys/", "/secrets/", ".env", "/state/", "/.allocmd/backup/"])
      expect(gitignore).toContain(entry);

    expect(await mode(join(project, ".env"))).toBe(0o600);
    expect(await readFile(join(project, ".env"), "utf8")).toMatch(/^ALLOCMD_UID=\d+$/m);
    expect(await readFile(join(project, "README.md"), "utf8")).toContain("# eth-worker");
  });

  it("generates keys in-process: the key folder loads back to its identity, the mnemonic is BIP39 in a 0600 file", async () => {
    const run = await initDev();
    const identity = (await readFile(join(project, "keys/identity"), "utf8")).trim();
    expect(identity).toMatch(/^12D3KooW/);
    expect((await loadKeyFolder(join(project, "keys"))).peerId).toBe(identity);
    expect(run.stdout).toContain(`peer id ${identity}`);
    expect(await mode(join(project, "keys"))).toBe(0o700);
    expect(await mode(join(project, "keys/priv.bin"))).toBe(0o600);
    expect(await mode(join(project, "keys/priv.txt"))).toBe(0o600);
    expect(await mode(join(project, "secrets"))).toBe(0o700);
    expect(await mode(join(project, "secrets/chain.mnemonic"))).toBe(0o600);
    const mnemonic = (await readFile(join(project, "secrets/chain.mnemonic"), "utf8")).trim();
    expect(mnemonic.split(" ")).toHaveLength(24);
    const { address } = await deriveChainAccount(mnemonic);
    expect(run.stdout).toContain(`account ${address}`);
    expect(run.stdout).not.toContain(mnemonic.split(" ").slice(0, 3).join(" "));
    // The project folder stays an ordinary folder; the state folders exist before Docker could create them as root.
    expect(await mode(project)).not.toBe(0o700);
    for (const s of ["state/dev", "state/prod"]) expect((await stat(join(project, s))).isDirectory()).toBe(true);
  });

  it("writes a dev compose file with chain, head, dashboard, sample inference and the worker, secrets as files only", async () => {
    await initDev();
    const compose = await readYaml(join(project, "dev-docker-compose.yaml"));
    expect(Object.keys(compose.services).sort()).toEqual(["chain", "dashboard", "eth-worker", "head", "inference"]);
    expect(compose.services.dashboard.image).toBe(`allora/dashboard:${cliVersion()}`);
    expect(compose.services.dashboard.ports).toEqual(["127.0.0.1:3000:3000"]);
    expect(compose.services.dashboard.environment).toMatchObject({
      HOST: "0.0.0.0",
      HEAD_URL: "http://head:6000",
      CHAIN_REST: "http://chain:1317",
      WORKERS: "eth-worker=http://eth-worker:2112",
      INFERENCE_SERVERS: "eth-worker=http://inference:8000",
    });
    const worker = compose.services["eth-worker"];
    expect(worker.build).toBe(".");
    expect(worker.environment.BOOT_NODES).toBe("/dns4/head/tcp/9010");
    expect(worker.environment.TOPICS).toBe("1");
    expect(worker.environment.FUNCTION_ENV).toBe("INFERENCE_API_ADDRESS=http://inference:8000");
    expect(worker.environment.CHAIN_MNEMONIC_FILE).toBe("/run/secrets/chain_mnemonic");
    expect(worker.volumes).toContain("./keys:/keys:ro");
    expect(worker.secrets).toEqual(["chain_mnemonic"]);
    expect(compose.secrets.chain_mnemonic).toEqual({ file: "./secrets/chain.mnemonic" });
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the compose variable as written in the file
    expect(worker.user).toBe("${ALLOCMD_UID:-1000}:${ALLOCMD_GID:-1000}");
    for (const service of Object.values(compose.services) as Array<{ user?: string; ports?: string[] }>) {
      expect(service.user === undefined || !/^(0|root)(:|$)/.test(service.user)).toBe(true);
      for (const p of service.ports ?? []) expect(p).toMatch(/^127\.0\.0\.1:/);
    }
    expect(compose.services.chain.environment.INIT_DEV_STATE).toBe("true");
    expect(compose.services.head.environment.CHAIN_MNEMONIC_FILE).toBe("/data/chain.mnemonic");
    expect(compose.services.inference.image).toBe(`allora/inference-server:${cliVersion()}`);
    const text = await readFile(join(project, "dev-docker-compose.yaml"), "utf8");
    expect(text).not.toMatch(/\/p2p\/12D3KooW/);
    await expectNoSecretIn(project, ["dev-docker-compose.yaml", "config.yaml", "Dockerfile", "README.md"]);
  });

  it("keeps the keys and the files the user edited on a second run, and says so", async () => {
    await initDev();
    const identity = await readFile(join(project, "keys/identity"), "utf8");
    const mnemonic = await readFile(join(project, "secrets/chain.mnemonic"), "utf8");
    await appendFile(join(project, "main.py"), "\n# my model\n");
    const again = await allocmd(["init"], project);
    expect(again.code).toBe(0);
    expect(await readFile(join(project, "keys/identity"), "utf8")).toBe(identity);
    expect(await readFile(join(project, "secrets/chain.mnemonic"), "utf8")).toBe(mnemonic);
    expect(again.stdout).toMatch(/keys\/\s+kept: peer id/);
    expect(again.stdout).toMatch(/secrets\/chain\.mnemonic\s+kept: account/);
    expect(again.stdout).toMatch(/main\.py\s+kept: you edited it/);
    expect(again.stdout).toMatch(/Dockerfile\s+unchanged/);
    expect(again.stdout).toMatch(/\.env\s+kept/);
    expect(await readFile(join(project, "main.py"), "utf8")).toContain("# my model");

    // --force regenerates the edited file and keeps the user's version as a backup; keys stay.
    const forced = await allocmd(["init", "--force"], project);
    expect(forced.code).toBe(0);
    const backup = /main\.py\s+regenerated with --force; your version is in (\S+)/.exec(forced.stdout)?.[1];
    expect(backup).toBeDefined();
    expect(await readFile(join(project, backup as string), "utf8")).toContain("# my model");
    expect(await readFile(join(project, "main.py"), "utf8")).not.toContain("# my model");
    expect(await readFile(join(project, "keys/identity"), "utf8")).toBe(identity);
  });

  it("regenerates unedited files from an edited config.yaml, keeping its comments", async () => {
    await initDev();
    const run = await allocmd(["init", "--topic", "1,2"], project);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/config\.yaml\s+updated topics/);
    expect(run.stdout).toMatch(/dev-docker-compose\.yaml\s+regenerated \(you had not edited it\)/);
    const compose = await readYaml(join(project, "dev-docker-compose.yaml"));
    expect(compose.services["eth-worker"].environment.TOPICS).toBe("1,2");
    const configText = await readFile(join(project, "config.yaml"), "utf8");
    expect(configText).toContain("# Chain topics this worker serves.");
    expect((await loadProject(project)).config.topics).toEqual([
      { id: 1, arg: "ETH" },
      { id: 2, arg: "BTC" },
    ]);
  });

  it("imports an allora-keys folder and a mnemonic file after validating them", async () => {
    const keys = join(tmp.dir, "old-keys");
    const { peerId } = await generateKeyFolder(keys);
    const mnemonicFile = join(tmp.dir, "old.mnemonic");
    const mnemonic = generateMnemonic();
    await writeFile(mnemonicFile, `${mnemonic}\n`, { mode: 0o600 });
    const run = await initDev(["--import-keys", keys, "--mnemonic-file", mnemonicFile]);
    expect(run.stdout).toMatch(new RegExp(`keys/\\s+imported: peer id ${peerId}`));
    expect((await loadKeyFolder(join(project, "keys"))).peerId).toBe(peerId);
    expect((await readFile(join(project, "secrets/chain.mnemonic"), "utf8")).trim()).toBe(mnemonic);

    // Different keys into an existing project: refused without --force, replaced (with a backup) with it.
    const other = join(tmp.dir, "other-keys");
    const second = await generateKeyFolder(other);
    const refused = await allocmd(["init", "--import-keys", other], project);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`already holds peer ${peerId}`);
    expect(refused.stderr).toContain("--force");
    const replaced = await allocmd(["init", "--import-keys", other, "--force"], project);
    expect(replaced.code).toBe(0);
    expect((await loadKeyFolder(join(project, "keys"))).peerId).toBe(second.peerId);
    expect(replaced.stdout).toMatch(/previous keys copied to \.allocmd\/backup\/keys\./);
  });

  it("refuses a key folder whose identity does not match its key, and a mnemonic that is not BIP39", async () => {
    const keys = join(tmp.dir, "bad-keys");
    await generateKeyFolder(keys);
    await writeFile(join(keys, "identity"), "12D3KooWBogusBogusBogusBogusBogusBogusBogusBogusBogus");
    const bad = await allocmd(["init", "--name", "eth-worker", "--topic", "1", "--import-keys", keys], tmp.dir);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--import-keys .* is not a usable allora-keys folder: .*identity/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    const words = join(tmp.dir, "words.txt");
    await writeFile(words, "these are not twelve valid words of any mnemonic at all today ok\n");
    const badMnemonic = await allocmd(
      ["init", "--name", "eth-worker", "--topic", "1", "--mnemonic-file", words],
      tmp.dir,
    );
    expect(badMnemonic.code).toBe(1);
    expect(badMnemonic.stderr).toContain("does not hold a valid BIP39 English mnemonic");
    // Nothing was created by the refused runs.
    await expect(stat(join(project, "config.yaml"))).rejects.toThrow();
  });
});

describe("allocmd init --env prod", () => {
  const prodFlags = [
    "--boot-nodes",
    "/dns4/head.example.org/tcp/9010",
    "--chain-rpc",
    "https://rpc.example.org",
    "--chain-rest",
    "https://rest.example.org",
  ];

  it("carries the user's own services from the dev file, drops the local network, inlines no secret", async () => {
    await initDev();
    const devPath = join(project, "dev-docker-compose.yaml");
    const dev = await readYaml(devPath);
    // The user replaced the sample model with their own and added a cache.
    dev.services.inference = {
      build: "./model",
      environment: { MODEL_PATH: "/models/best.pt" },
      env_file: ".env",
      depends_on: ["chain", "cache"],
      volumes: ["models:/models"],
    };
    dev.services.cache = { image: "redis:7", depends_on: { chain: { condition: "service_healthy" } } };
    dev.volumes.models = {};
    await writeFile(devPath, stringify(dev));

    const run = await allocmd(["init", "--env", "prod", ...prodFlags], project);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/prod-docker-compose\.yaml\s+wrote/);
    expect(run.stdout).toContain("carried over from dev-docker-compose.yaml: inference, cache");
    const prod = await readYaml(join(project, "prod-docker-compose.yaml"));
    expect(Object.keys(prod.services).sort()).toEqual(["cache", "eth-worker", "inference"]);
    expect(prod.services.inference).toEqual({
      build: "./model",
      environment: { MODEL_PATH: "/models/best.pt" },
      env_file: ".env",
      depends_on: ["cache"],
      volumes: ["models:/models"],
    });
    expect(prod.services.cache.depends_on).toBeUndefined();
    expect(prod.volumes).toEqual({ models: {} });
    const worker = prod.services["eth-worker"];
    expect(worker.environment.BOOT_NODES).toBe("/dns4/head.example.org/tcp/9010");
    expect(worker.environment.CHAIN_RPC).toBe("https://rpc.example.org");
    expect(worker.environment.CHAIN_REST).toBe("https://rest.example.org");
    expect(worker.environment.FAUCET_URL).toBeUndefined();
    expect(worker.volumes).toContain("./keys:/keys:ro");
    expect(worker.secrets).toEqual(["chain_mnemonic"]);
    expect(worker.depends_on).toEqual({ inference: { condition: "service_started" } });
    expect(prod.services.chain).toBeUndefined();
    expect(prod.services.head).toBeUndefined();
    // The flags were saved to config.yaml, which stays valid and free of secrets.
    const { config } = await loadProject(project);
    expect(config.prod).toMatchObject({
      boot_nodes: ["/dns4/head.example.org/tcp/9010"],
      chain_rpc: "https://rpc.example.org",
    });
    await expectNoSecretIn(project, ["prod-docker-compose.yaml", "dev-docker-compose.yaml", "config.yaml"]);
  });

  it("runs the sample model in prod when the dev file still has it, and keeps a prod file the user edited", async () => {
    await initDev();
    const first = await allocmd(["init", "--env", "prod", ...prodFlags], project);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("inference is still the sample model server");
    const prod = await readYaml(join(project, "prod-docker-compose.yaml"));
    expect(prod.services.inference.environment.PRICE_FEED_URL).toBe("https://rest.example.org");
    await appendFile(join(project, "prod-docker-compose.yaml"), "# tuned by hand\n");
    const second = await allocmd(["init", "--env", "prod"], project);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/prod-docker-compose\.yaml\s+kept: you edited it/);
    expect(await readFile(join(project, "prod-docker-compose.yaml"), "utf8")).toContain("# tuned by hand");
  });

  it("says what prod needs when config.yaml has no network to join", async () => {
    await initDev();
    const run = await allocmd(["init", "--env", "prod"], project);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("prod.boot_nodes");
    expect(run.stderr).toContain("prod.chain_rpc");
    expect(run.stderr).toContain("--boot-nodes");
  });
});

describe("config.yaml", () => {
  it("refuses a mnemonic pasted into it, and lists every bad setting at once", async () => {
    await initDev();
    const path = join(project, "config.yaml");
    const text = await readFile(path, "utf8");
    await writeFile(
      path,
      text
        .replace("function_env: {}", `function_env:\n  SEED: ${generateMnemonic()}`)
        .replace("p2p_port: 9011", "p2p_port: 70000")
        .replace("boot_nodes: []", "boot_nodes: [/dns4/head]"),
    );
    const run = await allocmd(["test"], project);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("worker.p2p_port: Expected integer to be less or equal to 65535");
    expect(run.stderr).toContain("function_env.SEED: looks like a mnemonic");
    // With the shape right, the checks a schema cannot make: the boot node multiaddr.
    await writeFile(path, text.replace("boot_nodes: []", "boot_nodes: [/dns4/head]"));
    const second = await allocmd(["test"], project);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain("prod.boot_nodes[0]");
    expect(second.stderr).toContain("no /tcp/<port>");
  });
});
