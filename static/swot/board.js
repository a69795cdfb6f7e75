// Live SWOT board (templates/swot/board.html). Protocol: docs/swot-protocol.md.
// The server is the authority: nothing is changed locally until the numbered event arrives.
// Events are applied strictly in sequence order; a gap or a reconnect triggers a catch-up ("sync")
// and editing stays blocked (fieldset disabled) until the board is in sync again.
"use strict";
(function () {
  const root = document.getElementById("swot-board");
  if (!root) { return; }
  const cfg = JSON.parse(document.getElementById("swot-config").textContent);
  const L = JSON.parse(document.getElementById("swot-labels").textContent);
  const can = function (c) { return cfg.capabilities.indexOf(c) >= 0; };
  const QUADRANTS = ["S", "W", "O", "T"];
  const GAP_WAIT_MS = 400;
  const PING_MS = 20000;
  const PONG_TIMEOUT_MS = 8000;

  const state = {
    seq: 0, board: {}, cards: new Map(), clusters: new Map(), strategies: new Map(), measures: new Map(),
    myVotes: new Map(), scores: {}, presence: [], clockOffset: 0,
  };
  const editing = new Map();      // card id -> {base: version, el}
  const selection = new Set();    // card ids picked for a strategy
  const pending = new Map();      // seq -> event received ahead of a gap
  const requests = new Map();     // request id -> callback
  let ws = null, conn = "connecting", attempts = 0, reqCounter = 0, gapTimer = null, pingTimer = null,
    pongTimer = null, reconnectTimer = null, syncing = false, ackedSeq = 0;

  const nf3 = new Intl.NumberFormat("de-DE", { minimumFractionDigits: 3, maximumFractionDigits: 3 });
  const h = function (tag, attrs, children) {
    const el = document.createElement(tag);
    Object.entries(attrs || {}).forEach(function ([k, v]) {
      if (v === null || v === undefined || v === false) { return; }
      if (k === "text") { el.textContent = v; } else if (k.startsWith("on")) { el.addEventListener(k.slice(2), v); }
      else { el.setAttribute(k, v === true ? "" : v); }
    });
    (children || []).forEach(function (c) { if (c) { el.appendChild(c); } });
    return el;
  };
  const toast = function (msg) {
    const t = document.getElementById("swot-toast");
    t.textContent = msg;
    t.classList.add("visible");
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { t.classList.remove("visible"); }, 5000);
  };

  // --- connection state ------------------------------------------------------------------------
  function setConn(next, detail) {
    conn = next;
    const status = document.getElementById("swot-status");
    status.dataset.state = next;
    status.textContent = next === "online" ? L.online : next === "offline" ? L.offline.split(" –")[0] : L.syncing;
    const banner = document.getElementById("swot-offline");
    banner.hidden = next === "online";
    banner.textContent = next === "offline" ? L.offline + (detail ? " " + detail : "") : L.syncing;
    document.getElementById("swot-editable").disabled = next !== "online" || !canEditNow();
    root.dataset.conn = next;
  }
  function canEditNow() {
    return can("participate") && (!state.board.locked || can("facilitate"));
  }

  function connect() {
    clearTimeout(reconnectTimer);
    setConn(attempts ? "offline" : "connecting");
    try { ws = new WebSocket(Spielraum.wsUrl(cfg.wsPath)); } catch (e) { scheduleReconnect(); return; }
    ws.onmessage = function (ev) { onMessage(JSON.parse(ev.data)); };
    ws.onclose = function (ev) {
      clearInterval(pingTimer); clearTimeout(pongTimer);
      requests.forEach(function (cb) { cb({ type: "error", code: "offline", message: L.offline }); });
      requests.clear();
      ws = null;
      if (ev.code === 4403) { setConn("offline"); toast(L.error + ": " + (ev.reason || L.offline)); return; }
      scheduleReconnect();
    };
  }
  function scheduleReconnect() {
    attempts += 1;
    const delay = Math.min(15000, 500 * Math.pow(2, attempts - 1)) * (0.75 + Math.random() * 0.5);
    setConn("offline", L.reconnect_in.replace("%s", Math.ceil(delay / 1000)));
    reconnectTimer = setTimeout(connect, delay);
  }
  window.addEventListener("online", function () { if (!ws) { attempts = 0; connect(); } });
  window.addEventListener("offline", function () { if (ws) { ws.close(); } });

  function send(msg) {
    if (!ws || ws.readyState !== 1) { return false; }
    ws.send(JSON.stringify(msg));
    return true;
  }
  function request(msg, cb) {
    if (conn !== "online" && msg.type !== "sync") { toast(L.offline); return; }
    reqCounter += 1;
    msg.id = "r" + reqCounter;
    if (cb) { requests.set(msg.id, cb); }
    if (!send(msg)) { requests.delete(msg.id); toast(L.offline); }
  }
  function act(msg, onOk) {
    request(msg, function (reply) {
      if (reply.type === "ack") {
        if (reply.seq > ackedSeq) { ackedSeq = reply.seq; }
        if (onOk) { onOk(reply); }
        if (reply.seq > state.seq) { watchGap(); }
        return;
      }
      if (reply.code === "conflict") { showConflict(msg, reply.card); return; }
      toast((reply.message || L.error));
    });
  }
  function sync() {
    syncing = true;
    if (conn !== "online") { setConn("syncing"); } else { setConn("syncing"); }
    reqCounter += 1;
    send({ type: "sync", id: "s" + reqCounter, since: state.seq });
  }

  function onMessage(msg) {
    switch (msg.type) {
      case "hello":
        attempts = 0;
        state.clockOffset = Date.parse(msg.server_time) - Date.now();
        sync();
        clearInterval(pingTimer);
        pingTimer = setInterval(ping, PING_MS);
        break;
      case "snapshot": applySnapshot(msg); finishSync(); break;
      case "events": msg.events.forEach(function (e) { if (e.seq === state.seq + 1) { applyEvent(e); } }); finishSync(); break;
      case "event": onEvent(msg.event); break;
      case "presence": state.presence = msg.presence; renderPresence(); break;
      case "pong": clearTimeout(pongTimer); break;
      case "ack": case "error": {
        const cb = requests.get(msg.id);
        requests.delete(msg.id);
        if (cb) { cb(msg); } else if (msg.type === "error") { toast(msg.message || L.error); }
        break;
      }
      default: break;
    }
  }
  function ping() {
    send({ type: "ping" });
    clearTimeout(pongTimer);
    pongTimer = setTimeout(function () { if (ws) { ws.close(); } }, PONG_TIMEOUT_MS);  // dead socket
  }
  function finishSync() {
    syncing = false;
    drain();
    if (pending.size) { sync(); return; }  // still a gap: ask again
    setConn("online");
    render();
  }
  function onEvent(ev) {
    if (ev.seq <= state.seq) { return; }  // already applied (catch-up and live overlap)
    if (ev.seq === state.seq + 1 && !syncing) { applyEvent(ev); drain(); render(); return; }
    pending.set(ev.seq, ev);
    watchGap();
  }
  function drain() {
    while (pending.has(state.seq + 1)) {
      const e = pending.get(state.seq + 1);
      pending.delete(state.seq + 1);
      applyEvent(e);
    }
    pending.forEach(function (_e, s) { if (s <= state.seq) { pending.delete(s); } });
  }
  function watchGap() {
    if (gapTimer || syncing) { return; }
    gapTimer = setTimeout(function () {
      gapTimer = null;
      drain();
      render();
      // A gap, or an acknowledged change whose event never came (the layer may drop it): catch up.
      if ((pending.size || ackedSeq > state.seq) && !syncing) { sync(); }
    }, GAP_WAIT_MS);
  }

  // --- state -----------------------------------------------------------------------------------
  function applySnapshot(s) {
    state.seq = s.seq; state.board = s.board; state.scores = s.scores;
    state.cards = new Map(s.cards.map(function (c) { return [c.id, c]; }));
    state.clusters = new Map(s.clusters.map(function (c) { return [c.id, c]; }));
    state.strategies = new Map(s.strategies.map(function (x) { return [x.id, x]; }));
    state.measures = new Map(s.measures.map(function (x) { return [x.id, x]; }));
    state.myVotes = new Map(Object.entries(s.my_votes).map(function ([k, v]) { return [Number(k), v]; }));
    if (s.presence) { state.presence = s.presence; }
    if (s.server_time) { state.clockOffset = Date.parse(s.server_time) - Date.now(); }
    pending.forEach(function (_e, seq) { if (seq <= state.seq) { pending.delete(seq); } });
  }
  function upsertCard(c) {
    if (c.deleted || c.merged_into) { state.cards.delete(c.id); selection.delete(c.id); } else { state.cards.set(c.id, c); }
  }
  function applyEvent(ev) {
    const p = ev.payload || {};
    state.seq = ev.seq;
    if (p.board) { state.board = Object.assign({}, state.board, p.board); }
    if (ev.kind === "card.moved" && p.card && !(ev.actor && ev.actor.mine)) { noteForeignMove(ev); }
    if (p.card) { upsertCard(p.card); }
    if (p.cards) { p.cards.forEach(upsertCard); }
    if (p.scores) { state.scores = p.scores; }
    if (p.cluster) { if (p.cluster.deleted) { state.clusters.delete(p.cluster.id); } else { state.clusters.set(p.cluster.id, p.cluster); } }
    if (p.strategy) { if (p.strategy.deleted) { state.strategies.delete(p.strategy.id); } else { state.strategies.set(p.strategy.id, p.strategy); } }
    if (p.measure) { state.measures.set(p.measure.id, p.measure); }
    if (ev.kind === "board.revealed") { state.cards = new Map(p.cards.map(function (c) { return [c.id, c]; })); }
    if (ev.kind === "vote.cast" || ev.kind === "vote.retracted") {
      const card = state.cards.get(p.card_id);
      if (card) { card.votes = p.votes; }
      if (p.mine) { state.myVotes.set(p.card_id, (state.myVotes.get(p.card_id) || 0) + (ev.kind === "vote.cast" ? 1 : -1)); }
    }
    if (ev.kind === "cards.merged") {
      (p.cards || []).forEach(function (c) {
        const mine = state.myVotes.get(c.id);
        if (mine) { state.myVotes.set(p.card.id, (state.myVotes.get(p.card.id) || 0) + mine); state.myVotes.delete(c.id); }
      });
    }
  }

  // --- rendering -------------------------------------------------------------------------------
  // Cards are notes: drag them (mouse, pen, or touch on the grip) within a quadrant, to another
  // quadrant or onto a cluster. Every card has one small menu (⋯) that offers the same moves by
  // keyboard, plus edit, cluster, merge and delete. Phase-specific controls (vote, weight, pick for a
  // strategy) sit on the card only in their phase.
  const cardEls = new Map();
  const phase = function () { return state.board.phase; };
  const fac = function () { return can("facilitate"); };
  const editPhase = function () { return phase() === "collect" || phase() === "cluster"; };
  // Adding is refused to participants outside "collect" (and on a locked board); facilitators may add
  // while collecting and clustering (later phases would disturb votes and weights).
  const canAdd = function () {
    if (!can("participate")) { return false; }
    if (fac()) { return editPhase(); }
    return phase() === "collect" && !state.board.locked;
  };
  const canArrange = function () { return can("participate") && editPhase() && (fac() || !state.board.locked); };
  const canChangeQuadrant = function (c) { return c.mine || fac(); };
  const byVotes = function () { return phase() === "weight" || phase() === "derive"; };

  function rankOrder(a, b) { return a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : a.id - b.id; }
  function sortedCards(q) {
    return Array.from(state.cards.values()).filter(function (c) { return c.quadrant === q; }).sort(rankOrder);
  }
  function displayOrder(cards) {
    if (!byVotes()) { return cards; }
    return cards.slice().sort(function (a, b) { return (b.votes || 0) - (a.votes || 0) || rankOrder(a, b); });
  }
  function render() {
    const b = state.board;
    root.dataset.phase = b.phase;
    root.dataset.sorted = byVotes() ? "votes" : "rank";
    document.getElementById("swot-phase-label").textContent = L.phases[b.phase] || "";
    document.getElementById("swot-lock-label").hidden = !b.locked;
    const lockBtn = document.getElementById("swot-lock");
    if (lockBtn) { lockBtn.textContent = b.locked ? L.unlock : L.lock; }
    const reveal = document.getElementById("swot-reveal");
    if (reveal) { reveal.hidden = !b.cards_hidden; }
    const phaseSel = document.getElementById("swot-phase-select");
    // Follow the board's phase only when it changes: a live event must not undo a choice being made.
    if (phaseSel && phaseSel.dataset.shown !== b.phase) { phaseSel.value = b.phase; phaseSel.dataset.shown = b.phase; }
    if (conn === "online") { document.getElementById("swot-editable").disabled = !canEditNow(); }
    const used = Array.from(state.myVotes.values()).reduce(function (a, n) { return a + n; }, 0);
    document.getElementById("swot-votes-left").textContent =
      b.phase === "vote" && can("participate") ? L.votes_left.replace("%s", Math.max(0, b.vote_budget - used)) : "";
    document.getElementById("swot-sort-note").hidden = !byVotes();
    root.querySelector(".swot-dnd-help").hidden = !canArrange();
    root.querySelectorAll("[data-add-form]").forEach(function (f) { f.hidden = !canAdd(); });
    root.querySelectorAll("[data-new-cluster]").forEach(function (btn) { btn.hidden = !canArrange(); });
    QUADRANTS.forEach(renderQuadrant);
    cardEls.forEach(function (el, id) { if (!state.cards.has(id)) { el.remove(); cardEls.delete(id); editing.delete(id); } });
    if (menu.cardId && !state.cards.has(menu.cardId)) { closeMenu(false); }
    renderScores();
    renderStrategies();
    renderTimer();
  }
  function renderQuadrant(q) {
    const section = root.querySelector('[data-quadrant="' + q + '"]');
    const list = section.querySelector("[data-list]");
    const cards = sortedCards(q);
    section.querySelector("[data-count]").textContent = "(" + cards.length + ")";
    const groups = [{ id: null, title: "", cards: [] }];
    const byCluster = new Map();
    state.clusters.forEach(function (c) {
      if (c.quadrant === q) { const g = { id: c.id, title: c.title, cards: [] }; byCluster.set(c.id, g); groups.push(g); }
    });
    cards.forEach(function (c) { (byCluster.get(c.cluster_id) || groups[0]).cards.push(c); });
    const wanted = [];
    groups.forEach(function (g) {
      let box = list.querySelector('[data-group="' + (g.id || "none") + '"]');
      if (!box) {
        box = h("div", { class: "swot-group" + (g.id ? " swot-cluster" : ""), "data-group": g.id || "none" }, [
          g.id ? h("div", { class: "swot-cluster-head" }, [h("h3", { class: "swot-cluster-title" }), h("span", { class: "swot-cluster-tools" })]) : null,
          h("ul", { class: "swot-cards" }),
        ]);
      }
      if (g.id) { renderClusterHead(box, g); }
      const ul = box.querySelector("ul");
      syncChildren(ul, displayOrder(g.cards).map(renderCard));
      ul.dataset.empty = g.cards.length || !canArrange() ? "" : (g.id ? L.cluster_empty : L.drop_here);
      wanted.push(box);
    });
    const fresh = list.querySelector("[data-cluster-draft]");
    if (fresh) { wanted.push(fresh); }
    syncChildren(list, wanted);
  }
  function renderClusterHead(box, g) {
    const head = box.querySelector(".swot-cluster-head");
    if (head.querySelector("form")) { return; }  // being renamed
    head.querySelector("h3").textContent = g.title || L.cluster_untitled;
    const tools = head.querySelector(".swot-cluster-tools");
    const key = canArrange() ? "on" : "off";
    if (tools.dataset.key === key) { return; }
    tools.dataset.key = key;
    tools.textContent = "";
    if (!canArrange()) { return; }
    tools.appendChild(button("✎", function () { renameCluster(box, g.id); }, { "aria-label": L.cluster_rename + ": " + g.title, title: L.cluster_rename }));
    tools.appendChild(button("✕", function () { act({ type: "cluster.delete", cluster_id: g.id }); }, { "aria-label": L.cluster_dissolve + ": " + g.title, title: L.cluster_dissolve }));
  }
  function syncChildren(parent, els) {
    const current = Array.from(parent.children);
    const same = current.length === els.length && current.every(function (el, i) { return el === els[i]; });
    if (same) { return; }
    els.forEach(function (el, i) { if (parent.children[i] !== el) { parent.insertBefore(el, parent.children[i] || null); } });
    while (parent.children.length > els.length) { parent.removeChild(parent.lastChild); }
  }

  // Inline naming of clusters (no prompt()): a small form in place of the heading.
  function nameForm(initial, onSubmit, onCancel) {
    const input = h("input", { name: "title", maxlength: "200", required: true, "aria-label": L.cluster_title, placeholder: L.cluster_title });
    input.value = initial || "";
    const form = h("form", { class: "swot-name-form" }, [input,
      h("button", { type: "submit", class: "small", text: L.save }), button(L.cancel, onCancel)]);
    form.addEventListener("submit", function (ev) { ev.preventDefault(); if (input.value.trim()) { onSubmit(input.value.trim()); } });
    input.addEventListener("keydown", function (ev) { if (ev.key === "Escape") { ev.preventDefault(); onCancel(); } });
    setTimeout(function () { input.focus(); input.select(); }, 0);
    return form;
  }
  function renameCluster(box, id) {
    const head = box.querySelector(".swot-cluster-head");
    const cluster = state.clusters.get(id);
    const done = function () { form.remove(); head.classList.remove("renaming"); render(); };
    const form = nameForm(cluster ? cluster.title : "", function (title) {
      act({ type: "cluster.rename", cluster_id: id, title: title }, done);
    }, done);
    head.classList.add("renaming");
    head.appendChild(form);
  }
  function newCluster(q, cardIds, focusBack) {
    const list = root.querySelector('[data-quadrant="' + q + '"] [data-list]');
    const old = list.querySelector("[data-cluster-draft]");
    if (old) { old.remove(); }
    const done = function () { box.remove(); if (focusBack) { focusBack.focus(); } };
    const box = h("div", { class: "swot-group swot-cluster swot-cluster-draft", "data-cluster-draft": "" }, [
      nameForm("", function (title) {
        act({ type: "cluster.create", quadrant: q, title: title, card_ids: cardIds || [] }, function () { box.remove(); render(); });
      }, done),
    ]);
    list.appendChild(box);
  }
  root.querySelectorAll("[data-new-cluster]").forEach(function (btn) {
    btn.addEventListener("click", function () { newCluster(btn.closest("[data-quadrant]").dataset.quadrant, [], btn); });
  });

  function renderCard(c) {
    let el = cardEls.get(c.id);
    if (!el) {
      el = h("li", { class: "swot-card", "data-card-id": c.id, tabindex: "-1" }, [
        h("div", { class: "swot-card-top" }, [
          h("span", { class: "swot-grip", "aria-hidden": "true", text: "⠿" }),
          h("p", { class: "swot-text" }),
          h("button", { type: "button", class: "swot-menu-btn", "aria-haspopup": "menu", "aria-expanded": "false", text: "⋯" }),
        ]),
        h("p", { class: "swot-note" }), h("p", { class: "swot-meta" }, [h("span", { class: "swot-meta-text" }),
          h("span", { class: "swot-votes", title: L.votes })]),
        h("div", { class: "swot-phase-actions" }), h("div", { class: "swot-editor-slot" }),
      ]);
      el.querySelector(".swot-menu-btn").addEventListener("click", function (ev) { openMenu(c.id, ev.currentTarget); });
      el.addEventListener("pointerdown", function (ev) { dragStart(ev, c.id); });
      cardEls.set(c.id, el);
    }
    el.dataset.version = c.version;
    el.classList.toggle("hidden-card", !!c.hidden);
    el.classList.toggle("mine", !!c.mine);
    el.classList.toggle("picked", selection.has(c.id));
    el.classList.toggle("draggable", canArrange() && !byVotes());
    el.style.setProperty("--note", c.colour && /^#?[0-9a-fA-F]{3,6}$/.test(c.colour) ? (c.colour[0] === "#" ? c.colour : "#" + c.colour) : "");
    const text = c.hidden ? L.hidden_card : c.text;
    el.querySelector(".swot-text").textContent = text;
    el.querySelector(".swot-note").textContent = c.hidden ? "" : c.note;
    const meta = [];
    if (c.author_name) { meta.push(L.by + " " + c.author_name); } else if (c.mine) { meta.push(L.mine); }
    if (c.colour && !/^#?[0-9a-fA-F]{3,6}$/.test(c.colour)) { meta.push("#" + c.colour); }
    if (c.weight !== null && c.weight !== undefined) { meta.push(L.weight + " " + nf3.format(Number(c.weight))); }
    if (c.rating) { meta.push(L.rating + " " + c.rating); }
    el.querySelector(".swot-meta-text").textContent = meta.join(" · ");
    const votes = el.querySelector(".swot-votes");
    votes.textContent = c.votes ? String(c.votes) : "";
    votes.setAttribute("aria-label", L.votes + ": " + (c.votes || 0));
    const menuBtn = el.querySelector(".swot-menu-btn");
    menuBtn.setAttribute("aria-label", L.card_actions + ": " + text.slice(0, 60));
    menuBtn.hidden = !menuItems(c).length;
    renderPhaseActions(el.querySelector(".swot-phase-actions"), c);
    return el;
  }

  function button(label, onclick, extra) {
    return h("button", Object.assign({ type: "button", class: "secondary small", text: label, onclick: onclick }, extra || {}));
  }
  // The controls of the current phase. Rebuilt only when what they show changes, so that a live
  // event never replaces an input that someone is using.
  function renderPhaseActions(box, c) {
    const p = phase();
    const key = [p, can("participate"), fac(), state.myVotes.get(c.id) || 0, c.weight, c.rating, selection.has(c.id)].join("|");
    if (box.dataset.key === key || box.contains(document.activeElement) && box.dataset.phase === p) { return; }
    box.dataset.key = key;
    box.dataset.phase = p;
    box.textContent = "";
    if (!can("participate")) { return; }
    if (p === "vote") {
      box.appendChild(button("+ ●", function () { act({ type: "vote.cast", card_id: c.id }); }, { "aria-label": L.vote, title: L.vote }));
      if (state.myVotes.get(c.id)) {
        box.appendChild(button("− ●", function () { act({ type: "vote.retract", card_id: c.id }); }, { "aria-label": L.unvote, title: L.unvote }));
        box.appendChild(h("span", { class: "small muted", text: L.my_votes.replace("%s", state.myVotes.get(c.id)) }));
      }
    }
    if (p === "weight" && fac()) {
      const w = h("input", { type: "text", inputmode: "decimal", class: "small swot-weight", "aria-label": L.weight, placeholder: "0,10",
        value: c.weight === null || c.weight === undefined ? "" : String(c.weight).replace(".", ",") });
      const r = h("select", { class: "small", "aria-label": L.rating }, [h("option", { value: "", text: L.rating })].concat([1, 2, 3, 4].map(function (n) {
        return h("option", { value: n, text: String(n), selected: c.rating === n });
      })));
      const save = function () { act({ type: "card.rate", card_id: c.id, weight: w.value === "" ? null : w.value, rating: r.value === "" ? null : Number(r.value) }); };
      w.addEventListener("change", save); r.addEventListener("change", save);
      box.appendChild(h("label", { class: "small" }, [document.createTextNode(L.weight + " "), w]));
      box.appendChild(r);
    }
    if (p === "derive") {
      const id = "pick-" + c.id;
      const cb = h("input", { type: "checkbox", id: id, checked: selection.has(c.id) });
      cb.addEventListener("change", function () {
        if (cb.checked) { selection.add(c.id); } else { selection.delete(c.id); }
        const el = cardEls.get(c.id); if (el) { el.classList.toggle("picked", cb.checked); }
        renderStrategyForm();
      });
      box.appendChild(h("label", { class: "small", for: id }, [cb, document.createTextNode(" " + L.select_for_strategy)]));
    }
  }

  // --- the card menu (keyboard alternative to drag and drop) ------------------------------------
  const menu = { el: null, cardId: null, anchor: null };
  function menuItems(c) {
    const items = [];
    if (!can("participate")) { return items; }
    const own = c.mine || fac();
    const arrange = canArrange() || fac();
    if (own && arrange && !c.hidden) { items.push({ label: L.edit, run: function () { openEditor(c.id); } }); }
    if (arrange) {
      const order = sortedCards(c.quadrant).filter(function (o) { return (o.cluster_id || null) === (c.cluster_id || null); });
      const idx = order.findIndex(function (o) { return o.id === c.id; });
      if (!byVotes() && idx > 0) { items.push({ label: "↑ " + L.up, run: function () { moveWithin(c, order, -1); } }); }
      if (!byVotes() && idx >= 0 && idx < order.length - 1) { items.push({ label: "↓ " + L.down, run: function () { moveWithin(c, order, 1); } }); }
      if (canChangeQuadrant(c)) {
        items.push({ heading: L.move_to });
        QUADRANTS.filter(function (q) { return q !== c.quadrant; }).forEach(function (q) {
          items.push({ label: "→ " + L.quadrants[q], run: function () { moveCard(c.id, q, null, lastCardId(q, c.id)); } });
        });
      }
      items.push({ heading: L.cluster });
      state.clusters.forEach(function (k) {
        if (k.quadrant === c.quadrant && k.id !== c.cluster_id) {
          items.push({ label: L.cluster_into.replace("%s", k.title || L.cluster_untitled), run: function () { act({ type: "card.cluster", card_id: c.id, cluster_id: k.id }); } });
        }
      });
      if (c.cluster_id) { items.push({ label: L.cluster_leave, run: function () { act({ type: "card.cluster", card_id: c.id, cluster_id: null }); } }); }
      items.push({ label: L.cluster_new + " …", keep: true, run: function () { closeMenu(false); newCluster(c.quadrant, [c.id], cardEls.get(c.id)); } });
    }
    if (fac() && phase() !== "derive") {
      const others = sortedCards(c.quadrant).filter(function (o) { return o.id !== c.id; });
      if (others.length) { items.push({ label: L.merge, keep: true, run: function () { showMergeChoices(c, others); } }); }
    }
    if (own && arrange) { items.push({ label: L.delete, danger: true, run: function () { act({ type: "card.delete", card_id: c.id }); } }); }
    return items;
  }
  function lastCardId(q, exclude) {
    const cards = sortedCards(q).filter(function (o) { return o.id !== exclude; });
    return cards.length ? cards[cards.length - 1].id : null;
  }
  function ensureMenu() {
    if (menu.el) { return menu.el; }
    menu.el = h("div", { class: "swot-menu", role: "menu", id: "swot-card-menu", hidden: true });
    menu.el.addEventListener("keydown", function (ev) {
      const items = Array.from(menu.el.querySelectorAll("[role=menuitem]"));
      const at = items.indexOf(document.activeElement);
      if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
        ev.preventDefault();
        const next = items[(at + (ev.key === "ArrowDown" ? 1 : items.length - 1)) % items.length];
        if (next) { next.focus(); }
      } else if (ev.key === "Home" || ev.key === "End") {
        ev.preventDefault(); items[ev.key === "Home" ? 0 : items.length - 1].focus();
      } else if (ev.key === "Escape") {
        ev.preventDefault(); closeMenu(true);
      } else if (ev.key === "Tab") {
        closeMenu(false);
      }
    });
    document.addEventListener("pointerdown", function (ev) {
      if (menu.cardId && !menu.el.contains(ev.target) && ev.target !== menu.anchor) { closeMenu(false); }
    });
    root.appendChild(menu.el);
    return menu.el;
  }
  function fillMenu(entries) {
    const el = ensureMenu();
    el.textContent = "";
    entries.forEach(function (item) {
      if (item.heading) { el.appendChild(h("div", { class: "swot-menu-heading", role: "presentation", text: item.heading })); return; }
      el.appendChild(h("button", { type: "button", role: "menuitem", class: "swot-menu-item" + (item.danger ? " danger" : ""), text: item.label,
        onclick: function () { if (!item.keep) { closeMenu(true); } item.run(); } }));
    });
    const first = el.querySelector("[role=menuitem]");
    if (first) { first.focus(); }
  }
  function openMenu(cardId, anchor) {
    if (menu.cardId === cardId) { closeMenu(true); return; }
    closeMenu(false);
    const c = state.cards.get(cardId);
    if (!c) { return; }
    const el = ensureMenu();
    menu.cardId = cardId;
    menu.anchor = anchor;
    anchor.setAttribute("aria-expanded", "true");
    el.setAttribute("aria-label", L.card_actions);
    el.hidden = false;
    const r = anchor.getBoundingClientRect();
    const rootBox = root.getBoundingClientRect();
    const width = Math.min(280, window.innerWidth - 16);
    el.style.width = width + "px";
    el.style.left = Math.max(8, Math.min(r.right - width, window.innerWidth - width - 8)) - rootBox.left + "px";
    el.style.top = r.bottom - rootBox.top + 4 + "px";
    fillMenu(menuItems(c));
  }
  function showMergeChoices(c, others) {
    fillMenu([{ heading: L.merge_into }].concat(others.map(function (o) {
      return { label: (o.text || L.hidden_card).slice(0, 60), run: function () { act({ type: "card.merge", target_id: c.id, source_ids: [o.id] }); } };
    })).concat([{ label: "← " + L.back, keep: true, run: function () { fillMenu(menuItems(c)); } }]));
  }
  function closeMenu(focusAnchor) {
    if (!menu.el || !menu.cardId) { return; }
    menu.el.hidden = true;
    menu.el.textContent = "";
    if (menu.anchor) {
      menu.anchor.setAttribute("aria-expanded", "false");
      if (focusAnchor && document.contains(menu.anchor)) { menu.anchor.focus(); }
    }
    menu.cardId = null;
    menu.anchor = null;
  }

  // --- moving cards ----------------------------------------------------------------------------
  // A move another person made to the same card while mine was under way is a conflict: both are told
  // where the card is now, and the one whose move was overtaken can repeat it. Nothing is lost: the
  // server orders both moves and every client ends with the same board.
  const myMoves = new Map();  // card id -> {base, quadrant, afterId, ackSeq, foreign, at}
  function moveCard(cardId, quadrant, clusterId, afterId, onDone) {
    const c = state.cards.get(cardId);
    if (!c) { return; }
    const entry = { base: state.seq, quadrant: quadrant, afterId: afterId, ackSeq: null, foreign: null, at: Date.now() };
    // The server handles one connection's requests in order, so the cluster change can follow the move
    // at once (a move to another quadrant leaves the old cluster on the server).
    const recluster = clusterId !== undefined &&
      ((clusterId || null) !== (c.cluster_id || null) || (quadrant !== c.quadrant && clusterId));
    const cluster = function () { act({ type: "card.cluster", card_id: cardId, cluster_id: clusterId }, onDone); };
    if (quadrant === c.quadrant && afterId === undefined) {
      if (recluster) { cluster(); } else if (onDone) { onDone(); }
      return;
    }
    myMoves.set(cardId, entry);
    act({ type: "card.move", card_id: cardId, quadrant: quadrant, after_id: afterId || null }, function (reply) {
      entry.ackSeq = reply.seq;
      judgeMove(cardId);
      if (!recluster && onDone) { onDone(); }
    });
    if (recluster) { cluster(); }
  }
  function noteForeignMove(ev) {
    const id = ev.payload.card.id;
    const entry = myMoves.get(id);
    if (!entry || ev.seq <= entry.base || Date.now() - entry.at > 30000) { return; }
    entry.foreign = { seq: ev.seq, name: (ev.actor && ev.actor.name) || L.someone, quadrant: ev.payload.card.quadrant };
    setTimeout(function () { judgeMove(id); }, 0);
  }
  function judgeMove(id) {
    const entry = myMoves.get(id);
    if (!entry || !entry.ackSeq) { return; }
    if (!entry.foreign) { if (Date.now() - entry.at > 30000) { myMoves.delete(id); } return; }
    myMoves.delete(id);
    const card = state.cards.get(id);
    if (!card) { return; }
    const overtaken = entry.foreign.seq > entry.ackSeq;
    const text = (overtaken ? L.move_conflict_lost : L.move_conflict_won)
      .replace("%(name)s", entry.foreign.name).replace("%(card)s", (card.text || L.hidden_card).slice(0, 60))
      .replace("%(theirs)s", L.quadrants[entry.foreign.quadrant]).replace("%(mine)s", L.quadrants[entry.quadrant])
      .replace("%(now)s", L.quadrants[card.quadrant]);
    showMoveConflict(text, overtaken && card.quadrant !== entry.quadrant ? function () {
      moveCard(id, entry.quadrant, undefined, lastCardId(entry.quadrant, id));
    } : null);
  }
  function showMoveConflict(text, repeat) {
    const box = document.getElementById("swot-move-conflict");
    box.querySelector("[data-text]").textContent = text;
    const again = box.querySelector("[data-repeat]");
    again.hidden = !repeat;
    again.onclick = function () { box.hidden = true; if (repeat) { repeat(); } };
    box.querySelector("[data-dismiss]").onclick = function () { box.hidden = true; };
    box.hidden = false;
  }
  function moveWithin(c, group, dir) {
    const idx = group.indexOf(group.find(function (o) { return o.id === c.id; }));
    const order = sortedCards(c.quadrant).filter(function (o) { return o.id !== c.id; });
    let after = null;
    if (dir > 0) { after = group[idx + 1]; } else {
      const at = order.indexOf(group[idx - 1]);
      after = at > 0 ? order[at - 1] : null;
    }
    moveCard(c.id, c.quadrant, undefined, after ? after.id : null, function () {
      const el = cardEls.get(c.id); if (el) { el.querySelector(".swot-menu-btn").focus(); }
    });
  }

  // Drag and drop with pointer events (mouse, pen and touch alike; on touch the grip starts a drag so
  // that the page still scrolls). The server decides: the card moves when the event comes back.
  let drag = null;
  function dragStart(ev, id) {
    if (ev.button !== 0 || !canArrange() || byVotes() || conn !== "online" || document.getElementById("swot-editable").disabled) { return; }
    if (ev.target.closest("button, input, textarea, select, a, label, form")) { return; }
    if (ev.pointerType === "touch" && !ev.target.closest(".swot-grip")) { return; }
    const el = cardEls.get(id);
    if (!el || el.classList.contains("editing")) { return; }
    drag = { id: id, el: el, x: ev.clientX, y: ev.clientY, pointer: ev.pointerId, active: false, ghost: null, target: null };
    document.addEventListener("pointermove", dragMove);
    document.addEventListener("pointerup", dragEnd);
    document.addEventListener("pointercancel", dragCancel);
    document.addEventListener("keydown", dragKey);
  }
  function dragMove(ev) {
    if (!drag || ev.pointerId !== drag.pointer) { return; }
    if (!drag.active) {
      if (Math.hypot(ev.clientX - drag.x, ev.clientY - drag.y) < 6) { return; }
      drag.active = true;
      const r = drag.el.getBoundingClientRect();
      drag.dx = drag.x - r.left; drag.dy = drag.y - r.top;
      drag.ghost = drag.el.cloneNode(true);
      drag.ghost.classList.add("swot-ghost");
      drag.ghost.removeAttribute("data-card-id");
      drag.ghost.style.width = r.width + "px";
      document.body.appendChild(drag.ghost);
      drag.el.classList.add("dragging");
      document.body.classList.add("swot-dragging");
      closeMenu(false);
    }
    ev.preventDefault();
    drag.ghost.style.transform = "translate(" + (ev.clientX - drag.dx) + "px," + (ev.clientY - drag.dy) + "px)";
    if (ev.clientY < 40) { window.scrollBy(0, -20); } else if (ev.clientY > window.innerHeight - 40) { window.scrollBy(0, 20); }
    showDropTarget(dropTargetAt(ev.clientX, ev.clientY));
  }
  function dropTargetAt(x, y) {
    const hit = document.elementFromPoint(x, y);
    const section = hit && hit.closest("[data-quadrant]");
    if (!section || !root.contains(section)) { return null; }
    const q = section.dataset.quadrant;
    const card = state.cards.get(drag.id);
    if (q !== card.quadrant && !canChangeQuadrant(card)) { return { q: q, refused: true, section: section }; }
    let group = hit.closest("[data-group]");
    if (!group) {  // over the quadrant's heading or free space: the unclustered cards
      group = section.querySelector('[data-group="none"]');
    }
    const clusterId = group.dataset.group === "none" ? null : Number(group.dataset.group);
    const ul = group.querySelector("ul");
    const items = Array.from(ul.children).filter(function (li) { return li !== drag.el && li.dataset.cardId; });
    let before = null;
    for (let i = 0; i < items.length; i += 1) {
      const r = items[i].getBoundingClientRect();
      if (y < r.top + r.height / 2) { before = items[i]; break; }
    }
    return { q: q, section: section, group: group, ul: ul, clusterId: clusterId, before: before, items: items };
  }
  function showDropTarget(t) {
    root.querySelectorAll(".drop-target, .drop-refused").forEach(function (el) { el.classList.remove("drop-target", "drop-refused"); });
    let marker = document.getElementById("swot-drop-marker");
    if (!marker) { marker = h("li", { id: "swot-drop-marker", class: "swot-drop-marker", "aria-hidden": "true" }); }
    drag.target = t;
    if (!t) { marker.remove(); return; }
    if (t.refused) { t.section.classList.add("drop-refused"); marker.remove(); return; }
    t.group.classList.add("drop-target");
    if (t.before) { t.ul.insertBefore(marker, t.before); } else { t.ul.appendChild(marker); }
  }
  function dragEnd(ev) {
    if (!drag || ev.pointerId !== drag.pointer) { return; }
    // Where the pointer was released counts (moves may have been coalesced); the marker leaves first so
    // that it does not shift what lies under the pointer.
    if (drag.active) {
      const marker = document.getElementById("swot-drop-marker");
      if (marker) { marker.remove(); }
      drag.target = dropTargetAt(ev.clientX, ev.clientY);
    }
    const d = drag;
    dragCleanup();
    if (!d.active) { return; }
    const t = d.target;
    if (!t) { return; }
    if (t.refused) { toast(L.move_refused); return; }
    const card = state.cards.get(d.id);
    if (!card) { return; }
    // after_id: the card that will precede it in the quadrant's rank order (clusters are views on it)
    const order = sortedCards(t.q).filter(function (o) { return o.id !== d.id; });
    let afterId = null;
    if (t.before) {
      const at = order.findIndex(function (o) { return o.id === Number(t.before.dataset.cardId); });
      afterId = at > 0 ? order[at - 1].id : null;
    } else {
      const inGroup = t.items.map(function (li) { return Number(li.dataset.cardId); });
      afterId = inGroup.length ? inGroup[inGroup.length - 1] : (order.length ? order[order.length - 1].id : null);
    }
    const currentOrder = sortedCards(card.quadrant);
    const prev = currentOrder[currentOrder.findIndex(function (o) { return o.id === d.id; }) - 1];
    const samePlace = t.q === card.quadrant && (prev ? prev.id : null) === afterId;
    moveCard(d.id, t.q, t.clusterId, samePlace ? undefined : afterId);
  }
  function dragCancel() { dragCleanup(); }
  function dragKey(ev) { if (ev.key === "Escape" && drag) { ev.preventDefault(); drag.target = null; dragCleanup(); } }
  function dragCleanup() {
    document.removeEventListener("pointermove", dragMove);
    document.removeEventListener("pointerup", dragEnd);
    document.removeEventListener("pointercancel", dragCancel);
    document.removeEventListener("keydown", dragKey);
    if (drag) {
      if (drag.ghost) { drag.ghost.remove(); }
      drag.el.classList.remove("dragging");
    }
    const marker = document.getElementById("swot-drop-marker");
    if (marker) { marker.remove(); }
    root.querySelectorAll(".drop-target, .drop-refused").forEach(function (el) { el.classList.remove("drop-target", "drop-refused"); });
    document.body.classList.remove("swot-dragging");
    drag = null;
  }

  // --- editing ---------------------------------------------------------------------------------
  function openEditor(id) {
    const c = state.cards.get(id);
    const el = cardEls.get(id);
    if (!c || !el || editing.has(id)) { return; }
    const text = h("textarea", { name: "text", rows: "3", maxlength: "500", "aria-label": L.text });
    text.value = c.text;
    const note = h("textarea", { name: "note", rows: "2", "aria-label": L.note, placeholder: L.note });
    note.value = c.note;
    const colour = h("input", { name: "colour", maxlength: "30", "aria-label": L.colour, placeholder: L.colour, value: c.colour || "" });
    const form = h("form", { class: "swot-editor" }, [text, note, colour,
      h("div", { class: "toolbar" }, [h("button", { type: "submit", text: L.save }), button(L.cancel, function () { closeEditor(id); })])]);
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      const msg = { type: "card.update", card_id: id, expected_version: editing.get(id).base, text: text.value, note: note.value, colour: colour.value };
      act(msg, function () { closeEditor(id); });
    });
    form.addEventListener("keydown", function (ev) { if (ev.key === "Escape") { ev.preventDefault(); closeEditor(id); } });
    editing.set(id, { base: c.version, form: form });
    el.querySelector(".swot-editor-slot").appendChild(form);
    el.classList.add("editing");
    text.focus();
  }
  function closeEditor(id) {
    const e = editing.get(id);
    if (e) { e.form.remove(); editing.delete(id); }
    const el = cardEls.get(id);
    if (el) { el.classList.remove("editing"); el.querySelector(".swot-menu-btn").focus(); }
  }

  // Conflict: show theirs and mine; re-apply mine on top of the current version, or keep theirs.
  function showConflict(msg, current) {
    const dlg = document.getElementById("swot-conflict");
    if (!current) { toast(L.conflict_title); return; }
    upsertCard(current);
    render();
    dlg.querySelector("[data-theirs]").textContent = current.text + (current.note ? "\n" + current.note : "");
    dlg.querySelector("[data-yours]").textContent = (msg.text || "") + (msg.note ? "\n" + msg.note : "");
    dlg.querySelector("[data-reapply]").onclick = function () {
      dlg.close();
      const retry = Object.assign({}, msg, { expected_version: current.version });
      delete retry.id;
      act(retry, function () { closeEditor(msg.card_id); });
    };
    dlg.querySelector("[data-discard]").onclick = function () { dlg.close(); closeEditor(msg.card_id); };
    if (typeof dlg.showModal === "function") { dlg.showModal(); } else { dlg.setAttribute("open", ""); }
  }

  // --- scores, strategies, measures ------------------------------------------------------------
  function renderScores() {
    const body = root.querySelector("[data-scores]");
    body.textContent = "";
    [["internal", L.internal], ["external", L.external]].forEach(function ([side, label]) {
      const s = state.scores[side];
      if (!s) { return; }
      body.appendChild(h("tr", { class: s.complete ? "complete" : "" }, [
        h("th", { text: label }), h("td", { class: "num", text: nf3.format(Number(s.weight_sum)) }),
        h("td", { class: "num", text: nf3.format(Number(s.score)) }), h("td", { class: "num", text: s.rated + " / " + s.factors }),
      ]));
    });
  }
  function renderStrategyForm() {
    const form = document.getElementById("swot-strategy-form");
    form.hidden = !(phase() === "derive" && can("participate"));
    const names = Array.from(selection).map(function (id) {
      const c = state.cards.get(id);
      return c ? L.factor[c.quadrant] + ": " + c.text : "";
    }).filter(Boolean);
    form.querySelector("[data-selection]").textContent = L.strategy_new + ": " + (names.join("; ") || "–");
  }
  function renderStrategies() {
    renderStrategyForm();
    const box = root.querySelector("[data-strategies]");
    if (box.contains(document.activeElement) && document.activeElement.closest(".swot-measure-form")) { return; }  // typing a measure
    box.textContent = "";
    ["SO", "ST", "WO", "WT"].forEach(function (kind) {
      const items = Array.from(state.strategies.values()).filter(function (s) { return s.kind === kind; })
        .sort(function (a, b) { return (b.rating || 0) - (a.rating || 0) || a.id - b.id; });
      const ul = h("ul", { class: "swot-strategies" });
      items.forEach(function (s) {
        const factors = s.card_ids.map(function (id) {
          const c = state.cards.get(id);
          return c ? L.factor[c.quadrant] + ": " + c.text : "–";
        }).join("; ");
        const li = h("li", { class: "swot-strategy" + (s.selected ? " selected" : ""), "data-strategy-id": s.id }, [
          h("strong", { text: s.title }), h("span", { class: "muted", text: " – " + factors + (s.rating ? " · " + L.rating + " " + s.rating + "/5" : "") }),
        ]);
        if (fac()) {
          const rate = h("select", { class: "small", "aria-label": L.rating }, [h("option", { value: "", text: L.rating })].concat([1, 2, 3, 4, 5].map(function (n) {
            return h("option", { value: n, text: n + "/5", selected: s.rating === n });
          })));
          rate.addEventListener("change", function () { act({ type: "strategy.rate", strategy_id: s.id, rating: rate.value ? Number(rate.value) : null }); });
          li.appendChild(h("div", { class: "toolbar" }, [rate,
            button(s.selected ? L.unselect : L.select, function () { act({ type: "strategy.select", strategy_id: s.id, selected: !s.selected }); })]));
          // A strategy becomes one measure: the form only while it has none (it is listed below once made).
          if (s.selected && !s.measure_ids.length) { li.appendChild(measureForm(s)); }
        }
        s.measure_ids.forEach(function (mid) {
          const m = state.measures.get(mid);
          if (m) { li.appendChild(h("p", { class: "swot-measure", text: "✔ " + L.measure_created + ": " + m.title + (m.owner ? " · " + m.owner : "") + (m.deadline ? " · " + new Date(m.deadline).toLocaleDateString("de-DE") : "") })); }
        });
        ul.appendChild(li);
      });
      box.appendChild(h("div", { class: "swot-tows-cell", "data-kind": kind }, [h("h3", { text: L.tows[kind] }),
        items.length ? ul : h("p", { class: "muted small", text: "–" })]));
    });
  }
  function measureForm(s) {
    const field = function (name, label, type, extra) {
      return h("label", { class: "small" }, [document.createTextNode(label + " "), h("input", Object.assign({ name: name, type: type || "text" }, extra || {}))]);
    };
    const form = h("form", { class: "swot-measure-form" }, [
      h("strong", { text: L.to_measure }), field("owner", L.owner), field("deadline", L.deadline, "date"), field("indicator", L.indicator),
      field("cost_estimate", L.cost, "text", { inputmode: "decimal" }), field("budget_product_code", L.product), h("button", { type: "submit", text: L.to_measure }),
    ]);
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      // Only filled fields; the cost as typed in German ("85.000" or "85.000,50") becomes a plain decimal.
      const data = {};
      new FormData(form).forEach(function (v, k) { if (String(v).trim() !== "") { data[k] = String(v).trim(); } });
      if (data.cost_estimate) {
        const c = data.cost_estimate.replace(/\s|€/g, "");
        data.cost_estimate = c.indexOf(",") >= 0 ? c.replace(/\./g, "").replace(",", ".") : /^\d{1,3}(\.\d{3})+$/.test(c) ? c.replace(/\./g, "") : c;
      }
      act(Object.assign({ type: "strategy.measure", strategy_id: s.id }, data), function () { form.remove(); render(); });
    });
    return form;
  }

  function renderPresence() {
    const ul = document.getElementById("swot-presence");
    ul.textContent = "";
    state.presence.forEach(function (p) {
      ul.appendChild(h("li", { text: p.name + (p.guest ? " (" + L.guest + ")" : "") + (p.id === cfg.participantId ? " ★" : "") }));
    });
  }
  function renderTimer() {
    const el = document.getElementById("swot-timer");
    const end = state.board.timer_ends_at ? Date.parse(state.board.timer_ends_at) : null;
    if (!end) { el.hidden = true; return; }
    const left = Math.max(0, Math.round((end - (Date.now() + state.clockOffset)) / 1000));
    el.hidden = false;
    el.textContent = "⏱ " + Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
    el.classList.toggle("expired", left === 0);
  }
  setInterval(renderTimer, 1000);

  // --- presentation mode (projector): big notes, no controls; Escape or the button leaves it ----
  const present = document.getElementById("swot-present");
  function setPresenting(on) {
    document.body.classList.toggle("swot-presenting", on);
    present.setAttribute("aria-pressed", on ? "true" : "false");
    present.textContent = on ? L.present_leave : L.present;
    if (on && document.documentElement.requestFullscreen && !document.fullscreenElement) {
      document.documentElement.requestFullscreen().catch(function () { /* not allowed: the page mode is enough */ });
    }
    if (!on && document.fullscreenElement && document.exitFullscreen) { document.exitFullscreen().catch(function () {}); }
    closeMenu(false);
  }
  present.addEventListener("click", function () { setPresenting(!document.body.classList.contains("swot-presenting")); });
  document.addEventListener("fullscreenchange", function () { if (!document.fullscreenElement) { setPresenting(false); } });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape" && document.body.classList.contains("swot-presenting") && !menu.cardId) { setPresenting(false); }
  });
  if (new URLSearchParams(window.location.search).has("praesentation")) { document.body.classList.add("swot-presenting"); present.setAttribute("aria-pressed", "true"); present.textContent = L.present_leave; }

  // --- controls --------------------------------------------------------------------------------
  root.querySelectorAll("[data-add-form]").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      const q = form.closest("[data-quadrant]").dataset.quadrant;
      const text = form.querySelector("textarea");
      if (!text.value.trim()) { return; }
      act({ type: "card.create", quadrant: q, text: text.value }, function () { text.value = ""; text.focus(); });
    });
    form.querySelector("textarea").addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); form.requestSubmit(); }
    });
  });
  const byId = function (id) { return document.getElementById(id); };
  if (byId("swot-phase-apply")) {
    byId("swot-phase-apply").addEventListener("click", function () { act({ type: "board.phase", phase: byId("swot-phase-select").value }); });
    byId("swot-lock").addEventListener("click", function () { act({ type: "board.lock", locked: !state.board.locked }); });
    byId("swot-reveal").addEventListener("click", function () { act({ type: "board.reveal" }); });
    byId("swot-timer-start").addEventListener("click", function () { act({ type: "timer.start", seconds: Math.round(Number(byId("swot-timer-minutes").value) * 60) }); });
    byId("swot-timer-stop").addEventListener("click", function () { act({ type: "timer.stop" }); });
  }
  byId("swot-strategy-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    const title = byId("swot-strategy-title");
    act({ type: "strategy.create", title: title.value, card_ids: Array.from(selection) }, function () {
      title.value = ""; selection.clear(); render();
    });
  });

  // Test hooks (Playwright): read the applied sequence number, drop the socket like a network failure.
  window.SwotBoard = {
    seq: function () { return state.seq; },
    state: function () { return conn; },
    dropConnection: function () { if (ws) { ws.close(); } },
  };

  // Connect first: a drawing error must never leave the board stuck in "Verbinde …".
  applySnapshot(JSON.parse(document.getElementById("swot-snapshot").textContent));
  connect();
  render();
  renderPresence();
})();
