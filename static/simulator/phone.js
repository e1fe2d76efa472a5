// Keep the newest message in view: on load and whenever the polled thread changed.
(function () {
  function toBottom() {
    var thread = document.getElementById("thread");
    if (thread) thread.scrollTop = thread.scrollHeight;
  }
  document.addEventListener("DOMContentLoaded", toBottom);
  document.addEventListener("htmx:afterSettle", toBottom);
  // Enter sends, Shift+Enter starts a new line, as in WhatsApp Web.
  document.addEventListener("keydown", function (event) {
    if (event.target.id === "id_text" && event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      event.target.form.requestSubmit();
    }
  });
})();
