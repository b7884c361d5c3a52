// Sortable tables: click (or Enter on) a header to sort by that column; again to reverse. A cell's data-sort
// holds the exact value; empty values stay last either way. No library.
(function () {
  function key(row, col) {
    const cell = row.cells[col];
    return cell ? (cell.dataset.sort ?? cell.textContent.trim()) : "";
  }
  function compare(a, b, numeric) {
    if (a === "" || b === "") return (a === "") - (b === "");
    return numeric ? Number(a) - Number(b) : a.localeCompare(b, "zh-CN");
  }
  function sortBy(table, th) {
    const col = th.cellIndex;
    const ascending = th.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("thead th").forEach(h => h.removeAttribute("aria-sort"));
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    const body = table.tBodies[0];
    const rows = Array.from(body.rows);
    const numeric = rows.every(r => key(r, col) === "" || !isNaN(Number(key(r, col))));
    rows.sort((a, b) => {
      const ka = key(a, col), kb = key(b, col);
      if (ka === "" || kb === "") return compare(ka, kb, numeric);
      return compare(ka, kb, numeric) * (ascending ? 1 : -1);
    });
    rows.forEach(r => body.appendChild(r));
  }
  document.querySelectorAll("table.sortable").forEach(table => {
    table.querySelectorAll("thead th").forEach(th => {
      th.tabIndex = 0;
      th.addEventListener("click", () => sortBy(table, th));
      th.addEventListener("keydown", e => { if (e.key === "Enter") sortBy(table, th); });
    });
  });
})();
