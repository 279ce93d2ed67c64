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
