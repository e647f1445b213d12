/* Draws each report chart from the table that follows it (Chart.js, served by the app).
   The numbers come from the cells' data-value attributes, the labels from the rows'
   headers and the columns' headings, so a chart never shows what its table does not. */
(function () {
  "use strict";
  var COLOURS = ["#1f4e8c", "#c05a00", "#2e7d32", "#8e244d", "#5c4d9a"];

  function chartOf(table) {
    var canvas = document.querySelector('canvas[data-chart-for="' + table.id + '"]');
    if (!canvas || typeof Chart === "undefined") {
      return;
    }
    var headings = table.querySelectorAll("thead th");
    var series = table.dataset.series.split(",").map(Number);
    var labels = [];
    var datasets = series.map(function (column, index) {
      return {
        label: headings[column].textContent.trim(),
        data: [],
        backgroundColor: COLOURS[index % COLOURS.length]
      };
    });
    table.querySelectorAll("tbody tr").forEach(function (row) {
      labels.push(row.children[0].textContent.trim());
      series.forEach(function (column, index) {
        datasets[index].data.push(Number(row.children[column].dataset.value || 0));
      });
    });
    canvas.parentElement.style.height = Math.max(160, labels.length * 28 + 60) + "px";
    new Chart(canvas, {
      type: "bar",
      data: { labels: labels, datasets: datasets },
      options: {
        indexAxis: "y",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: datasets.length > 1 } },
        scales: {
          x: { stacked: datasets.length > 1, beginAtZero: true, ticks: { precision: 0 } },
          y: {
            stacked: datasets.length > 1,
            ticks: {
              // Long names are shortened on the axis; the table below has them whole.
              callback: function (value) {
                var label = this.getLabelForValue(value);
                var room = canvas.parentElement.clientWidth < 600 ? 18 : 40;
                return label.length > room ? label.slice(0, room - 1) + "\u2026" : label;
              }
            }
          }
        }
      }
    });
  }

  document.querySelectorAll("table[data-chart]").forEach(chartOf);
})();
