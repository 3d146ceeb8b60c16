/* The offer campaign page's chart, added to web/charts.js: the adoption rate of the treated and the
   control group (bars) and the uplift, treated − control, as a point with its 95% interval (a
   whisker), in percent and percentage points, with the zero line. Data: {groups, rates, uplift, diff,
   low, high, rate_name, interval_name, unit, points}. */
(function () {
  "use strict";
  window.TenureCharts.register({
    uplift: function (d) {
      var palette = window.TenureCharts.palette;
      var fmt = function (v) { return (Math.round(v * 10) / 10) + d.unit; };
      var points = function (v) { return (v > 0 ? "+" : "") + (Math.round(v * 10) / 10) + " " + d.points; };
      var uplift = d.uplift + "\n" + points(d.diff);
      var rows = d.groups.concat([uplift]);
      return {
        grid: { left: 8, right: 24, top: 28, bottom: 24, containLabel: true },
        legend: { top: 0, data: [d.rate_name, d.interval_name] },
        tooltip: { trigger: "item", formatter: function (p) {
          if (p.seriesType === "bar") { return p.name + ": " + fmt(p.value); }
          return d.uplift + ": " + points(d.diff) + " (" + d.interval_name + ": " + points(d.low) + " … " +
            points(d.high) + ")";
        } },
        xAxis: { type: "value", splitNumber: 3, axisLabel: { hideOverlap: true, formatter: "{value}" + d.unit } },
        yAxis: { type: "category", data: rows, inverse: true, axisLabel: { width: 96, overflow: "break" } },
        series: [
          { name: d.rate_name, type: "bar", barMaxWidth: 28, data: d.rates.concat([null]),
            itemStyle: { color: palette[0], borderRadius: [0, 4, 4, 0] },
            label: { show: true, position: "right", formatter: function (p) { return fmt(p.value); } } },
          { name: d.interval_name, type: "line", symbol: "rect", symbolSize: [2, 14],
            data: [[d.low, uplift], [d.high, uplift]], lineStyle: { width: 2, color: palette[4] },
            itemStyle: { color: palette[4] },
            markLine: { silent: true, symbol: "none", label: { show: false },
              lineStyle: { color: "#5d6d7e", type: "dashed" }, data: [{ xAxis: 0 }] } },
          { name: d.interval_name, type: "scatter", symbolSize: 12, data: [[d.diff, uplift]],
            itemStyle: { color: palette[4] } }
        ]
      };
    }
  });
})();
