export * from "../http-client.js";
export * from "./routes.js";
export * from "./schemas.js";
