// The page viewer's keys: ← → and j k turn pages, g goes to the "go to page" box.
// Without JavaScript the links and the form do the same.
(function () {
  var nav = document.querySelector("[data-viewer]");
  if (!nav) return;
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var go = null;
    if (event.key === "ArrowLeft" || event.key === "k") go = nav.dataset.previous;
    if (event.key === "ArrowRight" || event.key === "j") go = nav.dataset.next;
    if (go) {
      event.preventDefault();
      window.location.href = go;
    } else if (event.key === "g") {
      event.preventDefault();
      var box = document.getElementById("go-to-page");
      box.focus();
      box.select();
    }
  });
})();
