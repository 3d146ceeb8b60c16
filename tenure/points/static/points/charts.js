/* The points list's bar chart (points earned, reversed, redeemed and expired per month), added to
   web/charts.js, which renders every <div class="chart" data-chart="kind" data-source="id">. Series
   and axis names come translated in the JSON block; this file has no strings of its own. */
(function () {
  "use strict";
  var palette = window.TenureCharts.palette;

  window.TenureCharts.register({
    points_monthly: function (d) {
      return {
        color: [palette[0], palette[4], palette[2], palette[5]],
        legend: { bottom: 0 },
        grid: { left: 20, right: 20, top: 30, bottom: 40, containLabel: true },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        xAxis: { type: "category", data: d.months },
        yAxis: { type: "value", name: d.axis, minInterval: 1 },
        series: d.series.map(function (s) {
          return { name: s.name, type: "bar", barMaxWidth: 28, data: s.data };
        })
      };
    }
  });
})();
