// Plan charts (target trajectory, progress against time, goals by status), drawn with the locally served plotly.
(function () {
  const config = { displaylogo: false, responsive: true, locale: "zh-CN" };
  const colours = { achieved: "#1b7f4c", on_track: "#2f6fb0", at_risk: "#d08a2c", overdue: "#b42318", unknown: "#9aa5b1" };
  const read = (id) => {
    const node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  };

  // One target: the planned straight line, the entered values, today's live figure and the goal.
  const target = read("target-chart-data");
  if (target && document.getElementById("target-chart")) {
    const traces = [];
    if (target.line) {
      traces.push({
        type: "scatter", mode: "lines", name: "计划进度",
        x: target.line.map((p) => p.date), y: target.line.map((p) => p.value),
        line: { dash: "dash", color: "#9aa5b1" },
        hovertemplate: "%{x}<br>应达到 %{y}<extra></extra>",
      });
    }
    if (target.readings.length) {
      traces.push({
        type: "scatter", mode: "lines+markers", name: "填报值",
        x: target.readings.map((p) => p.date), y: target.readings.map((p) => p.value),
        line: { color: "#2f6fb0" },
        hovertemplate: "%{x}<br>%{y} " + target.unit + "<extra></extra>",
      });
    }
    if (target.live) {
      traces.push({
        type: "scatter", mode: "markers", name: "实时：" + target.live.label,
        x: [target.live.date], y: [target.live.value],
        marker: { size: 12, symbol: "star", color: colours[target.status] || "#0b5cad" },
        hovertemplate: "%{x}<br>%{y} " + target.unit + "<extra></extra>",
      });
    }
    const shapes = [{
      type: "line", xref: "paper", x0: 0, x1: 1, y0: target.target, y1: target.target,
      line: { color: "#1b7f4c", width: 1, dash: "dot" },
    }];
    if (target.deadline) {
      shapes.push({ type: "line", yref: "paper", y0: 0, y1: 1, x0: target.deadline, x1: target.deadline, line: { color: "#b42318", width: 1 } });
    }
    Plotly.newPlot("target-chart", traces, {
      margin: { t: 20, l: 60, r: 20, b: 40 },
      xaxis: { type: "date" },
      yaxis: { title: { text: target.unit }, rangemode: "tozero" },
      shapes: shapes,
      annotations: [{ xref: "paper", x: 0, y: target.target, text: "目标 " + target.target + " " + target.unit, showarrow: false, yshift: 10, xanchor: "left" }],
      legend: { orientation: "h", y: 1.12 },
    }, config);
  }

  // A plan: how far each target has come against how much of its time has passed.
  const progress = read("progress-chart-data");
  if (progress && document.getElementById("progress-chart")) {
    const rows = progress.filter((r) => r.progress !== null || r.elapsed !== null).reverse();
    const el = document.getElementById("progress-chart");
    el.style.height = Math.max(220, 34 * rows.length + 80) + "px";
    const pct = (v) => (v === null ? 0 : Math.round(Math.max(0, Math.min(v, 1.2)) * 100));
    Plotly.newPlot("progress-chart", [
      {
        type: "bar", orientation: "h", name: "完成进度", y: rows.map((r) => r.metric), x: rows.map((r) => pct(r.progress)),
        marker: { color: rows.map((r) => colours[r.status] || "#888") }, customdata: rows.map((r) => r.label),
        hovertemplate: "%{y}<br>完成 %{x}%（%{customdata}）<extra></extra>",
      },
      {
        type: "scatter", mode: "markers", name: "时间进度", y: rows.map((r) => r.metric), x: rows.map((r) => pct(r.elapsed)),
        marker: { symbol: "line-ns-open", size: 18, color: "#1f2933" }, hovertemplate: "%{y}<br>时间过去 %{x}%<extra></extra>",
      },
    ], {
      margin: { t: 10, l: 200, r: 20, b: 40 }, xaxis: { range: [0, 120], ticksuffix: "%" }, yaxis: { automargin: true },
      legend: { orientation: "h", y: 1.1 },
    }, config);
  }

  // All plans: goals by status.
  const status = read("status-chart-data");
  if (status && document.getElementById("status-chart")) {
    const titles = status.plans.map((p) => p.title.length > 24 ? p.title.slice(0, 24) + "…" : p.title);
    const traces = status.statuses.map((s) => ({
      type: "bar", orientation: "h", name: s.label, y: titles, x: status.plans.map((p) => p.counts[s.status] || 0),
      marker: { color: colours[s.status] }, hovertemplate: "%{y}<br>" + s.label + " %{x} 项<extra></extra>",
    }));
    const el = document.getElementById("status-chart");
    el.style.height = Math.max(200, 40 * titles.length + 90) + "px";
    const widest = Math.max(1, ...status.plans.map((p) => Object.values(p.counts).reduce((a, b) => a + b, 0)));
    Plotly.newPlot("status-chart", traces, {
      barmode: "stack", margin: { t: 10, l: 220, r: 20, b: 40 },
      // Whole goals only: without dtick plotly labels half steps and prints 1 twice.
      xaxis: { tickformat: "d", rangemode: "tozero", dtick: widest <= 10 ? 1 : null },
      yaxis: { automargin: true }, legend: { orientation: "h", y: 1.15 },
    }, config);
  }
})();
