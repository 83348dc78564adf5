// The dashboard's files, read once at start: the page, its script and style (host/http/public/)
// and uPlot's browser build from the installed package. Nothing is fetched from a CDN, so the
// dashboard works on a gateway without internet access.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

export interface Asset {
  type: string;
  body: Buffer;
}

// build/host/http/assets.js → the repository root is three levels up; the sources stay in host/.
const PUBLIC = fileURLToPath(new URL("../../../host/http/public/", import.meta.url));
const require = createRequire(import.meta.url);

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  png: "image/png",
};

function load(path: string): Asset {
  const ext = path.slice(path.lastIndexOf(".") + 1);
  return { type: TYPES[ext] ?? "application/octet-stream", body: readFileSync(path) };
}

/** URL path → file, for GET. */
export function loadAssets(): Map<string, Asset> {
  const m = new Map<string, Asset>();
  m.set("/", load(PUBLIC + "index.html"));
  m.set("/assets/dashboard.js", load(PUBLIC + "dashboard.js"));
  m.set("/assets/dashboard.css", load(PUBLIC + "dashboard.css"));
  m.set("/assets/uPlot.iife.min.js", load(require.resolve("uplot/dist/uPlot.iife.min.js")));
  m.set("/assets/uPlot.min.css", load(require.resolve("uplot/dist/uPlot.min.css")));
  return m;
}
