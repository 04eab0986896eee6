/**
 * Where a command writes: results on stdout, progress and problems on stderr (so `--json` output stays clean), with
 * color only on a terminal that wants it.
 */

/** Something text can be written to. */
export interface TextSink {
  write(text: string): unknown;
}

/** The world a command runs in: its streams, working folder and environment. Injected so tests run in-process. */
export interface CliIo {
  stdout: TextSink;
  stderr: TextSink;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Color escapes on stdout/stderr. */
  color: boolean;
}

/** The printer commands use. */
export interface Output {
  /** A result line on stdout. */
  out(text?: string): void;
  /** A progress line on stderr ("building the image…"). */
  progress(text: string): void;
  /** A warning on stderr. */
  warn(text: string): void;
  /** Bold, green, red, yellow and dim text (no-ops without color). */
  bold(text: string): string;
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  dim(text: string): string;
}

/** The printer of `io`. */
export function createOutput(io: CliIo): Output {
  const paint = (code: string) => (text: string) => (io.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const yellow = paint("33");
  return {
    out: (text = "") => io.stdout.write(`${text}\n`),
    progress: (text) => io.stderr.write(`${text}\n`),
    warn: (text) => io.stderr.write(`${yellow("warning:")} ${text}\n`),
    bold: paint("1"),
    green: paint("32"),
    red: paint("31"),
    yellow,
    dim: paint("2"),
  };
}

/** The io of the running process. */
export function processIo(): CliIo {
  const env = process.env;
  const color = process.stdout.isTTY === true && !env.NO_COLOR && env.TERM !== "dumb";
  return { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env, color };
}

/** Shortens a long id for tables: `12D3KooWAbc…xyz9`. */
export function shortId(id: string, head = 12, tail = 6): string {
  return id.length <= head + tail + 1 ? id : `${id.slice(0, head)}…${id.slice(-tail)}`;
}

/** Milliseconds as people read them: `850 ms`, `2.4 s`. */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/** Renders rows as aligned columns (the last column is not padded). */
export function table(rows: readonly (readonly string[])[], gap = 2): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, visibleLength(cell));
    });
  }
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell + " ".repeat((widths[i] ?? 0) - visibleLength(cell) + gap)))
      .join("")
      .trimEnd(),
  );
}

function visibleLength(text: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strips the color escapes this module writes
  return text.replace(/\u001b\[[0-9;]*m/g, "").length;
}
