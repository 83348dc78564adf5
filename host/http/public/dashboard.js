// The edgelearn dashboard: the device list (searched, sorted and paged by the server), and a live
// chart of one device's outputs with drift, rollback, rejection, reset and load markers. Live data
// arrives as Server-Sent Events read through fetch(), so the same Authorization header as every
// other request can go with it. The browser keeps at most MAX_POINTS points per chart.
"use strict";

const MAX_POINTS = 3000;
const PAGE = 50;
const FLAG_DRIFT = 1 << 14;
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

const view = { q: "", sort: "name", offset: 0, device: null, total: 0 };
let auth = sessionStorage.getItem("edgelearn-auth");
let streamAbort = null;
let chart = null;
let series = null; // { task, x: [], a: [], b: [], threshold }
let markers = [];

// A token handed over in the URL fragment (the demo prints such a link): kept for this tab only
// and removed from the address bar.
(() => {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (m) {
    auth = "Bearer " + decodeURIComponent(m[1]);
    sessionStorage.setItem("edgelearn-auth", auth);
    history.replaceState(null, "", location.pathname + location.search);
  }
})();

function headers(extra) {
  const h = Object.assign({}, extra);
  if (auth) h.authorization = auth;
  return h;
}

function showSignIn(scheme, why) {
  $("signin").hidden = false;
  $("signin-why").textContent = why;
  for (const el of document.querySelectorAll("#signin .token")) el.hidden = scheme !== "Bearer";
  for (const el of document.querySelectorAll("#signin .basic")) el.hidden = scheme !== "Basic";
}

$("signin-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const t = $("token").value.trim();
  auth = t ? "Bearer " + t : "Basic " + btoa($("user").value + ":" + $("password").value);
  sessionStorage.setItem("edgelearn-auth", auth);
  $("signin").hidden = true;
  openStream();
});

$("signout").addEventListener("click", () => {
  auth = null;
  sessionStorage.removeItem("edgelearn-auth");
  openStream();
});

// ---- the stream ---------------------------------------------------------------------------

function streamUrl() {
  const p = new URLSearchParams({ q: view.q, sort: view.sort, offset: String(view.offset), limit: String(PAGE) });
  if (view.device) p.set("device", view.device);
  return "/api/stream?" + p;
}

async function openStream() {
  if (streamAbort) streamAbort.abort();
  const ctl = new AbortController();
  streamAbort = ctl;
  try {
    const res = await fetch(streamUrl(), { headers: headers(), signal: ctl.signal });
    if (res.status === 401) {
      const body = await res.json().catch(() => ({}));
      $("host").textContent = "sign-in needed";
      $("signout").hidden = true;
      showSignIn(body.scheme, auth ? "Those credentials were refused." : "This server needs credentials.");
      return;
    }
    if (!res.ok || !res.body) throw new Error((await res.json().catch(() => ({}))).error || "HTTP " + res.status);
    $("signin").hidden = true;
    $("signout").hidden = !auth;
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
      let i;
      while ((i = buf.indexOf("\n\n")) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        let event = "message";
        let data = "";
        for (const line of block.split("\n")) {
          if (line.startsWith("event: ")) event = line.slice(7);
          else if (line.startsWith("data: ")) data += line.slice(6);
        }
        if (data) onEvent(event, JSON.parse(data));
      }
    }
  } catch (e) {
    if (ctl.signal.aborted) return;
    $("host").innerHTML = '<span class="down">disconnected (' + esc(e.message) + "), retrying…</span>";
  }
  if (streamAbort === ctl) setTimeout(() => streamAbort === ctl && openStream(), 2000);
}

function onEvent(event, d) {
  if (event === "page") renderPage(d);
  else if (event === "history") startChart(d);
  else if (event === "points") addPoints(d);
}

// ---- the list -----------------------------------------------------------------------------

function ago(t) {
  if (!t) return "–";
  const s = Math.max(0, (Date.now() - t) / 1000);
  return s < 60 ? Math.round(s) + " s ago" : s < 3600 ? Math.round(s / 60) + " min ago" : Math.round(s / 3600) + " h ago";
}

function renderPage(d) {
  const h = d.host;
  $("host").innerHTML =
    "<b>" + esc(h.devices) + "</b> devices · <b>" + esc(h.hot) + "</b> hot · <b>" + esc(h.readings) + "</b> readings · <b>" + esc(h.learned) +
    "</b> learned · broker " + (h.mqtt ? "connected" : '<span class="down">disconnected</span>');
  view.total = d.total;
  const last = Math.min(view.offset + PAGE, d.total);
  $("pageinfo").textContent = d.total ? view.offset + 1 + "–" + last + " of " + d.total : "no devices";
  $("prev").disabled = view.offset === 0;
  $("next").disabled = last >= d.total;
  const rows = d.devices.map((x) => {
    const rej = Object.entries(x.rejected).map(([k, v]) => k + " " + v).join(", ");
    const metric = x.metric ? x.metric.name + " " + Number(x.metric.value).toPrecision(3) : "–";
    const lc = x.lastCheckpoint ? "#" + x.lastCheckpoint.seq + " " + ago(x.lastCheckpoint.time) + (x.lastCheckpoint.knownGood ? "" : " (not known-good)") : "–";
    return (
      '<tr data-device="' + esc(x.name) + '"' + (x.name === view.device ? ' class="selected"' : "") + ">" +
      "<td>" + esc(x.name) + "</td><td>" + esc(x.task) + '</td><td><span class="status ' + esc(x.status) + '">' + esc(x.status) + "</span></td>" +
      '<td class="n">' + x.readings + '</td><td class="rej" title="' + esc(rej) + '">' + (x.rejectedTotal ? x.rejectedTotal + " (" + esc(rej) + ")" : "0") + "</td>" +
      '<td class="n">' + x.drifts + "</td><td>" + esc(metric) + "</td><td>" + esc(lc) + "</td></tr>"
    );
  });
  $("devices").tBodies[0].innerHTML = rows.join("");
}

$("devices").tBodies[0].addEventListener("click", (e) => {
  const tr = e.target.closest("tr[data-device]");
  if (!tr) return;
  view.device = tr.dataset.device;
  openStream();
});

let searchTimer = 0;
$("search").addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => {
    view.q = $("search").value.trim();
    view.offset = 0;
    openStream();
  }, 250);
});
$("sort").addEventListener("change", () => {
  view.sort = $("sort").value;
  view.offset = 0;
  openStream();
});
$("prev").addEventListener("click", () => {
  view.offset = Math.max(0, view.offset - PAGE);
  openStream();
});
$("next").addEventListener("click", () => {
  if (view.offset + PAGE < view.total) view.offset += PAGE;
  openStream();
});

// ---- the chart ----------------------------------------------------------------------------

// What each task plots: two series from the published outputs (t, prediction, score, error, extra, label, flags).
const PLOTS = {
  regression: { a: "prediction", b: "actual", pick: (p) => [p[1], p[1] !== null && p[3] !== null ? p[1] + p[3] : null] },
  forecast: { a: "forecast", b: "actual", pick: (p) => [p[1], p[1] !== null && p[3] !== null ? p[1] + p[3] : null] },
  // The class that was read back from the log-loss: -ln p for class 1, -ln(1 - p) for class 0.
  classification: { a: "P(y=1)", b: "actual class", pick: (p) => [p[1], actualClass(p[1], p[3])] },
  anomaly: { a: "anomaly score", b: "threshold", pick: (p, thr) => [p[2] ?? p[1], thr] },
  cluster: { a: "distance to centre", b: "cluster", pick: (p) => [p[4], p[5]] },
};
function actualClass(p, logloss) {
  if (p === null || logloss === null) return null;
  const e = 1e-7;
  return Math.abs(logloss + Math.log(Math.max(p, e))) <= Math.abs(logloss + Math.log(Math.max(1 - p, e))) ? 1 : 0;
}
const COLORS = { drift: "#dc2626", rollback: "#7c3aed", rejected: "#ea580c", reset: "#6b7280", load: "#0891b2" };

function drawMarkers(u) {
  const ctx = u.ctx;
  const top = u.bbox.top;
  const h = u.bbox.height;
  ctx.save();
  ctx.lineWidth = 2 * devicePixelRatio;
  for (const m of markers) {
    const x = u.valToPos(m.t / 1000, "x", true);
    if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
    ctx.strokeStyle = COLORS[m.kind] || "#000";
    ctx.setLineDash(m.kind === "rejected" ? [4, 4] : []);
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + h);
    ctx.stroke();
  }
  ctx.restore();
}

function startChart(d) {
  $("detail").hidden = false;
  $("dname").textContent = d.device;
  $("dtask").textContent = d.task;
  $("cmdresult").textContent = "";
  // Not live: the host keeps outputs for a limited number of watched devices, all taken.
  $("chartnote").hidden = d.live !== false;
  $("chartnote").textContent = d.note || "";
  const plot = PLOTS[d.task] || PLOTS.regression;
  series = { task: d.task, plot, x: [], a: [], b: [], threshold: d.threshold };
  markers = [];
  $("markers").innerHTML = "";
  if (chart) chart.destroy();
  const el = $("chart");
  chart = new uPlot(
    {
      width: Math.max(320, el.clientWidth || 600),
      height: 300,
      scales: { x: { time: true } },
      series: [
        {},
        { label: plot.a, stroke: "#2563eb", width: d.task === "classification" ? 1 : 1.5 },
        d.task === "classification"
          ? { label: plot.b, stroke: "#16a34a", paths: () => null, points: { show: true, size: 4, fill: "#16a34a" } }
          : { label: plot.b, stroke: "#16a34a", width: 1.5, dash: d.task === "anomaly" ? [6, 4] : undefined }],
      hooks: { draw: [drawMarkers] },
    },
    [[], [], []],
    el,
  );
  addPoints(d);
}

function addPoints(d) {
  if (!series || !chart || d.device !== view.device) return;
  if (d.threshold !== undefined && d.threshold !== null) series.threshold = d.threshold;
  for (const p of d.points) {
    const [a, b] = series.plot.pick(p, series.threshold);
    series.x.push(p[0] / 1000);
    series.a.push(a);
    series.b.push(b);
    if (p[6] & FLAG_DRIFT && !d.markers.some((m) => m.kind === "drift")) d.markers.push({ t: p[0], kind: "drift", text: "drift flag" });
  }
  const over = series.x.length - MAX_POINTS;
  if (over > 0) for (const k of ["x", "a", "b"]) series[k].splice(0, over);
  for (const m of d.markers) addMarker(m);
  chart.setData([series.x, series.a, series.b]);
  $("chart").dataset.points = String(series.x.length);
}

function addMarker(m) {
  // The drift flag of a point and the drift event describe the same drift: keep one.
  if (m.kind === "drift" && markers.some((o) => o.kind === "drift" && Math.abs(o.t - m.t) < 1000)) return;
  markers.push(m);
  if (markers.length > 200) markers.shift();
  const li = document.createElement("li");
  li.className = "marker-" + m.kind;
  li.textContent = new Date(m.t).toLocaleTimeString() + "  " + m.text;
  const ul = $("markers");
  ul.prepend(li);
  while (ul.children.length > 50) ul.lastChild.remove();
}

window.addEventListener("resize", () => chart && chart.setSize({ width: Math.max(320, $("chart").clientWidth), height: 300 }));

// ---- commands -----------------------------------------------------------------------------

async function command(cmd) {
  const out = $("cmdresult");
  out.className = "";
  out.textContent = cmd + "…";
  const url = "/api/devices/" + encodeURIComponent(view.device) + "/" + cmd;
  try {
    const res =
      cmd === "snapshot"
        ? await fetch(url, { headers: headers() })
        : await fetch(url, { method: "POST", headers: headers({ "content-type": "application/json" }), body: "{}" });
    if (!res.ok) {
      const body = await res.json().catch(() => ({}));
      out.className = "error";
      out.textContent = cmd + " refused: " + (body.error || "HTTP " + res.status);
      return;
    }
    if (cmd === "snapshot") {
      const a = document.createElement("a");
      a.href = URL.createObjectURL(await res.blob());
      a.download = view.device + ".edgelearn";
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10000);
      out.className = "ok";
      out.textContent = "snapshot downloaded";
      return;
    }
    const body = await res.json();
    out.className = "ok";
    out.textContent = cmd === "rollback" ? "rolled back to checkpoint " + body.seq : "model reset";
  } catch (e) {
    out.className = "error";
    out.textContent = cmd + " failed: " + e.message;
  }
}

for (const b of document.querySelectorAll(".commands button")) b.addEventListener("click", () => command(b.dataset.cmd));

openStream();
