/*
 * GPU Hot dashboard. Speaks protocol 2 of the hub and node (docs/protocol.md): a snapshot, then
 * deltas per node as they arrive. Every string from the wire reaches the page through
 * textContent or a property, never as HTML.
 */
(() => {
  'use strict';

  // ---------------------------------------------------------------- helpers

  const $ = (id) => document.getElementById(id);
  const NA = 'n/a';

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  function setText(node, text) {
    if (node.textContent !== text) node.textContent = text;
  }

  function setClass(node, cls) {
    if (node.className !== cls) node.className = cls;
  }

  function isNum(v) {
    return typeof v === 'number' && isFinite(v);
  }

  function num(v) {
    if (isNum(v)) return v;
    if (typeof v === 'string' && v.trim() !== '' && isFinite(+v)) return +v;
    return null;
  }

  function fmt(v, digits = 0, unit = '') {
    const n = num(v);
    if (n === null) return NA;
    return n.toFixed(digits) + unit;
  }

  /** Memory as NVML counts it, in binary units: MiB, GiB, TiB. */
  function fmtMiB(mib) {
    const n = num(mib);
    if (n === null) return NA;
    if (n >= 1048576) return (n / 1048576).toFixed(1) + ' TiB';
    if (n >= 1024) return (n / 1024).toFixed(n >= 102400 ? 0 : 1) + ' GiB';
    return n.toFixed(0) + ' MiB';
  }

  /** "60.1 / 79.6 GB": a used/total pair with the unit written once when both share it. */
  function fmtMemPair(used, total) {
    const a = fmtMiB(used);
    const b = fmtMiB(total);
    if (a === NA || b === NA) return a === NA ? NA : a + ' / ' + b;
    const ua = a.split(' ')[1];
    const ub = b.split(' ')[1];
    return ua === ub ? a.split(' ')[0] + ' / ' + b : a + ' / ' + b;
  }

  function fmtRate(bytesPerS) {
    const n = num(bytesPerS);
    if (n === null) return NA;
    if (n >= 1 << 30) return (n / (1 << 30)).toFixed(1) + ' GB/s';
    if (n >= 1 << 20) return (n / (1 << 20)).toFixed(1) + ' MB/s';
    if (n >= 1 << 10) return (n / (1 << 10)).toFixed(0) + ' KB/s';
    return n.toFixed(0) + ' B/s';
  }

  function fmtAgo(ms) {
    if (!ms) return 'never';
    const s = Math.max(0, (Date.now() - ms) / 1000);
    if (s < 2) return 'just now';
    if (s < 120) return s.toFixed(0) + ' s ago';
    if (s < 7200) return (s / 60).toFixed(0) + ' min ago';
    return (s / 3600).toFixed(1) + ' h ago';
  }

  function pct(a, b) {
    const x = num(a);
    const y = num(b);
    return x === null || !y ? null : (x / y) * 100;
  }

  // ------------------------------------------------------------ thresholds

  const THRESHOLD_KEY = 'gpuhot.thresholds';
  const DEFAULT_THRESHOLDS = {
    utilization: { label: 'Utilization (%)', warn: 80, crit: 95 },
    temperature: { label: 'Temperature (°C)', warn: 75, crit: 85 },
    memory: { label: 'Memory (% used)', warn: 85, crit: 95 },
    power: { label: 'Power (% of limit)', warn: 80, crit: 95 },
  };
  let thresholds = loadThresholds();

  function loadThresholds() {
    const t = JSON.parse(JSON.stringify(DEFAULT_THRESHOLDS));
    try {
      const saved = JSON.parse(localStorage.getItem(THRESHOLD_KEY) || '{}');
      for (const k of Object.keys(t)) {
        if (saved[k] && isNum(saved[k].warn)) t[k].warn = saved[k].warn;
        if (saved[k] && isNum(saved[k].crit)) t[k].crit = saved[k].crit;
      }
    } catch (e) {
      /* a broken entry falls back to the defaults */
    }
    return t;
  }

  function level(metric, value) {
    const t = thresholds[metric];
    if (!t || value === null || value === undefined) return '';
    if (value >= t.crit) return 'crit';
    if (value >= t.warn) return 'warn';
    return '';
  }

  function worst(...levels) {
    if (levels.includes('crit')) return 'crit';
    if (levels.includes('warn')) return 'warn';
    return '';
  }

  // ------------------------------------------------------------------ state

  const HISTORY_POINTS = 1800;
  const state = {
    mode: null,
    interval: 0.5,
    nodes: new Map(),
    stats: null,
    detailAll: true,
    detailIds: new Set(),
    lastMessage: 0,
    connected: false,
    messages: 0,
    updates: 0,
  };

  function newNode(entry) {
    return {
      id: entry.id,
      url: entry.url,
      name: entry.name,
      status: entry.status,
      reason: entry.reason,
      v: entry.v,
      seq: entry.seq,
      t: entry.sampled_at_ms,
      lastUpdateMs: entry.last_update_ms || 0,
      statusSince: entry.status_since_ms,
      nodeError: entry.node_error || null,
      duplicate: !!entry.duplicate_name,
      summary: entry.summary || {},
      hasDetail: !!entry.gpus,
      gpus: entry.gpus || {},
      processes: entry.processes || [],
      system: entry.system || {},
      hist: newHistory(),
      prevSystem: null,
      rates: {},
      view: null,
    };
  }

  function newHistory() {
    return { t: [], gpus: {}, cpu: [], ram: [] };
  }

  /** Per-GPU series: the server keeps the first six; the others exist only from the live stream. */
  const SERIES = {
    util: (g) => num(g.utilization),
    temp: (g) => num(g.temperature),
    mem: (g) => pct(g.memory_used, g.memory_total),
    power: (g) => num(g.power_draw),
    fan: (g) => num(g.fan_speed),
    clock: (g) => num(g.clock_graphics),
    clockSm: (g) => num(g.clock_sm),
    clockMem: (g) => num(g.clock_memory),
    memUtil: (g) => num(g.memory_utilization),
    pcieRx: (g) => (num(g.pcie_rx_throughput) === null ? null : g.pcie_rx_throughput / 1024),
    pcieTx: (g) => (num(g.pcie_tx_throughput) === null ? null : g.pcie_tx_throughput / 1024),
    enc: (g) => num(g.encoder_utilization),
    dec: (g) => num(g.decoder_utilization),
    eff: (g) => (num(g.utilization) !== null && num(g.power_draw) > 0 ? g.utilization / g.power_draw : null),
  };
  const RAW_KEEP_S = 900;

  function newSeries(length) {
    const s = {};
    for (const k of Object.keys(SERIES)) s[k] = new Array(length).fill(null);
    return s;
  }

  /** Appends one sample of a node to its chart history. */
  function record(node) {
    const h = node.hist;
    const t = (isNum(node.t) ? node.t : Date.now()) / 1000;
    if (h.t.length && t <= h.t[h.t.length - 1]) return;
    h.t.push(t);
    for (const [gid, g] of Object.entries(node.gpus)) {
      const s = h.gpus[gid] || (h.gpus[gid] = newSeries(h.t.length - 1));
      for (const [k, read] of Object.entries(SERIES)) s[k].push(read(g));
    }
    for (const [gid, s] of Object.entries(h.gpus)) {
      if (!node.gpus[gid]) for (const arr of Object.values(s)) arr.push(null);
    }
    h.cpu.push(num(node.system.cpu_percent));
    h.ram.push(num(node.system.memory_percent));
    if (h.t.length % 120 === 0) thin(h);
  }

  /**
   * Keeps the history to what the chart range can show: points beyond the range go, and points
   * older than 15 minutes are kept one per step, so a page open for a day stays small.
   */
  function thin(h) {
    if (!h.t.length) return;
    const end = h.t[h.t.length - 1];
    const keep = Math.max(Charts.rangeS, RAW_KEEP_S);
    const step = Charts.rangeS > 7200 ? 60 : 10;
    const idx = [];
    let lastKept = -Infinity;
    for (let i = 0; i < h.t.length; i++) {
      const t = h.t[i];
      if (t < end - keep) continue;
      if (t < end - RAW_KEEP_S && t - lastKept < step) continue;
      idx.push(i);
      lastKept = t;
    }
    if (idx.length === h.t.length) return;
    const pick = (arr) => idx.map((i) => arr[i]);
    h.t = pick(h.t);
    h.cpu = pick(h.cpu);
    h.ram = pick(h.ram);
    for (const s of Object.values(h.gpus)) for (const k of Object.keys(s)) s[k] = pick(s[k]);
  }

  /** Puts the server's history in front of the live points the page already has. */
  function mergeHistory(node, server) {
    const h = node.hist;
    const firstLive = h.t.length ? h.t[0] : Infinity;
    let n = 0;
    while (n < server.t.length && server.t[n] < firstLive) n++;
    if (!n) return;
    const t = server.t.slice(0, n).concat(h.t);
    const gpus = {};
    const ids = new Set(Object.keys(h.gpus).concat(Object.keys(server.gpus)));
    for (const gid of ids) {
      const live = h.gpus[gid] || newSeries(h.t.length);
      const srv = server.gpus[gid] || {};
      const s = {};
      for (const k of Object.keys(SERIES)) {
        const head = srv[k] ? srv[k].slice(0, n) : new Array(n).fill(null);
        s[k] = head.concat(live[k]);
      }
      gpus[gid] = s;
    }
    const host = server.host || {};
    node.hist = {
      t,
      gpus,
      cpu: (host.cpu ? host.cpu.slice(0, n) : new Array(n).fill(null)).concat(h.cpu),
      ram: (host.ram ? host.ram.slice(0, n) : new Array(n).fill(null)).concat(h.ram),
    };
    if (node.view) node.view.chartsDue = 0;
  }

  /** Network and disk rates from the cumulative counters of two samples. */
  function updateRates(node) {
    const s = node.system;
    const p = node.prevSystem;
    const now = isNum(node.t) ? node.t : Date.now();
    if (p && now > p.t) {
      const dt = (now - p.t) / 1000;
      for (const k of ['net_bytes_recv', 'net_bytes_sent', 'disk_read_bytes', 'disk_write_bytes']) {
        if (isNum(s[k]) && isNum(p[k])) node.rates[k] = Math.max(0, (s[k] - p[k]) / dt);
      }
    }
    node.prevSystem = Object.assign({ t: now }, s);
  }

  function applySnapshot(msg) {
    state.mode = msg.mode;
    state.interval = msg.update_interval || 0.5;
    state.stats = msg.cluster_stats;
    const old = state.nodes;
    state.nodes = new Map();
    state.detailAll = msg.nodes.every((n) => !!n.gpus);
    for (const entry of msg.nodes) {
      const node = newNode(entry);
      const before = old.get(entry.id);
      if (before && before.url === node.url) {
        node.hist = before.hist;
        node.view = before.view;
        node.prevSystem = before.prevSystem;
      }
      if (node.hasDetail && node.status === 'online') record(node);
      state.nodes.set(node.id, node);
    }
    for (const [id, n] of old) if (!state.nodes.has(id) && n.view) n.view.root.remove();
    layoutDirty = true;
    markAll();
    Events.add(msg.events);
    History.fill();
    if (Detail.nodeId !== null || !state.detailAll) sendView();
  }

  function applyNode(msg) {
    const entry = msg.node;
    const before = state.nodes.get(entry.id);
    const node = newNode(entry);
    if (before) {
      node.hist = before.hist;
      node.view = before.view;
      node.prevSystem = before.prevSystem;
      node.rates = before.rates;
    }
    state.nodes.set(node.id, node);
    if (msg.cluster_stats) state.stats = msg.cluster_stats;
    updateRates(node);
    if (node.status === 'online') record(node);
    if (!before || before.status !== node.status) layoutDirty = true;
    markDirty(node);
  }

  function applyDelta(msg) {
    const node = state.nodes.get(msg.id);
    if (!node) return;
    state.updates++;
    if (msg.v !== node.v + 1) {
      console.warn('GPU Hot: delta', msg.v, 'for node', msg.id, 'held', node.v, '; asking again');
      sendView();
      return;
    }
    node.v = msg.v;
    node.seq = msg.seq;
    if (msg.sampled_at_ms !== undefined) node.t = msg.sampled_at_ms;
    if (msg.status !== undefined) {
      if (node.status !== msg.status) layoutDirty = true;
      node.status = msg.status;
      node.reason = msg.reason;
      node.name = msg.name;
      node.statusSince = msg.status_since_ms;
      node.nodeError = msg.node_error || null;
    }
    let sampled = false;
    if (msg.gpus) {
      sampled = true;
      for (const [gid, change] of Object.entries(msg.gpus)) {
        if (change === null) {
          delete node.gpus[gid];
          continue;
        }
        const g = node.gpus[gid] || (node.gpus[gid] = {});
        for (const [k, v] of Object.entries(change)) {
          if (v === null) delete g[k];
          else g[k] = v;
        }
      }
    }
    if (msg.system) {
      sampled = true;
      for (const [k, v] of Object.entries(msg.system)) {
        if (v === null) delete node.system[k];
        else node.system[k] = v;
      }
    }
    if (msg.processes) node.processes = msg.processes;
    if (msg.cluster_stats) state.stats = msg.cluster_stats;
    if (msg.status === undefined || sampled) {
      node.lastUpdateMs = Date.now();
      updateRates(node);
      if (node.status === 'online') record(node);
    }
    node.summary = summarize(node);
    markDirty(node);
  }

  function applySummaries(msg) {
    for (const s of msg.nodes) {
      const node = state.nodes.get(s.id);
      if (!node || node.hasDetail) continue;
      if (node.status !== s.status) layoutDirty = true;
      node.status = s.status;
      node.summary = s.summary;
      node.t = s.sampled_at_ms;
      node.seq = s.seq;
      node.lastUpdateMs = Date.now();
      markDirty(node);
    }
    if (msg.cluster_stats) state.stats = msg.cluster_stats;
  }

  function summarize(node) {
    let util = 0;
    let utilN = 0;
    let used = 0;
    let total = 0;
    let power = 0;
    let limit = 0;
    let tmax = null;
    let throttled = 0;
    const gpus = Object.values(node.gpus);
    for (const g of gpus) {
      if (isNum(g.utilization)) {
        util += g.utilization;
        utilN++;
      }
      used += num(g.memory_used) || 0;
      total += num(g.memory_total) || 0;
      power += num(g.power_draw) || 0;
      limit += num(g.power_limit) || 0;
      if (isNum(g.temperature) && (tmax === null || g.temperature > tmax)) tmax = g.temperature;
      if (g.throttle_reasons && g.throttle_reasons !== 'None') throttled++;
    }
    return {
      gpu_count: gpus.length,
      utilization: utilN ? util / utilN : null,
      memory_used: used,
      memory_total: total,
      power_draw: power,
      power_limit: limit,
      temperature_max: tmax,
      throttled,
      processes: node.processes.length,
    };
  }

  // ------------------------------------------------------------- connection

  const Conn = {
    ws: null,
    attempt: 0,
    timer: null,

    url() {
      const proto = location.protocol === 'https:' ? 'wss://' : 'ws://';
      return proto + location.host + '/ws?detail=auto&fields=card';
    },

    open() {
      clearTimeout(this.timer);
      setConn(this.attempt ? 'reconnecting' : 'connecting');
      let ws;
      try {
        ws = new WebSocket(this.url());
      } catch (e) {
        this.retry();
        return;
      }
      this.ws = ws;
      ws.onopen = () => {
        this.attempt = 0;
        state.connected = true;
      };
      ws.onmessage = (ev) => {
        state.lastMessage = Date.now();
        state.messages++;
        let msg;
        try {
          msg = JSON.parse(ev.data);
        } catch (e) {
          console.warn('GPU Hot: unreadable message ignored', e);
          return;
        }
        try {
          handle(msg);
        } catch (e) {
          console.error('GPU Hot: message not applied', e);
        }
        if (connState !== 'live') setConn('live');
      };
      ws.onclose = () => {
        state.connected = false;
        if (this.ws === ws) this.retry();
      };
      ws.onerror = () => {};
    },

    retry() {
      this.attempt++;
      const cap = Math.min(10000, 500 * Math.pow(2, Math.min(this.attempt, 6)));
      const delay = cap / 2 + Math.random() * (cap / 2);
      setConn('reconnecting', delay);
      this.timer = setTimeout(() => this.open(), delay);
    },

    send(obj) {
      if (this.ws && this.ws.readyState === 1) this.ws.send(JSON.stringify(obj));
    },
  };

  let connState = 'connecting';

  function setConn(s, delay) {
    connState = s;
    const box = $('conn');
    box.dataset.state = s;
    const text = {
      connecting: 'Connecting…',
      live: 'Live',
      stale: 'Stale: no data',
      reconnecting: 'Reconnecting' + (delay ? ' in ' + (delay / 1000).toFixed(1) + ' s' : '…'),
    }[s];
    setText($('conn-text'), text);
    document.body.classList.toggle('stale', s !== 'live' && state.messages > 0);
  }

  setInterval(() => {
    if (connState === 'live' && Date.now() - state.lastMessage > 8000) setConn('stale');
    for (const node of state.nodes.values()) if (node.view) updateSeen(node);
  }, 1000);

  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && !state.connected) {
      Conn.attempt = 0;
      Conn.open();
    }
  });

  function handle(msg) {
    switch (msg.type) {
      case 'snapshot':
        applySnapshot(msg);
        break;
      case 'node':
        applyNode(msg);
        break;
      case 'delta':
        applyDelta(msg);
        break;
      case 'summaries':
        applySummaries(msg);
        break;
      case 'events':
        Events.add(msg.events);
        break;
      default:
        break;
    }
  }

  /** Tells the server which nodes this page shows, and which one it shows every field of. */
  function sendView() {
    const full = Detail.nodeId === null ? [] : [Detail.nodeId];
    if (state.detailAll) Conn.send({ type: 'view', detail: 'all', full });
    else Conn.send({ type: 'view', detail: Array.from(state.detailIds).concat(full), full });
  }

  // -------------------------------------------------------------- rendering

  const dirty = new Set();
  let layoutDirty = true;
  let frame = 0;

  function markDirty(node) {
    dirty.add(node.id);
    if (!frame) frame = requestAnimationFrame(render);
  }

  function markAll() {
    for (const id of state.nodes.keys()) dirty.add(id);
    if (!frame) frame = requestAnimationFrame(render);
  }

  function render() {
    frame = 0;
    const started = performance.now();
    if (layoutDirty) layout();
    for (const id of dirty) {
      const node = state.nodes.get(id);
      if (node) renderNode(node);
    }
    dirty.clear();
    renderTotals();
    Perf.add(performance.now() - started);
  }

  /** Keeps render cost figures where a benchmark can read them. */
  const Perf = {
    frames: 0,
    total: 0,
    add(ms) {
      this.frames++;
      this.total += ms;
    },
  };
  window.gpuHotPerf = Perf;

  function visibleNodes() {
    const q = $('filter').value.trim().toLowerCase();
    const list = [];
    for (const n of state.nodes.values()) {
      if (q && !(n.name || '').toLowerCase().includes(q) && !n.url.toLowerCase().includes(q)) continue;
      list.push(n);
    }
    const key = $('sort').value;
    const by = {
      name: (a, b) => (a.name || '').localeCompare(b.name || '', undefined, { numeric: true }),
      util: (a, b) => (b.summary.utilization ?? -1) - (a.summary.utilization ?? -1),
      temp: (a, b) => (b.summary.temperature_max ?? -1) - (a.summary.temperature_max ?? -1),
      mem: (a, b) => (pct(b.summary.memory_used, b.summary.memory_total) ?? -1)
        - (pct(a.summary.memory_used, a.summary.memory_total) ?? -1),
      status: (a, b) => statusRank(a) - statusRank(b),
    }[key];
    list.sort((a, b) => by(a, b) || a.id - b.id);
    return list;
  }

  function statusRank(n) {
    return { error: 0, offline: 1, online: 2 }[n.status] ?? 3;
  }

  let overviewBox = null;

  function layout() {
    layoutDirty = false;
    const box = $('nodes');
    const list = visibleNodes();
    const shown = new Set(list.map((n) => n.id));
    $('empty').hidden = state.nodes.size > 0;
    if (state.nodes.size === 0) setText($('empty'), 'No nodes configured.');
    const lone = state.mode === 'node' && state.nodes.size === 1 ? state.nodes.values().next().value : null;
    if (lone && lone.hasDetail && Object.keys(lone.gpus).length === 0 && lone.status === 'online') {
      $('empty').hidden = false;
      setText($('empty'), 'This node reports no GPUs' + (lone.nodeError ? ': ' + lone.nodeError : '.'));
    }
    const detailed = list.filter((n) => n.hasDetail);
    const summarized = list.filter((n) => !n.hasDetail);
    for (const n of detailed) {
      if (!n.view) n.view = buildNode(n);
      box.appendChild(n.view.root);
    }
    for (const n of state.nodes.values()) {
      if (n.view && (!shown.has(n.id) || !n.hasDetail)) n.view.root.remove();
    }
    if (summarized.length) {
      if (!overviewBox) overviewBox = el('div', 'overview');
      box.appendChild(overviewBox);
      renderOverview(summarized);
    } else if (overviewBox) {
      overviewBox.remove();
    }
  }

  function renderOverview(list) {
    const frag = document.createDocumentFragment();
    for (const n of list) {
      const t = el('button', 'tile ' + n.status);
      t.type = 'button';
      t.title = n.url;
      t.append(el('div', 't-name', n.name || n.url));
      const s = n.summary || {};
      t.append(el('div', null, (s.gpu_count || 0) + ' GPUs · ' + fmt(s.utilization, 0, '%') + ' util'));
      t.append(el('div', null, fmtMiB(s.memory_used) + ' / ' + fmtMiB(s.memory_total)
        + ' · ' + fmt(s.power_draw, 0, ' W') + ' · ' + fmt(s.temperature_max, 0, ' °C')));
      t.addEventListener('click', () => {
        state.detailIds.add(n.id);
        sendView();
      });
      frag.append(t);
    }
    overviewBox.replaceChildren(frag);
  }

  function renderTotals() {
    const s = state.stats;
    if (!s) return;
    $('t-nodes').parentElement.hidden = state.mode === 'node';
    setText($('t-nodes'), s.online_nodes + ' / ' + s.total_nodes + ' online');
    let gpus = 0;
    let util = 0;
    let utilN = 0;
    let used = 0;
    let total = 0;
    let power = 0;
    let limit = 0;
    for (const n of state.nodes.values()) {
      if (n.status !== 'online') continue;
      const m = n.summary || {};
      gpus += m.gpu_count || 0;
      if (isNum(m.utilization)) {
        util += m.utilization * m.gpu_count;
        utilN += m.gpu_count;
      }
      used += m.memory_used || 0;
      total += m.memory_total || 0;
      power += m.power_draw || 0;
      limit += m.power_limit || 0;
    }
    setText($('t-gpus'), String(gpus));
    setText($('t-util'), utilN ? (util / utilN).toFixed(1) + ' %' : NA);
    setText($('t-mem'), fmtMiB(used) + ' / ' + fmtMiB(total));
    setText($('t-power'), power.toFixed(0) + ' / ' + limit.toFixed(0) + ' W');
  }

  // ------------------------------------------------------------ node views

  function buildNode(node) {
    const root = el('section', 'node');
    root.dataset.node = String(node.id);
    const head = el('header', 'node-head');
    const title = el('h2');
    const badge = el('span', 'badge');
    const url = el('span', 'url');
    const reason = el('span', 'reason');
    const seen = el('span', 'seen');
    const totals = el('div', 'node-totals');
    const host = el('div', 'host');
    head.append(title, badge, url, reason, seen, totals, host);
    const gpus = el('div', 'gpus');
    const charts = el('div', 'charts');
    const procs = el('details', 'procs');
    const procSummary = el('summary', null, 'Processes');
    procs.append(procSummary);
    procs.addEventListener('toggle', () => markDirty(node));
    root.append(head, gpus, charts, procs);
    const view = {
      root, title, badge, url, reason, seen, totals, host, gpus, charts, procs, procSummary,
      cards: new Map(), chartSet: null, chartsDue: 0, visible: true, procSort: { key: 'memory', dir: -1 },
    };
    observer.observe(root);
    return view;
  }

  const observer = new IntersectionObserver((entries) => {
    for (const e of entries) {
      const id = Number(e.target.dataset.node);
      const node = state.nodes.get(id);
      if (node && node.view) {
        node.view.visible = e.isIntersecting;
        if (e.isIntersecting) markDirty(node);
      }
    }
  }, { rootMargin: '200px' });

  function renderNode(node) {
    const v = node.view;
    if (!v) {
      if (!node.hasDetail) layoutDirty = true;
      return;
    }
    setText(v.title, node.name || node.url);
    v.title.title = node.url;
    const noGpus = node.status === 'online' && node.hasDetail && !Object.keys(node.gpus).length;
    setText(v.badge, noGpus ? 'no GPUs' : node.status);
    setClass(v.badge, 'badge ' + (noGpus ? 'warn' : node.status));
    setClass(v.root, 'node ' + node.status);
    setText(v.url, node.url);
    setText(v.reason, node.status === 'online' ? (node.nodeError || '') : node.reason || '');
    v.reason.classList.toggle('problem', !!node.nodeError);
    updateSeen(node);
    renderNodeTotals(node);
    renderHost(node);
    if (!v.visible) return;
    renderCards(node);
    if (v.procs.open) renderProcesses(node);
    setText(v.procSummary, 'Processes (' + node.processes.length + ')');
    Charts.node(node);
  }

  function updateSeen(node) {
    setText(node.view.seen, 'updated ' + fmtAgo(node.lastUpdateMs));
  }

  function renderNodeTotals(node) {
    const s = node.summary || {};
    const parts = [
      ['GPUs', String(s.gpu_count ?? Object.keys(node.gpus).length)],
      ['util', fmt(s.utilization, 0, '%')],
      ['VRAM', fmtMiB(s.memory_used) + ' / ' + fmtMiB(s.memory_total)],
      ['power', fmt(s.power_draw, 0) + ' / ' + fmt(s.power_limit, 0, ' W')],
    ];
    fillPairs(node.view.totals, parts);
  }

  function renderHost(node) {
    const s = node.system;
    const parts = [
      ['CPU', fmt(s.cpu_percent, 0, '%') + (isNum(s.cpu_count) ? ' of ' + s.cpu_count : '')],
      ['RAM', isNum(s.memory_used_gb) && isNum(s.memory_total_gb)
        ? s.memory_used_gb.toFixed(0) + ' / ' + s.memory_total_gb.toFixed(0) + ' GB'
        : fmt(s.memory_percent, 0, '%')],
      ['load', isNum(s.load_avg_1) ? s.load_avg_1.toFixed(1) : NA],
      ['net ↓', fmtRate(node.rates.net_bytes_recv)],
      ['disk r', fmtRate(node.rates.disk_read_bytes)],
    ];
    fillPairs(node.view.host, parts);
  }

  function fillPairs(box, parts) {
    if (box.childElementCount !== parts.length) {
      box.replaceChildren();
      for (const [label] of parts) {
        const span = el('span', null, label + ' ');
        span.append(el('b'));
        box.append(span);
      }
    }
    parts.forEach(([, value], i) => setText(box.children[i].lastChild, value));
  }

  function gpuIds(node) {
    return Object.keys(node.gpus).sort((a, b) => (+a - +b) || a.localeCompare(b));
  }

  function renderCards(node) {
    const v = node.view;
    const ids = gpuIds(node);
    for (const [gid, card] of v.cards) {
      if (!node.gpus[gid]) {
        card.root.remove();
        v.cards.delete(gid);
      }
    }
    ids.forEach((gid, i) => {
      let card = v.cards.get(gid);
      if (!card) {
        card = buildCard(node, gid);
        v.cards.set(gid, card);
      }
      if (v.gpus.children[i] !== card.root) v.gpus.insertBefore(card.root, v.gpus.children[i] || null);
      updateCard(card, node.gpus[gid], node);
    });
  }

  function buildCard(node, gid) {
    const root = el('button', 'gpu');
    root.type = 'button';
    root.dataset.gpu = gid;
    root.dataset.gpuCard = node.id + ':' + gid;
    const top = el('div', 'gpu-top');
    const name = el('span', 'gpu-name');
    const idx = el('span', 'gpu-idx', 'GPU ' + gid);
    top.append(name, idx);
    const util = el('div', 'gpu-util');
    const big = el('span', 'big');
    big.dataset.field = 'utilization';
    const unit = el('span', 'unit', '%');
    const pstate = el('span', 'pstate');
    pstate.dataset.field = 'performance_state';
    util.append(big, unit, pstate);
    const utilBar = el('div', 'bar');
    utilBar.append(el('i'));
    const kv = el('dl', 'kv');
    const fields = {};
    const memBar = el('div', 'bar mem-bar');
    memBar.append(el('i'));
    for (const [key, label] of [
      ['memory', 'Memory'], ['temperature', 'Temp'], ['power', 'Power'],
      ['fan', 'Fan'], ['clocks', 'Clocks'],
    ]) {
      const dd = el('dd');
      dd.dataset.field = key;
      kv.append(el('dt', null, label), dd);
      if (key === 'memory') kv.append(memBar);
      fields[key] = dd;
    }
    const throttle = el('div', 'throttle');
    throttle.dataset.field = 'throttle_reasons';
    const line = el('div', 'line');
    root.append(top, util, utilBar, kv, line, throttle);
    root.addEventListener('click', () => Detail.open(node.id, gid));
    return { root, name, idx, big, pstate, utilBar, memBar, fields, throttle, line, cls: '' };
  }

  function updateCard(card, g, node) {
    setText(card.name, g.name || 'GPU ' + card.root.dataset.gpu);
    if (card.name.title !== (g.uuid || '')) card.name.title = g.uuid || '';
    const util = num(g.utilization);
    setText(card.big, util === null ? NA : util.toFixed(0));
    setText(card.pstate, g.performance_state || '');
    const memPct = pct(g.memory_used, g.memory_total);
    const powerPct = pct(g.power_draw, g.power_limit);
    const temp = num(g.temperature);
    const lu = level('utilization', util);
    const lm = level('memory', memPct);
    const lt = level('temperature', temp);
    const lp = level('power', powerPct);
    bar(card.utilBar, util, lu ? 'warn' : '');
    bar(card.memBar, memPct, lm, 'bar mem-bar');
    const f = card.fields;
    setText(f.memory, num(g.memory_used) === null ? NA : fmtMemPair(g.memory_used, g.memory_total));
    setClass(f.memory, lm);
    setText(f.temperature, fmt(temp, 0, ' °C'));
    setClass(f.temperature, lt);
    setText(f.power, num(g.power_draw) === null ? NA
      : fmt(g.power_draw, 0) + (num(g.power_limit) === null ? ' W' : ' / ' + fmt(g.power_limit, 0, ' W')));
    setClass(f.power, lp);
    setText(f.fan, fmt(g.fan_speed, 0, ' %'));
    setClass(f.fan, num(g.fan_speed) === null ? 'na' : '');
    setText(f.clocks, num(g.clock_graphics) === null ? NA
      : fmt(g.clock_graphics) + (num(g.clock_memory) === null ? '' : ' · mem ' + fmt(g.clock_memory)) + ' MHz');
    f.clocks.title = 'graphics ' + fmt(g.clock_graphics) + ', SM ' + fmt(g.clock_sm)
      + ', memory ' + fmt(g.clock_memory) + ' MHz';
    const t = g.throttle_reasons;
    setText(card.throttle, t && t !== 'None' ? 'Throttled: ' + t : '');
    setText(card.line, fmt(temp, 0, ' °C') + ' · ' + fmt(g.power_draw, 0, ' W') + ' · '
      + fmtMemPair(g.memory_used, g.memory_total));
    const label = (node.name || node.url) + ', GPU ' + card.root.dataset.gpu + ': ' + (g.name || '');
    if (card.root.title !== label) card.root.title = label;
    const cls = 'gpu ' + worst(lu === 'crit' ? 'warn' : '', lm, lt, lp)
      + (Events.hot(node.id, card.root.dataset.gpu) ? ' event' : '');
    setClass(card.root, cls.trim());
  }

  function bar(box, value, lvl, base = 'bar') {
    const w = value === null ? '0%' : Math.max(0, Math.min(100, value)).toFixed(1) + '%';
    const i = box.firstChild;
    if (i.style.width !== w) i.style.width = w;
    setClass(box, lvl ? base + ' ' + lvl : base);
  }

  function renderProcesses(node) {
    const v = node.view;
    let table = v.procs.querySelector('table');
    if (!table) {
      table = el('table');
      const head = el('tr');
      for (const [key, label, numeric] of [
        ['pid', 'PID', true], ['name', 'Process', false], ['gpu_id', 'GPU', true], ['memory', 'GPU memory', true],
      ]) {
        const th = el('th', numeric ? 'num' : null);
        const b = el('button', null, label);
        b.type = 'button';
        b.addEventListener('click', () => {
          v.procSort = { key, dir: v.procSort.key === key ? -v.procSort.dir : 1 };
          renderProcesses(node);
        });
        th.append(b);
        head.append(th);
      }
      const thead = el('thead');
      thead.append(head);
      table.append(thead, el('tbody'));
      v.procs.append(table);
    }
    const { key, dir } = v.procSort;
    const rows = node.processes.slice().sort((a, b) => {
      const x = a[key];
      const y = b[key];
      const nx = num(x);
      const ny = num(y);
      if (nx !== null && ny !== null) return (nx - ny) * dir;
      return String(x ?? '').localeCompare(String(y ?? '')) * dir;
    });
    const body = el('tbody');
    for (const p of rows) {
      const tr = el('tr');
      tr.append(el('td', 'num', String(p.pid ?? '')));
      tr.append(el('td', 'proc-name', String(p.name ?? '')));
      tr.append(el('td', 'num', String(p.gpu_id ?? '')));
      tr.append(el('td', 'num', fmtMiB(p.memory)));
      body.append(tr);
    }
    table.tBodies[0].replaceWith(body);
  }

  // ----------------------------------------------------------------- charts

  const PALETTE = ['#ff7a1a', '#3b82f6', '#3ecf8e', '#e879f9', '#facc15', '#22d3ee', '#f87171', '#a3e635'];
  const NODE_CHARTS = [
    { key: 'util', title: 'Utilization %', range: [0, 100] },
    { key: 'temp', title: 'Temperature °C' },
    { key: 'mem', title: 'Memory used %', range: [0, 100] },
    { key: 'power', title: 'Power W' },
  ];

  const Charts = {
    enabled: true,
    rangeS: 300,

    colors() {
      const cs = getComputedStyle(document.documentElement);
      return { text: cs.getPropertyValue('--muted').trim(), grid: cs.getPropertyValue('--line').trim() };
    },

    options(title, width, series, range, height = 120) {
      const c = this.colors();
      const axis = { stroke: c.text, grid: { stroke: c.grid, width: 1 }, ticks: { stroke: c.grid }, font: '11px system-ui', size: 50 };
      return {
        width, height,
        legend: { show: false },
        cursor: { points: { size: 5 } },
        scales: { x: { time: true }, y: range ? { range: () => range } : { auto: true } },
        axes: [Object.assign({}, axis, { size: 24, space: 90 }), axis],
        series: [{}].concat(series),
      };
    },

    node(node) {
      const v = node.view;
      if (!this.enabled || !window.uPlot) return;
      const now = performance.now();
      if (now < v.chartsDue) return;
      v.chartsDue = now + 1000;
      const ids = gpuIds(node);
      const key = ids.join(',');
      if (!v.chartSet || v.chartSet.key !== key) this.buildNode(node, ids, key);
      const h = node.hist;
      for (const c of v.chartSet.charts) {
        const data = [h.t];
        for (const gid of ids) data.push(h.gpus[gid] ? h.gpus[gid][c.key] : []);
        c.plot.setData(data, false);
        this.window(c.plot, h.t);
      }
    },

    window(plot, t) {
      const max = t.length ? t[t.length - 1] : Date.now() / 1000;
      plot.setScale('x', { min: max - this.rangeS, max });
    },

    buildNode(node, ids, key) {
      const v = node.view;
      if (v.chartSet) v.chartSet.charts.forEach((c) => c.plot.destroy());
      v.charts.replaceChildren();
      const charts = NODE_CHARTS.map((spec) => {
        const box = el('div', 'chart');
        box.append(el('h3', null, spec.title));
        v.charts.append(box);
        const width = chartWidth(box);
        const series = ids.map((gid, i) => ({ label: 'GPU ' + gid, stroke: PALETTE[i % PALETTE.length], width: 1.5, spanGaps: false }));
        const plot = new uPlot(this.options(spec.title, width, series, spec.range), [[]].concat(ids.map(() => [])), box);
        return { key: spec.key, plot, box };
      });
      const legend = el('div', 'legend');
      ids.forEach((gid, i) => {
        const item = el('span', 'item', 'GPU ' + gid);
        const sw = el('i', 'swatch');
        sw.style.background = PALETTE[i % PALETTE.length];
        item.prepend(sw);
        legend.append(item);
      });
      v.charts.append(legend);
      v.chartSet = { key, charts };
    },

    resizeAll() {
      for (const n of state.nodes.values()) {
        const set = n.view && n.view.chartSet;
        if (!set) continue;
        set.charts.forEach((c) => c.plot.setSize({ width: chartWidth(c.box), height: 120 }));
      }
      Detail.resize();
    },

    rebuildAll() {
      for (const n of state.nodes.values()) {
        if (n.view && n.view.chartSet) {
          n.view.chartSet.charts.forEach((c) => c.plot.destroy());
          n.view.chartSet = null;
          n.view.chartsDue = 0;
        }
      }
      markAll();
    },
  };

  /** The drawing width that fits a chart box; the box must already be in the page. */
  function chartWidth(box) {
    return Math.max(200, (box.clientWidth || 300) - 14);
  }

  let resizeTimer = 0;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => Charts.resizeAll(), 150);
  });

  // ---------------------------------------------------------------- history

  /** Fills chart history from the server after a (re)connect, so a reload shows charts at once. */
  const History = {
    pending: 0,
    available: true,

    fill() {
      if (!this.available) return;
      const ids = Array.from(state.nodes.values()).filter((n) => n.hasDetail).map((n) => n.id);
      if (!ids.length) return;
      const ticket = ++this.pending;
      const node = ids.length === state.nodes.size ? 'all' : null;
      const urls = node ? ['/api/history?node=all&range=' + Charts.rangeS
        + '&metrics=util,temp,mem,power,fan,clock']
        : ids.map((id) => '/api/history?node=' + id + '&range=' + Charts.rangeS
          + '&metrics=util,temp,mem,power,fan,clock');
      for (const url of urls) {
        fetch(url, { cache: 'no-store' })
          .then((r) => {
            if (r.status === 404) this.available = false;
            return r.ok ? r.json() : null;
          })
          .then((body) => {
            if (!body || ticket !== this.pending) return;
            for (const [id, server] of Object.entries(body.nodes)) {
              const n = state.nodes.get(Number(id));
              if (n) {
                mergeHistory(n, server);
                markDirty(n);
              }
            }
            window.gpuHotHistoryLoaded = (window.gpuHotHistoryLoaded || 0) + 1;
          })
          .catch(() => {});
      }
    },
  };
  setInterval(() => {
    if (Charts.rangeS > RAW_KEEP_S && connState === 'live') History.fill();
  }, 60000);

  // ----------------------------------------------------------------- events

  /** The event panel, and which GPUs have an ongoing condition to highlight. */
  const Events = {
    seen: new Set(),
    list: [],
    active: new Map(),

    key(e) {
      return e.node_id + '/' + (e.gpu ?? '') + '/' + e.kind;
    },

    hot(nodeId, gpu) {
      for (const e of this.active.values()) {
        if (e.node_id === nodeId && e.gpu === gpu && e.severity !== 'info') return true;
      }
      return false;
    },

    add(events) {
      if (!events || !events.length) return;
      let fresh = false;
      for (const e of events) {
        if (this.seen.has(e.id)) continue;
        this.seen.add(e.id);
        this.list.push(e);
        fresh = true;
        if (e.active) this.active.set(this.key(e), e);
        else this.active.delete(this.key(e));
        const node = state.nodes.get(e.node_id);
        if (node) markDirty(node);
      }
      if (this.list.length > 300) this.list.splice(0, this.list.length - 300);
      if (fresh) this.render();
    },

    render() {
      const panel = $('events-panel');
      panel.hidden = this.list.length === 0;
      const ol = $('events');
      const frag = document.createDocumentFragment();
      for (const e of this.list.slice(-100).reverse()) {
        const li = el('li', e.severity);
        li.dataset.event = e.kind;
        const time = el('time', null, new Date(e.time_ms).toLocaleTimeString());
        time.dateTime = e.time;
        li.append(time, el('span', 'kind', e.severity), el('span', 'where',
          e.node + (e.gpu === null || e.gpu === undefined ? '' : ' · GPU ' + e.gpu)),
        el('span', 'msg', e.message));
        frag.append(li);
      }
      ol.replaceChildren(frag);
    },
  };

  // ------------------------------------------------------------ detail view

  const DETAIL_CHARTS = [
    { title: 'Utilization %', range: [0, 100], series: [['util', 'GPU'], ['memUtil', 'memory controller']] },
    { title: 'Temperature °C', series: [['temp', 'GPU']] },
    { title: 'Memory used %', range: [0, 100], series: [['mem', 'used']] },
    { title: 'Power W', series: [['power', 'draw']] },
    { title: 'Fan %', range: [0, 100], series: [['fan', 'fan']] },
    { title: 'Clocks MHz', series: [['clock', 'graphics'], ['clockSm', 'SM'], ['clockMem', 'memory']] },
    { title: 'Efficiency % per W', series: [['eff', 'utilization / power']] },
    { title: 'PCIe MB/s', series: [['pcieRx', 'RX'], ['pcieTx', 'TX']] },
    { title: 'Encoder / decoder %', range: [0, 100], series: [['enc', 'encoder'], ['dec', 'decoder']] },
  ];

  const Detail = {
    nodeId: null,
    gpuId: null,
    plots: [],
    timer: 0,

    open(nodeId, gpuId) {
      const again = this.nodeId === nodeId;
      this.nodeId = nodeId;
      this.gpuId = gpuId;
      if (!again) sendView();
      $('detail').hidden = false;
      this.plots.forEach((p) => p.plot.destroy());
      this.plots = [];
      this.chartKey = '';
      this.render(true);
      $('detail-close').focus();
      clearInterval(this.timer);
      this.timer = setInterval(() => this.render(false), 1000);
    },

    close() {
      $('detail').hidden = true;
      clearInterval(this.timer);
      const node = state.nodes.get(this.nodeId);
      const card = node && node.view && node.view.cards.get(this.gpuId);
      this.nodeId = null;
      sendView();
      this.plots.forEach((p) => p.plot.destroy());
      this.plots = [];
      if (card) card.root.focus();
    },

    render(first) {
      const node = state.nodes.get(this.nodeId);
      const g = node && node.gpus[this.gpuId];
      const body = $('detail-body');
      if (!g) {
        body.replaceChildren(el('p', 'empty', 'This GPU is not reported any more.'));
        return;
      }
      setText($('detail-title'), (node.name || node.url) + ' · GPU ' + this.gpuId + ' · ' + (g.name || ''));
      if (first) {
        body.replaceChildren();
        this.hero = el('div', 'hero');
        this.specs = el('dl', 'specs');
        this.specs.setAttribute('aria-label', 'GPU details');
        this.host = el('dl', 'specs host-specs');
        this.host.setAttribute('aria-label', 'Host');
        this.chartBox = el('div', 'detail-charts');
        body.append(this.hero, this.specs, el('h3', 'section', 'Host ' + (node.name || '')), this.host,
          el('h3', 'section', 'Charts'), this.chartBox);
      }
      this.fillHero(g);
      fillSpecs(this.specs, gpuRows(g));
      fillSpecs(this.host, hostRows(node));
      this.charts(node);
    },

    fillHero(g) {
      const memPct = pct(g.memory_used, g.memory_total);
      const powerPct = pct(g.power_draw, g.power_limit);
      const figs = [
        ['Utilization', fmt(g.utilization, 0, ' %'), 'memory controller ' + fmt(g.memory_utilization, 0, ' %'),
          num(g.utilization), level('utilization', num(g.utilization))],
        ['Temperature', fmt(g.temperature, 0, ' °C'), 'slowdown at ' + fmt(g.temperature_slowdown, 0, ' °C'),
          num(g.temperature), level('temperature', num(g.temperature))],
        ['Memory', fmtMiB(g.memory_used), 'of ' + fmtMiB(g.memory_total), memPct, level('memory', memPct)],
        ['Power', fmt(g.power_draw, 1, ' W'), 'of ' + fmt(g.power_limit, 0, ' W'), powerPct, level('power', powerPct)],
        ['Fan', fmt(g.fan_speed, 0, ' %'), '', num(g.fan_speed), ''],
        ['P-state', g.performance_state || NA,
          g.throttle_reasons && g.throttle_reasons !== 'None' ? 'throttled: ' + g.throttle_reasons : 'not throttled',
          null, g.throttle_reasons && g.throttle_reasons !== 'None' ? 'warn' : ''],
      ];
      if (this.hero.childElementCount !== figs.length) {
        this.hero.replaceChildren();
        for (const [label] of figs) {
          const f = el('div', 'fig');
          const b = el('div', 'bar');
          b.append(el('i'));
          f.append(el('div', 'label', label), el('div', 'value'), b, el('div', 'sub'));
          this.hero.append(f);
        }
      }
      figs.forEach(([, value, sub, barValue, lvl], i) => {
        const f = this.hero.children[i];
        setText(f.children[1], value);
        setClass(f.children[1], value === NA ? 'value na' : 'value ' + lvl);
        f.children[2].hidden = barValue === null;
        if (barValue !== null) bar(f.children[2], barValue, lvl);
        setText(f.children[3], sub);
      });
    },

    charts(node) {
      if (!window.uPlot) return;
      const s = node.hist.gpus[this.gpuId];
      if (!s) return;
      const specs = DETAIL_CHARTS.map((spec) => ({
        spec, series: spec.series.filter(([k]) => s[k] && s[k].filter((x) => x !== null).length >= 2),
      })).filter((c) => c.series.length);
      const key = specs.map((c) => c.spec.title + ':' + c.series.length).join('|');
      if (key !== this.chartKey) {
        this.chartKey = key;
        this.plots.forEach((p) => p.plot.destroy());
        this.plots = [];
        this.chartBox.replaceChildren();
        for (const { spec, series } of specs) {
          const box = el('div', 'chart');
          box.dataset.chart = spec.title;
          box.append(el('h3', null, spec.title));
          const stat = el('div', 'stat-line');
          box.append(stat);
          this.chartBox.append(box);
          const width = chartWidth(box);
          const lines = series.map(([, label], i) => ({ label, stroke: PALETTE[i], width: 1.5 }));
          const plot = new uPlot(Charts.options(spec.title, width, lines, spec.range, 160),
            [[]].concat(series.map(() => [])), box);
          this.plots.push({ series, plot, stat, box });
        }
      }
      const t = node.hist.t;
      for (const p of this.plots) {
        p.plot.setData([t].concat(p.series.map(([k]) => s[k])), false);
        Charts.window(p.plot, t);
        setText(p.stat, p.series.map(([k, label]) => (p.series.length > 1 ? label + ': ' : '')
          + stats(s[k], t, Charts.rangeS)).join('  |  '));
      }
    },

    resize() {
      if ($('detail').hidden) return;
      this.plots.forEach((p) => p.plot.setSize({ width: chartWidth(p.box), height: 160 }));
    },
  };

  function gpuRows(g) {
    const energy = num(g.energy_consumption_wh);
    return [
      ['UUID', g.uuid], ['Index', g.index], ['Driver', g.driver_version], ['VBIOS', g.vbios_version],
      ['Brand', g.brand], ['Architecture', g.architecture], ['Compute capability', g.cuda_compute_capability],
      ['Serial', g.serial], ['PCI bus', g.pci_bus_id],
      ['Memory controller', fmt(g.memory_utilization, 0, ' %')],
      ['Graphics clock', fmtClock(g.clock_graphics, g.clock_graphics_max)],
      ['SM clock', fmtClock(g.clock_sm, g.clock_sm_max)],
      ['Memory clock', fmtClock(g.clock_memory, g.clock_memory_max)],
      ['Video clock', fmtClock(g.clock_video, g.clock_video_max)],
      ['PCIe link', num(g.pcie_gen) === null ? NA : 'Gen ' + g.pcie_gen + ' x' + (g.pcie_width ?? '?')
        + ' (max Gen ' + (g.pcie_gen_max ?? '?') + ' x' + (g.pcie_width_max ?? '?') + ')'],
      ['PCIe RX / TX', num(g.pcie_rx_throughput) === null ? NA
        : fmtRate(g.pcie_rx_throughput * 1024) + ' / ' + fmtRate(g.pcie_tx_throughput * 1024)],
      ['Free memory', fmtMiB(g.memory_free)],
      ['BAR1', num(g.bar1_memory_used) === null ? NA : fmtMiB(g.bar1_memory_used) + ' / ' + fmtMiB(g.bar1_memory_total)],
      ['Encoder', num(g.encoder_utilization) === null ? NA
        : fmt(g.encoder_utilization, 0, ' %') + (num(g.encoder_sessions) === null ? '' : ', ' + g.encoder_sessions + ' sessions')],
      ['Decoder', num(g.decoder_utilization) === null ? NA
        : fmt(g.decoder_utilization, 0, ' %') + (num(g.decoder_sessions) === null ? '' : ', ' + g.decoder_sessions + ' sessions')],
      ['Energy since driver load', energy === null ? NA
        : energy >= 1000 ? (energy / 1000).toFixed(1) + ' kWh' : energy.toFixed(0) + ' Wh'],
      ['Throttle status', !g.throttle_reasons ? undefined : g.throttle_reasons === 'None' ? 'not throttled' : g.throttle_reasons],
      ['Compute mode', g.compute_mode], ['Persistence mode', g.persistence_mode],
      ['ECC', g.ecc_enabled === undefined ? undefined : (g.ecc_enabled ? 'enabled' : 'disabled')],
      ['Processes', num(g.compute_processes_count) === null && num(g.graphics_processes_count) === null ? NA
        : 'compute ' + fmt(g.compute_processes_count) + ', graphics ' + fmt(g.graphics_processes_count)],
      ['MIG', g.mig_mode_current], ['Source', g._fallback_mode ? 'nvidia-smi' : 'NVML'],
      ['Error', g.error],
    ].filter(([label, v]) => label !== 'Error' || v);
  }

  function hostRows(node) {
    const s = node.system;
    const r = node.rates;
    return [
      ['CPU', fmt(s.cpu_percent, 1, ' %') + (isNum(s.cpu_count) ? ' of ' + s.cpu_count + ' CPUs' : '')],
      ['CPU frequency', fmt(s.cpu_freq_current, 0, ' MHz')],
      ['RAM', isNum(s.memory_used_gb) ? s.memory_used_gb.toFixed(1) + ' / ' + fmt(s.memory_total_gb, 1, ' GB')
        + ' (' + fmt(s.memory_percent, 0, ' %') + ')' : fmt(s.memory_percent, 0, ' %')],
      ['Swap', fmt(s.swap_percent, 1, ' %')],
      ['Load 1 / 5 / 15 min', isNum(s.load_avg_1) ? s.load_avg_1.toFixed(2) + ' / ' + fmt(s.load_avg_5, 2)
        + ' / ' + fmt(s.load_avg_15, 2) : NA],
      ['Network RX / TX', r.net_bytes_recv === undefined ? NA : fmtRate(r.net_bytes_recv) + ' / ' + fmtRate(r.net_bytes_sent)],
      ['Disk read / write', r.disk_read_bytes === undefined ? NA : fmtRate(r.disk_read_bytes) + ' / ' + fmtRate(r.disk_write_bytes)],
    ];
  }

  function fillSpecs(box, rows) {
    if (box.childElementCount !== rows.length || box.dataset.labels !== rows.map((r) => r[0]).join()) {
      box.replaceChildren();
      box.dataset.labels = rows.map((r) => r[0]).join();
      for (const [label] of rows) {
        const d = el('div');
        d.append(el('dt', null, label), el('dd'));
        box.append(d);
      }
    }
    rows.forEach(([, value], i) => {
      const dd = box.children[i].lastChild;
      const text = value === undefined || value === null || value === '' ? NA : String(value);
      setText(dd, text);
      setClass(dd, text === NA ? 'na' : '');
    });
  }

  function fmtClock(cur, max) {
    if (num(cur) === null) return NA;
    return fmt(cur) + (num(max) === null ? '' : ' / ' + fmt(max)) + ' MHz';
  }

  /** Current, minimum, maximum and mean over the chart window; missing values are skipped. */
  function stats(values, t, rangeS) {
    const end = t.length ? t[t.length - 1] : 0;
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    let n = 0;
    let cur = null;
    for (let i = values.length - 1; i >= 0; i--) {
      if (t[i] < end - rangeS) break;
      const x = values[i];
      if (x === null || !isFinite(x)) continue;
      if (cur === null) cur = x;
      if (x < min) min = x;
      if (x > max) max = x;
      sum += x;
      n++;
    }
    if (!n) return 'no data';
    const f = (x) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(1));
    return 'now ' + f(cur) + ' · min ' + f(min) + ' · max ' + f(max) + ' · avg ' + f(sum / n);
  }

  $('detail-close').addEventListener('click', () => Detail.close());
  $('detail').addEventListener('click', (e) => {
    if (e.target === $('detail')) Detail.close();
  });
  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape') return;
    if (!$('detail').hidden) Detail.close();
    if (!$('settings').hidden) Settings.close();
  });

  // --------------------------------------------------------------- settings

  const Settings = {
    open() {
      const box = $('settings-fields');
      box.replaceChildren(el('span'), el('strong', null, 'Warning'), el('strong', null, 'Critical'));
      for (const [key, t] of Object.entries(thresholds)) {
        box.append(el('label', null, t.label));
        for (const which of ['warn', 'crit']) {
          const input = el('input');
          input.type = 'number';
          input.step = 'any';
          input.name = key + '.' + which;
          input.value = String(t[which]);
          input.setAttribute('aria-label', t.label + ' ' + (which === 'warn' ? 'warning' : 'critical'));
          box.append(input);
        }
      }
      $('settings').hidden = false;
      box.querySelector('input').focus();
    },

    close() {
      $('settings').hidden = true;
      $('open-settings').focus();
    },

    save() {
      const saved = {};
      for (const input of $('settings-fields').querySelectorAll('input')) {
        const [key, which] = input.name.split('.');
        const v = parseFloat(input.value);
        if (!isFinite(v)) continue;
        saved[key] = saved[key] || {};
        saved[key][which] = v;
      }
      localStorage.setItem(THRESHOLD_KEY, JSON.stringify(saved));
      thresholds = loadThresholds();
      markAll();
    },
  };

  $('open-settings').addEventListener('click', () => Settings.open());
  $('settings-close').addEventListener('click', () => Settings.close());
  $('settings-form').addEventListener('submit', (e) => {
    e.preventDefault();
    Settings.save();
    Settings.close();
  });
  $('settings-reset').addEventListener('click', () => {
    localStorage.removeItem(THRESHOLD_KEY);
    thresholds = loadThresholds();
    Settings.open();
    markAll();
  });

  // --------------------------------------------------------------- controls

  const THEME_KEY = 'gpuhot.theme';
  function applyTheme(theme) {
    document.documentElement.dataset.theme = theme;
    Charts.rebuildAll();
  }
  const savedTheme = localStorage.getItem(THEME_KEY)
    || (window.matchMedia && matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark');
  document.documentElement.dataset.theme = savedTheme;
  $('toggle-theme').addEventListener('click', () => {
    const next = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
    localStorage.setItem(THEME_KEY, next);
    applyTheme(next);
  });
  $('toggle-charts').addEventListener('click', (e) => {
    Charts.enabled = !Charts.enabled;
    e.currentTarget.setAttribute('aria-pressed', String(Charts.enabled));
    document.body.classList.toggle('no-charts', !Charts.enabled);
    if (Charts.enabled) Charts.rebuildAll();
  });
  const COMPACT_KEY = 'gpuhot.compact';
  function setCompact(on) {
    document.body.classList.toggle('compact', on);
    $('toggle-compact').setAttribute('aria-pressed', String(on));
  }
  setCompact(localStorage.getItem(COMPACT_KEY) === '1');
  $('toggle-compact').addEventListener('click', () => {
    const on = !document.body.classList.contains('compact');
    localStorage.setItem(COMPACT_KEY, on ? '1' : '0');
    setCompact(on);
    Charts.resizeAll();
  });
  $('filter').addEventListener('input', () => {
    layoutDirty = true;
    markAll();
  });
  $('sort').addEventListener('change', () => {
    layoutDirty = true;
    markAll();
  });
  $('range').addEventListener('change', (e) => {
    Charts.rangeS = Number(e.target.value);
    History.fill();
    for (const n of state.nodes.values()) if (n.view) n.view.chartsDue = 0;
    markAll();
    if (!$('detail').hidden) Detail.render(false);
  });
  setInterval(() => {
    if ($('sort').value !== 'name') {
      layoutDirty = true;
      markAll();
    }
  }, 3000);

  window.gpuHot = { state, thresholds: () => thresholds };
  Conn.open();
})();
