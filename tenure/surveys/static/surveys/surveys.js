/* Survey results charts: each <div data-survey="kind"> reads the JSON block "survey-data"
   (Django's json_script), never inline code (CSP). Labels come from data-* attributes. */
(function () {
  "use strict";
  var palette = ["#0b5cab", "#3aa3a0", "#f0a202", "#7b61c4", "#d1495b"];
  var quadrantColor = { concentrate: "#d1495b", keep_up: "#3aa3a0", low_priority: "#5d6d7e", overkill: "#f0a202" };

  function ipa(d, node) {
    var p = d.ipa, xs = p.points.map(function (q) { return q.x; }), ys = p.points.map(function (q) { return q.y; });
    var lo = Math.floor(Math.min.apply(null, xs.concat(ys)) * 2) / 2 - 0.25;
    var hi = Math.ceil(Math.max.apply(null, xs.concat(ys)) * 2) / 2 + 0.25;
    var label = function (k) { return node.dataset["q" + k.replace(/_(\w)/g, function (_, c) { return c.toUpperCase(); }).replace(/^\w/, function (c) { return c.toUpperCase(); })] || k; };
    var area = function (k, x0, x1, y0, y1) {
      return [{ name: label(k), xAxis: x0, yAxis: y1, itemStyle: { color: quadrantColor[k], opacity: 0.06 } }, { xAxis: x1, yAxis: y0 }];
    };
    var tx = p.x_threshold, ty = p.y_threshold;
    return {
      tooltip: { formatter: function (e) { return e.data.name + "<br>" + node.dataset.x + " " + e.data.value[0] + " · " + node.dataset.y + " " + e.data.value[1]; } },
      grid: { left: 50, right: 20, top: 20, bottom: 50 },
      xAxis: { type: "value", name: node.dataset.x, nameLocation: "middle", nameGap: 28, min: lo, max: hi },
      yAxis: { type: "value", name: node.dataset.y, nameLocation: "middle", nameGap: 34, min: lo, max: hi },
      series: [{
        type: "scatter", symbolSize: 12,
        data: p.points.map(function (q) { return { name: q.name, value: [q.x, q.y], itemStyle: { color: quadrantColor[q.quadrant] } }; }),
        label: { show: p.points.length <= 16, position: "right", fontSize: 10, formatter: function (e) { return e.data.name.length > 10 ? e.data.name.slice(0, 10) + "…" : e.data.name; } },
        markLine: { silent: true, symbol: "none", lineStyle: { type: "dashed", color: "#999" }, label: { show: false },
          data: [{ xAxis: tx }, { yAxis: ty }] },
        markArea: { silent: true, label: { position: "inside", color: "#555", fontSize: 11 },
          data: [area("concentrate", lo, tx, ty, hi), area("keep_up", tx, hi, ty, hi), area("low_priority", lo, tx, lo, ty), area("overkill", tx, hi, lo, ty)] }
      }]
    };
  }

  function trend(key) {
    return function (d, node) {
      var t = d[key];
      return { color: palette, tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: { left: 40, right: 40, top: 30, bottom: 45 },
        // Every wave's name shown, wrapped under its bar (long names hid every other one).
        xAxis: { type: "category", data: t.labels, axisLabel: { interval: 0, width: 130, overflow: "break" } },
        yAxis: [{ type: "value", name: node.dataset.nps, min: -100, max: 100 }, { type: "value", name: "", min: 0, max: 10 }],
        series: [{ name: node.dataset.nps, type: "bar", barMaxWidth: 36, data: t.nps },
                 { name: node.dataset.score, type: "line", yAxisIndex: 1, data: t.score }] };
    };
  }

  var builders = { ipa: ipa, waves: trend("waves"), months: trend("months"), branches: trend("branches") };

  function scan() {
    var source = document.getElementById("survey-data");
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    document.querySelectorAll("[data-survey]").forEach(function (node) {
      var kind = node.dataset.survey;
      if (node.dataset.rendered || !builders[kind]) { return; }
      var chart = window.echarts.init(node, null, { renderer: "canvas" });
      var option = builders[kind](data, node);
      option.animation = !reduced;
      chart.setOption(option);
      node.dataset.rendered = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  document.addEventListener("DOMContentLoaded", scan);
})();
