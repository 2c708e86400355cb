// Dashboard charts, drawn with the locally served plotly bundle.
(function () {
  const data = JSON.parse(document.getElementById("summary-data").textContent);
  const layerColour = { "基础层": "#2f6fb0", "技术层": "#3a9d6a", "应用层": "#d08a2c" };
  const config = { displaylogo: false, responsive: true, locale: "zh-CN" };
  const nodeLink = (id) => "/enterprises/?node=" + encodeURIComponent(id);

  // One trace per layer so that the legend explains the colours.
  const layers = [...new Set(data.by_node.map((n) => n.layer))];
  const nodeTraces = layers.map((layer) => {
    const nodes = data.by_node.filter((n) => n.layer === layer);
    return {
      type: "bar", name: layer,
      x: nodes.map((n) => n.name), y: nodes.map((n) => n.count), customdata: nodes.map((n) => n.id),
      marker: { color: layerColour[layer] || "#888" },
      hovertemplate: "%{x}<br>%{y} 家<extra></extra>",
    };
  });
  Plotly.newPlot("chart-nodes", nodeTraces, {
    margin: { t: 10, b: 150, l: 90, r: 10 },
    xaxis: { tickangle: -45, automargin: true, categoryorder: "array", categoryarray: data.by_node.map((n) => n.name) },
    yaxis: { title: { text: "企业数" }, tickformat: "d", rangemode: "tozero" },
    legend: { orientation: "h", y: 1.08 },
  }, config);
  document.getElementById("chart-nodes").on("plotly_click", (ev) => { window.location = nodeLink(ev.points[0].customdata); });

  const districts = data.by_district.slice(0, 25).reverse();
  document.getElementById("chart-districts").style.height = Math.max(360, 22 * districts.length + 60) + "px";
  Plotly.newPlot("chart-districts", [{
    type: "bar", orientation: "h",
    y: districts.map((d) => d.name.replace("广东省", "")),
    x: districts.map((d) => d.count),
    marker: { color: "#2f6fb0" },
    hovertemplate: "%{y}<br>%{x} 家<extra></extra>",
  }], { margin: { t: 10, l: 170, r: 10, b: 30 }, yaxis: { automargin: true, dtick: 1 }, xaxis: { tickformat: "d", rangemode: "tozero" } }, config);

  Plotly.newPlot("chart-tags", [{
    type: "bar",
    x: data.by_tag.map((t) => t.name),
    y: data.by_tag.map((t) => t.count),
    marker: { color: "#3a9d6a" },
    hovertemplate: "%{x}<br>%{y} 家<extra></extra>",
  }], { margin: { t: 10, l: 50, r: 10, b: 60 }, yaxis: { tickformat: "d", rangemode: "tozero" } }, config);
})();
