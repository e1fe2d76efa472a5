/* The inbox page: keyboard, chat scrolling, composer (counter, emoji, quick replies, files).
   Plain JS over htmx; live updates are static/inbox/live.js's. Exposes window.Inbox. */
(function () {
  "use strict";

  const $ = (selector, scope) => (scope || document).querySelector(selector);
  const $$ = (selector, scope) => Array.from((scope || document).querySelectorAll(selector));

  function inbox() { return document.getElementById("inbox"); }

  /* The open chat: the list item highlighted, the root's data-conversation kept current. */
  function markActive() {
    const root = inbox();
    if (!root) return;
    const chat = $("#chat-root");
    const number = chat ? chat.dataset.conversation : "";
    root.dataset.conversation = number || "";
    root.classList.toggle("has-chat", Boolean(number));
    $$(".conv-item", root).forEach((item) => {
      const active = item.dataset.number === number;
      item.classList.toggle("active", active);
      item.setAttribute("aria-selected", active ? "true" : "false");
    });
    document.dispatchEvent(new CustomEvent("inbox:chat-opened", { detail: { conversation: number } }));
  }

  function scrollHistory() {
    const history = $("#history");
    if (!history) return;
    // A chat opened at a message (a search hit) says which; a #msg-<id> in the address works too.
    const focus = history.dataset.focus ? document.getElementById("msg-" + history.dataset.focus) : null;
    const target = focus || (location.hash && location.hash.startsWith("#msg-") ? $(location.hash, history) : null);
    if (target) { target.scrollIntoView({ block: "center" }); target.classList.add("highlight"); }
    else history.scrollTop = history.scrollHeight;
  }

  /* A message or system line may arrive twice (the send answer and a live event, or a redrawn
     chat and a live event): keep the first of each id. */
  function dedupe(scope) {
    const seen = new Set();
    $$(".msg[id], .system-line[id]", scope || document).forEach((element) => {
      if (seen.has(element.id)) element.remove(); else seen.add(element.id);
    });
  }

  function lastMessageId() {
    const all = $$("#history .msg[data-id]");
    return all.length ? Number(all[all.length - 1].dataset.id) : 0;
  }

  /* The newest system line shown (older pages put lower ids above). */
  function lastEventId() {
    return $$("#history .system-line[id^='event-']")
      .reduce((last, element) => Math.max(last, Number(element.id.slice(6)) || 0), 0);
  }

  /* A chat opened at an older message shows a window: newer pages come on scroll down (the
     .newer sentinel), and live messages wait until the reader is back at the end. */
  function atLatest() { return !$("#history .newer"); }

  /* A page joined above or below repeats the day of its neighbour: keep one separator per day. */
  function dedupeDays() {
    let last = null;
    $$("#history .day").forEach((day) => {
      if (day.textContent === last) day.remove(); else last = day.textContent;
    });
  }

  /* --- Older messages on scroll up, keeping the reader's place. --- */
  let heightBefore = null;
  document.addEventListener("scroll", (event) => {
    const history = event.target;
    if (!(history instanceof Element) || history.id !== "history" || history.scrollTop > 80) return;
    const older = $(".older", history);
    if (older && !older.dataset.loading) { older.dataset.loading = "1"; heightBefore = history.scrollHeight; htmx.trigger(older, "load-older"); }
  }, true);

  /* --- Composer. --- */
  function composer() { return $("#composer"); }

  function updateCounter() {
    const form = composer();
    if (!form) return;
    const text = $("#composer-text", form);
    const counter = $(".counter", form);
    counter.textContent = text.value.length + "/" + text.maxLength;
    counter.classList.toggle("over", text.value.length > text.maxLength * 0.95);
  }

  function showError(message) {
    const box = $("#composer-error");
    if (!box) return;
    box.textContent = "";
    if (message) {
      const p = document.createElement("p");
      p.className = "send-error"; p.dataset.testid = "send-error"; p.textContent = message;
      box.appendChild(p);
    }
  }

  function kindOf(file) {
    const major = (file.type || "").split("/")[0];
    return ["image", "video", "audio"].includes(major) ? major : "document";
  }

  function humanSize(bytes) {
    return bytes >= 1048576 ? (bytes / 1048576).toFixed(1) + " MB" : Math.ceil(bytes / 1024) + " KB";
  }

  /* The limits WhatsApp sets (inbox/media_rules.py), checked before anything is uploaded. */
  function checkFiles(input) {
    const form = input.form;
    const box = $("#attachments", form);
    box.textContent = "";
    const maxSize = JSON.parse(form.dataset.maxSize);
    const allowed = JSON.parse(form.dataset.allowed);
    const files = Array.from(input.files);
    const tooMany = files.length > Number(form.dataset.maxFiles);
    const problems = tooMany ? [input.dataset.tooMany || ("max " + form.dataset.maxFiles)] : [];
    files.forEach((file) => {
      const kind = kindOf(file);
      if (file.size > maxSize[kind]) problems.push(file.name + ": > " + humanSize(maxSize[kind]));
      else if (file.type && !allowed[kind].includes(file.type)) problems.push(file.name + ": " + file.type + " ✗");
    });
    if (problems.length) { input.value = ""; showError(problems.join(" · ")); return; }
    showError("");
    files.forEach((file) => {
      const item = document.createElement("div");
      item.className = "attachment";
      if (kindOf(file) === "image") {
        const img = document.createElement("img");
        img.src = URL.createObjectURL(file); img.alt = file.name;
        item.appendChild(img);
      }
      const name = document.createElement("span");
      name.textContent = file.name + " · " + humanSize(file.size);
      item.appendChild(name);
      box.appendChild(item);
    });
  }

  /* Quick replies: "/" at the start lists the matching shortcuts, already filled in. */
  let quickTimer = null;
  function quickReplies(text) {
    const form = text.form;
    const menu = $("#qr-menu", form);
    const match = /^\/(\S*)$/.exec(text.value);
    clearTimeout(quickTimer);
    if (!match) { menu.hidden = true; return; }
    quickTimer = setTimeout(() => {
      fetch(form.dataset.quickReplies + "?q=" + encodeURIComponent(match[1]), { credentials: "same-origin" })
        .then((response) => response.text())
        .then((html) => {
          menu.innerHTML = html; // rendered and escaped by the server
          menu.hidden = false;
          const first = $(".qr", menu);
          if (first) first.classList.add("selected");
        });
    }, 120);
  }

  function pickQuickReply(button) {
    const form = button.closest("form");
    const text = $("#composer-text", form);
    text.value = button.dataset.text;
    $("#qr-menu", form).hidden = true;
    updateCounter();
    text.focus();
  }

  function moveQuick(menu, step) {
    const items = $$(".qr", menu);
    if (!items.length) return;
    const index = items.findIndex((item) => item.classList.contains("selected"));
    items.forEach((item) => item.classList.remove("selected"));
    items[(index + step + items.length) % items.length].classList.add("selected");
  }

  document.addEventListener("input", (event) => {
    if (event.target.id === "composer-text") { updateCounter(); quickReplies(event.target); }
  });

  document.addEventListener("change", (event) => {
    if (event.target.matches && event.target.matches('#composer input[type="file"]')) checkFiles(event.target);
  });

  document.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    const quick = target.closest(".qr");
    if (quick) { pickQuickReply(quick); return; }
    const emoji = target.closest(".emoji");
    if (emoji) {
      const text = $("#composer-text");
      const at = text.selectionStart ?? text.value.length;
      text.value = text.value.slice(0, at) + emoji.textContent + text.value.slice(text.selectionEnd ?? at);
      text.selectionStart = text.selectionEnd = at + emoji.textContent.length;
      updateCounter(); text.focus();
      return;
    }
    const back = target.closest('[data-action="back"]');
    if (back && inbox()) {
      event.preventDefault();
      inbox().classList.remove("has-chat");
      history.pushState({}, "", inbox().dataset.inboxUrl);
    }
  });

  /* --- Keyboard: j/k or arrows move in the list, Enter opens, / searches, Ctrl+Enter sends,
     Escape goes back to the list. --- */
  function moveInList(step) {
    const items = $$("#conv-list .conv-item");
    if (!items.length) return;
    const current = items.findIndex((item) => item.contains(document.activeElement));
    const next = items[Math.max(0, Math.min(items.length - 1, current + step))];
    $("a", next).focus();
  }

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    const typing = target.matches && target.matches("input, textarea, select, [contenteditable]");
    if (target.id === "composer-text") {
      const menu = $("#qr-menu");
      if (menu && !menu.hidden) {
        if (event.key === "ArrowDown" || event.key === "ArrowUp") { event.preventDefault(); moveQuick(menu, event.key === "ArrowDown" ? 1 : -1); return; }
        if (event.key === "Enter" || event.key === "Tab") {
          const chosen = $(".qr.selected", menu);
          if (chosen) { event.preventDefault(); pickQuickReply(chosen); return; }
        }
        if (event.key === "Escape") { menu.hidden = true; return; }
      }
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); target.form.requestSubmit(); }
      return;
    }
    if (typing || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "/") { event.preventDefault(); const search = $("#search-q"); if (search) search.focus(); }
    else if (event.key === "j" || event.key === "ArrowDown") { if ($("#conv-list")) { event.preventDefault(); moveInList(1); } }
    else if (event.key === "k" || event.key === "ArrowUp") { if ($("#conv-list")) { event.preventDefault(); moveInList(-1); } }
    else if (event.key === "Escape" && inbox()) { inbox().classList.remove("has-chat"); }
  });

  /* --- htmx glue. --- */
  document.addEventListener("htmx:afterSwap", (event) => {
    const target = event.detail.target;
    if (target.id === "chat") {
      markActive(); scrollHistory();
      const text = $("#composer-text"); if (text && window.matchMedia("(min-width: 700px)").matches) text.focus();
    } else if (target.id === "history") {
      dedupe(target);
      // Sent from a chat opened at an older message: show the end, where the new message is.
      const latest = $("#to-latest");
      if (!atLatest() && latest) latest.click();
      target.scrollTop = target.scrollHeight;
    } else if (target.classList && target.classList.contains("older")) {
      // An older page went in above: keep the reader where they were.
      const history = $("#history");
      dedupeDays();
      if (history && heightBefore !== null) { history.scrollTop = history.scrollHeight - heightBefore; heightBefore = null; }
    } else if (target.classList && target.classList.contains("newer")) {
      dedupeDays(); dedupe($("#history"));
    } else if (target.id === "conv-list") markActive();
  });

  document.addEventListener("htmx:afterRequest", (event) => {
    const form = event.detail.elt;
    if (!(form instanceof HTMLFormElement) || !event.detail.successful) return;
    if (event.detail.xhr.getResponseHeader("HX-Retarget")) return; // a refusal, shown in the composer
    if (form.id === "composer" || form.matches('[data-testid="template-form"]')) {
      form.reset(); showError("");
      const box = $("#attachments", form); if (box) box.textContent = "";
      const fields = $("#template-fields", form); if (fields) fields.textContent = "";
      updateCounter();
    }
  });

  window.addEventListener("popstate", () => {
    const root = inbox();
    if (root && !/\/c\/\d+\/$/.test(location.pathname)) root.classList.remove("has-chat");
  });

  document.addEventListener("DOMContentLoaded", () => { markActive(); scrollHistory(); updateCounter(); });

  window.Inbox = { markActive, scrollHistory, dedupe, lastMessageId, lastEventId, atLatest };
})();
