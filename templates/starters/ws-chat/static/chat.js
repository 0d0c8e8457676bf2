// Opens the chat WebSocket on the page's own host (wss:// behind https) and
// reconnects under the name typed when the first message is sent.
document.addEventListener("DOMContentLoaded", () => {
  const list = document.getElementById("messages");
  const form = document.getElementById("send");
  const nameInput = document.getElementById("name");
  const textInput = document.getElementById("text");
  let socket = null;
  let socketName = null;

  function show(message) {
    const item = document.createElement("li");
    const from = document.createElement("span");
    from.className = "from";
    from.textContent = message.from;
    item.append(from, document.createTextNode(message.text));
    list.append(item);
  }

  function connect(name) {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const url = scheme + "//" + location.host + "/ws?name=" + encodeURIComponent(name);
    socket = new WebSocket(url);
    socketName = name;
    socket.addEventListener("message", (event) => show(JSON.parse(event.data)));
    socket.addEventListener("close", () => (socket = null));
    return new Promise((resolve) => socket.addEventListener("open", resolve, { once: true }));
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = nameInput.value.trim() || "guest";
    if (!socket || socketName !== name) {
      if (socket) socket.close();
      await connect(name);
    }
    socket.send(textInput.value);
    textInput.value = "";
  });
});
