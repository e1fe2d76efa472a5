/* The inbox's live updates (INB-3) over /ws/a/<slug>/inbox/ (inbox/consumers.py).

   The socket only says what changed; the HTML always comes from the server's fragments
   (list item, messages and system lines after an id, one message, the chat's header, the contact
   panel), so what is shown is what the database holds.
   Every event carries the member's sequence number: on a gap that stays unfilled, and on every
   (re)connect, the list and the open chat are reloaded from the database. Presence (viewing,
   typing) is relayed between viewers and fades out by itself. */
(function () {
  "use strict";

  const root = document.getElementById("inbox");
  if (!root || !("WebSocket" in window)) return;

  const slug = root.dataset.account;
  const me = Number(root.dataset.membership);
  const base = `/a/${slug}/inbox/`;
  const GAP_WAIT_MS = 1500; // events of concurrent publishers may arrive a little out of order
  const VIEWING_EVERY_MS = 20000;
  const VIEWING_TTL_MS = 45000;
  const TYPING_TTL_MS = 6000;
  const TYPING_EVERY_MS = 3000;

  const stringsNode = document.getElementById("live-strings");
  const strings = Object.assign({
    viewing: "%(names)s viewing",
    typing: "%(names)s typing…",
    reminder: "Reminder",
    newMessage: "New message",
    reassigned: "This conversation is no longer in your inbox.",
    followUp: "No answer yet",
    campaignPaused: "Campaign paused",
    negativeStreak: "Negative streak",
    offline: "Reconnecting…",
  }, stringsNode ? stringsNode.dataset : {});

  const state = { socket: null, lastSeq: null, missing: new Set(), gapTimer: null, backoff: 500,
                  connected: false, resyncs: 0, unread: new Map(), presence: new Map() };
  const $ = (selector, scope) => (scope || document).querySelector(selector);
  const openChat = () => root.dataset.conversation || "";
  const baseTitle = document.title.replace(/^\(\d+\) /, "");

  /* --- Fragments from the server. --- */
  function get(url) {
    return fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then((response) => (response.ok ? response.text() : Promise.reject(response.status)));
  }

  function place(target, html, where) {
    const holder = document.createElement("template");
    holder.innerHTML = html.trim();
    const nodes = Array.from(holder.content.children);
    if (where === "replace") target.replaceWith(...nodes);
    else if (where === "prepend") target.prepend(...nodes);
    else target.append(...nodes);
    nodes.forEach((node) => { if (window.htmx) htmx.process(node); });
    return nodes;
  }

  // One fetch of new messages at a time, so two events never append the same message twice.
  let chain = Promise.resolve();
  function fetchNewMessages() {
    chain = chain.then(() => {
      const number = openChat();
      const history = $("#history");
      if (!number || !history) return null;
      // A chat opened at an older message: its newer pages bring these when the reader gets there.
      if (window.Inbox && window.Inbox.atLatest && !window.Inbox.atLatest()) return null;
      const near = history.scrollHeight - history.scrollTop - history.clientHeight < 120;
      const after = window.Inbox ? window.Inbox.lastMessageId() : 0;
      const lines = window.Inbox && window.Inbox.lastEventId ? window.Inbox.lastEventId() : 0;
      return get(`${base}c/${number}/messages/?after=${after}&events_after=${lines}`).then((html) => {
        if (openChat() !== number || !html.trim()) return;
        place(history, html, "append");
        if (window.Inbox) window.Inbox.dedupe(history);
        if (near) history.scrollTop = history.scrollHeight;
      });
    }).catch(() => null);
    return chain;
  }

  /* The open chat's header: status, assignee, window, close / reopen. */
  function refreshHead() {
    const number = openChat();
    if (!number || !document.getElementById("chat-head")) return Promise.resolve();
    return get(`${base}c/${number}/head/`).then((html) => {
      const current = document.getElementById("chat-head");
      if (!current || openChat() !== number) return;
      const [fresh] = place(current, html, "replace");
      const chat = document.getElementById("chat-root");
      if (chat && fresh) chat.dataset.window = fresh.dataset.window;
      renderPresence();
    }).catch((status) => { if (status === 404 && openChat() === number) showRemoved(); });
  }

  // Someone else closed, reopened or reassigned the open chat: its header and its new system lines.
  let chatTimer = null;
  function refreshOpenChat() {
    clearTimeout(chatTimer);
    chatTimer = setTimeout(() => { refreshHead(); fetchNewMessages(); }, 100);
  }

  /* The open chat is no longer this member's to see: say so, and drop its panel. */
  function showRemoved() {
    const chat = document.getElementById("chat");
    if (chat) {
      chat.textContent = "";
      const notice = document.createElement("p");
      notice.className = "empty muted";
      notice.dataset.testid = "chat-removed";
      notice.textContent = strings.reassigned;
      chat.append(notice);
    }
    const panel = document.getElementById("panel");
    if (panel) panel.textContent = "";
    if (/\/c\/\d+\/$/.test(location.pathname) && root.dataset.inboxUrl) {
      window.history.replaceState({}, "", root.dataset.inboxUrl + location.search);
    }
    toast(strings.reassigned); // on a phone the list is what shows now
    if (window.Inbox) window.Inbox.markActive();
  }

  /* Sections of the contact panel, from the panel's own fragment; what the member was typing in
     the section's forms, and the focus, survive the redraw. */
  const PANEL_SECTIONS = ["assign", "tags", "notes", "reminders", "scheduled"];
  const panelWanted = new Set();
  let panelChain = Promise.resolve();
  function refreshPanel(sections) {
    sections.forEach((section) => panelWanted.add(section));
    panelChain = panelChain.then(() => {
      const panel = document.getElementById("contact-panel");
      const wanted = Array.from(panelWanted);
      panelWanted.clear();
      if (!panel || !wanted.length) return null;
      const number = panel.dataset.conversation;
      return get(`${base}c/${number}/panel/`).then((html) => {
        const current = document.getElementById("contact-panel");
        if (!current || current.dataset.conversation !== number) return;
        const holder = document.createElement("template");
        holder.innerHTML = html.trim();
        wanted.forEach((section) => {
          const fresh = holder.content.querySelector(`[data-section="${section}"]`);
          const old = current.querySelector(`[data-section="${section}"]`);
          if (fresh && old) swapKeepingInput(old, fresh);
        });
      });
    }).catch(() => null);
    return panelChain;
  }

  function edited(field) {
    if (field.tagName === "SELECT") {
      const initial = Array.from(field.options).find((option) => option.defaultSelected) || field.options[0];
      return Boolean(initial) && field.value !== initial.value;
    }
    if (field.type === "checkbox" || field.type === "radio") return field.checked !== field.defaultChecked;
    return field.value !== field.defaultValue;
  }

  function swapKeepingInput(old, fresh) {
    const typed = [];
    old.querySelectorAll("form").forEach((form) => {
      Array.from(form.elements).forEach((field) => {
        if (!field.name || ["hidden", "submit", "button"].includes(field.type) || !edited(field)) return;
        typed.push({ action: form.getAttribute("action"), name: field.name, value: field.value, checked: field.checked });
      });
    });
    const active = document.activeElement;
    const focused = active && old.contains(active) && active.id ? active : null;
    const selection = focused && typeof focused.selectionStart === "number"
      ? [focused.selectionStart, focused.selectionEnd] : null;
    old.replaceWith(fresh);
    typed.forEach((entry) => {
      const form = Array.from(fresh.querySelectorAll("form")).find((f) => f.getAttribute("action") === entry.action);
      const field = form && form.elements.namedItem(entry.name);
      if (!field || !("value" in field)) return;
      if (field.type === "checkbox" || field.type === "radio") field.checked = entry.checked;
      else field.value = entry.value;
    });
    if (window.htmx) htmx.process(fresh);
    if (focused) {
      const again = document.getElementById(focused.id);
      if (again) {
        again.focus();
        if (selection && again.setSelectionRange) { try { again.setSelectionRange(...selection); } catch (error) { /* not a text field */ } }
      }
    }
  }

  function panelShows(event) {
    const panel = document.getElementById("contact-panel");
    if (!panel || Number(panel.dataset.contact) !== event.contact_id) return false;
    return event.conversation === null || event.conversation === undefined
      || String(event.conversation) === panel.dataset.conversation;
  }

  function refreshMessage(number, id) {
    const element = document.getElementById(`msg-${id}`);
    if (!element || openChat() !== String(number)) return Promise.resolve();
    return get(`${base}c/${number}/m/${id}/`).then((html) => {
      const current = document.getElementById(`msg-${id}`);
      if (current) place(current, html, "replace");
    }).catch(() => null);
  }

  function refreshItem(number, toTop) {
    const item = document.getElementById(`conv-${number}`);
    if (!item) { scheduleListRefresh(); return Promise.resolve(); }
    return get(`${base}list/item/${number}/`).then((html) => {
      const current = document.getElementById(`conv-${number}`);
      if (!current) return;
      const [fresh] = place(current, html, "replace");
      const list = $("#conv-list");
      if (toTop && fresh && list && list.firstElementChild !== fresh) list.prepend(fresh);
      if (window.Inbox) window.Inbox.markActive();
    }).catch((status) => { if (status === 404) removeItem(number); });
  }

  function removeItem(number) {
    const item = document.getElementById(`conv-${number}`);
    if (item) item.remove();
  }

  let listTimer = null;
  function scheduleListRefresh() {
    clearTimeout(listTimer);
    listTimer = setTimeout(refreshList, 300);
  }

  function refreshList() {
    const list = $("#conv-list");
    if (!list) return Promise.resolve();
    const filters = document.getElementById("filters");
    const query = filters ? new URLSearchParams(new FormData(filters)).toString() : "";
    const url = root.dataset.listUrl || `${base}list/`;
    return get(query ? `${url}?${query}` : url).then((html) => {
      list.innerHTML = html;
      if (window.htmx) htmx.process(list);
      if (window.Inbox) window.Inbox.markActive();
    }).catch(() => null);
  }

  /* The database is the truth: reload the list, the open chat's new messages and its pending ticks. */
  function resync() {
    state.resyncs += 1;
    state.missing.clear();
    clearTimeout(state.gapTimer);
    const pending = Array.from(document.querySelectorAll("#history .msg.out[data-id]"))
      .filter((element) => !["read", "failed"].includes(element.dataset.status)).slice(-20);
    const number = openChat();
    return Promise.all([refreshList(), fetchNewMessages(), refreshHead(), refreshPanel(PANEL_SECTIONS),
      ...pending.map((element) => refreshMessage(number, element.dataset.id))]);
  }

  /* --- Sequence numbers. --- */
  function track(seq) {
    if (typeof seq !== "number") return;
    if (state.lastSeq === null) { state.lastSeq = seq; return; }
    if (seq === state.lastSeq + 1) { state.lastSeq = seq; return; }
    if (seq > state.lastSeq + 1) {
      for (let missing = state.lastSeq + 1; missing < seq; missing += 1) state.missing.add(missing);
      state.lastSeq = seq;
      clearTimeout(state.gapTimer);
      state.gapTimer = setTimeout(() => { if (state.missing.size) resync(); }, GAP_WAIT_MS);
    } else if (state.missing.has(seq)) state.missing.delete(seq); // a late one, gap filling
    else { state.lastSeq = seq; resync(); } // the counter restarted: trust nothing
  }

  /* --- Title, notifications, toasts. --- */
  function updateTitle() {
    let total = 0;
    state.unread.forEach((count) => { total += count; });
    document.title = total ? `(${total}) ${baseTitle}` : baseTitle;
  }

  function notify(title, body, tag, onClick) {
    if (!("Notification" in window) || Notification.permission !== "granted" || !document.hidden) return;
    const notification = new Notification(title, { body, tag });
    notification.onclick = () => { window.focus(); if (onClick) onClick(); notification.close(); };
  }

  function toast(text) {
    let box = document.getElementById("live-toasts");
    if (!box) {
      box = document.createElement("div");
      box.id = "live-toasts";
      box.setAttribute("role", "status");
      document.body.append(box);
    }
    const item = document.createElement("div");
    item.className = "live-toast";
    item.dataset.testid = "toast";
    item.textContent = text;
    item.addEventListener("click", () => item.remove());
    box.append(item);
    setTimeout(() => item.remove(), 10000);
  }

  // Browsers ask for permission only after a user gesture.
  root.addEventListener("click", () => {
    if ("Notification" in window && Notification.permission === "default") Notification.requestPermission();
  }, { once: true });

  function isMine(event) { return event.assignee_id === me || event.assignee_id === null; }

  /* --- Presence. --- */
  function presenceOf(number) {
    if (!state.presence.has(number)) state.presence.set(number, new Map());
    return state.presence.get(number);
  }

  function renderPresence() {
    const head = $(".chat-head .who");
    if (!head) return;
    let line = $(".presence", head);
    if (!line) {
      line = document.createElement("span");
      line.className = "presence muted";
      line.dataset.testid = "presence";
      head.append(line);
    }
    const now = Date.now();
    const people = Array.from(presenceOf(openChat()).values());
    const typing = people.filter((person) => person.typingUntil > now).map((person) => person.name);
    const viewing = people.filter((person) => person.viewingUntil > now && !typing.includes(person.name))
      .map((person) => person.name);
    const parts = [];
    if (typing.length) parts.push(strings.typing.replace("%(names)s", typing.join(", ")));
    if (viewing.length) parts.push(strings.viewing.replace("%(names)s", viewing.join(", ")));
    line.textContent = parts.join(" · ");
  }
  setInterval(renderPresence, 2000);

  function onPresence(event) {
    const people = presenceOf(String(event.conversation));
    const now = Date.now();
    const person = people.get(event.membership_id) || { name: event.name, viewingUntil: 0, typingUntil: 0 };
    if (event.state === "left") people.delete(event.membership_id);
    else {
      person.viewingUntil = now + VIEWING_TTL_MS;
      if (event.state === "typing") person.typingUntil = now + TYPING_TTL_MS;
      people.set(event.membership_id, person);
    }
    if (String(event.conversation) === openChat()) renderPresence();
  }

  function say(message) {
    if (state.socket && state.socket.readyState === WebSocket.OPEN) state.socket.send(JSON.stringify(message));
  }

  let viewed = "";
  function announceViewing() {
    const number = openChat();
    if (viewed && viewed !== number) say({ type: "presence", conversation: Number(viewed), state: "left" });
    viewed = number;
    if (number) say({ type: "presence", conversation: Number(number), state: "viewing" });
  }
  setInterval(announceViewing, VIEWING_EVERY_MS);
  document.addEventListener("inbox:chat-opened", (event) => {
    if (openChat() !== viewed) announceViewing();
    renderPresence();
    const number = event.detail && event.detail.conversation;
    if (number && state.unread.delete(number)) updateTitle();
  });

  let typedAt = 0;
  document.addEventListener("input", (event) => {
    if (!(event.target instanceof Element) || event.target.id !== "composer-text" || !openChat()) return;
    if (Date.now() - typedAt < TYPING_EVERY_MS) return;
    typedAt = Date.now();
    say({ type: "presence", conversation: Number(openChat()), state: "typing" });
  });

  /* --- Events. --- */
  const handlers = {
    "message.created"(event) {
      const number = String(event.conversation);
      if (number === openChat()) fetchNewMessages();
      refreshItem(number, true);
      if (event.direction !== "in" || !isMine(event)) return;
      if (document.hidden || number !== openChat()) {
        state.unread.set(number, (state.unread.get(number) || 0) + 1);
        updateTitle();
      }
      notify(event.contact || strings.newMessage, event.preview, `conv-${number}`,
        () => { location.href = `${base}c/${number}/`; });
    },
    "message.status"(event) { refreshMessage(event.conversation, event.message); },
    "message.analysed"(event) {  /* empaty/live.py: the messages' emotion badges, from their fragment */
      if (String(event.conversation) !== openChat()) return;
      event.messages.filter((id) => document.getElementById(`msg-${id}`)).slice(-50)
        .forEach((id) => refreshMessage(event.conversation, id));
    },
    "conversation.updated"(event) {
      refreshItem(event.conversation, false);
      if (String(event.conversation) === openChat()) refreshOpenChat();
    },
    "conversation.assigned"(event) {
      scheduleListRefresh();
      if (String(event.conversation) === openChat()) { refreshOpenChat(); refreshPanel(["assign"]); }
    },
    "conversation.removed"(event) {
      const number = String(event.conversation);
      removeItem(number);
      if (number === openChat()) showRemoved();
    },
    "panel.changed"(event) { if (panelShows(event)) refreshPanel([event.section]); },
    "reminder.due"(event) {
      const text = `${strings.reminder}: ${event.contact} — ${event.text}`;
      toast(text);
      notify(strings.reminder, `${event.contact}: ${event.text}`, `reminder-${event.reminder}`);
      document.dispatchEvent(new CustomEvent("inbox:reminder-due", { detail: event }));
      if (panelShows({ contact_id: event.contact_id, conversation: null })) refreshPanel(["reminders"]);
    },
    "rule.notified"(event) { alertAbout(event.conversation, event.rule, `${event.contact}: ${event.text}`); },
    "follow_up.due"(event) {
      alertAbout(event.conversation, strings.followUp, `${event.contact} (${event.hours} h)`);
    },
    "campaign.paused"(event) {  /* campaigns/services.py: WhatsApp stopped one by itself */
      const title = `${strings.campaignPaused}: ${event.name}`;
      toast(`${title} — ${event.detail}`);
      notify(title, event.detail, `campaign-${event.campaign}`, () => {
        location.href = `/a/${slug}/campaigns/${event.campaign}/`;
      });
    },
    "empaty.streak"(event) {  /* empaty/alerts.py: a customer's negative messages in a row */
      alertAbout(event.conversation, strings.negativeStreak, `${event.contact} (${event.length})`);
    },
    presence: onPresence,
  };

  /* An automation asks this member to look at a chat (bots/rules.py, bots/follow_ups.py). */
  function alertAbout(number, title, text) {
    toast(`${title}: ${text}`);
    notify(title, text, `alert-${number}`, () => { location.href = `${base}c/${number}/`; });
  }

  function onMessage(raw) {
    let event;
    try { event = JSON.parse(raw.data); } catch (error) { return; }
    if (event.type === "hello") {
      state.lastSeq = event.seq;
      state.backoff = 500;
      state.connected = true;
      root.classList.remove("live-offline");
      resync();
      announceViewing();
      return;
    }
    if (event.type === "pong") return;
    track(event.seq);
    const handler = handlers[event.type];
    if (handler) handler(event);
    document.dispatchEvent(new CustomEvent("inbox:live", { detail: event }));
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/ws/a/${slug}/inbox/`);
    state.socket = socket;
    socket.addEventListener("message", onMessage);
    socket.addEventListener("close", (event) => {
      state.connected = false;
      root.classList.add("live-offline");
      if (event.code === 4401 || event.code === 4403) return; // logged out or removed: a reload tells why
      const delay = state.backoff * (0.75 + Math.random() / 2);
      state.backoff = Math.min(state.backoff * 2, 30000);
      setTimeout(connect, delay);
    });
  }
  setInterval(() => say({ type: "ping" }), 25000);
  window.addEventListener("online", () => {
    if (state.socket && state.socket.readyState === WebSocket.CLOSED) { state.backoff = 500; connect(); }
  });

  window.InboxLive = { state, resync };
  connect();
})();
