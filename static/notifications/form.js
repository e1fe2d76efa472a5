// The notification form: shows the fields of the chosen channel and schedule, and counts an
// SMS's characters ("n/160") as it is typed. Without JavaScript every field shows.
(function () {
  "use strict";

  function chosen(form, name) {
    const checked = form.querySelector(`[name="${name}"]:checked`);
    if (checked) return checked.value;
    const select = form.querySelector(`select[name="${name}"]`);
    return select ? select.value : "";
  }

  function toggle(form, attribute, value) {
    for (const part of form.querySelectorAll(`[${attribute}]`)) {
      part.hidden = !part.getAttribute(attribute).split(" ").includes(value);
    }
  }

  function setUp(form) {
    const body = form.querySelector("textarea[name=body]");
    const counter = form.querySelector("[data-sms-counter]");
    const max = Number(body.dataset.smsMax);
    const update = () => {
      const channel = chosen(form, "channel");
      toggle(form, "data-for-channel", channel);
      toggle(form, "data-for-schedule", chosen(form, "schedule"));
      // Code points, as the server counts them (an emoji is one character).
      const count = Array.from(body.value).length;
      counter.textContent = `${count}/${max}`;
      const over = channel === "sms" && count > max;
      counter.classList.toggle("over", over);
      body.setAttribute("aria-invalid", over ? "true" : "false");
    };
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", () => {
    for (const form of document.querySelectorAll("[data-notification-form]")) setUp(form);
  });
})();
