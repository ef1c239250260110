/* Staff console (« Console de l'équipe »): talks to the assistant through /staff/api/say, shows why it
   answered (the explanation the server computes) and lets staff flag a wrong answer (/staff/api/flag).

   Hand-written, no framework, no build step. The page runs under a strict Content-Security-Policy: no
   inline script, style or event handler. Text from the server is only ever set with textContent.
   Authentication is HTTP Basic, handled by the browser: same-origin fetch calls reuse the credentials. */

(function () {
  "use strict";

  var API = {
    topics: "/staff/api/topics",
    say: "/staff/api/say",
    flag: "/staff/api/flag"
  };
  var CONVERSATION_LENGTH = 24;
  var CONVERSATION_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
  var SLOT_VALUE_MAX = 120;
  var ELLIPSIS = "\u2026";
  var NBSP = "\u00a0";

  var TEXT = {
    pending: "L'assistant répond" + NBSP + ":",
    you: "Vous" + NBSP + ":",
    assistant: "Assistant" + NBSP + ":",
    noReply: "(aucune réponse de l'assistant)",
    explanation: "Explication",
    intents: "Intentions",
    entities: "Entités",
    slots: "Slots modifiés",
    action: "Action",
    actions: "Actions",
    facts: "Faits utilisés",
    noneMasculine: "aucun",
    noneFeminine: "aucune",
    newTab: " (s'ouvre dans un nouvel onglet)",
    flagToggle: "Réponse incorrecte",
    flagTopic: "Sujet attendu",
    flagChoose: "Choisir un sujet" + ELLIPSIS,
    flagComment: "Commentaire",
    flagSubmit: "Enregistrer le signalement",
    flagSaving: "Enregistrement" + ELLIPSIS,
    flagged: "Signalement enregistré.",
    flagNeedsTopic: "Choisissez le sujet attendu.",
    topicsLoading: "Chargement des sujets" + ELLIPSIS,
    topicsFailed: "La liste des sujets n'a pas pu être chargée : rechargez la page.",
    sendFailed: "Message non traité.",
    flagFailed: "Signalement non enregistré.",
    unreachable: "Le serveur de la console ne répond pas : vérifiez qu'il est lancé, puis réessayez.",
    unauthorised: "Accès refusé : rechargez la page et saisissez le jeton de l'équipe.",
    unexpected: "Réponse inattendue du serveur (code ",
    quickRepliesLabel: "Réponses proposées",
    linksLabel: "Liens"
  };

  /* ---------- small helpers ---------- */

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    return node;
  }

  function visuallyHidden(text) {
    return element("span", "staff-visually-hidden", text);
  }

  function newConversationId() {
    // Rejection sampling keeps every character equally likely (252 = 7 × 36).
    var limit = 256 - (256 % CONVERSATION_ALPHABET.length);
    var id = "";
    var bytes = new Uint8Array(CONVERSATION_LENGTH * 2);
    while (id.length < CONVERSATION_LENGTH) {
      window.crypto.getRandomValues(bytes);
      for (var i = 0; i < bytes.length && id.length < CONVERSATION_LENGTH; i += 1) {
        if (bytes[i] < limit) {
          id += CONVERSATION_ALPHABET.charAt(bytes[i] % CONVERSATION_ALPHABET.length);
        }
      }
    }
    return id;
  }

  function percent(confidence) {
    var value = Number(confidence);
    if (!isFinite(value)) {
      return "? %";
    }
    // A plain space: the percentage is kept on one line by CSS (.staff-percent).
    return Math.round(value * 100) + " %";
  }

  function compact(value) {
    var text;
    if (typeof value === "string") {
      text = JSON.stringify(value);
    } else {
      try {
        text = JSON.stringify(value);
      } catch (error) {
        text = String(value);
      }
      if (text === undefined) {
        text = "null";
      }
    }
    return text.length > SLOT_VALUE_MAX ? text.slice(0, SLOT_VALUE_MAX - 1) + ELLIPSIS : text;
  }

  function quoted(sentence) {
    return "«" + NBSP + sentence + NBSP + "»";
  }

  function safeUrl(url) {
    try {
      var parsed = new URL(String(url), window.location.href);
      return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
    } catch (error) {
      return null;
    }
  }

  /* An external link that opens in a new tab and says so to screen readers; plain text if the URL is not
     http(s). */
  function externalLink(label, url) {
    var href = safeUrl(url);
    if (!href) {
      return element("span", "staff-link staff-link--broken", label);
    }
    var link = element("a", "staff-link", label);
    link.href = href;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    link.appendChild(visuallyHidden(TEXT.newTab));
    return link;
  }

  function listOf(items, render, className) {
    var list = element("ul", "staff-list" + (className ? " " + className : ""));
    items.forEach(function (item, index) {
      var entry = render(item, index);
      list.appendChild(entry);
    });
    return list;
  }

  /* A form field: its label, then the control, tied by the control's id. */
  function labelledField(labelText, control, controlId) {
    var field = element("div", "staff-field");
    var label = element("label", null, labelText);
    control.id = controlId;
    label.htmlFor = controlId;
    field.appendChild(label);
    field.appendChild(control);
    return field;
  }

  function asArray(value) {
    return Array.isArray(value) ? value : [];
  }

  /* fetch + JSON, resolved with {ok, status, body}; body is null when the answer is not JSON. Rejected
     only when the server cannot be reached. */
  function request(method, url, payload) {
    var options = {
      method: method,
      credentials: "same-origin",
      cache: "no-store",
      headers: { "Accept": "application/json" }
    };
    if (payload !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(payload);
    }
    return window.fetch(url, options).then(function (response) {
      return response.text().then(function (raw) {
        var body = null;
        try {
          body = raw ? JSON.parse(raw) : null;
        } catch (error) {
          body = null;
        }
        return { ok: response.ok, status: response.status, body: body };
      });
    });
  }

  /* A server message shown after our own sentence: capital first letter, final punctuation. */
  function asSentence(text) {
    var sentence = text.charAt(0).toUpperCase() + text.slice(1);
    return /[.!?…»)]$/.test(sentence) ? sentence : sentence + ".";
  }

  function errorText(result) {
    if (result.status === 401) {
      return TEXT.unauthorised;
    }
    if (result.body && typeof result.body.error === "string" && result.body.error.trim()) {
      return asSentence(result.body.error.trim());
    }
    return TEXT.unexpected + result.status + ").";
  }

  /* ---------- state ---------- */

  var state = {
    conversation: newConversationId(),
    busy: false,
    turns: 0,
    topics: null, // [{name, label}] once loaded
    topicsFailed: false,
    topicSelects: [] // selects waiting for the topics
  };

  // Read by the browser test; holds nothing secret (the conversation id is never stored with a flag).
  window.staffConsole = Object.freeze({ conversation: state.conversation });

  var log, empty, form, input, send, notice;

  /* ---------- topics (for « Sujet attendu ») ---------- */

  function loadTopics() {
    request("GET", API.topics).then(function (result) {
      var topics = result.ok && result.body && asArray(result.body.topics);
      if (!topics || !topics.length) {
        topicsFailed(result.ok ? TEXT.topicsFailed : errorText(result));
        return;
      }
      state.topics = topics.filter(function (topic) {
        return topic && typeof topic.name === "string";
      });
      state.topicSelects.forEach(fillTopics);
      state.topicSelects = [];
    }, function () {
      topicsFailed(TEXT.topicsFailed);
    });
  }

  function topicsFailed(message) {
    state.topicsFailed = true;
    notice.textContent = message;
    notice.hidden = false;
    state.topicSelects.forEach(fillTopics);
    state.topicSelects = [];
  }

  function fillTopics(select) {
    while (select.firstChild) {
      select.removeChild(select.firstChild);
    }
    if (!state.topics) {
      var waiting = element("option", null, state.topicsFailed ? TEXT.topicsFailed : TEXT.topicsLoading);
      waiting.value = "";
      select.appendChild(waiting);
      select.disabled = state.topicsFailed;
      return;
    }
    var placeholder = element("option", null, TEXT.flagChoose);
    placeholder.value = "";
    select.appendChild(placeholder);
    state.topics.forEach(function (topic) {
      var option = element("option", null, topic.label ? topic.label : topic.name);
      option.value = topic.name;
      select.appendChild(option);
    });
    select.disabled = false;
  }

  /* ---------- the conversation ---------- */

  function setBusy(busy) {
    state.busy = busy;
    send.disabled = busy;
    send.setAttribute("aria-busy", busy ? "true" : "false");
    Array.prototype.forEach.call(log.querySelectorAll(".staff-quick-reply"), function (button) {
      button.disabled = busy;
    });
  }

  function scrollIntoView(node) {
    if (node && node.scrollIntoView) {
      node.scrollIntoView({ block: "nearest" });
    }
  }

  function userBubble(shown, payload) {
    var row = element("div", "staff-message staff-message--user");
    var bubble = element("p", "staff-bubble");
    bubble.appendChild(visuallyHidden(TEXT.you + " "));
    bubble.appendChild(document.createTextNode(shown));
    if (payload && payload !== shown) {
      bubble.appendChild(document.createTextNode(" "));
      bubble.appendChild(element("code", "staff-payload", payload));
    }
    row.appendChild(bubble);
    return row;
  }

  function botBubble(reply) {
    var row = element("div", "staff-message staff-message--bot");
    var bubble = element("p", "staff-bubble");
    bubble.appendChild(visuallyHidden(TEXT.assistant + " "));
    bubble.appendChild(document.createTextNode(typeof reply.text === "string" ? reply.text : ""));
    row.appendChild(bubble);

    var links = asArray(reply.links).filter(function (link) {
      return link && link.url;
    });
    if (links.length) {
      row.appendChild(listOf(links, function (link) {
        var entry = element("li");
        entry.appendChild(externalLink(link.label || link.url, link.url));
        return entry;
      }, "staff-links"));
    }

    var buttons = asArray(reply.buttons).filter(function (button) {
      return button && typeof button.payload === "string" && button.payload;
    });
    if (buttons.length) {
      var group = element("div", "staff-quick-replies");
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", TEXT.quickRepliesLabel);
      buttons.forEach(function (button) {
        var title = button.title || button.payload;
        var quick = element("button", "staff-button staff-quick-reply", title);
        quick.type = "button";
        quick.disabled = state.busy;
        quick.addEventListener("click", function () {
          say(button.payload, title);
        });
        group.appendChild(quick);
      });
      row.appendChild(group);
    }
    return row;
  }

  function explanationPanel(explanation) {
    explanation = explanation || {};
    var panel = element("section", "staff-explanation");
    var title = element("h3", "staff-explanation__title", TEXT.explanation);
    panel.appendChild(title);
    var list = element("dl", "staff-explanation__list");

    function row(term, content) {
      var wrapper = element("div", "staff-explanation__row");
      wrapper.appendChild(element("dt", null, term));
      var definition = element("dd");
      definition.appendChild(content);
      wrapper.appendChild(definition);
      list.appendChild(wrapper);
    }

    function none(text) {
      return element("span", "staff-none", text);
    }

    var intents = asArray(explanation.intents).slice(0, 3);
    row(TEXT.intents, intents.length ? listOf(intents, function (intent, index) {
      var entry = element("li", "staff-intent" + (index === 0 ? " staff-intent--top" : ""));
      var name = intent.name || "?";
      if (intent.label && intent.label !== name) {
        entry.appendChild(document.createTextNode(intent.label + " "));
        entry.appendChild(element("code", null, "(" + name + ")"));
      } else {
        entry.appendChild(element("code", null, name));
      }
      entry.appendChild(document.createTextNode(" — "));
      entry.appendChild(element("span", "staff-percent", percent(intent.confidence)));
      return entry;
    }, "staff-intents") : none(TEXT.noneFeminine));

    var entities = asArray(explanation.entities);
    row(TEXT.entities, entities.length ? listOf(entities, function (entity) {
      var entry = element("li", "staff-entity");
      entry.appendChild(element("code", null, entity.entity || "?"));
      entry.appendChild(document.createTextNode(" = "));
      entry.appendChild(element("span", "staff-value", typeof entity.value === "string"
        ? entity.value : compact(entity.value)));
      return entry;
    }) : none(TEXT.noneFeminine));

    var slots = asArray(explanation.slots);
    row(TEXT.slots, slots.length ? listOf(slots, function (slot) {
      var entry = element("li", "staff-slot");
      entry.appendChild(element("code", null, slot.name || "?"));
      entry.appendChild(document.createTextNode(" = "));
      entry.appendChild(element("code", "staff-value", compact(slot.value)));
      return entry;
    }) : none(TEXT.noneMasculine));

    var actions = asArray(explanation.actions);
    row(actions.length > 1 ? TEXT.actions : TEXT.action, actions.length ? listOf(actions, function (action) {
      var entry = element("li", "staff-action");
      entry.appendChild(element("code", null, action.name || "?"));
      var policy = action.policy ? action.policy + " " : "";
      entry.appendChild(document.createTextNode(" — " + policy + "("));
      entry.appendChild(element("span", "staff-percent", percent(action.confidence)));
      entry.appendChild(document.createTextNode(")"));
      return entry;
    }) : none(TEXT.noneFeminine));

    var facts = asArray(explanation.facts);
    row(TEXT.facts, facts.length ? listOf(facts, factEntry, "staff-facts") : none(TEXT.noneMasculine));

    panel.appendChild(list);
    return panel;
  }

  function factEntry(fact) {
    var entry = element("li", "staff-fact staff-fact--" + (fact.kind || "other"));
    if (fact.kind === "fiche") {
      entry.appendChild(element("span", "staff-fact__sentence", quoted(fact.sentence)));
      entry.appendChild(document.createTextNode(" — fiche "));
      entry.appendChild(element("code", null, fact.file || "?"));
      if (fact.section) {
        entry.appendChild(document.createTextNode(", section " + fact.section));
      }
    } else if (fact.kind === "complement") {
      entry.appendChild(externalLink(fact.source || fact.url || "?", fact.url));
      if (fact.checked_on) {
        entry.appendChild(document.createTextNode(" (consulté" + NBSP + ": " + fact.checked_on + ")"));
      }
    } else if (fact.kind === "metier") {
      if (fact.sentence) {
        entry.appendChild(element("span", "staff-fact__sentence", quoted(fact.sentence)));
        entry.appendChild(document.createTextNode(" — "));
      }
      entry.appendChild(document.createTextNode("fiche métier ONISEP "));
      entry.appendChild(externalLink(fact.source || fact.url || "?", fact.url));
    } else {
      // A kind this page does not know yet: show it as it came.
      entry.appendChild(element("code", null, compact(fact)));
    }
    return entry;
  }

  function flagArea(message, replyText) {
    var area = element("div", "staff-flag");
    var id = "staff-flag-" + state.turns;

    var toggle = element("button", "staff-button staff-flag-toggle", TEXT.flagToggle);
    toggle.type = "button";
    toggle.setAttribute("aria-expanded", "false");
    toggle.setAttribute("aria-controls", id + "-form");
    area.appendChild(toggle);

    var flagForm = element("form", "staff-flag-form");
    flagForm.id = id + "-form";
    flagForm.hidden = true;
    flagForm.noValidate = true;
    flagForm.setAttribute("aria-label", TEXT.flagToggle);

    var select = element("select", "staff-flag-topic");
    select.name = "expected_topic";
    select.required = true;
    flagForm.appendChild(labelledField(TEXT.flagTopic, select, id + "-topic"));
    fillTopics(select);
    if (!state.topics && !state.topicsFailed) {
      state.topicSelects.push(select);
    }

    var comment = element("textarea", "staff-flag-comment");
    comment.name = "comment";
    comment.rows = 3;
    comment.maxLength = 2000;
    flagForm.appendChild(labelledField(TEXT.flagComment, comment, id + "-comment"));

    var error = element("p", "staff-error staff-flag-error");
    error.setAttribute("role", "alert");
    error.hidden = true;
    flagForm.appendChild(error);

    var submit = element("button", "staff-button staff-button--primary staff-flag-submit", TEXT.flagSubmit);
    submit.type = "submit";
    flagForm.appendChild(submit);
    area.appendChild(flagForm);

    function showError(text) {
      error.textContent = text;
      error.hidden = false;
    }

    toggle.addEventListener("click", function () {
      var open = flagForm.hidden;
      flagForm.hidden = !open;
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      if (open) {
        select.focus();
      }
    });

    flagForm.addEventListener("submit", function (event) {
      event.preventDefault();
      if (submit.disabled) {
        return;
      }
      error.hidden = true;
      if (!select.value) {
        showError(TEXT.flagNeedsTopic);
        select.focus();
        return;
      }
      submit.disabled = true;
      submit.textContent = TEXT.flagSaving;
      request("POST", API.flag, {
        message: message,
        reply: replyText,
        expected_topic: select.value,
        comment: comment.value
      }).then(function (result) {
        if (result.status === 201 || (result.ok && result.body && result.body.stored)) {
          var done = element("p", "staff-flagged", TEXT.flagged);
          done.setAttribute("role", "status");
          done.tabIndex = -1;
          area.replaceChildren(done);
          done.focus();
          return;
        }
        showError(TEXT.flagFailed + " " + errorText(result));
      }, function () {
        showError(TEXT.flagFailed + " " + TEXT.unreachable);
      }).then(function () {
        submit.disabled = false;
        submit.textContent = TEXT.flagSubmit;
      });
    });

    return area;
  }

  /* Sends `text` (a typed message or a button payload) and shows `shown` as the user's message. */
  function say(text, shown) {
    if (state.busy || !text || !text.trim()) {
      return;
    }
    shown = shown || text;
    state.turns += 1;
    if (empty && empty.parentNode) {
      empty.parentNode.removeChild(empty);
    }

    var turn = element("article", "staff-turn");
    turn.setAttribute("data-turn", String(state.turns));
    turn.setAttribute("aria-label", "Échange " + state.turns);
    turn.appendChild(userBubble(shown, shown !== text ? text : null));

    var pending = element("div", "staff-message staff-message--bot staff-pending");
    var pendingBubble = element("p", "staff-bubble");
    pendingBubble.appendChild(visuallyHidden(TEXT.pending + " "));
    pendingBubble.appendChild(element("span", "staff-dots", ELLIPSIS));
    pending.appendChild(pendingBubble);
    turn.appendChild(pending);
    log.appendChild(turn);
    scrollIntoView(pending);
    setBusy(true);

    function fail(message) {
      var row = element("div", "staff-message staff-message--error");
      row.appendChild(element("p", "staff-bubble staff-error", TEXT.sendFailed + " " + message));
      turn.replaceChild(row, pending);
      scrollIntoView(row);
    }

    request("POST", API.say, { conversation: state.conversation, text: text }).then(function (result) {
      if (!result.ok || !result.body) {
        fail(errorText(result));
        return;
      }
      var replies = asArray(result.body.replies);
      var fragment = document.createDocumentFragment();
      if (replies.length) {
        replies.forEach(function (reply) {
          fragment.appendChild(botBubble(reply || {}));
        });
      } else {
        var silent = element("div", "staff-message staff-message--bot staff-message--silent");
        silent.appendChild(element("p", "staff-bubble", TEXT.noReply));
        fragment.appendChild(silent);
      }
      fragment.appendChild(explanationPanel(result.body.explanation));
      var replyText = replies.map(function (reply) {
        return reply && typeof reply.text === "string" ? reply.text : "";
      }).filter(function (part) {
        return part;
      }).join("\n");
      fragment.appendChild(flagArea(shown, replyText || TEXT.noReply));
      turn.replaceChild(fragment, pending);
      scrollIntoView(turn.querySelector(".staff-message--bot"));
    }, function () {
      fail(TEXT.unreachable);
    }).then(function () {
      setBusy(false);
    });
  }

  function start() {
    log = document.getElementById("staff-log");
    empty = document.getElementById("staff-empty");
    form = document.getElementById("staff-composer");
    input = document.getElementById("staff-input");
    send = document.getElementById("staff-send");
    notice = document.getElementById("staff-notice");

    // A submit button in a form: Enter in the input submits it too.
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = input.value;
      if (state.busy || !text.trim()) {
        return;
      }
      input.value = "";
      say(text.trim());
      input.focus();
    });

    loadTopics();
    input.focus();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
