/**
 * The schema of a project's `config.yaml`, the one source of truth the Dockerfile and both compose files are
 * generated from. A TypeBox value, so the shape is checked by one definition and its TypeScript type derives from it.
 * Checks JSON Schema cannot express (multiaddrs, URLs, no secrets) live in `load-config.ts`.
 */
import { type Static, Type } from "@sinclair/typebox";

const Port = Type.Integer({ minimum: 1, maximum: 65535 });
const LogLevel = Type.Union(["trace", "debug", "info", "warn", "error"].map((l) => Type.Literal(l)));

/** One topic the worker serves and the argument main.py gets for it. */
export const TopicConfig = Type.Object(
  {
    id: Type.Integer({ minimum: 1 }),
    arg: Type.String({ minLength: 1, maxLength: 128 }),
  },
  { additionalProperties: false },
);
/** One topic the worker serves. */
export type TopicConfig = Static<typeof TopicConfig>;

/** The whole `config.yaml`. */
export const ProjectConfig = Type.Object(
  {
    version: Type.Literal(1),
    name: Type.String({ pattern: "^[a-z][a-z0-9-]{0,38}[a-z0-9]$" }),
    topics: Type.Array(TopicConfig, { minItems: 1, maxItems: 32 }),
    image: Type.Object(
      {
        repository: Type.String({ pattern: "^[a-z0-9][a-z0-9._/:-]*$" }),
        version: Type.String({ pattern: "^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$" }),
      },
      { additionalProperties: false },
    ),
    worker: Type.Object(
      {
        keys: Type.String({ minLength: 1 }),
        mnemonic_file: Type.String({ minLength: 1 }),
        p2p_port: Port,
        http_port: Port,
        function_timeout: Type.Number({ exclusiveMinimum: 0, maximum: 600 }),
        log_level: LogLevel,
      },
      { additionalProperties: false },
    ),
    inference: Type.Object(
      {
        service: Type.String({ pattern: "^[a-z][a-z0-9_-]*$" }),
        port: Port,
        local_url: Type.String({ minLength: 1 }),
      },
      { additionalProperties: false },
    ),
    function_env: Type.Record(Type.String({ pattern: "^[A-Za-z_][A-Za-z0-9_]*$" }), Type.String()),
    dev: Type.Object(
      {
        chain_id: Type.String({ minLength: 1 }),
        head_rest_port: Port,
        head_p2p_port: Port,
        chain_rpc_port: Port,
        chain_rest_port: Port,
        /** Absent in projects made before the dashboard: 3000. */
        dashboard_port: Type.Optional(Port),
      },
      { additionalProperties: false },
    ),
    prod: Type.Object(
      {
        chain_id: Type.String({ minLength: 1 }),
        boot_nodes: Type.Array(Type.String()),
        chain_rpc: Type.String(),
        chain_rest: Type.String(),
        head_url: Type.String(),
        faucet_url: Type.String(),
        announce: Type.Array(Type.String()),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
/** The whole `config.yaml`. */
export type ProjectConfig = Static<typeof ProjectConfig>;
