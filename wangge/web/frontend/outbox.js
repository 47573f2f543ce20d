// The outbox of the grid worker's phone: nothing a worker records is lost to a bad network.
//
// Any <form data-outbox data-outbox-url="/api/v1/…"> is sent by this module instead of the
// browser.  Its fields become a JSON body (a name with dots makes nested objects:
// "answers.phone" → {answers: {phone: …}}; a name ending in "[]" is always a list; empty
// fields are left out); the button that sent it counts as a field; the hidden "request_id"
// (a new UUID for every submission) goes along.  A file input with
// data-outbox-upload="/api/v1/…" is uploaded first (multipart "file", its own request id and the
// fields of data-outbox-upload-data) and the id the server answers becomes the value of the
// field named by data-outbox-field (default: the input's name; "attachments[]": a list).
//
// Every submission is written to IndexedDB first (photos as blobs), then sent, in order, with
// the same request ids however often it is tried: the server stores each one once.
// Consecutive submissions of forms with the same data-outbox-batch-url (event reports) go up
// to 50 at a time in one request {reports: [...]}, each answered on its own.
//   2xx                 done: removed (the form goes on to data-outbox-next, "{id}" filled in);
//   no network, 5xx,    kept and tried again: on the "online" event, on every page load and
//   408, 429, timeout   every 20 s with a growing pause;
//   401, CSRF refusal   kept until the worker has logged in again;
//   other 4xx           refused (validation): shown to the worker and kept aside (never retried)
//                       until they dismiss it — on the form right away when it was sent at once.
// Submissions belong to the user who made them: another user signed in on the same phone
// neither sends nor sees them.

const DB_NAME = "wangge-outbox";
const STORE = "jobs";
const PENDING = "pending";
const FAILED = "failed";
const REQUEST_TIMEOUT_MS = 30_000;
const TICK_MS = 20_000;
const MAX_PAUSE_MS = 5 * 60_000;
const PAGES_CACHE = "wangge-pages";
const WARM_EVERY_MS = 30 * 60_000;
const FLASH = "wangge-outbox-flash";
const BATCH_MAX = 50;

const TEXT = {
  "zh-hans": {
    queued: "已离线保存，联网后自动提交",
    sent: "已提交",
    pending: (n) => `${n} 条待提交`,
    failed: (n) => `${n} 条未通过`,
    offline: "离线",
    login: "请重新登录后自动提交",
    refused: "提交未通过，请检查下列内容：",
    sending: "正在提交…",
    none: "没有待提交的记录。",
    retry: "立即提交",
    discard: "删除",
    discardAsk: "删除这条未通过的记录？删除后不可恢复。",
    tries: (n) => `已尝试 ${n} 次`,
    savedAt: "保存于",
    lastError: "上次失败",
    network: "网络不可用",
    unsupported: "此浏览器不支持离线保存",
    outbox: "待提交",
  },
  en: {
    queued: "Saved offline; it will be sent when you are back online",
    sent: "Sent",
    pending: (n) => `${n} waiting to be sent`,
    failed: (n) => `${n} refused`,
    offline: "Offline",
    login: "Log in again to send them",
    refused: "Not accepted; please check:",
    sending: "Sending…",
    none: "Nothing waiting to be sent.",
    retry: "Send now",
    discard: "Delete",
    discardAsk: "Delete this refused record? It cannot be restored.",
    tries: (n) => `${n} tries`,
    savedAt: "Saved",
    lastError: "Last failure",
    network: "No network",
    unsupported: "This browser cannot keep records offline",
    outbox: "Outbox",
  },
};

function t() {
  const lang = (document.documentElement.lang || "").toLowerCase();
  return lang.startsWith("zh") ? TEXT["zh-hans"] : TEXT.en;
}

// --- storage ---------------------------------------------------------------------------

// Plain IndexedDB (the small wrappers on npm use syntax the Safari 13 target cannot take).
let dbPromise = null;

function db() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => {
        request.result.createObjectStore(STORE, { keyPath: "id", autoIncrement: true });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    dbPromise.catch(() => {
      dbPromise = null;
    });
  }
  return dbPromise;
}

// One request in its own transaction; resolves when the transaction has committed.
async function store(mode, use) {
  const database = await db();
  return new Promise((resolve, reject) => {
    const tx = database.transaction(STORE, mode);
    const request = use(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(request.result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

// Whose submissions these are: the signed-in user shown in the top bar.
export function owner() {
  const who = document.querySelector("[data-testid=who] .who-name");
  return who ? who.textContent.trim() : "";
}

export async function jobs(state) {
  const all = await store("readonly", (s) => s.getAll());
  const mine = owner();
  return all.filter((job) => job.owner === mine && (!state || job.state === state));
}

async function put(job) {
  return store("readwrite", (s) => s.put(job));
}

async function remove(id) {
  return store("readwrite", (s) => s.delete(id));
}

// --- forms → jobs ----------------------------------------------------------------------

export function newRequestId() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") {
    return window.crypto.randomUUID().replace(/-/g, "");
  }
  const bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function assign(body, name, value) {
  const list = name.endsWith("[]");
  const parts = (list ? name.slice(0, -2) : name).split(".");
  let target = body;
  for (const part of parts.slice(0, -1)) {
    if (typeof target[part] !== "object" || target[part] === null || Array.isArray(target[part])) {
      target[part] = {};
    }
    target = target[part];
  }
  const key = parts[parts.length - 1];
  if (list) {
    target[key] = Array.isArray(target[key]) ? [...target[key], value] : [value];
  } else if (key in target) {
    target[key] = Array.isArray(target[key]) ? [...target[key], value] : [target[key], value];
  } else {
    target[key] = value;
  }
}

function fieldValue(element) {
  const value = element.value;
  if (element.type === "number" || element.dataset.outboxType === "number") {
    const number = Number(value);
    return Number.isFinite(number) ? number : value;
  }
  if (element.type === "checkbox" && !element.hasAttribute("value")) return true;
  return value;
}

// The submission a form describes, ready to be stored.
export function jobFromForm(form, submitter) {
  const requestField = form.querySelector("input[name=request_id]");
  const requestId = (requestField && requestField.value) || newRequestId();
  const body = {};
  const uploads = [];
  for (const element of form.elements) {
    const name = element.name;
    if (!name || element.disabled || name === "csrfmiddlewaretoken" || name === "request_id") {
      continue;
    }
    if (element.type === "file") {
      const target = element.dataset.outboxUpload;
      const files = Array.from(element.files || []);
      if (files.length && !target) throw new Error(`${name}: no data-outbox-upload`);
      files.forEach((file, index) => {
        uploads.push({
          url: target,
          field: element.dataset.outboxField || name,
          input: name,
          data: JSON.parse(element.dataset.outboxUploadData || "{}"),
          request_id: `${requestId}-${name}-${index}`,
          blob: file,
          filename: file.name || `${name}-${index}`,
        });
      });
      continue;
    }
    if (["submit", "button", "reset", "image"].includes(element.type)) continue;
    if ((element.type === "checkbox" || element.type === "radio") && !element.checked) continue;
    if (element.tagName === "SELECT" && element.multiple) {
      for (const option of element.selectedOptions) assign(body, name, option.value);
      continue;
    }
    if (element.value === "") continue;
    assign(body, name, fieldValue(element));
  }
  if (submitter && submitter.name && submitter.value !== "") {
    assign(body, submitter.name, submitter.value);
  }
  body.request_id = requestId;
  return {
    owner: owner(),
    url: form.dataset.outboxUrl,
    batch_url: form.dataset.outboxBatchUrl || "",
    label: form.dataset.outboxLabel || document.title.split(" · ")[0],
    page: window.location.pathname,
    request_id: requestId,
    body,
    uploads,
    created_at: new Date().toISOString(),
    state: PENDING,
    attempts: 0,
    next_at: 0,
    error: null,
  };
}

// --- sending -----------------------------------------------------------------------------

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (match) return decodeURIComponent(match[1]);
  const field = document.querySelector("input[name=csrfmiddlewaretoken]");
  return field ? field.value : "";
}

class Offline extends Error {}

async function post(url, body, headers) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
  try {
    return await fetch(url, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken(), ...headers },
      signal: controller.signal,
    });
  } catch (error) {
    throw new Offline(error && error.message);
  } finally {
    clearTimeout(timer);
  }
}

async function answer(response) {
  let data = null;
  try {
    data = await response.json();
  } catch (error) {
    data = null;
  }
  return data;
}

// What an answer means for the submission: done, retry (later), login (needed) or refused.
function verdict(response, data) {
  const status = response.status;
  if (status >= 200 && status < 300) return "done";
  if (status >= 500 || status === 408 || status === 429) return "retry";
  if (status === 401) return "login";
  const message = (data && data.message) || "";
  if (status === 403 && /csrf/i.test(message)) return "login";
  return "refused";
}

function refusal(response, data, fieldFor) {
  const fields = {};
  const given = (data && data.fields) || {};
  for (const name of Object.keys(given)) {
    const messages = given[name];
    fields[fieldFor(name)] = Array.isArray(messages) ? messages : [String(messages)];
  }
  return {
    status: response.status,
    message: (data && data.message) || `HTTP ${response.status}`,
    fields,
  };
}

// The uploads of a submission, then its body naming them: {body}, or {result} when an
// upload was not answered with 2xx.
async function withUploads(job) {
  const body = JSON.parse(JSON.stringify(job.body));
  for (const upload of job.uploads) {
    const form = new FormData();
    form.append("file", upload.blob, upload.filename);
    form.append("request_id", upload.request_id);
    const extra = upload.data || {};
    for (const key of Object.keys(extra)) form.append(key, extra[key]);
    const response = await post(upload.url, form, {});
    const data = await answer(response);
    const outcome = verdict(response, data);
    if (outcome !== "done") {
      const fieldFor = (name) => (name === "file" ? upload.input : name);
      return { result: { outcome, response, error: refusal(response, data, fieldFor) } };
    }
    assign(body, upload.field, data.id);
  }
  return { body };
}

const JSON_HEADERS = { "Content-Type": "application/json" };

// One try of one submission: its uploads, then its body.
async function attempt(job) {
  const prepared = await withUploads(job);
  if (prepared.result) return prepared.result;
  const response = await post(job.url, JSON.stringify(prepared.body), JSON_HEADERS);
  const data = await answer(response);
  const outcome = verdict(response, data);
  return { outcome, response, data, error: refusal(response, data, (name) => name) };
}

// One try of consecutive submissions with the same data-outbox-batch-url (event reports):
// each one's uploads, then one request {reports: [...]} answered report by report.  A Map
// of job id → result; a job without one was not tried (the drain stops there).
async function attemptBatch(group) {
  const results = new Map();
  const members = [];
  const bodies = [];
  for (const job of group) {
    const prepared = await withUploads(job);
    if (prepared.result) {
      results.set(job.id, prepared.result);
      break;
    }
    members.push(job);
    bodies.push(prepared.body);
  }
  if (!members.length) return results;
  const response = await post(group[0].batch_url, JSON.stringify({ reports: bodies }), JSON_HEADERS);
  const data = await answer(response);
  const outcome = verdict(response, data);
  if (outcome !== "done") {
    if (outcome === "refused") {
      // The batch as a whole was refused (no such endpoint, a malformed report): one by one.
      batching = false;
      return results;
    }
    const error = refusal(response, data, (name) => name);
    for (const job of members) results.set(job.id, { outcome, response, error });
    return results;
  }
  const answered = new Map(((data && data.results) || []).map((item) => [item.request_id, item]));
  for (const job of members) {
    const item = answered.get(job.request_id);
    if (!item) continue;
    if (item.status === "invalid") {
      const error = {
        status: 422,
        message: item.message || t().refused,
        fields: item.fields || {},
      };
      results.set(job.id, { outcome: "refused", response: { status: 422 }, data: item, error });
    } else {
      const status = item.status === "created" ? 201 : 200;
      results.set(job.id, { outcome: "done", response: { status }, data: item });
    }
  }
  return results;
}

// Consecutive waiting submissions that can go in one batch with ``waiting[index]``.
function batchFrom(waiting, index, force) {
  const head = waiting[index];
  const group = [head];
  if (!batching || !head.batch_url) return group;
  for (let i = index + 1; i < waiting.length && group.length < BATCH_MAX; i += 1) {
    const next = waiting[i];
    if (next.batch_url !== head.batch_url || (!force && next.next_at > Date.now())) break;
    group.push(next);
  }
  return group;
}

function pause(attempts) {
  return Math.min(5_000 * 2 ** Math.max(0, attempts - 1), MAX_PAUSE_MS);
}

let chain = Promise.resolve();
let needsLogin = false;
// Off for this page once a batch URL refused a batch as a whole: then one by one.
let batching = true;

// Send what is waiting, oldest first; stop at the first one that must wait (order is kept).
// ``force`` ignores the pauses between tries (back online, "send now").  Resolves to a Map
// of job id → {outcome, data, error} for the submissions tried.
export function drain(options) {
  const force = Boolean(options && options.force);
  const run = chain.then(() => withLock(() => drainOnce(force)));
  chain = run.catch(() => undefined);
  return run;
}

function withLock(fn) {
  if (navigator.locks && typeof navigator.locks.request === "function") {
    return navigator.locks.request("wangge-outbox", fn);
  }
  return fn();
}

async function drainOnce(force) {
  const results = new Map();
  const waiting = (await jobs(PENDING)).sort((a, b) => a.id - b.id);
  let index = 0;
  let stop = false;
  while (index < waiting.length && !stop) {
    const job = waiting[index];
    if (!force && job.next_at > Date.now()) break;
    const group = batchFrom(waiting, index, force);
    let tried;
    try {
      tried = group.length > 1 ? await attemptBatch(group) : new Map([[job.id, await attempt(job)]]);
    } catch (error) {
      if (!(error instanceof Offline)) throw error;
      const offline = { outcome: "retry", error: { status: 0, message: t().network, fields: {} } };
      tried = new Map([[job.id, offline]]);
    }
    // A batch refused as a whole: the same submissions again, one by one (batching is off).
    if (group.length > 1 && tried.size === 0 && !batching) continue;
    for (const member of group) {
      const result = tried.get(member.id);
      if (!result) {
        stop = true; // not tried: its turn comes again
        break;
      }
      results.set(member.id, result);
      if (result.outcome === "done") {
        needsLogin = false;
        await remove(member.id);
      } else if (result.outcome === "refused") {
        await put({ ...member, state: FAILED, error: result.error, attempts: member.attempts + 1 });
      } else {
        // Try again later, and the submissions behind it wait (their order is kept).
        needsLogin = result.outcome === "login";
        await put({
          ...member,
          attempts: member.attempts + 1,
          next_at: Date.now() + pause(member.attempts + 1),
          error: result.error,
        });
        stop = true;
        break;
      }
      index += 1;
    }
  }
  await refresh();
  return results;
}

// --- on the page -----------------------------------------------------------------------

function note(form, text, kind) {
  let box = form.querySelector("[data-outbox-note]");
  if (!box) {
    box = document.createElement("p");
    box.setAttribute("data-outbox-note", "");
    box.setAttribute("role", "status");
    form.prepend(box);
  }
  box.className = `outbox-note outbox-note-${kind}`;
  box.textContent = text;
  box.hidden = false;
  return box;
}

function clearErrors(form) {
  for (const element of form.querySelectorAll("[data-outbox-error]")) element.remove();
  for (const element of form.querySelectorAll(".has-error[data-outbox-marked]")) {
    element.classList.remove("has-error");
    element.removeAttribute("data-outbox-marked");
  }
}

function showRefusal(form, error) {
  clearErrors(form);
  const loose = [];
  const fields = error.fields || {};
  for (const name of Object.keys(fields)) {
    const messages = fields[name];
    const input = form.querySelector(`[name="${CSS.escape(name)}"]`);
    const holder = input && (input.closest(".field") || input.parentElement);
    if (!holder) {
      loose.push(...messages);
      continue;
    }
    if (!holder.classList.contains("has-error")) {
      holder.classList.add("has-error");
      holder.setAttribute("data-outbox-marked", "");
    }
    for (const message of messages) {
      const span = document.createElement("span");
      span.className = "field-error";
      span.setAttribute("role", "alert");
      span.setAttribute("data-outbox-error", "");
      span.textContent = message;
      holder.append(span);
    }
  }
  const box = note(form, `${t().refused} ${error.message}`, "error");
  for (const message of loose) {
    const line = document.createElement("span");
    line.className = "outbox-note-line";
    line.setAttribute("data-outbox-error", "");
    line.textContent = message;
    box.append(line);
  }
  box.scrollIntoView({ block: "nearest" });
}

function renew(form) {
  const field = form.querySelector("input[name=request_id]");
  if (field) field.value = newRequestId();
}

function fill(template, data, encode) {
  return template.replace(/\{(\w+)\}/g, (_, key) => {
    const value = data && data[key] !== undefined && data[key] !== null ? String(data[key]) : "";
    return encode ? encodeURIComponent(value) : value;
  });
}

// The message of a form sent just before the page changed, shown like Django's messages.
function showFlash() {
  const text = sessionStorage.getItem(FLASH);
  if (!text) return;
  sessionStorage.removeItem(FLASH);
  let list = document.querySelector("ul.flash");
  if (!list) {
    list = document.createElement("ul");
    list.className = "flash";
    list.setAttribute("data-testid", "messages");
    const main = document.querySelector("main");
    if (!main) return;
    main.parentNode.insertBefore(list, main);
  }
  const item = document.createElement("li");
  item.className = "flash-item flash-success";
  item.setAttribute("role", "status");
  item.textContent = text;
  list.append(item);
}

async function submit(form, submitter) {
  const text = t();
  let job;
  try {
    job = jobFromForm(form, submitter);
  } catch (error) {
    note(form, String(error.message || error), "error");
    return;
  }
  let id;
  try {
    id = await put(job);
  } catch (error) {
    // No IndexedDB (private mode, very old browser): the form goes the ordinary way.
    note(form, text.unsupported, "error");
    form.removeAttribute("data-outbox");
    form.submit();
    return;
  }
  clearErrors(form);
  note(form, text.sending, "busy");
  // A sent form's request id is used up: the next submission of this form is another one.
  renew(form);
  const results = navigator.onLine === false ? new Map() : await drain({ force: true });
  const result = results.get(id);
  if (result && result.outcome === "done") {
    form.dispatchEvent(
      new CustomEvent("outbox:sent", { bubbles: true, detail: { job, data: result.data } }),
    );
    // data-outbox-done (and -again, for a submission the server already had): the message.
    const again = result.response.status === 200 && form.dataset.outboxDoneAgain;
    const template = again ? form.dataset.outboxDoneAgain : form.dataset.outboxDone;
    const done = template ? fill(template, result.data, false) : text.sent;
    if (form.dataset.outboxNext) {
      sessionStorage.setItem(FLASH, done);
      window.location.assign(fill(form.dataset.outboxNext, result.data, true));
      return;
    }
    form.reset();
    note(form, done, "ok");
    return;
  }
  if (result && result.outcome === "refused") {
    // Shown on the form, which still holds what was typed: nothing to keep aside.
    await remove(id);
    await refresh();
    showRefusal(form, result.error);
    return;
  }
  form.dispatchEvent(new CustomEvent("outbox:queued", { bubbles: true, detail: { job } }));
  form.reset();
  note(form, text.queued, "queued");
  await refresh();
}

// Every outbox form starts with a fresh request id: a page kept for offline use would
// otherwise offer the same id every time it is opened.
function prepare(root) {
  for (const form of root.querySelectorAll("form[data-outbox]")) {
    if (form.dataset.outboxReady) continue;
    form.dataset.outboxReady = "1";
    renew(form);
  }
}

// --- the status in the top bar and the outbox panel -------------------------------------

function badge() {
  let element = document.querySelector("[data-outbox-badge]");
  if (element) return element;
  const bar = document.querySelector(".topbar");
  if (!bar) return null;
  element = document.createElement("a");
  element.className = "outbox-badge";
  element.href = "/fieldwork/#outbox";
  element.setAttribute("data-outbox-badge", "");
  element.setAttribute("data-testid", "outbox-badge");
  element.setAttribute("role", "status");
  const who = bar.querySelector(".who");
  bar.insertBefore(element, who || null);
  return element;
}

function when(iso) {
  const date = new Date(iso);
  const pad = (n) => String(n).padStart(2, "0");
  return `${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export async function refresh() {
  if (!owner()) return;
  let all;
  try {
    all = await jobs();
  } catch (error) {
    return;
  }
  const waiting = all.filter((job) => job.state === PENDING);
  const refused = all.filter((job) => job.state === FAILED);
  const text = t();
  const element = badge();
  if (element) {
    const parts = [];
    if (navigator.onLine === false) parts.push(text.offline);
    if (waiting.length) parts.push(text.pending(waiting.length));
    if (refused.length) parts.push(text.failed(refused.length));
    element.textContent = parts.join(" · ");
    element.dataset.pending = String(waiting.length);
    element.dataset.failed = String(refused.length);
    element.classList.toggle("is-offline", navigator.onLine === false);
    element.classList.toggle("is-failed", refused.length > 0);
    element.hidden = parts.length === 0;
    if (needsLogin && waiting.length) element.title = text.login;
    else element.removeAttribute("title");
  }
  const panel = document.querySelector("[data-outbox-panel]");
  if (panel) renderPanel(panel, waiting, refused);
  if (waiting.length) schedule();
}

function renderPanel(panel, waiting, refused) {
  const text = t();
  const list = document.createElement("ul");
  list.className = "outbox-list";
  for (const job of [...waiting, ...refused]) {
    const item = document.createElement("li");
    item.className = `outbox-item outbox-${job.state}`;
    item.dataset.job = String(job.id);
    item.dataset.state = job.state;
    const title = document.createElement("span");
    title.className = "outbox-title";
    title.textContent = job.label;
    const meta = document.createElement("span");
    meta.className = "outbox-meta";
    const bits = [`${text.savedAt} ${when(job.created_at)}`];
    if (job.attempts) bits.push(text.tries(job.attempts));
    meta.textContent = bits.join(" · ");
    item.append(title, meta);
    if (job.error && (job.error.message || Object.keys(job.error.fields || {}).length)) {
      const error = document.createElement("span");
      error.className = job.state === FAILED ? "outbox-error" : "outbox-meta";
      const details = Object.values(job.error.fields || {}).flat();
      const prefix = job.state === FAILED ? "" : `${text.lastError}: `;
      error.textContent = prefix + [job.error.message, ...details].filter(Boolean).join("；");
      item.append(error);
    }
    if (job.state === FAILED) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-outline btn-sm";
      button.textContent = text.discard;
      button.setAttribute("data-outbox-discard", String(job.id));
      item.append(button);
    }
    list.append(item);
  }
  const summary = panel.querySelector("[data-outbox-summary]");
  if (summary) {
    const parts = [];
    if (waiting.length) parts.push(text.pending(waiting.length));
    if (refused.length) parts.push(text.failed(refused.length));
    if (needsLogin && waiting.length) parts.push(text.login);
    summary.textContent = parts.length ? parts.join(" · ") : text.none;
  }
  const holder = panel.querySelector("[data-outbox-items]");
  if (holder) holder.replaceChildren(list);
  const retry = panel.querySelector("[data-outbox-retry]");
  if (retry) retry.hidden = waiting.length === 0;
  panel.hidden = false;
}

let timer = null;

function schedule() {
  if (timer) return;
  timer = window.setInterval(async () => {
    const waiting = await jobs(PENDING).catch(() => []);
    if (!waiting.length) {
      window.clearInterval(timer);
      timer = null;
      return;
    }
    if (navigator.onLine !== false) drain();
  }, TICK_MS);
}

// --- the service worker ------------------------------------------------------------------

function signedIn() {
  return Boolean(document.querySelector("form.logout"));
}

// Field workers (the "today" tab) and pages with outbox forms use the service worker.
function fieldPage() {
  return Boolean(
    document.querySelector("[data-nav=today], form[data-outbox], #offline-pages"),
  );
}

async function forgetPages() {
  if (!("caches" in window)) return;
  try {
    await window.caches.delete(PAGES_CACHE);
  } catch (error) {
    // nothing kept
  }
}

function warmList() {
  const urls = new Set(["/fieldwork/", "/events/new/"]);
  const listed = document.getElementById("offline-pages");
  if (listed) {
    try {
      for (const url of JSON.parse(listed.textContent)) urls.add(url);
    } catch (error) {
      // keep the defaults
    }
  }
  return [...urls];
}

async function startServiceWorker() {
  if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
  if (!signedIn()) {
    // The login page: the kept pages were somebody's; forget them.
    if (document.querySelector("input[name=password]")) {
      await forgetPages();
      localStorage.removeItem("wangge-warmed");
    }
    return;
  }
  if (!fieldPage()) return;
  if (!document.querySelector("link[rel=manifest]")) {
    const link = document.createElement("link");
    link.rel = "manifest";
    link.href = "/fieldwork/manifest.webmanifest";
    document.head.append(link);
  }
  try {
    await navigator.serviceWorker.register("/sw.js", { scope: "/" });
    const ready = await navigator.serviceWorker.ready;
    // The today page lists what to keep; elsewhere the essentials, at most twice an hour.
    const listed = Boolean(document.getElementById("offline-pages"));
    const last = Number(localStorage.getItem("wangge-warmed") || 0);
    if (navigator.onLine !== false && (listed || Date.now() - last > WARM_EVERY_MS)) {
      ready.active.postMessage({ type: "warm", urls: warmList() });
      localStorage.setItem("wangge-warmed", String(Date.now()));
    }
  } catch (error) {
    // No service worker: the pages work online as before.
  }
}

// --- start -------------------------------------------------------------------------------

export function initOutbox() {
  showFlash();
  prepare(document);
  // Capture: this runs before htmx, data-once or any other submit handler, and stops them.
  window.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      if (!(form instanceof HTMLFormElement) || !form.matches("form[data-outbox]")) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      if (form.dataset.outboxBusy) return;
      form.dataset.outboxBusy = "1";
      form.classList.add("is-sending");
      submit(form, event.submitter).finally(() => {
        delete form.dataset.outboxBusy;
        form.classList.remove("is-sending");
      });
    },
    true,
  );
  document.addEventListener("htmx:load", (event) => prepare(event.target));
  document.addEventListener("click", async (event) => {
    const target = event.target instanceof Element ? event.target : null;
    const discard = target && target.closest("[data-outbox-discard]");
    if (discard) {
      if (!window.confirm(t().discardAsk)) return;
      await remove(Number(discard.getAttribute("data-outbox-discard")));
      await refresh();
      return;
    }
    if (target && target.closest("[data-outbox-retry]")) {
      await drain({ force: true });
    }
  });
  const logout = document.querySelector("form.logout");
  if (logout) {
    logout.addEventListener("submit", (event) => {
      if (logout.dataset.forgotten) return;
      event.preventDefault();
      forgetPages().finally(() => {
        localStorage.removeItem("wangge-warmed");
        logout.dataset.forgotten = "1";
        logout.submit();
      });
    });
  }
  window.addEventListener("online", () => {
    drain({ force: true });
  });
  window.addEventListener("offline", () => refresh());
  if (!("indexedDB" in window)) return;
  // A page opened: the worker is here (and may just have logged in again): try at once.
  refresh().then(() => {
    if (navigator.onLine !== false && owner()) drain({ force: true });
  });
  startServiceWorker();
}
