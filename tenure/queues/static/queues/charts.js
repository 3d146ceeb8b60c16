/* The queues page's heat map (average wait by weekday and hour), added to web/charts.js, which
   renders every <div class="chart" data-chart="kind" data-source="id">. A cell is
   [hour index, weekday index, average wait in minutes, tickets]; the colour follows the wait. */
(function () {
  "use strict";
  window.TenureCharts.register({
    waitheat: function (d) {
      return {
        tooltip: { position: "top", formatter: function (p) {
          return d.days[p.value[1]] + " " + d.hours[p.value[0]] + "<br>" + p.value[2] + " " + d.unit +
            " · " + p.value[3] + " " + d.tickets;
        } },
        grid: { left: 50, right: 10, top: 10, bottom: 95 },
        xAxis: { type: "category", data: d.hours, splitArea: { show: true } },
        yAxis: { type: "category", data: d.days, inverse: true, splitArea: { show: true } },
        visualMap: { dimension: 2, min: d.min, max: Math.max(d.max, d.min + 1), calculable: true,
          orient: "horizontal", left: "center", bottom: 0,
          formatter: function (v) { return Math.round(v) + " " + d.unit; },
          inRange: { color: ["#eef4fb", "#f0a202", "#d1495b"] } },
        series: [{ type: "heatmap", data: d.cells,
          label: { show: d.hours.length <= 10, formatter: function (p) { return p.value[2]; } } }]
      };
    }
  });
})();
