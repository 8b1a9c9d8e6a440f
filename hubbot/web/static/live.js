// Live pages. The server's event stream (/events) says when something changed; the page then
// fetches itself again and swaps each element marked data-live, keeping forms as they are.
// Plain script, no framework and no build step: the console must work offline in an EOC.
(function () {
  "use strict";
  if (!window.EventSource || !document.querySelector("[data-live]")) return;
  var status = document.getElementById("live");
  var busy = false;
  var again = false;

  function show(on) {
    if (!status) return;
    status.textContent = status.getAttribute(on ? "data-on" : "data-off");
    status.className = on ? "live on" : "live off";
  }

  function swap(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    document.querySelectorAll("[data-live][id]").forEach(function (old) {
      var next = fresh.getElementById(old.id);
      if (next) old.replaceWith(document.importNode(next, true));
    });
    document.dispatchEvent(new CustomEvent("live:updated"));
  }

  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (response.redirected) { location.reload(); return null; }  // signed out
        return response.ok ? response.text() : null;
      })
      .then(function (html) { if (html) swap(html); })
      .catch(function () { show(false); })
      .finally(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      });
  }

  var since = document.body.getAttribute("data-version") || "";
  var source = new EventSource("/events?since=" + encodeURIComponent(since));
  source.addEventListener("open", function () { show(true); });
  source.addEventListener("error", function () { show(false); });
  source.addEventListener("change", refresh);
  source.addEventListener("expired", function () { source.close(); location.reload(); });
})();
