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

  document.addEventListener("DOMContentLoaded", function () { scan(document); });
  document.addEventListener("htmx:afterSettle", function (event) { scan(event.target.parentNode || document); });

  /* Confirm buttons that end things (log out everywhere). */
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });
})();
