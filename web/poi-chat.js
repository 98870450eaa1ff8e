/*
 * The POI assistant's chat widget: one <script> tag on any page (see the README, "Embed the chat").
 *
 * It loads rasa-webchat 1.0.1 (vendor/webchat.js, served beside this file), configures it for this
 * assistant from the tag's data-* attributes, and adds what the widget lacks for keyboard and
 * screen-reader users: names for its buttons and text box, a live region for new messages, quick
 * replies that work with Enter and Space, focus moved into the chat when it opens, Escape to close.
 * It never inserts HTML: the widget renders messages as text or escaped markdown.
 */
(function () {
  "use strict";

  var tag = document.currentScript;
  var base = new URL(".", tag.src);
  var data = tag.dataset;

  var settings = {
    server: data.server || base.origin,
    socketPath: data.socketPath || "/socket.io/",
    initPayload: data.initPayload || "/greet",
    title: data.title || "POI information assistant",
    subtitle: data.subtitle || "General information, not medical advice",
    mainColor: data.mainColor || "#6b1d4f",
    userBackgroundColor: data.userBackgroundColor || "#6b1d4f",
    userTextColor: data.userTextColor || "#ffffff",
    assistantBackgroundColor: data.assistantBackgroundColor || "#f1eef0",
    assistantTextColor: data.assistantTextColor || "#1a1a1a"
  };

  function load(element, url) {
    return new Promise(function (resolve, reject) {
      element.onload = resolve;
      element.onerror = function () { reject(new Error("could not load " + url)); };
      document.head.appendChild(element);
    });
  }

  function setAll(root, selector, attributes) {
    root.querySelectorAll(selector).forEach(function (element) {
      Object.keys(attributes).forEach(function (name) {
        if (element.getAttribute(name) !== attributes[name]) element.setAttribute(name, attributes[name]);
      });
    });
  }

  // The widget re-renders often; labels are (re)applied after every change to its tree.
  function label(root) {
    var open = !!root.querySelector(".rw-chat-open");
    setAll(root, ".rw-launcher", {
      "aria-label": open ? "Close the chat" : "Open the chat: questions about POI",
      "aria-expanded": String(open)
    });
    setAll(root, ".rw-close-button", { "aria-label": "Close the chat" });
    setAll(root, ".rw-close-button img, .rw-launcher img", { "alt": "" });
    setAll(root, ".rw-title", { "role": "heading", "aria-level": "2" });
    setAll(root, ".rw-messages-container", {
      "role": "log", "aria-live": "polite", "aria-label": "Conversation", "tabindex": "0"
    });
    setAll(root, ".rw-new-message", { "aria-label": "Your question" });
    setAll(root, ".rw-send", { "aria-label": "Send" });
    setAll(root, ".rw-reply", { "role": "button", "tabindex": "0" });
    return open;
  }

  function makeAccessible(root) {
    var wasOpen = false;
    new MutationObserver(function () {
      var open = label(root);
      if (open && !wasOpen) {
        var input = root.querySelector(".rw-new-message");
        if (input) input.focus();
      } else if (!open && wasOpen) {
        var launcher = root.querySelector(".rw-launcher");
        if (launcher) launcher.focus();
      }
      wasOpen = open;
    }).observe(root, { childList: true, subtree: true });

    root.addEventListener("keydown", function (event) {
      var reply = event.target.closest && event.target.closest(".rw-reply");
      if (reply && (event.key === "Enter" || event.key === " ")) {
        event.preventDefault();
        reply.click();
      } else if (event.key === "Escape") {
        var close = root.querySelector(".rw-close-button");
        if (close) close.click();
      }
    });
  }

  function start() {
    var root = document.createElement("div");
    root.id = "poi-chat";
    root.setAttribute("role", "region");
    root.setAttribute("aria-label", "Chat: " + settings.title);
    document.body.appendChild(root);
    makeAccessible(root);
    window.WebChat.default({
      initPayload: settings.initPayload,
      customData: { language: document.documentElement.lang || "en" },
      socketUrl: settings.server,
      socketPath: settings.socketPath,
      title: settings.title,
      subtitle: settings.subtitle,
      inputTextFieldHint: "Type your question...",
      params: { storage: "local" },  // the conversation survives page loads (this browser only)
      showMessageDate: false,
      customMessageDelay: function () { return 300; },  // no fake typing delay for long answers
      mainColor: settings.mainColor,
      userBackgroundColor: settings.userBackgroundColor,
      userTextColor: settings.userTextColor,
      assistBackgoundColor: settings.assistantBackgroundColor,  // sic: the widget's spelling
      assistTextColor: settings.assistantTextColor
    }, root);
  }

  var style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = new URL("poi-chat.css", base).href;
  var bundle = document.createElement("script");
  bundle.src = new URL("vendor/webchat.js", base).href;
  Promise.all([load(style, style.href), load(bundle, bundle.src)]).then(start, function (error) {
    console.error("POI chat:", error.message);
  });
})();
