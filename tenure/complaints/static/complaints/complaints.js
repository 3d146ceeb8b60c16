/* Recovery page charts: every <div data-complaints="kind"> reads the JSON block "complaints-data"
   (Django's json_script), never inline code (CSP). */
(function () {
  "use strict";
  var palette = ["#0b5cab", "#d1495b", "#3aa3a0", "#f0a202"];
  var pct = function (v) { return v == null ? "—" : v.toFixed(1) + "%"; };

  var builders = {
    hist: function (d) {
      return { color: palette, tooltip: { trigger: "axis" }, grid: { left: 50, right: 20, top: 20, bottom: 40 },
        xAxis: { type: "category", data: d.hist.labels, name: d.hist.unit, nameLocation: "middle", nameGap: 26 }, yAxis: { type: "value", minInterval: 1 },
        series: [{ name: d.hist.name, type: "bar", barCategoryGap: "4%", data: d.hist.values }] };
    },
    pareto: function (d) {
      var p = d.pareto;
      return { color: palette, tooltip: { trigger: "axis" }, legend: { data: [p.bar, p.line] },
        grid: { left: 50, right: 50, top: 40, bottom: 90 },
        xAxis: { type: "category", data: p.labels, axisLabel: { rotate: 30, interval: 0, width: 120, overflow: "truncate" } },
        yAxis: [{ type: "value", minInterval: 1 }, { type: "value", max: 100, axisLabel: { formatter: "{value}%" } }],
        series: [{ name: p.bar, type: "bar", data: p.values },
                 { name: p.line, type: "line", yAxisIndex: 1, data: p.cumulative.map(function (v) { return Math.round(1000 * v) / 10; }) }] };
    },
    repurchase: function (d) {
      var r = d.repurchase;
      return { color: [palette[1], palette[0]], tooltip: { trigger: "axis", valueFormatter: pct }, legend: { data: r.series.map(function (s) { return s.name; }) },
        grid: { left: 50, right: 20, top: 40, bottom: 70 },
        xAxis: { type: "category", data: r.labels, axisLabel: { interval: 0, width: 90, overflow: "break" } },
        yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
        series: r.series.map(function (s) { return { name: s.name, type: "bar", data: s.values, barMaxWidth: 40 }; }) };
    },
    speed: function (d) {
      return { color: [palette[2]], tooltip: { trigger: "axis", valueFormatter: pct }, grid: { left: 50, right: 20, top: 20, bottom: 40 },
        xAxis: { type: "category", data: d.speed.labels, axisLabel: { interval: 0 } }, yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
        series: [{ name: d.speed.name, type: "bar", data: d.speed.values, barMaxWidth: 60 }] };
    }
  };

  function scan() {
    var source = document.getElementById("complaints-data");
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    document.querySelectorAll("[data-complaints]").forEach(function (node) {
      var kind = node.dataset.complaints;
      if (node.dataset.rendered || !builders[kind] || !data[kind]) { return; }
      var chart = window.echarts.init(node, null, { renderer: "canvas" });
      chart.setOption(builders[kind](data));
      node.dataset.rendered = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  document.addEventListener("DOMContentLoaded", scan);
})();
