/**
 * The checks of `allocmd doctor`, each a small function returning findings: Docker engine and compose, the images
 * and their versions, free ports, the key files (present, loadable, readable by their owner only, owned by the
 * user the container runs as), secrets kept out of compose files and git, and the version of the network the CLI
 * talks to. Each finding that is not ok says what to do.
 */
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { createHeadClient, errorMessage, loadKeyFolder } from "@allora/protocol";
import type { Project } from "../config/load-config.js";
import { compose, detectCompose, docker, inspectImage } from "../docker/docker.js";
import { DEV_IMAGE_KINDS, imageName } from "../docker/images.js";
import { releasePackageRoot } from "../docker/package-images.js";
import { runProcess } from "../docker/run-process.js";
import { isRunnerAlive, loadNativeRecord } from "../native/native-record.js";
import { IMAGE_USER } from "../project/container-user.js";
import { devHostPorts, takenHostPorts } from "../project/dev-ports.js";
import { DEV_COMPOSE_FILE } from "../scaffold/compose-dev.js";
import { PROD_COMPOSE_FILE } from "../scaffold/compose-prod.js";
import { readMnemonicFile } from "../scaffold/project-keys.js";
import { cliVersion } from "../version.js";

/** One finding. */
export interface Finding {
  level: "ok" | "warn" | "fail" | "skip";
  area: string;
  message: string;
  /** What to do, for warn and fail. */
  fix?: string;
}

const ok = (area: string, message: string): Finding => ({ level: "ok", area, message });
const warn = (area: string, message: string, fix: string): Finding => ({ level: "warn", area, message, fix });
const fail = (area: string, message: string, fix: string): Finding => ({ level: "fail", area, message, fix });
const skip = (area: string, message: string): Finding => ({ level: "skip", area, message });

/** Node.js itself: the versions allocmd and the nodes it runs are built for. */
export function checkNode(findings: Finding[], version = process.versions.node): void {
  const [major = 0, minor = 0] = version.split(".").map(Number);
  const supported = (major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major > 22;
  findings.push(
    supported
      ? ok("node", `Node ${version}`)
      : fail("node", `Node ${version} is too old or not supported`, "install Node 22 (or 20.19+): https://nodejs.org"),
  );
}

/**
 * Docker engine and compose, which only the Docker mode needs (`allocmd run` without --native): their absence is a
 * warning naming the way without them. Returns whether the engine answered (later checks need it).
 */
export async function checkDocker(findings: Finding[]): Promise<boolean> {
  const res = await docker(["version", "--format", "{{.Server.Version}}"], { timeoutMs: 20_000 });
  const native = "or run the network without Docker: allocmd run --native";
  let engine = false;
  if (res.spawnError) {
    findings.push(
      warn(
        "docker",
        "docker is not installed (needed only by `allocmd run` in Docker mode)",
        `install Docker (https://docs.docker.com/engine/install/), ${native}`,
      ),
    );
  } else if (res.code !== 0) {
    const denied = /permission denied/i.test(res.stderr);
    findings.push(
      warn(
        "docker",
        `the Docker engine is not reachable: ${res.stderr.trim().split("\n").slice(-1)[0] ?? ""}`,
        denied
          ? `add your user to the docker group: sudo usermod -aG docker $USER (then log in again), ${native}`
          : `start Docker (Docker Desktop, or sudo systemctl start docker), ${native}`,
      ),
    );
  } else {
    engine = true;
    findings.push(ok("docker", `engine ${res.stdout.trim()} reachable`));
  }
  const c = await detectCompose();
  if (c)
    findings.push(ok("compose", `${c.kind === "v2" ? "docker compose" : "docker-compose"} ${c.version} (${c.kind})`));
  else {
    findings.push(
      (engine ? fail : warn)(
        "compose",
        "neither `docker compose` (v2) nor `docker-compose` (v1) found",
        `install the compose plugin or docker-compose${engine ? "" : `, ${native}`}`,
      ),
    );
  }
  return engine;
}

/** The allora/* images at the project's version. */
export async function checkImages(project: Project, findings: Finding[]): Promise<void> {
  const want = project.config.image.version;
  if (want !== cliVersion()) {
    findings.push(
      warn(
        "versions",
        `config.yaml uses images ${want} but this allocmd is ${cliVersion()}`,
        `use the allocmd of version ${want}, or set image.version: ${cliVersion()} in config.yaml and run allocmd init`,
      ),
    );
  } else {
    findings.push(ok("versions", `allocmd ${cliVersion()} and config.yaml's image.version agree`));
  }
  // A release allocmd builds the images of its own version when `allocmd run` needs them.
  const buildable = releasePackageRoot() !== undefined && want === cliVersion();
  for (const kind of DEV_IMAGE_KINDS) {
    const image = imageName(project.config, kind);
    const found = await inspectImage(image);
    if (!found.exists) {
      findings.push(
        (kind === "worker" && !buildable ? fail : warn)(
          "images",
          `${image} is not on this machine${kind === "worker" ? " (the Dockerfile starts FROM it)" : " (the dev network needs it)"}`,
          buildable
            ? "nothing to do: `allocmd run` builds it from this allocmd package when it is missing"
            : "build the images in the Allora localnet repository (pnpm docker:build) or `docker load` them",
        ),
      );
    } else if (found.version && found.version !== want) {
      findings.push(
        fail(
          "images",
          `${image} is labelled version ${found.version}`,
          `rebuild the images at version ${want}, or retag them`,
        ),
      );
    } else {
      findings.push(ok("images", `${image} present${found.version ? ` (label ${found.version})` : ""}`));
    }
  }
}

/** Ports the dev network publishes. */
export async function checkPorts(project: Project, findings: Finding[], engine: boolean): Promise<void> {
  const { config } = project;
  // When this project's dev network runs, its own containers hold the ports: that is fine.
  if (engine) {
    const c = await detectCompose();
    const running = c
      ? await compose(c, project.dir, DEV_COMPOSE_FILE, config.name, ["ps", "-q"], { timeoutMs: 30_000 })
      : undefined;
    if (running && running.code === 0 && running.stdout.trim() !== "") {
      findings.push(ok("ports", "the dev network of this project is running (its ports are in use by it)"));
      return;
    }
  }
  const native = await loadNativeRecord(project.dir);
  if (native && (await isRunnerAlive(native))) {
    findings.push(
      ok("ports", `the native network of this project is running (pid ${native.pid}): its ports are in use by it`),
    );
    return;
  }
  const ports = devHostPorts(config, { inference: "inference server", worker: "worker http" });
  const taken = (await takenHostPorts(ports)).map(
    (t) => `${t.port} (${t.role})${t.owner ? ` held by ${t.owner}` : ""}`,
  );
  if (taken.length === 0) findings.push(ok("ports", `dev ports free: ${ports.map((p) => p.port).join(", ")}`));
  else {
    findings.push(
      warn(
        "ports",
        `ports the dev network publishes are taken: ${taken.join("; ")}`,
        "stop what holds them (another network, e.g. `pnpm dev`: then use `allocmd run --join`), or change the ports in config.yaml's dev section",
      ),
    );
  }
}

async function modeOf(path: string): Promise<{ mode: number; uid: number } | undefined> {
  try {
    const s = await stat(path);
    return { mode: s.mode & 0o777, uid: s.uid };
  } catch {
    return undefined;
  }
}

async function containerUid(project: Project): Promise<number> {
  const env = await readFile(join(project.dir, ".env"), "utf8").catch(() => "");
  const m = /^ALLOCMD_UID=(\d+)\s*$/m.exec(env);
  return m ? Number(m[1]) : IMAGE_USER.uid;
}

/** The key folder and the mnemonic file. */
export async function checkKeys(project: Project, findings: Finding[]): Promise<void> {
  const { config, dir } = project;
  const keys = join(dir, config.worker.keys);
  const uid = await containerUid(project);
  try {
    const identity = await loadKeyFolder(keys);
    findings.push(ok("keys", `${config.worker.keys}/ loads: peer id ${identity.peerId}`));
  } catch (err) {
    findings.push(
      fail(
        "keys",
        `${config.worker.keys}/: ${errorMessage(err)}`,
        "restore the folder, or move it away and run allocmd init",
      ),
    );
  }
  for (const [file, secret] of [
    [join(keys, "priv.bin"), true],
    [join(keys, "priv.txt"), true],
    [join(dir, config.worker.mnemonic_file), true],
  ] as const) {
    const info = await modeOf(file);
    if (!info) continue;
    const rel = file.slice(dir.length + 1);
    if (secret && (info.mode & 0o077) !== 0) {
      findings.push(fail("keys", `${rel} is readable by others (mode ${info.mode.toString(8)})`, `chmod 600 ${rel}`));
    }
    if (info.uid !== uid && process.getuid?.() !== undefined) {
      findings.push(
        fail(
          "keys",
          `${rel} belongs to uid ${info.uid}, but the worker container runs as uid ${uid} (ALLOCMD_UID in .env) and cannot read it`,
          `sudo chown ${uid} ${rel}   (or set ALLOCMD_UID/ALLOCMD_GID in .env to the owner)`,
        ),
      );
    }
  }
  const mnemonicPath = join(dir, config.worker.mnemonic_file);
  try {
    const { address } = await readMnemonicFile(mnemonicPath, "mnemonic file");
    findings.push(ok("keys", `${config.worker.mnemonic_file} is a valid mnemonic: account ${address}`));
  } catch (err) {
    findings.push(
      fail("keys", errorMessage(err), "run allocmd init to create it, or restore it (--mnemonic-file imports one)"),
    );
  }
}

/** Secrets stay out of compose files, config.yaml and git. */
export async function checkSecretsPlacement(project: Project, findings: Finding[]): Promise<void> {
  const { config, dir } = project;
  const secrets: string[] = [];
  const mnemonic = await readFile(join(dir, config.worker.mnemonic_file), "utf8").catch(() => "");
  if (mnemonic.trim()) secrets.push(mnemonic.trim().split(/\s+/).join(" "));
  const privTxt = await readFile(join(dir, config.worker.keys, "priv.txt"), "utf8").catch(() => "");
  if (privTxt.trim()) secrets.push(privTxt.trim());
  const leaks: string[] = [];
  for (const file of ["config.yaml", DEV_COMPOSE_FILE, PROD_COMPOSE_FILE, "Dockerfile", "README.md"]) {
    const text = (await readFile(join(dir, file), "utf8").catch(() => "")).split(/\s+/).join(" ");
    if (secrets.some((s) => s && text.includes(s))) leaks.push(file);
  }
  if (leaks.length > 0) {
    findings.push(
      fail(
        "secrets",
        `a key or the mnemonic is written in ${leaks.join(", ")}`,
        "remove it from there; the worker reads it from its own file",
      ),
    );
  } else {
    findings.push(ok("secrets", "no key or mnemonic in config.yaml, the compose files or the Dockerfile"));
  }
  const gitignore = await readFile(join(dir, ".gitignore"), "utf8").catch(() => "");
  const keysDir = config.worker.keys.replace(/\/+$/, "");
  const missing = [keysDir, ".env", config.worker.mnemonic_file].filter(
    (p) =>
      !gitignore
        .split("\n")
        .some((l) => l.trim().replace(/^\//, "").replace(/\/$/, "") === p || l.trim() === `/${p.split("/")[0]}/`),
  );
  if (missing.length > 0) {
    findings.push(
      warn(
        "secrets",
        `.gitignore does not cover ${missing.join(", ")}`,
        "run allocmd init to regenerate .gitignore, or add them",
      ),
    );
  } else {
    findings.push(ok("secrets", ".gitignore covers the keys, the mnemonic and .env"));
  }
}

/** The version of the head the CLI talks to. */
export async function checkNetwork(headUrl: string | undefined, findings: Finding[]): Promise<void> {
  if (!headUrl) {
    findings.push(skip("network", "no head URL to ask"));
    return;
  }
  try {
    const status = await createHeadClient(headUrl, { timeoutMs: 5000 }).status();
    if (status.version === cliVersion()) {
      findings.push(ok("network", `the head at ${headUrl} runs version ${status.version}, like this allocmd`));
    } else {
      findings.push(
        fail(
          "network",
          `the head at ${headUrl} runs version ${status.version}; this allocmd is ${cliVersion()}`,
          "use the allocmd and images of the network's version (image.version in config.yaml)",
        ),
      );
    }
  } catch (err) {
    findings.push(
      skip(
        "network",
        `no head answers at ${headUrl} (${errorMessage(err)}); start one with allocmd run to compare versions`,
      ),
    );
  }
}

/** python3, which `allocmd test` and the native worker run main.py with. */
export async function checkPython(findings: Finding[]): Promise<void> {
  const res = await runProcess("python3", ["--version"], { timeoutMs: 10_000 });
  if (res.code === 0)
    findings.push(ok("python", `${(res.stdout || res.stderr).trim()} (for allocmd test and allocmd run --native)`));
  else
    findings.push(
      fail(
        "python",
        "python3 is not installed: `allocmd test` and `allocmd run --native` cannot run main.py here",
        "install Python 3 (e.g. sudo apt install python3, or https://www.python.org/downloads/)",
      ),
    );
}
