/**
 * Malformed execute requests, each with the HTTP status and error code the head must answer. Every one is a
 * mistake people make in practice: wrong types, misspelt fields, the gossip topic name instead of the id, …
 */
import { GUIDE_BODY, guideBody } from "./guide.js";

export interface BadRequest {
  name: string;
  /** Raw body text. */
  body: string;
  status: number;
  code: string;
  contentType?: string;
}

const j = (v: unknown) => JSON.stringify(v);
const cfg = (config: Record<string, unknown>) => j({ ...GUIDE_BODY, config: { ...GUIDE_BODY.config, ...config } });

export const BAD_REQUESTS: BadRequest[] = [
  { name: "not JSON", body: "{nope", status: 400, code: "REQUEST_MALFORMED_JSON" },
  { name: "truncated JSON", body: j(GUIDE_BODY).slice(0, 40), status: 400, code: "REQUEST_MALFORMED_JSON" },
  { name: "an empty body", body: "", status: 400, code: "REQUEST_MALFORMED_JSON" },
  { name: "a JSON array", body: "[]", status: 400, code: "REQUEST_INVALID" },
  { name: "a JSON string", body: '"hello"', status: 400, code: "REQUEST_INVALID" },
  { name: "JSON null", body: "null", status: 400, code: "REQUEST_INVALID" },
  { name: "an empty object", body: "{}", status: 400, code: "REQUEST_INVALID" },
  { name: "no function_id", body: j({ method: "m", topic: "1" }), status: 400, code: "REQUEST_INVALID" },
  {
    name: "no method",
    body: j({ function_id: GUIDE_BODY.function_id, topic: "1" }),
    status: 400,
    code: "REQUEST_INVALID",
  },
  {
    name: "function_id as a number",
    body: j({ ...GUIDE_BODY, function_id: 42 }),
    status: 400,
    code: "REQUEST_INVALID",
  },
  { name: "an empty function_id", body: j({ ...GUIDE_BODY, function_id: "" }), status: 400, code: "REQUEST_INVALID" },
  {
    name: "a function_id that is not a CID",
    body: j({ ...GUIDE_BODY, function_id: "my-function" }),
    status: 400,
    code: "FUNCTION_UNKNOWN",
  },
  { name: "topic as a number", body: j({ ...GUIDE_BODY, topic: 1 }), status: 400, code: "REQUEST_INVALID" },
  { name: "no topic", body: j({ ...GUIDE_BODY, topic: undefined }), status: 400, code: "TOPIC_INVALID" },
  { name: "the gossip topic name", body: j(guideBody("allora-topic-1-worker")), status: 400, code: "TOPIC_INVALID" },
  { name: "a reputer topic", body: j(guideBody("1/reputer")), status: 400, code: "TOPIC_REPUTER_UNSUPPORTED" },
  { name: "topic 0", body: j(guideBody("0")), status: 400, code: "TOPIC_INVALID" },
  { name: "a negative topic", body: j(guideBody("-3")), status: 400, code: "TOPIC_INVALID" },
  {
    name: "a misspelt top-level field",
    body: j({ ...GUIDE_BODY, fuction_id: "x" }),
    status: 400,
    code: "REQUEST_INVALID",
  },
  { name: "a misspelt config field", body: cfg({ timout: 2 }), status: 400, code: "REQUEST_INVALID" },
  { name: "timeout as a string", body: cfg({ timeout: "2" }), status: 400, code: "REQUEST_INVALID" },
  { name: "a negative timeout", body: cfg({ timeout: -1 }), status: 400, code: "REQUEST_INVALID" },
  { name: "a huge timeout", body: cfg({ timeout: 100000 }), status: 400, code: "REQUEST_INVALID" },
  { name: "number_of_nodes as a float", body: cfg({ number_of_nodes: 1.5 }), status: 400, code: "REQUEST_INVALID" },
  { name: "number_of_nodes below -1", body: cfg({ number_of_nodes: -7 }), status: 400, code: "REQUEST_INVALID" },
  {
    name: "env_vars as an object",
    body: cfg({ env_vars: { ALLORA_ARG_PARAMS: "ETH" } }),
    status: 400,
    code: "REQUEST_INVALID",
  },
  {
    name: "an env var without a value",
    body: cfg({ env_vars: [{ name: "ALLORA_ARG_PARAMS" }] }),
    status: 400,
    code: "REQUEST_INVALID",
  },
  {
    name: "an env var with a bad name",
    body: cfg({ env_vars: [{ name: "A-B", value: "x" }] }),
    status: 400,
    code: "REQUEST_INVALID",
  },
  {
    name: "an env var value as a number",
    body: cfg({ env_vars: [{ name: "A", value: 5 }] }),
    status: 400,
    code: "REQUEST_INVALID",
  },
  {
    name: "a reserved env var (LD_PRELOAD)",
    body: cfg({ env_vars: [{ name: "LD_PRELOAD", value: "/x.so" }] }),
    status: 400,
    code: "ENV_VAR_RESERVED",
  },
  {
    name: "a reserved env var (PATH)",
    body: cfg({ env_vars: [{ name: "PATH", value: "/tmp" }] }),
    status: 400,
    code: "ENV_VAR_RESERVED",
  },
  {
    name: "a non-numeric block height",
    body: cfg({ env_vars: [{ name: "ALLORA_BLOCK_HEIGHT_CURRENT", value: "abc" }] }),
    status: 400,
    code: "REQUEST_INVALID",
  },
  {
    name: "parameters as a string",
    body: j({ ...GUIDE_BODY, parameters: "ETH" }),
    status: 400,
    code: "REQUEST_INVALID",
  },
  { name: "a threshold above 1", body: cfg({ threshold: 2 }), status: 400, code: "REQUEST_INVALID" },
  { name: "a zero execution_timeout", body: cfg({ execution_timeout: 0 }), status: 400, code: "REQUEST_INVALID" },
  {
    name: "too many env vars",
    body: cfg({ env_vars: Array.from({ length: 65 }, (_, i) => ({ name: `V${i}`, value: "" })) }),
    status: 400,
    code: "REQUEST_INVALID",
  },
  {
    name: "a body over 1 MiB",
    body: j({ ...GUIDE_BODY, signature: "x".repeat(1_100_000) }),
    status: 413,
    code: "REQUEST_TOO_LARGE",
  },
  {
    name: "a text/plain body",
    body: j(GUIDE_BODY),
    status: 415,
    code: "REQUEST_UNSUPPORTED_MEDIA_TYPE",
    contentType: "text/plain",
  },
];
