// dvc766 static site: sortable tables and filters (no library, no network).
(function () {
  "use strict";
  function fold(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }
  function cellValue(row, index, numeric) {
    var cell = row.cells[index];
    var raw = cell ? cell.getAttribute("data-v") : "";
    if (!numeric) { return raw || ""; }
    return raw === "" || raw === null ? null : parseFloat(raw);
  }
  function sortTable(table, th) {
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    var numeric = th.getAttribute("data-sort") === "num";
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(th.parentNode.children, function (other) {
      other.removeAttribute("aria-sort");
    });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows).filter(function (r) { return r.cells.length > 1; });
    rows.sort(function (a, b) {
      var x = cellValue(a, index, numeric), y = cellValue(b, index, numeric);
      if (x === null && y === null) { return 0; }
      if (x === null) { return 1; }   // missing values last, whichever the direction
      if (y === null) { return -1; }
      var order = numeric ? x - y : x.localeCompare(y, "vi");
      return ascending ? order : -order;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  function applyFilters(id) {
    var table = document.getElementById(id);
    if (!table) { return; }
    var input = document.querySelector('[data-filter-for="' + id + '"]');
    var select = document.querySelector('[data-band-for="' + id + '"]');
    var words = fold(input ? input.value : "").trim();
    var band = select ? select.value : "";
    var shown = 0, total = 0;
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      if (!row.hasAttribute("data-name")) { return; }
      total += 1;
      var ok = (!words || fold(row.getAttribute("data-name")).indexOf(words) >= 0)
        && (!band || row.getAttribute("data-band") === band);
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    var count = document.querySelector('[data-count-for="' + id + '"]');
    if (count) { count.textContent = "Hiển thị " + shown + "/" + total; }
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("th[data-sort]").forEach(function (th) {
      th.tabIndex = 0;
      th.addEventListener("click", function () { sortTable(table, th); });
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") { sortTable(table, th); } });
    });
    applyFilters(table.id);
  });
  document.querySelectorAll("[data-filter-for], [data-band-for]").forEach(function (control) {
    var id = control.getAttribute("data-filter-for") || control.getAttribute("data-band-for");
    control.addEventListener("input", function () { applyFilters(id); });
    control.addEventListener("change", function () { applyFilters(id); });
  });
})();
