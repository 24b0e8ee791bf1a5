// The initial-JavaScript budget: the scripts index.html loads before the first render (the
// entry and its modulepreloads), gzipped, must stay within 250 KB. Writes dist/size.json.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const BUDGET_KB = 250;
const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "dist");
const html = readFileSync(join(dist, "index.html"), "utf8");
const initial = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
const kb = (file) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length / 1024;

const chunks = readdirSync(join(dist, "assets"))
  .filter((name) => name.endsWith(".js"))
  .map((name) => ({ file: `assets/${name}`, gzipKB: Number(kb(`assets/${name}`).toFixed(1)) }))
  .sort((a, b) => b.gzipKB - a.gzipKB);
const initialKB = Number(initial.reduce((sum, file) => sum + kb(file), 0).toFixed(1));
writeFileSync(join(dist, "size.json"), JSON.stringify({ budgetKB: BUDGET_KB, initialKB, initial, chunks }, null, 2));
console.log(`initial JavaScript: ${initialKB} KB gzipped (budget ${BUDGET_KB} KB); largest lazy chunk: ` +
  `${chunks.find((c) => !initial.includes(c.file))?.gzipKB ?? 0} KB`);
if (initialKB > BUDGET_KB) {
  console.error(`over budget by ${(initialKB - BUDGET_KB).toFixed(1)} KB`);
  process.exit(1);
}
