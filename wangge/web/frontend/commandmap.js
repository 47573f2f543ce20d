// The command centre's map (/map/ and /map/CODE/, wangge.maps): drill down the hierarchy
// district → street → community → grid → unit by clicking polygons, and switch layers on:
// events (clustered, overdue in red, a heat layer when there are many), city parts, rental
// housing, enterprises with open hazards, care-visit coverage and campaign progress.
//
// Loaded after app.js, which brings Leaflet (window.L); the two plugins below attach
// themselves to it.  Everything comes from /api/v1/map/… on this site: with no tile URL
// configured (WANGGE_MAP_TILE_URL) the polygons sit on a plain background.
//
// The address follows the node (/map/CODE/) and the layers (?layers=events,assets&…):
// back, forward and reload work, and a link can be shared.
import "leaflet.markercluster";
import "leaflet.markercluster/dist/MarkerCluster.css";
import "leaflet.markercluster/dist/MarkerCluster.Default.css";
import "leaflet.heat";
import "./commandmap.css";

const L = window.L;

const PALETTE = [
  "#2563eb", "#0d9488", "#d97706", "#7c3aed", "#db2777",
  "#16a34a", "#0891b2", "#ea580c", "#4f46e5", "#65a30d",
];
/** Above this many children, names show on hover instead of on the map. */
const LABEL_LIMIT = 60;
/** Above this many events in view, the heat layer comes on by itself. */
const HEAT_AUTO = 500;
/** Wait this long after the map stops moving before asking for the points in view. */
const MOVE_DELAY = 300;
const POINT_LAYERS = ["events", "heat", "assets", "rentals", "hazards"];
const AREA_LAYERS = ["care", "campaigns"];
const FILTERS = ["state", "category", "overdue", "group", "campaign"];

function ready(fn) {
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
  else fn();
}

ready(() => {
  const root = document.querySelector("[data-commandmap]");
  const config = document.getElementById("cm-config");
  if (root && config && L) start(root, JSON.parse(config.textContent));
});

function escapeHtml(text) {
  return String(text == null ? "" : text).replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c],
  );
}

function format(template, values) {
  return template.replace(/%\((\w+)\)s/g, (_, key) => String(values[key]));
}

function start(root, config) {
  const labels = config.labels;
  const api = config.urls.api;
  const available = config.layers.map((l) => l.key);
  const mapEl = root.querySelector("[data-cm-map]");
  const card = root.querySelector("[data-cm-card]");
  const cardBody = root.querySelector("[data-cm-card-body]");
  const note = root.querySelector("[data-cm-note]");
  const titleEl = root.querySelector("[data-cm-title]");
  const crumbsEl = root.querySelector("[data-cm-crumbs] ol");
  const titleSuffix = document.title.split(" · ").slice(-2).join(" · ");

  // --- what is on: from the address, else the defaults -----------------------------
  const params = new URLSearchParams(window.location.search);
  const wanted = params.has("layers")
    ? params.get("layers").split(",").filter(Boolean)
    : config.defaults;
  const state = {
    code: config.node,
    view: null,
    on: new Set(wanted.filter((key) => available.includes(key))),
    heatChosen: params.has("layers") && wanted.includes("heat"),
    heatAuto: false,
    filters: {},
    campaigns: null,
  };
  for (const name of FILTERS) state.filters[name] = params.get(name) || "";

  // --- the map ---------------------------------------------------------------------
  // markercluster needs a maxZoom, which a tile layer would otherwise give.
  const map = L.map(mapEl, { zoomSnap: 0.25, zoomDelta: 0.5, minZoom: 3, maxZoom: 19 });
  mapEl.wanggeMap = map;
  map.setView([30, 110], 4);
  if (config.tiles.url) {
    L.tileLayer(config.tiles.url, { attribution: config.tiles.attribution || "", maxZoom: 19 }).addTo(
      map,
    );
    mapEl.classList.remove("map-blank");
  }
  map.createPane("cmAreas").style.zIndex = 390;
  const regionLayer = L.featureGroup().addTo(map);

  function cluster(kind) {
    return L.markerClusterGroup({
      showCoverageOnHover: false,
      maxClusterRadius: 48,
      chunkedLoading: true,
      iconCreateFunction(group) {
        const markers = group.getAllChildMarkers();
        const hot = markers.some((m) => m.options.hot);
        const n = group.getChildCount();
        const size = n < 10 ? "small" : n < 100 ? "medium" : "large";
        return L.divIcon({
          html: `<div><span>${n}</span></div>`,
          className: `marker-cluster marker-cluster-${size} cm-cluster cm-cluster-${kind}${hot ? " is-hot" : ""}`,
          iconSize: L.point(40, 40),
        });
      },
    });
  }

  const layers = {
    events: { group: cluster("event"), seq: 0, draw: drawPoints("event") },
    heat: {
      group: L.heatLayer([], { radius: 24, blur: 18, maxZoom: 16, minOpacity: 0.3 }),
      seq: 0,
      draw: drawHeat,
    },
    assets: { group: cluster("asset"), seq: 0, draw: drawPoints("asset") },
    rentals: { group: cluster("rental"), seq: 0, draw: drawPoints("rental") },
    hazards: { group: cluster("hazard"), seq: 0, draw: drawPoints("hazard") },
    care: { group: L.featureGroup(), seq: 0, draw: drawAreas("care") },
    campaigns: { group: L.featureGroup(), seq: 0, draw: drawAreas("campaign") },
  };
  const notes = {};

  // --- the address -------------------------------------------------------------------
  function pageUrl(code) {
    const path = code ? config.urls.node.replace("{code}", code) : config.urls.top;
    const query = new URLSearchParams();
    query.set("layers", [...state.on].join(","));
    for (const name of FILTERS) if (state.filters[name]) query.set(name, state.filters[name]);
    return `${path}?${query.toString()}`;
  }
  function rememberChoices() {
    window.history.replaceState({ code: state.code }, "", pageUrl(state.code));
  }

  // --- moving through the tree ----------------------------------------------------------
  let navSeq = 0;
  let moveTimer = null;
  async function navigate(code, push) {
    const seq = ++navSeq;
    // Points still on their way for the node being left are not drawn.
    clearTimeout(moveTimer);
    for (const key of Object.keys(layers)) {
      layers[key].seq += 1;
      delete mapEl.dataset[`layer${key[0].toUpperCase()}${key.slice(1)}At`];
    }
    mapEl.classList.add("is-loading");
    mapEl.classList.remove("map-failed");
    let data;
    try {
      data = await getJSON(code ? `${api}regions/${code}` : `${api}regions`);
    } catch (error) {
      if (seq === navSeq) {
        mapEl.classList.remove("is-loading");
        mapEl.classList.add("map-failed");
      }
      return;
    }
    if (seq !== navSeq) return;
    mapEl.classList.remove("is-loading");
    state.code = code || null;
    state.view = data;
    if (push) window.history.pushState({ code: state.code }, "", pageUrl(state.code));
    closeCard();
    drawRegions(data);
    renderHead(data);
    syncUp();
    reloadAll();
  }

  // The "up" button shows only where there is somewhere to go up to.
  function syncUp() {
    const bar = mapEl.querySelector(".cm-up");
    const view = state.view;
    if (bar) bar.style.display = view && view.node && (view.up || config.several) ? "" : "none";
  }

  window.addEventListener("popstate", (event) => {
    const code = event.state && "code" in event.state ? event.state.code : codeFromPath();
    navigate(code, false);
  });

  function codeFromPath() {
    const match = window.location.pathname.match(/\/(\d{6,18})\/?$/);
    return match ? match[1] : null;
  }

  let childGroups = [];
  let labelGroups = [];
  const shaded = () => AREA_LAYERS.some((key) => state.on.has(key));
  map.on("zoomend", () => fitLabels(labelGroups));

  function drawRegions(data) {
    regionLayer.clearLayers();
    const bounds = L.latLngBounds([]);
    const node = data.node;
    if (node) {
      const outline = L.geoJSON(node, {
        interactive: false,
        style: { className: "cm-node", color: "#1456a8", weight: 3, fill: !data.children.length, fillOpacity: 0.08 },
      }).addTo(regionLayer);
      bounds.extend(outline.getBounds());
      const point = node.properties.point;
      if (point) {
        L.circleMarker([point[1], point[0]], {
          className: "map-point",
          radius: 6,
          color: "#ffffff",
          weight: 2,
          fillColor: "#1456a8",
          fillOpacity: 1,
          interactive: false,
        }).addTo(regionLayer);
      }
    }
    const permanent = data.children.length <= LABEL_LIMIT;
    childGroups = [];
    data.children.forEach((feature, i) => {
      const props = feature.properties;
      const color = PALETTE[i % PALETTE.length];
      const group = L.geoJSON(feature, {
        // A function: resetStyle() reads it again when coloured areas come and go.
        style: () => ({
          className: "cm-child",
          color,
          weight: 1.5,
          fillColor: color,
          fillOpacity: shaded() ? 0.02 : 0.16,
        }),
      });
      group.eachLayer((layer) => {
        layer.bindTooltip(props.name, {
          permanent,
          direction: "center",
          className: permanent ? "map-label" : "map-label map-label-hover",
          opacity: 1,
        });
        layer.on("click", () => navigate(props.code, true));
        layer.on("mouseover", () => layer.setStyle({ weight: 3, fillOpacity: shaded() ? 0.06 : 0.3 }));
        layer.on("mouseout", () => group.resetStyle(layer));
      });
      group.addTo(regionLayer);
      group.eachLayer((layer) => {
        const path = layer.getElement && layer.getElement();
        if (path) {
          path.setAttribute("data-code", props.code);
          path.setAttribute("data-level", props.level);
        }
      });
      childGroups.push(group);
      if (!node) bounds.extend(group.getBounds());
    });
    labelGroups = permanent ? childGroups : [];
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12], maxZoom: 18, animate: false });
    fitLabels(labelGroups);
    mapEl.dataset.node = state.code || "";
    mapEl.classList.add("is-ready");
  }

  // A permanent name shows only where its polygon is big enough on screen to hold it.
  function fitLabels(groups) {
    for (const group of groups) {
      group.eachLayer((layer) => {
        const tooltip = layer.getTooltip && layer.getTooltip();
        const label = tooltip && tooltip.getElement();
        if (!label) return;
        const box = layer.getBounds();
        const a = map.latLngToContainerPoint(box.getSouthWest());
        const b = map.latLngToContainerPoint(box.getNorthEast());
        const roomy =
          Math.abs(b.x - a.x) >= label.offsetWidth * 1.15 && Math.abs(a.y - b.y) >= label.offsetHeight * 2.2;
        label.classList.toggle("map-label-squeezed", !roomy);
      });
    }
  }

  function renderHead(data) {
    const name = data.node ? data.node.properties.name : labels.all_areas;
    titleEl.textContent = name;
    document.title = data.node ? `${name} · ${titleSuffix}` : titleSuffix;
    const items = [];
    if (config.several || !data.node) {
      items.push(crumb(labels.all_areas, data.node ? "" : null));
    }
    for (const a of data.ancestors) items.push(crumb(a.name, a.visible ? a.code : null));
    if (data.node) items.push(crumb(data.node.properties.name, null));
    crumbsEl.innerHTML = items.join("");
  }

  function crumb(name, code) {
    if (code === null) return `<li><span>${escapeHtml(name)}</span></li>`;
    const href = code ? config.urls.node.replace("{code}", code) : config.urls.top;
    return `<li><a href="${escapeHtml(href)}" data-code="${escapeHtml(code)}">${escapeHtml(name)}</a></li>`;
  }

  crumbsEl.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-code]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    navigate(link.dataset.code || null, true);
  });

  // "Up one level": to the parent if the user may open it, else to the list of their nodes.
  const Up = L.Control.extend({
    options: { position: "topleft" },
    onAdd() {
      const bar = L.DomUtil.create("div", "leaflet-bar cm-up");
      const button = L.DomUtil.create("a", "", bar);
      button.href = "#";
      button.role = "button";
      button.title = labels.up;
      button.setAttribute("aria-label", labels.up);
      button.setAttribute("data-testid", "map-up");
      button.innerHTML = '<span aria-hidden="true">↑</span>';
      L.DomEvent.disableClickPropagation(bar);
      L.DomEvent.on(button, "click", (event) => {
        L.DomEvent.preventDefault(event);
        const view = state.view;
        if (!view || !view.node) return;
        if (view.up) navigate(view.up, true);
        else if (config.several) navigate(null, true);
      });
      return bar;
    },
  });
  map.addControl(new Up());
  syncUp();

  // --- layers ----------------------------------------------------------------------------
  map.on("moveend", () => {
    clearTimeout(moveTimer);
    moveTimer = setTimeout(() => {
      for (const key of POINT_LAYERS) reload(key);
    }, MOVE_DELAY);
  });

  function reloadAll() {
    clearTimeout(moveTimer);
    for (const key of Object.keys(layers)) reload(key);
  }

  function bboxText() {
    const b = map.getBounds().pad(0.1);
    const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
    return [
      clamp(b.getWest(), -180, 180),
      clamp(b.getSouth(), -90, 90),
      clamp(b.getEast(), -180, 180),
      clamp(b.getNorth(), -90, 90),
    ]
      .map((v) => v.toFixed(6))
      .join(",");
  }

  function layerUrl(key) {
    const query = new URLSearchParams();
    if (state.code) query.set("under", state.code);
    if (POINT_LAYERS.includes(key)) query.set("bbox", bboxText());
    const f = state.filters;
    if (key === "events" || key === "heat") {
      if (f.state) query.set("state", f.state);
      else query.set("open", "true");
      if (f.category) query.set("category", f.category);
      if (f.overdue) query.set("overdue", "true");
    }
    if (key === "assets" && f.group) query.set("group", f.group);
    const path = {
      events: "events",
      heat: "events/heat",
      assets: "assets",
      rentals: "rentals",
      hazards: "hazards",
      care: "care",
    }[key];
    if (key === "campaigns") {
      return f.campaign ? `${api}campaigns/${f.campaign}/progress?${query}` : null;
    }
    return `${api}${path}?${query}`;
  }

  async function reload(key) {
    const layer = layers[key];
    const seq = ++layer.seq;
    if (!state.on.has(key) || !state.view) {
      if (map.hasLayer(layer.group)) map.removeLayer(layer.group);
      setNote(key, "");
      return;
    }
    if (key === "campaigns") await ensureCampaign();
    const url = layerUrl(key);
    if (!url) {
      clearLayer(key);
      setNote(key, state.campaigns && !state.campaigns.length ? labels.no_campaign : "");
      return;
    }
    let data;
    try {
      data = await getJSON(url);
    } catch (error) {
      if (seq === layer.seq) setNote(key, labels.layer_failed);
      return;
    }
    if (seq !== layer.seq || !state.on.has(key)) return;
    if (!map.hasLayer(layer.group)) layer.group.addTo(map);
    layer.draw(layer.group, data);
    // What each layer shows, and for which node (the browser tests wait on these).
    const name = `layer${key[0].toUpperCase()}${key.slice(1)}`;
    mapEl.dataset[name] = String(data.returned != null ? data.returned : (data.features || []).length);
    mapEl.dataset[`${name}At`] = state.code || "";
    setNote(
      key,
      data.truncated && key !== "heat"
        ? format(labels.truncated, { shown: data.returned, total: data.total })
        : "",
    );
    if (key === "events") autoHeat(data.total);
  }

  function clearLayer(key) {
    const group = layers[key].group;
    if (group.clearLayers) group.clearLayers();
    else if (group.setLatLngs) group.setLatLngs([]);
  }

  // Many events in view: the heat layer says where they are thick (unless the user chose).
  function autoHeat(total) {
    if (state.heatChosen || !available.includes("heat")) return;
    const many = total > HEAT_AUTO;
    if (many && !state.on.has("heat")) {
      state.heatAuto = true;
      setOn("heat", true);
    } else if (!many && state.heatAuto && state.on.has("heat")) {
      state.heatAuto = false;
      setOn("heat", false);
    }
  }

  function setNote(key, text) {
    notes[key] = text;
    const shown = Object.values(notes).filter(Boolean);
    note.textContent = shown.join(" ");
    note.hidden = !shown.length;
  }

  function drawPoints(kind) {
    return (group, data) => {
      group.clearLayers();
      const markers = (data.features || []).map((feature) => pointMarker(kind, feature));
      group.addLayers(markers);
    };
  }

  function pointMarker(kind, feature) {
    const p = feature.properties;
    const lng = feature.geometry.coordinates[0];
    const lat = feature.geometry.coordinates[1];
    const hot = Boolean(p.overdue || p.problem || p.late);
    const icon = L.divIcon({
      className: `cm-pin cm-pin-${kind}${hot ? " is-hot" : ""}`,
      html: `<span>${kind === "hazard" ? escapeHtml(p.open_hazards) : ""}</span>`,
      iconSize: [22, 22],
      iconAnchor: [11, 11],
    });
    const marker = L.marker([lat, lng], {
      icon,
      hot,
      title: [p.number, p.title].filter(Boolean).join(" "),
      riseOnHover: true,
      zIndexOffset: hot ? 500 : 0,
    });
    marker.on("add", () => {
      const el = marker.getElement();
      if (el) {
        el.dataset.kind = kind;
        el.dataset.id = String(p.id);
        if (hot) el.dataset.hot = "1";
      }
    });
    marker.on("click", () => showCard(kind, p));
    return marker;
  }

  function drawHeat(group, data) {
    group.setLatLngs(data.points || []);
  }

  function rateColor(rate) {
    if (rate == null) return "#98a2b3";
    if (rate < 0.5) return "#d92d20";
    if (rate < 0.8) return "#f79009";
    return "#12b76a";
  }

  function drawAreas(kind) {
    return (group, data) => {
      group.clearLayers();
      for (const feature of data.features || []) {
        const p = feature.properties;
        const rate = kind === "care" ? p.rate : p.total ? p.done_rate / 100 : null;
        const color = rateColor(rate);
        L.geoJSON(feature, {
          pane: "cmAreas",
          interactive: false,
          style: { color, weight: 1, fillColor: color, fillOpacity: 0.38, className: `cm-area cm-area-${kind}` },
        }).addTo(group);
        const text = rate == null ? "—" : `${Math.round(rate * 100)}%`;
        const centre = p.centroid || [0, 0];
        const lng = centre[0];
        const lat = centre[1];
        const label = L.marker([lat, lng], {
          icon: L.divIcon({
            className: `cm-rate cm-rate-${kind}`,
            html: `<span>${escapeHtml(text)}</span>`,
            iconSize: null,
          }),
          title: p.name,
          zIndexOffset: 1000,
        });
        label.on("click", () => showCard(kind, p));
        label.on("add", () => {
          const el = label.getElement();
          if (el) el.dataset.code = p.code;
        });
        label.addTo(group);
      }
    };
  }

  async function ensureCampaign() {
    if (state.campaigns === null) {
      try {
        state.campaigns = await getJSON(`${api}campaigns`);
      } catch (error) {
        state.campaigns = [];
      }
      fillCampaigns();
    }
    if (!state.filters.campaign && state.campaigns.length) {
      state.filters.campaign = String(state.campaigns[0].id);
      if (campaignSelect) campaignSelect.value = state.filters.campaign;
      rememberChoices();
    }
  }

  // --- the card ----------------------------------------------------------------------------
  function row(label, value, hot) {
    if (value == null || value === "") return "";
    return `<div class="cm-row${hot ? " is-hot" : ""}"><dt>${escapeHtml(label)}</dt><dd>${escapeHtml(value)}</dd></div>`;
  }
  function badge(text, hot) {
    return `<span class="cm-badge${hot ? " is-hot" : ""}">${escapeHtml(text)}</span>`;
  }
  function percent(rate) {
    return rate == null ? labels.no_data : `${Math.round(rate * 100)}%`;
  }

  function showCard(kind, p) {
    let head = "";
    let rows = "";
    let actions = "";
    if (kind === "event") {
      head = `<p class="cm-card-kicker mono">${escapeHtml(p.number)}</p><h2>${escapeHtml(p.title)}</h2>
        <p class="cm-badges">${badge(p.state_label, false)}${p.overdue ? badge(labels.overdue, true) : ""}</p>`;
      rows =
        row(labels.category, p.category_name) +
        row(labels.address, p.address) +
        row(labels.grid, p.grid) +
        row(labels.reported_at, p.reported_at) +
        row(labels.due, p.handle_due, p.overdue);
    } else if (kind === "asset") {
      head = `<p class="cm-card-kicker mono">${escapeHtml(p.number)}</p><h2>${escapeHtml(p.title)}</h2>
        <p class="cm-badges">${badge(p.state_label, p.problem)}</p>`;
      // An asset without a name is titled by its type: the type is not repeated below.
      rows =
        row(labels.type, p.type_name === p.title ? "" : p.type_name) +
        row(labels.address, p.address) +
        row(labels.last_inspected, p.last_inspected_at);
    } else if (kind === "rental") {
      head = `<h2>${escapeHtml(p.title)}</h2>`;
      rows =
        row(labels.address, p.address) +
        row(labels.floors, p.floors) +
        row(labels.rooms, p.rooms) +
        row(labels.occupants, p.occupants);
    } else if (kind === "hazard") {
      head = `<h2>${escapeHtml(p.title)}</h2>${p.late ? `<p class="cm-badges">${badge(labels.late, true)}</p>` : ""}`;
      rows = row(labels.address, p.address) + row(labels.open_hazards, p.open_hazards) + row(labels.deadline, p.deadline, p.late);
    } else if (kind === "care") {
      head = `<p class="cm-card-kicker">${escapeHtml(labels.period)}</p><h2>${escapeHtml(p.name)}</h2>`;
      rows =
        row(labels.rate, percent(p.rate), p.rate != null && p.rate < 0.5) +
        row(labels.tagged, p.tagged) +
        row(labels.visited, p.visited) +
        row(labels.visited_on_time, p.visited_on_time) +
        row(labels.overdue, p.overdue, p.overdue > 0);
    } else if (kind === "campaign") {
      const current = (state.campaigns || []).find((c) => String(c.id) === state.filters.campaign);
      head = `<p class="cm-card-kicker">${escapeHtml(current ? current.name : labels.campaign)}</p><h2>${escapeHtml(p.label || p.name)}</h2>`;
      rows =
        row(labels.done_rate, `${p.done_rate}%`) +
        row(labels.targets, p.total) +
        row(labels.done, p.done) +
        row(labels.pending, p.pending) +
        row(labels.follow_up, p.follow_up) +
        row(labels.overdue, p.overdue, p.overdue > 0);
    }
    if ((kind === "care" || kind === "campaign") && p.code && p.code !== state.code) {
      actions += `<button type="button" class="btn btn-outline" data-cm-drill="${escapeHtml(p.code)}">${escapeHtml(labels.drill)}</button>`;
    }
    if (p.url) {
      actions += `<a class="btn btn-primary cm-card-link" data-testid="card-link" href="${escapeHtml(p.url)}">${escapeHtml(labels.open)}</a>`;
    }
    cardBody.innerHTML = `${head}<dl class="cm-rows">${rows}</dl><div class="cm-card-actions">${actions}</div>`;
    card.dataset.kind = kind;
    card.dataset.id = String(p.id || p.code || "");
    card.hidden = false;
  }

  function closeCard() {
    card.hidden = true;
    cardBody.innerHTML = "";
  }
  root.querySelector("[data-cm-close]").addEventListener("click", closeCard);
  card.addEventListener("click", (event) => {
    const drill = event.target.closest("[data-cm-drill]");
    if (drill) navigate(drill.dataset.cmDrill, true);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !card.hidden) closeCard();
  });

  // --- the layer control ------------------------------------------------------------------
  const checks = {};
  let campaignSelect = null;
  let panel = null;
  const Control = L.Control.extend({
    options: { position: "topright" },
    onAdd() {
      const box = L.DomUtil.create("div", "cm-layers");
      box.setAttribute("data-testid", "layer-control");
      const toggle = L.DomUtil.create("button", "cm-layers-toggle", box);
      toggle.type = "button";
      toggle.innerHTML = `<span aria-hidden="true">☰</span> ${escapeHtml(labels.layers)}`;
      panel = L.DomUtil.create("form", "cm-layers-panel", box);
      panel.id = "cm-layers-panel";
      toggle.setAttribute("aria-controls", panel.id);
      panel.addEventListener("submit", (event) => event.preventDefault());
      for (const layer of config.layers) {
        const label = L.DomUtil.create("label", "cm-layer", panel);
        label.dataset.layer = layer.key;
        const input = L.DomUtil.create("input", "", label);
        input.type = "checkbox";
        input.name = "layer";
        input.value = layer.key;
        input.checked = state.on.has(layer.key);
        label.append(` ${layer.label}`);
        checks[layer.key] = input;
        input.addEventListener("change", () => {
          if (layer.key === "heat") {
            state.heatChosen = true;
            state.heatAuto = false;
          }
          setOn(layer.key, input.checked);
        });
        const extra = filtersFor(layer.key);
        if (extra) panel.appendChild(extra);
      }
      const legend = L.DomUtil.create("p", "cm-legend", panel);
      legend.dataset.for = "areas";
      legend.innerHTML = [
        ["#d92d20", "< 50%"],
        ["#f79009", "50–80%"],
        ["#12b76a", "≥ 80%"],
      ]
        .map((pair) => `<span><i style="background:${pair[0]}"></i>${escapeHtml(pair[1])}</span>`)
        .join("");
      const collapsed = window.matchMedia("(max-width: 700px)").matches;
      panel.hidden = collapsed;
      toggle.setAttribute("aria-expanded", String(!collapsed));
      toggle.addEventListener("click", () => {
        panel.hidden = !panel.hidden;
        toggle.setAttribute("aria-expanded", String(!panel.hidden));
      });
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    },
  });

  function select(name, options, value) {
    const el = document.createElement("select");
    el.name = name;
    for (const pair of options) {
      const option = document.createElement("option");
      option.value = pair[0];
      option.textContent = pair[1];
      el.appendChild(option);
    }
    el.value = value;
    return el;
  }

  function filtersFor(key) {
    const box = document.createElement("div");
    box.className = "cm-filters";
    box.dataset.for = key;
    if (key === "events") {
      const stateSelect = select(
        "state",
        [["", labels.any_state], ...config.states],
        state.filters.state,
      );
      const categorySelect = select(
        "category",
        [["", labels.any_category], ...config.categories],
        state.filters.category,
      );
      const overdue = document.createElement("label");
      overdue.className = "cm-check";
      const box2 = document.createElement("input");
      box2.type = "checkbox";
      box2.name = "overdue";
      box2.checked = Boolean(state.filters.overdue);
      overdue.append(box2, ` ${labels.overdue_only}`);
      stateSelect.setAttribute("aria-label", labels.state);
      categorySelect.setAttribute("aria-label", labels.category);
      box.append(stateSelect, categorySelect, overdue);
      const changed = () => {
        state.filters.state = stateSelect.value;
        state.filters.category = categorySelect.value;
        state.filters.overdue = box2.checked ? "true" : "";
        rememberChoices();
        reload("events");
        reload("heat");
      };
      for (const el of [stateSelect, categorySelect, box2]) el.addEventListener("change", changed);
      return box;
    }
    if (key === "assets") {
      const groupSelect = select("group", config.asset_groups, state.filters.group || "all");
      groupSelect.setAttribute("aria-label", labels.type);
      groupSelect.addEventListener("change", () => {
        state.filters.group = groupSelect.value === "all" ? "" : groupSelect.value;
        rememberChoices();
        reload("assets");
      });
      box.append(groupSelect);
      return box;
    }
    if (key === "campaigns") {
      campaignSelect = select("campaign", [], "");
      campaignSelect.setAttribute("aria-label", labels.campaign);
      campaignSelect.addEventListener("change", () => {
        state.filters.campaign = campaignSelect.value;
        rememberChoices();
        reload("campaigns");
      });
      box.append(campaignSelect);
      return box;
    }
    return null;
  }

  function fillCampaigns() {
    if (!campaignSelect) return;
    campaignSelect.innerHTML = "";
    for (const c of state.campaigns) {
      const option = document.createElement("option");
      option.value = String(c.id);
      option.textContent = `${c.name} (${c.state_label} ${c.done_rate}%)`;
      campaignSelect.appendChild(option);
    }
    if (state.filters.campaign) campaignSelect.value = state.filters.campaign;
  }

  function setOn(key, on) {
    if (on) state.on.add(key);
    else state.on.delete(key);
    // One set of coloured areas at a time.
    if (on && AREA_LAYERS.includes(key)) {
      for (const other of AREA_LAYERS) {
        if (other !== key && state.on.has(other)) setOn(other, false);
      }
    }
    if (checks[key]) checks[key].checked = on;
    syncPanel();
    rememberChoices();
    reload(key);
    if (AREA_LAYERS.includes(key)) for (const group of childGroups) group.resetStyle();
  }

  function syncPanel() {
    if (!panel) return;
    for (const box of panel.querySelectorAll("[data-for]")) {
      const key = box.dataset.for;
      box.hidden =
        key === "areas" ? !AREA_LAYERS.some((k) => state.on.has(k)) : !state.on.has(key);
    }
  }

  map.addControl(new Control());
  syncPanel();

  // --- start -------------------------------------------------------------------------------
  window.history.replaceState({ code: state.code }, "", pageUrl(state.code));
  navigate(state.code, false);
}

async function getJSON(url) {
  const response = await fetch(url, {
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json();
}
