// The dashboard's charts (ECharts from charts.js): the trend, categories and sources.
// The numbers are all in the page's tables; the charts only draw them, and a click on
// a point or a slice opens the list of its events.
(function () {
  "use strict";

  var COLORS = ["#1456a8", "#12b76a", "#7a5af8", "#e8590c", "#f79009", "#0ba5ec", "#ee46bc",
    "#667085", "#c4320a", "#16b364", "#444ce7", "#875bf7", "#fdb022", "#2e90fa", "#e31b54", "#98a2b3"];
  var charts = [];

  function data() {
    var node = document.getElementById("dash-data");
    return node ? JSON.parse(node.textContent) : null;
  }

  function open(url) {
    if (url) { window.location.href = url; }
  }

  function make(el, option, urls) {
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option);
    chart.on("click", function (params) {
      if (params.data && params.data.url) { open(params.data.url); }
      else if (urls && params.dataIndex !== undefined) { open(urls[params.dataIndex]); }
    });
    charts.push(chart);
  }

  function trend(el, t) {
    var order = ["reported", "handled", "closed", "overdue"];
    make(el, {
      color: ["#1456a8", "#12b76a", "#7a5af8", "#c4320a"],
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: order.map(function (k) { return t.names[k]; }) },
      grid: { left: 40, right: 12, top: 36, bottom: 28 },
      xAxis: { type: "category", data: t.labels, axisTick: { alignWithLabel: true } },
      yAxis: { type: "value", minInterval: 1 },
      series: order.map(function (k) {
        return {
          name: t.names[k],
          type: k === "reported" ? "bar" : "line",
          data: t.series[k],
          smooth: false,
          symbolSize: 5,
          barMaxWidth: 18,
        };
      }),
    }, t.urls);
  }

  function pie(el, rows) {
    if (!rows.length) { el.hidden = true; return; }
    make(el, {
      color: COLORS,
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
      series: [{
        type: "pie",
        radius: ["38%", "68%"],
        avoidLabelOverlap: true,
        label: { formatter: "{b}\n{c}", fontSize: 11 },
        data: rows,
      }],
    });
  }

  function draw() {
    var d = data();
    if (!d || !window.echarts) { return; }
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var kind = el.getAttribute("data-chart");
      if (kind === "trend") { trend(el, d.trend); }
      else if (d[kind]) { pie(el, d[kind]); }
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (c) { c.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
