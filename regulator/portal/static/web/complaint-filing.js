// Choosing the operator by name as you type (progressive enhancement): the complaint page works without this
// script, through its results step (a plain GET of /complaints/new/?q=). After a pause in typing it asks the
// public registry (/api/v1/public/entities/?q=), lists the matches in a polite live region, and a choice fills
// in the operator's credit code in the complaint form below, without leaving the page.
(function () {
  "use strict";
  var form = document.querySelector("form[data-suggest]");
  var region = document.getElementById("operator-suggestions");
  if (!form || !region || !window.fetch) { return; }
  var input = form.querySelector("input[name=q]");
  var target = document.getElementById(form.getAttribute("data-target"));
  var chosen = document.getElementById("chosen-operator");
  if (!input || !target) { return; }
  var endpoint = form.getAttribute("data-suggest");
  var timer = null;
  var latest = 0;

  function clear() { while (region.firstChild) { region.removeChild(region.firstChild); } }

  function text(tag, value, className) {
    var node = document.createElement(tag);
    node.textContent = value;
    if (className) { node.className = className; }
    return node;
  }

  function choose(row) {
    target.value = row.credit_code;
    var entityKind = document.querySelector("input[name=respondent_kind][value=entity]");
    if (entityKind) { entityKind.checked = true; }
    if (chosen) {
      clear();
      while (chosen.firstChild) { chosen.removeChild(chosen.firstChild); }
      chosen.appendChild(document.createTextNode("已选择："));
      chosen.appendChild(text("strong", row.name));
      if (row.region_name) { chosen.appendChild(document.createTextNode("（" + row.region_name + "）")); }
    }
    target.focus();
  }

  function render(body, query) {
    clear();
    var rows = (body.results || []).slice(0, 8);
    region.appendChild(text("h3", "与“" + query + "”相符的登记经营者：共 " + (body.count || 0) + " 家"));
    if (!rows.length) {
      region.appendChild(text("p", "没有找到。可换一种写法，或在下方选择“未登记的经营者”并写明经营者的情况。"));
      return;
    }
    var list = document.createElement("ul");
    rows.forEach(function (row) {
      var item = document.createElement("li");
      item.className = "card";
      item.appendChild(text("h4", row.name, "operator-name"));
      var where = [row.region_name, row.address].filter(Boolean).join(" · ");
      if (where) { item.appendChild(text("p", where, "muted")); }
      var button = text("button", "选择该经营者");
      button.type = "button";
      button.setAttribute("aria-label", "选择 " + row.name);
      button.addEventListener("click", function () { choose(row); });
      item.appendChild(button);
      list.appendChild(item);
    });
    region.appendChild(list);
  }

  function ask() {
    var query = input.value.trim();
    if (query.length < 2) { clear(); return; }
    var ticket = ++latest;
    fetch(endpoint + "?page_size=8&q=" + encodeURIComponent(query), { headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) { if (body && ticket === latest) { render(body, query); } })
      .catch(function () { /* the results step still works: nothing to do */ });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 350);
  });
}());
