/* Small behaviours of the staff app. Loaded as a file: the Content-Security-Policy forbids inline script. */
(function () {
  "use strict";

  /* "/" focuses the search box, as in most admin tools. */
  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (event.key === "/" && tag !== "input" && tag !== "textarea" && tag !== "select") {
      var box = document.querySelector("[data-search-box]");
      if (box) { event.preventDefault(); box.focus(); box.select(); }
    }
  });

  /* A revealed identifier goes back to its masked form when its time is up. */
  function armReveal(node) {
    if (node.dataset.armed) { return; }
    node.dataset.armed = "1";
    var expires = Date.now() + 1000 * parseInt(node.dataset.revealSeconds || "60", 10);
    var timer = node.querySelector(".timer");
    function tick() {
      var left = Math.max(0, Math.round((expires - Date.now()) / 1000));
      if (timer) { timer.textContent = left + "s"; }
      if (left > 0) { window.setTimeout(tick, 1000); return; }
      var masked = node.querySelector("template");
      var holder = document.createElement("span");
      holder.appendChild(masked.content.cloneNode(true));
      var replacement = holder.firstElementChild;
      node.replaceWith(replacement);
      if (window.htmx) { window.htmx.process(replacement); }
    }
    tick();
  }

  function scan(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("[data-reveal-seconds]").forEach(armReveal);
  }

  /* Date and month fields in the page's language and as yyyy-mm-dd / yyyy-mm: a browser's own
     input follows the browser's locale (mm/dd/yyyy on a Chinese page in an English browser). The
     value sent is the same. */
  function armDates(root) {
    if (!window.flatpickr) { return; }
    var chinese = document.documentElement.lang.indexOf("zh") === 0;
    var locale = Object.assign({}, chinese && window.flatpickr.l10ns.zh || {}, { firstDayOfWeek: 1 });
    (root.querySelectorAll ? root : document).querySelectorAll("input[type=date], input[type=month]").forEach(function (input) {
      var month = input.type === "month";
      input.type = "text";
      input.autocomplete = "off";
      input.placeholder = month ? (chinese ? "年-月" : "yyyy-mm") : (chinese ? "年-月-日" : "yyyy-mm-dd");
      window.flatpickr(input, {
        locale: locale,
        dateFormat: month ? "Y-m" : "Y-m-d",
        allowInput: true,
        disableMobile: true,
        minDate: input.min || null,
        maxDate: input.max || null,
        plugins: month && window.monthSelectPlugin ? [new window.monthSelectPlugin({ dateFormat: "Y-m" })] : []
      });
    });
  }

  /* Amount fields (data-money, tenure/core/formfields.py): the digits regrouped as 10,000,000 when
     the field is left, and the amount in 万/亿 (or millions) beneath it as it is typed. */
  function grouped(value) { return value.toLocaleString("en-US", { maximumFractionDigits: 2 }); }

  function inWords(value, chinese) {
    if (chinese) {
      if (value >= 1e8) { return "= " + grouped(value / 1e8) + " 亿元"; }
      if (value >= 1e4) { return "= " + grouped(value / 1e4) + " 万元"; }
      return "= " + grouped(value) + " 元";
    }
    if (value >= 1e6) { return "= ¥" + grouped(value / 1e6) + " million"; }
    return "= ¥" + grouped(value);
  }

  function armMoney(root) {
    var chinese = document.documentElement.lang.indexOf("zh") === 0;
    (root.querySelectorAll ? root : document).querySelectorAll("input[data-money]").forEach(function (input) {
      if (input.dataset.armed) { return; }
      input.dataset.armed = "1";
      var hint = document.createElement("small");
      hint.className = "moneyhint";
      hint.setAttribute("aria-live", "polite");
      input.insertAdjacentElement("afterend", hint);
      function amount() {
        var value = parseFloat(input.value.replace(/[\s,，¥￥]/g, ""));
        return isNaN(value) ? null : value;
      }
      function show() { var value = amount(); hint.textContent = value === null ? "" : inWords(value, chinese); }
      input.addEventListener("input", show);
      input.addEventListener("blur", function () {
        var value = amount();
        if (value !== null) { input.value = grouped(value); }
        show();
      });
      show();
    });
  }

  /* Menu groups: one open at a time, closed by a click elsewhere or Escape. */
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.navgroup[open]").forEach(function (group) {
      if (!group.contains(event.target)) { group.removeAttribute("open"); }
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      document.querySelectorAll("details.navgroup[open]").forEach(function (group) { group.removeAttribute("open"); });
    }
  });

  function arm(root) { scan(root); armDates(root); armMoney(root); }

  document.addEventListener("DOMContentLoaded", function () { arm(document); });
  document.addEventListener("htmx:afterSettle", function (event) { arm(event.target.parentNode || document); });

  /* Confirm buttons that end things (log out everywhere). */
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });
})();
