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
    pongTimer = null, reconnectTimer = null, syncing = false;

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
      if (reply.type === "ack") { if (onOk) { onOk(reply); } if (reply.seq > state.seq) { watchGap(); } return; }
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
      if (pending.size && !syncing) { sync(); }
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
  const cardEls = new Map();
  function sortedCards(q) {
    return Array.from(state.cards.values()).filter(function (c) { return c.quadrant === q; })
      .sort(function (a, b) { return a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : a.id - b.id; });
  }
  function render() {
    const b = state.board;
    root.dataset.phase = b.phase;
    document.getElementById("swot-phase-label").textContent = L.phases[b.phase] || b.phase;
    document.getElementById("swot-lock-label").hidden = !b.locked;
    const lockBtn = document.getElementById("swot-lock");
    if (lockBtn) { lockBtn.textContent = b.locked ? L.unlock : L.lock; }
    const reveal = document.getElementById("swot-reveal");
    if (reveal) { reveal.hidden = !b.cards_hidden; }
    const phaseSel = document.getElementById("swot-phase-select");
    if (phaseSel && document.activeElement !== phaseSel) { phaseSel.value = b.phase; }
    if (conn === "online") { document.getElementById("swot-editable").disabled = !canEditNow(); }
    const used = Array.from(state.myVotes.values()).reduce(function (a, n) { return a + n; }, 0);
    document.getElementById("swot-votes-left").textContent =
      b.phase === "vote" && can("participate") ? L.votes_left.replace("%s", Math.max(0, b.vote_budget - used)) : "";
    QUADRANTS.forEach(renderQuadrant);
    cardEls.forEach(function (el, id) { if (!state.cards.has(id)) { el.remove(); cardEls.delete(id); editing.delete(id); } });
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
      if (g.id === null && !g.cards.length) { return; }
      let box = list.querySelector('[data-group="' + (g.id || "none") + '"]');
      if (!box) {
        box = h("div", { class: "swot-group", "data-group": g.id || "none" }, [
          g.id ? h("h3", { class: "swot-cluster-title" }) : null, h("ul", { class: "swot-cards" }),
        ]);
        if (g.id && can("participate")) {
          box.querySelector("h3").after(h("button", { type: "button", class: "linklike small", text: L.cluster_dissolve,
            onclick: function () { act({ type: "cluster.delete", cluster_id: g.id }); } }));
        }
      }
      if (g.id) { box.querySelector("h3").textContent = g.title; }
      const ul = box.querySelector("ul");
      const els = g.cards.map(function (c) { return renderCard(c, g.cards); });
      syncChildren(ul, els);
      wanted.push(box);
    });
    syncChildren(list, wanted);
  }
  function syncChildren(parent, els) {
    const current = Array.from(parent.children);
    const same = current.length === els.length && current.every(function (el, i) { return el === els[i]; });
    if (same) { return; }
    els.forEach(function (el, i) { if (parent.children[i] !== el) { parent.insertBefore(el, parent.children[i] || null); } });
    while (parent.children.length > els.length) { parent.removeChild(parent.lastChild); }
  }

  function renderCard(c, group) {
    let el = cardEls.get(c.id);
    if (!el) {
      el = h("li", { class: "swot-card", "data-card-id": c.id, tabindex: "-1" }, [
        h("div", { class: "swot-card-body" }, [h("p", { class: "swot-text" }), h("p", { class: "swot-note" })]),
        h("p", { class: "swot-meta" }), h("div", { class: "swot-actions" }), h("div", { class: "swot-editor-slot" }),
      ]);
      el.draggable = true;
      el.addEventListener("dragstart", function (ev) { ev.dataTransfer.setData("text/plain", String(c.id)); });
      el.addEventListener("dragover", function (ev) { ev.preventDefault(); });
      el.addEventListener("drop", function (ev) {
        ev.preventDefault();
        const moved = Number(ev.dataTransfer.getData("text/plain"));
        const target = state.cards.get(c.id);
        if (moved && moved !== c.id && target) { act({ type: "card.move", card_id: moved, quadrant: target.quadrant, after_id: c.id }); }
      });
      cardEls.set(c.id, el);
    }
    el.dataset.version = c.version;
    el.classList.toggle("hidden-card", !!c.hidden);
    el.classList.toggle("mine", !!c.mine);
    el.style.borderLeftColor = c.colour && /^#?[0-9a-fA-F]{3,6}$/.test(c.colour) ? (c.colour[0] === "#" ? c.colour : "#" + c.colour) : "";
    el.querySelector(".swot-text").textContent = c.hidden ? L.hidden_card : c.text;
    el.querySelector(".swot-note").textContent = c.hidden ? "" : c.note;
    const meta = [];
    if (c.author_name) { meta.push(L.by + " " + c.author_name); } else if (c.mine) { meta.push(L.mine); }
    if (c.colour && !/^#?[0-9a-fA-F]{3,6}$/.test(c.colour)) { meta.push("#" + c.colour); }
    if (c.votes) { meta.push("● " + c.votes); }
    if (c.weight !== null && c.weight !== undefined) { meta.push(L.weight + " " + nf3.format(Number(c.weight))); }
    if (c.rating) { meta.push(L.rating + " " + c.rating); }
    el.querySelector(".swot-meta").textContent = meta.join(" · ");
    renderActions(el.querySelector(".swot-actions"), c, group);
    return el;
  }

  function button(label, onclick, extra) {
    return h("button", Object.assign({ type: "button", class: "secondary small", text: label, onclick: onclick }, extra || {}));
  }
  function renderActions(box, c, group) {
    box.textContent = "";
    const phase = state.board.phase;
    const fac = can("facilitate");
    const part = can("participate");
    if (!part) { return; }
    const own = c.mine || fac;
    const editPhase = phase === "collect" || phase === "cluster" || fac;
    if (own && editPhase && !c.hidden) { box.appendChild(button(L.edit, function () { openEditor(c.id); })); }
    if (editPhase) {
      const idx = group.indexOf(c);
      box.appendChild(button("↑", function () { moveWithin(c, group, -1); }, { "aria-label": L.up, disabled: idx <= 0 }));
      box.appendChild(button("↓", function () { moveWithin(c, group, 1); }, { "aria-label": L.down, disabled: idx >= group.length - 1 }));
      if (own) {
        const sel = h("select", { "aria-label": L.move_to, class: "small" },
          [h("option", { value: "", text: L.move_to })].concat(QUADRANTS.filter(function (q) { return q !== c.quadrant; })
            .map(function (q) { return h("option", { value: q, text: L.quadrants[q] }); })));
        sel.addEventListener("change", function () { if (sel.value) { act({ type: "card.move", card_id: c.id, quadrant: sel.value, after_id: null }); } });
        box.appendChild(sel);
      }
      const clusters = Array.from(state.clusters.values()).filter(function (k) { return k.quadrant === c.quadrant; });
      const csel = h("select", { "aria-label": L.cluster, class: "small" },
        [h("option", { value: "", text: L.cluster_none })].concat(clusters.map(function (k) {
          return h("option", { value: k.id, text: k.title, selected: k.id === c.cluster_id });
        })).concat([h("option", { value: "new", text: L.cluster_new + " …" })]));
      csel.addEventListener("change", function () {
        if (csel.value === "new") {
          const title = window.prompt(L.cluster_title);
          if (title) { act({ type: "cluster.create", quadrant: c.quadrant, title: title, card_ids: [c.id] }); } else { render(); }
          return;
        }
        act({ type: "card.cluster", card_id: c.id, cluster_id: csel.value ? Number(csel.value) : null });
      });
      box.appendChild(csel);
      if (own) { box.appendChild(button(L.delete, function () { act({ type: "card.delete", card_id: c.id }); })); }
    }
    if (fac && phase !== "derive") {
      const others = sortedCards(c.quadrant).filter(function (o) { return o.id !== c.id; });
      if (others.length) {
        const msel = h("select", { "aria-label": L.merge, class: "small" },
          [h("option", { value: "", text: L.merge })].concat(others.map(function (o) { return h("option", { value: o.id, text: (o.text || "").slice(0, 40) }); })));
        msel.addEventListener("change", function () { if (msel.value) { act({ type: "card.merge", target_id: c.id, source_ids: [Number(msel.value)] }); } });
        box.appendChild(msel);
      }
    }
    if (phase === "vote") {
      box.appendChild(button("+●", function () { act({ type: "vote.cast", card_id: c.id }); }, { "aria-label": L.vote }));
      if (state.myVotes.get(c.id)) {
        box.appendChild(button("−●", function () { act({ type: "vote.retract", card_id: c.id }); }, { "aria-label": L.unvote }));
      }
    }
    if (phase === "weight" && fac) {
      const w = h("input", { type: "number", min: "0", max: "1", step: "0.01", class: "small", "aria-label": L.weight, value: c.weight === null ? "" : c.weight });
      const r = h("select", { class: "small", "aria-label": L.rating }, [h("option", { value: "", text: L.rating })].concat([1, 2, 3, 4].map(function (n) {
        return h("option", { value: n, text: String(n), selected: c.rating === n });
      })));
      const save = function () { act({ type: "card.rate", card_id: c.id, weight: w.value === "" ? null : w.value, rating: r.value === "" ? null : Number(r.value) }); };
      w.addEventListener("change", save); r.addEventListener("change", save);
      box.appendChild(w); box.appendChild(r);
    }
    if (phase === "derive") {
      const id = "pick-" + c.id;
      const cb = h("input", { type: "checkbox", id: id, checked: selection.has(c.id) });
      cb.addEventListener("change", function () { if (cb.checked) { selection.add(c.id); } else { selection.delete(c.id); } renderStrategyForm(); });
      box.appendChild(h("label", { class: "small", for: id }, [cb, document.createTextNode(" " + L.select_for_strategy)]));
    }
  }
  function moveWithin(c, group, dir) {
    const idx = group.indexOf(c);
    const order = sortedCards(c.quadrant).filter(function (o) { return o.id !== c.id; });
    let after = null;
    if (dir > 0) { after = group[idx + 1]; } else {
      const prev = group[idx - 1];
      const at = order.indexOf(prev);
      after = at > 0 ? order[at - 1] : null;
    }
    act({ type: "card.move", card_id: c.id, quadrant: c.quadrant, after_id: after ? after.id : null }, function () {
      const el = cardEls.get(c.id); if (el) { el.focus(); }
    });
  }

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
    editing.set(id, { base: c.version, form: form });
    el.querySelector(".swot-editor-slot").appendChild(form);
    el.classList.add("editing");
    text.focus();
  }
  function closeEditor(id) {
    const e = editing.get(id);
    if (e) { e.form.remove(); editing.delete(id); }
    const el = cardEls.get(id);
    if (el) { el.classList.remove("editing"); }
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
    form.hidden = !(state.board.phase === "derive" && can("participate"));
    const names = Array.from(selection).map(function (id) { const c = state.cards.get(id); return c ? L.quadrants[c.quadrant][0] + ": " + c.text : ""; });
    form.querySelector("[data-selection]").textContent = L.strategy_new + ": " + (names.join("; ") || "–");
  }
  function renderStrategies() {
    renderStrategyForm();
    const box = root.querySelector("[data-strategies]");
    box.textContent = "";
    ["SO", "ST", "WO", "WT"].forEach(function (kind) {
      const items = Array.from(state.strategies.values()).filter(function (s) { return s.kind === kind; });
      const ul = h("ul", { class: "swot-strategies" });
      items.forEach(function (s) {
        const factors = s.card_ids.map(function (id) { const c = state.cards.get(id); return c ? c.text : "–"; }).join("; ");
        const li = h("li", { class: "swot-strategy" + (s.selected ? " selected" : ""), "data-strategy-id": s.id }, [
          h("strong", { text: s.title }), h("span", { class: "muted", text: " – " + factors + (s.rating ? " · " + L.rating + " " + s.rating + "/5" : "") }),
        ]);
        if (can("facilitate")) {
          const rate = h("select", { class: "small", "aria-label": L.rating }, [h("option", { value: "", text: L.rating })].concat([1, 2, 3, 4, 5].map(function (n) {
            return h("option", { value: n, text: n + "/5", selected: s.rating === n });
          })));
          rate.addEventListener("change", function () { act({ type: "strategy.rate", strategy_id: s.id, rating: rate.value ? Number(rate.value) : null }); });
          li.appendChild(h("div", { class: "toolbar" }, [rate,
            button(s.selected ? L.unselect : L.select, function () { act({ type: "strategy.select", strategy_id: s.id, selected: !s.selected }); })]));
          // A strategy becomes one measure: the form only while it has none (it is shown below once made).
          if (s.selected && !s.measure_ids.length) { li.appendChild(measureForm(s)); }
        }
        s.measure_ids.forEach(function (mid) {
          const m = state.measures.get(mid);
          if (m) { li.appendChild(h("p", { class: "swot-measure", text: "✔ " + L.measure_created + ": " + m.title + (m.owner ? " · " + m.owner : "") + (m.deadline ? " · " + new Date(m.deadline).toLocaleDateString("de-DE") : "") })); }
        });
        ul.appendChild(li);
      });
      box.appendChild(h("div", { class: "swot-tows-cell", "data-kind": kind }, [h("h3", { text: L.tows[kind] }), ul]));
    });
  }
  function measureForm(s) {
    const field = function (name, label, type) { return h("label", { class: "small" }, [document.createTextNode(label + " "), h("input", { name: name, type: type || "text" })]); };
    const form = h("form", { class: "swot-measure-form" }, [
      h("strong", { text: L.to_measure }), field("owner", L.owner), field("deadline", L.deadline, "date"), field("indicator", L.indicator),
      field("cost_estimate", L.cost), field("budget_product_code", L.product), h("button", { type: "submit", text: L.to_measure }),
    ]);
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      const data = Object.fromEntries(new FormData(form).entries());
      act(Object.assign({ type: "strategy.measure", strategy_id: s.id }, data));
    });
    return form;
  }

  function renderPresence() {
    const ul = document.getElementById("swot-presence");
    ul.textContent = "";
    state.presence.forEach(function (p) {
      ul.appendChild(h("li", { text: p.name + (p.guest ? " (Gast)" : "") + (p.id === cfg.participantId ? " ★" : "") }));
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
  root.querySelectorAll("[data-quadrant] [data-list]").forEach(function (list) {
    list.addEventListener("dragover", function (ev) { ev.preventDefault(); });
    list.addEventListener("drop", function (ev) {
      if (ev.target.closest(".swot-card")) { return; }
      ev.preventDefault();
      const moved = Number(ev.dataTransfer.getData("text/plain"));
      const q = list.closest("[data-quadrant]").dataset.quadrant;
      const cards = sortedCards(q).filter(function (c) { return c.id !== moved; });
      if (moved) { act({ type: "card.move", card_id: moved, quadrant: q, after_id: cards.length ? cards[cards.length - 1].id : null }); }
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

  // Start from the server-rendered snapshot, then connect and catch up from its sequence number.
  // Connect first: a drawing error must never leave the board stuck in "Verbinde …".
  applySnapshot(JSON.parse(document.getElementById("swot-snapshot").textContent));
  connect();
  render();
  renderPresence();
})();
