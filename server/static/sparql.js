// Small conveniences for the query page; the page works the same without them.
(function () {
  "use strict";
  var area = document.getElementById("query");
  if (!area) { return; }
  function fit() {
    var lines = area.value.split("\n").length + 1;
    area.rows = Math.max(8, Math.min(lines, 30));
  }
  fit();
  area.addEventListener("input", fit);
  area.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      area.form.requestSubmit ? area.form.requestSubmit() : area.form.submit();
    } else if (event.key === "Tab" && !event.shiftKey) {
      event.preventDefault();
      var start = area.selectionStart, end = area.selectionEnd;
      area.value = area.value.slice(0, start) + "  " + area.value.slice(end);
      area.selectionStart = area.selectionEnd = start + 2;
    }
  });
})();

// YASGUI, on request: the editor researchers know, fetched from a pinned CDN
// address and checked against its hash by the browser. Nothing is fetched
// until the reader asks for it; the choice is remembered on this browser.
(function () {
  "use strict";
  var panel = document.getElementById("yasgui-switch");
  var button = document.getElementById("yasgui-open");
  var area = document.getElementById("query");
  if (!panel || !button || !area) { return; }
  var KEY = "miglod.yasgui";
  panel.hidden = false;

  function add(tag, attrs, done, failed) {
    var node = document.createElement(tag);
    Object.keys(attrs).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    node.addEventListener("load", done);
    node.addEventListener("error", failed);
    document.head.appendChild(node);
  }

  function failed() {
    button.disabled = false;
    document.getElementById("yasgui-error").hidden = false;
    try { window.localStorage.removeItem(KEY); } catch (e) { /* storage may be off */ }
  }

  function start() {
    var endpoint = new URL(panel.dataset.endpoint, window.location.href).href;
    var yasgui = new window.Yasgui(document.getElementById("yasgui"), {
      requestConfig: { endpoint: endpoint, method: "POST" },
      copyEndpointOnNewTab: false,
      endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
      persistenceId: null
    });
    yasgui.getTab().setQuery(area.value);
    area.form.hidden = true;
    button.hidden = true;
    document.body.classList.add("with-yasgui");
    try { window.localStorage.setItem(KEY, "on"); } catch (e) { /* storage may be off */ }
  }

  function load() {
    button.disabled = true;
    document.getElementById("yasgui-error").hidden = true;
    if (window.Yasgui) { start(); return; }
    add("link", {
      rel: "stylesheet", href: panel.dataset.style,
      integrity: panel.dataset.styleIntegrity, crossorigin: "anonymous"
    }, function () {}, function () {});
    add("script", {
      src: panel.dataset.script,
      integrity: panel.dataset.scriptIntegrity, crossorigin: "anonymous"
    }, function () { if (window.Yasgui) { start(); } else { failed(); } }, failed);
  }

  button.addEventListener("click", load);
  var remembered = null;
  try { remembered = window.localStorage.getItem(KEY); } catch (e) { /* storage may be off */ }
  if (remembered === "on") { load(); }
})();
