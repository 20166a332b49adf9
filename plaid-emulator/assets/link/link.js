/* The emulated Link flow in its iframe (docs: link-web.txt): consent, institution search,
 * credentials, MFA where the password asks for it, account selection, success, or the error
 * pane; every step is checked by the emulator (POST api/...), and the page that opened Link
 * hears onEvent, onSuccess and onExit through link-initialize.js. */
(function () {
  "use strict";
  var params = new URLSearchParams(window.location.search);
  var token = params.get("token") || "";
  var parentOrigin = params.get("origin") || "*";
  var linkSessionId = newSessionId();
  var session = null;
  var view = null;
  var institution = null;
  var credentials = null;
  var mfaAnswers = [];
  var mfaType = null;
  var lastQuery = null;
  var lastResultsEmpty = false;
  var lastRequestId = null;

  function newSessionId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    return "xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx".replace(/x/g, function () {
      return Math.floor(Math.random() * 16).toString(16);
    });
  }

  function $(id) { return document.getElementById(id); }

  function send(message) { window.parent.postMessage(message, parentOrigin); }

  function eventMetadata(extra) {
    var metadata = {
      error_type: null, error_code: null, error_message: null, exit_status: null,
      institution_id: institution ? institution.institution_id : null,
      institution_name: institution ? institution.name : null,
      institution_search_query: null, mfa_type: null, view_name: null,
      request_id: lastRequestId, link_session_id: linkSessionId,
      timestamp: new Date().toISOString(), selection: null
    };
    Object.keys(extra || {}).forEach(function (key) { metadata[key] = extra[key]; });
    return metadata;
  }

  function emit(eventName, extra) {
    send({ type: "event", eventName: eventName, metadata: eventMetadata(extra) });
  }

  function fill(selector, text) {
    document.querySelectorAll(selector).forEach(function (node) { node.textContent = text; });
  }

  // One pane at a time; its heading takes focus so keyboard and screen-reader users follow.
  function show(name, extra) {
    document.querySelectorAll("main > section").forEach(function (pane) {
      pane.hidden = pane.id !== name;
    });
    view = name;
    var heading = $(name).querySelector("h1");
    if (heading) heading.focus();
    if (name !== "LOADING") emit("TRANSITION_VIEW", Object.assign({ view_name: name }, extra || {}));
  }

  function api(step, body) {
    body.link_token = token;
    return fetch("api/" + step, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body)
    }).then(function (response) {
      lastRequestId = response.headers.get("plaid-request-id") || lastRequestId;
      return response.json();
    });
  }

  function exitStatus() {
    switch (view) {
      case "MFA": return "requires_code";
      case "SELECT_ACCOUNT": return "requires_account_selection";
      case "SELECT_INSTITUTION": return lastResultsEmpty ? "institution_not_found" : "requires_credentials";
      default: return "requires_credentials";
    }
  }

  var shownError = null;

  function exit() {
    var status = exitStatus();
    var error = shownError;
    emit("EXIT", {
      exit_status: status,
      error_type: error ? error.error_type : null,
      error_code: error ? error.error_code : null,
      error_message: error ? error.error_message : null
    });
    send({ type: "exit", error: error, metadata: {
      institution: institution, status: status,
      link_session_id: linkSessionId, request_id: lastRequestId
    } });
  }

  function fail(error) {
    shownError = {
      error_type: error.error_type, error_code: error.error_code,
      error_message: error.error_message, display_message: error.display_message || null
    };
    emit("ERROR", {
      error_type: error.error_type, error_code: error.error_code, error_message: error.error_message
    });
    $("error-message").textContent = error.display_message || error.error_message;
    $("error-code").textContent = error.error_code;
    show("ERROR", { error_type: error.error_type, error_code: error.error_code });
  }

  function renderInstitutions(list) {
    var ul = $("institutions");
    ul.textContent = "";
    list.forEach(function (found) {
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = found.name;
      button.addEventListener("click", function () { selectInstitution(found); });
      li.appendChild(button);
      ul.appendChild(li);
    });
    lastResultsEmpty = list.length === 0;
    $("no-results").hidden = !lastResultsEmpty;
  }

  var searches = 0;

  // Only the answer to the latest search is shown, whatever order the answers come in.
  function search(query) {
    var mine = ++searches;
    api("institutions", { query: query }).then(function (answer) {
      if (mine !== searches) return;
      if (answer.error) return fail(answer.error);
      if (query) {
        lastQuery = query;
        emit("SEARCH_INSTITUTION", { institution_search_query: query });
      }
      renderInstitutions(answer.institutions || []);
    });
  }

  function selectInstitution(found) {
    institution = { name: found.name, institution_id: found.institution_id };
    emit("SELECT_INSTITUTION", { institution_search_query: lastQuery });
    fill(".institution-name", found.name);
    show("CREDENTIAL");
  }

  function afterLogin(answer) {
    if (answer.error) return fail(answer.error);
    if (answer.next === "mfa") return showMfa(answer);
    if (answer.next === "accounts") return showAccounts(answer.accounts || []);
    return connect(null);
  }

  // One MFA round: a text field per question, or a radio group where the question has options.
  function showMfa(answer) {
    mfaType = answer.mfa_type;
    var box = $("mfa-questions");
    box.textContent = "";
    answer.questions.forEach(function (question, k) {
      var id = "mfa-" + answer.round + "-" + k;
      if (question.options.length > 0) {
        var set = document.createElement("fieldset");
        var legend = document.createElement("legend");
        legend.textContent = question.prompt;
        set.appendChild(legend);
        question.options.forEach(function (option, o) {
          var input = document.createElement("input");
          input.type = "radio";
          input.name = id;
          input.id = id + "-" + o;
          input.value = option;
          input.required = true;
          var label = document.createElement("label");
          label.htmlFor = input.id;
          label.textContent = option;
          set.appendChild(input);
          set.appendChild(label);
        });
        box.appendChild(set);
      } else {
        var label = document.createElement("label");
        label.htmlFor = id;
        label.textContent = answer.mfa_type === "code" ? "Code" : question.prompt;
        var input = document.createElement("input");
        input.id = id;
        input.name = id;
        input.required = true;
        input.maxLength = 100;
        input.autocomplete = "one-time-code";
        if (answer.mfa_type === "code") {
          var hint = document.createElement("p");
          hint.className = "hint";
          hint.textContent = question.prompt;
          box.appendChild(hint);
        }
        box.appendChild(label);
        box.appendChild(input);
      }
    });
    show("MFA", { mfa_type: mfaType });
  }

  function mfaRound() {
    var answers = [];
    $("mfa-questions").querySelectorAll("input").forEach(function (input) {
      if (input.type === "radio") {
        if (input.checked) answers.push(input.value);
      } else {
        answers.push(input.value);
      }
    });
    return answers;
  }

  function showAccounts(accounts) {
    var box = $("accounts");
    box.textContent = "";
    accounts.forEach(function (account, k) {
      var row = document.createElement("div");
      row.className = "account";
      var input = document.createElement("input");
      input.type = "checkbox";
      input.id = "account-" + k;
      input.value = account.id;
      input.checked = true;
      var label = document.createElement("label");
      label.htmlFor = input.id;
      label.textContent = account.name + (account.mask ? " ••" + account.mask : "");
      row.appendChild(input);
      row.appendChild(label);
      box.appendChild(row);
    });
    show("SELECT_ACCOUNT");
  }

  var linked = null;

  function login() {
    api("credentials", {
      institution_id: institution ? institution.institution_id : null,
      username: credentials.username, password: credentials.password, mfa_answers: mfaAnswers
    }).then(afterLogin);
  }

  function connect(accountIds) {
    api("connect", {
      institution_id: institution ? institution.institution_id : null,
      username: credentials.username, password: credentials.password,
      mfa_answers: mfaAnswers, account_ids: accountIds
    }).then(function (answer) {
      if (answer.error) return fail(answer.error);
      linked = answer;
      show("CONNECTED");
    });
  }

  function success() {
    emit("HANDOFF");
    var metadata = linked.metadata;
    metadata.link_session_id = linkSessionId;
    send({ type: "success", public_token: linked.public_token, metadata: metadata });
  }

  function bind() {
    $("close").addEventListener("click", function () {
      if (view === "CONNECTED" && linked) success(); else exit();
    });
    $("consent-continue").addEventListener("click", function () {
      if (session.update_mode) {
        show("CREDENTIAL");
      } else {
        show("SELECT_INSTITUTION");
        search("");
      }
    });
    $("search").addEventListener("input", function (event) { search(event.target.value.trim()); });
    $("search-form").addEventListener("submit", function (event) { event.preventDefault(); });
    $("credential-form").addEventListener("submit", function (event) {
      event.preventDefault();
      credentials = { username: $("username").value, password: $("password").value };
      mfaAnswers = [];
      emit("SUBMIT_CREDENTIALS");
      login();
    });
    $("mfa-form").addEventListener("submit", function (event) {
      event.preventDefault();
      mfaAnswers.push(mfaRound());
      emit("SUBMIT_MFA", { mfa_type: mfaType });
      login();
    });
    $("account-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var ids = Array.prototype.map.call(
        document.querySelectorAll("#accounts input:checked"), function (box) { return box.value; });
      $("account-needed").hidden = ids.length > 0;
      if (ids.length > 0) connect(ids);
    });
    $("connected-continue").addEventListener("click", success);
    $("error-exit").addEventListener("click", exit);
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") $("close").click();
    });
    window.addEventListener("message", function (event) {
      if (event.source !== window.parent) return;
      var message = event.data || {};
      if (message.type === "exit") $("close").click();
    });
  }

  function start() {
    bind();
    api("session", {}).then(function (answer) {
      if (answer.error) {
        emit("OPEN", { is_update_mode: null });
        return fail(answer.error);
      }
      session = answer;
      document.documentElement.lang = session.language || "en";
      fill(".client-name", session.client_name);
      fill(".products", "Shares: " + session.products.join(", "));
      if (session.institution) {
        institution = session.institution;
        fill(".institution-name", institution.name);
      }
      emit("OPEN", { is_update_mode: session.update_mode ? "true" : "false" });
      show("CONSENT");
    }).catch(function (error) {
      fail({ error_type: "API_ERROR", error_code: "INTERNAL_SERVER_ERROR",
        error_message: String(error), display_message: null });
    });
  }

  start();
})();
