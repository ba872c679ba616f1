// Shishi (实事): the little script every page loads. Auth rides on the shishi_token cookie.
(function () {
  "use strict";

  // Language toggle: <a data-lang="en" href="/lang/en"> sets the cookie and reloads in place
  // (the href is the no-script fallback through the gateway).
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-lang]");
    if (!toggle) return;
    event.preventDefault();
    document.cookie = "lang=" + encodeURIComponent(toggle.dataset.lang) +
      "; path=/; max-age=31536000; samesite=lax";
    window.location.reload();
  });

  // data-confirm on a button/link (or on a form): ask before it acts.
  document.addEventListener("click", function (event) {
    var el = event.target.closest("button[data-confirm], input[data-confirm], a[data-confirm]");
    if (el && !window.confirm(el.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // Charts: <div class="chart" data-chart='{{ option | tojson }}'> once echarts.min.js is loaded.
  function initCharts(root) {
    if (!window.echarts || !root.querySelectorAll) return;
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.chartReady) return;
      el.dataset.chartReady = "1";
      var chart = window.echarts.init(el);
      chart.setOption(JSON.parse(el.dataset.chart));
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { initCharts(document); });
  document.addEventListener("htmx:load", function (event) { initCharts(event.detail.elt); });

  // A table wider than a phone scrolls in its own box (shishi.css): such a box must be reachable by
  // keyboard, so it joins the tab order while it scrolls.
  function markScrollingTables(root) {
    if (!root.querySelectorAll) return;
    root.querySelectorAll("table").forEach(function (table) {
      if (table.scrollWidth > table.clientWidth + 1) {
        table.tabIndex = 0;
      } else if (table.tabIndex === 0) {
        table.removeAttribute("tabindex");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { markScrollingTables(document); });
  document.addEventListener("htmx:load", function (event) { markScrollingTables(event.detail.elt); });
  window.addEventListener("resize", function () { markScrollingTables(document); });

  // htmx 2 does not swap 4xx bodies by default; ours carry problem messages worth showing.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 400 || status === 409 || status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
