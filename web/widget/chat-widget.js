/*
 * Chat widget for a Rasa assistant: socket.io channel first, REST channel when socket.io is unreachable.
 *
 * Embedding (see web/README.md):
 *   <script src="/widget/chat-widget.js" data-server-url="http://serveur:5005" data-title="..."
 *           data-primary-color="#1d4e89" data-welcome-message="..." defer></script>
 * or window.ChatWidgetConfig = {serverUrl, title, primaryColor, welcomeMessage} set before the script,
 * which wins over the data-* attributes.
 *
 * Nothing received from the bot or typed by the user is ever parsed as HTML: every text goes through
 * text nodes, and links are built element by element from an allow-list of protocols.
 *
 * Sources: a bot text may be followed by a custom payload {links: [{label, url}]} (REST:
 * {custom: {data: {links}}}); each label found in the text just before it becomes a link there, and
 * the labels that are not in it get their own « Source : label » line.
 */
(function () {
  "use strict";

  if (window.ChatWidget) {
    return; // embedded twice: the first instance keeps the page
  }

  const MAX_LENGTH = 500;
  const MAX_STORED_MESSAGES = 200;
  const REPLY_TIMEOUT_MS = 20000;
  const DEFAULT_RASA_PORT = 5005;
  const DEFAULT_PRIMARY = "#1d4e89";
  const SAFE_PROTOCOLS = ["http:", "https:", "mailto:", "tel:"];
  const WEB_PROTOCOLS = ["http:", "https:"];
  const MAX_LINKS = 10;
  const MAX_LABEL_LENGTH = 300;
  const BOT_BUBBLE = [238, 241, 244]; // --cw-bot-bubble in chat-widget.css
  const SVG_NS = "http://www.w3.org/2000/svg";
  const ICONS = {
    chat: "M5 5h14a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H10l-5 4v-4H5a1 1 0 0 1-1-1V6a1 1 0 0 1 1-1z",
    close: "M6 6l12 12M18 6L6 18",
    restart: "M4.5 12a7.5 7.5 0 1 0 2.2-5.3M4.5 4v4h4",
  };
  const TEXT = {
    defaultTitle: "Assistant",
    defaultWelcome: "Bonjour ! Posez-moi vos questions.",
    open: "Ouvrir la discussion avec l'assistant",
    close: "Fermer la discussion",
    restart: "Recommencer la conversation",
    log: "Messages de la conversation",
    botSaid: "L'assistant : ",
    userSaid: "Vous : ",
    suggestions: "Réponses suggérées",
    input: "Votre message",
    placeholder: "Votre question…",
    send: "Envoyer",
    lengthHint: "500 caractères maximum.",
    typing: "L'assistant écrit…",
    offline: "Impossible de joindre l'assistant pour le moment. Nouvelle tentative automatique en cours…",
    notSent: "Votre message n'a pas pu être envoyé : l'assistant est injoignable. Réessayez dans quelques instants.",
    noReply: "L'assistant ne répond pas. Reformulez votre question ou réessayez un peu plus tard.",
    newTab: " (nouvel onglet)",
    image: "Image",
    source: "Source : ",
    privacy: "Ne donnez pas d'informations personnelles (nom, adresse, téléphone).",
    retention: (days) => " Les échanges sont effacés au bout de " + days + " jours.",
  };
  // A Markdown link [label](target), or a bare web, mailto or tel address.
  const LINK_PATTERN = /\[([^\]\n]+)\]\(((?:[^()\s]|\([^()\s]*\))+)\)|\b(?:https?:\/\/|mailto:)[^\s<>"]+|\btel:\+?\d[\d.-]*\d/gi;

  const script = document.currentScript || document.querySelector("script[src*='chat-widget.js']");
  const baseUrl = new URL(".", script ? script.src : location.href).href;
  const config = readConfig();
  const keys = {
    session: "chatWidget:" + config.serverUrl + ":session",
    history: "chatWidget:" + config.serverUrl + ":history",
    open: "chatWidget:" + config.serverUrl + ":open",
  };

  const storedSessionId = storage("localStorage").read(keys.session, null);
  let sessionId = typeof storedSessionId === "string" && storedSessionId ? storedSessionId : newSessionId();
  let history = loadHistory();
  let socket = null;
  let connectionState = "idle";
  const waitingForConnection = [];
  let replyTimer = null;
  let returnFocusTo = null;
  const rows = new WeakMap();
  const ui = buildUi();

  window.ChatWidget = { open: openPanel, close: closePanel };
  storage("localStorage").write(keys.session, sessionId);
  loadStylesheet(baseUrl + "chat-widget.css").then(whenBodyReady).then(start);

  // ---- configuration -------------------------------------------------------------------------

  function readConfig() {
    const attributes = script ? script.dataset : {};
    const object = window.ChatWidgetConfig || {};
    const pick = (name) => object[name] ?? attributes[name];
    return {
      serverUrl: serverUrl(pick("serverUrl")),
      title: pick("title") || TEXT.defaultTitle,
      primaryColor: pick("primaryColor") || DEFAULT_PRIMARY,
      welcomeMessage: pick("welcomeMessage") ?? TEXT.defaultWelcome,
      retentionDays: Number(pick("retentionDays")) > 0 ? Number(pick("retentionDays")) : null,
    };
  }

  function serverUrl(given) {
    const fallback = (location.protocol === "https:" ? "https://" : "http://") +
      (location.hostname || "localhost") + ":" + DEFAULT_RASA_PORT;
    let url;
    try {
      url = new URL(given || fallback, location.href);
    } catch (error) {
      url = new URL(fallback);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      console.error("chat-widget : adresse du serveur invalide, " + fallback + " utilisée");
      url = new URL(fallback);
    }
    return url.origin + url.pathname.replace(/\/+$/, "");
  }

  // ---- storage: a blocked or full storage must never break the chat itself ------------------

  function storage(area) {
    return {
      read(key, fallback) {
        try {
          const raw = window[area].getItem(key);
          return raw === null ? fallback : JSON.parse(raw);
        } catch (error) {
          return fallback;
        }
      },
      write(key, value) {
        try {
          window[area].setItem(key, JSON.stringify(value));
        } catch (error) {
          // the conversation goes on, it just will not survive a reload
        }
      },
    };
  }

  function newSessionId() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  }

  function loadHistory() {
    const stored = storage("localStorage").read(keys.history, []);
    if (!Array.isArray(stored)) {
      return [];
    }
    const entries = stored.filter((entry) => entry && (entry.role === "bot" || entry.role === "user") &&
      typeof entry.text === "string" && (entry.replies === undefined || Array.isArray(entry.replies)));
    entries.forEach((entry) => {
      const links = entry.role === "bot" ? sourceLinks(entry.links) : [];
      if (links.length) {
        entry.links = links;
      } else {
        delete entry.links;
      }
    });
    return entries;
  }

  function saveHistory() {
    history = history.slice(-MAX_STORED_MESSAGES);
    storage("localStorage").write(keys.history, history);
  }

  // ---- safe rendering -------------------------------------------------------------------------

  function element(tag, className, attributes) {
    const node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    for (const [name, value] of Object.entries(attributes || {})) {
      node.setAttribute(name, value);
    }
    return node;
  }

  function hiddenText(text) {
    const span = element("span", "cw-visually-hidden");
    span.textContent = text;
    return span;
  }

  function icon(name) {
    const svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("class", "cw-icon");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    const path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", ICONS[name]);
    svg.append(path);
    return svg;
  }

  function safeHref(candidate) {
    let url;
    try {
      url = new URL(candidate);
    } catch (error) {
      return null;
    }
    return SAFE_PROTOCOLS.includes(url.protocol) ? url.href : null;
  }

  // Punctuation that ends a sentence is not part of the address it follows.
  function addressLength(address) {
    let end = address.length;
    for (;;) {
      const last = address[end - 1];
      if (".,;:!?»'\"".includes(last)) {
        end -= 1;
      } else if (last === ")" && !address.slice(0, end).includes("(")) {
        end -= 1;
      } else {
        return end;
      }
    }
  }

  function link(href, label) {
    const anchor = element("a", "cw-link");
    anchor.href = href;
    anchor.textContent = label;
    if (href.startsWith("http")) {
      anchor.target = "_blank";
      anchor.rel = "noopener noreferrer";
      anchor.append(hiddenText(TEXT.newTab));
    }
    return anchor;
  }

  // Plain text between links stays in one text node, so that a source label can be found in it.
  function appendRichText(parent, text) {
    let cursor = 0;
    let plain = "";
    for (const match of text.matchAll(LINK_PATTERN)) {
      const [whole, label, target] = match;
      const isMarkdown = label !== undefined;
      const consumed = isMarkdown ? whole.length : addressLength(whole);
      const shown = isMarkdown ? label : whole.slice(0, consumed);
      const href = safeHref(isMarkdown ? target : shown);
      plain += text.slice(cursor, match.index);
      if (href) {
        parent.append(plain, link(href, shown));
        plain = "";
      } else {
        plain += shown;
      }
      cursor = match.index + consumed;
    }
    parent.append(plain + text.slice(cursor));
  }

  // The {label, url} pairs of a links payload that can be shown: web addresses only, each label once.
  function sourceLinks(candidates) {
    if (!Array.isArray(candidates)) {
      return [];
    }
    const links = [];
    for (const candidate of candidates.slice(0, MAX_LINKS)) {
      if (!candidate || typeof candidate.label !== "string" || typeof candidate.url !== "string") {
        continue;
      }
      const label = candidate.label.trim();
      const href = safeHref(candidate.url);
      if (label && label.length <= MAX_LABEL_LENGTH && href && WEB_PROTOCOLS.includes(new URL(href).protocol) &&
          !links.some((kept) => kept.label === label)) {
        links.push({ label: label, url: href });
      }
    }
    return links;
  }

  // Turns every occurrence of the labels in the bubble's plain text into links; returns the labels found.
  // The text nodes are split in place: what was already shown (and announced) is not replaced.
  function linkLabels(bubble, links) {
    const found = new Set();
    const textNodes = Array.from(bubble.childNodes).filter((node) => node.nodeType === Node.TEXT_NODE);
    for (let node of textNodes) {
      for (;;) {
        const next = firstLabel(node.data, links);
        if (!next) {
          break;
        }
        const labelNode = next.index > 0 ? node.splitText(next.index) : node;
        node = labelNode.splitText(next.link.label.length);
        labelNode.replaceWith(link(next.link.url, next.link.label));
        found.add(next.link.label);
      }
    }
    return found;
  }

  // The earliest label in the text; of two starting at the same place, the longer.
  function firstLabel(text, links) {
    let best = null;
    for (const candidate of links) {
      const index = text.indexOf(candidate.label);
      if (index !== -1 && (!best || index < best.index ||
          (index === best.index && candidate.label.length > best.link.label.length))) {
        best = { index: index, link: candidate };
      }
    }
    return best;
  }

  // ---- theme: keep text on the configured colour readable (WCAG AA) ---------------------------

  function toRgb(color) {
    const context = document.createElement("canvas").getContext("2d");
    context.fillStyle = DEFAULT_PRIMARY;
    context.fillStyle = color; // an invalid colour leaves the default in place
    const normalised = context.fillStyle;
    if (normalised.startsWith("#")) {
      return [1, 3, 5].map((start) => parseInt(normalised.slice(start, start + 2), 16));
    }
    return normalised.match(/[\d.]+/g).slice(0, 3).map(Number);
  }

  function luminance(rgb) {
    const [red, green, blue] = rgb.map((channel) => {
      const value = channel / 255;
      return value <= 0.03928 ? value / 12.92 : Math.pow((value + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue;
  }

  function contrast(first, second) {
    const [light, dark] = [luminance(first), luminance(second)].sort((a, b) => b - a);
    return (light + 0.05) / (dark + 0.05);
  }

  function applyTheme(root) {
    const primary = toRgb(config.primaryColor);
    const onWhite = contrast(primary, [255, 255, 255]);
    const color = "rgb(" + primary.join(", ") + ")";
    root.style.setProperty("--cw-primary", color);
    root.style.setProperty("--cw-on-primary", onWhite >= contrast(primary, [0, 0, 0]) ? "#ffffff" : "#000000");
    root.style.setProperty("--cw-accent", onWhite >= 4.5 ? color : "#1a1a1a");
    root.style.setProperty("--cw-link", contrast(primary, BOT_BUBBLE) >= 4.5 ? color : "#1a1a1a");
  }

  // ---- interface ------------------------------------------------------------------------------

  function buildUi() {
    const root = element("div", "cw-root", { "data-connection": "idle" });
    applyTheme(root);

    const launcher = element("button", "cw-launcher", {
      type: "button", "aria-label": TEXT.open, "aria-haspopup": "dialog", "aria-controls": "cw-panel",
    });
    launcher.append(icon("chat"));

    const panel = element("section", "cw-panel", { id: "cw-panel", role: "dialog", "aria-labelledby": "cw-title" });
    panel.hidden = true;

    const header = element("header", "cw-header");
    const title = element("h2", "cw-title", { id: "cw-title" });
    title.textContent = config.title;
    const restart = element("button", "cw-icon-button", { type: "button", "aria-label": TEXT.restart, title: TEXT.restart });
    restart.append(icon("restart"));
    const close = element("button", "cw-icon-button", { type: "button", "aria-label": TEXT.close, title: TEXT.close });
    close.append(icon("close"));
    header.append(title, restart, close);

    const notice = element("p", "cw-notice", { role: "status" });
    notice.hidden = true;
    const log = element("div", "cw-log", {
      role: "log", "aria-live": "polite", "aria-label": TEXT.log, tabindex: "0",
    });
    const typing = element("div", "cw-typing");
    typing.hidden = true;
    typing.append(element("span", "cw-dot"), element("span", "cw-dot"), element("span", "cw-dot"), hiddenText(TEXT.typing));

    const form = element("form", "cw-form");
    const label = element("label", "cw-visually-hidden", { for: "cw-input" });
    label.textContent = TEXT.input;
    const hint = hiddenText(TEXT.lengthHint);
    hint.id = "cw-length-hint";
    const input = element("input", "cw-input", {
      id: "cw-input", type: "text", maxlength: String(MAX_LENGTH), autocomplete: "off",
      placeholder: TEXT.placeholder, "aria-describedby": "cw-length-hint",
    });
    const send = element("button", "cw-send", { type: "submit" });
    send.textContent = TEXT.send;
    const counter = element("span", "cw-counter", { "aria-hidden": "true" });
    form.append(label, hint, input, send, counter);
    // What is kept and for how long, before anyone types: the users are often minors.
    const privacy = element("p", "cw-privacy");
    privacy.textContent = TEXT.privacy + (config.retentionDays ? TEXT.retention(config.retentionDays) : "");

    panel.append(header, notice, log, typing, form, privacy);
    root.append(launcher, panel);

    launcher.addEventListener("click", () => openPanel());
    close.addEventListener("click", closePanel);
    restart.addEventListener("click", restartConversation);
    panel.addEventListener("keydown", onPanelKeydown);
    form.addEventListener("submit", onSubmit);
    input.addEventListener("input", updateCounter);
    document.addEventListener("click", (event) => {
      if (event.target.closest && event.target.closest("[data-chat-widget-open]")) {
        event.preventDefault();
        openPanel();
      }
    });
    return { root, launcher, panel, notice, log, typing, input, counter };
  }

  function start() {
    history.forEach((entry) => ui.log.append(renderEntry(entry)));
    welcomeIfEmpty();
    updateCounter();
    document.body.append(ui.root);
    if (storage("sessionStorage").read(keys.open, false)) {
      openPanel({ focus: false });
    }
  }

  function welcomeIfEmpty() {
    if (history.length === 0 && config.welcomeMessage) {
      addEntry({ role: "bot", text: config.welcomeMessage });
    }
  }

  function renderEntry(entry) {
    const row = element("div", "cw-message cw-message--" + entry.role);
    if (entry.text) {
      const bubble = element("p", "cw-bubble");
      bubble.append(hiddenText(entry.role === "bot" ? TEXT.botSaid : TEXT.userSaid));
      if (entry.role === "bot") {
        appendRichText(bubble, entry.text);
        linkLabels(bubble, entry.links || []);
      } else {
        bubble.append(entry.text);
      }
      row.append(bubble);
    }
    if (entry.replies && entry.replies.length) {
      const group = element("div", "cw-replies", { role: "group", "aria-label": TEXT.suggestions });
      for (const reply of entry.replies) {
        const button = element("button", "cw-reply", { type: "button" });
        button.textContent = reply.title;
        button.disabled = Boolean(entry.repliesUsed);
        button.addEventListener("click", () => {
          sendMessage(reply.payload, reply.title);
          ui.input.focus(); // the clicked button is now disabled and would drop the focus
        });
        group.append(button);
      }
      row.append(group);
    }
    rows.set(entry, row);
    return row;
  }

  function addEntry(entry) {
    history.push(entry);
    saveHistory();
    ui.log.append(renderEntry(entry));
    scrollToEnd();
  }

  function removeEntry(entry) {
    history = history.filter((kept) => kept !== entry);
    saveHistory();
    rows.get(entry)?.remove();
  }

  // A transient message (not kept in the history): errors about this page's connection.
  function addNotice(text) {
    const row = element("div", "cw-message cw-message--notice");
    const bubble = element("p", "cw-bubble");
    bubble.textContent = text;
    row.append(bubble);
    ui.log.append(row);
    scrollToEnd();
  }

  function disableReplies() {
    history.forEach((entry) => {
      if (entry.replies) {
        entry.repliesUsed = true;
      }
    });
    ui.log.querySelectorAll(".cw-reply").forEach((button) => {
      button.disabled = true;
    });
  }

  function scrollToEnd() {
    ui.log.scrollTop = ui.log.scrollHeight;
  }

  function updateCounter() {
    const length = ui.input.value.length;
    ui.counter.textContent = length + " / " + MAX_LENGTH;
    ui.counter.classList.toggle("cw-counter--full", length >= MAX_LENGTH);
  }

  function showTyping() {
    ui.typing.hidden = false;
    clearTimeout(replyTimer);
    replyTimer = setTimeout(() => {
      hideTyping();
      addNotice(TEXT.noReply);
    }, REPLY_TIMEOUT_MS);
  }

  function hideTyping() {
    clearTimeout(replyTimer);
    ui.typing.hidden = true;
  }

  function openPanel(options) {
    if (!ui.panel.hidden) {
      return;
    }
    returnFocusTo = document.activeElement;
    ui.panel.hidden = false;
    ui.launcher.hidden = true;
    storage("sessionStorage").write(keys.open, true);
    connect();
    scrollToEnd();
    if (!options || options.focus !== false) {
      ui.input.focus();
    }
  }

  function closePanel() {
    ui.panel.hidden = true;
    ui.launcher.hidden = false;
    storage("sessionStorage").write(keys.open, false);
    const target = returnFocusTo && returnFocusTo !== document.body && returnFocusTo.isConnected &&
      !ui.root.contains(returnFocusTo) ? returnFocusTo : ui.launcher;
    target.focus();
  }

  function onPanelKeydown(event) {
    if (event.key === "Escape") {
      event.preventDefault();
      closePanel();
      return;
    }
    if (event.key !== "Tab") {
      return;
    }
    // Tab cycles inside the open panel instead of wandering into the page behind it.
    const focusable = Array.from(ui.panel.querySelectorAll("a[href], button:not(:disabled), input, [tabindex='0']"))
      .filter((candidate) => candidate.getClientRects().length > 0);
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }

  function onSubmit(event) {
    event.preventDefault();
    const text = ui.input.value.trim().slice(0, MAX_LENGTH);
    if (!text) {
      return;
    }
    ui.input.value = "";
    updateCounter();
    sendMessage(text, text);
  }

  function restartConversation() {
    sessionId = newSessionId();
    storage("localStorage").write(keys.session, sessionId);
    history = [];
    saveHistory();
    ui.log.replaceChildren();
    hideTyping();
    welcomeIfEmpty();
    if (socket && socket.connected) {
      socket.emit("session_request", { session_id: sessionId });
    }
    ui.input.focus();
  }

  // ---- conversation with the Rasa server ------------------------------------------------------

  function setConnectionState(state) {
    connectionState = state;
    ui.root.dataset.connection = state;
    const notice = state === "offline" ? TEXT.offline : "";
    if (ui.notice.textContent !== notice) {
      ui.notice.textContent = notice; // rewriting the same text would announce it again on every retry
    }
    ui.notice.hidden = !notice;
    // Messages typed during the first connection go out once it succeeds, or over REST if it fails.
    if (state === "ready" || state === "offline") {
      waitingForConnection.splice(0).forEach(state === "ready" ? emitOverSocket : postOverRest);
    }
  }

  function connect() {
    if (connectionState !== "idle") {
      return;
    }
    setConnectionState("connecting");
    loadSocketIo().then((io) => {
      const server = new URL(config.serverUrl);
      // websocket only: it needs no CORS set-up on the Rasa server; REST covers networks that block it.
      socket = io(server.origin, {
        path: server.pathname.replace(/\/+$/, "") + "/socket.io",
        transports: ["websocket"],
        reconnectionDelayMax: 10000,
      });
      socket.on("connect", () => socket.emit("session_request", { session_id: sessionId }));
      socket.on("session_confirm", () => setConnectionState("ready"));
      socket.on("bot_uttered", receiveBotMessage);
      socket.on("connect_error", () => setConnectionState("offline"));
      socket.on("disconnect", (reason) => {
        setConnectionState("offline");
        if (reason === "io server disconnect") {
          socket.connect(); // the server hung up: socket.io only retries by itself after network failures
        }
      });
    }, () => setConnectionState("offline"));
  }

  function sendMessage(message, shownText) {
    disableReplies();
    const outgoing = { message: message, entry: { role: "user", text: shownText } };
    addEntry(outgoing.entry);
    showTyping();
    if (connectionState === "ready") {
      emitOverSocket(outgoing);
    } else if (connectionState === "connecting") {
      waitingForConnection.push(outgoing);
    } else {
      postOverRest(outgoing);
    }
  }

  function emitOverSocket(outgoing) {
    socket.emit("user_uttered", { message: outgoing.message, session_id: sessionId });
  }

  function postOverRest(outgoing) {
    sendOverRest(outgoing.message).then((replies) => {
      if (replies.length === 0) {
        hideTyping();
      }
      replies.forEach(receiveBotMessage);
    }, () => {
      removeEntry(outgoing.entry);
      hideTyping();
      addNotice(TEXT.notSent);
      if (!ui.input.value) {
        ui.input.value = outgoing.entry.text;
        updateCounter();
      }
    });
  }

  function sendOverRest(message) {
    return fetch(config.serverUrl + "/webhooks/rest/webhook", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender: sessionId, message: message }),
    }).then((response) => {
      // A rate-limited message (429) still carries a polite reply to show.
      if (!response.ok && response.status !== 429) {
        throw new Error("HTTP " + response.status);
      }
      return response.json();
    }).then((replies) => (Array.isArray(replies) ? replies : []));
  }

  // Accepts both the socket.io shape ({text, quick_replies, attachment}, or {links} for a custom payload)
  // and the REST one ({text, buttons, image}, or {custom: {data: {links}}}).
  function receiveBotMessage(message) {
    if (!message || typeof message !== "object") {
      return;
    }
    hideTyping();
    const image = (message.attachment && message.attachment.payload && message.attachment.payload.src) || message.image;
    const texts = [message.text, typeof image === "string" ? TEXT.image + " : " + image : ""];
    const offered = message.quick_replies || message.buttons;
    const replies = (Array.isArray(offered) ? offered : [])
      .filter((reply) => reply && typeof reply.title === "string" && typeof reply.payload === "string")
      .map((reply) => ({ title: reply.title, payload: reply.payload }));
    const entry = { role: "bot", text: texts.filter((text) => typeof text === "string" && text).join("\n") };
    if (replies.length) {
      entry.replies = replies;
    }
    if (entry.text || entry.replies) {
      addEntry(entry);
    }
    const custom = message.custom && typeof message.custom === "object" ? message.custom : null;
    const payload = custom ? (custom.data && typeof custom.data === "object" ? custom.data : custom) : message;
    if (payload.links !== undefined) {
      attachLinks(sourceLinks(payload.links));
    }
  }

  // The links belong to the bot text just before them: in it if their label is there, else on a line of their own.
  function attachLinks(links) {
    const latest = history[history.length - 1];
    const target = latest && latest.role === "bot" ? latest : null;
    const known = target && target.links ? target.links : [];
    const fresh = links.filter((candidate) =>
      !known.some((kept) => kept.label === candidate.label && kept.url === candidate.url));
    if (fresh.length === 0) {
      return;
    }
    const bubble = target && rows.get(target) ? rows.get(target).querySelector(".cw-bubble") : null;
    const found = bubble ? linkLabels(bubble, fresh) : new Set();
    if (found.size) {
      target.links = known.concat(fresh.filter((candidate) => found.has(candidate.label)));
      saveHistory();
    }
    const missing = fresh.filter((candidate) => !found.has(candidate.label));
    if (missing.length) {
      addEntry({
        role: "bot",
        text: missing.map((candidate) => TEXT.source + candidate.label).join("\n"),
        links: missing,
      });
    }
  }

  // ---- loading ----------------------------------------------------------------------------------

  function loadStylesheet(href) {
    return new Promise((resolve) => {
      const stylesheet = element("link", "", { rel: "stylesheet", href: href });
      // a missing stylesheet leaves a plain but working widget
      stylesheet.addEventListener("load", resolve);
      stylesheet.addEventListener("error", resolve);
      document.head.append(stylesheet);
    });
  }

  // The vendored client defines window.io; the page keeps whatever it had there before.
  function loadSocketIo() {
    return new Promise((resolve, reject) => {
      const pageOwnIo = window.io;
      const loader = element("script", "", { src: baseUrl + "vendor/socket.io.min.js" });
      loader.addEventListener("load", () => {
        const io = window.io;
        window.io = pageOwnIo;
        if (typeof io === "function" && io !== pageOwnIo) {
          resolve(io);
        } else {
          reject(new Error("socket.io client missing"));
        }
      });
      loader.addEventListener("error", reject);
      document.head.append(loader);
    });
  }

  function whenBodyReady() {
    if (document.readyState !== "loading") {
      return Promise.resolve();
    }
    return new Promise((resolve) => document.addEventListener("DOMContentLoaded", resolve, { once: true }));
  }
})();
