/* Plaid Link for the web, emulated (docs: link-web.txt). Served by plaid-emulator at Plaid's
 * CDN path, /link/v2/stable/link-initialize.js: a page points at the emulator by changing the
 * script's origin, or a browser test routes cdn.plaid.com's URL here. Link itself runs in an
 * iframe served from the same origin as this script, and talks to this page by postMessage. */
(function () {
  "use strict";
  var script = document.currentScript;
  var origin = new URL(script ? script.src : "/", window.location.href).origin;
  var frameUrl = origin + "/link/v2/stable/link.html";

  function create(config) {
    config = config || {};
    var frame = null;
    var destroyed = false;

    function call(name, first, second) {
      var callback = config[name];
      if (typeof callback !== "function") return;
      try {
        callback(first, second);
      } catch (error) {
        console.error("Plaid Link: " + name + " threw", error);
      }
    }

    function close() {
      if (frame) {
        frame.remove();
        frame = null;
      }
    }

    function onMessage(event) {
      if (!frame || event.source !== frame.contentWindow || event.origin !== origin) return;
      var message = event.data || {};
      if (message.type === "event") {
        call("onEvent", message.eventName, message.metadata);
      } else if (message.type === "success") {
        close();
        call("onSuccess", message.public_token, message.metadata);
      } else if (message.type === "exit") {
        close();
        call("onExit", message.error, message.metadata);
      }
    }

    function post(message) {
      if (frame && frame.contentWindow) frame.contentWindow.postMessage(message, origin);
    }

    window.addEventListener("message", onMessage);

    var handler = {
      // Shows Link (the consent pane first) in an iframe over the page.
      open: function () {
        if (destroyed || frame) return;
        frame = document.createElement("iframe");
        frame.src = frameUrl + "?token=" + encodeURIComponent(config.token || "") +
          "&origin=" + encodeURIComponent(window.location.origin);
        frame.title = "Plaid Link";
        frame.setAttribute("allow", "clipboard-write");
        frame.style.cssText = "position:fixed;inset:0;width:100%;height:100%;border:0;" +
          "z-index:2147483647;background:rgba(0,0,0,0.4)";
        document.body.appendChild(frame);
        frame.focus();
      },
      // Closes Link; onExit (or onSuccess, from the success pane) is called.
      exit: function (options) {
        post({ type: "exit", force: !!(options && options.force) });
      },
      // Removes the iframe and stops listening; the handler cannot be opened again.
      destroy: function () {
        destroyed = true;
        close();
        window.removeEventListener("message", onMessage);
      },
      // Data a pane asks the page for (e.g. a phone number); handed to the open pane.
      submit: function (data) {
        post({ type: "submit", data: data });
      }
    };
    // The module is loaded with this script: onLoad comes as soon as the caller has its handler.
    Promise.resolve().then(function () {
      if (!destroyed) call("onLoad");
    });
    return handler;
  }

  window.Plaid = { create: create, version: "emulated" };
})();
