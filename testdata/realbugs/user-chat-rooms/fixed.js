'use strict';
// A small line-based chat server (net): a client sends "JOIN <room>" and then
// messages, which go to everyone in the room. The server keeps its clients
// by id and the members of each room; when a client disconnects it is
// removed from `clients` but left in its room's member Set, so every client
// that ever joined stays alive with its socket and its message history.
// fixed.js removes it from its room (and drops the room when it is empty).
const net = require('net');

class ChatClient {
  constructor(id, socket) {
    this.id = id;
    this.socket = socket;
    this.room = null;
    this.history = [];
    this.joinedAt = Date.now();
  }

  send(line) {
    this.history.push(line);
    if (!this.socket.destroyed) this.socket.write(line + '\n');
  }
}

const clients = new Map();   // id -> ChatClient
const rooms = new Map();     // room name -> Set<ChatClient>
let nextClientId = 1;

function join(client, name) {
  let members = rooms.get(name);
  if (!members) {
    members = new Set();
    rooms.set(name, members);
  }
  members.add(client);
  client.room = name;
}

function leave(client) {
  const members = rooms.get(client.room);
  if (!members) return;
  members.delete(client);
  if (members.size === 0) rooms.delete(client.room);
}

function broadcast(client, text) {
  for (const member of rooms.get(client.room) || []) {
    member.send(`${client.id}: ${text}`);
  }
}

const server = net.createServer((socket) => {
  const client = new ChatClient(nextClientId++, socket);
  clients.set(client.id, client);
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk) => {
    buffered += chunk;
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line.startsWith('JOIN ')) join(client, line.slice(5));
      else broadcast(client, line);
    }
  });
  socket.on('close', () => {
    clients.delete(client.id);
    leave(client);
    server.emit('client-gone', client.id);
  });
  socket.on('error', () => {});
});

// One user session: connect, join a room, say hello, wait for the echo, leave.
function session(i) {
  return new Promise((resolve, reject) => {
    let gone = false;
    let ended = false;
    const done = () => { if (gone && ended) resolve(); };
    const conn = net.connect(server.address().port, '127.0.0.1');
    conn.setEncoding('utf8');
    conn.on('error', reject);
    conn.once('data', () => conn.end());
    conn.on('close', () => { ended = true; done(); });
    server.once('client-gone', () => { gone = true; done(); });
    conn.write(`JOIN room-${i % 20}\nhello from ${i}\n`);
  });
}

module.exports = {
  setup() {
    return new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  },
  step(i) {
    return session(i);
  },
  teardown() {
    server.close();
  },
};
