/* Case pages and the department desk: report-in countdowns that tick every second, and
   dialogs (吹哨) that open in place. Without this script the pages still say the right
   thing: the server wrote the time left when it drew the page, and the dialog's button is
   a link that draws the page with the dialog open (?open=whistle). */
(function () {
  "use strict";

  // The same text as the server's (cases/templatetags/case_work.py: clock_text).
  function clockText(seconds) {
    var hours = Math.floor(seconds / 3600);
    var minutes = String(Math.floor((seconds % 3600) / 60)).padStart(2, "0");
    var secs = String(seconds % 60).padStart(2, "0");
    return hours ? hours + ":" + minutes + ":" + secs : minutes + ":" + secs;
  }

  var loaded = Date.now();
  var countdowns = Array.prototype.map.call(
    document.querySelectorAll(".countdown[data-deadline]"),
    function (el) {
      // Count on the server's clock, not the PC's: office clocks drift by minutes.
      return {
        el: el,
        deadline: Date.parse(el.dataset.deadline),
        skew: Date.parse(el.dataset.now) - loaded,
        word: el.querySelector(".word"),
        time: el.querySelector("time"),
      };
    }
  ).filter(function (c) { return !isNaN(c.deadline) && !isNaN(c.skew); });

  function tick() {
    var now = Date.now();
    countdowns.forEach(function (c) {
      var left = Math.trunc((c.deadline - (now + c.skew)) / 1000);
      var late = left < 0;
      c.el.classList.toggle("late", late);
      c.word.textContent = late ? c.el.dataset.over : c.el.dataset.left;
      c.time.textContent = clockText(Math.abs(left));
    });
  }

  if (countdowns.length) {
    tick();
    setInterval(tick, 1000);
  }

  document.querySelectorAll("[data-dialog]").forEach(function (opener) {
    var dialog = document.getElementById(opener.dataset.dialog);
    if (!dialog || typeof dialog.showModal !== "function") return; // the link still works
    opener.addEventListener("click", function (event) {
      event.preventDefault();
      if (dialog.open) dialog.close();
      dialog.showModal();
    });
  });

  document.querySelectorAll("dialog [data-close]").forEach(function (closer) {
    closer.addEventListener("click", function (event) {
      var dialog = closer.closest("dialog");
      if (!dialog || typeof dialog.close !== "function") return;
      event.preventDefault();
      dialog.close();
    });
  });
})();
