// Bundles the browser assets of wangge into wangge/web/static_build/ (served by
// Django's staticfiles; nothing is ever loaded from a CDN).
//
//   npm run build            minified bundles
//   npm run build -- --dev   readable bundles with source maps
//
// Outputs: app.js + app.css (every page: htmx, Leaflet, the map and tree code),
// charts.js (ECharts, loaded only by the pages that draw charts), sw.js (the service worker)
// and Leaflet's images under images/ (its CSS and default marker icon look for them there).

import { build } from "esbuild";
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(fileURLToPath(import.meta.url));
const src = join(root, "wangge", "web", "frontend");
const out = join(root, "wangge", "web", "static_build");
const dev = process.argv.includes("--dev");

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const common = {
  bundle: true,
  minify: !dev,
  sourcemap: dev ? "linked" : false,
  target: ["es2019", "chrome80", "safari13", "firefox78"],
  logLevel: "info",
  legalComments: "linked",
};

await build({
  ...common,
  entryPoints: {
    app: join(src, "app.js"), // imports app.css and Leaflet's CSS -> app.css
    charts: join(src, "charts.js"),
    // The command map (wangge.maps): clustering and heat plugins over app.js's Leaflet.
    commandmap: join(src, "commandmap.js"),
  },
  outdir: out,
  format: "iife",
  // Leaflet's stylesheet refers to images/*.png; they are copied below as they are,
  // so that L.Icon.Default finds marker-icon.png, marker-icon-2x.png and marker-shadow.png.
  external: ["images/*"],
});

// The service worker: served at /sw.js by wangge.fieldwork.views (its scope is the whole site),
// which puts its settings (version, app shell, pages kept offline) in front of it.
await build({
  ...common,
  entryPoints: { sw: join(src, "sw.js") },
  outdir: out,
  format: "iife",
});

cpSync(join(root, "node_modules", "leaflet", "dist", "images"), join(out, "images"), {
  recursive: true,
});
