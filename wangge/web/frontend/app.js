// Every page: htmx for partial loads, Leaflet maps, the tree <-> map highlight.
import htmx from "htmx.org";
import "leaflet/dist/leaflet.css";
import "./app.css";
import "./fieldwork.css";
import { initLocateButtons, initMaps } from "./map.js";
import { initOutbox } from "./outbox.js";

window.htmx = htmx;
// An action refused on the event page comes back as the page part with its errors.
htmx.config.responseHandling = [
  { code: "204", swap: false },
  { code: "[23]..", swap: true },
  { code: "(409|422)", swap: true, error: false },
  { code: "[45]..", swap: false, error: true },
];

function ready(fn) {
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
  else fn();
}

ready(() => {
  // Forms marked data-outbox (the grid worker's phone) are kept until the server has them.
  initOutbox();
  initMaps(document);
  initLocateButtons(document);
});
// Content swapped in by htmx may carry maps of its own.
document.addEventListener("htmx:load", (event) => {
  initMaps(event.target);
  initLocateButtons(event.target);
});

// The area tree: a node's disclosure button shows and hides its children (htmx loads them on
// the first click).
document.addEventListener("click", (event) => {
  const button = event.target.closest && event.target.closest("button.tree-twisty");
  if (!button) return;
  const sub = document.getElementById(button.getAttribute("aria-controls"));
  const open = button.getAttribute("aria-expanded") !== "true";
  button.setAttribute("aria-expanded", String(open));
  if (sub) sub.hidden = !open;
});

// Filters left at "any" stay out of the address: ?state=reported, not ?state=reported&category=….
document.addEventListener("htmx:configRequest", (event) => {
  const detail = event.detail;
  if (detail.verb !== "get" || !detail.formData) return;
  const empty = new Set();
  detail.formData.forEach((value, name) => {
    if (value === "") empty.add(name);
  });
  for (const name of empty) {
    if (detail.formData.getAll(name).every((value) => value === "")) detail.formData.delete(name);
  }
});

// Switching the language comes back to the page as it is now (a map drilled down, a
// filter changed in place), not as the server first sent it.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.matches("form.lang")) return;
  const next = form.querySelector("input[name=next]");
  if (next) next.value = window.location.pathname + window.location.search + window.location.hash;
});

// A form marked data-once (reporting) is sent once: a second tap while the first
// is on its way does nothing.  Its request id makes a resend harmless anyway.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.matches("[data-once]")) return;
  if (form.dataset.sent) {
    event.preventDefault();
    return;
  }
  form.dataset.sent = "1";
  form.classList.add("is-sending");
});
// Back to a page from the history: its forms can be sent again.
window.addEventListener("pageshow", () => {
  for (const form of document.querySelectorAll("form[data-sent]")) {
    delete form.dataset.sent;
    form.classList.remove("is-sending");
  }
});
