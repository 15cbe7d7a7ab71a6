// nvmesh dashboard: one page, read-only. Data comes from this instance's API with a read token; live changes come
// from the event stream (GET /v1/events, Server-Sent Events read with fetch so the token travels in a header),
// subscribed only to the topics on screen. No request leaves this origin (the server's CSP says so too).
'use strict';

(function () {
  const TOKEN_KEY = 'nvmesh.token';
  const PAGE_SIZE = 50;
  const SAFETY_REFRESH_MS = 30000; // events do the work; this only repairs a missed one
  const PERF_REFRESH_MS = 2000;
  const BANNER_TARGETS = 10; // named in the banner; the rest are a link to "problems only"
  const BAD_VOLUME = ['failed', 'blocked', 'lost'];
  const WARN_VOLUME = ['degraded', 'rebuilding'];

  const $ = (id) => document.getElementById(id);
  const state = {
    token: sessionStorage.getItem(TOKEN_KEY) || '',
    route: { view: 'overview', arg: '' },
    cluster: null, capacity: null, volumes: null, problems: null, capacityHistory: null, capacityChart: null,
    page: null, query: { q: '', problems: false, sort: 'id', offset: 0 },
    target: null, volume: null,
    charts: [], timers: [], stream: null, topics: '',
  };

  // ---- small helpers -------------------------------------------------------------------------------------------

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = v;
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  function svg(tag, attrs, ...children) {
    const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'text') el.textContent = v; else el.setAttribute(k, String(v));
    }
    children.flat().forEach((c) => c && el.append(c));
    return el;
  }

  function bytes(n) {
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
    let i = 0; let v = Number(n) || 0;
    while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
    return (i === 0 ? v.toFixed(0) : v.toFixed(v >= 100 ? 0 : 1)) + ' ' + units[i];
  }

  function pct(part, whole) { return whole > 0 ? Math.min(100, (100 * part) / whole) : 0; }

  function fill(el, children) { el.replaceChildren(...children); }

  /** A number shown to people, with its exact value kept for machines (the end-to-end test reads data-value). */
  function num(key, value, text) {
    return h('span', { class: 'num', 'data-key': key, 'data-value': value }, text === undefined ? String(value) : text);
  }

  function showError(msg) { $('error').textContent = msg || ''; }

  async function api(path) {
    const r = await fetch(path, { headers: { Authorization: 'Bearer ' + state.token }, cache: 'no-store' });
    if (r.status === 401) { signOut('That token is not valid here.'); throw new Error('unauthorized'); }
    const body = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(body.detail || (path + ': HTTP ' + r.status));
    return body;
  }

  // ---- sign-in ----------------------------------------------------------------------------------------------------

  async function signIn(token) {
    state.token = token;
    try {
      const c = await api('/v1/cluster');
      sessionStorage.setItem(TOKEN_KEY, token);
      state.cluster = c;
      $('signin').hidden = true; $('app').hidden = false; $('nav').hidden = false; $('signout').hidden = false;
      $('instance').textContent = 'instance ' + c.self;
      route();
    } catch (e) {
      if (e.message !== 'unauthorized') $('signin-error').textContent = e.message;
    }
  }

  function signOut(why) {
    sessionStorage.removeItem(TOKEN_KEY);
    state.token = '';
    stopStream(); clearTimers();
    $('app').hidden = true; $('nav').hidden = true; $('signout').hidden = true; $('signin').hidden = false;
    $('signin-error').textContent = why || '';
    $('instance').textContent = '';
  }

  // ---- routing ----------------------------------------------------------------------------------------------------

  function parseHash() {
    const parts = (location.hash || '#/overview').slice(2).split('/');
    const view = parts[0] || 'overview';
    const arg = decodeURIComponent(parts.slice(1).join('/'));
    if (view === 'targets' && arg) return { view: 'target', arg };
    if (view === 'volumes' && arg) return { view: 'volume', arg };
    return { view: ['overview', 'targets', 'volumes'].includes(view) ? view : 'overview', arg: '' };
  }

  function route() {
    if (!state.token) return;
    state.route = parseHash();
    clearTimers();
    document.querySelectorAll('.view').forEach((v) => { v.hidden = true; });
    $('view-' + state.route.view).hidden = false;
    const tab = { target: 'targets', volume: 'volumes' }[state.route.view] || state.route.view;
    document.querySelectorAll('nav a').forEach((a) => a.classList.toggle('on', a.dataset.tab === tab));
    showError('');
    loadView().catch((e) => showError(e.message));
  }

  async function loadView() {
    const v = state.route.view;
    if (v === 'overview') await loadOverview();
    else {
      loadHealth().catch(() => {});
      if (v === 'targets') await loadTargets();
      else if (v === 'target') await loadTarget(state.route.arg);
      else if (v === 'volumes') await loadVolumes();
      else if (v === 'volume') await loadVolume(state.route.arg);
    }
    subscribe();
    every(SAFETY_REFRESH_MS, () => loadViewQuietly());
  }

  async function loadViewQuietly() {
    const v = state.route.view;
    try {
      if (v === 'overview') await loadOverview();
      else {
        await loadHealth();
        if (v === 'targets') await loadTargets();
        else if (v === 'volumes') await loadVolumes();
      }
      subscribe();
    } catch (e) { showError(e.message); }
  }

  function every(ms, fn) { state.timers.push(setInterval(fn, ms)); }
  function clearTimers() {
    state.timers.forEach(clearInterval); state.timers = [];
    state.charts.forEach((c) => c.destroy()); state.charts = []; state.capacityChart = null;
  }

  // ---- overview ---------------------------------------------------------------------------------------------------

  async function loadOverview() {
    const [cluster, history] = await Promise.all([api('/v1/cluster'), api('/v1/capacity/history'), loadHealth()]);
    state.cluster = cluster; state.capacityHistory = history;
    renderInstances(); renderCapacity(); renderVolumeStatus(); renderCapacityHistory();
  }

  /**
   * What the banner needs, on every view: the counters (drives and targets by health, volumes by status), the
   * volumes (to name the ones affected) and the worst targets (to link to them). The fleet page needs Git; an
   * instance without it still shows the counters' part.
   */
  async function loadHealth() {
    const [capacity, volumes, problems] = await Promise.all([api('/v1/capacity'), api('/v1/volumes').catch(() => null),
      api('/v1/fleet/targets?problems=true&sort=health&limit=' + BANNER_TARGETS).catch(() => null)]);
    state.capacity = capacity; state.volumes = volumes || state.volumes; state.problems = problems;
    renderBanner();
  }

  /** Re-reads the worst targets when the counters say drives or targets changed health (not on every byte). */
  function healthKey(cap) { return JSON.stringify([cap.drives, cap.servers && cap.servers.target]); }

  /** Each instance's share of the nodes: the agents connected to it, as it last said in its heartbeat. */
  function renderInstances() {
    const c = state.cluster; if (!c) return;
    const agents = (m, kind) => ((m.agents || {})[kind]) || 0;
    let nodes = 0;
    c.members.forEach((m) => { if (m.alive) nodes += agents(m, 'targets') + agents(m, 'clients'); });
    fill($('instances'), c.members.map((m) => {
      const mine = m.alive ? agents(m, 'targets') + agents(m, 'clients') : 0;
      return h('tr', { 'data-instance': m.id },
        h('td', {}, m.id + (m.self ? ' (this one)' : '')),
        h('td', { class: 'health ' + (m.alive ? 'healthy' : 'unhealthy') }, m.alive ? 'alive' : 'dead'),
        h('td', {}, num('agents.targets.' + m.id, agents(m, 'targets'))),
        h('td', {}, num('agents.clients.' + m.id, agents(m, 'clients'))),
        h('td', {}, h('div', { class: 'fillbar' }, bar(pct(mine, nodes))), ' ', Math.round(pct(mine, nodes)) + '%'));
    }));
  }

  function bar(percent, cls) { const s = h('span', { class: cls || '' }); s.style.width = percent + '%'; return s; }

  function renderCapacity() {
    const cap = state.capacity; if (!cap) return;
    $('capacity-note').textContent = cap.consistent ? '' : '(replicas still settling)';
    fill($('gauge-cluster'), [gauge('cluster', 'whole cluster', cap.cluster)]);
    // Domains come as label=value (zone=…, rack=…, enclosure=…): one fold per label, the small ones open.
    const byLabel = {};
    Object.entries(cap.domains || {}).forEach(([k, u]) => {
      const label = k.includes('=') ? k.slice(0, k.indexOf('=')) : k;
      (byLabel[label] = byLabel[label] || []).push(gauge('domain.' + k, k.slice(label.length + 1) || k, u));
    });
    fill($('gauge-domains'), Object.entries(byLabel).map(([label, gauges]) => h('details', { open: gauges.length <= 12,
      'data-domain-label': label }, h('summary', {}, label + ' (' + gauges.length + ')'), gauges)));
    fill($('gauge-classes'), Object.entries(cap.driveClasses || {}).map(([k, u]) => gauge('class.' + k, k, u)));
    const servers = [];
    // Targets by overall health (their drives included) from the fleet, when it can be read; the counters count
    // them by their own health only, which calls a target with a failed drive healthy.
    const byKind = Object.assign({}, cap.servers || {});
    if (state.problems && state.problems.overall) byKind.target = state.problems.overall;
    Object.entries(byKind).forEach(([kind, byHealth]) => Object.entries(byHealth).forEach(([health, n]) =>
      servers.push(h('tr', {}, h('td', {}, kind), h('td', { class: 'health ' + health }, health),
        h('td', { class: 'r' }, num('servers.' + kind + '.' + health, n))))));
    fill($('servers'), servers.length ? servers : [h('tr', {}, h('td', { colspan: 3, class: 'muted' }, 'no servers counted yet'))]);
    fill($('drive-health'), Object.entries(cap.drives || {}).map(([health, n]) =>
      h('span', { class: 'chip ' + health }, health, h('b', {}, num('drives.' + health, n)))));
  }

  function gauge(key, label, u) {
    u = u || {};
    const total = u.total || 0;
    const parts = [['allocated', u.data], ['redundant', u.redundant], ['withheld', u.withheld], ['offline', u.offline]];
    return h('div', { class: 'gauge', 'data-gauge': key },
      h('div', { class: 'label' }, h('span', {}, label),
        h('span', {}, 'free ', num(key + '.free', u.free || 0, bytes(u.free)), ' · allocated ',
          num(key + '.allocated', u.allocated || 0, bytes(u.allocated)), ' · redundant ',
          num(key + '.redundant', u.redundant || 0, bytes(u.redundant)), ' of ', num(key + '.total', total, bytes(total)))),
      h('div', { class: 'bar' }, parts.map(([cls, v]) => bar(pct(v || 0, total), cls))));
  }

  function renderVolumeStatus() {
    const v = state.volumes; if (!v) return;
    const by = {};
    v.items.forEach((i) => { by[i.status] = (by[i.status] || 0) + 1; });
    fill($('volume-status'), [h('span', { class: 'chip' }, 'all', h('b', {}, num('volumes.all', v.count)))]
      .concat(Object.keys(by).sort().map((s) => h('span', { class: 'chip ' + s }, s, h('b', {}, num('volumes.' + s, by[s]))))));
  }

  // ---- health banner ----------------------------------------------------------------------------------------------

  /** Shown on every view while anything is degraded or failed, each item a link to what is affected. */
  function renderBanner() {
    const cap = state.capacity || {};
    const items = [];
    let bad = false;
    const drives = cap.drives || {};
    const lostDrives = (drives.failed || 0) + (drives.missing || 0);
    if (lostDrives) {
      bad = bad || drives.failed > 0;
      items.push(h('li', { 'data-banner': 'drives' }, [drives.failed ? drives.failed + ' failed' : '',
        drives.missing ? drives.missing + ' missing' : ''].filter(Boolean).join(', ') + ' drive'
        + (lostDrives === 1 ? '' : 's') + ' — ', h('a', { href: '#/targets', 'data-problems': 'true',
        onclick: showProblems }, 'targets with problems')));
    }
    const p = state.problems;
    const hurt = p ? p.items.filter((t) => t.overallHealth !== 'healthy') : [];
    if (hurt.length) {
      if (hurt.some((t) => t.overallHealth === 'unhealthy')) bad = true;
      const counted = p.overall ? (p.overall.degraded || 0) + (p.overall.unhealthy || 0) : hurt.length;
      items.push(h('li', { 'data-banner': 'targets' }, counted + ' target' + (counted === 1 ? '' : 's') + ' not healthy: ',
        hurt.map((t, i) => [i ? ', ' : '', h('a', { href: '#/targets/' + encodeURIComponent(t.id), 'data-target': t.id },
          t.id), ' (' + overallText(t) + ')']).flat(),
        counted > hurt.length ? ' and ' + (counted - hurt.length) + ' more' : ''));
    } else if (!p) {
      const unhealthy = ((cap.servers || {}).target || {}).unhealthy || 0;
      if (unhealthy) {
        bad = true;
        items.push(h('li', { 'data-banner': 'targets' }, unhealthy + ' target' + (unhealthy === 1 ? '' : 's') + ' unhealthy'));
      }
    }
    const vols = state.volumes ? state.volumes.items.filter((v) => BAD_VOLUME.includes(v.status)
      || WARN_VOLUME.includes(v.status)) : [];
    if (vols.length) {
      if (vols.some((v) => BAD_VOLUME.includes(v.status))) bad = true;
      const shown = vols.slice(0, BANNER_TARGETS);
      items.push(h('li', { 'data-banner': 'volumes' }, vols.length + ' volume' + (vols.length === 1 ? '' : 's') + ' not online: ',
        shown.map((v, i) => [i ? ', ' : '', h('a', { href: '#/volumes/' + encodeURIComponent(v.name), 'data-volume': v.name },
          v.name), ' (' + v.status + ')']).flat(),
        vols.length > shown.length ? ' and ' + (vols.length - shown.length) + ' more' : ''));
    }
    const el = $('banner');
    el.hidden = items.length === 0;
    el.className = 'banner' + (bad ? ' bad' : '');
    fill(el, items.length ? [h('strong', {}, bad ? 'Failed: ' : 'Degraded: '), 'something needs attention',
      h('ul', {}, items)] : []);
  }

  function showProblems() {
    state.query = { q: '', problems: true, sort: 'health', offset: 0 };
    $('problems').checked = true; $('sort').value = 'health'; $('filter').value = '';
    if (state.route.view === 'targets') loadTargetsAndSubscribe(); // the hash does not change: no route()
  }

  // ---- capacity over time -----------------------------------------------------------------------------------------

  /** Free, allocated and redundant bytes: the instance's samples, then one point per capacity event. */
  function renderCapacityHistory() {
    const hist = state.capacityHistory; if (!hist) return;
    const s = hist.series;
    const data = [s.at.map((t) => t / 1000), s.free, s.allocated, s.redundant];
    const el = $('capacity-history');
    el.dataset.points = s.at.length;
    $('capacity-history-note').textContent = s.at.length + ' samples, one per ' + (hist.intervalMillis / 1000)
      + ' s, kept by ' + hist.instance + ' (its last ' + Math.round(hist.capacity * hist.intervalMillis / 60000)
      + ' minutes), then live';
    if (typeof uPlot === 'undefined') { $('capacity-history-note').textContent += ' (chart unavailable: uPlot did not load)'; return; }
    if (state.capacityChart && el.contains(state.capacityChart.root)) { state.capacityChart.setData(data); return; }
    el.replaceChildren();
    state.capacityChart = new uPlot({
      width: Math.max(320, Math.min(900, el.clientWidth || 720)), height: 200,
      series: [{}, { label: 'free', stroke: '#6b7785', width: 1.5, value: (u, v) => v == null ? '–' : bytes(v) },
        { label: 'allocated', stroke: '#2f6db5', width: 1.5, value: (u, v) => v == null ? '–' : bytes(v) },
        { label: 'redundant', stroke: '#7aa7dd', width: 1.5, value: (u, v) => v == null ? '–' : bytes(v) }],
      axes: [{}, { values: (u, vals) => vals.map((v) => bytes(v)), size: 84 }],
    }, data, el);
    state.charts.push(state.capacityChart);
  }

  /** A capacity event is the current figures: one more point, within the same bound the instance keeps. */
  function appendCapacityPoint(cap) {
    const hist = state.capacityHistory; const c = cap && cap.cluster;
    if (!hist || !c || cap.consistent === false || !c.total) return;
    const s = hist.series;
    s.at.push(Date.now()); s.free.push(c.free); s.allocated.push(c.allocated); s.redundant.push(c.redundant);
    s.total.push(c.total); s.data.push(c.data); s.withheld.push(c.withheld); s.offline.push(c.offline);
    while (s.at.length > hist.capacity) Object.values(s).forEach((list) => list.shift());
    renderCapacityHistory();
  }

  // ---- targets and drives -----------------------------------------------------------------------------------------

  async function loadTargets() {
    const q = state.query;
    const params = new URLSearchParams({ sort: q.sort, offset: q.offset, limit: PAGE_SIZE });
    if (q.q) params.set('q', q.q);
    if (q.problems) params.set('problems', 'true');
    state.page = await api('/v1/fleet/targets?' + params);
    renderTargets();
  }

  function renderTargets() {
    const p = state.page; if (!p) return;
    const end = p.offset + p.items.length;
    $('range').textContent = p.matching ? (p.offset + 1) + '–' + end + ' of ' + p.matching
      + (p.matching !== p.total ? ' (' + p.total + ' in all)' : '') : 'no targets match';
    $('prev').disabled = p.offset === 0;
    $('next').disabled = end >= p.matching;
    fill($('target-rows'), p.items.map(targetRow));
  }

  /**
   * The worse of a target's own health and its drives' (the server's OverallHealth, redone here when an event
   * changes a drive): unhealthy if the target is, else degraded with a failed or missing drive, else healthy; the
   * reason counts the drives that are not ok, worst first. A cordoned drive still serves its data.
   */
  function overall(t) {
    const n = { failed: 0, missing: 0, cordoned: 0 };
    t.drives.forEach((d) => { if (d.health in n) n[d.health]++; });
    const parts = [];
    ['failed', 'missing', 'cordoned'].forEach((k) => {
      if (n[k]) parts.push(parts.length ? n[k] + ' ' + k : n[k] + (n[k] === 1 ? ' drive ' : ' drives ') + k);
    });
    t.overallHealth = t.health === 'unhealthy' ? 'unhealthy' : n.failed + n.missing ? 'degraded' : 'healthy';
    t.overallReason = parts.join(', ');
    return t;
  }

  function overallText(t) {
    const word = t.overallHealth || t.health;
    return t.overallReason ? word + ': ' + t.overallReason : word;
  }

  function severityOf(t) {
    let s = t.health === 'healthy' ? 0 : 2;
    t.drives.forEach((d) => { s = Math.max(s, { ok: 0, cordoned: 1, missing: 2, failed: 3 }[d.health] || 0); });
    return s;
  }

  function targetRow(t) {
    const sev = severityOf(t);
    const failed = t.drives.some((d) => d.health === 'failed');
    return h('tr', { class: 'target clickable severity-' + sev + (failed ? ' failed' : ''), 'data-target': t.id,
      onclick: () => { location.hash = '#/targets/' + encodeURIComponent(t.id); } },
    h('td', {}, t.id), h('td', {}, t.owner), h('td', {}, t.rack),
    h('td', { class: 'health ' + (t.overallHealth || t.health), 'data-health': overallText(t),
      title: (t.live ? 'live from its agent on this instance' : 'as recorded, kept current by events from its owner '
        + t.owner) + '; the target itself: ' + t.health }, (t.overallHealth || t.health) + (t.live ? '' : ' ·'),
    t.overallReason ? h('span', { class: 'why' }, t.overallReason) : null),
    h('td', { class: 'r', title: bytes(t.used) + ' of ' + bytes(t.capacity) }, Math.round(pct(t.used, t.capacity)) + '%'),
    h('td', {}, h('div', { class: 'drives' }, t.drives.map(driveBox))));
  }

  function driveBox(d) {
    const f = h('span', { class: 'fill' }); f.style.height = pct(d.used, d.capacity) + '%';
    return h('span', { class: 'drive health-' + d.health, 'data-serial': d.serial,
      title: d.serial + ' · ' + d.health + ' · ' + bytes(d.used) + ' of ' + bytes(d.capacity) }, f);
  }

  // ---- one target -------------------------------------------------------------------------------------------------

  async function loadTarget(id) {
    const page = await api('/v1/fleet/targets?id=' + encodeURIComponent(id) + '&limit=1');
    if (!page.items.length) throw new Error('no target ' + id + ' is recorded');
    state.target = page.items[0];
    renderTarget();
    await perfCharts('/v1/performance/targets/' + encodeURIComponent(id), $('target-charts'));
  }

  function renderTarget() {
    const t = state.target;
    $('target-title').textContent = 'Target ' + t.id;
    fill($('target-facts'), facts({ owner: t.owner, health: overallText(t),
      'the target itself': t.health + (t.health === 'healthy' ? ' (it answers; its ok drives take new extents)' : ''),
      zone: t.zone, rack: t.rack,
      'health from': t.live ? 'its agent, live on this instance' : 'the recorded inventory and events',
      used: bytes(t.used) + ' of ' + bytes(t.capacity) }));
    fill($('target-drives'), t.drives.map((d) => h('tr', { 'data-serial': d.serial },
      h('td', {}, d.serial), h('td', {}, d.kind), h('td', { class: 'health ' + d.health }, d.health),
      h('td', { class: 'r' }, bytes(d.used)), h('td', { class: 'r' }, bytes(d.capacity)),
      h('td', {}, h('div', { class: 'fillbar' }, bar(pct(d.used, d.capacity)))))));
  }

  function facts(o) {
    const out = [];
    Object.entries(o).forEach(([k, v]) => { out.push(h('dt', {}, k), h('dd', { 'data-fact': k }, v)); });
    return out;
  }

  // ---- volumes ----------------------------------------------------------------------------------------------------

  async function loadVolumes() {
    state.volumes = await api('/v1/volumes');
    renderVolumes();
  }

  function renderVolumes() {
    fill($('volume-rows'), state.volumes.items.map((v) => h('tr', { class: 'clickable', 'data-volume': v.name,
      onclick: () => { location.hash = '#/volumes/' + encodeURIComponent(v.name); } },
    h('td', {}, v.name), h('td', { class: 'health ' + v.status, 'data-status': v.status, title: v.reason || null },
      v.status),
    h('td', {}, v.policy), h('td', {}, v.layout), h('td', { class: 'r' }, bytes(v.sizeBytes)),
    h('td', { class: 'r' }, v.segments), h('td', {}, v.owner))));
  }

  async function loadVolume(name) {
    state.volume = await api('/v1/volumes/' + encodeURIComponent(name) + '/layout');
    renderVolume();
    await perfCharts('/v1/performance/volumes/' + encodeURIComponent(name), $('volume-charts'));
  }

  function renderVolume() {
    const v = state.volume;
    $('volume-title').textContent = 'Volume ' + v.name;
    fill($('volume-facts'), facts({ status: v.status + (v.reason ? ' — ' + v.reason : ''), policy: v.policy,
      layout: v.layout, protection: v.protection, 'spread over': v.domainScope || 'targets', size: bytes(v.sizeBytes),
      placed: bytes(v.placedBytes), owner: v.owner }));
    fill($('volume-layout'), [layoutSvg(v)]);
  }

  /** One row per group; a group's segments side by side, coloured by failure domain, labelled target and drive. */
  function layoutSvg(v) {
    const W = 190; const H = 46; const GAP = 8; const LEFT = 130;
    const domains = [...new Set(v.groups.flatMap((g) => g.segments.map((s) => s.domain)))].sort();
    const colour = (d) => 'hsl(' + Math.round((domains.indexOf(d) * 360) / Math.max(1, domains.length)) + ',60%,82%)';
    const width = LEFT + Math.max(1, ...v.groups.map((g) => g.segments.length)) * (W + GAP);
    const height = Math.max(1, v.groups.length) * (H + GAP) + 4;
    const root = svg('svg', { width, height, viewBox: '0 0 ' + width + ' ' + height, role: 'img',
      'aria-label': 'layout of ' + v.name });
    v.groups.forEach((g, gi) => {
      const y = gi * (H + GAP) + 2;
      const row = svg('g', { class: 'group', 'data-chunk': g.chunk, 'data-group': g.group });
      row.append(svg('text', { x: 0, y: y + H / 2 + 4, text: 'chunk ' + g.chunk + ' · group ' + g.group }));
      g.segments.forEach((s, si) => {
        const x = LEFT + si * (W + GAP);
        const seg = svg('g', { class: 'seg health-' + s.driveHealth, 'data-rack': s.rack, 'data-zone': s.zone,
          'data-domain': s.domain, 'data-target': s.target, 'data-serial': s.serial });
        seg.append(svg('title', { text: s.role + ' ' + s.index + ': ' + s.serial + ' on ' + s.target + ' (' + s.rack
          + ', ' + s.zone + '), ' + bytes(s.length) + ', drive ' + s.driveHealth }));
        seg.append(svg('rect', { x, y, width: W, height: H, rx: 4, fill: colour(s.domain) }));
        seg.append(svg('text', { x: x + 6, y: y + 16, text: s.role + ' ' + s.index + ' · ' + (s.rack || s.domain) }));
        seg.append(svg('text', { x: x + 6, y: y + 32, text: s.target + ' / ' + s.serial }));
        row.append(seg);
      });
      root.append(row);
    });
    return root;
  }

  // ---- performance charts -----------------------------------------------------------------------------------------

  async function perfCharts(path, el) {
    const first = await api(path);
    const specs = [
      { title: 'IOPS', series: [['read', 'readIops', '#2f6db5'], ['write', 'writeIops', '#d98b1c']], fmt: (v) => Math.round(v) },
      { title: 'Bandwidth', series: [['read', 'readBytesPerSecond', '#2f6db5'], ['write', 'writeBytesPerSecond', '#d98b1c']], fmt: (v) => bytes(v) + '/s' },
      { title: 'Latency (µs)', series: [['p50', 'latencyP50Micros', '#2e9d4f'], ['p99', 'latencyP99Micros', '#d4351c']], fmt: (v) => Math.round(v) + ' µs' },
    ];
    const data = (p) => specs.map((s) => [p.series.at.map((t) => t / 1000)].concat(s.series.map(([, k]) => p.series[k])));
    const boxes = specs.map((s) => h('div', { class: 'chart', 'data-chart': s.title }, h('h3', {}, s.title)));
    const note = h('p', { class: 'muted small' });
    fill(el, boxes.concat([note]));
    const noteOf = (p) => p.series.at.length + ' samples, one per ' + (p.intervalMillis / 1000) + ' s, kept by ' + p.owner
      + (p.missing.length ? '; no history yet for ' + p.missing.join(', ') : '');
    note.textContent = noteOf(first);
    if (typeof uPlot === 'undefined') { note.textContent += ' (charts unavailable: uPlot did not load)'; return; }
    const d0 = data(first);
    const plots = specs.map((s, i) => new uPlot({
      width: 360, height: 180,
      series: [{}].concat(s.series.map(([label, , stroke]) => ({ label, stroke, width: 1.5, value: (u, v) => v == null ? '–' : s.fmt(v) }))),
      axes: [{}, { values: (u, vals) => vals.map((v) => s.fmt(v)), size: 84 }],
    }, d0[i], boxes[i]));
    state.charts.push(...plots);
    every(PERF_REFRESH_MS, async () => {
      try {
        const p = await api(path);
        const d = data(p);
        plots.forEach((u, i) => u.setData(d[i]));
        note.textContent = noteOf(p);
      } catch (e) { showError(e.message); }
    });
  }

  // ---- live updates -----------------------------------------------------------------------------------------------

  /** The topics on screen: the stream is re-opened only when they change. */
  function topicsOnScreen() {
    const v = state.route.view;
    const t = ['cluster', 'capacity']; // capacity keeps the banner current on every view
    if (v === 'overview') t.push('volume/*');
    if (v === 'targets' && state.page) state.page.items.forEach((i) => t.push('target/' + i.id));
    if (v === 'target' && state.target) t.push('target/' + state.target.id);
    if (v === 'volumes') t.push('volume/*');
    if (v === 'volume' && state.volume) {
      t.push('volume/' + state.volume.name);
      [...new Set(state.volume.groups.flatMap((g) => g.segments.map((s) => s.target)))].filter(Boolean)
        .forEach((id) => t.push('target/' + id));
    }
    return t;
  }

  function subscribe() {
    const topics = topicsOnScreen();
    const key = topics.join(' ');
    if (state.stream && state.topics === key) return;
    stopStream();
    state.topics = key;
    openStream(topics, 0);
  }

  function stopStream() {
    if (state.stream) state.stream.abort();
    state.stream = null; state.topics = '';
    $('live').classList.add('off');
  }

  async function openStream(topics, attempt) {
    const ctl = new AbortController();
    state.stream = ctl;
    const url = '/v1/events?' + topics.map((t) => 'topic=' + encodeURIComponent(t)).join('&') + '&keepalive=15';
    try {
      const r = await fetch(url, { headers: { Authorization: 'Bearer ' + state.token }, signal: ctl.signal, cache: 'no-store' });
      if (!r.ok) throw new Error('events: HTTP ' + r.status);
      $('live').classList.remove('off');
      $('live').title = 'live: ' + topics.join(', ');
      const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      attempt = 0;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let cut;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          onMessage(buffer.slice(0, cut));
          buffer = buffer.slice(cut + 2);
        }
      }
    } catch (e) {
      if (ctl.signal.aborted) return;
    }
    if (state.stream !== ctl) return;
    // The stream ended or failed: come back with fresh data and the same topics, a little later each time.
    $('live').classList.add('off');
    state.stream = null; state.topics = '';
    setTimeout(() => { if (!state.stream && state.token) loadViewQuietly(); }, Math.min(10000, 500 * 2 ** attempt));
  }

  function onMessage(block) {
    let type = 'message'; let data = '';
    block.split('\n').forEach((line) => {
      if (line.startsWith('event:')) type = line.slice(6).trim();
      else if (line.startsWith('data:')) data += line.slice(5).trim();
    });
    if (!data) return;
    let msg;
    try { msg = JSON.parse(data); } catch (e) { return; }
    if (type === 'reset') { if (msg.snapshot) apply(msg.topic, null, msg.snapshot); return; }
    apply(msg.topic, msg.type, msg.payload);
  }

  /** Applies one event (or a reset's snapshot) to what is on screen. Unknown topics and types are ignored. */
  function apply(topic, type, p) {
    if (!p || !topic) return;
    window.nvmeshLastEvent = { topic, type, at: performance.now() };
    if (topic === 'capacity' && (type === 'totals' || type === null)) {
      const moved = !state.capacity || healthKey(state.capacity) !== healthKey(p);
      state.capacity = p; if (state.route.view === 'overview') { renderCapacity(); appendCapacityPoint(p); }
      renderBanner();
      if (moved) refreshProblems();
    } else if (topic === 'cluster' && (type === 'members' || type === null)) {
      state.cluster = p; if (state.route.view === 'overview') renderInstances();
    } else if (topic.startsWith('target/') && (type === 'health' || type === null)) {
      targetHealth(p);
    } else if (topic.startsWith('drive/') && (type === 'health' || type === null)) {
      driveHealth(p.target, [{ serial: p.serial, health: p.health }]);
    } else if (topic.startsWith('volume/') && (type === 'status' || type === null)) {
      volumeStatus(p);
    }
  }

  /**
   * The worst targets again, at most every half second however many capacity events come. The counters move as
   * soon as an agent reports; the fleet list follows once the owner has recorded the inventory (a batch window
   * later), so while it still shows fewer failed or missing drives than the counters it is asked again, a bounded
   * number of times.
   */
  function refreshProblems(attempt) {
    attempt = attempt || 0;
    if (state.problemsPending) return;
    state.problemsPending = setTimeout(async () => {
      state.problemsPending = null;
      try {
        const p = await api('/v1/fleet/targets?problems=true&sort=health&limit=' + BANNER_TARGETS);
        state.problems = p;
        renderBanner(); if (state.route.view === 'overview') renderCapacity();
        const drives = (state.capacity && state.capacity.drives) || {};
        let listed = 0;
        p.items.forEach((t) => t.drives.forEach((d) => { if (d.health === 'failed' || d.health === 'missing') listed++; }));
        const behind = p.matching <= p.items.length && listed < (drives.failed || 0) + (drives.missing || 0);
        if (behind && attempt < 20) refreshProblems(attempt + 1);
      } catch (e) { /* no Git remote: the banner keeps the counters' part */ }
    }, attempt ? 1000 : 500);
  }

  function targetHealth(p) {
    const update = (t) => {
      if (!t || t.id !== p.target) return false;
      if (p.health) t.health = p.health;
      (p.drives || []).forEach((d) => { const mine = t.drives.find((x) => x.serial === d.serial); if (mine) mine.health = d.health; });
      overall(t);
      return true;
    };
    if (state.page) state.page.items.forEach((t) => { if (update(t)) replaceRow(t); });
    if (state.route.view === 'target' && update(state.target)) renderTarget();
    if (state.route.view === 'volume' && state.volume) {
      let changed = false;
      state.volume.groups.forEach((g) => g.segments.forEach((s) => {
        const d = (p.drives || []).find((x) => x.serial === s.serial);
        if (s.target === p.target && d && d.health !== s.driveHealth) { s.driveHealth = d.health; changed = true; }
      }));
      if (changed) renderVolume();
    }
  }

  function driveHealth(target, drives) { targetHealth({ target, drives }); }

  function replaceRow(t) {
    if (state.route.view !== 'targets') return;
    const old = document.querySelector('tr[data-target="' + CSS.escape(t.id) + '"]');
    if (old) old.replaceWith(targetRow(t));
  }

  function volumeStatus(p) {
    if (state.volumes) {
      const v = state.volumes.items.find((i) => i.name === p.volume);
      if (v && p.status) {
        v.status = p.status; v.reason = p.reason || '';
        if (state.route.view === 'volumes') renderVolumes();
        if (state.route.view === 'overview') renderVolumeStatus();
        renderBanner();
      }
    }
    if (state.route.view === 'volume' && state.volume && state.volume.name === p.volume && p.status) {
      state.volume.status = p.status; state.volume.reason = p.reason || '';
      renderVolume();
    }
  }

  // ---- wiring -----------------------------------------------------------------------------------------------------

  function start() {
    $('signin-form').addEventListener('submit', (e) => { e.preventDefault(); signIn($('token').value.trim()); });
    $('signout').addEventListener('click', () => signOut(''));
    window.addEventListener('hashchange', route);
    let typing;
    $('filter').addEventListener('input', () => {
      clearTimeout(typing);
      typing = setTimeout(() => { state.query.q = $('filter').value.trim(); state.query.offset = 0; loadTargetsAndSubscribe(); }, 250);
    });
    $('problems').addEventListener('change', () => { state.query.problems = $('problems').checked; state.query.offset = 0; loadTargetsAndSubscribe(); });
    $('sort').addEventListener('change', () => { state.query.sort = $('sort').value; state.query.offset = 0; loadTargetsAndSubscribe(); });
    $('prev').addEventListener('click', () => { state.query.offset = Math.max(0, state.query.offset - PAGE_SIZE); loadTargetsAndSubscribe(); });
    $('next').addEventListener('click', () => { state.query.offset += PAGE_SIZE; loadTargetsAndSubscribe(); });
    if (state.token) signIn(state.token); else $('signin').hidden = false;
  }

  function loadTargetsAndSubscribe() {
    loadTargets().then(subscribe).catch((e) => showError(e.message));
  }

  start();
}());
