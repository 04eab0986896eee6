export * from "./client.js";
export * from "./views.js";
