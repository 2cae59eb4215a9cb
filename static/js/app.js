// After htmx loads a new lesson in place, move focus to its heading and announce it,
// so keyboard and screen-reader users know the page changed (a full page load does
// this by itself).
document.addEventListener("htmx:afterSettle", function (event) {
  var config = event.detail.requestConfig;
  if (!config) return;
  var movedOn = config.elt && config.elt.hasAttribute && config.elt.hasAttribute("data-next-lesson");
  if (config.verb !== "get" && !movedOn) {
    // The pressed button was swapped away ("Mark this lesson complete"): keep the person's
    // place on the new status instead of letting focus fall back to the top of the page.
    var status = document.getElementById("lesson-status");
    if (status && document.activeElement === document.body) status.focus();
    return;
  }
  var heading = document.querySelector("#lesson h1");
  if (!heading) return;
  heading.focus();
  var announcer = document.getElementById("announcer");
  if (announcer) {
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = heading.textContent.trim(); }, 50);
  }
});

// htmx leaves the page as it was when the server answers with an error (htmx-config in
// base.html) or cannot be reached: say so, instead of seeming to do nothing.
function showRequestError() {
  var box = document.getElementById("request-error");
  if (!box) {
    box = document.createElement("div");
    box.id = "request-error";
    box.className = "flash flash-error";
    box.setAttribute("role", "alert");
    document.getElementById("main").prepend(box);
  }
  box.textContent = "That did not work, and nothing was saved. Please reload the page and try again.";
}
document.addEventListener("htmx:responseError", showRequestError);
document.addEventListener("htmx:sendError", showRequestError);
