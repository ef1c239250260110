// Served in place of the vendored socket.io client (widget/vendor/socket.io.min.js), with its API:
// window.io(url, options) returns a socket with on(), emit() and connect().
// The test plays the Rasa server through window.fakeServer: it reads what the widget emitted and
// emits events back. window.fakeServerMode set by the test: "refuse" fails every connection attempt,
// "wait" leaves it pending until the test emits "connect"; by default the connection succeeds.
(() => {
  const handlers = {};
  const fakeServer = {
    sent: [],
    url: null,
    options: null,
    emit(event, data) {
      (handlers[event] || []).forEach((handler) => handler(data));
    },
  };

  function io(url, options) {
    fakeServer.url = url;
    fakeServer.options = options;
    const socket = {
      connected: false,
      on(event, handler) {
        (handlers[event] = handlers[event] || []).push(handler);
        return socket;
      },
      emit(event, data) {
        fakeServer.sent.push({ event: event, data: data });
        if (event === "session_request") {
          setTimeout(() => fakeServer.emit("session_confirm", data.session_id));
        }
      },
      connect() {},
    };
    setTimeout(() => {
      if (window.fakeServerMode === "refuse") {
        fakeServer.emit("connect_error", new Error("refused"));
      } else if (window.fakeServerMode !== "wait") {
        socket.connected = true;
        fakeServer.emit("connect");
      }
    });
    return socket;
  }

  window.io = io;
  window.fakeServer = fakeServer;
})();
