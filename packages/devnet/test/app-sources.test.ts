import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { appBuildFilters, makeWatchPlan, readAppGraph, type WorkspacePackage } from "../src/app-sources.js";
import { APP_PACKAGES } from "../src/apps.js";

const pkg = (name: string, deps: string[], sources = ["src"]): [string, WorkspacePackage] => [
  name,
  { name, dir: `/repo/${name.replace("@allora/", "")}`, deps, sources },
];

describe("the watch plan of pnpm dev --watch", () => {
  const graph = new Map([
    pkg("@allora/protocol", []),
    pkg("@allora/service", ["@allora/protocol"]),
    pkg("@allora/p2p", ["@allora/protocol"]),
    pkg("@allora/node-function", ["@allora/protocol"], ["src", "python"]),
    pkg("@allora/chain", ["@allora/protocol", "@allora/service"]),
    pkg("@allora/head", ["@allora/p2p", "@allora/node-function", "@allora/service"]),
    pkg("@allora/worker", ["@allora/p2p", "@allora/node-function", "@allora/service"], ["src", "python"]),
    pkg("@allora/inference-server", ["@allora/service"]),
    pkg("@allora/dashboard", ["@allora/service"]),
  ]);
  const plan = new Map(makeWatchPlan(graph).map((w) => [w.dir, [...w.kinds].sort()]));

  it("restarts an app when its own sources change", () => {
    expect(plan.get("/repo/head/src")).toEqual(["head"]);
    expect(plan.get("/repo/worker/python")).toEqual(["worker"]);
  });

  it("restarts every app that depends on a package, directly or through another", () => {
    expect(plan.get("/repo/protocol/src")).toEqual(["chain", "dashboard", "head", "inference-server", "worker"]);
    expect(plan.get("/repo/p2p/src")).toEqual(["head", "worker"]);
    expect(plan.get("/repo/node-function/python")).toEqual(["head", "worker"]);
  });

  it("leaves out packages no app uses", () => {
    const withCli = new Map([...graph, pkg("@allora/allocmd", ["@allora/worker"])]);
    expect(makeWatchPlan(withCli).some((w) => w.dir.startsWith("/repo/allocmd"))).toBe(false);
  });

  it("builds the apps the devnet runs", () => {
    expect(appBuildFilters()).toEqual(Object.values(APP_PACKAGES).map((n) => `--filter=${n}`));
  });
});

describe("readAppGraph reads this workspace", () => {
  it("finds each app and the workspace packages it depends on, with their source folders", () => {
    const graph = readAppGraph(["worker", "head"]);
    expect(graph.get("@allora/worker")?.sources).toEqual(["src", "python"]);
    expect(graph.get("@allora/worker")?.deps).toContain("@allora/p2p");
    expect(graph.get("@allora/node-function")?.sources).toEqual(["src", "python"]);
    expect(graph.has("@allora/protocol")).toBe(true);
    expect(graph.has("@allora/chain")).toBe(false);
    const plan = makeWatchPlan(graph);
    const p2p = plan.find((w) => w.dir === join(graph.get("@allora/p2p")?.dir ?? "", "src"));
    expect(p2p?.kinds.sort()).toEqual(["head", "worker"]);
  });
});
