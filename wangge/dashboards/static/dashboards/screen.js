// The command centre's big screen: today's figures, the rates of the last 30 days, the
// trend, categories, ranking and departments — fetched from /api/v1/dashboards/… (the
// browser's session) and again every `refresh` seconds.  A failed refresh keeps what is
// shown and says so; the next one tries again.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("sc-config").textContent);
  var L = config.labels;
  // Dates and times in the page's language (zh-CN by default), not the browser's.
  var LOCALE = document.documentElement.lang || undefined;
  var charts = {};
  var COLORS = ["#3ba0ff", "#36cbcb", "#4ecb73", "#fbd437", "#f2637b", "#975fe5", "#ff9f40",
    "#5dd5ff", "#a0e75a", "#ff7eb3", "#8c9eff", "#ffd166", "#06d6a0", "#ef476f", "#118ab2", "#c0c0c0"];

  function url(path, params) {
    var query = new URLSearchParams(params);
    if (config.under) { query.set("under", config.under); }
    return config.api + path + "?" + query.toString();
  }

  function get(path, params) {
    return fetch(url(path, params), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) { throw new Error(r.status); }
        return r.json();
      });
  }

  function pct(v) { return v === null || v === undefined ? "—" : (v * 100).toFixed(1) + "%"; }
  function num(v) { return v === null || v === undefined ? "—" : Number(v).toLocaleString(LOCALE); }

  function tiles(el, items) {
    el.textContent = "";
    items.forEach(function (item) {
      var tile = document.createElement("div");
      tile.className = "sc-tile" + (item.alert ? " is-alert" : "");
      var value = document.createElement("span");
      value.className = "sc-value";
      value.textContent = item.value;
      var label = document.createElement("span");
      label.className = "sc-label";
      label.textContent = item.label;
      tile.appendChild(value);
      tile.appendChild(label);
      el.appendChild(tile);
    });
  }

  function chart(id) {
    if (!window.echarts) { return null; }
    if (!charts[id]) {
      charts[id] = window.echarts.init(document.getElementById(id), null, { renderer: "svg" });
    }
    return charts[id];
  }

  var axis = { axisLine: { lineStyle: { color: "#3a4a6b" } }, splitLine: { lineStyle: { color: "#1c2a48" } },
    axisLabel: { color: "#9fb3d9" } };

  function drawTrend(t) {
    var c = chart("sc-trend");
    if (!c) { return; }
    var labels = t.points.map(function (p) { return p.label; });
    var series = ["reported", "handled", "overdue"].map(function (k) {
      return { name: L[k], type: k === "reported" ? "bar" : "line", smooth: false, barMaxWidth: 16,
        data: t.points.map(function (p) { return p[k]; }) };
    });
    c.setOption({
      backgroundColor: "transparent",
      color: ["#3ba0ff", "#4ecb73", "#f2637b"],
      tooltip: { trigger: "axis" },
      legend: { top: 0, textStyle: { color: "#cfe0ff" } },
      grid: { left: 44, right: 16, top: 32, bottom: 24 },
      xAxis: Object.assign({ type: "category", data: labels }, axis),
      yAxis: Object.assign({ type: "value", minInterval: 1 }, axis),
      series: series,
    });
  }

  function drawCategories(s) {
    var c = chart("sc-category");
    if (!c) { return; }
    var rows = (s.breakdowns.category || []).map(function (r) { return { name: r.label, value: r.reported }; });
    // Names wrap rather than being cut ("安全生产/消防隐患"), the share on its own line; the
    // labels of slices too small to have room are hidden (the tooltip still names them).
    var narrow = c.getWidth() < 480;
    c.setOption({
      backgroundColor: "transparent",
      color: COLORS,
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
      series: [{ type: "pie", radius: narrow ? ["26%", "46%"] : ["34%", "60%"], data: rows,
        percentPrecision: 1, minShowLabelAngle: 4, avoidLabelOverlap: true,
        labelLine: { length: 6, length2: 6 },
        labelLayout: { hideOverlap: true },
        label: { color: "#cfe0ff", formatter: "{b}\n{d}%", overflow: "break", lineHeight: 14,
          fontSize: narrow ? 11 : 12, width: narrow ? 72 : 96 } }],
    });
  }

  function drawDepartments(s) {
    var c = chart("sc-departments");
    if (!c) { return; }
    var rows = (s.breakdowns.department || []).filter(function (r) { return r.key; }).slice(0, 10).reverse();
    c.setOption({
      backgroundColor: "transparent",
      color: ["#36cbcb", "#fbd437"],
      tooltip: { trigger: "axis" },
      legend: { top: 0, textStyle: { color: "#cfe0ff" } },
      grid: { left: 110, right: 16, top: 28, bottom: 20 },
      xAxis: Object.assign({ type: "value", minInterval: 1 }, axis),
      yAxis: Object.assign({ type: "category", data: rows.map(function (r) { return r.label; }) }, axis),
      series: [
        { name: L.handled, type: "bar", data: rows.map(function (r) { return r.handled; }) },
        { name: L.overdue, type: "bar", data: rows.map(function (r) { return r.overdue; }) },
      ],
    });
  }

  function drawRanking(r) {
    var list = document.getElementById("sc-ranking");
    list.textContent = "";
    r.rows.slice(0, 10).forEach(function (row) {
      var li = document.createElement("li");
      var name = document.createElement("span");
      name.className = "sc-name";
      name.textContent = row.label;
      var value = document.createElement("span");
      value.className = "sc-num";
      value.textContent = num(row.reported) + " · " + pct(row.handling_rate);
      li.appendChild(name);
      li.appendChild(value);
      list.appendChild(li);
    });
  }

  function refresh() {
    var jobs = [
      get("/dashboards/figures", { period: "today" }),
      get("/dashboards/summary", { period: "30d" }),
      get("/dashboards/trend", { period: "30d", bucket: "day" }),
      config.ranking ? get("/dashboards/ranking", { period: "30d", of: "children" }) : Promise.resolve({ rows: [] }),
    ];
    return Promise.all(jobs).then(function (answers) {
      var today = answers[0], month = answers[1];
      tiles(document.getElementById("sc-today"), [
        { label: L.reported, value: num(today.reported) },
        { label: L.registered, value: num(today.registered) },
        { label: L.handled, value: num(today.handled) },
        { label: L.overdue, value: num(today.overdue), alert: today.overdue > 0 },
      ]);
      tiles(document.getElementById("sc-rates"), [
        { label: L.handling_rate, value: pct(month.handling_rate) },
        { label: L.on_time_rate, value: pct(month.on_time_rate) },
        { label: L.dept_response_rate, value: pct(month.dept_response_rate) },
        { label: L.satisfaction_rate, value: pct(month.satisfaction_rate) },
        { label: L.score, value: month.three_rates.score === null ? "—" : month.three_rates.score.toFixed(1) },
      ]);
      drawTrend(answers[2]);
      drawCategories(month);
      drawDepartments(month);
      drawRanking(answers[3]);
      document.getElementById("sc-updated").textContent = L.updated + " " + new Date().toLocaleTimeString(LOCALE, { hour12: false });
      document.body.classList.remove("is-stale");
    }).catch(function () {
      document.getElementById("sc-updated").textContent = L.failed;
      document.body.classList.add("is-stale");
    });
  }

  function tick() {
    document.getElementById("sc-clock").textContent = new Date().toLocaleString(LOCALE, { hour12: false });
  }

  tick();
  setInterval(tick, 1000);
  refresh();
  setInterval(refresh, Math.max(5, config.refresh) * 1000);
  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (k) { charts[k].resize(); });
  });
})();
