// Dashboard charts, drawn with the locally served plotly bundle.
(function () {
  const data = JSON.parse(document.getElementById("summary-data").textContent);
  const layerColour = { "基础层": "#2f6fb0", "技术层": "#3a9d6a", "应用层": "#d08a2c" };
  const config = { displaylogo: false, responsive: true, locale: "zh-CN" };
  const nodeLink = (id) => "/enterprises/?node=" + encodeURIComponent(id);

  Plotly.newPlot("chart-nodes", [{
    type: "bar",
    x: data.by_node.map((n) => n.name),
    y: data.by_node.map((n) => n.count),
    customdata: data.by_node.map((n) => n.id),
    marker: { color: data.by_node.map((n) => layerColour[n.layer] || "#888") },
    hovertemplate: "%{x}<br>%{y} 家<extra></extra>",
  }], { margin: { t: 10, b: 150, l: 90, r: 10 }, xaxis: { tickangle: -45, automargin: true }, yaxis: { title: "企业数" } }, config);
  document.getElementById("chart-nodes").on("plotly_click", (ev) => { window.location = nodeLink(ev.points[0].customdata); });

  const districts = data.by_district.slice(0, 25).reverse();
  document.getElementById("chart-districts").style.height = Math.max(360, 22 * districts.length + 60) + "px";
  Plotly.newPlot("chart-districts", [{
    type: "bar", orientation: "h",
    y: districts.map((d) => d.name.replace("广东省", "")),
    x: districts.map((d) => d.count),
    marker: { color: "#2f6fb0" },
    hovertemplate: "%{y}<br>%{x} 家<extra></extra>",
  }], { margin: { t: 10, l: 170, r: 10, b: 30 }, yaxis: { automargin: true, dtick: 1 } }, config);

  Plotly.newPlot("chart-tags", [{
    type: "bar",
    x: data.by_tag.map((t) => t.name),
    y: data.by_tag.map((t) => t.count),
    marker: { color: "#3a9d6a" },
    hovertemplate: "%{x}<br>%{y} 家<extra></extra>",
  }], { margin: { t: 10, l: 50, r: 10, b: 60 } }, config);
})();
