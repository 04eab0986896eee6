export * from "./client.js";
export * from "./emissions-params.js";
export * from "./views.js";
