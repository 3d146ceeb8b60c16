/* ECharts set-up: each <div class="chart" data-chart="kind" data-source="id"> reads its data from a
   <script type="application/json" id="id"> block (Django's json_script), never from inline code.
   Pages with charts of their own add builders with TenureCharts.register({kind: fn}) from a
   script loaded after this one (deferred scripts run in order, before DOMContentLoaded). */
(function () {
  "use strict";
  var reducedMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var palette = ["#0b5cab", "#3aa3a0", "#f0a202", "#7b61c4", "#d1495b", "#5d6d7e", "#8ab17d", "#e07a5f"];

  function yuanShort(value) {
    var zh = (document.documentElement.lang || "zh").indexOf("zh") === 0;
    var abs = Math.abs(value);
    if (zh) {
      if (abs >= 1e8) { return (value / 1e8).toFixed(2) + "亿"; }
      if (abs >= 1e4) { return (value / 1e4).toFixed(1) + "万"; }
    } else {
      if (abs >= 1e9) { return (value / 1e9).toFixed(2) + "B"; }
      if (abs >= 1e6) { return (value / 1e6).toFixed(2) + "M"; }
      if (abs >= 1e3) { return (value / 1e3).toFixed(1) + "k"; }
    }
    return value.toFixed(0);
  }

  function yuanFull(value) {
    return "¥" + Number(value).toLocaleString(document.documentElement.lang || "zh-CN",
      { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  var builders = {
    /* Money unless the data names another `unit` ("" for a plain score such as NPS). */
    line: function (d) {
      var money = d.unit === undefined;
      return {
        color: palette,
        grid: { left: 60, right: 30, top: 30, bottom: 30 },
        tooltip: { trigger: "axis", valueFormatter: money ? yuanFull : function (v) { return v + d.unit; } },
        xAxis: { type: "category", data: d.labels, boundaryGap: false },
        yAxis: { type: "value", axisLabel: { formatter: money ? yuanShort : "{value}" + d.unit } },
        series: [{ name: d.name, type: "line", smooth: true, symbolSize: 6, areaStyle: { opacity: 0.08 }, data: d.values }]
      };
    },
    pie: function (d) {
      return {
        color: palette,
        tooltip: { trigger: "item", valueFormatter: yuanFull },
        legend: { bottom: 0, type: "scroll" },
        series: [{ name: d.name, type: "pie", radius: ["45%", "70%"], center: ["50%", "44%"],
          label: { formatter: "{b}\n{d}%" }, data: d.items }]
      };
    },
    bar: function (d) {
      return {
        color: palette,
        grid: { left: 50, right: 20, top: 20, bottom: 30 },
        tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: d.labels },
        yAxis: { type: "value", minInterval: 1 },
        series: [{ name: d.name, type: "bar", barMaxWidth: 42, data: d.values,
          itemStyle: { borderRadius: [4, 4, 0, 0] } }]
      };
    }
  };

  window.TenureCharts = {
    palette: palette,
    register: function (more) { Object.keys(more).forEach(function (k) { builders[k] = more[k]; }); }
  };

  function render(node) {
    if (node.dataset.rendered || !window.echarts) { return; }
    var source = document.getElementById(node.dataset.source);
    var build = builders[node.dataset.chart];
    if (!source || !build) { return; }
    var chart = window.echarts.init(node, null, { renderer: "canvas" });
    var option = build(JSON.parse(source.textContent));
    option.animation = !reducedMotion;
    chart.setOption(option);
    node.dataset.rendered = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function scan() { document.querySelectorAll(".chart[data-chart]").forEach(render); }
  document.addEventListener("DOMContentLoaded", scan);
  document.addEventListener("htmx:afterSettle", scan);
})();
