/**
 * One error handler for the REST face: every failure answers with the Cosmos triple plus the chain's string code,
 * `{code, codespace, log, message, reason}`, and the HTTP status of its catalogue entry.
 */
import { errorMessage, type Logger } from "@allora/protocol";
import type { FastifyError, FastifyInstance } from "fastify";
import { ChainError, type ChainErrorCode } from "../../errors.js";

/** The body of a REST error. */
export function errorBody(err: ChainError) {
  const retryAfter = err.details?.retry_after;
  return {
    ...err.toAbci(),
    message: err.log,
    reason: err.code,
    ...(typeof retryAfter === "number" ? { retry_after: retryAfter } : {}),
  };
}

function describeValidation(err: FastifyError): string {
  const first = err.validation?.[0];
  if (!first) return err.message;
  const where = `${err.validationContext ?? "request"}${first.instancePath.replaceAll("/", ".")}`;
  if (first.keyword === "additionalProperties") {
    return `unknown field "${String((first.params as Record<string, unknown>).additionalProperty)}" in ${where}`;
  }
  if (first.keyword === "required") {
    return `missing field "${String((first.params as Record<string, unknown>).missingProperty)}" in ${where}`;
  }
  return `${where} ${first.message ?? "is invalid"}`;
}

export function installChainErrorHandling(app: FastifyInstance, logger: Logger): void {
  const send = (reply: { code(n: number): { send(b: unknown): unknown } }, code: ChainErrorCode, message: string) => {
    const err = new ChainError(code, message);
    return reply.code(err.info.http).send(errorBody(err));
  };
  app.setNotFoundHandler((request, reply) => {
    void send(reply, "ROUTE_NOT_FOUND", `no route ${request.method} ${request.url.split("?")[0]}`);
  });
  app.setErrorHandler((err: FastifyError, _request, reply) => {
    if (err instanceof ChainError) {
      if (err.info.http >= 500 && err.code === "INTERNAL") logger.error({ code: err.code, err }, err.message);
      const retryAfter = err.details?.retry_after;
      if (typeof retryAfter === "number") void reply.header("retry-after", String(retryAfter));
      return reply.code(err.info.http).send(errorBody(err));
    }
    if (err.validation) return send(reply, "REQUEST_INVALID", describeValidation(err));
    if (typeof err.statusCode === "number" && err.statusCode < 500) {
      const status = err.statusCode;
      const chainErr = new ChainError(status === 413 ? "TX_TOO_LARGE" : "REQUEST_INVALID", err.message);
      return reply.code(status).send(errorBody(chainErr));
    }
    logger.error({ code: "INTERNAL", err }, "REST request failed");
    return send(reply, "INTERNAL", errorMessage(err));
  });
}
