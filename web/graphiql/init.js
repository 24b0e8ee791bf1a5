// GraphiQL for ai-service, served offline. It shares the web app's session (localStorage key
// `ai-service.session`): signed in there, signed in here. When a `login`, `createFirstAdmin` or
// `refreshToken` result includes `accessToken`, it becomes the session and is attached to every request;
// an expired one is refreshed once, transparently. Subscriptions use graphql-transport-ws.
(function () {
  "use strict";

  var STORAGE_KEY = "ai-service.session";
  var AUTH_FIELDS = ["login", "createFirstAdmin", "refreshToken"];
  var DEFAULT_QUERY = [
    "# Welcome to ai-service.",
    "# 1. Sign in: run Login with your email and password. The accessToken it returns is",
    "#    attached to every request that follows (and refreshed when it expires).",
    "# 2. Run Me. Then explore the schema with the Docs button.",
    "",
    "mutation Login {",
    '  login(email: "admin@example.com", password: "your password") {',
    "    accessToken",
    "    refreshToken",
    "    expiresAt",
    "    user { id email fullName role }",
    "  }",
    "}",
    "",
    "query Me {",
    "  me { id email fullName role lastLoginAt }",
    "}",
    "",
  ].join("\n");

  var auth = load();

  function load() {
    try {
      return JSON.parse(localStorage.getItem(STORAGE_KEY)) || null;
    } catch (e) {
      return null;
    }
  }

  function save(next) {
    auth = next;
    if (next) localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
    else localStorage.removeItem(STORAGE_KEY);
    showStatus();
  }

  function showStatus() {
    var status = document.getElementById("auth-status");
    var button = document.getElementById("sign-out");
    if (auth && auth.accessToken) {
      status.textContent = "Signed in as " + ((auth.user && auth.user.email) || "?") + ": the token is attached to every request.";
      button.hidden = false;
    } else {
      status.innerHTML = "Not signed in: run the <code>login</code> mutation; its token is attached to the requests that follow.";
      button.hidden = true;
    }
  }

  function capture(payload) {
    var data = payload && payload.data;
    if (!data) return;
    AUTH_FIELDS.forEach(function (field) {
      var result = data[field];
      if (result && result.accessToken) {
        // The web app's session shape. A refresh is the same user; a login may be someone
        // else, so nothing of the previous user is kept unless the ids match.
        var previous = auth && auth.user;
        var same = field === "refreshToken" ||
          Boolean(previous && result.user && result.user.id && result.user.id === previous.id);
        adopt({
          accessToken: result.accessToken,
          refreshToken: result.refreshToken || null,
          expiresAt: result.expiresAt || new Date(Date.now() + 5 * 60 * 1000).toISOString(),
          user: Object.assign({}, same ? previous : {}, result.user || {}),
        });
      }
    });
    if (data.logout === true) save(null);
  }

  // Keep the session, then fill in the user's details the query did not select (the web app
  // shows them and keys its cache on the id).
  function adopt(session) {
    save(session);
    var user = session.user;
    if (user.id && user.email && user.role && typeof user.fullName === "string") return;
    post({ query: "query GraphiQLMe { me { id email fullName role } }" },
         { headers: { Authorization: "Bearer " + session.accessToken } })
      .then(function (payload) {
        var me = payload && payload.data && payload.data.me;
        if (me && auth && auth.accessToken === session.accessToken) {
          save(Object.assign({}, auth, { user: me }));
        }
      });
  }

  function headersFor(options) {
    var headers = { "Content-Type": "application/json", Accept: "application/json" };
    var extra = (options && options.headers) || {};
    Object.keys(extra).forEach(function (key) { headers[key] = extra[key]; });
    var explicit = Object.keys(headers).some(function (key) { return key.toLowerCase() === "authorization"; });
    if (!explicit && auth && auth.accessToken) headers.Authorization = "Bearer " + auth.accessToken;
    return headers;
  }

  function post(params, options) {
    return fetch("/graphql", {
      method: "POST",
      headers: headersFor(options),
      body: JSON.stringify(params),
    }).then(function (response) {
      return response.json();
    });
  }

  // UNAUTHENTICATED from these fields is about the credentials in their arguments (a wrong
  // password, a spent refresh token), not about the access token: refreshing cannot help,
  // and replaying a failed login would count as a second failed attempt.
  var CREDENTIAL_FIELDS = ["login", "refreshToken", "logout"];

  function unauthenticated(payload) {
    return (payload.errors || []).some(function (e) {
      var field = e.path && e.path[0];
      return e.extensions && e.extensions.code === "UNAUTHENTICATED" &&
        CREDENTIAL_FIELDS.indexOf(field) < 0;
    });
  }

  // Refresh tokens work once: like the web app, refresh under the shared Web Lock, and not at
  // all if another tab already did (its new session is in localStorage).
  function refresh() {
    var spent = auth.refreshToken;
    function exchange() {
      var current = load();
      if (!current) { save(null); return Promise.resolve(false); }
      if (current.refreshToken !== spent) { save(current); return Promise.resolve(true); }
      return post({
        query: "mutation Refresh($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken expiresAt user { id email fullName role } } }",
        variables: { t: spent },
      }).then(function (payload) {
        capture(payload);
        var ok = Boolean(payload.data && payload.data.refreshToken);
        if (!ok) save(null);
        return ok;
      });
    }
    return navigator.locks ? navigator.locks.request("ai-service.refresh", exchange) : exchange();
  }

  function httpFetch(params, options) {
    return post(params, options).then(function (payload) {
      capture(payload);
      if (unauthenticated(payload) && auth && auth.refreshToken && params.operationName !== "Refresh") {
        return refresh().then(function (ok) {
          return ok ? post(params, options).then(function (p) { capture(p); return p; }) : payload;
        });
      }
      return payload;
    });
  }

  function isSubscription(params) {
    var query = params.query || "";
    if (params.operationName) {
      return new RegExp("\\bsubscription\\s+" + params.operationName + "\\b").test(query);
    }
    return /^\s*(#.*\n\s*)*subscription\b/.test(query);
  }

  // A minimal graphql-transport-ws client: one socket per subscription.
  function subscribe(params) {
    var queue = [];
    var waiting = null;
    var done = false;
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + "/graphql", "graphql-transport-ws");

    function push(value) {
      if (waiting) {
        var resolve = waiting;
        waiting = null;
        resolve({ value: value, done: false });
      } else {
        queue.push(value);
      }
    }
    function finish() {
      done = true;
      if (waiting) {
        var resolve = waiting;
        waiting = null;
        resolve({ value: undefined, done: true });
      }
    }
    function send(message) { socket.send(JSON.stringify(message)); }

    socket.onopen = function () {
      send({ type: "connection_init", payload: auth ? { Authorization: "Bearer " + auth.accessToken } : {} });
    };
    socket.onmessage = function (event) {
      var message = JSON.parse(event.data);
      if (message.type === "connection_ack") send({ id: "1", type: "subscribe", payload: params });
      else if (message.type === "next") push(message.payload);
      else if (message.type === "error") { push({ errors: message.payload }); finish(); socket.close(1000); }
      else if (message.type === "complete") { finish(); socket.close(1000); }
      else if (message.type === "ping") send({ type: "pong" });
    };
    socket.onclose = function (event) {
      if (done) return;
      if (event.code !== 1000) push({ errors: [{ message: "Connection closed: " + (event.reason || event.code) }] });
      finish();
    };

    var iterator = {
      next: function () {
        if (queue.length) return Promise.resolve({ value: queue.shift(), done: false });
        if (done) return Promise.resolve({ value: undefined, done: true });
        return new Promise(function (resolve) { waiting = resolve; });
      },
      return: function () {
        if (socket.readyState === WebSocket.OPEN) {
          send({ id: "1", type: "complete" });
          socket.close(1000);
        }
        finish();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
    iterator[Symbol.asyncIterator] = function () { return iterator; };
    return iterator;
  }

  function fetcher(params, options) {
    return isSubscription(params) ? subscribe(params) : httpFetch(params, options);
  }

  // Signed in or out in another tab (or in the web app).
  window.addEventListener("storage", function (event) {
    if (event.key === STORAGE_KEY || event.key === null) { auth = load(); showStatus(); }
  });
  document.getElementById("sign-out").addEventListener("click", function () { save(null); });
  showStatus();
  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, { fetcher: fetcher, defaultQuery: DEFAULT_QUERY })
  );
})();
