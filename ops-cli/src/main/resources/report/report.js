// Draws the per-symbol charts and transition tables of a Quant Signals run report from the JSON in
// #report-data, with uPlot. Text from the data is only ever inserted with textContent.
(function () {
  'use strict';

  var data = JSON.parse(document.getElementById('report-data').textContent);
  var REASON_COLOURS = { SIGNAL: '#2563eb', KILL_SWITCH: '#dc2626', RISK_LIMIT: '#ea580c', RUN_ENDED: '#6b7280' };
  var main = document.getElementById('symbols');

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) { e.className = className; }
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }
  function pct(v, decimals) { return v === null || v === undefined ? '-' : (v * 100).toFixed(decimals) + '%'; }
  // Analytics: null means undefined for the data (README "Run analytics"), shown as n/a.
  function apct(v) { return v === null || v === undefined ? 'n/a' : pct(v, 3); }
  // Chart values are already on the 10^-8 grid; toFixed(8) prints them exactly, never as 1e-8.
  function priceText(v) { return v === null ? '-' : v.toFixed(8).replace(/\.?0+$/, ''); }
  function ratio(v) { return v === null || v === undefined ? 'n/a' : v.toFixed(2); }
  function duration(ms) {
    if (ms === null || ms === undefined) { return 'n/a'; }
    var s = Math.floor(ms / 1000);
    if (ms < 1000) { return ms + 'ms'; }
    if (s < 60) { return s + 's'; }
    if (s < 3600) { return Math.floor(s / 60) + 'm' + (s % 60 === 0 ? '' : String(s % 60).padStart(2, '0') + 's'); }
    if (s < 86400) { return Math.floor(s / 3600) + 'h' + String(Math.floor((s % 3600) / 60)).padStart(2, '0') + 'm'; }
    return Math.floor(s / 86400) + 'd' + String(Math.floor((s % 86400) / 3600)).padStart(2, '0') + 'h';
  }
  function utcText(ms) { return new Date(ms).toISOString().replace('T', ' ').replace('.000Z', '').replace('Z', ''); }
  function utcDate(ms) { return uPlot.tzDate(new Date(ms), 'Etc/UTC'); }
  // Time axis labels in UTC, 24-hour, as precise as the tick spacing needs; "MM-DD HH:mm" needs more room.
  function timeSpace(u, axisIdx, min, max) { return max - min > 86400000 ? 110 : 60; }
  function timeTicks(u, splits, axisIdx, space, incr) {
    var multiDay = u.scales.x.max - u.scales.x.min > 86400000;
    return splits.map(function (ms) {
      var iso = new Date(ms).toISOString();
      if (incr >= 86400000) { return iso.slice(0, 10); }
      if (incr >= 60000) { return multiDay ? iso.slice(5, 10) + ' ' + iso.slice(11, 16) : iso.slice(11, 16); }
      return iso.slice(11, 19);
    });
  }
  function colour(reason) {
    return Object.prototype.hasOwnProperty.call(REASON_COLOURS, reason) ? REASON_COLOURS[reason] : '#111827';
  }
  function positionName(p) { return p > 0 ? 'long' : p < 0 ? 'short' : 'flat'; }

  // Entry long: up triangle; entry short: down triangle; exit to flat: ring. Colour: the reason.
  function drawMarker(ctx, x, y, t, r) {
    ctx.fillStyle = colour(t.reason);
    ctx.strokeStyle = colour(t.reason);
    ctx.beginPath();
    if (t.to === 0) {
      ctx.lineWidth = Math.max(2, r / 3);
      ctx.arc(x, y, r * 0.75, 0, 2 * Math.PI);
      ctx.fillStyle = '#ffffff';
      ctx.fill();
      ctx.stroke();
      return;
    }
    var s = t.to > 0 ? 1 : -1;
    ctx.moveTo(x, y - s * r);
    ctx.lineTo(x + r, y + s * r * 0.8);
    ctx.lineTo(x - r, y + s * r * 0.8);
    ctx.closePath();
    ctx.fill();
  }

  // Markers at their exact time and price, whatever points the price series kept.
  function markersPlugin(transitions) {
    return { hooks: { draw: [function (u) {
      var ctx = u.ctx;
      var visible = transitions.filter(function (t) { return t.t >= u.scales.x.min && t.t <= u.scales.x.max; });
      // Smaller markers where they crowd (more than one per ~12 CSS pixels).
      var r = (visible.length * 12 > u.bbox.width / uPlot.pxRatio ? 3.5 : 6) * uPlot.pxRatio;
      ctx.save();
      ctx.beginPath();
      ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
      ctx.clip();
      visible.forEach(function (t) {
        if (t.price === null) { return; }
        drawMarker(ctx, u.valToPos(t.t, 'x', true), u.valToPos(t.price, 'y', true), t, r);
      });
      ctx.restore();
    }] } };
  }

  // Zooming one chart of a symbol zooms the others.
  function zoomGroupPlugin(group) {
    var busy = false;
    return { hooks: { setScale: [function (u, key) {
      if (key !== 'x' || busy) { return; }
      busy = true;
      group.forEach(function (other) {
        if (other !== u) { other.setScale('x', { min: u.scales.x.min, max: u.scales.x.max }); }
      });
      busy = false;
    }] } };
  }

  function chart(parent, title, width, height, syncKey, series, columns, yAxis, plugins) {
    var box = el('div', 'chart');
    parent.appendChild(box);
    var opts = {
      title: title, width: width, height: height, ms: 1, tzDate: utcDate,
      cursor: { sync: { key: syncKey } },
      scales: { x: { time: true } },
      series: [{ label: 'time (UTC)', value: function (u, v) { return v === null ? '-' : utcText(v); } }].concat(series),
      axes: [{ values: timeTicks, space: timeSpace }, yAxis],
      plugins: plugins
    };
    return new uPlot(opts, columns, box);
  }

  function figureLine(parent, pairs) {
    var line = el('div', 'figures');
    pairs.forEach(function (pair) {
      var span = el('span', null, pair[0] + ': ');
      span.appendChild(el('b', null, pair[1]));
      line.appendChild(span);
    });
    parent.appendChild(line);
  }

  function analyticsPairs(a) {
    var t = a.round_trips;
    return [['buy & hold', apct(a.buy_and_hold_return)], ['annualised return', apct(a.annualised_return)],
      ['Sharpe', ratio(a.sharpe)], ['Sortino', ratio(a.sortino)], ['Calmar', ratio(a.calmar)],
      ['exposure', apct(a.exposure)], ['round trips', String(t.closed) + (t.open > 0 ? ' (+' + t.open + ' open)' : '')],
      ['win rate', apct(t.win_rate)], ['profit factor', ratio(t.profit_factor)], ['average trade', apct(t.average_pnl)],
      ['average duration', duration(t.average_duration_ms)]];
  }

  function figures(parent, s, sym) {
    figureLine(parent, [['net return', pct(s.net_return, 3)], ['max drawdown', pct(s.max_drawdown, 3)],
      ['trades', String(s.trades)], ['turnover', String(s.turnover)], ['transaction cost', pct(s.transaction_cost, 4)],
      ['slippage cost', pct(s.slippage_cost, 4)], ['bars', String(s.bars)],
      ['chart points', sym.series.t.length + (sym.downsampled ? ' (downsampled; markers exact)' : '')]]);
    figureLine(parent, analyticsPairs(s));
  }

  // A collapsible table: rowCells(item, index) returns the row's cells, each a text or a ready <td>.
  function detailsTable(parent, summaryText, open, headers, items, rowCells) {
    var details = el('details');
    details.open = open;
    details.appendChild(el('summary', null, summaryText));
    var table = el('table', 'transitions');
    var head = el('tr');
    headers.forEach(function (h) { head.appendChild(el('th', null, h)); });
    table.appendChild(el('thead')).appendChild(head);
    var body = el('tbody');
    items.forEach(function (item, i) {
      var tr = el('tr');
      rowCells(item, i).forEach(function (v) { tr.appendChild(typeof v === 'string' ? el('td', null, v) : v); });
      body.appendChild(tr);
    });
    table.appendChild(body);
    details.appendChild(el('div', 'scroll')).appendChild(table);
    parent.appendChild(details);
  }

  function roundTripsTable(parent, trips) {
    if (trips.length === 0) { return; }
    detailsTable(parent, trips.length + ' round trips', false,
      ['#', 'side', 'entry (UTC)', 'entry price', 'exit (UTC)', 'exit price', 'exit reason', 'duration', 'PnL'], trips,
      function (t, i) {
        return [String(i + 1), t.direction, utcText(Date.parse(t.entry_time)), t.entry_price_text,
          t.exit_time === null ? 'open' : utcText(Date.parse(t.exit_time)),
          t.exit_price_text === null ? '-' : t.exit_price_text, t.exit_reason === null ? '-' : t.exit_reason,
          duration(t.duration_ms),
          el('td', t.pnl > 0 ? 'pos' : t.pnl < 0 ? 'neg' : null, apct(t.pnl) + (t.closed ? '' : ' (open)'))];
      });
  }

  function transitionsTable(parent, transitions) {
    var tx = 0, slip = 0;
    transitions.forEach(function (t) { tx += t.transaction_cost; slip += t.slippage_cost; });
    detailsTable(parent, transitions.length + ' transitions; costs: transaction ' + pct(tx, 4) + ', slippage ' + pct(slip, 4),
      transitions.length <= 40,
      ['#', 'time (UTC)', 'from', 'to', 'reason', 'price', 'fill price', 'transaction cost', 'slippage cost'], transitions,
      function (t, i) {
        var reason = el('td', 'reason', t.reason);
        reason.style.color = colour(t.reason);
        // Prices as their exact decimals on the 10^-8 grid, written by ops-cli (no float noise).
        return [String(i + 1), utcText(t.t), positionName(t.from), positionName(t.to), reason, t.price_text,
          t.fill_price_text, pct(t.transaction_cost, 4), pct(t.slippage_cost, 4)];
      });
  }

  function markerLegend() {
    var p = el('p', 'legend-markers');
    p.appendChild(el('span', null, 'Markers: \u25B2 entry long, \u25BC entry short, \u25CB exit to flat; colour = reason:'));
    Object.keys(REASON_COLOURS).forEach(function (reason) {
      var span = el('span', null, '\u25A0 ' + reason);
      span.style.color = REASON_COLOURS[reason];
      p.appendChild(span);
    });
    return p;
  }

  function priceValue(u, v) { return priceText(v); }

  function renderSymbol(sym, index) {
    var section = el('section');
    section.id = sym.anchor;
    main.appendChild(section);
    section.appendChild(el('h2', null, sym.symbol));
    figures(section, sym.summary, sym);
    var width = Math.max(640, Math.min(1450, main.clientWidth || 1200));
    var s = sym.series;
    var params = data.run.params;
    var key = 'sym' + index;
    var group = [];
    var zoom = zoomGroupPlugin(group);
    var pctAxis = { size: 80, values: function (u, splits) { return splits.map(function (v) { return (v * 100).toFixed(1) + '%'; }); } };
    if (s.t.length > 0) {
      group.push(chart(section, 'Price, SMAs and transitions', width, 320, key, [
        { label: 'price', stroke: '#374151', width: 1, value: priceValue },
        { label: 'SMA fast (' + params.sma_fast_window + ')', stroke: '#10b981', width: 1.5, value: priceValue },
        { label: 'SMA slow (' + params.sma_slow_window + ')', stroke: '#a855f7', width: 1.5, value: priceValue }
      ], [s.t, s.price, s.sma_fast, s.sma_slow], { size: 80 }, [markersPlugin(sym.transitions), zoom]));
      group.push(chart(section, 'Equity (1 + cumulative return)', width, 200, key, [
        { label: 'equity', stroke: '#2563eb', width: 1.5, fill: 'rgba(37, 99, 235, 0.08)',
          fillTo: function () { return 1; } }
      ], [s.t, s.equity], { size: 80 }, [zoom]));
      group.push(chart(section, 'Drawdown', width, 160, key, [
        { label: 'drawdown', stroke: '#dc2626', width: 1, fill: 'rgba(220, 38, 38, 0.2)',
          value: function (u, v) { return v === null ? '-' : (v * 100).toFixed(3) + '%'; } }
      ], [s.t, s.drawdown], pctAxis, [zoom]));
    } else {
      section.appendChild(el('p', 'note', 'No bars for this symbol.'));
    }
    roundTripsTable(section, sym.round_trips);
    transitionsTable(section, sym.transitions);
  }

  // The equal-weight portfolio against buy-and-hold of the same symbols and window.
  function renderPortfolio(p) {
    var section = el('section');
    section.id = 'portfolio';
    main.appendChild(section);
    section.appendChild(el('h2', null, 'Portfolio (equal weight over ' + p.symbols + ' symbol' + (p.symbols === 1 ? '' : 's') + ')'));
    var a = data.run.summary.portfolio;
    figureLine(section, [['net return', apct(a.net_return)], ['max drawdown', apct(a.max_drawdown)],
      ['points', String(p.points) + (p.downsampled ? ' (chart downsampled)' : '')]]);
    figureLine(section, analyticsPairs(a));
    var width = Math.max(640, Math.min(1450, main.clientWidth || 1200));
    var s = p.series;
    var group = [];
    var zoom = zoomGroupPlugin(group);
    group.push(chart(section, 'Portfolio equity and buy-and-hold', width, 260, 'portfolio', [
      { label: 'strategy', stroke: '#2563eb', width: 1.5 },
      { label: 'buy & hold', stroke: '#9ca3af', width: 1.5, dash: [6, 4] }
    ], [s.t, s.equity, s.buy_and_hold], { size: 80 }, [zoom]));
    group.push(chart(section, 'Portfolio drawdown', width, 140, 'portfolio', [
      { label: 'drawdown', stroke: '#dc2626', width: 1, fill: 'rgba(220, 38, 38, 0.2)',
        value: function (u, v) { return v === null ? '-' : (v * 100).toFixed(3) + '%'; } }
    ], [s.t, s.drawdown], { size: 80, values: function (u, splits) {
      return splits.map(function (v) { return (v * 100).toFixed(1) + '%'; }); } }, [zoom]));
  }

  if (data.portfolio.series.t.length > 0) {
    renderPortfolio(data.portfolio);
  }
  if (data.symbols.length > 0) {
    main.appendChild(markerLegend());
    main.appendChild(el('p', 'note', 'Drag on a chart to zoom (the three charts of a symbol zoom together);'
      + ' double-click to reset.'));
  }
  data.symbols.forEach(renderSymbol);
}());
