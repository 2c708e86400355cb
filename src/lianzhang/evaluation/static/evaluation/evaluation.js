// Evaluation pages: the AHP consistency ratio recomputed as judgements are typed, and the result charts.
(function () {
  "use strict";

  function parseJudgement(text) {
    const t = String(text).trim();
    if (t.includes("/")) {
      const [a, b] = t.split("/").map(Number);
      return b ? a / b : NaN;
    }
    return Number(t);
  }

  // Principal eigenvector by power iteration: the same priorities as the server's eigen-decomposition.
  function priorities(a) {
    const n = a.length;
    let w = new Array(n).fill(1 / n);
    for (let step = 0; step < 500; step++) {
      const next = a.map((row) => row.reduce((s, v, j) => s + v * w[j], 0));
      const total = next.reduce((s, v) => s + v, 0);
      w = next.map((v) => v / total);
    }
    const aw = a.map((row) => row.reduce((s, v, j) => s + v * w[j], 0));
    const lambda = aw.reduce((s, v, i) => s + v / w[i], 0) / n;
    return { w, lambda };
  }

  function ahpEditor(table) {
    const ri = Object.fromEntries(table.dataset.randomIndex.split(",").map((p) => p.split(":").map(Number)));
    const n = table.querySelectorAll("tbody tr").length;
    const fixed = (i, j) => table.querySelector(`.ahp-fixed[data-i="${i}"][data-j="${j}"]`);
    const input = (i, j) => table.querySelector(`.ahp-cell[data-i="${i}"][data-j="${j}"]`);

    function refresh() {
      const a = Array.from({ length: n }, () => new Array(n).fill(1));
      let ok = true;
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          const box = input(i, j);
          const value = box ? parseJudgement(box.value) : Number(fixed(i, j).dataset.value);
          if (!(value > 0)) { ok = false; if (box) box.classList.add("error"); continue; }
          if (box) box.classList.remove("error");
          a[i][j] = value;
          a[j][i] = 1 / value;
          const mirror = fixed(j, i);
          if (mirror) mirror.textContent = (1 / value).toFixed(3).replace(/\.?0+$/, "");
        }
      }
      const verdict = document.getElementById("ahp-verdict");
      if (!ok) { verdict.textContent = "请填写正数或分数"; return; }
      const { w, lambda } = priorities(a);
      const ci = n > 2 ? Math.max(0, (lambda - n) / (n - 1)) : 0;
      const cr = ri[n] ? ci / ri[n] : 0;
      table.querySelectorAll(".ahp-weight").forEach((cell) => { cell.textContent = w[Number(cell.dataset.i)].toFixed(4); });
      document.getElementById("ahp-lambda").textContent = lambda.toFixed(4);
      document.getElementById("ahp-ci").textContent = ci.toFixed(4);
      document.getElementById("ahp-cr").textContent = cr.toFixed(4);
      verdict.textContent = cr <= 0.1 ? "一致性可接受" : "一致性不足（CR > 0.1），请调整判断";
      verdict.className = cr <= 0.1 ? "ok" : "error";
    }
    table.addEventListener("input", refresh);
    refresh();
  }

  function charts(data) {
    const config = { displaylogo: false, responsive: true, locale: "zh-CN" };
    const names = data.pillars.map((p) => p.name);
    const select = document.getElementById("radar-entity");
    function radar() {
      const e = data.entities.find((x) => x.id === select.value) || data.entities[0];
      const values = data.pillars.map((p) => e.pillars[p.id]);
      Plotly.react("chart-radar", [{
        type: "scatterpolar", fill: "toself", name: e.name,
        r: values.concat(values.slice(0, 1)), theta: names.concat(names.slice(0, 1)),
        hovertemplate: "%{theta}：%{r:.1f}<extra></extra>",
      }], { margin: { t: 30, b: 30, l: 40, r: 40 }, polar: { radialaxis: { rangemode: "tozero" } }, showlegend: false }, config);
    }
    select.addEventListener("change", radar);
    radar();

    // The 60 best-ranked entities keep the chart readable for enterprise rankings.
    const shown = data.entities.slice(0, 60).reverse();
    document.getElementById("chart-interval").style.height = Math.max(360, 18 * shown.length + 80) + "px";
    Plotly.newPlot("chart-interval", [{
      type: "scatter", mode: "markers",
      x: shown.map((e) => e.rank), y: shown.map((e) => e.name),
      error_x: {
        type: "data", symmetric: false,
        array: shown.map((e) => e.interval[1] - e.rank), arrayminus: shown.map((e) => e.rank - e.interval[0]),
      },
      customdata: shown.map((e) => e.interval),
      hovertemplate: "%{y}<br>排名 %{x}，区间 %{customdata[0]}–%{customdata[1]}<extra></extra>",
    }], {
      margin: { t: 10, b: 40, l: 150, r: 20 },
      xaxis: { title: { text: "名次（1 为最好）" }, tickformat: "d", rangemode: "tozero" },
      yaxis: { automargin: true },
    }, config);
  }

  const table = document.getElementById("ahp-table");
  if (table) ahpEditor(table);
  const payload = document.getElementById("evaluation-data");
  if (payload && window.Plotly) charts(JSON.parse(payload.textContent));
})();
