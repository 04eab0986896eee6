/**
 * Compose files as YAML documents with comments: a header saying what the file is and how to use it, and a line
 * above each service. Written with `version: "3.8"` so docker-compose v1 and `docker compose` v2 both accept them.
 */
import { Document, isMap } from "yaml";

/** A compose file before rendering. */
export interface ComposeModel {
  header: string;
  services: Record<string, Record<string, unknown>>;
  /** A comment above each service, by name. */
  serviceComments: Record<string, string>;
  volumes?: Record<string, unknown>;
  networks?: Record<string, unknown>;
  secrets?: Record<string, unknown>;
  configs?: Record<string, unknown>;
}

/** Renders a compose model to YAML text. */
export function renderCompose(model: ComposeModel): string {
  const body: Record<string, unknown> = { version: "3.8", services: model.services };
  for (const key of ["volumes", "networks", "secrets", "configs"] as const) {
    const section = model[key];
    if (section && Object.keys(section).length > 0) body[key] = section;
  }
  const doc = new Document(body);
  doc.commentBefore = model.header
    .split("\n")
    .map((l) => ` ${l}`)
    .join("\n");
  const services = doc.get("services", true);
  if (isMap(services)) {
    services.items.forEach((pair, index) => {
      const key = pair.key as { value?: unknown; commentBefore?: string; spaceBefore?: boolean };
      const comment = model.serviceComments[String(key.value)];
      if (comment) {
        key.commentBefore = comment
          .split("\n")
          .map((l) => ` ${l}`)
          .join("\n");
      }
      key.spaceBefore = index > 0;
    });
  }
  if (isMap(doc.contents)) {
    for (const pair of doc.contents.items) {
      const key = pair.key as { value?: unknown; spaceBefore?: boolean };
      if (key.value !== "version") key.spaceBefore = true;
    }
  }
  return doc.toString({ lineWidth: 0 });
}
