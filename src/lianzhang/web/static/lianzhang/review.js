// Keyboard review of classifications: j/k move, a confirms, x marks "not on the chain", e edits nodes.
(function () {
  const items = Array.from(document.querySelectorAll(".review-item"));
  if (!items.length) return;
  let current = 0;
  const focus = (i) => {
    current = Math.max(0, Math.min(items.length - 1, i));
    items.forEach((el, k) => el.classList.toggle("current", k === current));
    items[current].focus({ preventScroll: true });
    items[current].scrollIntoView({ block: "nearest" });
  };
  items.forEach((el, k) => el.addEventListener("focusin", () => { current = k; items.forEach((e, j) => e.classList.toggle("current", j === k)); }));
  // "Not on the chain" empties the node choices before submitting.
  document.querySelectorAll(".act-not-ai").forEach((button) => button.addEventListener("click", () => {
    const form = button.closest("form");
    form.querySelectorAll("select[name=nodes]").forEach((s) => { s.value = ""; });
    form.querySelector(".act-national").value = "none";
  }));
  document.addEventListener("keydown", (ev) => {
    if (["INPUT", "SELECT", "TEXTAREA"].includes(document.activeElement.tagName) || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const item = items[current];
    if (ev.key === "j") { focus(current + 1); ev.preventDefault(); }
    else if (ev.key === "k") { focus(current - 1); ev.preventDefault(); }
    else if (ev.key === "a") { item.querySelector(".act-confirm").click(); ev.preventDefault(); }
    else if (ev.key === "x") { item.querySelector(".act-not-ai").click(); ev.preventDefault(); }
    else if (ev.key === "e") { item.querySelector(".act-primary").focus(); ev.preventDefault(); }
  });
  focus(0);
})();
