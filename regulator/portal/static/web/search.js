// Results as you type (progressive enhancement): the search page works without this script.
// Asks the public API (/api/v1/public/blacklist/?q=) after a pause in typing and lists the black-listed
// matches in a polite live region; submitting the form still loads the full result page.
(function () {
  "use strict";
  var form = document.querySelector("form[data-live-search]");
  var region = document.getElementById("live-results");
  if (!form || !region || !window.fetch) { return; }
  var input = form.querySelector("input[name=q]");
  if (!input) { return; }
  var endpoint = form.getAttribute("data-live-search");
  var timer = null;
  var latest = 0;

  function clear() { while (region.firstChild) { region.removeChild(region.firstChild); } }

  function text(tag, value, className) {
    var node = document.createElement(tag);
    node.textContent = value;
    if (className) { node.className = className; }
    return node;
  }

  function render(body, query) {
    clear();
    var rows = body.results || [];
    region.appendChild(text("h2", "黑名单即时结果：共 " + (body.count || 0) + " 条（“" + query + "”）"));
    if (!rows.length) { region.appendChild(text("p", "未找到匹配的黑名单记录。")); return; }
    var list = document.createElement("ul");
    list.className = "cards";
    rows.slice(0, 10).forEach(function (row) {
      var item = document.createElement("li");
      item.className = "card";
      var heading = document.createElement("h3");
      if (row.credit_code) {
        var link = text("a", row.name);
        link.href = "/operators/" + encodeURIComponent(row.credit_code) + "/";
        heading.appendChild(link);
      } else {
        heading.textContent = row.name + (row.related_entity_name ? "（" + row.related_entity_name + "）" : "");
      }
      item.appendChild(heading);
      if (row.credit_code) { item.appendChild(text("p", row.credit_code, "code")); }
      item.appendChild(text("p", row.reason));
      list.appendChild(item);
    });
    region.appendChild(list);
  }

  function ask() {
    var query = input.value.trim();
    if (query.length < 2) { clear(); return; }
    var ticket = ++latest;
    fetch(endpoint + "?q=" + encodeURIComponent(query), { headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) { if (body && ticket === latest) { render(body, query); } })
      .catch(function () { /* the form still works: nothing to do */ });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 350);
  });
}());
