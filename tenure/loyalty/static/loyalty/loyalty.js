/* Loyalty dashboard charts: every <div data-loyalty="kind"> reads its data from the JSON blocks
   "loyalty-data" and "loyalty-holdout", and its axis and series names in the page's language from
   "loyalty-labels" (Django's json_script), never from inline code (CSP). */
(function () {
  "use strict";
  var palette = ["#0b5cab", "#3aa3a0", "#f0a202", "#7b61c4", "#d1495b"];
  var pct = function (v) { return v == null ? "—" : (100 * v).toFixed(1) + "%"; };
  var t = {};  // translated labels, read in scan()

  function curves(name, curve, color) {
    var line = function (key, dashed) {
      return { name: name, type: "line", step: "end", symbol: "none", color: color, silent: dashed,
        lineStyle: dashed ? { type: "dashed", width: 1, opacity: 0.7 } : { width: 2 },
        data: curve.time.map(function (t, i) { return [t, curve[key][i]]; }) };
    };
    return [line("survival", false), line("lower", true), line("upper", true)];
  }

  var builders = {
    trend: function (d) {
      return { color: palette, tooltip: { trigger: "axis", valueFormatter: pct }, grid: { left: 50, right: 20, top: 20, bottom: 30 },
        xAxis: { type: "category", data: d.trend.months }, yAxis: { type: "value", scale: true, axisLabel: { formatter: pct } },
        series: [{ type: "line", data: d.trend.retention }] };
    },
    cohorts: function (d) {
      var cells = [], ages = 0, lowest = 1;
      d.cohorts.forEach(function (c, y) {
        ages = Math.max(ages, c.rates.length);
        c.rates.forEach(function (v, x) { if (v !== null) { cells.push([x, y, v]); lowest = Math.min(lowest, v); } });
      });
      // The colour scale spans the rates seen (retention sits near 100%: on 0–100% every cell looked alike).
      var floor = Math.min(Math.floor(lowest * 100) / 100, 0.99);
      return { tooltip: { formatter: function (p) { return d.cohorts[p.value[1]].cohort + " +" + p.value[0] + ": " + pct(p.value[2]); } },
        grid: { left: 70, right: 20, top: 10, bottom: 75 },
        xAxis: { type: "category", name: t.months_since_onboarding, nameLocation: "middle", nameGap: 24,
          data: Array.from({ length: ages }, function (_, i) { return i; }) },
        yAxis: { type: "category", data: d.cohorts.map(function (c) { return c.cohort + " (" + c.size + ")"; }) },
        visualMap: { min: floor, max: 1, orient: "horizontal", left: "center", bottom: 0, itemHeight: 160, text: ["100%", pct(floor)],
          inRange: { color: ["#d1495b", "#f0a202", "#3aa3a0"] } },
        series: [{ type: "heatmap", data: cells, label: { show: cells.length < 200, formatter: function (p) { return Math.round(100 * p.value[2]); } } }] };
    },
    survival: function (d) {
      var series = [];
      if (d.survival.all) { series = series.concat(curves(t.all, d.survival.all, palette[0])); }
      if (d.survival["new"]) { series = series.concat(curves(t["new"], d.survival["new"], palette[2])); }
      return { tooltip: { trigger: "axis" }, legend: { data: [t.all, t["new"]] }, grid: { left: 60, right: 20, top: 30, bottom: 45 },
        xAxis: { type: "value", name: t.months, nameLocation: "middle", nameGap: 24 }, yAxis: { type: "value", scale: true, max: 1, axisLabel: { formatter: pct } }, series: series };
    },
    clv_hist: function (d) {
      return { color: palette, tooltip: { trigger: "axis" }, grid: { left: 50, right: 20, top: 20, bottom: 60 },
        xAxis: { type: "category", data: d.clv_hist.labels, axisLabel: { rotate: 30 } }, yAxis: { type: "value", minInterval: 1 },
        series: [{ type: "bar", data: d.clv_hist.values }] };
    },
    pareto: function (d) {
      return { color: palette, tooltip: { trigger: "axis" }, grid: { left: 50, right: 20, top: 35, bottom: 40 },
        xAxis: { type: "value", max: 100, name: t.share_customers, nameLocation: "middle", nameGap: 24 },
        yAxis: { type: "value", max: 100, name: t.share_clv },
        series: [{ type: "line", symbol: "none", data: d.pareto.customers.map(function (x, i) { return [x, d.pareto.value[i]]; }) },
                 { type: "line", symbol: "none", lineStyle: { type: "dashed", color: "#999" }, data: [[0, 0], [100, 100]] }] };
    },
    wallet: function (d) {
      var w = d.wallet;
      return { color: palette, tooltip: { trigger: "axis", valueFormatter: pct }, legend: {}, grid: { left: 20, right: 20, top: 30, bottom: 10, containLabel: true },
        xAxis: { type: "category", data: w.labels, axisLabel: { interval: 0, width: 90, overflow: "break" } }, yAxis: { type: "value", max: 1, axisLabel: { formatter: pct } },
        series: [{ name: t.p25, type: "bar", data: w.p25 }, { name: t.median, type: "bar", data: w.median }, { name: t.p75, type: "bar", data: w.p75 }] };
    },
    holdout: function (d, h) {
      return { color: palette, tooltip: { trigger: "axis" }, legend: {}, grid: { left: 60, right: 20, top: 30, bottom: 30 },
        xAxis: { type: "category", data: h.months }, yAxis: { type: "value" },
        series: [{ name: t.predicted, type: "bar", data: h.predicted }, { name: t.actual, type: "bar", data: h.actual }] };
    }
  };

  function scan() {
    var source = document.getElementById("loyalty-data");
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var holdout = JSON.parse(document.getElementById("loyalty-holdout").textContent);
    t = JSON.parse(document.getElementById("loyalty-labels").textContent);
    document.querySelectorAll("[data-loyalty]").forEach(function (node) {
      var kind = node.dataset.loyalty;
      if (node.dataset.rendered || !builders[kind] || (kind !== "holdout" && !data[kind])) { return; }
      var chart = window.echarts.init(node, null, { renderer: "canvas" });
      chart.setOption(builders[kind](data, holdout));
      node.dataset.rendered = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  document.addEventListener("DOMContentLoaded", scan);
})();
