/* The evaluation dashboard's and competitor page's charts: bars and lines over one category axis,
   with up to two value axes, each series naming its axis and each axis its unit (data from a
   json_script block: {labels, units: [left, right], series: [{name, kind, values, axis}]}). */
(function () {
  "use strict";
  function axis(unit) {
    return { type: "value", minInterval: unit ? 0 : 1, axisLabel: { formatter: "{value}" + (unit || "") },
      splitLine: { lineStyle: { opacity: 0.4 } } };
  }
  window.TenureCharts.register({
    combo: function (d) {
      var units = d.units || ["", ""];
      var twoAxes = d.series.some(function (s) { return s.axis === 1; });
      return {
        color: window.TenureCharts.palette,
        grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
        legend: { top: 0, type: "scroll" },
        tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: d.labels, axisLabel: { rotate: d.labels.length > 6 ? 35 : 0 } },
        yAxis: twoAxes ? [axis(units[0]), axis(units[1])] : [axis(units[0])],
        series: d.series.map(function (s) {
          return {
            name: s.name, type: s.kind, yAxisIndex: twoAxes ? s.axis : 0, data: s.values,
            connectNulls: false, barMaxWidth: 36, symbolSize: 7,
            tooltip: { valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + (units[s.axis] || ""); } }
          };
        })
      };
    },
    hbar: function (d) {
      return {
        color: window.TenureCharts.palette,
        grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
        tooltip: { trigger: "axis" },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: d.labels.slice().reverse(), axisLabel: { width: 140, overflow: "truncate" } },
        series: [{ name: d.name, type: "bar", barMaxWidth: 22, data: d.values.slice().reverse() }]
      };
    }
  });
})();
