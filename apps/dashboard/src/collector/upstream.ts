/**
 * Reads one JSON view from the chain, the head or a worker and checks it against its schema, so a wrong answer is
 * an error with a code instead of `undefined` somewhere in the page.
 */
import { AlloraError, httpCall } from "@allora/protocol";
import type { Static, TSchema } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { Value } from "@sinclair/typebox/value";

/** Codes of upstream failures (also shown on the page). */
type UpstreamErrorCode = "UPSTREAM_UNREACHABLE" | "UPSTREAM_TIMEOUT" | "UPSTREAM_STATUS" | "UPSTREAM_INVALID";

const checkers = new WeakMap<TSchema, ReturnType<typeof TypeCompiler.Compile>>();

function checkerOf(schema: TSchema) {
  let checker = checkers.get(schema);
  if (!checker) {
    checker = TypeCompiler.Compile(schema);
    checkers.set(schema, checker);
  }
  return checker;
}

/**
 * GETs `url` (node:http, because fetch refuses the head's port 6000) and returns its body checked against
 * `schema`. Throws an {@link AlloraError} with an {@link UpstreamErrorCode}.
 */
export async function getView<S extends TSchema>(
  url: string,
  schema: S,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<Static<S>> {
  if (options.signal?.aborted)
    throw new AlloraError<UpstreamErrorCode>("UPSTREAM_UNREACHABLE", `${url}: not asked, stopping`);
  let res: Awaited<ReturnType<typeof httpCall>>;
  try {
    res = await httpCall(url, {
      timeoutMs: options.timeoutMs ?? 2000,
      headers: { accept: "application/json" },
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (err) {
    const code = (err as { code?: string }).code === "HTTP_TIMEOUT" ? "UPSTREAM_TIMEOUT" : "UPSTREAM_UNREACHABLE";
    throw new AlloraError<UpstreamErrorCode>(code, (err as Error).message, { cause: err });
  }
  if (res.status !== 200) {
    throw new AlloraError<UpstreamErrorCode>(
      "UPSTREAM_STATUS",
      `GET ${url} answered HTTP ${res.status}: ${res.text.slice(0, 200)}`,
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(res.text);
  } catch {
    throw new AlloraError<UpstreamErrorCode>("UPSTREAM_INVALID", `GET ${url} answered something that is not JSON`);
  }
  const checker = checkerOf(schema);
  if (!checker.Check(body)) {
    const first = checker.Errors(body).First();
    throw new AlloraError<UpstreamErrorCode>(
      "UPSTREAM_INVALID",
      `GET ${url} answered an unexpected shape: ${first ? `${first.path || "(body)"} ${first.message}` : "invalid"}`,
    );
  }
  // Only the fields the dashboard defines travel on to the page.
  return Value.Clean(schema, body) as Static<S>;
}

/** `{code, message}` of any failure, for the page. */
export function errorOf(err: unknown): { code: string; message: string } {
  if (err instanceof AlloraError) return { code: err.code, message: err.message };
  return { code: "INTERNAL", message: err instanceof Error ? err.message : String(err) };
}
