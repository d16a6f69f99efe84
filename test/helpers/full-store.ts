import type Database from 'better-sqlite3';
import type { AlertStore } from '../../src/alerts/index.js';

/** The store's own connection, where max_page_count applies (it is a per-connection limit). */
const connectionOf = (store: AlertStore) => (store as unknown as { db: Database.Database }).db;

/**
 * A full disk, as SQLite meets it: no page more, and the free ones filled (as a filler file fills a
 * disk), so every write that needs room fails with SQLITE_FULL. A tmpfs that really fills needs a user
 * namespace (test/cli/serve-full-disk.test.ts); this needs nothing and is SQLite's real full condition.
 */
export function fillStore(store: AlertStore): void {
  const db = connectionOf(store);
  db.exec('CREATE TABLE IF NOT EXISTS filler (x BLOB)');
  db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true })}`);
  const insert = db.prepare('INSERT INTO filler VALUES (?)');
  for (let bytes = 65_536; bytes >= 8; bytes /= 2) {
    try {
      for (;;) insert.run(Buffer.alloc(bytes));
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_FULL') throw err;
    }
  }
}

/** Room again: the page limit lifted and the filler gone. */
export function freeStore(store: AlertStore): void {
  const db = connectionOf(store);
  db.pragma('max_page_count = 1073741823');
  db.exec('DROP TABLE IF EXISTS filler');
}
