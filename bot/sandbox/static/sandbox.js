// The sandbox page: phones side by side, each a chat with the bot, kept live by long-polling /api/state.
// Everything shown is built with DOM nodes and textContent; no text from the bot or a person is ever
// parsed as HTML. Formatting comes from the message entities the simulator parsed, like a phone does.
"use strict";

const page = {
  config: null,
  lang: "nl",
  shown: new Set(),
  version: 0,
  offsetMs: 0,
  state: null,
  rendered: new Map(), // person key -> JSON of what was last drawn, to redraw only what changed
  seenToasts: new Set(),
  firstState: true,
};

// ------------------------------------------------------------------------------------ helpers

function tr(key, values) {
  const entry = page.config.messages[key];
  if (!entry) return key;
  let text = entry[page.lang] || entry.nl;
  for (const [name, value] of Object.entries(values || {})) text = text.split(`{${name}}`).join(String(value));
  return text;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

async function call(path, body) {
  const options = body === undefined ? {} : {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  };
  const response = await fetch(path, options);
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

function botNow() {
  return new Date(Date.now() + page.offsetMs);
}

function formatTime(date) {
  return new Intl.DateTimeFormat(page.lang, {
    hour: "2-digit", minute: "2-digit", hour12: false, timeZone: page.config.zone,
  }).format(date);
}

function formatDay(date) {
  return new Intl.DateTimeFormat(page.lang, {
    weekday: "long", day: "numeric", month: "long", timeZone: page.config.zone,
  }).format(date);
}

function dayKey(date) {
  return new Intl.DateTimeFormat("en-CA", { timeZone: page.config.zone }).format(date);
}

function showBanner(key) {
  const banner = document.getElementById("banner");
  if (!key) {
    banner.hidden = true;
    return;
  }
  banner.textContent = tr(key);
  banner.hidden = false;
}

// --------------------------------------------------------------------------------- the chrome

function drawChrome() {
  document.documentElement.lang = page.lang;
  document.title = tr("title");
  document.getElementById("title").textContent = tr("title");
  document.getElementById("intro").textContent = tr("intro", { organisation: page.config.organisation });
  document.getElementById("offline-note").textContent = tr("offline_note");
  document.getElementById("clock-label").textContent = tr("clock.label");
  document.getElementById("clock-15m").textContent = tr("clock.plus15");
  document.getElementById("clock-1h").textContent = tr("clock.plus1h");
  document.getElementById("clock-1d").textContent = tr("clock.plus1d");
  document.getElementById("clock-monday").textContent = tr("clock.monday");
  document.getElementById("clock-hint").textContent = tr("clock.hint");
  document.getElementById("lang-group").setAttribute("aria-label", tr("language"));
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.classList.toggle("active", button.dataset.lang === page.lang);
  }
  const chooser = document.getElementById("chooser");
  chooser.replaceChildren(el("legend", "", tr("phones")));
  for (const person of page.config.people) {
    const label = el("label", "chip");
    const box = el("input");
    box.type = "checkbox";
    box.checked = page.shown.has(person.key);
    box.dataset.person = person.key;
    box.addEventListener("change", () => {
      if (box.checked) page.shown.add(person.key);
      else page.shown.delete(person.key);
      localStorage.setItem("samenspel.shown", JSON.stringify([...page.shown]));
      drawPhones();
    });
    label.append(box, el("span", "", `${person.name} · ${tr(`role.${person.role}`)}`));
    chooser.append(label);
  }
  drawClock();
}

function drawClock() {
  if (!page.config) return;
  const now = botNow();
  document.getElementById("clock-now").textContent = `${formatDay(now)} ${formatTime(now)}`;
  for (const bar of document.querySelectorAll(".status-time")) bar.textContent = formatTime(now);
}

// --------------------------------------------------------------------------------- the phones

function drawPhones() {
  const container = document.getElementById("phones");
  container.replaceChildren();
  page.rendered.clear();
  for (const person of page.config.people) {
    if (page.shown.has(person.key)) container.append(buildPhone(person));
  }
  if (page.state) drawState(page.state);
  drawClock();
}

function buildPhone(person) {
  const wrap = el("section", "phone-wrap");
  wrap.dataset.person = person.key;
  const caption = el("div", "owner");
  caption.append(el("strong", "", person.name), el("span", "", ` · ${tr(`role.${person.role}`)}`));
  const hint = el("div", "hint", tr(`hint.${person.key}`));

  const phone = el("div", "phone");
  const status = el("div", "status");
  status.append(el("span", "status-time"), el("span", "status-icons", "▂▄▆ ▮"));
  const head = el("div", "chat-head");
  const avatar = el("div", "avatar", "S");
  const who = el("div", "who");
  who.append(el("div", "who-name", page.config.organisation), el("div", "who-sub", tr("bot_subtitle")));
  head.append(avatar, who);

  const chat = el("div", "chat");
  chat.setAttribute("aria-live", "polite");
  const toast = el("div", "toast");
  toast.hidden = true;
  const alertBox = el("div", "alert");
  alertBox.hidden = true;

  const menuList = el("div", "menu-list");
  menuList.hidden = true;
  const composer = el("form", "composer");
  const menuButton = el("button", "menu-btn", tr("menu"));
  menuButton.type = "button";
  menuButton.addEventListener("click", () => {
    menuList.hidden = !menuList.hidden;
  });
  const input = el("input", "composer-input");
  input.type = "text";
  input.placeholder = tr("input.placeholder");
  input.autocomplete = "off";
  input.maxLength = 4096;
  const send = el("button", "composer-send", "➤");
  send.type = "submit";
  send.title = tr("send");
  send.setAttribute("aria-label", tr("send"));
  composer.append(menuButton, input, send);
  composer.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    menuList.hidden = true;
    sendText(person.key, text);
  });

  phone.append(status, head, chat, toast, alertBox, menuList, composer);
  wrap.append(caption, hint);
  if (person.role === "new") wrap.append(openInviteButton(person.key));
  wrap.append(phone);
  return wrap;
}

// The spare phone opens the newest invite link shown on Anna's phone, as tapping it in Telegram would.
function openInviteButton(key) {
  const button = el("button", "open-invite", tr("open_invite"));
  button.type = "button";
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const response = await fetch("/api/open-invite", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ person: key }),
      });
      if (response.status === 409) showBanner("no_invite");
      else if (!response.ok) throw new Error(`open-invite: ${response.status}`);
    } catch (error) {
      console.error(error);
      showBanner("failed");
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

async function sendText(key, text) {
  try {
    await call("/api/send", { person: key, text });
  } catch (error) {
    console.error(error);
    showBanner("failed");
  }
}

async function press(key, messageId, row, column, button) {
  button.disabled = true;
  try {
    await call("/api/press", { person: key, message_id: messageId, row, column });
  } catch (error) {
    console.error(error);
    button.disabled = false;
  }
}

function drawState(state) {
  for (const wrap of document.querySelectorAll(".phone-wrap")) {
    const key = wrap.dataset.person;
    const phone = state.phones[key];
    if (!phone) continue;
    const json = JSON.stringify(phone) + page.lang;
    if (page.rendered.get(key) === json) continue;
    page.rendered.set(key, json);
    drawChat(wrap, key, phone);
    drawMenu(wrap, key, phone.commands);
    drawToasts(wrap, phone.toasts);
  }
}

function drawChat(wrap, key, phone) {
  const chat = wrap.querySelector(".chat");
  const atBottom = chat.scrollHeight - chat.scrollTop - chat.clientHeight < 60;
  const before = chat.querySelectorAll(".msg").length;
  const today = dayKey(botNow());
  let lastDay = null;
  const nodes = [];
  for (const message of phone.messages) {
    const date = new Date(message.date * 1000);
    const day = dayKey(date);
    if (day !== lastDay) {
      nodes.push(el("div", "day", day === today ? tr("today") : formatDay(date)));
      lastDay = day;
    }
    nodes.push(drawMessage(key, message, date));
  }
  chat.replaceChildren(...nodes);
  if (atBottom || phone.messages.length !== before || page.firstState) chat.scrollTop = chat.scrollHeight;
}

function drawMessage(key, message, date) {
  const mine = message.from === "me";
  const row = el("div", `msg ${mine ? "me" : "bot"}`);
  row.dataset.id = message.id;
  const bubble = el("div", "bubble");
  if (message.file) bubble.append(el("div", "file", `📄 ${tr("file", { name: message.file })}`));
  const text = el("div", "text");
  if (mine) text.textContent = message.text;
  else renderEntities(key, message.text, message.entities || [], text);
  const meta = el("span", "meta");
  if (message.edited) meta.append(el("span", "edited", tr("edited")), " ");
  meta.append(formatTime(date));
  bubble.append(text, meta);
  row.append(bubble);
  if (!mine && message.buttons && message.buttons.length) {
    const keyboard = el("div", "keyboard");
    message.buttons.forEach((buttons, rowIndex) => {
      const line = el("div", "kb-row");
      buttons.forEach((button, columnIndex) => {
        const node = el("button", "kb-btn", button.text);
        node.type = "button";
        if (button.callback) {
          node.addEventListener("click", () => press(key, message.message_id, rowIndex, columnIndex, node));
        } else {
          node.disabled = true; // link buttons would leave the sandbox; there is no network
        }
        line.append(node);
      });
      keyboard.append(line);
    });
    row.append(keyboard);
  }
  return row;
}

// Telegram entities count UTF-16 code units, which is exactly how JavaScript indexes strings.
function renderEntities(key, text, entities, parent) {
  const sorted = [...entities].sort((a, b) => a.offset - b.offset || b.length - a.length);
  build(key, text, 0, text.length, sorted, parent);
}

function build(key, text, start, end, entities, parent) {
  let position = start;
  let index = 0;
  while (index < entities.length) {
    const entity = entities[index];
    const entityEnd = Math.min(entity.offset + entity.length, end);
    const inner = [];
    let next = index + 1;
    while (next < entities.length && entities[next].offset < entityEnd) {
      inner.push(entities[next]);
      next += 1;
    }
    if (entity.offset > position) plainText(key, text.slice(position, entity.offset), parent);
    const content = text.slice(entity.offset, entityEnd);
    const node = entityNode(key, entity, content);
    if (entity.type === "bot_command") node.textContent = content;
    else build(key, text, Math.max(entity.offset, position), entityEnd, inner, node);
    parent.append(node);
    position = Math.max(position, entityEnd);
    index = next;
  }
  if (position < end) plainText(key, text.slice(position, end), parent);
}

function entityNode(key, entity, content) {
  switch (entity.type) {
    case "bold": return el("b");
    case "italic": return el("i");
    case "underline": return el("u");
    case "strikethrough": return el("s");
    case "code": return el("code");
    case "pre": return el("pre");
    case "blockquote":
    case "expandable_blockquote": return el("blockquote");
    case "spoiler": {
      const node = el("span", "spoiler");
      node.addEventListener("click", () => node.classList.add("revealed"));
      return node;
    }
    case "text_link":
    case "url": {
      const node = el("a");
      const href = entity.type === "url" ? content : entity.url;
      if (/^https?:\/\//i.test(href || "")) {
        node.href = href;
        node.target = "_blank";
        node.rel = "noopener noreferrer";
      }
      return node;
    }
    case "bot_command": return commandNode(key, content);
    default: return el("span");
  }
}

// Like Telegram's apps, a /command in the bot's text can be tapped to send it.
function plainText(key, text, parent) {
  const pattern = /(^|[\s(])(\/[a-z][a-z0-9_]{0,31})(?=$|[\s.,;:!?)])/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    const start = match.index + match[1].length;
    if (start > last) parent.append(text.slice(last, start));
    const node = commandNode(key, match[2]);
    node.textContent = match[2];
    parent.append(node);
    last = start + match[2].length;
  }
  if (last < text.length) parent.append(text.slice(last));
}

function commandNode(key, command) {
  const node = el("span", "cmd");
  node.setAttribute("role", "button");
  node.tabIndex = 0;
  const run = () => sendText(key, (node.textContent || command).trim());
  node.addEventListener("click", run);
  node.addEventListener("keydown", (event) => {
    if (event.key === "Enter") run();
  });
  return node;
}

function drawMenu(wrap, key, commands) {
  const list = wrap.querySelector(".menu-list");
  list.replaceChildren();
  if (!commands.length) list.append(el("div", "menu-empty", tr("menu.empty")));
  for (const command of commands) {
    const item = el("button", "menu-item");
    item.type = "button";
    item.append(el("span", "menu-cmd", `/${command.command}`), el("span", "menu-desc", command.description));
    item.addEventListener("click", () => {
      list.hidden = true;
      sendText(key, `/${command.command}`);
    });
    list.append(item);
  }
}

function drawToasts(wrap, toasts) {
  for (const toast of toasts) {
    const id = `${wrap.dataset.person}:${toast.id}`;
    if (page.seenToasts.has(id)) continue;
    page.seenToasts.add(id);
    if (page.firstState) continue; // answers from before the page opened are old news
    if (toast.alert) {
      const box = wrap.querySelector(".alert");
      const ok = el("button", "alert-ok", tr("ok"));
      ok.type = "button";
      ok.addEventListener("click", () => {
        box.hidden = true;
      });
      box.replaceChildren(el("div", "alert-text", toast.text), ok);
      box.hidden = false;
    } else {
      const box = wrap.querySelector(".toast");
      box.textContent = toast.text;
      box.hidden = false;
      clearTimeout(box.hideTimer);
      box.hideTimer = setTimeout(() => {
        box.hidden = true;
      }, 3000);
    }
  }
}

// ------------------------------------------------------------------------------ live updates

async function poll() {
  for (;;) {
    try {
      const state = await call(`/api/state?after=${page.version}`);
      page.version = state.version;
      page.offsetMs = state.clock.offset_ms;
      page.state = state;
      showBanner(state.ready === false ? "starting" : null);
      drawState(state);
      drawClock();
      page.firstState = false;
      document.body.dataset.version = String(state.version);
    } catch (error) {
      console.error(error);
      showBanner("disconnected");
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

async function moveClock(step, button) {
  button.disabled = true;
  try {
    await call("/api/clock", { step });
  } catch (error) {
    console.error(error);
    showBanner("failed");
  } finally {
    button.disabled = false;
  }
}

async function main() {
  page.config = await call("/api/config");
  page.lang = localStorage.getItem("samenspel.lang") || page.config.language;
  const saved = JSON.parse(localStorage.getItem("samenspel.shown") || "null");
  page.shown = new Set(Array.isArray(saved) ? saved : page.config.shown_first);
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.addEventListener("click", () => {
      page.lang = button.dataset.lang;
      localStorage.setItem("samenspel.lang", page.lang);
      drawChrome();
      drawPhones();
    });
  }
  for (const button of document.querySelectorAll("[data-step]")) {
    button.addEventListener("click", () => moveClock(button.dataset.step, button));
  }
  drawChrome();
  drawPhones();
  setInterval(drawClock, 1000);
  poll();
}

main();
