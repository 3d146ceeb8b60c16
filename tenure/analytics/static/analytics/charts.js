/* Charts of the analyst page (pyramid, migration heat map, Pareto curve, tiers per branch), added
   to web/charts.js, which renders every <div class="chart" data-chart="kind" data-source="id">. */
(function () {
  "use strict";
  var palette = window.TenureCharts.palette;
  var tierColours = ["#37474f", "#212121", "#9e9e9e", "#c9a227", "#8fb3d9"];

  window.TenureCharts.register({
    pyramid: function (d) {
      return {
        color: palette,
        tooltip: { trigger: "item" },
        series: [{ type: "funnel", sort: "ascending", left: "10%", width: "80%", gap: 2, minSize: "8%",
          label: { position: "inside", formatter: "{b}\n{c}" }, data: d.items.slice().reverse() }]
      };
    },
    heatmap: function (d) {
      return {
        tooltip: { position: "top" },
        grid: { left: 90, right: 20, top: 10, bottom: 70 },
        xAxis: { type: "category", data: d.labels, splitArea: { show: true } },
        yAxis: { type: "category", data: d.labels, inverse: true, splitArea: { show: true } },
        visualMap: { min: 0, max: Math.max(d.max, 1), calculable: true, orient: "horizontal", left: "center",
          bottom: 0, inRange: { color: ["#eef4fb", "#0b5cab"] } },
        series: [{ type: "heatmap", data: d.cells, label: { show: true } }]
      };
    },
    pareto: function (d) {
      return {
        color: palette,
        grid: { left: 50, right: 20, top: 20, bottom: 30 },
        tooltip: { trigger: "axis", valueFormatter: function (v) { return v + "%"; } },
        xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
        yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
        series: [
          { type: "line", smooth: true, showSymbol: false, areaStyle: { opacity: 0.08 }, data: d.points,
            markLine: { silent: true, symbol: "none", lineStyle: { type: "dashed" }, data: [{ xAxis: 20 }, { yAxis: 80 }] } }
        ]
      };
    },
    stacked: function (d) {
      return {
        color: tierColours,
        legend: { bottom: 0 },
        grid: { left: 50, right: 20, top: 20, bottom: 60, containLabel: true },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        xAxis: { type: "category", data: d.branches, axisLabel: { interval: 0, rotate: d.branches.length > 6 ? 30 : 0 } },
        yAxis: { type: "value", minInterval: 1 },
        series: d.series.map(function (s) {
          return { name: s.name, type: "bar", stack: "tiers", barMaxWidth: 42, data: s.data };
        })
      };
    }
  });
})();
