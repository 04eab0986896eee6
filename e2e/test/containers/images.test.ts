/**
 * The images themselves: built by docker/build.sh, tagged, non-root, with a health check, production dependencies
 * only, quick to stop, and a worker image that users extend with their main.py (and requirements.txt).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GenericContainer, type ImagePullPolicy, type StartedTestContainer, Wait } from "testcontainers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILD_TIMEOUT_MS, buildImages, docker, inspectImage, KINDS, VERSION } from "./support.js";

const NEVER_PULL: ImagePullPolicy = { shouldPull: () => false };
const EXTENDED = `allora-e2e/worker-extended:${VERSION}`;

/** GenericContainer with Docker's init as PID 1, as the compose file runs every node (`init: true`). */
class InitContainer extends GenericContainer {
  withInit(): this {
    this.hostConfig.Init = true;
    return this;
  }
}

const started: StartedTestContainer[] = [];

beforeAll(buildImages, BUILD_TIMEOUT_MS);

afterAll(async () => {
  await Promise.all(started.map((c) => c.stop({ timeout: 1000 }).catch(() => {})));
  await docker("image", "rm", "-f", EXTENDED).catch(() => {});
});

describe("the allora/* images", () => {
  it.each(KINDS)("allora/%s: tagged with the repo version and latest, non-root, health-checked", async (kind) => {
    const image = await inspectImage(`allora/${kind}:${VERSION}`);
    expect(image.RepoTags).toEqual(expect.arrayContaining([`allora/${kind}:${VERSION}`, `allora/${kind}:latest`]));
    expect((await inspectImage(`allora/${kind}:latest`)).Id).toBe(image.Id);
    expect(image.Config.User).toBe("node");
    const [type, program, flag, script] = image.Config.Healthcheck?.Test ?? [];
    expect([type, program, flag]).toEqual(["CMD", "node", "-e"]);
    expect(script).toContain("require('http').get(");
    expect(image.Config.Entrypoint).toEqual(["allora-entrypoint", "node", `/app/apps/${kind}/dist/bin/${kind}.js`]);
    // No secret among the env defaults: key settings are file paths, never values.
    for (const entry of image.Config.Env) {
      const [name = "", value = ""] = entry.split(/=(.*)/s);
      if (/MNEMONIC|SECRET|PASSWORD|TOKEN/.test(name)) expect(value).toMatch(/^\/data\/[a-z.]+$/);
      expect(value).not.toMatch(/\b(?:[a-z]{3,8} ){11,}[a-z]{3,8}\b/);
    }
  });

  it.each(KINDS)("allora/%s: production dependencies only, no sources or build tools", async (kind) => {
    const listing = await docker(
      "run",
      "--rm",
      "--entrypoint",
      "sh",
      `allora/${kind}:${VERSION}`,
      "-c",
      `ls /app/node_modules/.pnpm; ls /app/apps/${kind}; find /app -name '*.ts' -o -name '*.map' | head -n 3; id -un`,
    );
    const lines = listing.split("\n");
    for (const tool of [
      "typescript@",
      "vitest@",
      "turbo@",
      "@biomejs",
      "testcontainers@",
      "yaml@",
      "vite@",
      "esbuild@",
      "uplot@",
    ]) {
      expect(lines.filter((l) => l.startsWith(tool))).toEqual([]);
    }
    expect(lines).not.toContain("src");
    expect(lines).not.toContain("test");
    expect(lines.filter((l) => /\.(ts|map)$/.test(l))).toEqual([]);
    expect(lines.at(-2)).toBe("node");
    const size = (await inspectImage(`allora/${kind}:${VERSION}`)).Size / 1e6;
    // Measured: 228-234 MB (node:22-bookworm-slim is 211 MB), the worker 309 MB with Python and its venv.
    expect(size).toBeLessThan(kind === "worker" ? 340 : 260);
  });

  it("every node stops within a few seconds of SIGTERM and keeps its state in /data, owned by the node user", async () => {
    const env: Record<(typeof KINDS)[number], Record<string, string>> = {
      chain: { INIT_DEV_STATE: "true" },
      head: {},
      worker: { BOOT_NODES: "" },
      "inference-server": { PRICE_SEED: "e2e" },
      dashboard: {},
    };
    const containers = await Promise.all(
      KINDS.map(async (kind) => {
        const container = await new InitContainer(`allora/${kind}:${VERSION}`)
          .withInit()
          .withPullPolicy(NEVER_PULL)
          .withEnvironment(env[kind])
          .withWaitStrategy(Wait.forHealthCheck())
          .withStartupTimeout(60_000)
          .start();
        started.push(container);
        return { kind, container };
      }),
    );
    const chain = containers.find((c) => c.kind === "chain")?.container as StartedTestContainer;
    const files = await chain.exec(["sh", "-c", "stat -c '%U %a %n' /data /data/faucet.mnemonic /data/genesis.json"]);
    expect(files.stdout.trim().split("\n")).toEqual([
      "node 755 /data",
      "node 600 /data/faucet.mnemonic",
      "node 644 /data/genesis.json",
    ]);
    for (const { kind, container } of containers) {
      const begun = performance.now();
      // 10 s before SIGKILL: a node that ignored SIGTERM would take that long and fail the check.
      await container.stop({ timeout: 10_000 });
      started.splice(started.indexOf(container), 1);
      expect(performance.now() - begun, `allora/${kind} took too long to stop`).toBeLessThan(4000);
    }
  });

  it("is extended with FROM allora/worker and COPY main.py, requirements.txt going into the venv", async () => {
    const context = await mkdtemp(join(tmpdir(), "worker-extended-"));
    try {
      // The documented Dockerfile (docs/DOCKER.md); requirements.txt is empty because PyPI is unreachable here.
      await writeFile(
        join(context, "Dockerfile"),
        [
          `FROM allora/worker:${VERSION}`,
          "COPY requirements.txt /app/requirements.txt",
          "RUN pip install -r /app/requirements.txt",
          "COPY main.py /app/main.py",
          "",
        ].join("\n"),
      );
      await writeFile(join(context, "requirements.txt"), "");
      await writeFile(join(context, "main.py"), 'import json\nprint(json.dumps({"infererValue": "42"}))\n');
      await GenericContainer.fromDockerfile(context)
        .withPullPolicy(NEVER_PULL)
        .build(EXTENDED, { deleteOnExit: false });
    } finally {
      await rm(context, { recursive: true, force: true });
    }
    const out = await docker(
      "run",
      "--rm",
      "--entrypoint",
      "sh",
      EXTENDED,
      "-c",
      'id -un; command -v python3; command -v pip; "$PYTHON" -c "import sys; print(sys.prefix)"; "$PYTHON" "$MAIN_PY" 1 0 0 ETH',
    );
    expect(out.trim().split("\n")).toEqual([
      "node",
      "/opt/venv/bin/python3",
      "/opt/venv/bin/pip",
      "/opt/venv",
      '{"infererValue": "42"}',
    ]);
  });
});
