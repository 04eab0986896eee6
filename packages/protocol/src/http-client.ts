/**
 * A minimal HTTP client on `node:http`. The head's default REST port is 6000, which the Fetch standard lists as a
 * blocked port (X11): Node's global `fetch` refuses it with "bad port". Everything that calls a head uses this
 * client instead.
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { AlloraError, errorMessage } from "./errors.js";

/** Options of {@link httpCall}. */
export interface HttpCallOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Milliseconds before the call is abandoned (default 30 000). */
  timeoutMs?: number;
  /** Abandons the call when aborted (e.g. on shutdown). */
  signal?: AbortSignal;
  /** Largest answer body read, in bytes (default 64 MiB); a larger one fails with `HTTP_RESPONSE_TOO_LARGE`. */
  maxResponseBytes?: number;
}

/** The answer of {@link httpCall}. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body as it came, for answers that are not text (a function package). */
  bytes: Uint8Array;
}

/**
 * Sends one HTTP request and reads the whole answer. Network failures and timeouts throw `HTTP_UNREACHABLE` /
 * `HTTP_TIMEOUT` naming the URL, a URL that is not http(s) `HTTP_URL_INVALID`, an answer over `maxResponseBytes`
 * `HTTP_RESPONSE_TOO_LARGE`; any HTTP status is returned, not thrown.
 *
 * @example
 * ```ts
 * const { status, text } = await httpCall("http://localhost:6000/api/v1/health")
 * ```
 */
export function httpCall(url: string, options: HttpCallOptions = {}): Promise<HttpAnswer> {
  const problem = checkHttpUrl(url);
  if (problem !== undefined) return Promise.reject(new AlloraError("HTTP_URL_INVALID", problem, { details: { url } }));
  const target = new URL(url);
  const send = target.protocol === "https:" ? httpsRequest : httpRequest;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxBytes = options.maxResponseBytes ?? 64 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new AlloraError("HTTP_ABORTED", `${url}: ${String(options.signal.reason ?? "aborted")}`));
      return;
    }
    let req: ReturnType<typeof send>;
    try {
      req = send(
        target,
        {
          method: options.method ?? (options.body === undefined ? "GET" : "POST"),
          headers: {
            ...(options.body === undefined ? {} : { "content-length": String(Buffer.byteLength(options.body)) }),
            ...options.headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on("data", (c: Buffer) => {
            size += c.byteLength;
            if (size <= maxBytes) chunks.push(c);
            else {
              clearTimeout(timer);
              req.destroy();
              reject(
                new AlloraError("HTTP_RESPONSE_TOO_LARGE", `${url} answered more than ${maxBytes} bytes`, {
                  details: { url, limit: maxBytes },
                }),
              );
            }
          });
          res.on("end", () => {
            clearTimeout(timer);
            const body = Buffer.concat(chunks);
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text: body.toString("utf8"), bytes: body });
          });
          res.on("error", (err) => {
            clearTimeout(timer);
            reject(new AlloraError("HTTP_UNREACHABLE", `${url}: ${err.message}`, { cause: err }));
          });
        },
      );
    } catch (cause) {
      // node:http throws TypeError synchronously for a bad method or header value.
      reject(new AlloraError("HTTP_REQUEST_INVALID", `cannot send to ${url}: ${errorMessage(cause)}`, { cause }));
      return;
    }
    const timer = setTimeout(() => {
      req.destroy();
      reject(new AlloraError("HTTP_TIMEOUT", `${url} did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on("error", (err) => {
      clearTimeout(timer);
      reject(new AlloraError("HTTP_UNREACHABLE", `cannot reach ${url}: ${err.message}`, { cause: err }));
    });
    options.signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        req.destroy();
        reject(new AlloraError("HTTP_ABORTED", `${url}: ${String(options.signal?.reason ?? "aborted")}`));
      },
      { once: true },
    );
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** Why `value` is not an http(s) URL, or undefined when it is one. */
export function checkHttpUrl(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `"${value}" is not a URL; expected e.g. http://localhost:6000`;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return `"${value}" is not an http:// or https:// URL`;
  return undefined;
}
