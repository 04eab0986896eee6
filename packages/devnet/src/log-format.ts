/**
 * Human-readable, colored lines from the nodes' JSON logs: `12:00:01 INFO  [worker-1] message key=value`.
 */

const COLORS = [36, 33, 35, 32, 34, 91, 96, 93, 95, 92];
const LEVEL_COLORS: Record<string, number> = { trace: 90, debug: 90, info: 37, warn: 33, error: 31, fatal: 31 };
const SKIP = new Set(["level", "time", "node", "msg", "module", "pid", "hostname"]);

/** Formats node lines; `color` false gives plain text. */
export function createLineFormatter(nodes: readonly string[], color: boolean) {
  const width = Math.max(...nodes.map((n) => n.length));
  const paint = (code: number, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const colorOf = new Map(nodes.map((n, i) => [n, COLORS[i % COLORS.length] as number]));
  return (node: string, line: string): string => {
    const prefix = paint(colorOf.get(node) ?? 37, `[${node.padEnd(width)}]`);
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return `${prefix} ${line}`;
    }
    if (typeof entry !== "object" || entry === null) return `${prefix} ${line}`;
    const level = String(entry.level ?? "info");
    const time = typeof entry.time === "string" ? entry.time.slice(11, 19) : "";
    const fields = Object.entries(entry)
      .filter(([k]) => !SKIP.has(k))
      .map(
        ([k, v]) =>
          `${k}=${typeof v === "string" ? v : JSON.stringify(k === "err" ? ((v as { message?: string })?.message ?? v) : v)}`,
      )
      .join(" ");
    const module = entry.module ? paint(90, `${entry.module}: `) : "";
    return `${paint(90, time)} ${paint(LEVEL_COLORS[level] ?? 37, level.toUpperCase().padEnd(5))} ${prefix} ${module}${String(entry.msg ?? "")}${fields ? ` ${paint(90, fields)}` : ""}`;
  };
}
