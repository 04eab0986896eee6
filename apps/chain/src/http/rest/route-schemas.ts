/**
 * JSON schemas of path and query parameters shared by the REST routes.
 */

export const ADDRESS_PARAM = { type: "string", minLength: 1, maxLength: 100 } as const;
export const ID_PARAM = { type: "string", pattern: "^[0-9]{1,19}$" } as const;
export const UINT_QUERY = { type: "string", pattern: "^[0-9]{1,19}$" } as const;

/** A params schema from property schemas (all required, nothing else allowed). */
export function paramsSchema(properties: Record<string, unknown>) {
  return { type: "object", properties, required: Object.keys(properties), additionalProperties: false } as const;
}
