/**
 * Shared HTTP plumbing for nodes built on fastify: JSON error bodies `{code, message}` for every failure, including
 * malformed JSON, oversized bodies, wrong content types and unknown routes.
 */
import { AlloraError, errorMessage, type Logger } from "@allora/protocol";
import type { FastifyError, FastifyInstance } from "fastify";
import { errorFields } from "./logger.js";

/** Ajv options that make schemas strict: unknown fields are errors (not silently dropped), no type coercion. */
export const STRICT_AJV = {
  customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false, useDefaults: false },
} as const;

function describeValidation(err: FastifyError): string {
  const first = err.validation?.[0];
  if (!first) return err.message;
  const path = (first.instancePath || "").replace(/^\//, "").replaceAll("/", ".");
  const params = first.params as Record<string, unknown>;
  if (first.keyword === "additionalProperties") {
    const field = [path, String(params.additionalProperty)].filter(Boolean).join(".");
    return `unknown field "${field}"; remove it (see the API reference for the accepted fields)`;
  }
  if (first.keyword === "required") {
    const field = [path, String(params.missingProperty)].filter(Boolean).join(".");
    return `missing field "${field}"`;
  }
  return `field "${path || "(body)"}" ${first.message ?? "is invalid"}`;
}

/**
 * Installs an error handler and a not-found handler that answer `{code, message}` with a fitting HTTP status, and
 * maps {@link AlloraError} codes to statuses through `statusOf`.
 */
export function installErrorHandling(
  app: FastifyInstance,
  logger: Logger,
  statusOf: (code: string) => number = () => 400,
): void {
  app.setNotFoundHandler((request, reply) => {
    void reply
      .code(404)
      .send({ code: "ROUTE_NOT_FOUND", message: `no route ${request.method} ${request.url.split("?")[0]}` });
  });
  app.setErrorHandler((err: FastifyError, _request, reply) => {
    if (err.validation) {
      return reply.code(400).send({ code: "REQUEST_INVALID", message: describeValidation(err) });
    }
    if (err instanceof AlloraError) {
      const status = statusOf(err.code);
      if (status >= 500) logger.error(errorFields(err), err.message);
      return reply.code(status).send(err.toJSON());
    }
    switch (err.code) {
      case "FST_ERR_CTP_INVALID_JSON_BODY":
      case "FST_ERR_CTP_EMPTY_JSON_BODY":
        return reply
          .code(400)
          .send({ code: "REQUEST_MALFORMED_JSON", message: `body is not valid JSON: ${err.message}` });
      case "FST_ERR_CTP_BODY_TOO_LARGE":
        return reply.code(413).send({ code: "REQUEST_TOO_LARGE", message: err.message });
      case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
        return reply
          .code(415)
          .send({ code: "REQUEST_UNSUPPORTED_MEDIA_TYPE", message: "send the body as application/json" });
      case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
        return reply.code(400).send({ code: "REQUEST_INVALID", message: err.message });
    }
    if (typeof err.statusCode === "number" && err.statusCode < 500) {
      return reply.code(err.statusCode).send({ code: "REQUEST_INVALID", message: err.message });
    }
    logger.error(errorFields(err), "request failed");
    return reply.code(500).send({ code: "INTERNAL", message: `internal error: ${errorMessage(err)}` });
  });
}
