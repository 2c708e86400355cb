// The chain map, heatmap and the comparison of two districts or two years, drawn with the locally served plotly bundle.
(function () {
  const data = JSON.parse(document.getElementById("chain-data").textContent);
  const config = { displaylogo: false, responsive: true };
  const maxCount = Math.max(1, ...data.nodes.map((n) => n.count));
  const at = {};
  data.nodes.forEach((n) => { at[n.id] = [n.column, -n.row]; });

  // Edges as arrows (annotations) from upstream to downstream.
  const arrows = data.edges.map(([a, b]) => ({
    x: at[b][0], y: at[b][1], ax: at[a][0], ay: at[a][1], xref: "x", yref: "y", axref: "x", ayref: "y",
    showarrow: true, arrowhead: 2, arrowsize: 1, arrowwidth: 0.6, arrowcolor: "rgba(90,100,120,0.25)", text: "",
  }));
  const nodes = {
    type: "scatter", mode: "markers+text",
    x: data.nodes.map((n) => n.column), y: data.nodes.map((n) => -n.row),
    text: data.nodes.map((n) => n.name), textposition: "middle right", customdata: data.nodes.map((n) => n.id),
    marker: {
      size: data.nodes.map((n) => 10 + 40 * Math.sqrt(n.count / maxCount)),
      color: data.nodes.map((n) => n.strength), colorscale: [[0, "#c0392b"], [0.5, "#f2c94c"], [1, "#2e7d32"]], cmin: 0, cmax: 100,
      line: { width: data.nodes.map((n) => (n.weak ? 3 : 1)), color: data.nodes.map((n) => (n.weak ? "#b42318" : "#555")) },
      colorbar: { title: { text: "强弱" } },
    },
    hovertext: data.nodes.map((n) => `${n.name}<br>${n.count} 家，链主/龙头 ${n.leaders} 家<br>强弱 ${n.strength}${n.weak ? "（薄弱）" : ""}`),
    hoverinfo: "text",
  };
  Plotly.newPlot("chain-chart", [nodes], {
    margin: { t: 30, l: 20, r: 20, b: 20 }, showlegend: false, annotations: arrows,
    xaxis: { tickvals: data.columns.map((_, i) => i), ticktext: data.columns, side: "top", range: [-0.3, data.columns.length], zeroline: false, showgrid: false },
    yaxis: { visible: false },
  }, config);

  const panel = document.getElementById("node-panel");
  const yuan = (fen) => (fen == null ? "—" : (fen / 1e6).toLocaleString("zh-CN", { maximumFractionDigits: 0 }) + " 万元");
  const escape = (s) => String(s ?? "").replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
  document.getElementById("chain-chart").on("plotly_click", (ev) => {
    const id = ev.points[0].customdata;
    const query = data.district ? "?district=" + encodeURIComponent(data.district) : "";
    fetch(`/chains/nodes/${encodeURIComponent(id)}/${query}`, { credentials: "same-origin" })
      .then((r) => r.json())
      .then((d) => {
        const f = d.figures || {};
        const gap = d.gap ? `<p>${escape(d.gap.explanation)}</p>` : "";
        const rows = d.enterprises.map((e) => `<tr><td><a href="/enterprises/${e.id}/">${escape(e.name)}</a></td><td>${escape(e.division)}</td><td class="num">${yuan(e.revenue_fen)}</td></tr>`).join("");
        panel.innerHTML = `<h2 style="margin-top:0">${escape(d.name)} <span class="muted">${escape(d.layer)}</span></h2>
          <p>本地企业 ${f.count || 0} 家；链主/龙头 ${f.leaders || 0} 家；营收 ${yuan(f.revenue_fen)}；研发投入 ${yuan(f.rd_fen)}；专利 ${f.patents || 0} 项</p>
          <p class="muted">上游：${escape(d.upstream.join("、") || "—")}；下游：${escape(d.downstream.join("、") || "—")}</p>${gap}
          <table><thead><tr><th>企业</th><th>区划</th><th class="num">营收</th></tr></thead><tbody>${rows || '<tr><td colspan="3" class="muted">没有可查看的企业</td></tr>'}</tbody></table>`;
      });
  });

  const heat = data.heatmap;
  Plotly.newPlot("heat-chart", [{
    type: "heatmap", z: heat.z, x: heat.nodes.map((n) => n.name), y: heat.districts.map((d) => d.name),
    colorscale: "Blues", hovertemplate: "%{y} · %{x}<br>%{z} 家<extra></extra>",
  }], { margin: { t: 10, l: 120, r: 10, b: 160 }, xaxis: { tickangle: -45 } }, config);

  if (data.comparison) {
    const c = data.comparison;
    Plotly.newPlot("compare-chart", [
      { type: "bar", name: c.labels[0], x: c.nodes.map((n) => n.name), y: c.nodes.map((n) => n.a) },
      { type: "bar", name: c.labels[1], x: c.nodes.map((n) => n.name), y: c.nodes.map((n) => n.b) },
    ], { barmode: "group", margin: { t: 10, b: 160 }, xaxis: { tickangle: -45 }, yaxis: { title: { text: c.measure } } }, config);
  }
})();
