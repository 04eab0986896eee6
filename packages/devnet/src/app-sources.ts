/**
 * What `pnpm dev --watch` watches and rebuilds, read from the workspace instead of written down: each node kind's
 * app package and every workspace package it depends on (`workspace:` dependencies, followed transitively), each
 * with its source folders (`src`, and the non-build folders its package.json ships, such as `python`).
 */
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import { APP_PACKAGES, appDir } from "./apps.js";
import type { NodeKind } from "./description.js";

/** A workspace package as the watch plan needs it. */
export interface WorkspacePackage {
  name: string;
  dir: string;
  /** Names of the workspace packages it depends on. */
  deps: readonly string[];
  /** Its source folders, relative to `dir`. */
  sources: readonly string[];
}

/** A folder to watch and the node kinds to restart when it changes. */
export interface WatchedSource {
  dir: string;
  kinds: NodeKind[];
}

interface PackageJson {
  name: string;
  files?: string[];
  dependencies?: Record<string, string>;
}

/** Reads one package: its workspace dependencies and source folders (those that exist). */
function readWorkspacePackage(dir: string): WorkspacePackage {
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as PackageJson;
  const deps = Object.entries(pkg.dependencies ?? {})
    .filter(([, version]) => version.startsWith("workspace:"))
    .map(([name]) => name);
  const shipped = (pkg.files ?? []).filter((f) => f !== "dist" && !f.includes("."));
  const sources = [...new Set(["src", ...shipped])].filter((s) => existsSync(join(dir, s)));
  return { name: pkg.name, dir, deps, sources };
}

/** The folder of a dependency as Node finds it from `dir` (the package's own folder, links followed). */
function installedDir(dir: string, dep: string): string {
  for (let at = dir; ; at = dirname(at)) {
    const candidate = join(at, "node_modules", dep);
    if (existsSync(join(candidate, "package.json"))) return realpathSync(candidate);
    if (dirname(at) === at) throw new Error(`${dep} is not installed where ${dir} can find it`);
  }
}

/** Every workspace package the apps of `kinds` need, themselves included, by name. */
export function readAppGraph(kinds: readonly NodeKind[]): Map<string, WorkspacePackage> {
  const graph = new Map<string, WorkspacePackage>();
  const visit = (dir: string) => {
    const pkg = readWorkspacePackage(dir);
    if (graph.has(pkg.name)) return;
    graph.set(pkg.name, pkg);
    for (const dep of pkg.deps) visit(installedDir(dir, dep));
  };
  for (const kind of kinds) visit(appDir(kind));
  return graph;
}

/** The node kinds whose app is `name` or depends on it (directly or not). */
function kindsUsing(
  graph: ReadonlyMap<string, WorkspacePackage>,
  name: string,
  apps: Readonly<Record<NodeKind, string>>,
) {
  const reaches = (from: string, seen = new Set<string>()): boolean => {
    if (from === name) return true;
    if (seen.has(from)) return false;
    seen.add(from);
    return (graph.get(from)?.deps ?? []).some((d) => reaches(d, seen));
  };
  return (Object.keys(apps) as NodeKind[]).filter((kind) => reaches(apps[kind]));
}

/** Each source folder of the graph with the node kinds that run its code (a plain function of the graph). */
export function makeWatchPlan(
  graph: ReadonlyMap<string, WorkspacePackage>,
  apps: Readonly<Record<NodeKind, string>> = APP_PACKAGES,
): WatchedSource[] {
  const plan: WatchedSource[] = [];
  for (const pkg of graph.values()) {
    const kinds = kindsUsing(graph, pkg.name, apps);
    if (kinds.length === 0) continue;
    for (const source of pkg.sources) plan.push({ dir: join(pkg.dir, source), kinds });
  }
  return plan;
}

/** `turbo run build` filters for the apps the devnet runs (turbo's `^build` brings the packages they import). */
export function appBuildFilters(apps: Readonly<Record<NodeKind, string>> = APP_PACKAGES): string[] {
  return Object.values(apps).map((name) => `--filter=${name}`);
}
