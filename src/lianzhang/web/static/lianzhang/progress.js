// Live progress of long requests: a form with data-progress-url shows a bar while its POST runs.
// The server writes progress to the database as it goes; this page polls it until the answer arrives.
(function () {
  "use strict";
  var STAGES = { scan: "识别", apply: "处理", publish: "发布前重新识别" };

  function watch(form) {
    var box = document.createElement("div");
    box.className = "live-progress";
    box.setAttribute("role", "status");
    box.innerHTML = '<div class="progress"><span style="width:0%"></span></div><span class="live-label">正在上传…</span>';
    form.insertAdjacentElement("afterend", box);
    var bar = box.querySelector(".progress > span");
    var label = box.querySelector(".live-label");
    var timer = window.setInterval(function () {
      fetch(form.dataset.progressUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data || !data.stage) { return; }
          bar.style.width = data.percent + "%";
          label.textContent = (STAGES[data.stage] || "处理") + "中 " + data.percent + "%";
        })
        .catch(function () { window.clearInterval(timer); });
    }, 800);
  }

  document.querySelectorAll("form[data-progress-url]").forEach(function (form) {
    form.addEventListener("submit", function () { watch(form); });
  });
})();
