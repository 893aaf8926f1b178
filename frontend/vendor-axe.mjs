// Copies axe-core (MPL-2.0) from node_modules into tests/browser/vendor/ for the accessibility
// tests, with its licence files, so the tests never touch the network.
// Run with `npm run vendor:axe` (after `npm ci`) in frontend/.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, "node_modules/axe-core");
const target = resolve(here, "../tests/browser/vendor");
mkdirSync(target, { recursive: true });

const { version, license } = JSON.parse(readFileSync(join(source, "package.json"), "utf8"));
copyFileSync(join(source, "axe.min.js"), join(target, "axe.min.js"));
copyFileSync(join(source, "LICENSE"), join(target, "axe.LICENSE.txt"));
copyFileSync(join(source, "LICENSE-3RD-PARTY.txt"), join(target, "axe.LICENSE-3RD-PARTY.txt"));
writeFileSync(
  join(target, "README.md"),
  `# Vendored for the browser tests\n\n` +
    `- \`axe.min.js\`: axe-core ${version} (${license}), copied from npm by \`cd frontend && npm run vendor:axe\`;\n` +
    `  licence in \`axe.LICENSE.txt\`, bundled third-party licences in \`axe.LICENSE-3RD-PARTY.txt\`.\n` +
    `  Used only by \`tests/browser/test_accessibility.py\`; never served by the app.\n`,
);
console.log(`axe-core ${version} → ${target}`);
