export * from "./key-folder.js";
