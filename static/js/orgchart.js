// The graphical org chart (templates/roles/chart_detail.html, the boxes in roles/_chart_seats.html).
// The server lays nothing out: nested lists drawn top-down by static/css/orgchart.css. This script
// pans, zooms and fits the chart in its box; opens and closes branches (a closed branch's reports load
// from the server as it opens); jumps to a seat found by search or named by a finding; moves a seat
// dragged onto another, or chosen in the seat's menu; and draws the dotted lines over the boxes.
// Listeners are delegated from document, so they keep working after htmx redraws the workspace.
(function () {
  "use strict";
  // Once per document: a boosted navigation (e.g. cloning a scenario) runs the page's scripts again.
  if (window.orgChartReady) return;
  window.orgChartReady = true;
  const MIN_ZOOM = 0.2;
  const MAX_ZOOM = 2;
  let scale = 1; // the zoom, kept when a save redraws the workspace
  let kept = null; // the canvas's scroll position across such a redraw
  let dragged = null;
  let menuButton = null;

  const card = () => document.querySelector(".oc-card");
  const canvas = () => document.querySelector(".oc-canvas");
  const tree = () => document.querySelector(".oc-tree");
  const seatOf = (id) => document.getElementById("seat-" + id);

  // The page names each action's URL for seat 0 (data-url-edit="/org/positions/0/edit/", …).
  function url(action, id) {
    const pattern = card().dataset["url" + action];
    return action === "Add" ? pattern.replace(/under=0$/, "under=" + id) : pattern.replace("/0/", "/" + id + "/");
  }

  function say(text, isError) {
    const status = document.getElementById("chart-status");
    if (!status) return;
    const p = document.createElement("p");
    p.className = "message " + (isError ? "error" : "success");
    p.textContent = text;
    status.replaceChildren(p);
  }

  // Pan and zoom -------------------------------------------------------------------------------
  function applyZoom() {
    const t = tree();
    const stage = document.querySelector(".oc-stage");
    if (!t || !stage) return;
    t.style.transform = "scale(" + scale + ")";
    stage.style.width = t.offsetWidth * scale + "px";
    stage.style.height = t.offsetHeight * scale + "px";
    drawLines();
  }

  function zoomTo(value) {
    const c = canvas();
    if (!c) return;
    const before = scale;
    const x = c.scrollLeft + c.clientWidth / 2;
    const y = c.scrollTop + c.clientHeight / 2;
    scale = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, value));
    applyZoom();
    c.scrollLeft = (x * scale) / before - c.clientWidth / 2; // the middle of the view stays put
    c.scrollTop = (y * scale) / before - c.clientHeight / 2;
  }

  function fit() {
    const c = canvas();
    const t = tree();
    if (!c || !t) return;
    const whole = Math.min(c.clientWidth / t.offsetWidth, c.clientHeight / t.offsetHeight);
    scale = Math.min(1, Math.max(MIN_ZOOM, whole));
    applyZoom();
    c.scrollLeft = 0;
    c.scrollTop = 0;
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-zoom]");
    if (!button) return;
    const how = button.dataset.zoom;
    if (how === "fit") fit();
    else zoomTo(how === "in" ? scale * 1.25 : how === "out" ? scale / 1.25 : 1);
  });

  document.addEventListener(
    "wheel",
    function (event) {
      if (!(event.ctrlKey || event.metaKey) || !event.target.closest(".oc-canvas")) return;
      event.preventDefault();
      zoomTo(scale * (event.deltaY < 0 ? 1.1 : 1 / 1.1));
    },
    { passive: false }
  );

  // A mouse dragged over the background pans (touch scrolls natively; a seat is dragged to move it).
  document.addEventListener("pointerdown", function (event) {
    const c = event.target.closest(".oc-canvas");
    if (!c || event.pointerType !== "mouse" || event.button !== 0) return;
    if (event.target.closest(".oc-seat")) return;
    const start = { x: event.clientX, y: event.clientY, left: c.scrollLeft, top: c.scrollTop };
    c.classList.add("oc-panning");
    function move(e) {
      c.scrollLeft = start.left - (e.clientX - start.x);
      c.scrollTop = start.top - (e.clientY - start.y);
    }
    function stop() {
      c.classList.remove("oc-panning");
      document.removeEventListener("pointermove", move);
      document.removeEventListener("pointerup", stop);
    }
    document.addEventListener("pointermove", move);
    document.addEventListener("pointerup", stop);
  });

  // Branches --------------------------------------------------------------------------------------
  // Open or close the reports under a seat; a branch never opened is read from the server first.
  function setOpen(seat, open) {
    const id = seat.dataset.positionId;
    const list = document.getElementById("reports-" + id);
    const button = seat.querySelector(".oc-toggle");
    if (!list || !button) return Promise.resolve();
    const load =
      open && !list.children.length
        ? htmx.ajax("GET", url("Branch", id), { target: list, swap: "innerHTML", source: list })
        : Promise.resolve();
    return load.then(function () {
      list.hidden = !open;
      button.setAttribute("aria-expanded", String(open));
      changed(list);
    });
  }

  document.addEventListener("click", function (event) {
    const toggle = event.target.closest(".oc-toggle");
    if (toggle) setOpen(toggle.closest(".oc-seat"), toggle.getAttribute("aria-expanded") !== "true");
    if (event.target.closest("[data-collapse-all]")) {
      document.querySelectorAll(".oc-top .oc-reports .oc-toggle[aria-expanded=true]").forEach(function (b) {
        setOpen(b.closest(".oc-seat"), false);
      });
      const c = canvas();
      if (c) c.scrollTo(0, 0);
    }
  });

  // Search and jump -------------------------------------------------------------------------------
  function findings() {
    const data = document.getElementById("seat-findings");
    return data ? JSON.parse(data.textContent) : {};
  }

  function centre(seat) {
    const c = canvas();
    const view = c.getBoundingClientRect();
    const box = seat.getBoundingClientRect();
    c.scrollLeft += box.left + box.width / 2 - (view.left + view.width / 2);
    c.scrollTop += box.top + box.height / 2 - (view.top + view.height / 2);
    c.scrollIntoView({ block: "nearest" });
  }

  // Open every branch above the seat (loading those never opened), then bring it into view and focus it.
  async function jump(id, path) {
    const above = (path || (findings()[id] || {}).path || [id]).map(String);
    for (const pk of above.slice(0, above.indexOf(String(id)))) {
      const manager = seatOf(pk);
      if (!manager) break;
      await setOpen(manager, true);
    }
    const seat = seatOf(id);
    if (!seat) {
      say("That seat is no longer in this chart.", true);
      return;
    }
    document.querySelectorAll(".oc-seat.oc-current").forEach((s) => s.classList.remove("oc-current"));
    seat.classList.add("oc-current");
    centre(seat);
    seat.querySelector(".oc-menu-button").focus({ preventScroll: true });
  }

  document.addEventListener("click", function (event) {
    const link = event.target.closest("[data-seat-jump]");
    if (!link || !card()) return;
    event.preventDefault();
    jump(link.dataset.seatJump, link.dataset.path ? link.dataset.path.split(" ") : null);
  });

  document.addEventListener("submit", function (event) {
    if (event.target.matches(".oc-search")) event.preventDefault(); // htmx searches as you type
  });

  function markMatches() {
    const ids = new Set(
      Array.from(document.querySelectorAll("#chart-search-results [data-seat-jump]"), (b) => b.dataset.seatJump)
    );
    document.querySelectorAll(".oc-seat").forEach(function (seat) {
      seat.classList.toggle("oc-match", ids.has(seat.dataset.positionId));
    });
  }

  // The seat's menu (the keyboard's way to every action, moving included) ----------------------------
  function menu() {
    return document.getElementById("seat-menu");
  }
  function items() {
    return Array.from(menu().querySelectorAll("[role=menuitem]")).filter((item) => !item.hidden);
  }

  function openMenu(button) {
    const m = menu();
    const seat = button.closest(".oc-seat");
    const id = seat.dataset.positionId;
    closeMenu(false);
    menuButton = button;
    m.dataset.seat = id;
    const vacate = m.querySelector("[data-action=vacate]");
    if (vacate) vacate.hidden = !seat.dataset.person;
    m.querySelector("[data-action=history]").href = url("History", id);
    const bounds = card().getBoundingClientRect();
    const at = button.getBoundingClientRect();
    m.hidden = false;
    m.style.left = Math.max(0, Math.min(at.left - bounds.left, bounds.width - m.offsetWidth)) + "px";
    m.style.top = at.bottom - bounds.top + 4 + "px";
    button.setAttribute("aria-expanded", "true");
    items()[0].focus();
  }

  function closeMenu(refocus) {
    const m = menu();
    if (!m || m.hidden) return;
    m.hidden = true;
    if (menuButton) {
      menuButton.setAttribute("aria-expanded", "false");
      if (refocus) menuButton.focus();
    }
    menuButton = null;
  }

  function focusEditor() {
    const field = document.querySelector("#editor select, #editor input:not([type=hidden])");
    if (field) field.focus();
  }

  function act(item) {
    const id = menu().dataset.seat;
    const action = item.dataset.action;
    closeMenu(false);
    if (action === "vacate") {
      htmx.ajax("POST", url("Vacate", id), { target: "#workspace", swap: "outerHTML", source: card() });
    } else if (action !== "history") {
      const name = { move: "Move", edit: "Edit", add: "Add" }[action];
      htmx.ajax("GET", url(name, id), { target: "#editor", swap: "outerHTML", source: card() }).then(focusEditor);
    }
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest(".oc-menu-button");
    if (button) {
      if (button === menuButton) closeMenu(true);
      else openMenu(button);
      return;
    }
    const item = event.target.closest("#seat-menu [role=menuitem]");
    if (item) {
      if (item.dataset.action !== "history") event.preventDefault();
      act(item);
      return;
    }
    if (!event.target.closest("#seat-menu")) closeMenu(false);
  });

  document.addEventListener("keydown", function (event) {
    const m = menu();
    if (!m || m.hidden || !m.contains(document.activeElement)) return;
    const list = items();
    const at = list.indexOf(document.activeElement);
    if (event.key === "Escape") closeMenu(true);
    else if (event.key === "Tab") closeMenu(false);
    else if (event.key === "ArrowDown") list[(at + 1) % list.length].focus();
    else if (event.key === "ArrowUp") list[(at - 1 + list.length) % list.length].focus();
    else if (event.key === "Home") list[0].focus();
    else if (event.key === "End") list[list.length - 1].focus();
    else return;
    event.preventDefault();
  });

  // Drag a seat onto another: the same move as "Move under…", checked by the same service -------------
  document.addEventListener("dragstart", function (event) {
    const seat = event.target.closest && event.target.closest(".oc-seat[draggable=true]");
    if (!seat) return;
    dragged = seat;
    closeMenu(false);
    event.dataTransfer.setData("text/plain", seat.dataset.positionId);
    event.dataTransfer.effectAllowed = "move";
    seat.classList.add("oc-dragging");
  });

  document.addEventListener("dragover", function (event) {
    const target = dragged && event.target.closest(".oc-seat");
    if (!target || target === dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    document.querySelectorAll(".oc-drop").forEach((s) => s !== target && s.classList.remove("oc-drop"));
    target.classList.add("oc-drop");
  });

  document.addEventListener("drop", function (event) {
    const target = dragged && event.target.closest(".oc-seat");
    if (!target || target === dragged) return;
    event.preventDefault();
    const values = { reports_to: target.dataset.positionId };
    htmx.ajax("POST", url("Move", dragged.dataset.positionId), {
      target: "#workspace",
      swap: "outerHTML",
      values: values,
      source: card(),
    });
  });

  document.addEventListener("dragend", function () {
    document.querySelectorAll(".oc-dragging, .oc-drop").forEach(function (s) {
      s.classList.remove("oc-dragging", "oc-drop");
    });
    dragged = null;
  });

  // Dotted lines: dashed curves between the boxes both drawn ----------------------------------------
  function drawLines() {
    const t = tree();
    const svg = t && t.querySelector(".oc-lines");
    if (!svg) return;
    const origin = t.getBoundingClientRect();
    const box = function (el) {
      const r = el.getBoundingClientRect();
      return {
        x: (r.left - origin.left) / scale,
        y: (r.top - origin.top) / scale,
        w: r.width / scale,
        h: r.height / scale,
      };
    };
    svg.setAttribute("width", t.offsetWidth);
    svg.setAttribute("height", t.offsetHeight);
    const paths = [];
    t.querySelectorAll(".oc-seat[data-dotted]").forEach(function (seat) {
      if (!seat.offsetParent) return; // in a closed branch
      seat.dataset.dotted.split(" ").forEach(function (id) {
        const other = seatOf(id);
        if (!other || !other.offsetParent) return;
        const a = box(seat);
        const b = box(other);
        const x1 = a.x + a.w / 2;
        const x2 = b.x + b.w / 2;
        const y1 = a.y;
        const above = b.y + b.h < a.y;
        const y2 = above ? b.y + b.h : b.y;
        const bend = above ? (y1 + y2) / 2 : Math.min(y1, y2) - 30;
        const d = `M${x1} ${y1} C${x1} ${bend} ${x2} ${bend} ${x2} ${y2}`;
        paths.push(`<path class="oc-dotted" data-from="${seat.dataset.positionId}" data-to="${id}" d="${d}"/>`);
      });
    });
    svg.innerHTML = paths.join("");
  }

  // After anything is drawn: findings on the boxes, search matches, size and lines --------------------
  function decorate(root) {
    const all = findings();
    root.querySelectorAll(".oc-seat").forEach(function (seat) {
      const entry = all[seat.dataset.positionId];
      if (!entry || seat.querySelector(".oc-flag")) return;
      const severity = ["high", "medium", "low"].find((s) => entry.rules.some((rule) => rule[1] === s));
      const flag = document.createElement("span");
      flag.className = "oc-flag badge badge-sev-" + severity;
      flag.dataset.testid = "seat-findings";
      const n = entry.rules.length;
      flag.textContent = "⚠ " + n + " finding" + (n > 1 ? "s" : "");
      const rules = document.createElement("span");
      rules.className = "sr-only";
      rules.textContent = ": " + entry.rules.map((rule) => rule[0]).join(", ");
      flag.append(rules);
      flag.title = entry.rules.map((rule) => rule[0]).join(", ");
      seat.querySelector(".oc-actions").before(flag);
    });
  }

  function changed(root) {
    decorate(root);
    markMatches();
    applyZoom();
  }

  let observer = null;
  function init() {
    const t = tree();
    if (!t) return;
    changed(t);
    const c = canvas();
    if (kept && c) {
      c.scrollLeft = kept[0];
      c.scrollTop = kept[1];
      kept = null;
    } else if (c && !c.dataset.shown) {
      // First drawn: the top seat in the middle of the view.
      const top = t.querySelector(".oc-top > li > .oc-seat").getBoundingClientRect();
      const view = c.getBoundingClientRect();
      c.scrollLeft += top.left + top.width / 2 - (view.left + view.width / 2);
    }
    if (c) c.dataset.shown = "1";
    if (observer) observer.disconnect();
    observer = new ResizeObserver(applyZoom);
    observer.observe(t);
  }

  // A redraw of the workspace keeps the open branches (sent to the server), the zoom and the scroll.
  document.addEventListener("htmx:configRequest", function (event) {
    if (!card() || !event.detail.target || event.detail.target.id !== "workspace") return;
    const open = Array.from(document.querySelectorAll(".oc-toggle[aria-expanded=true]"), function (b) {
      return b.closest(".oc-seat").dataset.positionId;
    });
    event.detail.headers["X-Chart-Open"] = open.join(",");
  });

  // A refused move or removal (422, 409) carries its reason: show it, as htmx shows a success.
  document.addEventListener("htmx:beforeSwap", function (event) {
    const status = event.detail.xhr.status;
    if ((status === 422 || status === 409) && document.getElementById("workspace")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
    const c = canvas();
    if (c && event.detail.target && event.detail.target.id === "workspace") kept = [c.scrollLeft, c.scrollTop];
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    const target = event.detail.target;
    if (target && target.id === "chart-search-results") markMatches();
    else init();
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
