// Live walkthrough: keeps a project page current while other members work
// on the project, shows who is here, and lets a member follow another
// member's page. Every page works without this script; it only enhances.
//
// The page's presence panel (#presence) carries the address of the
// project's event stream and the newest event id when the page was read.
// On a "change" event the script reads the page again and replaces <main>,
// unless the user has typed something not yet saved: then it only says the
// page changed. On a "presence" event it rebuilds the panel and, while
// following someone, goes to their page.
(function () {
  'use strict';

  var panel = document.getElementById('presence');
  if (!panel || !window.EventSource || !window.fetch || !window.DOMParser) {
    return;
  }
  var me = panel.getAttribute('data-me');
  var followKey = 'wizard.follow.' + panel.getAttribute('data-project');
  var list = panel.querySelector('[data-presence-list]');
  var status = panel.querySelector('[data-live-status]');
  var here = location.pathname + location.search;
  var present = null; // members from the last presence event
  var leaving = false; // this script is taking the page elsewhere

  // --- following -------------------------------------------------------

  function storage() {
    try {
      return window.sessionStorage;
    } catch (e) {
      return null; // storage disabled: following lasts for this page only
    }
  }
  var memory = null;
  function following() {
    var s = storage();
    var v = s ? s.getItem(followKey) : memory;
    return v ? JSON.parse(v) : null;
  }
  function setFollowing(who) {
    var v = who ? JSON.stringify(who) : null;
    var s = storage();
    if (s) {
      if (v) {
        s.setItem(followKey, v);
      } else {
        s.removeItem(followKey);
      }
    } else {
      memory = v;
    }
  }

  function say(text) {
    status.textContent = text;
  }

  // goToLeader moves to the followed member's page when they are elsewhere.
  function goToLeader() {
    var f = following();
    if (!f || !present || leaving) {
      return;
    }
    for (var i = 0; i < present.length; i++) {
      var m = present[i];
      if (String(m.id) === f.id && m.page !== here && m.page.indexOf('/') === 0) {
        leaving = true;
        location.assign(m.page);
        return;
      }
    }
  }

  panel.addEventListener('click', function (e) {
    var follow = e.target.closest('[data-follow]');
    if (follow) {
      setFollowing({ id: follow.getAttribute('data-follow'), name: follow.getAttribute('data-name') });
      if (follow.getAttribute('href') === here) {
        e.preventDefault();
        render();
      }
      return;
    }
    var stop = e.target.closest('[data-stop-following]');
    if (stop) {
      var f = following();
      setFollowing(null);
      render(); // keeps the focus in the member's row, now on Follow
      say('You stopped following ' + (f ? f.name : 'them') + '.');
    }
  });

  // Going somewhere on purpose ends following, so the next move of the
  // member followed does not pull the page away.
  document.addEventListener('click', function (e) {
    var a = e.target.closest('a[href]');
    if (a && !panel.contains(a) && following()) {
      setFollowing(null);
    }
  });
  document.addEventListener('submit', function () {
    if (following()) {
      setFollowing(null);
    }
  });

  // --- the presence panel ----------------------------------------------

  function el(tag, attrs, text) {
    var n = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      n.setAttribute(k, attrs[k]);
    });
    if (text) {
      n.textContent = text;
    }
    return n;
  }

  // render rebuilds the list from the last presence event, the same markup
  // the server renders, with "Stop following" for the member followed.
  function render() {
    if (!present) {
      return;
    }
    var f = following();
    var mine = [];
    var others = [];
    present.forEach(function (m) {
      (String(m.id) === me ? mine : others).push(m);
    });
    var rows = mine.concat(others).map(function (m) {
      var self = String(m.id) === me;
      var li = el('li', { 'data-testid': 'present-member', 'data-user': String(m.id) });
      li.appendChild(el('strong', {}, m.name));
      if (self) {
        li.appendChild(document.createTextNode(' (you) '));
      } else {
        li.appendChild(document.createTextNode(' '));
      }
      li.appendChild(el('span', { class: 'where' }, m.label));
      if (self) {
        return li;
      }
      li.appendChild(document.createTextNode(' '));
      var hidden = el('span', { class: 'visually-hidden' }, ' ' + m.name);
      if (f && f.id === String(m.id)) {
        var b = el('button', { type: 'button', class: 'secondary', 'data-stop-following': '', 'data-testid': 'stop-following' }, 'Stop following');
        b.appendChild(hidden);
        li.appendChild(b);
      } else {
        var a = el('a', { href: m.page, 'data-follow': String(m.id), 'data-name': m.name, 'data-testid': 'follow' }, 'Follow');
        a.appendChild(hidden);
        li.appendChild(a);
      }
      return li;
    });
    // Keep the focus on the control it was on, when that is rebuilt.
    var active = document.activeElement;
    var refocus = null;
    if (active && list.contains(active)) {
      var row = active.closest('[data-user]');
      refocus = row && row.getAttribute('data-user');
    }
    while (list.firstChild) {
      list.removeChild(list.firstChild);
    }
    rows.forEach(function (li) {
      list.appendChild(li);
    });
    if (refocus) {
      var control = list.querySelector('[data-user="' + refocus + '"] a, [data-user="' + refocus + '"] button');
      if (control) {
        control.focus();
      }
    }
    if (f) {
      var there = present.some(function (m) {
        return String(m.id) === f.id;
      });
      panel.setAttribute('data-following', f.id);
      if (!there) {
        say(f.name + ' does not have the project open at the moment. You will follow them when they return.');
      }
    } else {
      panel.removeAttribute('data-following');
    }
  }

  // --- refreshing <main> -----------------------------------------------

  // unsaved reports whether the user has typed or chosen something in a
  // form of the page that is not saved yet, or is looking at problems with
  // what they sent: replacing the page would lose it.
  function unsaved() {
    var main = document.getElementById('main');
    if (!main || main.querySelector('#error-summary')) {
      return true;
    }
    var fields = main.querySelectorAll('input, textarea, select');
    for (var i = 0; i < fields.length; i++) {
      var f = fields[i];
      if (f.type === 'hidden' || f.type === 'submit' || f.type === 'button') {
        continue;
      }
      if (f.type === 'checkbox' || f.type === 'radio') {
        if (f.checked !== f.defaultChecked) {
          return true;
        }
      } else if (f.tagName === 'SELECT') {
        for (var j = 0; j < f.options.length; j++) {
          if (f.options[j].selected !== f.options[j].defaultSelected) {
            return true;
          }
        }
      } else if (f.type === 'file') {
        if (f.files && f.files.length > 0) {
          return true;
        }
      } else if (f.value !== f.defaultValue) {
        return true;
      }
    }
    return false;
  }

  // showChanged puts a polite note at the top of the page instead of
  // replacing it.
  function showChanged() {
    var main = document.getElementById('main');
    if (!main || main.querySelector('[data-live-changed]')) {
      return;
    }
    var note = el('div', { class: 'notice live-changed', 'data-live-changed': '', 'data-testid': 'live-changed' }, 'This page changed; ');
    note.appendChild(el('a', { href: here }, 'reload to see it'));
    note.appendChild(document.createTextNode('.'));
    main.insertBefore(note, main.firstChild);
    say('This page changed. Reload to see it.');
  }

  // swap replaces the content of <main> with the page read again, and puts
  // the keyboard focus back on the same control (by id, or a link by its
  // address) so a keyboard or screen reader user keeps their place.
  function swap(fresh, title, why) {
    var main = document.getElementById('main');
    var active = document.activeElement;
    var inside = active && active !== main && main.contains(active);
    var focusID = inside ? active.id : '';
    var focusHref = inside && active.tagName === 'A' ? active.getAttribute('href') : null;
    main.innerHTML = fresh.innerHTML;
    if (title) {
      document.title = title;
    }
    var target = focusID ? document.getElementById(focusID) : null;
    if (!target && focusHref !== null) {
      var links = main.querySelectorAll('a[href]');
      for (var i = 0; i < links.length && !target; i++) {
        if (links[i].getAttribute('href') === focusHref) {
          target = links[i];
        }
      }
    }
    if (target) {
      target.focus();
    }
    say(why);
  }

  var busy = false;
  var again = false;
  var timer = null;
  var reason = '';
  var lastLoad = 0;
  var settle = 150; // ms: changes arriving together cost one read
  var gap = 1000; // ms: at most one read of the page a second, however busy the team

  // refresh reads the page again soon, one request at a time, coalescing
  // the changes that arrive meanwhile.
  function refresh(why) {
    reason = why;
    if (timer) {
      return;
    }
    if (busy) {
      again = true;
      return;
    }
    timer = setTimeout(function () {
      timer = null;
      load();
    }, Math.max(settle, lastLoad + gap - Date.now()));
  }

  function load() {
    if (leaving) {
      return;
    }
    if (unsaved()) {
      showChanged();
      return;
    }
    busy = true;
    lastLoad = Date.now();
    var why = reason;
    fetch(here, { credentials: 'same-origin', headers: { Accept: 'text/html' } })
      .then(function (resp) {
        var moved = resp.redirected && resp.url !== location.href;
        if (!resp.ok || moved) {
          throw new Error('the page is not what it was');
        }
        return resp.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, 'text/html');
        var fresh = doc.getElementById('main');
        if (!fresh) {
          throw new Error('no main');
        }
        if (leaving) {
          return;
        }
        if (unsaved()) {
          showChanged(); // typed while the page was read
          return;
        }
        swap(fresh, doc.title, why);
      })
      .catch(function () {
        showChanged();
      })
      .then(function () {
        busy = false;
        if (again) {
          again = false;
          refresh(reason);
        }
      });
  }

  // --- the stream ------------------------------------------------------

  var url = panel.getAttribute('data-events') +
    '?page=' + encodeURIComponent(here) +
    '&last=' + encodeURIComponent(panel.getAttribute('data-last-event-id'));
  var stream = new EventSource(url);

  stream.addEventListener('change', function (e) {
    var ev = JSON.parse(e.data);
    refresh('This page was updated: ' + ev.by + ' changed the project.');
  });
  stream.addEventListener('reload', function () {
    refresh('This page was updated.');
  });
  stream.addEventListener('presence', function (e) {
    present = JSON.parse(e.data).members || [];
    render();
    goToLeader();
  });
  stream.addEventListener('revoked', function (e) {
    stream.close();
    var why = JSON.parse(e.data).reason;
    var text = why === 'session'
      ? 'You are signed out, so this page no longer updates. Sign in again to continue.'
      : 'You are no longer a member of this project, so this page no longer updates.';
    panel.setAttribute('data-revoked', why);
    say(text);
    var note = panel.querySelector('[data-live-stopped]') || el('p', { 'data-live-stopped': '', 'data-testid': 'live-stopped' });
    note.textContent = text;
    panel.appendChild(note);
  });
  stream.addEventListener('error', function () {
    // EventSource reconnects by itself; CLOSED means it gave up (the
    // server refused the stream, for example after signing out).
    if (stream.readyState === EventSource.CLOSED && !leaving) {
      var note = panel.querySelector('[data-live-stopped]') || el('p', { 'data-live-stopped': '', 'data-testid': 'live-stopped' });
      note.textContent = 'Live updates have stopped. Reload the page to see changes.';
      panel.appendChild(note);
    }
  });
  window.addEventListener('pagehide', function () {
    stream.close();
  });
  window.addEventListener('pageshow', function (e) {
    if (e.persisted) {
      location.reload(); // back from the cache, with the stream closed
    }
  });

  if (following()) {
    panel.setAttribute('data-following', following().id);
  }
})();
