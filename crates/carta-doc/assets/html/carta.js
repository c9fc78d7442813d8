/* Carta documentation site: search and the diagram viewer.
   Plain ES5-compatible script, no libraries: the site opens from disk. */
(function () {
  "use strict";

  var root = document.body.getAttribute("data-root") || "";
  var MAX_RESULTS = 40;
  var KIND_RANK = { "table": 0, "partitioned table": 0, "foreign table": 0, "view": 1,
    "materialized view": 1, "partition": 2, "enum": 3, "column": 4 };

  /* ---- Search over tables, columns, enums and comments ---- */

  // Entries are [kind, name, detail, comment, url] (see search-index.js).
  // search-index.js nests each table's columns as [name, type, comment,
  // anchor] after its own fields; each becomes an entry of its own, right
  // after its table, named schema.table.column and linking to its row.
  function expand(raw) {
    var entries = [];
    raw.forEach(function (e) {
      entries.push(e.slice(0, 5));
      (e[5] || []).forEach(function (c) {
        entries.push(["column", e[1] + "." + c[0], c[1], c[2], e[4] + "#" + c[3]]);
      });
    });
    return entries;
  }

  function score(entry, terms, whole) {
    var name = entry[1].toLowerCase();
    var shortName = name.slice(name.lastIndexOf(".") + 1);
    var haystack = name + " " + entry[2].toLowerCase() + " " + entry[3].toLowerCase();
    for (var i = 0; i < terms.length; i++) {
      if (haystack.indexOf(terms[i]) < 0) return -1;
    }
    var rank;
    if (shortName === whole || name === whole) rank = 0;
    else if (shortName.indexOf(whole) === 0) rank = 1;
    else if (name.indexOf(whole) >= 0) rank = 2;
    else rank = 3;
    var kind = KIND_RANK[entry[0]];
    return rank * 10 + (kind === undefined ? 5 : kind);
  }

  function highlight(text, terms) {
    var lower = text.toLowerCase();
    var marks = [];
    terms.forEach(function (t) {
      var at = lower.indexOf(t);
      if (at >= 0 && t.length) marks.push([at, at + t.length]);
    });
    marks.sort(function (a, b) { return a[0] - b[0]; });
    var out = document.createDocumentFragment();
    var pos = 0;
    marks.forEach(function (m) {
      if (m[0] < pos) return;
      out.appendChild(document.createTextNode(text.slice(pos, m[0])));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(m[0], m[1]);
      out.appendChild(mark);
      pos = m[1];
    });
    out.appendChild(document.createTextNode(text.slice(pos)));
    return out;
  }

  function initSearch() {
    var input = document.getElementById("search");
    var list = document.getElementById("search-results");
    var entries = expand(window.CARTA_SEARCH || []);
    if (!input || !list) return;
    var active = -1;

    function setActive(i) {
      var items = list.querySelectorAll("li[data-name]");
      if (!items.length) return;
      if (active >= 0 && items[active]) items[active].classList.remove("active");
      active = (i + items.length) % items.length;
      items[active].classList.add("active");
      items[active].scrollIntoView({ block: "nearest" });
    }

    function run() {
      var query = input.value.trim().toLowerCase();
      list.textContent = "";
      active = -1;
      if (!query) { list.hidden = true; return; }
      var terms = query.split(/\s+/);
      var hits = [];
      for (var i = 0; i < entries.length; i++) {
        var s = score(entries[i], terms, query);
        if (s >= 0) hits.push([s, i]);
      }
      hits.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
      hits.slice(0, MAX_RESULTS).forEach(function (hit) {
        var e = entries[hit[1]];
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        li.setAttribute("data-kind", e[0]);
        li.setAttribute("data-name", e[1]);
        var a = document.createElement("a");
        a.href = root + e[4];
        var badge = document.createElement("span");
        badge.className = "badge kind-" + e[0].replace(/ /g, "-");
        badge.textContent = e[0];
        var name = document.createElement("span");
        name.className = "result-name";
        name.appendChild(highlight(e[1], terms));
        a.appendChild(badge);
        a.appendChild(document.createTextNode(" "));
        a.appendChild(name);
        if (e[2]) {
          var detail = document.createElement("span");
          detail.className = "result-detail";
          detail.textContent = e[2];
          a.appendChild(detail);
        }
        if (e[3]) {
          var comment = document.createElement("span");
          comment.className = "result-comment";
          comment.appendChild(highlight(e[3], terms));
          a.appendChild(comment);
        }
        li.appendChild(a);
        list.appendChild(li);
      });
      if (!hits.length) {
        var none = document.createElement("li");
        none.className = "empty";
        none.textContent = "No table, column or comment matches \u201c" + input.value.trim() + "\u201d.";
        list.appendChild(none);
      } else if (hits.length > MAX_RESULTS) {
        var more = document.createElement("li");
        more.className = "empty";
        more.textContent = (hits.length - MAX_RESULTS) + " more: refine the search.";
        list.appendChild(more);
      }
      list.hidden = false;
    }

    input.addEventListener("input", run);
    input.addEventListener("focus", function () { if (input.value.trim()) run(); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") { e.preventDefault(); setActive(active + 1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); setActive(active - 1); }
      else if (e.key === "Enter") {
        var target = list.querySelector("li.active a") || list.querySelector("li[data-name] a");
        if (target) { e.preventDefault(); window.location.href = target.href; }
      } else if (e.key === "Escape") { list.hidden = true; input.blur(); }
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "/" && document.activeElement !== input) { e.preventDefault(); input.focus(); input.select(); }
    });
    document.addEventListener("click", function (e) {
      if (!list.contains(e.target) && e.target !== input) list.hidden = true;
    });
  }

  /* ---- Diagram viewer: drag to pan, wheel or buttons to zoom ---- */

  var MIN_SCALE = 0.05, MAX_SCALE = 4, DRAG_THRESHOLD = 4;
  // Below this the text in table boxes cannot be read; a wider diagram opens
  // at this scale and is panned (or shrunk with Fit) instead.
  var READABLE_SCALE = 0.6;
  var MARGIN = 12;

  function initDiagram(box) {
    var viewport = box.querySelector(".diagram-viewport");
    var canvas = box.querySelector(".diagram-canvas");
    var svg = canvas && canvas.querySelector("svg");
    if (!viewport || !svg) return;
    var width = parseFloat(svg.getAttribute("width")) || svg.getBoundingClientRect().width;
    var height = parseFloat(svg.getAttribute("height")) || svg.getBoundingClientRect().height;
    var view = { x: 0, y: 0, scale: 1 };

    var holder = box.closest("[data-current]");
    if (holder) {
      var current = holder.getAttribute("data-current");
      Array.prototype.forEach.call(svg.querySelectorAll("g.table"), function (g) {
        if (g.getAttribute("data-table") === current) g.classList.add("current");
      });
    }

    function apply() {
      canvas.style.transform = "translate(" + view.x.toFixed(1) + "px, " + view.y.toFixed(1) +
        "px) scale(" + view.scale.toFixed(4) + ")";
    }

    // Shows everything, however small.
    function fit() {
      var w = viewport.clientWidth, h = viewport.clientHeight;
      view.scale = Math.max(MIN_SCALE, Math.min(1, (w - 2 * MARGIN) / width, (h - 2 * MARGIN) / height));
      center(w, h);
    }

    function center(w, h) {
      var shownWidth = width * view.scale, shownHeight = height * view.scale;
      view.x = shownWidth < w ? (w - shownWidth) / 2 : MARGIN;
      view.y = shownHeight < h ? (h - shownHeight) / 2 : MARGIN;
      apply();
    }

    // The first view: as wide as the page allows but readable, and a
    // viewport no taller than the diagram needs.
    function open() {
      var w = viewport.clientWidth;
      view.scale = Math.max(Math.min(1, READABLE_SCALE), Math.min(1, (w - 2 * MARGIN) / width));
      var tallest = Math.max(280, Math.round(window.innerHeight * 0.75));
      var h = Math.min(tallest, Math.max(200, Math.ceil(height * view.scale + 2 * MARGIN)));
      viewport.style.height = h + "px";
      center(w, h);
    }

    function zoomAt(factor, cx, cy) {
      var next = Math.min(MAX_SCALE, Math.max(MIN_SCALE, view.scale * factor));
      // Keep the point under the cursor where it is.
      view.x = cx - (cx - view.x) * next / view.scale;
      view.y = cy - (cy - view.y) * next / view.scale;
      view.scale = next;
      apply();
    }

    viewport.addEventListener("wheel", function (e) {
      e.preventDefault();
      var rect = viewport.getBoundingClientRect();
      var delta = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaY;
      zoomAt(Math.exp(-delta * 0.002), e.clientX - rect.left, e.clientY - rect.top);
    }, { passive: false });

    var drag = null;
    var suppressClick = false;
    viewport.addEventListener("mousedown", function (e) {
      if (e.button !== 0) return;
      e.preventDefault();
      drag = { x: e.clientX, y: e.clientY, viewX: view.x, viewY: view.y, moved: false };
    });
    window.addEventListener("mousemove", function (e) {
      if (!drag) return;
      var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (!drag.moved && Math.abs(dx) + Math.abs(dy) < DRAG_THRESHOLD) return;
      drag.moved = true;
      viewport.classList.add("dragging");
      view.x = drag.viewX + dx;
      view.y = drag.viewY + dy;
      apply();
    });
    window.addEventListener("mouseup", function () {
      if (!drag) return;
      suppressClick = drag.moved;
      drag = null;
      viewport.classList.remove("dragging");
    });
    // A drag that ends over a table is a pan, not a click on its link.
    viewport.addEventListener("click", function (e) {
      if (suppressClick) { e.preventDefault(); e.stopPropagation(); suppressClick = false; }
    }, true);

    // Touch: one finger pans.
    viewport.addEventListener("touchstart", function (e) {
      if (e.touches.length !== 1) return;
      var t = e.touches[0];
      drag = { x: t.clientX, y: t.clientY, viewX: view.x, viewY: view.y, moved: false };
    }, { passive: true });
    viewport.addEventListener("touchmove", function (e) {
      if (!drag || e.touches.length !== 1) return;
      var t = e.touches[0];
      drag.moved = true;
      view.x = drag.viewX + t.clientX - drag.x;
      view.y = drag.viewY + t.clientY - drag.y;
      apply();
    }, { passive: true });
    viewport.addEventListener("touchend", function () { drag = null; });

    Array.prototype.forEach.call(box.querySelectorAll("[data-zoom]"), function (button) {
      button.addEventListener("click", function () {
        var how = button.getAttribute("data-zoom");
        if (how === "fit") { fit(); return; }
        zoomAt(how === "in" ? 1.25 : 0.8, viewport.clientWidth / 2, viewport.clientHeight / 2);
      });
    });

    open();
  }

  initSearch();
  Array.prototype.forEach.call(document.querySelectorAll(".diagram"), initDiagram);
})();
