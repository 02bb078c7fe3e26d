'use strict';
/** Ports and HTTP probes on 127.0.0.1 (the stack never listens anywhere else). */
const http = require('node:http');
const net = require('node:net');

const HOST = '127.0.0.1';

/**
 * Picks `count` distinct free ports: all listeners stay open until every port is known, so one call never
 * returns the same port twice. Another process may still take a port before the JVM binds it: callers retry.
 * @param {number} count
 * @returns {Promise<number[]>}
 */
async function freePorts(count) {
  const servers = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      servers.push(server);
      await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen({host: HOST, port: 0, exclusive: true}, () => resolve(undefined));
      });
    }
    return servers.map((s) => /** @type {net.AddressInfo} */ (s.address()).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(() => resolve(undefined)))));
  }
}

/**
 * True when nothing listens on the port (we can bind it ourselves).
 * @param {number} port
 * @returns {Promise<boolean>}
 */
function isPortFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({host: HOST, port, exclusive: true}, () => server.close(() => resolve(true)));
  });
}

/**
 * True when a TCP connection to the port succeeds within the timeout.
 * @param {number} port
 * @param {number} [timeoutMs]
 * @returns {Promise<boolean>}
 */
function canConnect(port, timeoutMs = 2000) {
  return new Promise((resolve) => {
    const socket = net.connect({host: HOST, port});
    const done = (/** @type {boolean} */ ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * GET a URL; resolves {status, body} or rejects on a network error or timeout.
 * @param {string} url
 * @param {number} [timeoutMs]
 * @param {Record<string, string>} [headers]
 * @returns {Promise<{status: number, body: string}>}
 */
function httpGet(url, timeoutMs = 3000, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, {timeout: timeoutMs, headers}, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({status: res.statusCode ?? 0, body}));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

module.exports = {HOST, freePorts, isPortFree, canConnect, httpGet};
