// Maps of the hierarchy: a node's outline and its children (a grid's minimal
// units with their points), drawn from the page's GeoJSON endpoint.
//
// <div data-map data-geojson="/area/CODE/geojson/" [data-tile-url=... data-tile-attribution=...]>
//
// With no tile URL the polygons sit on a plain light background: no request
// ever leaves the site unless the installation configures a tile server.
//
// Event pages add:
//   data-point="LNG,LAT"   a marker (the event's place); the map fits it and the outline
//   data-children="none"   draw only the node's outline (the event's grid), not its children
//   data-picker            a tap (or dragging the pin) writes the place into the inputs named
//                          by data-lng-input / data-lat-input; typing there moves the pin;
//                          a button [data-locate-for=MAP-ID] puts the pin where the phone is
import L from "leaflet";

const PALETTE = [
  "#2563eb", "#0d9488", "#d97706", "#7c3aed", "#db2777",
  "#16a34a", "#0891b2", "#ea580c", "#4f46e5", "#65a30d",
];
/** Above this many children, names show on hover instead of on the map. */
const LABEL_LIMIT = 60;

/** code -> the layer drawing it, for highlighting from the list beside the map. */
const layersByCode = new Map();

export function initMaps(root) {
  const found = [];
  if (root.matches && root.matches("[data-map]")) found.push(root);
  if (root.querySelectorAll) found.push(...root.querySelectorAll("[data-map]"));
  for (const el of found) {
    if (!el.wanggeMap) setUp(el);
  }
}

/** [lat, lng] from "lng,lat", or null. */
function parsePoint(text) {
  if (!text) return null;
  const parts = text.split(",").map(Number);
  const lng = parts[0];
  const lat = parts[1];
  return Number.isFinite(lng) && Number.isFinite(lat) ? [lat, lng] : null;
}

function setUp(el) {
  const map = L.map(el, { zoomSnap: 0.25, zoomDelta: 0.5, minZoom: 3 });
  el.wanggeMap = map;
  map.setView([30, 110], 4);
  if (el.dataset.tileUrl) {
    L.tileLayer(el.dataset.tileUrl, {
      attribution: el.dataset.tileAttribution || "",
      maxZoom: 19,
    }).addTo(map);
  } else {
    el.classList.add("map-blank");
  }
  const picker = "picker" in el.dataset;
  if (picker) setUpPicker(map, el);
  else addLocateControl(map, el);
  const point = parsePoint(el.dataset.point);
  if (point) {
    L.marker(point, { keyboard: false, interactive: false }).addTo(map);
    map.setView(point, 16);
  }
  if (!el.dataset.geojson) {
    el.classList.add("is-ready");
    return;
  }
  el.classList.add("is-loading");
  fetch(el.dataset.geojson, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((response) => {
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return response.json();
    })
    .then((collection) => draw(map, el, collection))
    .catch(() => {
      // With a marker the map still says where; only an empty map is a failure.
      if (!point && !picker) el.classList.add("map-failed");
      else el.classList.add("is-ready");
    })
    .finally(() => el.classList.remove("is-loading"));
}

function draw(map, el, collection) {
  const features = collection.features || [];
  const node = features.find((f) => f.properties.role === "node");
  const picker = "picker" in el.dataset;
  const children =
    el.dataset.children === "none" ? [] : features.filter((f) => f.properties.role === "child");
  const bounds = L.latLngBounds([]);
  const focus = el.wanggeFocus ? el.wanggeFocus() : parsePoint(el.dataset.point);
  if (focus) bounds.extend(focus);

  if (node) {
    const outline = L.geoJSON(node, {
      interactive: false,
      style: {
        className: "map-node",
        color: "#1e3a8a",
        weight: 2.5,
        dashArray: children.length ? "6 5" : null,
        fill: children.length === 0,
        fillColor: "#3b82f6",
        fillOpacity: 0.15,
      },
    }).addTo(map);
    bounds.extend(outline.getBounds());
  }

  const permanent = children.length <= LABEL_LIMIT;
  children.forEach((feature, index) => {
    const color = PALETTE[index % PALETTE.length];
    const props = feature.properties;
    const base = { className: "map-child", color, weight: 1.5, fillColor: color, fillOpacity: 0.22 };
    if (picker) {
      // Choosing a place: a tap anywhere puts the pin there, never opens a page.
      L.geoJSON(feature, { style: { ...base, fillOpacity: 0.12 }, interactive: false }).addTo(map);
      return;
    }
    const group = L.geoJSON(feature, { style: base });
    group.eachLayer((layer) => {
      layer.bindTooltip(props.name, {
        permanent,
        direction: "center",
        className: permanent ? "map-label" : "map-label map-label-hover",
        opacity: 1,
      });
      layer.on("mouseover", () => highlight(props.code, true));
      layer.on("mouseout", () => highlight(props.code, false));
      if (props.url) {
        layer.on("click", () => window.location.assign(props.url));
      } else {
        // Nothing to open: a tap shows the name, even where it does not fit.
        layer.on("click", () => {
          const label = layer.getTooltip().getElement();
          if (label) label.classList.toggle("is-hot");
        });
      }
    });
    group.addTo(map);
    group.eachLayer((layer) => {
      const path = layer.getElement && layer.getElement();
      if (path) path.setAttribute("data-code", props.code);
    });
    layersByCode.set(props.code, { group, base });
    if (props.point) {
      L.circleMarker([props.point[1], props.point[0]], {
        className: "map-point",
        radius: 5,
        color: "#ffffff",
        weight: 2,
        fillColor: color,
        fillOpacity: 1,
        interactive: false,
      }).addTo(map);
    }
    if (!node) bounds.extend(group.getBounds());
  });

  if (bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12], maxZoom: 17, animate: false });
  if (permanent && !picker) {
    const groups = children.map((f) => layersByCode.get(f.properties.code).group);
    fitLabels(map, groups);
    map.on("zoomend", () => fitLabels(map, groups));
  }
  el.classList.add("is-ready");
}

// A permanent name shows only where its polygon is wide and tall enough on screen
// to hold it; zooming in brings the names of small polygons back.
function fitLabels(map, groups) {
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

function highlight(code, on) {
  const entry = layersByCode.get(code);
  if (entry) {
    entry.group.setStyle(on ? { weight: 3, fillOpacity: 0.45 } : entry.base);
    if (on) entry.group.bringToFront();
    entry.group.eachLayer((layer) => {
      const label = layer.getTooltip && layer.getTooltip() && layer.getTooltip().getElement();
      if (label) label.classList.toggle("is-hot", on);
    });
  }
  for (const row of document.querySelectorAll(`[data-region="${code}"]`)) {
    row.classList.toggle("is-hot", on);
  }
}

// Hovering a row of the list lights up its polygon.
document.addEventListener("mouseover", (event) => {
  const row = event.target.closest && event.target.closest("[data-region]");
  if (row && !row.contains(event.relatedTarget)) highlight(row.dataset.region, true);
});
document.addEventListener("mouseout", (event) => {
  const row = event.target.closest && event.target.closest("[data-region]");
  if (row && !row.contains(event.relatedTarget)) highlight(row.dataset.region, false);
});

function addLocateControl(map, el) {
  if (!("geolocation" in navigator) || !window.isSecureContext) return;
  const label = el.dataset.labelLocate || "My location";
  let marker = null;
  let ring = null;
  const Locate = L.Control.extend({
    options: { position: "topleft" },
    onAdd() {
      const bar = L.DomUtil.create("div", "leaflet-bar map-locate");
      const button = L.DomUtil.create("a", "", bar);
      button.href = "#";
      button.role = "button";
      button.title = label;
      button.setAttribute("aria-label", label);
      button.innerHTML = '<span aria-hidden="true">◎</span>';
      L.DomEvent.disableClickPropagation(bar);
      L.DomEvent.on(button, "click", (event) => {
        L.DomEvent.preventDefault(event);
        bar.classList.add("is-busy");
        navigator.geolocation.getCurrentPosition(
          (position) => {
            bar.classList.remove("is-busy");
            const here = [position.coords.latitude, position.coords.longitude];
            if (!marker) {
              marker = L.marker(here, { title: label, keyboard: false }).addTo(map);
              ring = L.circle(here, {
                radius: position.coords.accuracy,
                className: "map-accuracy",
                weight: 1,
                interactive: false,
              }).addTo(map);
            } else {
              marker.setLatLng(here);
              ring.setLatLng(here).setRadius(position.coords.accuracy);
            }
            map.setView(here, Math.max(map.getZoom(), 15));
          },
          () => {
            bar.classList.remove("is-busy");
            toast(el, el.dataset.labelUnavailable || "Location unavailable");
          },
          { enableHighAccuracy: true, timeout: 10000, maximumAge: 30000 },
        );
      });
      return bar;
    },
  });
  map.addControl(new Locate());
}

function toast(el, text) {
  const note = document.createElement("div");
  note.className = "map-toast";
  note.setAttribute("role", "status");
  note.textContent = text;
  el.appendChild(note);
  setTimeout(() => note.remove(), 3500);
}

// --- choosing a place (the report form) ------------------------------------------------

function setUpPicker(map, el) {
  const lngInput = document.getElementById(el.dataset.lngInput);
  const latInput = document.getElementById(el.dataset.latInput);
  let marker = null;

  const write = (latlng) => {
    if (lngInput) lngInput.value = latlng.lng.toFixed(6);
    if (latInput) latInput.value = latlng.lat.toFixed(6);
    el.classList.add("is-picked");
    // Tell the page (e.g. an htmx fragment listening with "input from:#id_lat").
    if (latInput) latInput.dispatchEvent(new Event("input", { bubbles: true }));
  };
  const place = (latlng) => {
    if (!marker) {
      marker = L.marker(latlng, { draggable: true, title: el.dataset.labelPin || "" }).addTo(map);
      marker.on("dragend", () => write(marker.getLatLng()));
    } else {
      marker.setLatLng(latlng);
    }
  };
  const typed = () => {
    const lat = Number(latInput && latInput.value);
    const lng = Number(lngInput && lngInput.value);
    if (!latInput || !lngInput || latInput.value === "" || lngInput.value === "") return null;
    return Number.isFinite(lat) && Number.isFinite(lng) ? L.latLng(lat, lng) : null;
  };

  map.on("click", (event) => {
    place(event.latlng);
    write(event.latlng);
  });
  for (const input of [lngInput, latInput]) {
    if (!input) continue;
    input.addEventListener("change", () => {
      const latlng = typed();
      if (latlng) {
        place(latlng);
        map.panTo(latlng);
      }
    });
  }
  // The pin of a form sent back with errors is where the user put it.
  const initial = typed();
  if (initial) {
    place(initial);
    map.setView(initial, 16);
  }
  el.wanggeFocus = () => (marker ? [marker.getLatLng().lat, marker.getLatLng().lng] : null);
  el.wanggePick = (lat, lng) => {
    const latlng = L.latLng(lat, lng);
    place(latlng);
    write(latlng);
    map.setView(latlng, Math.max(map.getZoom(), 17));
  };
}

export function initLocateButtons(root) {
  if (!root.querySelectorAll) return;
  for (const button of root.querySelectorAll("[data-locate-for]")) {
    if (button.wanggeReady) continue;
    button.wanggeReady = true;
    if (!("geolocation" in navigator) || !window.isSecureContext) continue;
    button.hidden = false;
    const label = button.innerHTML;
    button.addEventListener("click", () => {
      const el = document.getElementById(button.dataset.locateFor);
      if (!el || !el.wanggePick) return;
      button.disabled = true;
      button.textContent = button.dataset.labelBusy || "…";
      navigator.geolocation.getCurrentPosition(
        (position) => {
          button.disabled = false;
          button.innerHTML = label;
          el.wanggePick(position.coords.latitude, position.coords.longitude);
        },
        () => {
          button.disabled = false;
          button.innerHTML = label;
          toast(el, button.dataset.labelFailed || "Location unavailable");
        },
        { enableHighAccuracy: true, timeout: 10000, maximumAge: 30000 },
      );
    });
  }
}
