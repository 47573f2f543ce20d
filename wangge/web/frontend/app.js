// Every page: htmx for partial loads, Leaflet maps, the tree <-> map highlight.
import htmx from "htmx.org";
import "leaflet/dist/leaflet.css";
import "./app.css";
import { initMaps } from "./map.js";

window.htmx = htmx;

function ready(fn) {
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
  else fn();
}

ready(() => initMaps(document));
// Content swapped in by htmx may carry maps of its own.
document.addEventListener("htmx:load", (event) => initMaps(event.target));
