// Copies GraphiQL and React's browser builds next to our page, into dist/graphiql.
// Everything is served by ai-service itself: nothing is loaded from a CDN.
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist", "graphiql");
const modules = join(root, "node_modules");

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const files = [
  [join(modules, "react", "umd", "react.production.min.js"), "react.production.min.js"],
  [join(modules, "react-dom", "umd", "react-dom.production.min.js"), "react-dom.production.min.js"],
  [join(modules, "graphiql", "graphiql.min.js"), "graphiql.min.js"],
  [join(modules, "graphiql", "graphiql.min.css"), "graphiql.min.css"],
  [join(root, "graphiql", "init.js"), "init.js"],
  [join(root, "graphiql", "page.css"), "page.css"],
  // Last: the page is the build's completion stamp for make.
  [join(root, "graphiql", "index.html"), "index.html"],
];
for (const [from, to] of files) copyFileSync(from, join(out, to));
console.log(`GraphiQL written to ${out}`);
