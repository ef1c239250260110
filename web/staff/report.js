/* The console's « Ce que demandent les élèves » section: the figures of `make report`, from
   GET /staff/api/report, as text, tables and <meter> bars (readable without the chart, no inline style). */
(function () {
  "use strict";

  var REPORT_URL = "/staff/api/report";
  var NBSP = "\u00a0";

  function element(tag, text) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    return node;
  }

  function percent(share) {
    return Math.round(Number(share) * 100) + NBSP + "%";
  }

  function frenchDate(isoDay) {
    var parts = String(isoDay).split("-");
    return parts.length === 3 ? parts[2] + "/" + parts[1] + "/" + parts[0] : String(isoDay);
  }

  /* A table with a caption; each row is a list of cells, a cell a string or a node. */
  function table(caption, headers, rows) {
    var node = element("table");
    node.className = "staff-report__table";
    node.appendChild(element("caption", caption));
    var head = node.createTHead().insertRow();
    headers.forEach(function (header) {
      var cell = element("th", header);
      cell.scope = "col";
      head.appendChild(cell);
    });
    var body = node.createTBody();
    rows.forEach(function (cells) {
      var row = body.insertRow();
      cells.forEach(function (content) {
        var cell = row.insertCell();
        if (content instanceof Node) {
          cell.appendChild(content);
        } else {
          cell.textContent = String(content);
        }
      });
    });
    return node;
  }

  function countWithBar(count, max) {
    var wrapper = element("span");
    wrapper.className = "staff-report__count";
    var bar = element("meter");
    bar.min = 0;
    bar.max = Math.max(max, 1);
    bar.value = count;
    bar.setAttribute("aria-hidden", "true");
    wrapper.appendChild(bar);
    wrapper.appendChild(element("span", count));
    return wrapper;
  }

  function render(data, target) {
    target.textContent = "";
    target.appendChild(element("p",
      "Sur les " + data.period_days + " derniers jours" + NBSP + ": " + data.conversations +
      " conversation(s), " + data.messages + " message(s) dont " + data.questions +
      " écrit(s) (les autres sont des boutons)."));
    if (!data.messages) {
      target.appendChild(element("p", "Aucune conversation d'élève sur cette période."));
      return;
    }
    var rates = element("ul");
    [
      "Réponses honnêtes « je ne peux pas répondre »" + NBSP + ": " + percent(data.honest_rate) +
        " des messages écrits",
      "Questions de précision" + NBSP + ": " + percent(data.clarification_rate),
      "Réponses qui citent un complément hors fiche" + NBSP + ": " + percent(data.complement_share)
    ].forEach(function (line) {
      rates.appendChild(element("li", line));
    });
    target.appendChild(rates);
    var most = Math.max.apply(null, data.topics.map(function (topic) { return topic.count; }).concat([1]));
    target.appendChild(table("Sujets demandés", ["Sujet", "Messages"], data.topics.map(function (topic) {
      return [topic.label, countWithBar(topic.count, most)];
    })));
    target.appendChild(table("Par jour", ["Jour", "Conversations", "Messages"], data.days.map(function (day) {
      return [frenchDate(day.day), day.conversations, day.messages];
    })));
    if (!data.unsure.length) {
      target.appendChild(element("p", "Aucun message sans réponse ou mal compris."));
      return;
    }
    target.appendChild(table(
      "Messages sans réponse ou mal compris, regroupés (exemple tronqué, nombres et adresses masqués)",
      ["Fois", "Exemple"], data.unsure.map(function (group) { return [group.count, group.example]; })));
  }

  function load(button, target) {
    button.disabled = true;
    target.textContent = "Chargement du rapport…";
    window.fetch(REPORT_URL, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) {
          throw new Error(body && body.error ? body.error : "code " + response.status);
        }
        render(body, target);
      });
    }).catch(function (error) {
      target.textContent = "Le rapport n'a pas pu être lu (" + error.message + ").";
    }).then(function () {
      button.disabled = false;
    });
  }

  function start() {
    var button = document.getElementById("staff-report-load");
    var target = document.getElementById("staff-report");
    button.addEventListener("click", function () { load(button, target); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
