// The JavaScript half of the bridge (conformance/bridge): one of these runs in
// every runtime child process, the same file for Node, Bun and Deno.
//
// Python drives it synchronously over two pipes. Each message is a 4-byte
// little-endian length and a JSON array [op, ...]. Exactly one message is in
// flight at a time: whoever sent one blocks in a read until the answer comes,
// and while it waits it serves the other side's nested requests. So a Python
// listener runs *inside* emit(), JS blocks in fs.readSync until the listener
// returns, and that listener may call back into JS (emit, close, ...) to any
// depth, in both directions.
//
// Phases: the script's synchronous part is serve() below, answering Python's
// requests; Python's 'loop' makes serve() return, the event loop runs, and
// when it goes idle ('beforeExit') we report 'idle' and serve again. Python's
// run() is therefore "run main as the script, then the loop until idle".
//
// Values (see _session.py for the Python half): JSON primitives stand for
// themselves (null is None/undefined); every other value is an object whose
// first key is its tag:
//   JS -> Python  {h:id,c:class} object  {f:id} function  {k:class} class
//                 {P:id} promise  {e:id,t,n,m,f} error  {s:id,d} symbol
//                 {o:[[k,v],...]} plain object  {b:base64} Buffer  {n:'NaN'}
//                 {p:pyid} a Python value coming home
//   Python -> JS  {h:id} one of our objects  {p:pyid,a:pad} a Python callable
//                 {x:pyid,t,n,m,f} a Python exception  {y:pyid,d} any other
//                 Python object (a Symbol here)  {r:task,st,v} a coroutine
//                 (a Promise here)  {t:pyid} another awaitable (a thenable)
//                 {o,q:pyid} a dict  {a:[...],q:pyid} a list or tuple
//                 {b}, {n} as above
'use strict';

const fs = require('node:fs');
const events = require('node:events');
const net = require('node:net');
const timers = require('node:timers');

const kRejection = Symbol.for('nodejs.rejection');
const kAsyncDispose = Symbol.asyncDispose;

// ---------------------------------------------------------------- the wire

// Deno cannot fs.readSync a descriptor number it did not open itself, but
// opening /proc/self/fd/<n> gives a new description of the same pipe, in
// blocking mode, in every runtime.
const [inFd, outFd] = (process.env.NNC_BRIDGE_FDS || '').split(',').map(Number);
delete process.env.NNC_BRIDGE_FDS;
if (!(inFd >= 0 && outFd >= 0)) {
  process.stderr.write('host.cjs is started by conformance.bridge (NNC_BRIDGE_FDS is not set)\n');
  process.exit(2);
}
const rfd = fs.openSync(`/proc/self/fd/${inFd}`, 'r');
const wfd = fs.openSync(`/proc/self/fd/${outFd}`, 'w');

let rbuf = Buffer.allocUnsafe(1 << 16);

function readMore(have) {
  let n;
  try {
    n = fs.readSync(rfd, rbuf, have, rbuf.length - have, null);
  } catch (err) {
    if (err.code === 'EAGAIN' || err.code === 'EINTR') return have;
    throw err;
  }
  if (n === 0) process.exit(0); // Python is gone: so are we
  return have + n;
}

function recv() {
  let have = 0;
  while (have < 4) have = readMore(have);
  const size = 4 + rbuf.readUInt32LE(0);
  if (size > rbuf.length) {
    const bigger = Buffer.allocUnsafe(size);
    rbuf.copy(bigger, 0, 0, have);
    rbuf = bigger;
  }
  while (have < size) have = readMore(have);
  return JSON.parse(rbuf.toString('utf8', 4, size));
}

function send(msg) {
  const text = JSON.stringify(msg);
  const out = Buffer.allocUnsafe(4 + Buffer.byteLength(text));
  out.writeUInt32LE(out.length - 4, 0);
  out.write(text, 4);
  let off = 0;
  while (off < out.length) off += fs.writeSync(wfd, out, off, out.length - off);
}

// ----------------------------------------------------------------- tables

const objects = [undefined]; // handle id -> JS value
const objectIds = new Map(); // JS value -> handle id
const described = new Set(); // class ids whose description Python has
const fromPython = new Map(); // JS stand-in (function, Error, Symbol) -> pyid
const pyFunctions = new Map(); // `${pyid}:${pad}` -> JS function
const pyValues = new Map(); // pyid -> JS Error or Symbol standing for it
const pendingTasks = new Map(); // Python coroutine id -> {resolve, reject}
const jsSymbols = new Map(); // JS-made symbol -> id
const symbolsById = [undefined];

function idOf(value) {
  let id = objectIds.get(value);
  if (id === undefined) {
    id = objects.length;
    objects.push(value);
    objectIds.set(value, id);
  }
  return id;
}

// ------------------------------------------------------------ JS -> Python

function enc(v) {
  switch (typeof v) {
    case 'undefined':
      return null;
    case 'boolean':
    case 'string':
      return v;
    case 'number':
      if (Number.isFinite(v)) return Object.is(v, -0) ? { n: '-0' } : v;
      return { n: String(v) };
    case 'bigint':
      return { i: String(v) };
    case 'symbol':
      return encSymbol(v);
    case 'function':
      return encFunction(v);
    default:
      return v === null ? null : encObject(v);
  }
}

function encSymbol(sym) {
  const pyid = fromPython.get(sym);
  if (pyid !== undefined) return { p: pyid };
  let id = jsSymbols.get(sym);
  if (id === undefined) {
    id = symbolsById.length;
    symbolsById.push(sym);
    jsSymbols.set(sym, id);
  }
  return { s: id, d: sym.description ?? null, g: Symbol.keyFor(sym) !== undefined };
}

function isClass(fn) {
  // A constructor worth a Python class: named like one and with a prototype
  // that carries methods (EventEmitter, Server, Socket, BlockList, ...).
  const proto = fn.prototype;
  if (proto === undefined || proto === null || typeof proto !== 'object') return false;
  if (!/^[A-Z]/.test(fn.name)) return false;
  return Reflect.ownKeys(proto).length > 1 || /^class\b/.test(Function.prototype.toString.call(fn));
}

function encFunction(fn) {
  const pyid = fromPython.get(fn);
  if (pyid !== undefined) return { p: pyid };
  if (isClass(fn)) return classRef(fn);
  return { f: idOf(fn) };
}

function protoKey(key) {
  if (typeof key === 'string') return key === 'constructor' ? null : key;
  if (key === kAsyncDispose) return '@@asyncDispose';
  if (key === kRejection) return '@@nodejs.rejection';
  return null;
}

function classRef(ctor) {
  const id = idOf(ctor);
  if (described.has(id)) return { k: id };
  described.add(id);
  // Methods are the function-valued data properties of the prototype; a
  // level of the chain without its own constructor is folded into ours.
  const methods = [];
  const props = [];
  let proto = ctor.prototype;
  let parent = null;
  for (;;) {
    for (const key of Reflect.ownKeys(proto)) {
      const name = protoKey(key);
      if (name === null) continue;
      const d = Object.getOwnPropertyDescriptor(proto, key);
      if (typeof d.value === 'function') methods.push([name, idOf(d.value)]);
      else props.push(name);
    }
    proto = Object.getPrototypeOf(proto);
    if (proto === null || proto === Object.prototype || proto === Function.prototype) break;
    const base = Object.prototype.hasOwnProperty.call(proto, 'constructor') ? proto.constructor : undefined;
    if (typeof base === 'function' && base.prototype === proto) {
      parent = classRef(base);
      break;
    }
  }
  return { k: id, n: ctor.name, p: parent, m: methods, a: props };
}

function isPlain(obj) {
  const proto = Object.getPrototypeOf(obj);
  return proto === null || proto === Object.prototype;
}

// Node's error fields. Bun's native errors carry `code` as a non-enumerable
// (or inherited) property, so these are read whether enumerable or not.
const errorFields = ['code', 'errno', 'syscall', 'address', 'port', 'hostname', 'path', 'dest', 'info', 'context'];

function encError(err) {
  const id = idOf(err);
  const fields = [];
  const keys = Object.keys(err);
  for (const key of errorFields) {
    if (!keys.includes(key) && key in err) keys.push(key);
  }
  for (const key of keys) {
    if (key === 'name' || key === 'message') continue;
    let value;
    try {
      value = err[key];
    } catch {
      continue;
    }
    fields.push([key, value === err ? null : enc(value)]);
  }
  if (err.cause !== undefined && !Object.keys(err).includes('cause')) fields.push(['cause', enc(err.cause)]);
  let kind = 'Error';
  if (err instanceof TypeError) kind = 'TypeError';
  else if (err instanceof RangeError) kind = 'RangeError';
  return { e: id, t: kind, n: String(err.name), m: String(err.message), f: fields, st: String(err.stack || '') };
}

function encObject(obj) {
  const pyid = fromPython.get(obj);
  if (pyid !== undefined) return { p: pyid };
  if (Array.isArray(obj)) return obj.map(enc);
  if (obj instanceof Uint8Array) return { b: Buffer.from(obj.buffer, obj.byteOffset, obj.byteLength).toString('base64') };
  if (obj instanceof Error) return encError(obj);
  if (obj instanceof Promise) return { P: idOf(obj) };
  if (isPlain(obj)) {
    const id = objectIds.get(obj);
    if (id !== undefined) return { h: id }; // an option object Python handed us
    return { o: Object.keys(obj).map((key) => [key, enc(obj[key])]) };
  }
  const id = idOf(obj);
  const proto = Object.getPrototypeOf(obj);
  const ctor = proto && Object.prototype.hasOwnProperty.call(proto, 'constructor') ? proto.constructor : undefined;
  if (typeof ctor === 'function' && ctor.prototype === proto) return { h: id, c: classRef(ctor) };
  return { h: id, c: null };
}

// ------------------------------------------------------------ Python -> JS

function dec(v) {
  if (v === null) return undefined;
  if (typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(dec);
  for (const tag in v) {
    switch (tag) {
      case 'h':
        return objects[v.h];
      case 'p':
        return pyFunction(v.p, v.a || 0);
      case 'o': {
        // A dict: a fresh plain object each time (Python may have changed
        // it), which goes home as the same dict (`q`).
        const obj = {};
        for (const [key, value] of v.o) obj[key] = dec(value);
        if (v.q !== undefined) fromPython.set(obj, v.q);
        return obj;
      }
      case 'a': {
        const arr = v.a.map(dec);
        fromPython.set(arr, v.q);
        return arr;
      }
      case 't':
        return pyThenable(v.t);
      case 'b':
        return Buffer.from(v.b, 'base64');
      case 'n':
        return Number(v.n);
      case 'i':
        return BigInt(v.i);
      case 's':
        return symbolsById[v.s];
      case 'x':
        return pyError(v);
      case 'y':
        return pySymbol(v.y, v.d);
      case 'r':
        return pyTask(v);
      case 'S':
        return v.S === 'asyncDispose' ? kAsyncDispose : kRejection;
      default:
        throw new Error(`bridge: unknown value tag ${tag}`);
    }
  }
  throw new Error('bridge: empty value');
}

function pyFunction(pyid, pad) {
  const key = `${pyid}:${pad}`;
  let fn = pyFunctions.get(key);
  if (fn === undefined) {
    // No `this`: the binding passes listeners the emitted arguments only.
    // `pad`: Node passes no argument where the binding promises None for
    // "no error" (close(cb), write(..., cb), end(cb)); padding makes the
    // Python callback's one signature hold.
    const born = epoch;
    fn = pad
      ? function (...args) {
          if (born !== epoch) return undefined; // the test it belonged to is over
          while (args.length < pad) args.push(undefined);
          return callPy(['cb', pyid, args.map(enc)]);
        }
      : function (...args) {
          if (born !== epoch) return undefined;
          return callPy(['cb', pyid, args.map(enc)]);
        };
    fromPython.set(fn, pyid);
    pyFunctions.set(key, fn);
  }
  return fn;
}

const errorClasses = { TypeError, RangeError, Error };

function pyError(v) {
  let err = pyValues.get(v.x);
  if (err === undefined) {
    // A Python exception as a value: an `instanceof Error` that comes back
    // to Python as the very same exception object.
    err = new (errorClasses[v.t] || Error)(v.m);
    Object.defineProperty(err, 'name', { value: v.n, configurable: true, writable: true });
    for (const [key, value] of v.f) err[key] = dec(value);
    pyValues.set(v.x, err);
    fromPython.set(err, v.x);
  }
  return err;
}

function pySymbol(pyid, description) {
  // Any other Python object (a symbol object used as an event name, a value
  // passed through an emit) is a Symbol here: a primitive that can be a
  // property key, compares by identity, and goes home as the same object.
  let sym = pyValues.get(pyid);
  if (sym === undefined) {
    sym = Symbol(description);
    pyValues.set(pyid, sym);
    fromPython.set(sym, pyid);
  }
  return sym;
}

function pyThenable(pyid) {
  // A Python awaitable that is not a coroutine: a thenable whose `then`
  // getter calls its __await__ (a getter that throws is clause A41's case).
  let obj = pyValues.get(pyid);
  if (obj === undefined) {
    obj = {};
    const born = epoch;
    Object.defineProperty(obj, 'then', {
      get() {
        return born === epoch ? callPy(['await', pyid]) : undefined;
      },
      enumerable: true,
    });
    pyValues.set(pyid, obj);
    fromPython.set(obj, pyid);
  }
  return obj;
}

function pyTask(v) {
  // A Python coroutine (an async listener): a Promise that Python settles.
  if (v.st === 1) return Promise.resolve(dec(v.v));
  if (v.st === 2) return Promise.reject(dec(v.v));
  let settle;
  const promise = new Promise((resolve, reject) => {
    settle = { resolve, reject };
  });
  pendingTasks.set(v.r, settle);
  return promise;
}

function jsKey(key) {
  if (key === '@@asyncDispose') return kAsyncDispose;
  if (key === '@@nodejs.rejection') return kRejection;
  return key;
}

// ------------------------------------------------------ calling Python

function callPy(msg) {
  send(msg);
  for (;;) {
    const reply = recv();
    switch (reply[0]) {
      case 'ok':
        return dec(reply[1]);
      case 'err':
        throw dec(reply[1]);
      default:
        handle(reply);
    }
  }
}

// ------------------------------------------------ serving Python's requests

let inLoop = false; // the event loop is running (not blocked in serve())
const liveTimers = new Map(); // Timeout/Immediate Python created -> description

function handle(msg) {
  let result;
  try {
    result = enc(perform(msg));
  } catch (err) {
    send(['err', enc(err)]);
    return;
  }
  send(['ok', result]);
}

function perform(msg) {
  switch (msg[0]) {
    case 'get':
      return dec(msg[1])[jsKey(msg[2])];
    case 'set':
      dec(msg[1])[jsKey(msg[2])] = dec(msg[3]);
      return undefined;
    case 'has':
      return jsKey(msg[2]) in dec(msg[1]);
    case 'call':
      return Reflect.apply(dec(msg[1]), dec(msg[2]), msg[3].map(dec));
    case 'mcall': {
      const obj = dec(msg[1]);
      return Reflect.apply(methodOf(obj, jsKey(msg[2])), obj, msg[3].map(dec));
    }
    case 'new':
      return Reflect.construct(dec(msg[1]), msg[2].map(dec));
    case 'create':
      return Object.create(dec(msg[1]).prototype);
    case 'subclass':
      return subclass(dec(msg[1]), msg[2], msg[3]);
    case 'then':
      dec(msg[1]).then(dec(msg[2]), dec(msg[3]));
      return undefined;
    case 'settle': {
      const settle = pendingTasks.get(msg[1]);
      pendingTasks.delete(msg[1]);
      if (msg[2]) settle.resolve(dec(msg[3]));
      else settle.reject(dec(msg[3]));
      return undefined;
    }
    case 'timer':
      return startTimer(msg[1], dec(msg[2]), msg[3], msg[4].map(dec));
    case 'clear':
      return clearTimer(msg[1], dec(msg[2]));
    case 'alive':
      return alive();
    case 'recycle':
      return recycle();
    case 'grabfd':
      return grabFd(msg[1]);
    case 'fail': {
      // The script's top-level await failed (Python's run(main) coroutine).
      const err = dec(msg[1]);
      process.nextTick(() => {
        throw err;
      });
      return undefined;
    }
    case 'eval':
      // BridgeRuntime.evaluate (the bridge's own tests): an expression, in
      // the global scope plus `require`.
      return Function('require', `return (${msg[1]}\n);`)(require);
    default:
      throw new Error(`bridge: unknown request ${JSON.stringify(msg[0])}`);
  }
}

function serve() {
  inLoop = false;
  for (;;) {
    const msg = recv();
    if (msg[0] === 'loop') {
      inLoop = true;
      return;
    }
    if (msg[0] === 'exit') process.exit(0);
    handle(msg);
  }
}

// obj[key] as the JS class sees it: an own property first (Bun sets
// `this.emit` per instance), then the prototype chain without the forwarders
// a Python subclass put there (Python's super().emit(...) lands here and must
// not come back to the Python override).
const forwarders = new WeakSet();

function methodOf(obj, key) {
  if (!subclassed) return obj[key];
  for (let o = obj; o !== null && o !== undefined; o = Object.getPrototypeOf(o)) {
    const d = Object.getOwnPropertyDescriptor(o, key);
    if (d === undefined) continue;
    if (d.get !== undefined || d.set !== undefined) return obj[key];
    if (!forwarders.has(d.value)) return d.value;
  }
  return undefined;
}

let subclassed = false;

// A Python subclass of one of our classes (events-subclass): a constructor
// whose prototype forwards the methods Python defines to the Python instance,
// so JS internals calling this.emit(...) or this[Symbol.for('nodejs.rejection')]
// reach the Python override. Instances are made with Object.create (the
// methods work before the constructor ran, clause A45); Python's __init__
// then calls the base constructor with the instance as `this`.
function subclass(base, name, forwarded) {
  const ctor = {
    [name]: function (...args) {
      return Reflect.apply(base, this, args);
    },
  }[name];
  ctor.prototype = Object.create(base.prototype, {
    constructor: { value: ctor, writable: true, configurable: true },
  });
  Object.setPrototypeOf(ctor, base);
  const born = epoch;
  for (const [key, pyname] of forwarded) {
    const forward = function (...args) {
      if (born !== epoch) return undefined;
      return callPy(['pm', enc(this), pyname, args.map(enc)]);
    };
    forwarders.add(forward);
    ctor.prototype[jsKey(key)] = forward;
  }
  subclassed = true;
  described.add(idOf(ctor)); // Python knows this class: it is the Python class
  return objectIds.get(ctor);
}

// Runtime.inherit_fd without a new process, where the runtime has an FFI
// (Deno): take a duplicate of Python's descriptor with pidfd_getfd(2). Deno
// owns sockets from its own startup, which a respawned child would bring as
// "new" sockets to the kit's descriptor check. Null when it cannot (no FFI, a
// kernel before 5.6, ptrace not allowed): Python then respawns the child.
function grabFd(fd) {
  if (typeof Deno === 'undefined' || typeof Deno.dlopen !== 'function') return null;
  let lib;
  try {
    lib = Deno.dlopen('libc.so.6', {
      syscall: { parameters: ['i64', 'i64', 'i64', 'i64'], result: 'i64' },
      close: { parameters: ['i32'], result: 'i32' },
    });
  } catch {
    return null;
  }
  try {
    // pidfd_open = 434 and pidfd_getfd = 438 on every Linux architecture.
    const pidfd = Number(lib.symbols.syscall(434n, BigInt(process.ppid), 0n, 0n));
    if (pidfd < 0) return null;
    const got = Number(lib.symbols.syscall(438n, BigInt(pidfd), BigInt(fd), 0n, 0n));
    lib.symbols.close(pidfd);
    return got >= 0 ? got : null;
  } finally {
    lib.close();
  }
}

// ------------------------------------------------------------ timers

function startTimer(kind, callback, ms, args) {
  let timer;
  if (kind === 'nextTick') {
    process.nextTick(callback, ...args);
    return undefined;
  }
  if (kind === 'timeout') {
    timer = timers.setTimeout(
      (...a) => {
        liveTimers.delete(timer);
        return callback(...a);
      },
      ms,
      ...args,
    );
    liveTimers.set(timer, `Timeout(${ms} ms)`);
  } else {
    timer = timers.setImmediate((...a) => {
      liveTimers.delete(timer);
      return callback(...a);
    }, ...args);
    liveTimers.set(timer, 'Immediate');
  }
  return timer;
}

function clearTimer(kind, timer) {
  if (timer === undefined || timer === null) return undefined;
  liveTimers.delete(timer);
  if (kind === 'timeout') timers.clearTimeout(timer);
  else timers.clearImmediate(timer);
  return undefined;
}

// ------------------------------------------------------- what is alive

const baseline = resources();

function resources() {
  try {
    return typeof process.getActiveResourcesInfo === 'function' ? process.getActiveResourcesInfo() : [];
  } catch {
    return [];
  }
}

function describeAddress(addr) {
  if (addr === null || addr === undefined) return '';
  if (typeof addr === 'string') return JSON.stringify(addr);
  return addr.family === 'IPv6' ? `[${addr.address}]:${addr.port}` : `${addr.address}:${addr.port}`;
}

// Live handles: the servers, sockets and timers Python has seen (our own
// registry: it also sees unref'd handles, and Bun's getActiveResourcesInfo()
// reports nothing), then whatever the runtime reports beyond its state at
// startup, each registry entry cancelling one report of its kind.
function alive() {
  const found = [];
  const kinds = [];
  const unref = (h) => (h && typeof h.hasRef === 'function' && !h.hasRef() ? " (unref'd)" : '');
  for (const obj of objects) {
    if (obj instanceof net.Server) {
      if (obj.listening) {
        let where = '';
        try {
          where = describeAddress(obj.address());
        } catch {}
        found.push(`Server(${where})${obj._unref === true ? " (unref'd)" : ''}`);
        kinds.push(/ServerWrap$/);
      }
    } else if (obj instanceof net.Socket) {
      if (!obj.destroyed) {
        const peer = obj.remoteAddress ? `${obj.remoteAddress}:${obj.remotePort}` : '';
        found.push(`Socket(${peer})`);
        kinds.push(/SocketWrap$|^PipeWrap$/);
      }
    }
  }
  for (const [timer, what] of liveTimers) {
    if (timer._destroyed === true) continue;
    found.push(what + unref(timer));
    kinds.push(what === 'Immediate' ? /^Immediate$/ : /^Timeout$/);
  }
  const extra = resources();
  const ours = keepAlive === null ? -1 : extra.indexOf('Immediate');
  if (ours >= 0) extra.splice(ours, 1);
  for (const name of baseline) {
    const at = extra.indexOf(name);
    if (at >= 0) extra.splice(at, 1);
  }
  for (const kind of kinds) {
    const at = extra.findIndex((name) => kind.test(name));
    if (at >= 0) extra.splice(at, 1);
  }
  return found.concat(extra);
}

// ------------------------------------------------------------ reuse

// Python reuses a child whose test left it exactly as it started (see
// _session.py Session._recycled). Here: nothing alive, nothing pending, no
// uncaught exception or warning since the start, and every own property of
// the modules, their classes' prototype chains and the global object as it
// was (accessors whose state hides in closures are compared by value).
let dirty = null; // why this process must not be reused, once it must not
// Which test this is. A JS stand-in for a Python function outlives its test
// in the heap; should anything call it later (an unref'd JS timer), it is a
// no-op, as it would be in a process killed at the end of its test.
let epoch = 0;

function snapshotTargets() {
  const targets = [];
  const seen = new Set();
  const add = (o) => {
    if (o !== null && (typeof o === 'object' || typeof o === 'function') && !seen.has(o)) {
      seen.add(o);
      targets.push(o);
    }
  };
  const chain = (o) => {
    for (let p = o; p && p !== Object.prototype && p !== Function.prototype; p = Object.getPrototypeOf(p)) add(p);
  };
  for (const module of [events, net, timers]) {
    add(module);
    for (const key of Object.keys(module)) {
      let value;
      try {
        value = module[key];
      } catch {
        continue;
      }
      if (typeof value === 'function') {
        add(value);
        if (value.prototype) chain(value.prototype);
      }
    }
  }
  chain(events.prototype);
  add(globalThis);
  for (const name of ['AbortController', 'AbortSignal', 'EventTarget', 'Promise']) {
    if (typeof globalThis[name] === 'function') chain(globalThis[name].prototype);
  }
  return targets;
}

const hiddenState = [
  () => events.defaultMaxListeners,
  () => events.EventEmitter.captureRejections,
  () => (typeof net.getDefaultAutoSelectFamily === 'function' ? net.getDefaultAutoSelectFamily() : null),
  () => (typeof net.getDefaultAutoSelectFamilyAttemptTimeout === 'function' ? net.getDefaultAutoSelectFamilyAttemptTimeout() : null),
  () => require('node:stream').getDefaultHighWaterMark?.(false),
  () => ['beforeExit', 'uncaughtException', 'unhandledRejection', 'warning', 'SIGUSR2', 'exit'].map((e) => process.listenerCount(e)).join(),
];

function snapshot(targets) {
  return {
    props: targets.map((target) =>
      Reflect.ownKeys(target).map((key) => [key, Object.getOwnPropertyDescriptor(target, key)]),
    ),
    hidden: hiddenState.map((read) => {
      try {
        return read();
      } catch {
        return undefined;
      }
    }),
  };
}

function sameDescriptor(a, b) {
  return (
    a !== undefined &&
    b !== undefined &&
    Object.is(a.value, b.value) &&
    a.get === b.get &&
    a.set === b.set &&
    a.writable === b.writable &&
    a.enumerable === b.enumerable &&
    a.configurable === b.configurable
  );
}

function changedSince(before) {
  const now = snapshot(pristineTargets);
  for (let i = 0; i < before.hidden.length; i++) {
    if (!Object.is(before.hidden[i], now.hidden[i])) return `module state ${i} changed`;
  }
  for (let t = 0; t < before.props.length; t++) {
    const was = before.props[t];
    const is = now.props[t];
    if (was.length !== is.length) {
      const names = (list) => list.map(([key]) => String(key));
      const [a, b] = [names(was), names(is)];
      const diff = b.filter((k) => !a.includes(k)).map((k) => `+${k}`).concat(a.filter((k) => !b.includes(k)).map((k) => `-${k}`));
      return `properties of ${describeTarget(pristineTargets[t])} changed: ${diff.join(' ')}`;
    }
    for (let k = 0; k < was.length; k++) {
      if (was[k][0] !== is[k][0] || !sameDescriptor(was[k][1], is[k][1])) {
        return `${describeTarget(pristineTargets[t])}.${String(was[k][0])} changed`;
      }
    }
  }
  return null;
}

function describeTarget(target) {
  if (target === globalThis) return 'globalThis';
  return (typeof target === 'function' ? target.name : target.constructor && target.constructor.name) || 'object';
}

function recycle() {
  if (dirty !== null) return dirty;
  if (pendingTasks.size > 0) return 'a Python coroutine is still pending';
  const still = alive();
  if (still.length > 0) return `alive: ${still.join('; ')}`;
  const changed = changedSince(pristine);
  if (changed !== null) return changed;
  // Forget everything the last test held; the module handles get their
  // first ids again, so the next Session's 'ready' still holds.
  objects.length = 1;
  objectIds.clear();
  described.clear();
  fromPython.clear();
  pyFunctions.clear();
  pyValues.clear();
  jsSymbols.clear();
  symbolsById.length = 1;
  liveTimers.clear();
  subclassed = false;
  epoch++;
  idOf(events);
  idOf(net);
  idOf(globalThis);
  return null;
}

// ------------------------------------------------------- process events

process.on('beforeExit', () => {
  // The loop is idle. Tell Python, serve its next requests, and when it says
  // 'loop' again keep the loop alive for one more turn so that it reaches
  // 'beforeExit' again (Node exits after 'beforeExit' if nothing was queued).
  send(['idle']);
  serve();
  keepAlive = timers.setImmediate(() => {
    keepAlive = null;
  });
});
let keepAlive = null; // our own Immediate: alive() does not report it

function uncaught(err) {
  // An exception that escaped a callback ends Python's run() with it (the
  // same object when it is a Python exception); the process lives on, as the
  // binding's run() may be called again.
  dirty = 'an uncaught exception';
  inLoop = false;
  send(['uncaught', enc(err)]);
  serve();
}
process.on('uncaughtException', uncaught);
process.on('unhandledRejection', uncaught);

process.on('warning', (warning) => {
  // Some warnings are emitted once per process (deprecations): a child that
  // emitted one is not reused. The leak warning is per listener array.
  if (warning.name !== 'MaxListenersExceededWarning') dirty = `a ${warning.name}`;
  const fields = [];
  for (const key of ['emitter', 'type', 'count', 'code']) {
    if (warning[key] !== undefined) fields.push([key, enc(warning[key])]);
  }
  callPy(['warn', String(warning.name), String(warning.message), fields]);
});

// Python's run() timed out: say what is alive, then take requests (Python
// closes us or runs again). A signal that arrives while we serve waits for
// the loop; Python ignores a report it did not ask for.
process.on('SIGUSR2', () => {
  if (!inLoop) return;
  dirty = 'a timeout';
  inLoop = false;
  send(['timeout', alive()]);
  serve();
});

// If Python dies while we are in the loop, nobody reads our pipe: leave.
const parent = process.ppid;
timers
  .setInterval(() => {
    if (process.ppid !== parent) process.exit(1);
  }, 500)
  .unref();

// ------------------------------------------------------------ start

function feature(test) {
  try {
    return Boolean(test());
  } catch {
    return false;
  }
}

const info = enc({
    version: process.version,
    node: process.versions.node,
    bun: process.versions.bun || null,
    deno: process.versions.deno || null,
    events: idOf(events),
    net: idOf(net),
    global: idOf(globalThis),
    features: {
      subclass: feature(() => !/^class\b/.test(Function.prototype.toString.call(events.EventEmitter))),
      dispose: feature(() => typeof net.Server.prototype[kAsyncDispose] === 'function'),
      blockList: feature(() => typeof net.BlockList === 'function'),
    },
  });
// Taken after everything this file does at startup, and twice: reading some
// properties loads modules lazily (net.BlockList brings in undici's global
// dispatcher in Node; require('node:stream') adds Readable.map & co. in Bun).
snapshot(snapshotTargets());
const pristineTargets = snapshotTargets();
const pristine = snapshot(pristineTargets);
send(['ready', info]);
serve();
