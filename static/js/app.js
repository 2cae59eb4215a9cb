// After htmx loads a new lesson in place, move focus to its heading and announce it,
// so keyboard and screen-reader users know the page changed (a full page load does
// this by itself).
document.addEventListener("htmx:afterSettle", function (event) {
  var config = event.detail.requestConfig;
  if (!config || config.verb !== "get") return;
  var heading = document.querySelector("#lesson h1");
  if (!heading) return;
  heading.focus();
  var announcer = document.getElementById("announcer");
  if (announcer) {
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = heading.textContent.trim(); }, 50);
  }
});
