// Builds app/static/vendor/editor.bundle.js (minified IIFE, window.CommonwrightEditor) from
// src/editor.js, and editor.bundle.LICENSE.txt listing every bundled package with its licence.
// Run with `npm run build` (after `npm ci`) in frontend/.
import { build } from "esbuild";
import { readFileSync, writeFileSync, existsSync, readdirSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const outDir = resolve(here, "../app/static/vendor");
const outFile = join(outDir, "editor.bundle.js");
const licenseFile = join(outDir, "editor.bundle.LICENSE.txt");
mkdirSync(outDir, { recursive: true });

const result = await build({
  entryPoints: [join(here, "src/editor.js")],
  outfile: outFile,
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  legalComments: "none",
  charset: "utf8",
  metafile: true,
  banner: {
    js: "/*! Commonwright editor — built from frontend/ with `npm run build`; bundled packages and their licences: editor.bundle.LICENSE.txt */",
  },
  logLevel: "warning",
  plugins: [
    {
      // See src/html-lite.js: lang-markdown's HTML support without the CSS and JS languages.
      name: "html-lite",
      setup(b) {
        b.onResolve({ filter: /^@codemirror\/lang-html$/ }, () => ({ path: join(here, "src/html-lite.js") }));
      },
    },
  ],
});

// Every npm package that ended up in the bundle, with its licence text.
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const match = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (!match || packages.has(match[1])) continue;
  const dir = join(here, "node_modules", match[1]);
  const meta = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const licenseName = readdirSync(dir).find((name) => /^(LICEN[CS]E|COPYING)(\.|$)/i.test(name));
  const text = licenseName ? readFileSync(join(dir, licenseName), "utf8").trim() : `License: ${meta.license}`;
  packages.set(match[1], { version: meta.version, license: meta.license, text });
}
const names = [...packages.keys()].sort();
const lines = [
  "Third-party software bundled in editor.bundle.js",
  "================================================",
  "",
  "editor.bundle.js is built from Commonwright's frontend/ folder (src/*, AGPL-3.0-or-later) with",
  "`npm run build`. It contains the following packages, each under its own licence:",
  "",
  ...names.map((name) => `  ${name}@${packages.get(name).version}  (${packages.get(name).license})`),
  "",
];
for (const name of names) {
  const pkg = packages.get(name);
  lines.push("-".repeat(72), `${name}@${pkg.version} — ${pkg.license}`, "-".repeat(72), "", pkg.text, "");
}
writeFileSync(licenseFile, lines.join("\n"));

const size = readFileSync(outFile).length;
console.log(`editor.bundle.js: ${(size / 1024).toFixed(1)} KiB, ${names.length} packages (${names.join(", ")})`);
if (!existsSync(licenseFile)) process.exit(1);
